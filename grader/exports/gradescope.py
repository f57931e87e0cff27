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

from grader.exports.rows import format_points

VISIBILITIES = ("hidden", "after_due_date", "after_published", "visible")
STATUSES = ("passed", "failed")


def gradescope_results(
    document: dict[str, Any],
    *,
    test_visibility: str = "visible",
    stdout_visibility: str = "hidden",
) -> dict[str, Any]:
    """The Gradescope ``results.json`` of one result document.

    Args:
        document: a result document (docs/result-schema.md).
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
    for index, exercise in enumerate(document.get("exercises") or [], start=1):
        for position, test in enumerate(exercise.get("tests") or [], start=1):
            tests.append(_test(exercise, test, f"{index}.{position}", test_visibility))
    results: dict[str, Any] = {
        "score": _number(document.get("score")),
        "output": _overall_output(document),
        "visibility": test_visibility,
        "stdout_visibility": stdout_visibility,
        "tests": tests,
    }
    wall = (document.get("timing") or {}).get("wall_seconds")
    if isinstance(wall, int | float):
        results["execution_time"] = max(0, round(wall))
    return results


def _test(
    exercise: dict[str, Any], test: dict[str, Any], number: str, visibility: str
) -> dict[str, Any]:
    outcome = str(test.get("outcome"))
    title = str(test.get("title") or test.get("id"))
    output = str(test.get("message") or "")
    if outcome not in {"passed", "failed"}:
        output = f"[{outcome}] {output}".rstrip()
    return {
        "name": f"{exercise.get('id')}: {title}",
        "number": number,
        "score": _number(test.get("points")),
        "max_score": _number(test.get("max_points")),
        "status": "passed" if outcome == "passed" else "failed",
        "output": output,
        "tags": [str(exercise.get("id"))],
        "visibility": visibility,
    }


def _overall_output(document: dict[str, Any]) -> str:
    score = f"{format_points(_number(document.get('score')))}"
    total = f"{format_points(_number(document.get('max_score')))}"
    lines = [f"Score: {score}/{total}."]
    if document.get("status") == "load_failed":
        lines.append("The submission could not be loaded:")
    problems = (document.get("submission") or {}).get("problems") or []
    lines.extend(f"- {problem.get('path')}: {problem.get('message')}" for problem in problems)
    return "\n".join(lines)


def _number(value: Any) -> float:
    # The result schema writes non-finite student values as strings; scores never are.
    return float(value) if isinstance(value, int | float) else 0.0
