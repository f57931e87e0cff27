"""One row per student, from the result documents and the entries the batch rejected.

Every export reads these rows, never the result files directly, so that they all agree on
who is in the class, in which order (sorted by student id), and with which status.
"""

from __future__ import annotations

import hashlib
import sys
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass

from grader.atomic import json_bytes
from grader.catalog import EXERCISES
from grader.exports.gradescope import gradescope_results
from grader.i18n import Text
from grader.result import Result, shared, shared_number

# Statuses that carry a score the gradebooks may record (a load failure scores 0).
SCORED_STATUSES = frozenset({"graded", "load_failed"})


class ExercisePoints(Mapping[str, float]):
    """Exercise id -> points, read-only, for one student.

    A class of 50,000 holds one per student: the ids are one tuple for all of them and the
    points a tuple of shared floats, about a third of a dict's memory.
    """

    __slots__ = ("_ids", "_points")

    def __init__(self, points: Mapping[str, float]) -> None:
        self._ids: tuple[str, ...] = shared(tuple(points))
        self._points = tuple(shared_number(value) for value in points.values())

    def __getitem__(self, key: str) -> float:
        try:
            return self._points[self._ids.index(key)]
        except ValueError:
            raise KeyError(key) from None

    def __iter__(self) -> Iterator[str]:
        return iter(self._ids)

    def __len__(self) -> int:
        return len(self._ids)

    def __repr__(self) -> str:
        return f"ExercisePoints({dict(self)!r})"


@dataclass(frozen=True, slots=True)
class ResultFacts:
    """What the class files take from one result document, kept instead of the document.

    A parsed result takes about 90 KiB; these facts a few hundred bytes (the tuple of test
    ids is one object for every result with the same tests), so that the class files of a
    class of any size are written in little memory.

    Attributes:
        student: the student the document is for.
        status / score / max_score / message: the document's.
        exercises: catalog exercise id -> points obtained (0 for an exercise it lacks), in
            catalog order.
        tests: (exercise id, test id) of each test, in document order.
        passed: bit i is set when ``tests[i]`` passed.
        timed_out: a test or a module import ran out of time.
        unreadable_files: the submission's files that could not be read (graded as absent).
        reason: why it is not graded, in every language the document gives it ("" when
            it is graded).
        submission_sha256: the content hash of the sources it was graded from.
        gradescope_sha256: the SHA-256 of its Gradescope ``results.json``, as written.
    """

    student: str
    status: str
    score: float
    max_score: float
    message: str
    exercises: Mapping[str, float]
    tests: tuple[tuple[str, str], ...]
    passed: int
    timed_out: bool
    unreadable_files: tuple[str, ...]
    reason: str | Mapping[str, str]
    submission_sha256: str
    gradescope_sha256: str

    def test_outcomes(self) -> Iterator[tuple[tuple[str, str], bool]]:
        """((exercise id, test id), passed) of each test, in document order."""
        for index, key in enumerate(self.tests):
            yield key, bool(self.passed >> index & 1)


def result_facts(result: Result) -> ResultFacts:
    """The facts of `result` that the class files need."""
    scores = {exercise.id: float(exercise.score) for exercise in result.exercises}
    tests = [(exercise.id, test.id) for exercise in result.exercises for test in exercise.tests]
    passed = 0
    for index, test in enumerate(result.tests):
        passed |= test.passed << index
    return ResultFacts(
        student=result.student,
        status=sys.intern(result.status),  # one of a few: kept once for the class
        score=shared_number(result.score),
        max_score=shared_number(result.max_score),
        message=result.message,
        exercises=ExercisePoints({c.id: scores.get(c.id, 0.0) for c in exercise_columns()}),
        tests=shared(tuple(tests)),
        passed=passed,
        timed_out=result.has_timeout(),
        unreadable_files=result.unreadable_files(),
        reason="" if result.status == "graded" else _result_reason(result),
        submission_sha256=result.submission.sha256,
        gradescope_sha256=hashlib.sha256(json_bytes(gradescope_results(result))).hexdigest(),
    )


def _result_reason(result: Result) -> str | Mapping[str, str]:
    """Why a result is not graded, in every language the document holds it in."""
    if result.status == "load_failed" and result.submission.problems:
        return result.submission.problems[0].messages
    if result.status == "internal_error":
        return Text(
            "internal error of the grader (%(error)s): see the result document and report it.",
            error=result.message,
        )
    return result.message


@dataclass(frozen=True, slots=True)
class StudentRow:
    """What the class files say about one student.

    Attributes:
        student: the student id (submission name without extension).
        status: the result's status (``graded``, ``load_failed``, ``internal_error``) or why
            there is no result (``duplicate``, ``unreadable``, ``missing``, ``not_graded``).
        score / max_score: points; `score` is None without a scored result.
        exercises: exercise id -> points obtained (empty without a scored result).
        message: why the student has no scored result, for the instructor ("" otherwise).
        facts: what the class files take from the result document, when there is one.
    """

    student: str
    status: str
    score: float | None
    max_score: float
    exercises: Mapping[str, float]
    message: str
    facts: ResultFacts | None

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
    documents: Mapping[str, Result | ResultFacts],
    unscored: Iterable[tuple[str, str, str]],
) -> list[StudentRow]:
    """Rows sorted by student id.

    Args:
        documents: student -> its result, or the facts taken from it (`result_facts`).
        unscored: (student, status, message) for every student without a result document
            (rejected entries, gradings that failed). A student with a document wins.
    """
    rows: dict[str, StudentRow] = {}
    total = assignment_max_score()
    for student, status, message in unscored:
        rows[student] = StudentRow(student, status, None, total, {}, message, None)
    for student, document in documents.items():
        facts = document if isinstance(document, ResultFacts) else result_facts(document)
        rows[student] = _row_from_facts(student, facts)
    return [rows[student] for student in sorted(rows)]


def _row_from_facts(student: str, facts: ResultFacts) -> StudentRow:
    if facts.status not in SCORED_STATUSES:
        message = "internal error of the grader: see the result document and report it."
        return StudentRow(student, facts.status, None, facts.max_score, {}, message, facts)
    return StudentRow(
        student, facts.status, facts.score, facts.max_score, facts.exercises, "", facts
    )
