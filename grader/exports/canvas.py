"""``canvas.csv``: for Canvas's Gradebook "Import".

The header is ``Student,ID,SIS User ID,SIS Login ID,Section,<assignment> (<id>)`` (without an
id, just ``<assignment>``: Canvas then creates a new assignment), the second row gives the
``Points Possible``. Canvas matches students by ID, SIS User ID or SIS Login ID, which come
from the student map (its ``Student``, ``ID``, ``SIS User ID``, ``SIS Login ID``,
``Section`` columns); without a map, ``Student`` holds the submission id and the id columns
are empty. Students without a scored result, or missing from a given map, are left out.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass

from grader.exports.rows import StudentRow, assignment_max_score
from grader.exports.student_map import StudentMap
from grader.exports.tables import csv_text, format_points

IDENTITY_HEADER = ("Student", "ID", "SIS User ID", "SIS Login ID", "Section")
DEFAULT_ASSIGNMENT = "Neural networks (nngrade)"


@dataclass(frozen=True)
class CanvasExport:
    """The CSV text and the students left out of it (student -> why)."""

    text: str
    left_out: dict[str, str]


def assignment_header(name: str, canvas_id: str | None) -> str:
    """The assignment column's header: ``Name (id)``, or ``Name`` for a new assignment."""
    return f"{name} ({canvas_id})" if canvas_id else name


def canvas_csv(
    rows: Sequence[StudentRow],
    student_map: StudentMap | None = None,
    *,
    assignment: str = DEFAULT_ASSIGNMENT,
    canvas_id: str | None = None,
) -> CanvasExport:
    """The text of ``canvas.csv`` and who is not in it."""
    header = [*IDENTITY_HEADER, assignment_header(assignment, canvas_id)]
    points = ["Points Possible", "", "", "", "", format_points(assignment_max_score())]
    left_out: dict[str, str] = {}

    def body() -> Iterator[list[str]]:  # a row at a time, `left_out` filled on the way
        yield points
        for row in rows:
            if not row.scored:
                left_out[row.student] = f"no score ({row.status})"
                continue
            if student_map is None:
                identity = {"Student": row.student}
            elif row.student in student_map.identities:
                identity = dict(student_map.identities[row.student].canvas)
                identity.setdefault("Student", row.student)
            else:
                left_out[row.student] = "not in the student map"
                continue
            cells = [identity.get(name, "") for name in IDENTITY_HEADER]
            yield [*cells, format_points(row.score)]

    text = csv_text(header, body())
    return CanvasExport(text, left_out)
