"""The student map: read, and refused with a clear sentence when it cannot be trusted."""

from __future__ import annotations

from pathlib import Path

import pytest

from grader.errors import UsageError
from grader.exports import read_student_map


def _map(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "map.csv"
    path.write_text(text, encoding="utf-8")
    return path


def test_a_map_with_a_bom_and_loose_header_spelling_is_read(tmp_path: Path) -> None:
    path = _map(tmp_path, "\ufeffStudent,IDNumber,SIS_User_ID\nalice,20231,S-1\n")
    student_map = read_student_map(path)
    assert student_map.moodle_field == "idnumber"
    assert student_map.identities["alice"].moodle == "20231"
    assert student_map.identities["alice"].canvas == {"SIS User ID": "S-1"}
    assert student_map.unknown({"alice", "bob"}) == []
    assert student_map.unmapped({"alice", "bob"}) == ["bob"]


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("login,email\nalice,a@x\n", "has no `submission` column"),
        ("submission,name\nalice,Alice\n", "has no identity column"),
        ("submission,email,username\nalice,a@x,al\n", "several Moodle identity columns"),
        ("submission,email\nalice,a@x\nalice,b@x\n", r"lists 'alice' twice \(lines 2 and 3\)"),
        ("submission,email\nalice,a@x\nbob,a@x\n", "same email 'a@x' to two submissions"),
        ("submission,email\nalice,\n", "line 2: the `email` of 'alice' is empty"),
        ("submission,email\n,a@x\n", "line 2: the `submission` cell is empty"),
        ("", "is empty"),
    ],
)
def test_a_map_that_cannot_be_trusted_is_refused(tmp_path: Path, text: str, message: str) -> None:
    with pytest.raises(UsageError, match=message):
        read_student_map(_map(tmp_path, text))


def test_a_missing_map_file_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(UsageError, match="cannot be read"):
        read_student_map(tmp_path / "none.csv")
