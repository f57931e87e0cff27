"""`nngrade batch` and `nngrade demo` as an instructor sees them (CliRunner, fake grader)."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest
from click.testing import CliRunner

import grader.batch.pipeline as pipeline
import grader.commands.demo as demo_command
from grader.catalog import max_score
from grader.cli import main

from .fake_backend import fake_backend, folder_submission, zip_submission


@pytest.fixture(autouse=True)
def fake_grader(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(pipeline, "engine_backend", fake_backend)


def _class(root: Path) -> Path:
    folder_submission(root, "alice", "sigmoid", "tanh")
    zip_submission(root, "bob", "sigmoid")
    folder_submission(root, "dup", "sigmoid")
    zip_submission(root, "dup", "sigmoid")
    (root / "ghost.zip").symlink_to(root / "gone.zip")
    (root / "README.txt").write_text("x")
    (root / ".DS_Store").write_bytes(b"")
    return root


def test_batch_prints_progress_lines_and_a_summary_that_names_every_problem(
    tmp_path: Path,
) -> None:
    submissions = _class(tmp_path / "class")
    result = CliRunner().invoke(
        main, ["batch", str(submissions), "--out", str(tmp_path / "out"), "--workers", "2"]
    )
    assert result.exit_code == 0, result.output
    output = result.output
    assert "Grading 2 submission(s)..." in output
    assert "[2/2] " in output
    assert "graded: 2, failed to load: 0, with timeouts: 0, internal errors: 0" in output
    assert f"score: mean 5.5/{max_score():g}, median 5.5/{max_score():g}" in output
    assert "dup: duplicate. dup.zip and dup/ claim the same student id" in output
    assert "ghost: unreadable. ghost.zip is a symbolic link" in output
    assert "ignored README.txt: not a submission" in output
    assert "ignored .DS_Store: hidden or system file." in output
    assert "Report: " in output and (tmp_path / "out" / "index.html").exists()
    with open(tmp_path / "out" / "grades.csv", newline="") as handle:
        students = [row["student"] for row in csv.DictReader(handle)]
    assert students == ["alice", "bob", "dup", "ghost"]  # one row per student id


def test_batch_on_an_empty_folder_fails_with_exit_code_2_and_a_sentence(tmp_path: Path) -> None:
    (tmp_path / "class").mkdir()
    result = CliRunner().invoke(main, ["batch", str(tmp_path / "class"), "--out", "x"])
    assert result.exit_code == 2
    assert "is empty: put one folder, .zip or .ipynb per student in it" in result.output


def test_batch_reads_the_student_map_and_reports_unmapped_and_unknown_ids(
    tmp_path: Path,
) -> None:
    submissions = tmp_path / "class"
    folder_submission(submissions, "alice", "sigmoid")
    zip_submission(submissions, "bob", "sigmoid")
    student_map = tmp_path / "map.csv"
    student_map.write_text("submission,username\nalice,amartin\nzed,zz\n")
    out = tmp_path / "out"
    result = CliRunner().invoke(
        main,
        [
            *("batch", str(submissions), "--out", str(out), "--student-map", str(student_map)),
            *("--workers", "1", "--no-report", "--canvas-assignment-id", "77"),
        ],
    )
    assert result.exit_code == 0, result.output
    assert "lists 1 id(s) with no submission: zed" in result.output
    assert "1 submission(s) are not in the student map" in result.output
    assert "left out of moodle.csv and canvas.csv: bob (not in the student map)" in result.output
    with open(out / "moodle.csv", newline="") as handle:
        assert list(csv.reader(handle))[1][0] == "amartin"
    with open(out / "canvas.csv", newline="") as handle:
        assert next(csv.reader(handle))[5] == "Neural networks (nngrade) (77)"
    gradescope = json.loads((out / "alice" / "results.json").read_text())
    assert gradescope["score"] == 4


def test_batch_refuses_a_bad_student_map_before_grading(tmp_path: Path) -> None:
    submissions = tmp_path / "class"
    folder_submission(submissions, "alice", "sigmoid")
    student_map = tmp_path / "map.csv"
    student_map.write_text("login\nalice\n")
    result = CliRunner().invoke(
        main,
        [
            "batch",
            str(submissions),
            "--out",
            str(tmp_path / "o"),
            "--student-map",
            str(student_map),
        ],
    )
    assert result.exit_code == 2
    assert "has no `submission` column" in result.output
    assert not (tmp_path / "o").exists()


def test_demo_says_clearly_when_the_sample_class_is_not_installed(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(demo_command.grader, "__file__", str(tmp_path / "grader" / "__init__.py"))
    result = CliRunner().invoke(main, ["demo"])
    assert result.exit_code == 2
    assert "The sample class is not installed here" in result.output


def test_demo_refuses_a_non_empty_folder_that_is_not_an_earlier_demo(tmp_path: Path) -> None:
    (tmp_path / "thesis.tex").write_text("precious")
    with pytest.raises(Exception, match="is not an earlier demo's results folder"):
        demo_command.demo_output_folder(tmp_path)
    assert demo_command.demo_output_folder(tmp_path / "new")[0] == tmp_path / "new"
    first, _ = demo_command.demo_output_folder(None)
    second, _ = demo_command.demo_output_folder(None)
    assert first != second and not any(first.iterdir())
    first.rmdir()
    second.rmdir()
