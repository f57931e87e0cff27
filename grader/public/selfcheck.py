"""The self-check: run every public check and print one line per function, as it goes.

``python selfcheck.py [--lang fr|en] [--call-timeout SECONDS]`` from the handout root (the
launcher there calls `main`). Each function ends in one of four states: passed; failed
(with the call, the problem, what was expected and what came back, the worst entries, the
known mistake it looks like when one fits, and a hint); not started (the stub still raises
``NotImplementedError``); waiting (it fails while a function it builds on does not pass
yet, or builds on one that did not return).

The checks run in a child process under deadlines (``supervisor.py``): a call that does not
return within the deadline is reported as such, and what builds on it waits for it. The
header is printed before anything runs and each function's lines as soon as it is checked.
Ctrl-C stops the run cleanly: what was checked so far, a line saying so, exit status 130.
Otherwise the exit status is 0 only if every function passes, whether or not the reader of
the output stops early (``| head``).
"""

from __future__ import annotations

import argparse
import contextlib
import os
import signal
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, NoReturn, TextIO

from .i18n import LANGUAGES, N_, detect_language, translations, translator
from .supervisor import CALL_TIMEOUT, Supervisor, WorkerFailed, check_all, load_expected
from .verdicts import FAILED, NOT_STARTED, PASSED, STATUS_WORDS, WAITING, Failure, Outcome

HANDOUT_ROOT = Path(__file__).resolve().parent.parent

INTERRUPTED = 130
"""The exit status after Ctrl-C (128 + SIGINT, as shells report it)."""

__all__ = [
    "HANDOUT_ROOT",
    "PASSED",
    "detect_language",
    "format_outcome",
    "load_expected",
    "main",
    "run_checks",
]


def run_checks(
    root: Path,
    lang: str,
    expected: dict[str, Any],
    *,
    call_timeout: float = CALL_TIMEOUT,
    report: Callable[[Outcome], None] | None = None,
) -> list[Outcome]:
    """Check every function of `expected` against the `exercises/` folder under `root`, in
    a child process, each call within `call_timeout` seconds; `report` sees each verdict
    as soon as it is known."""
    with Supervisor(expected, lang, call_timeout=call_timeout) as supervisor:
        supervisor.load_files(str(root))
        return check_all(supervisor, expected["functions"], expected["depends_on"], report)


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
        return f"{head}\n{indent}{waiting_sentence(outcome, lang)}"
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
            lines.append(indent + _("looks like: %(diagnosis)s", diagnosis=lowered(failure)))
    hint = hint_of(outcome, lang, hints)
    if hint:
        lines.append(indent + _("hint: %(hint)s", hint=hint))
    return "\n".join(lines)


def waiting_sentence(outcome: Outcome, lang: str) -> str:
    """ "it uses X, which does not pass yet: fix that first, then run again." """
    names = ", ".join(outcome.waiting_for)
    sentence = translations(lang).ngettext(
        "it uses %(names)s, which does not pass yet: fix that first, then run again.",
        "it uses %(names)s, which do not pass yet: fix them first, then run again.",
        len(outcome.waiting_for),
    )
    return sentence % {"names": names}


def lowered(failure: Failure) -> str:
    """The diagnosis as it reads after a label: "looks like: your dW is ..."."""
    sentence = failure.diagnosis
    return sentence[:1].lower() + sentence[1:]


def hint_of(outcome: Outcome, lang: str, hints: dict[str, dict[str, str]]) -> str:
    """The hint of the function's exercise, in `lang`."""
    hint = hints.get(outcome.function, {})
    return hint.get(lang, hint.get("en", ""))


def summary_lines(outcomes: Sequence[Outcome], total: int, lang: str) -> list[str]:
    """The closing lines: how many pass, then how many fail, wait or are not started."""
    _ = translator(lang)
    count = {status: 0 for status in STATUS_WORDS}
    for outcome in outcomes:
        count[outcome.status] += 1
    lines = [
        _(
            "%(passed)s of %(total)s functions pass the public checks; hidden checks run at "
            "grading.",
            passed=count[PASSED],
            total=total,
        )
    ]
    if count[PASSED] < total:
        lines.append(
            _(
                "%(failed)s failed, %(blocked)s waiting for another function, %(not_started)s "
                "not started.",
                failed=count[FAILED],
                blocked=count[WAITING],
                not_started=count[NOT_STARTED],
            )
        )
    return lines


class Output:
    """The report's stream; a reader that goes away (``| head``) ends the printing only.

    Nothing is left to say to a closed pipe, but the checks go on so that the exit status
    still tells whether every function passes; stdout then points at devnull, so that the
    flush at exit does not fail a second time.
    """

    def __init__(self, stream: TextIO) -> None:
        self.stream = stream
        self.closed = False

    def line(self, text: str = "") -> None:
        if self.closed:
            return
        try:
            print(text, file=self.stream, flush=True)
        except BrokenPipeError:
            self.closed = True
            devnull = os.open(os.devnull, os.O_WRONLY)
            os.dup2(devnull, self.stream.fileno())


def _requested_language(argv: Sequence[str]) -> str | None:
    """The --lang of `argv`, read before parsing so that --help speaks it too."""
    for index, argument in enumerate(argv):
        if argument == "--lang" and index + 1 < len(argv):
            return argv[index + 1]
        if argument.startswith("--lang="):
            return argument.partition("=")[2]
    return None


class _Parser(argparse.ArgumentParser):
    """argparse, its own words (usage, options, errors) in the report's language."""

    def __init__(self, lang: str, **options: Any) -> None:
        self._ = translator(lang)
        usage_prefix = self._("usage: ")

        class Formatter(argparse.HelpFormatter):
            def add_usage(
                self,
                usage: str | None,
                actions: Any,
                groups: Any,
                prefix: str | None = None,
            ) -> None:
                super().add_usage(
                    usage, actions, groups, usage_prefix if prefix is None else prefix
                )

        super().__init__(formatter_class=Formatter, add_help=False, **options)
        # argparse adds the colon; French puts a space before it (the translation ends
        # with one).
        self._optionals.title = self._("options")
        self.add_argument("-h", "--help", action="help", help=self._("show this help and exit"))

    def error(self, message: str) -> NoReturn:
        self.print_usage(sys.stderr)
        self.exit(2, self._("%(prog)s: error: %(message)s", prog=self.prog, message=message) + "\n")


def parse_arguments(argv: Sequence[str]) -> argparse.Namespace:
    """--lang and --call-timeout, checked, with messages in the student's language."""
    lang = detect_language(_requested_language(argv), os.environ)
    _ = translator(lang)
    parser = _Parser(
        lang,
        prog="python selfcheck.py",
        description=_("Run the public checks on your exercises/ folder."),
        epilog=_(
            "Exit status: 0 when every function passes, 1 otherwise, 130 when stopped with Ctrl-C."
        ),
    )
    parser.add_argument(
        "--lang",
        metavar="|".join(LANGUAGES),
        help=_("language of the report (default: from LC_ALL, LC_MESSAGES or LANG, else en)"),
    )
    parser.add_argument(
        "--call-timeout",
        metavar=_("SECONDS"),
        default=str(CALL_TIMEOUT),
        help=_(
            "seconds each call of one of your functions may take before it counts as a "
            "loop that never ends (default: %(default)s)",
            default=format(CALL_TIMEOUT, "g"),
        ),
    )
    arguments = parser.parse_args(argv)
    if arguments.lang is not None and arguments.lang not in LANGUAGES:
        parser.error(
            _(
                "--lang %(lang)s: choose one of %(languages)s.",
                lang=arguments.lang,
                languages=", ".join(LANGUAGES),
            )
        )
    arguments.call_timeout = _seconds(arguments.call_timeout)
    if arguments.call_timeout is None:
        parser.error(
            _(
                "--call-timeout %(value)s: give a number of seconds greater than 0, e.g. 5.",
                value=parser.parse_args(argv).call_timeout,
            )
        )
    arguments.lang = lang
    return arguments


def _seconds(text: str) -> float | None:
    """`text` as a positive, finite number of seconds, or None."""
    try:
        value = float(text)
    except ValueError:
        return None
    return value if 0 < value < float("inf") else None


def main(argv: list[str] | None = None, root: Path = HANDOUT_ROOT) -> int:
    """Run the self-check on ``root/exercises``, printing as it goes; 0 only if all pass."""
    arguments = parse_arguments(sys.argv[1:] if argv is None else argv)
    lang = arguments.lang
    _ = translator(lang)
    expected = load_expected()
    hints = expected.get("hints", {})
    total = len(expected["functions"])
    output = Output(sys.stdout)
    outcomes: list[Outcome] = []

    def report(outcome: Outcome) -> None:
        outcomes.append(outcome)
        output.line(format_outcome(outcome, lang, hints))

    try:
        output.line(_("Public self-check of exercises/ (%(count)s functions)", count=total))
        output.line()
        run_checks(root, lang, expected, call_timeout=arguments.call_timeout, report=report)
    except KeyboardInterrupt:
        _ignore_interrupts()  # a second Ctrl-C must not interrupt the closing lines
        output.line()
        output.line(
            _(
                "Stopped (Ctrl-C) after %(checked)s of %(total)s functions; run again to "
                "check the others.",
                checked=len(outcomes),
                total=total,
            )
        )
        for line in summary_lines(outcomes, total, lang):
            output.line(line)
        return INTERRUPTED
    except WorkerFailed as error:
        output.line(str(error))
        return 1
    output.line()
    for line in summary_lines(outcomes, total, lang):
        output.line(line)
    return 0 if all(outcome.status == PASSED for outcome in outcomes) else 1


def _ignore_interrupts() -> None:
    with contextlib.suppress(ValueError):  # not the main thread: nothing to protect
        signal.signal(signal.SIGINT, signal.SIG_IGN)


if __name__ == "__main__":
    sys.exit(main())
