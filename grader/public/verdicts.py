"""What the public checks say about each function: its status and, on failure, why.

The checks run in a child process (``worker.py``); what they find travels back to the
process that prints or displays it, which imports neither numpy nor the student's code.
So this module holds only plain data (strings, numbers, lists) and the standard library.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from .i18n import N_, format_number, translator

PASSED, FAILED, NOT_STARTED, WAITING = "passed", "failed", "not_started", "blocked"

STATUS_WORDS: dict[str, str] = {
    PASSED: N_("passed"),
    FAILED: N_("FAILED"),
    NOT_STARTED: N_("not started"),
    WAITING: N_("waiting"),
}
"""The word of each status in the report (message ids)."""


@dataclass
class Failure(Exception):
    """One failed check, described for the student.

    Attributes:
        problem: what is wrong, in one sentence.
        call: the call with the shapes of its arguments, e.g. ``tanh(Z: (4, 3) float64)``.
        case: which public case it was (``random inputs``).
        expected, got: what was expected and what came back, described.
        worst: the entries that differ most, one line each.
        diagnosis: the known mistake it looks like, in the student's language.
        plot: data for a plot of the failure (see ``plots.py``), or None.
        stopped: the call did not return in time, or ended the checking process: the
            functions built on this one are not checked (they would stop as well).
    """

    problem: str
    call: str = ""
    case: str = ""
    expected: str = ""
    got: str = ""
    worst: list[str] = field(default_factory=list)
    diagnosis: str = ""
    plot: dict[str, Any] | None = None
    stopped: bool = False

    def __str__(self) -> str:
        return self.problem

    def __reduce__(self) -> tuple[Any, ...]:
        # An exception pickles its `args`, which a dataclass leaves empty: name the fields.
        return (
            Failure,
            (
                self.problem,
                self.call,
                self.case,
                self.expected,
                self.got,
                self.worst,
                self.diagnosis,
                self.plot,
                self.stopped,
            ),
        )


@dataclass
class Outcome:
    """What the public checks say about one student function.

    Attributes:
        function: the function's name.
        status: `PASSED`, `FAILED`, `NOT_STARTED` or `WAITING`.
        message: the reason, when there is no `failure` (import problem, stub, waiting).
        failure: the failed check, with its call and values.
        waiting_for: the functions to fix first (status `WAITING`).
        loading: True when the module itself could not be loaded.
    """

    function: str
    status: str
    message: str = ""
    failure: Failure | None = None
    waiting_for: tuple[str, ...] = ()
    loading: bool = field(default=False, repr=False)

    @property
    def stopped(self) -> bool:
        """The check was stopped: a call that did not return, or a crash of the process."""
        return self.failure is not None and self.failure.stopped


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


def resolve_waiting(
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


def waiting_for_stopped(
    function: str, earlier: dict[str, Outcome], direct: dict[str, list[str]]
) -> Outcome | None:
    """ "Waiting" without a check when `function` builds on one whose check was stopped (its
    own check would stop in the same place, after the same delay); else None."""
    stopped = [
        name for name in builds_on(function, direct) if name in earlier and earlier[name].stopped
    ]
    return Outcome(function, WAITING, waiting_for=tuple(stopped)) if stopped else None


def seconds(value: float, lang: str) -> str:
    """A duration in seconds as `lang` writes it: "2", "0.5" or "0,5"."""
    return format_number(value, lang)


def did_not_return(lang: str, function: str, limit: float, where: str = "") -> str:
    """The sentence for a call of `function` stopped after `limit` seconds; `where` is
    " (at <file>, line <n>)" when the place is known."""
    _ = translator(lang)
    return _(
        "`%(function)s` did not return within %(seconds)s s: look for a loop that never "
        "ends%(where)s.",
        function=function,
        seconds=seconds(limit, lang),
        where=where,
    )


def import_did_not_finish(lang: str, file: str, limit: float) -> str:
    """The sentence for a module whose top-level code ran for more than `limit` seconds."""
    _ = translator(lang)
    return _(
        "importing %(file)s did not finish within %(seconds)s s: look for a loop that never "
        "ends, or long work, outside the functions (that code runs at import).",
        file=file,
        seconds=seconds(limit, lang),
    )
