"""`nngrade batch` and `nngrade demo` as an instructor sees them (CliRunner, fake grader)."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

import grader.batch.pipeline as pipeline
import grader.commands.demo as demo_command
from grader.catalog import max_score
from grader.cli import main

from .fake_backend import fake_backend, folder_submission, read_lines, zip_submission


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
    """Two entries cannot be graded (a duplicate id, a dangling link): the summary names
    them with what to do, and the batch exits with 1."""
    submissions = _class(tmp_path / "class")
    result = CliRunner().invoke(
        main, ["batch", str(submissions), "--out", str(tmp_path / "out"), "--workers", "2"]
    )
    assert result.exit_code == 1, result.output
    output = result.output
    assert "Grading 2 submissions..." in output
    assert "[2/2] " in output
    assert "graded: 2, failed to load: 0, with timeouts: 0, internal errors: 0" in output
    assert f"score: mean 5.5/{max_score():g}, median 5.5/{max_score():g}" in output
    assert "2 students could not be graded, or not wholly:" in output
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
    assert "lists 1 id with no submission: zed" in result.output
    assert "1 submission is not in the student map" in result.output
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


def _batch(*arguments: str) -> Result:
    return CliRunner().invoke(main, ["batch", *arguments])


def _page_lang(page: Path) -> str:
    return "fr" if '<html lang="fr">' in page.read_text(encoding="utf-8") else "en"


def test_every_entry_failing_to_load_exits_1_and_names_them(tmp_path: Path) -> None:
    """A class where nothing could be loaded is not a success: exit status 1, each named."""
    submissions = tmp_path / "class"
    folder_submission(submissions, "alice", "LOAD_FAILED")
    zip_submission(submissions, "bob", "LOAD_FAILED")
    result = _batch(str(submissions), "--out", str(tmp_path / "out"), "--no-report")
    assert result.exit_code == 1, result.output
    assert "2 students could not be graded, or not wholly:" in result.output
    assert "  alice: failed to load. the submission could not be read" in result.output
    assert "  bob: failed to load." in result.output


def test_a_submission_graded_without_a_file_it_could_not_read_exits_1(tmp_path: Path) -> None:
    submissions = tmp_path / "class"
    folder_submission(submissions, "alice", "sigmoid")
    folder_submission(submissions, "bob", "sigmoid", "UNREADABLE losses.py")
    result = _batch(str(submissions), "--out", str(tmp_path / "out"), "--no-report")
    assert result.exit_code == 1, result.output
    assert (
        "  bob: graded. losses.py could not be read and was graded as absent: make it "
        "readable (chmod a+r) and run the batch again."
    ) in result.output
    assert "alice:" not in result.output.split("could not be graded")[1]


def test_a_class_wholly_graded_exits_0(tmp_path: Path) -> None:
    submissions = tmp_path / "class"
    folder_submission(submissions, "alice")  # a score of 0 is still a grade
    result = _batch(str(submissions), "--out", str(tmp_path / "out"), "--no-report")
    assert result.exit_code == 0, result.output
    assert "could not be graded" not in result.output


def test_only_regrades_the_students_named_and_keeps_every_other_result(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """After an edit of the hidden suites, --only alice,carol grades those two again and no
    one else: bob's result stays as it was, and a note says it is not up to date."""
    calls = tmp_path / "calls.log"
    monkeypatch.setenv("NNGRADE_FAKE_CALLS", str(calls))
    submissions = tmp_path / "class"
    folder_submission(submissions, "alice", "sigmoid")
    zip_submission(submissions, "bob", "tanh")
    folder_submission(submissions, "carol", "relu")
    out = tmp_path / "out"
    assert _batch(str(submissions), "--out", str(out), "--no-report").exit_code == 0
    bob_before = (out / "bob" / "result.json").read_bytes()
    calls.unlink()
    monkeypatch.setenv("NNGRADE_FAKE_SUITES", "2")  # every result is now out of date
    result = _batch(str(submissions), "--out", str(out), "--no-report", "--only", "alice,carol")
    assert result.exit_code == 0, result.output
    assert sorted(read_lines(calls)) == ["alice", "carol"]
    assert (out / "bob" / "result.json").read_bytes() == bob_before
    assert "2 results graded again: the hidden suites changed." in result.output
    assert (
        "1 other result is not up to date (bob) and was kept as it is; run the batch without "
        "--only to grade it."
    ) in result.output
    with open(out / "grades.csv", newline="") as handle:
        assert [row["student"] for row in csv.DictReader(handle)] == ["alice", "bob", "carol"]
    calls.unlink()
    again = _batch(str(submissions), "--out", str(out), "--no-report", "--only", "bob.zip")
    assert again.exit_code == 0, again.output
    assert read_lines(calls) == ["bob"]  # an entry's name works, and graded even if current


def test_only_with_an_unknown_or_ungradable_student_is_a_usage_error(tmp_path: Path) -> None:
    """A typo in --only stops the batch before anything is graded, with the closest ids;
    so does a student whose entry cannot be graded, with why."""
    submissions = _class(tmp_path / "class")
    out = tmp_path / "out"
    typo = _batch(str(submissions), "--out", str(out), "--only", "alcie")
    assert typo.exit_code == 2
    assert "--only alcie: no submission of that student in" in typo.stderr
    assert "(did you mean alice?)" in typo.stderr
    assert not (out / "alice").exists()
    duplicate = _batch(str(submissions), "--out", str(out), "--only", "dup")
    assert duplicate.exit_code == 2
    assert "--only dup: this entry cannot be graded: dup.zip and dup/ claim" in duplicate.stderr


def test_the_report_language_is_remembered_by_the_next_batch(tmp_path: Path) -> None:
    """After `nngrade report RESULTS --lang fr`, a batch without --lang grades, renders and
    speaks French, and says why; --lang en is obeyed, and then remembered in turn."""
    submissions = tmp_path / "class"
    folder_submission(submissions, "alice", "sigmoid")
    out = tmp_path / "out"
    assert _batch(str(submissions), "--out", str(out)).exit_code == 0
    assert _page_lang(out / "index.html") == "en"
    assert CliRunner().invoke(main, ["report", str(out), "--lang", "fr"]).exit_code == 0
    folder_submission(submissions, "bob", "tanh")  # a late submission
    late = _batch(str(submissions), "--out", str(out))
    assert late.exit_code == 0, late.output
    assert "Correction de 1 soumission..." in late.output
    assert "Le rapport est en français, la langue de son dernier rendu" in late.output
    assert json.loads((out / "bob" / "result.json").read_text())["lang"] == "fr"
    for page in (
        out / "index.html",
        out / "alice" / "feedback.html",
        out / "bob" / "feedback.html",
    ):
        assert _page_lang(page) == "fr", page
    english = _batch(str(submissions), "--out", str(out), "--lang", "en")
    assert "Graded 0 submissions" in english.output
    assert _page_lang(out / "alice" / "feedback.html") == "en"
    assert "Graded 0 submissions" in _batch(str(submissions), "--out", str(out)).output


def test_json_prints_one_document_for_scripts_and_quiet_prints_nothing(tmp_path: Path) -> None:
    submissions = _class(tmp_path / "class")
    out = tmp_path / "out"
    result = _batch(str(submissions), "--out", str(out), "--json", "--no-report")
    assert result.exit_code == 1
    summary = json.loads(result.stdout)  # nothing else on stdout
    assert summary["exit_status"] == 1
    assert summary["graded_now"] == ["alice", "bob"] and summary["not_graded"] == ["dup", "ghost"]
    students = {entry["student"]: entry for entry in summary["students"]}
    assert students["alice"]["graded"] is True and students["alice"]["score"] == 7
    assert students["dup"]["status"] == "duplicate"
    assert students["dup"]["reason"].startswith("dup.zip and dup/ claim the same student id")
    assert {item["entry"] for item in summary["ignored"]} == {"README.txt", ".DS_Store"}
    assert "[2/2]" in result.stderr  # the progress went to stderr
    quiet = _batch(str(submissions), "--out", str(out), "--quiet", "--force")
    assert quiet.exit_code == 1
    assert quiet.output == ""


def test_help_documents_the_exit_statuses_and_the_new_options() -> None:
    shown = CliRunner().invoke(main, ["batch", "--help"])
    text = " ".join(shown.output.split())
    for phrase in (
        "Exit status:",
        "0 every entry was graded, whatever its score",
        "1 some could not be graded, or not wholly",
        "2 usage error",
        "130 interrupted",
        "--only ID[,ID...]",
        "--quiet",
        "--json",
    ):
        assert phrase in text, phrase


def test_demo_with_a_relative_out_prints_the_report_address(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`nngrade demo --out results` from the current folder: the report's address is the
    absolute file URI of the report it wrote (a relative path has no URI)."""
    small_class = tmp_path / "class"
    folder_submission(small_class, "alice", "sigmoid")
    monkeypatch.setattr(demo_command, "sample_class_folder", lambda: small_class)
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(main, ["demo", "--out", "results"])
    assert result.exit_code == 0, result.output
    report = tmp_path / "results" / "index.html"
    assert report.is_file()
    assert report.as_uri() in result.output
