"""Showing a batch while it runs: a progress bar on a terminal, plain lines otherwise.

The library reports through the `Progress` protocol; the command picks `BarProgress` when
its output is a terminal and `LineProgress` when it is a log file or a CI console (a bar
redrawn with carriage returns is unreadable there).
"""

from __future__ import annotations

import time
from collections.abc import Mapping
from typing import Any, Protocol, TextIO

import click

from grader.batch.worker import Failed, Finished, Started
from grader.exports.rows import format_points


class Progress(Protocol):
    """Receives the batch's progress."""

    def start(self, total: int, kept: int, regrading: Mapping[str, int]) -> None:
        """`total` submissions are about to be graded, among them results graded again
        (`regrading`: why -> how many); `kept` results are up to date."""

    def update(self, event: Started | Finished | Failed) -> None:
        """A grading process reported."""

    def finish(self) -> None:
        """Grading is over (done or interrupted)."""


def regrading_lines(regrading: Mapping[str, int]) -> list[str]:
    """Why results are graded again, the most frequent reason first."""
    return [
        f"{count} result(s) graded again: {why}."
        for why, count in sorted(regrading.items(), key=lambda item: (-item[1], item[0]))
    ]


def describe(event: Finished | Failed) -> str:
    """One line about a graded submission: ``alice: graded, 41.5/50 (3.2 s)``."""
    if isinstance(event, Failed):
        return f"{event.student}: NOT GRADED ({event.message})"
    outcome = event.outcome
    status = str(outcome.get("status"))
    score = f"{format_points(outcome.get('score'))}/{format_points(outcome.get('max_score'))}"
    timeout = ", with a timeout" if outcome.get("timeout") else ""
    return f"{event.student}: {status.replace('_', ' ')}, {score}{timeout} ({event.seconds:.1f} s)"


class LineProgress:
    """One line per graded submission, with counts and the time left: for logs."""

    def __init__(self, stream: TextIO | None = None) -> None:
        self.stream = stream
        self.total = 0
        self.done = 0
        self.started = time.monotonic()

    def start(self, total: int, kept: int, regrading: Mapping[str, int]) -> None:
        self.total, self.done, self.started = total, 0, time.monotonic()
        if kept:
            self._echo(f"{kept} result(s) up to date, kept.")
        for line in regrading_lines(regrading):
            self._echo(line)
        if total:
            self._echo(f"Grading {total} submission(s)...")

    def update(self, event: Started | Finished | Failed) -> None:
        if isinstance(event, Started):
            return
        self.done += 1
        self._echo(f"[{self.done}/{self.total}] {describe(event)}{self._eta()}")

    def finish(self) -> None:
        pass

    def _eta(self) -> str:
        left = self.total - self.done
        if not left:
            return ""
        per_item = (time.monotonic() - self.started) / self.done
        return f"; about {per_item * left:.0f} s left"

    def _echo(self, line: str) -> None:
        click.echo(line, file=self.stream)


class BarProgress:
    """A progress bar with counts and an ETA, and a line per problem: for terminals."""

    def __init__(self) -> None:
        self.bar: Any = None

    def start(self, total: int, kept: int, regrading: Mapping[str, int]) -> None:
        if kept:
            click.echo(f"{kept} result(s) up to date, kept.")
        for line in regrading_lines(regrading):
            click.echo(line)
        if total:
            self.bar = click.progressbar(
                length=total, label="Grading", show_pos=True, show_eta=True, width=30
            )
            self.bar.__enter__()

    def update(self, event: Started | Finished | Failed) -> None:
        if isinstance(event, Started) or self.bar is None:
            return
        if isinstance(event, Failed) or event.outcome.get("status") != "graded":
            click.echo(f"\n{describe(event)}")
        self.bar.label = event.student
        self.bar.update(1)

    def finish(self) -> None:
        if self.bar is not None:
            self.bar.__exit__(None, None, None)
            self.bar = None
