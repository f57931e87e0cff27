"""``moodle.csv``: for Moodle's gradebook "Import > CSV file".

One identity column (the Moodle user field the import maps by: ``username``, ``idnumber`` or
``email``, from the student map; without a map, ``username`` holding the submission id), one
grade column per exercise, ``total``, and ``feedback`` (a one-line summary).

Moodle aborts the whole import when one row's user is unknown, and an empty grade cell
clears the student's grade. So only students with a scored result AND an identity get a
row; the others are returned as left out, for the batch summary.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass

from grader.exports.rows import StudentRow, exercise_columns
from grader.exports.student_map import StudentMap
from grader.exports.tables import csv_text, format_points

DEFAULT_IDENTITY = "username"


@dataclass(frozen=True)
class MoodleExport:
    """The CSV text and the students left out of it (student -> why)."""

    text: str
    left_out: dict[str, str]


def moodle_csv(rows: Sequence[StudentRow], student_map: StudentMap | None = None) -> MoodleExport:
    """The text of ``moodle.csv`` and who is not in it."""
    columns = exercise_columns()
    identity_field = DEFAULT_IDENTITY
    if student_map is not None and student_map.moodle_field is not None:
        identity_field = student_map.moodle_field
    header = [identity_field, *(column.id for column in columns), "total", "feedback"]
    left_out: dict[str, str] = {}

    def body() -> Iterator[list[str]]:  # a row at a time, `left_out` filled on the way
        for row in rows:
            if not row.scored:
                left_out[row.student] = f"no score ({row.status})"
                continue
            identity = _identity(row.student, student_map)
            if identity is None:
                left_out[row.student] = "not in the student map"
                continue
            cells = [format_points(row.exercises.get(column.id)) for column in columns]
            yield [identity, *cells, format_points(row.score), feedback_line(row)]

    text = csv_text(header, body())
    return MoodleExport(text, left_out)


def _identity(student: str, student_map: StudentMap | None) -> str | None:
    if student_map is None or student_map.moodle_field is None:
        return student
    identity = student_map.identities.get(student)
    return identity.moodle if identity is not None else None


def feedback_line(row: StudentRow) -> str:
    """A short text summary: the score and the exercises not yet at full marks."""
    score = f"{format_points(row.score)}/{format_points(row.max_score)}"
    if row.status == "load_failed":
        return f"{score}: the submission could not be loaded; see your feedback page."
    missing = [
        column.id
        for column in exercise_columns()
        if row.exercises.get(column.id, 0.0) < column.max_score
    ]
    if not missing:
        return f"{score}: every exercise at full marks."
    return f"{score}: to improve: {', '.join(missing)}; see your feedback page."
