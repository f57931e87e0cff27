"""What a batch shows while it runs: the time left, plain lines in a log, a bar on a terminal.

The clock is the test's: the estimates are computed from the events and their times, so
that a test can play a whole batch in no time.
"""

from __future__ import annotations

import io

import pytest

from grader.batch.progress import BarProgress, LineProgress, TimeLeft, time_left_phrase
from grader.batch.worker import Failed, Finished, Started
from grader.i18n import Text


class Clock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def _finished(student: str, seconds: float, slot: int = 0, **outcome: object) -> Finished:
    figures = {"status": "graded", "score": 4.0, "max_score": 55.0, "timeout": False}
    return Finished(slot, student, {**figures, **outcome}, seconds)


def test_the_first_estimate_leaves_the_start_up_out() -> None:
    """Two processes take 3 s to start (sandboxes, the hidden suites), then grade a
    submission every 0.5 s each: with 199 left, about 50 s remain, not 199 x 3.5 s."""
    clock = Clock()
    estimate = TimeLeft(200, workers=2, clock=clock)
    clock.now = 3.0
    estimate.record(Started(0, "s000"))
    estimate.record(Started(1, "s001"))
    clock.now = 3.5
    estimate.record(_finished("s000", 0.5, slot=0))
    left = estimate.seconds_left()
    assert left is not None
    assert 199 * 0.5 / 2 * 0.9 <= left <= 199 * 0.5 / 2 * 1.1


def test_then_the_estimate_follows_the_pace_seen() -> None:
    """Once each process has finished more than one submission, the pace actually seen
    decides: submissions that turn out slower make the estimate longer."""
    clock = Clock()
    estimate = TimeLeft(100, workers=2, clock=clock)
    clock.now = 2.0
    estimate.record(Started(0, "a"))
    estimate.record(Started(1, "b"))
    for done in range(10):  # one every second, each taking 2 s in its process
        clock.now = 4.0 + done
        estimate.record(_finished(f"s{done}", 2.0, slot=done % 2))
    left = estimate.seconds_left()
    assert left is not None and left == pytest.approx(90 * 1.0)
    for done in range(10, 20):  # now one every 3 s
        clock.now += 3.0
        estimate.record(_finished(f"s{done}", 6.0, slot=done % 2))
    slower = estimate.seconds_left()
    assert slower is not None and slower > 1.5 * 80 * 1.0


def test_no_estimate_before_a_submission_is_done_nor_when_none_is_left() -> None:
    clock = Clock()
    estimate = TimeLeft(1, workers=1, clock=clock)
    estimate.record(Started(0, "a"))
    assert estimate.seconds_left() is None
    estimate.record(_finished("a", 1.0))
    assert estimate.seconds_left() is None


@pytest.mark.parametrize(
    ("seconds", "lang", "phrase"),
    [
        (None, "en", ""),
        (0.2, "en", "; about 1 s left"),
        (44.6, "en", "; about 45 s left"),
        (150, "en", "; about 2 min left"),
        (150, "fr", " ; encore environ 2 min"),
    ],
)
def test_the_time_left_is_said_in_seconds_then_minutes(
    seconds: float | None, lang: str, phrase: str
) -> None:
    assert time_left_phrase(seconds, lang) == phrase


def test_a_log_gets_one_whole_line_per_submission_with_counts_and_time_left() -> None:
    clock = Clock()
    log = io.StringIO()
    progress = LineProgress(log, clock=clock)
    progress.start(3, 2, {Text("the hidden suites changed"): 1}, workers=1)
    clock.now = 1.0
    progress.update(Started(0, "alice"))
    clock.now = 1.5
    progress.update(_finished("alice", 0.5))
    progress.update(Failed(0, "bob", "RuntimeError: boom", 0.1))
    progress.update(_finished("carol", 0.5, status="load_failed", score=0.0))
    assert log.getvalue().splitlines() == [
        "2 results up to date, kept.",
        "1 result graded again: the hidden suites changed.",
        "Grading 3 submissions...",
        "[1/3] alice: graded, 4/55 (0.5 s); about 1 s left",
        "[2/3] bob: NOT GRADED (RuntimeError: boom); about 1 s left",
        "[3/3] carol: failed to load, 0/55 (0.5 s)",
    ]


def test_a_log_line_never_carries_a_student_controlled_escape_sequence() -> None:
    """A file name is the student's: its control characters are shown as `?`."""
    log = io.StringIO()
    progress = LineProgress(log)
    progress.start(1, 0, {})
    progress.update(_finished("eve\x1b[2J\x1b]0;pwned\x07", 0.5))
    assert "\x1b" not in log.getvalue() and "\x07" not in log.getvalue()
    assert "[1/1] eve?[2J?]0;pwned?: graded" in log.getvalue()


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_a_terminal_gets_a_bar_in_its_language_and_a_line_above_it_per_problem() -> None:
    """The bar counts and shows our estimate (not click's, which counts the start-up once
    per submission left); a submission that needs a look is written on a line of its own,
    the bar's line cleared first, and the bar goes on below it."""
    screen = Terminal()
    progress = BarProgress(screen, lang="fr")
    progress.start(2, 0, {}, workers=2)
    progress.update(Started(0, "alice"))
    progress.update(Started(1, "bob"))
    progress.update(_finished("alice", 0.5))
    progress.update(_finished("bob", 0.5, status="load_failed", score=0.0))
    progress.finish()
    shown = screen.getvalue()
    assert "Correction" in shown and "1/2" in shown and "2/2" in shown
    assert "\r\x1b[Kbob : chargement impossible, 0/55 (0,5 s)\n" in shown
    assert "encore environ 1 s" in shown
    assert "alice : " not in shown  # a graded submission needs no line of its own


def test_a_submission_graded_without_a_file_it_could_not_read_is_flagged_as_it_goes() -> None:
    log, screen = io.StringIO(), Terminal()
    lines, bar = LineProgress(log), BarProgress(screen)
    for progress in (lines, bar):
        progress.start(1, 0, {}, workers=1)
        progress.update(_finished("bob", 0.5, unreadable=["losses.py"]))
        progress.finish()
    flagged = "bob: graded, 4/55, without losses.py, which could not be read (0.5 s)"
    assert log.getvalue().splitlines()[-1] == f"[1/1] {flagged}"
    assert f"\r\x1b[K{flagged}\n" in screen.getvalue()
