"""Which submissions a run must grade, and which existing results it can keep.

A result is kept when it is a complete, valid document of the current schema for the same
student, written by the same grader version, from sources with the same content hash, and
not a record of an internal error. Anything else (missing, truncated, hand-edited, older
grader, changed submission) is graded again. ``force`` grades everything again.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from grader.batch.backend import GradingBackend
from grader.batch.discovery import Submission
from grader.result import Result, ResultDocumentError, load_result

RESULT_FILE = "result.json"
KEPT_STATUSES = frozenset({"graded", "load_failed"})


@dataclass(frozen=True)
class Plan:
    """The submissions to grade now and those whose result is up to date."""

    to_grade: tuple[Submission, ...]
    up_to_date: tuple[Submission, ...]


def result_path(results: Path, student: str) -> Path:
    """Where the result document of `student` lives: ``RESULTS/<student>/result.json``."""
    return results / student / RESULT_FILE


def read_result(path: Path, student: str | None = None) -> Result | None:
    """The result at `path` if it is a complete document of the current schema (for
    `student` when given), else None."""
    try:
        result = load_result(path)
    except ResultDocumentError:
        return None
    return result if student is None or result.student == student else None


def plan_grading(
    submissions: tuple[Submission, ...], results: Path, backend: GradingBackend, *, force: bool
) -> Plan:
    """Split `submissions` into those to grade and those whose result can be kept."""
    to_grade: list[Submission] = []
    up_to_date: list[Submission] = []
    for submission in submissions:
        if not force and is_up_to_date(submission, results, backend):
            up_to_date.append(submission)
        else:
            to_grade.append(submission)
    return Plan(tuple(to_grade), tuple(up_to_date))


def is_up_to_date(submission: Submission, results: Path, backend: GradingBackend) -> bool:
    """Whether the existing result of `submission` matches its content and the grader."""
    result = read_result(result_path(results, submission.student), submission.student)
    if result is None or result.status not in KEPT_STATUSES:
        return False
    if result.grader_version != backend.version or not result.submission.sha256:
        return False
    return backend.content_hash(submission.path) == result.submission.sha256
