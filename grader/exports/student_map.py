"""The student map: which gradebook identity each submission id belongs to.

A CSV file with a header row. One column names the submission id: ``submission`` (or
``student``). The others give identities:

- for Moodle, exactly one of ``username``, ``idnumber``, ``email`` (the field Moodle's import
  maps users by);
- for Canvas, any of ``Student`` (the display name), ``ID``, ``SIS User ID``,
  ``SIS Login ID``, ``Section``, spelled as in a Canvas gradebook export (case, spaces and
  underscores do not matter).

Unknown columns are ignored. Errors say which line and column are wrong.
"""

from __future__ import annotations

import csv
import re
from dataclasses import dataclass, field
from pathlib import Path

from grader.errors import UsageError

KEY_COLUMNS = ("submission", "student")
MOODLE_COLUMNS = ("username", "idnumber", "email")
CANVAS_COLUMNS = {
    "student": "Student",
    "id": "ID",
    "sis_user_id": "SIS User ID",
    "sis_login_id": "SIS Login ID",
    "section": "Section",
}


@dataclass(frozen=True)
class Identity:
    """The gradebook identities of one submission id."""

    moodle: str | None = None
    canvas: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class StudentMap:
    """Submission id -> identities, read from a student map file.

    Attributes:
        moodle_field: ``username``, ``idnumber`` or ``email``; None if the map gives none.
        identities: submission id -> its identities.
        source: the file it was read from.
    """

    moodle_field: str | None
    identities: dict[str, Identity]
    source: Path

    def unknown(self, students: set[str]) -> list[str]:
        """Ids of the map that match no submission, sorted."""
        return sorted(set(self.identities) - students)

    def unmapped(self, students: set[str]) -> list[str]:
        """Submissions that the map does not list, sorted."""
        return sorted(students - set(self.identities))


def _normalise(header: str) -> str:
    return re.sub(r"[\s_]+", "_", header.strip().lower())


def read_student_map(path: Path) -> StudentMap:
    """Read and check a student map.

    Raises:
        UsageError: the file cannot be read, lacks the columns it needs, repeats an id or an
            identity, or leaves a cell empty that must not be.
    """
    try:
        text = path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as error:
        raise UsageError(
            f"The student map {path} cannot be read ({error}); give a UTF-8 CSV file."
        ) from None
    rows = list(csv.reader(text.splitlines()))
    if not rows:
        raise UsageError(
            f"The student map {path} is empty; it needs a header row and one row per student."
        )
    header = [_normalise(cell) for cell in rows[0]]
    key_column = next((name for name in KEY_COLUMNS if name in header), None)
    if key_column is None:
        raise UsageError(
            f"The student map {path} has no `submission` column (its header is: "
            f"{', '.join(rows[0])}); add a column `submission` holding each submission id."
        )
    moodle_fields = [name for name in MOODLE_COLUMNS if name in header]
    if len(moodle_fields) > 1:
        raise UsageError(
            f"The student map {path} has several Moodle identity columns "
            f"({', '.join(moodle_fields)}); keep only the one your Moodle import maps users by."
        )
    # The key column `student` must not double as Canvas's display-name column.
    canvas_fields = [name for name in CANVAS_COLUMNS if name in header and name != key_column]
    if not moodle_fields and not canvas_fields:
        raise UsageError(
            f"The student map {path} has no identity column: add `username`, `idnumber` or "
            "`email` for Moodle, or `ID`, `SIS User ID`, `SIS Login ID` for Canvas."
        )
    moodle_field = moodle_fields[0] if moodle_fields else None
    identities = _read_identities(path, header, rows[1:], key_column, moodle_field, canvas_fields)
    return StudentMap(moodle_field, identities, path)


def _read_identities(
    path: Path,
    header: list[str],
    rows: list[list[str]],
    key_column: str,
    moodle_field: str | None,
    canvas_fields: list[str],
) -> dict[str, Identity]:
    identities: dict[str, Identity] = {}
    first_line: dict[str, int] = {}
    moodle_seen: dict[str, int] = {}
    for line, row in enumerate(rows, start=2):
        if not any(cell.strip() for cell in row):
            continue
        cells = dict(zip(header, (cell.strip() for cell in row), strict=False))
        student = cells.get(key_column, "")
        if not student:
            raise UsageError(
                f"The student map {path}, line {line}: the `{key_column}` cell is empty; "
                "give the submission id or remove the row."
            )
        if student in first_line:
            raise UsageError(
                f"The student map {path} lists {student!r} twice (lines {first_line[student]} "
                f"and {line}); keep one row per submission."
            )
        first_line[student] = line
        moodle = cells.get(moodle_field, "") if moodle_field else None
        if moodle_field is not None:
            if not moodle:
                raise UsageError(
                    f"The student map {path}, line {line}: the `{moodle_field}` of {student!r} "
                    "is empty; Moodle would reject the whole import."
                )
            if moodle in moodle_seen:
                raise UsageError(
                    f"The student map {path} gives the same {moodle_field} {moodle!r} to two "
                    f"submissions (lines {moodle_seen[moodle]} and {line}); each student needs "
                    "their own."
                )
            moodle_seen[moodle] = line
        canvas = {CANVAS_COLUMNS[name]: cells.get(name, "") for name in canvas_fields}
        identities[student] = Identity(moodle or None, canvas)
    return identities
