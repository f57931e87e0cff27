"""One row per student, from the result documents and the entries the batch rejected.

Every export reads these rows, never the result files directly, so that they all agree on
who is in the class, in which order (sorted by student id), and with which status.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from grader.catalog import EXERCISES
from grader.result import Result

# Statuses that carry a score the gradebooks may record (a load failure scores 0).
SCORED_STATUSES = frozenset({"graded", "load_failed"})


@dataclass(frozen=True)
class StudentRow:
    """What the class files say about one student.

    Attributes:
        student: the student id (submission name without extension).
        status: the result's status (``graded``, ``load_failed``, ``internal_error``) or why
            there is no result (``duplicate``, ``unreadable``, ``missing``, ``not_graded``).
        score / max_score: points; `score` is None without a scored result.
        exercises: exercise id -> points obtained (empty without a scored result).
        message: why the student has no scored result, for the instructor ("" otherwise).
        result: the result document, when there is one.
    """

    student: str
    status: str
    score: float | None
    max_score: float
    exercises: dict[str, float]
    message: str
    result: Result | None

    @property
    def scored(self) -> bool:
        return self.score is not None


@dataclass(frozen=True)
class ExerciseColumn:
    """An exercise as a gradebook column: catalog id and points possible."""

    id: str
    max_score: float


def exercise_columns() -> tuple[ExerciseColumn, ...]:
    """The catalog's exercises, in catalog order."""
    return tuple(ExerciseColumn(exercise.id, float(exercise.points)) for exercise in EXERCISES)


def assignment_max_score() -> float:
    """The assignment's points possible."""
    return sum(column.max_score for column in exercise_columns())


def build_rows(
    documents: Mapping[str, Result],
    unscored: Iterable[tuple[str, str, str]],
) -> list[StudentRow]:
    """Rows sorted by student id.

    Args:
        documents: student -> its result.
        unscored: (student, status, message) for every student without a result document
            (rejected entries, gradings that failed). A student with a document wins.
    """
    rows: dict[str, StudentRow] = {}
    total = assignment_max_score()
    for student, status, message in unscored:
        rows[student] = StudentRow(student, status, None, total, {}, message, None)
    for student, document in documents.items():
        rows[student] = _row_from_document(student, document)
    return [rows[student] for student in sorted(rows)]


def _row_from_document(student: str, result: Result) -> StudentRow:
    if result.status not in SCORED_STATUSES:
        message = "internal error of the grader: see the result document and report it."
        return StudentRow(student, result.status, None, result.max_score, {}, message, result)
    scores = {exercise.id: float(exercise.score) for exercise in result.exercises}
    exercises = {column.id: scores.get(column.id, 0.0) for column in exercise_columns()}
    return StudentRow(
        student, result.status, float(result.score), result.max_score, exercises, "", result
    )
