"""grades.csv, moodle.csv and canvas.csv: parsed back with the csv module, one row each."""

from __future__ import annotations

import csv
import io
from pathlib import Path

from grader.catalog import EXERCISES, max_score
from grader.exports import build_rows, canvas_csv, grades_csv, moodle_csv, read_student_map

from .documents import make_result

EXERCISE_IDS = [exercise.id for exercise in EXERCISES]
FULL = f"{max_score():g}"  # the class's maximum, as the gradebooks write it


def _rows():
    documents = {
        "bob": make_result("bob", {"sigmoid", "relu"}),  # 4 + 3 points
        "alice": make_result("alice", set(EXERCISE_IDS)),
        "carol": make_result("carol", set(), status="load_failed"),
    }
    unscored = [("dave", "duplicate", "dave/ and dave.zip claim the same student id")]
    return build_rows(documents, unscored)


def _parse(text: str) -> list[list[str]]:
    return list(csv.reader(io.StringIO(text, newline="")))


def test_grades_csv_has_the_documented_columns_and_one_row_per_student_sorted() -> None:
    table = _parse(grades_csv(_rows()))
    assert table[0] == ["student", "score", "max_score", *EXERCISE_IDS, "status"]
    assert [row[0] for row in table[1:]] == ["alice", "bob", "carol", "dave"]
    by_student = {row[0]: dict(zip(table[0], row, strict=True)) for row in table[1:]}
    assert by_student["alice"]["score"] == FULL and by_student["alice"]["status"] == "graded"
    assert by_student["bob"]["score"] == "7"
    assert (by_student["bob"]["sigmoid"], by_student["bob"]["relu"]) == ("4", "3")
    assert by_student["bob"]["backward"] == "0"
    assert by_student["carol"]["score"] == "0" and by_student["carol"]["status"] == "load_failed"
    assert by_student["dave"]["score"] == "" and by_student["dave"]["status"] == "duplicate"


def test_moodle_csv_without_a_map_identifies_students_by_submission_id() -> None:
    export = moodle_csv(_rows())
    table = _parse(export.text)
    assert table[0] == ["username", *EXERCISE_IDS, "total", "feedback"]
    rows = {row[0]: row for row in table[1:]}
    assert sorted(rows) == ["alice", "bob", "carol"]
    assert rows["bob"][-2] == "7"
    assert rows["bob"][-1].startswith(f"7/{FULL}: to improve: tanh, leaky_relu")
    assert rows["alice"][-1] == f"{FULL}/{FULL}: every exercise at full marks."
    assert "could not be loaded" in rows["carol"][-1]
    # Moodle clears a grade on an empty cell: the unscored student gets no row at all.
    assert export.left_out == {"dave": "no score (duplicate)"}


def test_moodle_csv_uses_the_maps_identity_and_leaves_out_unmapped(tmp_path: Path) -> None:
    path = tmp_path / "map.csv"
    path.write_text("submission,email,name\nalice,alice@uni.fr,Alice\nbob,bob@uni.fr,Bob\n")
    export = moodle_csv(_rows(), read_student_map(path))
    table = _parse(export.text)
    assert table[0][0] == "email"
    assert [row[0] for row in table[1:]] == ["alice@uni.fr", "bob@uni.fr"]
    assert export.left_out["carol"] == "not in the student map"


def test_canvas_csv_header_and_points_possible_row_are_exact() -> None:
    export = canvas_csv(_rows(), assignment="NN lab 1", canvas_id="4321")
    table = _parse(export.text)
    assert table[0] == [
        "Student",
        "ID",
        "SIS User ID",
        "SIS Login ID",
        "Section",
        "NN lab 1 (4321)",
    ]
    assert table[1] == ["Points Possible", "", "", "", "", FULL]
    assert [row[0] for row in table[2:]] == ["alice", "bob", "carol"]
    assert [row[5] for row in table[2:]] == [FULL, "7", "0"]


def test_canvas_csv_without_an_id_names_a_new_assignment() -> None:
    table = _parse(canvas_csv(_rows(), assignment="NN lab 1").text)
    assert table[0][5] == "NN lab 1"


def test_canvas_csv_takes_canvas_identities_from_the_map(tmp_path: Path) -> None:
    path = tmp_path / "map.csv"
    path.write_text(
        "submission,Student,ID,SIS User ID,sis_login_id,Section\n"
        'alice,"Martin, Alice",101,S1,alice.m,Group A\n'
        'bob,"Durand, Bob",102,S2,bob.d,Group B\n'
        'carol,"Petit, Carol",103,S3,carol.p,Group A\n'
    )
    table = _parse(canvas_csv(_rows(), read_student_map(path)).text)
    assert table[2] == ["Martin, Alice", "101", "S1", "alice.m", "Group A", FULL]
    assert len(table) == 2 + 3


def test_a_rows_points_read_as_a_mapping_of_every_catalog_exercise() -> None:
    """Each scored row maps every catalog exercise, in catalog order, to its points (0 for
    one it lacks), as a read-only mapping that compares equal to the same dict."""
    rows = {row.student: row for row in _rows()}
    bob = rows["bob"].exercises
    assert list(bob) == EXERCISE_IDS and len(bob) == len(EXERCISE_IDS)
    assert (bob["sigmoid"], bob["relu"], bob["tanh"]) == (4.0, 3.0, 0.0)
    assert bob == {id: bob[id] for id in EXERCISE_IDS}
    assert bob.get("no_such_exercise") is None and "no_such_exercise" not in bob
    assert sum(rows["alice"].exercises.values()) == max_score()
    assert rows["dave"].exercises == {}
