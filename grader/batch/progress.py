"""Showing a batch while it runs: a progress bar on a terminal, plain lines otherwise.

The library reports through the `Progress` protocol; the command picks `BarProgress` when
its output is a terminal and `LineProgress` when it is a log file or a CI console (a bar
redrawn with carriage returns is unreadable there). Both speak the batch's language and
estimate the time left with `TimeLeft`.
"""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable, Mapping
from typing import Any, Protocol, TextIO

import click

from grader.batch.worker import Failed, Finished, Started
from grader.console import STATUS_WORDS, number, printable, seconds
from grader.i18n import Text, plural_translator, translator

Clock = Callable[[], float]


class Progress(Protocol):
    """Receives the batch's progress."""

    def start(
        self,
        total: int,
        kept: int,
        regrading: Mapping[Text, int],
        *,
        workers: int | None = None,
    ) -> None:
        """`total` submissions are about to be graded by `workers` processes (None: not
        known), among them results graded again (`regrading`: why -> how many); `kept`
        results are up to date."""

    def update(self, event: Started | Finished | Failed) -> None:
        """A grading process reported."""

    def finish(self) -> None:
        """Grading is over (done or interrupted)."""


class TimeLeft:
    """How long a batch has left, from what its grading processes report.

    Until every process has finished a submission after its first one, the time a
    submission takes (the median so far, the start-up of the processes left out) times the
    submissions left, shared among the processes; then the pace actually seen since the
    first submission was done. Timing from the batch's start instead counts the start-up
    (processes, sandboxes, the hidden suites' collection) once per submission left: the
    first estimate said 74 s for an 11 s run.
    """

    def __init__(self, total: int, workers: int | None, clock: Clock = time.monotonic) -> None:
        self.total = total
        self.workers = workers
        self.clock = clock
        self.done = 0
        self.first_done: float | None = None
        self.seconds: list[float] = []
        self.slots: set[int] = set()

    def record(self, event: Started | Finished | Failed) -> None:
        if isinstance(event, Started):
            self.slots.add(event.slot)
            return
        self.done += 1
        if self.first_done is None:
            self.first_done = self.clock()
        if event.seconds > 0:
            self.seconds.append(event.seconds)

    def seconds_left(self) -> float | None:
        """The estimate, or None when there is nothing to go on yet (or nothing left)."""
        left = self.total - self.done
        if left <= 0 or self.first_done is None:
            return None
        processes = max(1, min(self.workers or len(self.slots) or 1, left))
        since_first = self.clock() - self.first_done
        if self.done - 1 >= processes and since_first > 0:
            return left * since_first / (self.done - 1)
        if not self.seconds:
            return None
        return left * statistics.median(self.seconds) / processes


def time_left_phrase(seconds: float | None, lang: str) -> str:
    """ "; about 40 s left", "; about 3 min left", or "" without an estimate."""
    if seconds is None:
        return ""
    _ = translator(lang)
    if seconds < 90:
        return _("; about %(seconds)s s left", seconds=max(1, round(seconds)))
    return _("; about %(minutes)s min left", minutes=round(seconds / 60))


def regrading_lines(regrading: Mapping[Text, int], lang: str = "en") -> list[str]:
    """Why results are graded again, the most frequent reason first."""
    ngettext = plural_translator(lang)
    ordered = sorted(regrading.items(), key=lambda item: (-item[1], item[0][lang]))
    return [
        ngettext(
            "%(count)s result graded again: %(why)s.",
            "%(count)s results graded again: %(why)s.",
            count,
            why=why,
        )
        for why, count in ordered
    ]


def describe(event: Finished | Failed, lang: str = "en") -> str:
    """One line about a graded submission: ``alice: graded, 41.5/50 (3.2 s)``."""
    _ = translator(lang)
    student = printable(event.student)
    if isinstance(event, Failed):
        return _(
            "%(student)s: NOT GRADED (%(error)s)", student=student, error=printable(event.message)
        )
    outcome = event.outcome
    status = str(outcome.get("status"))
    fields: dict[str, Any] = {
        "student": student,
        "status": _(STATUS_WORDS[status]) if status in STATUS_WORDS else printable(status),
        "score": _points(outcome.get("score"), lang),
        "max_score": _points(outcome.get("max_score"), lang),
        "seconds": seconds(event.seconds, lang),
    }
    unreadable = outcome.get("unreadable")
    if isinstance(unreadable, list) and unreadable:
        files = ", ".join(printable(str(name), limit=60) for name in unreadable[:5])
        return _(
            "%(student)s: %(status)s, %(score)s/%(max_score)s, without %(files)s, which could "
            "not be read (%(seconds)s s)",
            files=files,
            **fields,
        )
    if outcome.get("timeout"):
        return _(
            "%(student)s: %(status)s, %(score)s/%(max_score)s, with a timeout (%(seconds)s s)",
            **fields,
        )
    return _("%(student)s: %(status)s, %(score)s/%(max_score)s (%(seconds)s s)", **fields)


def _points(value: object, lang: str) -> str:
    return number(float(value), lang) if isinstance(value, int | float) else "?"


def _start_lines(kept: int, regrading: Mapping[Text, int], lang: str) -> list[str]:
    ngettext = plural_translator(lang)
    lines = []
    if kept:
        lines.append(
            ngettext(
                "%(count)s result up to date, kept.", "%(count)s results up to date, kept.", kept
            )
        )
    return lines + regrading_lines(regrading, lang)


def _needs_a_look(event: Finished | Failed) -> bool:
    """Not graded, or not wholly: the instructor should see it before the summary."""
    if isinstance(event, Failed):
        return True
    return event.outcome.get("status") != "graded" or bool(event.outcome.get("unreadable"))


class LineProgress:
    """One line per graded submission, with counts and the time left: for logs.

    Each line is written whole and flushed, so that a log shows the batch as it goes.
    """

    def __init__(
        self, stream: TextIO | None = None, *, lang: str = "en", clock: Clock = time.monotonic
    ) -> None:
        self.stream = stream
        self.lang = lang
        self.clock = clock
        self.estimate = TimeLeft(0, None, clock)

    def start(
        self,
        total: int,
        kept: int,
        regrading: Mapping[Text, int],
        *,
        workers: int | None = None,
    ) -> None:
        self.estimate = TimeLeft(total, workers, self.clock)
        for line in _start_lines(kept, regrading, self.lang):
            self._echo(line)
        if total:
            ngettext = plural_translator(self.lang)
            self._echo(
                ngettext(
                    "Grading %(count)s submission...", "Grading %(count)s submissions...", total
                )
            )

    def update(self, event: Started | Finished | Failed) -> None:
        self.estimate.record(event)
        if isinstance(event, Started):
            return
        left = time_left_phrase(self.estimate.seconds_left(), self.lang)
        done, total = self.estimate.done, self.estimate.total
        self._echo(f"[{done}/{total}] {describe(event, self.lang)}{left}")

    def finish(self) -> None:
        pass

    def _echo(self, line: str) -> None:
        click.echo(line, file=self.stream)


class BarProgress:
    """A progress bar with counts and the time left, and a line above it for each
    submission that needs a look (not graded, nothing loaded): for terminals."""

    def __init__(self, stream: TextIO | None = None, *, lang: str = "en") -> None:
        self.stream = stream
        self.lang = lang
        self.bar: Any = None
        self.estimate = TimeLeft(0, None)
        self.student = ""

    def start(
        self,
        total: int,
        kept: int,
        regrading: Mapping[Text, int],
        *,
        workers: int | None = None,
    ) -> None:
        self.estimate = TimeLeft(total, workers)
        for line in _start_lines(kept, regrading, self.lang):
            click.echo(line, file=self.stream)
        if total:
            _ = translator(self.lang)
            self.bar = click.progressbar(
                length=total,
                label=_("Grading"),
                show_pos=True,
                show_eta=False,  # click's counts the start-up once per submission left
                item_show_func=self._after_bar,
                width=30,
                file=self.stream,
            )
            self.bar.__enter__()

    def _after_bar(self, _item: object) -> str:
        left = time_left_phrase(self.estimate.seconds_left(), self.lang).lstrip("; ")
        return "  ".join(part for part in (left, self.student) if part)

    def update(self, event: Started | Finished | Failed) -> None:
        self.estimate.record(event)
        if isinstance(event, Started) or self.bar is None:
            return
        if _needs_a_look(event):
            # Clear the bar's line, write the problem there, and let the bar redraw below.
            click.echo(f"\r\x1b[K{describe(event, self.lang)}", file=self.bar.file)
        self.student = printable(event.student, limit=30)
        self.bar.update(1, event.student)

    def finish(self) -> None:
        if self.bar is not None:
            self.bar.__exit__(None, None, None)
            self.bar = None
