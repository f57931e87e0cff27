"""Every option of `nngrade batch` works with --nbgrader: the student map, the Canvas
assignment, --no-report and the limits (options and the course's nngrade.toml).

The course is made without nbgrader itself: the exported source notebook, answers and all,
handed in by two students in nbgrader's submitted/ layout.
"""

from __future__ import annotations

import csv
import json
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from grader.cli import main
from grader.nbgrader_bridge.export import export_course

ASSIGNMENT = "nn"
STUDENTS = ("alice", "bob")


@pytest.fixture(scope="module")
def course(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("course")
    source = export_course(folder, assignment=ASSIGNMENT).notebook
    for student in STUDENTS:
        submitted = folder / "submitted" / student / ASSIGNMENT
        submitted.mkdir(parents=True)
        shutil.copyfile(source, submitted / f"{ASSIGNMENT}.ipynb")
        (submitted / "timestamp.txt").write_text("2024-05-01 10:00:00.000000 UTC\n")
    return folder


def _batch(course: Path, results: Path, *options: str) -> str:
    command = ["batch", "--nbgrader", str(course), "--assignment", ASSIGNMENT, "--out"]
    outcome = CliRunner().invoke(main, [*command, str(results), "--workers", "1", *options])
    assert outcome.exit_code == 0, outcome.output
    return outcome.output


def _rows(path: Path) -> list[dict[str, str]]:
    with open(path, newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


@pytest.mark.slow
def test_map_canvas_assignment_no_report_and_limits_all_apply(course: Path, tmp_path: Path) -> None:
    roster = tmp_path / "roster.csv"
    roster.write_text("submission,username\nalice,a.lovelace\n", encoding="utf-8")
    (course / "nngrade.toml").write_text("[limits]\ncall-timeout = 0.75\nmemory = 768\n")
    try:
        output = _batch(
            course,
            tmp_path / "results",
            *("--student-map", str(roster)),
            *("--assignment-name", "Lab 1", "--canvas-assignment-id", "4242"),
            "--no-report",
            *("--memory", "512"),
        )
    finally:
        (course / "nngrade.toml").unlink()
    results = tmp_path / "results"
    moodle = _rows(results / "moodle.csv")
    assert [row["username"] for row in moodle] == ["a.lovelace"]  # bob is not in the map
    assert "left out of moodle.csv and canvas.csv: bob (not in the student map)" in output
    header = (results / "canvas.csv").read_text(encoding="utf-8").splitlines()[0]
    assert header.endswith(",Lab 1 (4242)")
    assert not (results / "index.html").exists()
    assert not list(results.glob("*/feedback.html"))
    assert not (course / "feedback").exists()
    assert "none was put in feedback/" in output
    for student in STUDENTS:
        document = json.loads((results / student / "result.json").read_text())
        assert document["score"] == document["max_score"]
        limits = document["isolation"]["limits"]
        assert limits["wall_seconds_per_call"] == 0.75  # the course's nngrade.toml
        assert limits["memory_bytes"] == 512 << 20  # the option, over the file


@pytest.mark.slow
def test_without_options_canvas_names_the_nbgrader_assignment_and_feedback_is_released(
    course: Path, tmp_path: Path
) -> None:
    output = _batch(course, tmp_path / "results")
    header = (tmp_path / "results" / "canvas.csv").read_text(encoding="utf-8").splitlines()[0]
    assert header.endswith(f",{ASSIGNMENT}")
    for student in STUDENTS:
        assert (course / "feedback" / student / ASSIGNMENT / f"{ASSIGNMENT}.html").is_file()
    assert "Feedback for 2 students" in output


@pytest.mark.slow
def test_the_notes_of_a_french_batch_are_in_french(course: Path, tmp_path: Path) -> None:
    """A student who handed in two notebooks of other names is skipped, and the feedback
    left out with --no-report is said, in the batch's language."""
    french = tmp_path / "course"
    shutil.copytree(course, french)
    carol = french / "submitted" / "carol" / ASSIGNMENT
    carol.mkdir(parents=True)
    for name in ("draft.ipynb", "final.ipynb"):
        shutil.copyfile(
            french / "submitted" / "alice" / ASSIGNMENT / f"{ASSIGNMENT}.ipynb", carol / name
        )
    output = _batch(french, tmp_path / "results", "--no-report", "--lang", "fr")
    assert "carol a rendu plusieurs notebooks (draft.ipynb, final.ipynb)" in output
    assert "aucune n'a été mise dans feedback/" in output
    assert "submitted several notebooks" not in output
    assert "none was put in feedback/" not in output
    assert not (tmp_path / "results" / "carol").exists()
