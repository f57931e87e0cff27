"""Which submissions a run must grade, which existing results it can keep, and why.

A result is kept only when it is a complete, valid document of the current schema for the
same student, not a record of an internal error, graded from sources with the same content
hash by the same grader version, and with the same fingerprint of everything that decides
a grade (`grader.fingerprint`: the hidden suites, the exercise catalog, the reference, the
grading code, the limits). Anything else is graded again, and the plan says why, in words
an instructor can act on ("the hidden suites changed"). ``force`` grades everything again.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from grader.batch.backend import GradingBackend
from grader.batch.discovery import Submission
from grader.fingerprint import changes
from grader.result import Result, ResultDocumentError, load_result

RESULT_FILE = "result.json"
KEPT_STATUSES = frozenset({"graded", "load_failed"})
NEW = "not graded yet"
FORCED = "--force"


@dataclass(frozen=True)
class Plan:
    """The submissions to grade now and those whose result is up to date.

    Attributes:
        to_grade, up_to_date: the submissions, in discovery order.
        reasons: student -> why their submission is graded now (`NEW` for a first grading).
    """

    to_grade: tuple[Submission, ...]
    up_to_date: tuple[Submission, ...]
    reasons: Mapping[str, str] = field(default_factory=dict)

    def regrading(self) -> dict[str, int]:
        """Why results are graded again -> how many: first gradings are not counted."""
        return dict(Counter(why for why in self.reasons.values() if why != NEW))


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
    submissions: tuple[Submission, ...],
    results: Path,
    backend: GradingBackend,
    *,
    force: bool,
    limits: Any = None,
) -> Plan:
    """Split `submissions` into those to grade under `limits` and those whose result can be
    kept, saying why each is graded."""
    fingerprint = backend.fingerprint(limits)
    figures = limits.as_dict() if limits is not None else None
    to_grade: list[Submission] = []
    up_to_date: list[Submission] = []
    reasons: dict[str, str] = {}
    for submission in submissions:
        why = FORCED if force else why_grade(submission, results, backend, fingerprint, figures)
        if why is None:
            up_to_date.append(submission)
        else:
            to_grade.append(submission)
            reasons[submission.student] = why
    return Plan(tuple(to_grade), tuple(up_to_date), reasons)


def why_grade(
    submission: Submission,
    results: Path,
    backend: GradingBackend,
    fingerprint: Mapping[str, str],
    limits: Mapping[str, Any] | None = None,
) -> str | None:
    """Why `submission` must be graded now, or None when its result is up to date.

    `fingerprint` is what decides a grade now; `limits` the figures in force, to name the
    ones that changed (None: the change is only noticed).
    """
    path = result_path(results, submission.student)
    if not path.exists():
        return NEW
    result = read_result(path, submission.student)
    if result is None:
        return "its result.json cannot be read"
    if result.status not in KEPT_STATUSES:
        return "its last grading was an internal error"
    if not result.submission.sha256 or backend.content_hash(submission.path) != (
        result.submission.sha256
    ):
        return "the submission changed"
    if result.grader_version != backend.version:
        return f"nngrade changed ({result.grader_version} -> {backend.version})"
    if result.fingerprint is None:
        return "its result does not record what decided its grade (an older nngrade)"
    changed = changes(
        result.fingerprint,
        fingerprint,
        recorded_limits=result.isolation.limits,
        current_limits=limits,
    )
    return "; ".join(changed) if changed else None
