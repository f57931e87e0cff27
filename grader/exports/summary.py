"""``summary.json``: the class in figures, for scripts.

Counts by status, the score's mean and median (over students with a scored result: graded,
or failed to load, which scores 0), per-exercise mean and full-marks rate, per-test pass
rate, and each student's status and score. Nothing in it depends on timing, the number of
grading processes or their order: two runs over the same class write the same file.
"""

from __future__ import annotations

import statistics
from collections import Counter, defaultdict
from collections.abc import Sequence
from typing import Any

from grader.exports.rows import StudentRow, assignment_max_score, exercise_columns

SUMMARY_SCHEMA = "nngrade.summary/1"


def score_statistics(rows: Sequence[StudentRow]) -> dict[str, float] | None:
    """Mean, median, min and max score of the scored rows; None when none is scored."""
    scores = [row.score for row in rows if row.score is not None]
    if not scores:
        return None
    return {
        "mean": round(statistics.fmean(scores), 4),
        "median": round(statistics.median(scores), 4),
        "min": round(min(scores), 4),
        "max": round(max(scores), 4),
    }


def status_counts(rows: Sequence[StudentRow]) -> dict[str, int]:
    """Students per status, plus ``students``, ``scored`` and ``with_timeouts``."""
    counts = Counter(row.status for row in rows)
    result = {status: counts[status] for status in sorted(counts)}
    result["students"] = len(rows)
    result["scored"] = sum(1 for row in rows if row.scored)
    result["with_timeouts"] = sum(
        1 for row in rows if row.facts is not None and row.facts.timed_out
    )
    return result


def class_summary(
    rows: Sequence[StudentRow],
    *,
    grader_version: str,
    ignored: Sequence[tuple[str, str]] = (),
) -> dict[str, Any]:
    """The ``summary.json`` document.

    Args:
        rows: one per student (`build_rows`).
        grader_version: the grader that graded the class.
        ignored: (entry, reason) for the entries of SUBMISSIONS that are not submissions.
    """
    scored = [row for row in rows if row.scored]
    exercises = []
    for column in exercise_columns():
        points = [row.exercises.get(column.id, 0.0) for row in scored]
        full = sum(1 for value in points if value >= column.max_score)
        exercises.append(
            {
                "id": column.id,
                "max_score": column.max_score,
                "mean_score": round(statistics.fmean(points), 4) if points else None,
                "full_marks_rate": round(full / len(points), 4) if points else None,
            }
        )
    return {
        "schema": SUMMARY_SCHEMA,
        "grader_version": grader_version,
        "max_score": assignment_max_score(),
        "counts": status_counts(rows),
        "score": score_statistics(rows),
        "exercises": exercises,
        "tests": _test_pass_rates(scored),
        "students": [_student_entry(row) for row in rows],
        "ignored": [{"entry": entry, "reason": reason} for entry, reason in ignored],
    }


def _test_pass_rates(scored: Sequence[StudentRow]) -> list[dict[str, Any]]:
    passed: dict[tuple[str, str], int] = defaultdict(int)
    seen: dict[tuple[str, str], int] = defaultdict(int)
    for row in scored:
        for key, test_passed in row.facts.test_outcomes() if row.facts is not None else ():
            seen[key] += 1
            passed[key] += test_passed
    return [
        {"exercise": exercise, "id": test, "pass_rate": round(passed[key] / seen[key], 4)}
        for key in sorted(seen)
        for exercise, test in [key]
    ]


def _student_entry(row: StudentRow) -> dict[str, Any]:
    return {
        "student": row.student,
        "status": row.status,
        "score": row.score,
        "max_score": row.max_score,
        "result": f"{row.student}/result.json" if row.facts is not None else None,
        "message": row.message,
    }
