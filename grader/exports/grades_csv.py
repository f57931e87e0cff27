"""``grades.csv``: the plain gradebook, one row per student, for people and spreadsheets.

Columns: ``student``, ``score``, ``max_score``, one column per exercise (catalog id, in
catalog order) and ``status``. A student without a scored result (duplicate, unreadable,
internal error) has empty score cells and the reason in `status`.
"""

from __future__ import annotations

from collections.abc import Sequence

from grader.exports.rows import StudentRow, exercise_columns
from grader.exports.tables import csv_text, format_points


def grades_csv(rows: Sequence[StudentRow]) -> str:
    """The text of ``grades.csv``."""
    columns = exercise_columns()
    header = ["student", "score", "max_score", *(column.id for column in columns), "status"]
    body = (  # a row at a time: a class of 50,000 never has all its cells at once
        [
            row.student,
            format_points(row.score),
            format_points(row.max_score),
            *(format_points(row.exercises.get(c.id)) if row.scored else "" for c in columns),
            row.status,
        ]
        for row in rows
    )
    return csv_text(header, body)
