"""Which submissions a run must grade, and which existing results it can keep.

A result is kept when it is a complete, valid document of the current schema for the same
student, written by the same grader version, from sources with the same content hash, and
not a record of an internal error. Anything else (missing, truncated, hand-edited, older
grader, changed submission) is graded again. ``force`` grades everything again.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from grader.batch.backend import GradingBackend
from grader.batch.discovery import Submission

RESULT_SCHEMA = "nngrade.result/1"
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


def read_result(path: Path, student: str | None = None) -> dict[str, Any] | None:
    """The result document at `path` if it is complete and valid, else None.

    Valid: a JSON object of schema ``nngrade.result/1`` with a status and a numeric score,
    for `student` when given.
    """
    try:
        data = path.read_bytes()
    except OSError:
        return None
    return parse_result(data, student)


def parse_result(data: bytes, student: str | None = None) -> dict[str, Any] | None:
    """The result document encoded in `data` (UTF-8 JSON) if it is valid, else None; the
    same checks as `read_result`, for a document that has not been written yet."""
    try:
        document = json.loads(data.decode("utf-8"))
    except (UnicodeDecodeError, ValueError):
        return None
    if not isinstance(document, dict) or document.get("schema") != RESULT_SCHEMA:
        return None
    if student is not None and document.get("student") != student:
        return None
    if not isinstance(document.get("status"), str):
        return None
    if not all(isinstance(document.get(key), int | float) for key in ("score", "max_score")):
        return None
    return document


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
    document = read_result(result_path(results, submission.student), submission.student)
    if document is None or document.get("status") not in KEPT_STATUSES:
        return False
    if document.get("grader_version") != backend.version:
        return False
    recorded = (document.get("submission") or {}).get("sha256")
    if not recorded:
        return False
    return backend.content_hash(submission.path) == recorded
