"""A result document in Gradescope's autograder format (``results.json``).

Follows Gradescope's published autograder specification: top-level ``score``,
``execution_time`` (seconds), ``output``, ``visibility``, ``stdout_visibility`` and
``tests``; each test has ``name``, ``number``, ``score``, ``max_score``, ``status``
(``passed`` or ``failed``), ``output``, ``tags`` and ``visibility``. Visibilities are one of
``hidden``, ``after_due_date``, ``after_published``, ``visible``. The same hidden suites can
therefore run on Gradescope, and a class graded here can be uploaded there.
"""

from __future__ import annotations

from typing import Any

from grader.exports.tables import format_points
from grader.result import ExerciseResult, Result, TestResult

VISIBILITIES = ("hidden", "after_due_date", "after_published", "visible")
STATUSES = ("passed", "failed")


def gradescope_results(
    result: Result,
    *,
    test_visibility: str = "visible",
    stdout_visibility: str = "hidden",
) -> dict[str, Any]:
    """The Gradescope ``results.json`` of one result document.

    Args:
        result: a result document (docs/result-schema.md).
        test_visibility: when students see each test (the hidden suites' messages are
            written for students, so ``visible`` by default).
        stdout_visibility: when students see the autograder's stdout (instructors only by
            default; the messages are in each test's `output`).
    """
    for value in (test_visibility, stdout_visibility):
        if value not in VISIBILITIES:
            allowed = ", ".join(VISIBILITIES)
            raise ValueError(f"{value!r} is not a Gradescope visibility; use one of: {allowed}.")
    tests: list[dict[str, Any]] = []
    for index, exercise in enumerate(result.exercises, start=1):
        for position, test in enumerate(exercise.tests, start=1):
            tests.append(_test(exercise, test, f"{index}.{position}", test_visibility))
    return {
        "score": float(result.score),
        "output": _overall_output(result),
        "visibility": test_visibility,
        "stdout_visibility": stdout_visibility,
        "tests": tests,
        "execution_time": max(0, round(result.timing.wall_seconds)),
    }


def _test(
    exercise: ExerciseResult, test: TestResult, number: str, visibility: str
) -> dict[str, Any]:
    output = test.message
    if test.outcome not in {"passed", "failed"}:
        output = f"[{test.outcome}] {output}".rstrip()
    return {
        "name": f"{exercise.id}: {test.title or test.id}",
        "number": number,
        "score": float(test.points),
        "max_score": float(test.max_points),
        "status": "passed" if test.passed else "failed",
        "output": output,
        "tags": [exercise.id],
        "visibility": visibility,
    }


def _overall_output(result: Result) -> str:
    lines = [f"Score: {format_points(result.score)}/{format_points(result.max_score)}."]
    if result.status == "load_failed":
        lines.append("The submission could not be loaded:")
    lines.extend(f"- {problem.path}: {problem.message}" for problem in result.submission.problems)
    return "\n".join(lines)
