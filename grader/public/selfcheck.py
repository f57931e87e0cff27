"""The self-check: run every public check and print one line per function.

``python selfcheck.py [--lang fr|en]`` from the handout root (the launcher there calls
`main`). Each function ends in one of four states: passed; failed (with the call, the
problem, what was expected and what came back, the worst entries, the known mistake it
looks like when one fits, and a hint); not started (the stub still raises
``NotImplementedError``); waiting (it fails while a function it builds on does not pass
yet). The exit status is 0 only if every function passes, whether or not the reader of
the output stops early (``| head``).
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import warnings
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from .checking import Checker, Contract, Failure
from .functions import FAMILIES
from .i18n import LANGUAGES, N_, detect_language, translations, translator
from .numerics import decode
from .student import NotStarted, Problem, StudentCode

EXPECTED_FILE = Path(__file__).with_name("expected.json")
HANDOUT_ROOT = Path(__file__).resolve().parent.parent

PASSED, FAILED, NOT_STARTED, WAITING = "passed", "failed", "not_started", "blocked"

# The status words, padded to one width in the report.
STATUS_WORDS: dict[str, str] = {
    PASSED: N_("passed"),
    FAILED: N_("FAILED"),
    NOT_STARTED: N_("not started"),
    WAITING: N_("waiting"),
}


@dataclass
class Outcome:
    """What the public checks say about one student function.

    Attributes:
        function: the function's name.
        status: ``"passed"``, ``"failed"``, ``"not_started"`` or ``"blocked"`` (waiting).
        message: the reason, when there is no `failure` (import problem, stub, waiting).
        failure: the failed check, with its call and values.
        waiting_for: the functions to fix first (status ``"blocked"``).
        loading: True when the module itself could not be loaded.
    """

    function: str
    status: str
    message: str = ""
    failure: Failure | None = None
    waiting_for: tuple[str, ...] = ()
    loading: bool = field(default=False, repr=False)


def load_expected(path: Path = EXPECTED_FILE) -> dict[str, Any]:
    """The handout's expected values and hints (written at release)."""
    return json.loads(path.read_text(encoding="utf-8"))


def check_function(
    student: StudentCode, name: str, expected: dict[str, Any], contract: Contract | None = None
) -> Outcome:
    """Run the checks of `name` alone (before waiting states are resolved)."""
    contract = contract or Contract.from_expected(expected)
    module = contract.modules[name]
    file = f"exercises/{module}.py"
    try:
        function = student.function(module, name)
    except Problem as problem:
        return Outcome(name, FAILED, problem.message, loading=True)
    if student.is_untouched_stub(function):
        return Outcome(name, NOT_STARTED, _not_started(student.lang, file))
    checker = Checker(student, student.lang, contract)
    options = dict(expected["checks"][name])
    family = FAMILIES[options.pop("kind")]
    try:
        family(checker, name, [decode(case) for case in expected["cases"][name]], options)
    except NotStarted as stub:
        if stub.function == name:
            return Outcome(name, NOT_STARTED, _not_started(student.lang, file))
        return Outcome(name, WAITING, waiting_for=(stub.function,))
    except Failure as failure:
        return Outcome(name, FAILED, failure=failure)
    return Outcome(name, PASSED)


def _not_started(lang: str, file: str) -> str:
    _ = translator(lang)
    return _("still raises NotImplementedError: write its body in %(file)s.", file=file)


def run_checks(root: Path, lang: str, expected: dict[str, Any]) -> list[Outcome]:
    """Check every function of `expected` against the `exercises/` folder under `root`."""
    student = StudentCode(root, lang)
    contract = Contract.from_expected(expected)
    outcomes: dict[str, Outcome] = {}
    with warnings.catch_warnings(), np.errstate(all="ignore"):
        # Overflow in exp(1000) is the stability tests' business, not a crash.
        warnings.simplefilter("ignore", RuntimeWarning)
        for name in expected["functions"]:
            outcome = check_function(student, name, expected, contract)
            outcomes[name] = _resolve_waiting(outcome, outcomes, expected["depends_on"])
    return list(outcomes.values())


def builds_on(function: str, direct: dict[str, list[str]]) -> tuple[str, ...]:
    """Every function `function` builds on, directly or not (without itself), given what
    each function calls directly."""
    seen: list[str] = []
    pending = list(direct.get(function, ()))
    while pending:
        name = pending.pop(0)
        if name not in seen and name != function:
            seen.append(name)
            pending.extend(direct.get(name, ()))
    return tuple(seen)


def _resolve_waiting(
    outcome: Outcome, earlier: dict[str, Outcome], direct: dict[str, list[str]]
) -> Outcome:
    """A failure while a function it builds on does not pass becomes "waiting" for it."""
    if outcome.status != FAILED or outcome.loading:
        return outcome
    unsettled = [name for name in builds_on(outcome.function, direct) if name in earlier]
    causes = [n for n in unsettled if earlier[n].status in (FAILED, NOT_STARTED)]
    if not causes:
        causes = [n for n in unsettled if earlier[n].status == WAITING]
    if not causes:
        return outcome
    return Outcome(outcome.function, WAITING, failure=outcome.failure, waiting_for=tuple(causes))


def format_outcome(outcome: Outcome, lang: str, hints: dict[str, dict[str, str]]) -> str:
    """The report lines of one function: a status line, then details if it did not pass."""
    _ = translator(lang)
    words = {status: _(word) for status, word in STATUS_WORDS.items()}
    width = max(len(word) for word in words.values())
    head = f"  {words[outcome.status]:<{width}}  {outcome.function}"
    indent = " " * (width + 4)
    if outcome.status in (PASSED, NOT_STARTED):
        return head
    if outcome.status == WAITING:
        names = ", ".join(outcome.waiting_for)
        waiting = translations(lang).ngettext(
            "it uses %(names)s, which does not pass yet: fix that first, then run again.",
            "it uses %(names)s, which do not pass yet: fix them first, then run again.",
            len(outcome.waiting_for),
        )
        return f"{head}\n{indent}{waiting % {'names': names}}"
    lines = [head]
    failure = outcome.failure
    if failure is None:
        lines.append(indent + _("problem: %(value)s", value=outcome.message))
    else:
        for label, value in (
            (N_("call: %(value)s"), failure.call),
            (N_("case: %(value)s"), failure.case),
            (N_("problem: %(value)s"), failure.problem),
            (N_("expected: %(value)s"), failure.expected),
            (N_("got: %(value)s"), failure.got),
        ):
            if value:
                lines.append(indent + _(label, value=value))
        if failure.worst:
            lines.append(indent + _("worst entries:"))
            lines.extend(f"{indent}  {entry}" for entry in failure.worst)
        if failure.diagnosis:
            # After the label the sentence reads on: "looks like: your dW is ...".
            sentence = failure.diagnosis[:1].lower() + failure.diagnosis[1:]
            lines.append(indent + _("looks like: %(diagnosis)s", diagnosis=sentence))
    hint = hints.get(outcome.function, {})
    if hint:
        lines.append(indent + _("hint: %(hint)s", hint=hint.get(lang, hint.get("en", ""))))
    return "\n".join(lines)


def format_report(outcomes: list[Outcome], lang: str, hints: dict[str, dict[str, str]]) -> str:
    """The whole report: a title, one block per function, the summary lines."""
    _ = translator(lang)
    count = {status: 0 for status in STATUS_WORDS}
    for outcome in outcomes:
        count[outcome.status] += 1
    lines = [_("Public self-check of exercises/ (%(count)s functions)", count=len(outcomes)), ""]
    lines.extend(format_outcome(outcome, lang, hints) for outcome in outcomes)
    lines.append("")
    lines.append(
        _(
            "%(passed)s of %(total)s functions pass the public checks; hidden checks run at "
            "grading.",
            passed=count[PASSED],
            total=len(outcomes),
        )
    )
    if count[PASSED] < len(outcomes):
        lines.append(
            _(
                "%(failed)s failed, %(blocked)s waiting for another function, %(not_started)s "
                "not started.",
                failed=count[FAILED],
                blocked=count[WAITING],
                not_started=count[NOT_STARTED],
            )
        )
    return "\n".join(lines)


def main(argv: list[str] | None = None, root: Path = HANDOUT_ROOT) -> int:
    """Run the self-check on ``root/exercises``; print the report; 0 only if all pass."""
    _ = translator(detect_language(None, os.environ))  # for --help, before --lang is read
    parser = argparse.ArgumentParser(
        prog="python selfcheck.py",
        description=_("Run the public checks on your exercises/ folder."),
    )
    parser.add_argument(
        "--lang",
        choices=LANGUAGES,
        help=_("language of the report (default: from LC_ALL, LC_MESSAGES or LANG, else en)"),
    )
    arguments = parser.parse_args(argv)
    lang = detect_language(arguments.lang, os.environ)
    expected = load_expected()
    outcomes = run_checks(root, lang, expected)
    status = 0 if all(outcome.status == PASSED for outcome in outcomes) else 1
    try:
        print(format_report(outcomes, lang, expected.get("hints", {})), flush=True)
    except BrokenPipeError:
        # The reader stopped early (``python selfcheck.py | head``): nothing is left to say.
        # Pointing stdout at devnull keeps the flush at exit from failing a second time.
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    return status


if __name__ == "__main__":
    sys.exit(main())
