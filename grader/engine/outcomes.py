"""From what a hidden test raised to an outcome, a message for the student, and evidence.

The mapping (docs/result-schema.md):

| raised | outcome | evidence kind |
|---|---|---|
| `CheckFailure` | failed | the check's own |
| `AssertionError`, ``pytest.fail`` | failed | `property` |
| `StudentNotImplemented` | failed | `not_implemented` or `missing_function` |
| `HostileValue` | failed | `hostile_value` |
| `StudentRaised` | error | `exception` |
| `StudentTimeout` | timeout | `timeout` |
| `WorkerCrashed` | crashed | `crashed` |
| ``pytest.skip`` | skipped | none |
| anything else (a bug in our tests) | error | `internal_error`, never blaming the student |

Messages never quote the hidden test: no pytest traceback, no assertion text. They are
English messages of the translation catalog (`grader.i18n`), stored in every language.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

import pytest

from grader.catalog import Exercise
from grader.checks import CheckFailure
from grader.errors import (
    INTERNAL,
    HostileValue,
    StudentCallError,
    StudentNotImplemented,
    StudentRaised,
    StudentTimeout,
    WorkerCrashed,
)
from grader.i18n import N_, Text, sentences

LOG = logging.getLogger("grader.engine")

Messages = dict[str, str]


@dataclass(frozen=True)
class Verdict:
    """What one test came to: outcome, bilingual message, evidence (None when passed)."""

    outcome: str
    messages: Messages
    evidence: dict[str, Any] | None

    @property
    def passed(self) -> bool:
        return self.outcome == "passed"


PASSED = Verdict("passed", sentences(), None)


class ModuleUnavailable(Exception):
    """Raised by the plugin before a test whose module could not be imported at all."""

    def __init__(self, messages: Mapping[str, str], evidence: dict[str, Any]) -> None:
        self.messages = dict(messages)
        super().__init__(self.messages["en"])
        self.evidence = evidence


class BudgetExhausted(Exception):
    """Raised by the plugin before a test once the submission's time budget is spent."""

    def __init__(self, seconds: float) -> None:
        super().__init__(f"time budget of {seconds:g} s spent")
        self.seconds = seconds


@dataclass(frozen=True)
class FunctionFacts:
    """What the classifier may ask about the student's functions."""

    has_function: Callable[[str], bool]
    module_unavailable: Callable[[str], ModuleUnavailable | None]


def classify(error: BaseException, exercise: Exercise, facts: FunctionFacts) -> Verdict:
    """The verdict for a test that raised `error` (in setup, call or teardown)."""
    if isinstance(error, CheckFailure):
        return Verdict("failed", dict(error.messages), dict(error.evidence))
    if isinstance(error, ModuleUnavailable):
        return Verdict("failed", error.messages, error.evidence)
    if isinstance(error, BudgetExhausted):
        return _budget_exhausted(error.seconds)
    if isinstance(error, StudentCallError):
        return _student_call_error(error, facts)
    if isinstance(error, AssertionError | pytest.fail.Exception):
        return _assertion_failed(exercise)
    if isinstance(error, pytest.skip.Exception):
        return Verdict("skipped", _not_run(), None)
    cause = _student_cause(error)
    if cause is not None:
        return _student_call_error(cause, facts)
    INTERNAL.error(
        "A hidden test of exercise %r raised an unexpected error.", exercise.id, exc_info=error
    )
    return _internal_error()


def _student_cause(error: BaseException) -> StudentCallError | None:
    """A student error our code wrapped, found through the exception chain."""
    seen: set[int] = set()
    current: BaseException | None = error
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        if isinstance(current, StudentCallError):
            return current
        current = current.__cause__ or current.__context__
    return None


def _student_call_error(error: StudentCallError, facts: FunctionFacts) -> Verdict:
    function = error.function
    if isinstance(error, StudentNotImplemented):
        unavailable = facts.module_unavailable(function)
        if unavailable is not None:
            return Verdict("failed", unavailable.messages, unavailable.evidence)
        if not facts.has_function(function):
            return _missing_function(function)
        if error.via is not None:
            return _calls_a_stub(function, error.via)
        return _not_implemented(function)
    if isinstance(error, StudentTimeout):
        return _timeout(
            function, error.seconds, repeated=error.repeated, budget=error.budget, via=error.via
        )
    if isinstance(error, WorkerCrashed):
        return _crashed(function, error.detail)
    if isinstance(error, HostileValue):
        return _hostile_value(function, error.text)
    if isinstance(error, StudentRaised):
        return _raised(error)
    return Verdict(
        "error",
        dict(
            Text(
                "The call to `%(function)s` did not give a usable value: %(detail)s",
                function=function,
                detail=error.text,
            )
        ),
        {"kind": "exception", "function": function},
    )


def _not_implemented(function: str) -> Verdict:
    return Verdict(
        "failed",
        dict(
            Text(
                "`%(function)s` is not implemented yet: it still raises NotImplementedError. "
                "Replace the stub's body with your code.",
                function=function,
            )
        ),
        {"kind": "not_implemented", "function": function},
    )


def _calls_a_stub(function: str, stub: str) -> Verdict:
    return Verdict(
        "failed",
        dict(
            Text(
                "`%(function)s` calls your `%(stub)s`, which is not implemented yet: it still "
                "raises NotImplementedError. Write `%(stub)s` first; then this test can judge "
                "`%(function)s`.",
                function=function,
                stub=stub,
            )
        ),
        {"kind": "not_implemented", "function": stub},
    )


def _missing_function(function: str) -> Verdict:
    return Verdict(
        "failed",
        dict(
            Text(
                "Your submission does not define `%(function)s`. Write it with the name and "
                "signature of the handout.",
                function=function,
            )
        ),
        {"kind": "missing_function", "function": function},
    )


def _timeout(
    function: str,
    seconds: float,
    *,
    repeated: bool = False,
    budget: bool = False,
    via: str | None = None,
) -> Verdict:
    advice = Text(
        N_(
            "Look for an infinite loop, or a Python loop over every entry where a numpy "
            "operation on the whole array would do."
        )
    )
    if budget:
        said = Text(
            "Your submission used up its %(seconds)s s of grading time before this test, so "
            "`%(function)s` was not run: the time went to calls that were too slow.",
            seconds=seconds,
            function=function,
        )
    elif via is not None:
        said = Text(
            "`%(function)s` calls your `%(via)s`, which did not return within %(seconds)s s "
            "in an earlier test; it was not run again. Fix the loop in `%(via)s` first.",
            function=function,
            via=via,
            seconds=seconds,
        )
    elif repeated:
        said = Text(
            "`%(function)s` did not return within %(seconds)s s in an earlier test, so it "
            "was not run again (that would only use up your submission's time).",
            function=function,
            seconds=seconds,
        )
    else:
        said = Text(
            "`%(function)s` did not return within %(seconds)s s and was stopped.",
            function=function,
            seconds=seconds,
        )
    return Verdict(
        "timeout",
        sentences(said, advice),
        {"kind": "timeout", "function": function, "seconds": seconds},
    )


def _crashed(function: str, detail: Mapping[str, str]) -> Verdict:
    return Verdict(
        "crashed",
        dict(
            Text(
                "The process running your code stopped during `%(function)s` (%(detail)s). It "
                "may have used too much memory, called exit(), or crashed Python; the grader "
                "restarted it for the other tests.",
                function=function,
                detail=detail,
            )
        ),
        {"kind": "crashed", "function": function},
    )


def _hostile_value(function: str, detail: Mapping[str, str]) -> Verdict:
    return Verdict(
        "failed",
        dict(
            Text(
                "`%(function)s` returned a value the grader does not accept (%(detail)s). "
                "Return plain numpy arrays (np.ndarray), numbers, or tuples, lists and dicts "
                "of those.",
                function=function,
                detail=detail,
            )
        ),
        {"kind": "hostile_value", "function": function},
    )


def _raised(error: StudentRaised) -> Verdict:
    """An exception of the student's code: the call that raised it (with its shapes), the
    exception, and the line of their file or notebook cell it came from."""
    function, kind, detail = error.function, error.exception_type, error.detail.strip()
    call = f"`{error.call}`" if error.call else f"`{function}`"
    failed_assert = kind == "AssertionError"
    if failed_assert and not detail:
        what = Text("%(call)s stopped on a failed assert.", call=call)
    elif detail:
        what = Text(
            "%(call)s raised %(type)s: %(detail)s", call=call, type=kind, detail=detail.rstrip(".")
        )
    else:
        what = Text("%(call)s raised %(type)s.", call=call, type=kind)
    where: Text | None = None
    if error.place is not None:
        place = (
            Text("%(place)s, in `%(function)s`", place=error.place, function=error.inner_function)
            if error.inner_function
            else error.place
        )
        if failed_assert and error.source:
            where = Text(
                "The assert is at %(place)s: `%(source)s`.", place=place, source=error.source
            )
        elif error.source:
            where = Text(
                "It was raised at %(place)s: `%(source)s`.", place=place, source=error.source
            )
        else:
            where = Text("It was raised at %(place)s.", place=place)
    advice = (
        Text(
            N_(
                "An assert states what your code expects: check why it does not hold for "
                "these arguments."
            )
        )
        if failed_assert
        else Text(N_("Run it on a small example to reproduce the error, then fix it."))
    )
    evidence: dict[str, Any] = {
        "kind": "exception",
        "function": function,
        "exception": {"type": kind, "message": error.detail, "traceback": error.traceback},
    }
    if error.call:
        evidence["call"] = error.call
    return Verdict("error", sentences(_sentence(what), where, advice), evidence)


def _sentence(text: Text) -> dict[str, str]:
    """`text` in every language, ending with a full stop (a student's message may not)."""
    return {
        lang: line if line.endswith((".", "!", "?")) else line + "." for lang, line in text.items()
    }


def _assertion_failed(exercise: Exercise) -> Verdict:
    return Verdict(
        "failed",
        sentences(
            Text("This check of %(exercise)s failed.", exercise=exercise.title), exercise.hint
        ),
        {"kind": "property"},
    )


def _budget_exhausted(seconds: float) -> Verdict:
    return Verdict(
        "skipped",
        dict(
            Text(
                "Not run: your submission used up its time budget (%(seconds)s s) before this "
                "test. Make the slow functions faster (numpy operations instead of Python "
                "loops) and the remaining tests will run.",
                seconds=seconds,
            )
        ),
        None,
    )


def _not_run() -> Messages:
    return dict(Text(N_("Not run: a test it depends on could not run.")))


def _internal_error() -> Verdict:
    return Verdict(
        "error",
        dict(
            Text(
                N_(
                    "Internal grader error: this test could not run because of a bug in the "
                    "grader, not in your code. Your instructor sees it in the class report and "
                    "can grade it again."
                )
            )
        ),
        {"kind": "internal_error"},
    )
