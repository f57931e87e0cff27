"""`nngrade grade`: writes the document and the page, prints why each test failed, and exits
0 once graded, 1 when the submission could not be graded (or not wholly), 2 on misuse."""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

import grader.commands.grade as grade_command
from grader.catalog import EXERCISES, max_score
from grader.cli import main

ROOT = Path(__file__).resolve().parents[2]
CLASS = ROOT / "examples" / "class"


@pytest.mark.slow
def test_grade_writes_result_and_page_and_prints_each_failure_with_its_reason(
    tmp_path: Path,
) -> None:
    out = tmp_path / "out" / "alice.json"
    result = CliRunner().invoke(
        main, ["grade", str(CLASS / "ines_unstable_softmax"), "--out", str(out)]
    )
    assert result.exit_code == 0, result.output
    document = json.loads(out.read_text())
    assert document["student"] == "ines_unstable_softmax"
    full = max_score()  # ines loses one test of softmax, and only that
    assert document["score"] == full - 1
    lines = result.output.splitlines()
    assert lines[0] == f"ines_unstable_softmax: {full - 1:g} / {full:g} (graded)"
    table = lines[1 : 1 + len(EXERCISES)]
    assert [line.split()[0] for line in table] == [exercise.id for exercise in EXERCISES]
    assert "softmax" in table[4] and "4 / 5" in table[4] and "4/5 tests passed" in table[4]
    failed = [
        test for e in document["exercises"] for test in e["tests"] if test["outcome"] != "passed"
    ]
    assert lines[1 + len(EXERCISES)] == "1 test failed:"
    assert lines[2 + len(EXERCISES)] == f"  - {failed[0]['title']}"
    # The reason is the diagnosis when the grader recognised the mistake.
    assert lines[3 + len(EXERCISES)] == f"      {failed[0]['evidence']['diagnosis']['en']}"
    assert lines[3 + len(EXERCISES)].startswith("      exp overflows for large Z")
    page = out.with_suffix(".html")
    assert lines[-2:] == [f"Result written to {out}", f"Feedback page: {page}"]
    assert "ines_unstable_softmax" in page.read_text(encoding="utf-8")


@pytest.mark.slow
def test_a_recognised_mistake_is_given_as_its_diagnosis_in_the_language_asked(
    tmp_path: Path,
) -> None:
    """gina's backward misses 1/m: each failed test of linear_backward (and only those: a
    bug costs once) says so in one line, in French with --lang fr, and --json gives the
    same reasons to a script."""
    out = tmp_path / "result.json"
    gina = str(CLASS / "gina_missing_one_over_m")
    shown = CliRunner().invoke(main, ["grade", gina, "--out", str(out), "--lang", "fr"])
    assert shown.exit_code == 0, shown.output
    assert shown.output.splitlines()[0].startswith("gina_missing_one_over_m : 52 / 55 (")
    assert "3 tests échoués :" in shown.output
    assert "      Votre dW est m = 7 fois trop grand" in shown.output
    assert (tmp_path / "feedback.html").is_file()  # beside result.json, as in a class
    machine = CliRunner().invoke(main, ["grade", gina, "--out", str(out), "--json"])
    assert machine.exit_code == 0
    summary = json.loads(machine.stdout)
    assert (summary["student"], summary["score"], summary["graded"]) == (
        "gina_missing_one_over_m",
        52,
        True,
    )
    assert summary["feedback"] == str(tmp_path / "feedback.html")
    failed = summary["failed_tests"]
    assert len(failed) == 3 and {test["outcome"] for test in failed} == {"failed"}
    assert {test["id"].split("::")[1] for test in failed} == {
        "test_linear_backward_values",
        "test_linear_backward_edge_cases",
        "test_linear_backward_gradient",
    }
    assert failed[0]["reason"] == "Your dW is m = 7 times too large: the 1/m factor is missing."


def test_an_ungradable_submission_still_gets_its_result_and_page_and_exits_1(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Nothing to grade (load_failed): ./result.json and ./feedback.html all the same, the
    reason printed once, in French with --lang fr, and exit status 1."""
    monkeypatch.chdir(tmp_path)
    (tmp_path / "nothing").mkdir()
    result = CliRunner().invoke(main, ["grade", "nothing", "--lang", "fr"])
    document = json.loads((tmp_path / "result.json").read_text())
    assert result.exit_code == 1, result.output
    assert document["status"] == "load_failed" and document["lang"] == "fr"
    lines = result.output.splitlines()
    assert lines[0] == f"nothing : 0 / {max_score():g} (chargement impossible)"
    assert lines[1] == "1 problème dans la soumission :"
    assert lines[2].startswith("  Aucun code d'exercice n'a été trouvé dans nothing.")
    assert result.output.count("Aucun code d'exercice") == 1
    assert (tmp_path / "feedback.html").is_file()


@pytest.mark.slow
def test_a_file_that_cannot_be_read_is_named_and_the_grade_exits_1(tmp_path: Path) -> None:
    """losses.py is a named pipe: the rest is graded, the summary names the file, and the
    exit status says the submission was not wholly graded."""
    submission = tmp_path / "chloe"
    shutil.copytree(CLASS / "chloe_plain_imports", submission)
    (submission / "losses.py").unlink()
    os.mkfifo(submission / "losses.py")
    out = tmp_path / "out" / "result.json"
    result = CliRunner().invoke(main, ["grade", str(submission), "--out", str(out)])
    assert result.exit_code == 1, result.output
    assert "  losses.py could not be read (it is not a regular file)" in result.output
    assert (
        "Not wholly graded: losses.py could not be read, and was graded as absent. "
        "Make it readable (chmod a+r) and grade again."
    ) in result.output
    summary = json.loads(
        CliRunner().invoke(main, ["grade", str(submission), "--out", str(out), "--json"]).stdout
    )
    assert summary["graded"] is False and summary["unreadable_files"] == ["losses.py"]
    assert summary["score"] > 0  # activations.py and the others were graded


def test_quiet_prints_nothing_and_the_exit_status_tells(tmp_path: Path) -> None:
    (tmp_path / "nothing").mkdir()
    out = tmp_path / "result.json"
    result = CliRunner().invoke(main, ["grade", str(tmp_path / "nothing"), "--out", str(out), "-q"])
    assert result.exit_code == 1
    assert result.output == ""
    assert json.loads(out.read_text())["status"] == "load_failed"


def test_no_report_writes_the_result_only(tmp_path: Path) -> None:
    (tmp_path / "nothing").mkdir()
    out = tmp_path / "r" / "result.json"
    result = CliRunner().invoke(
        main, ["grade", str(tmp_path / "nothing"), "--out", str(out), "--no-report"]
    )
    assert result.exit_code == 1
    assert sorted(path.name for path in out.parent.iterdir()) == ["result.json"]
    assert "Feedback page" not in result.output


def test_ctrl_c_exits_130_and_writes_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def interrupted(*args: object, **kwargs: object) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr(grade_command, "grade_submission", interrupted)
    (tmp_path / "nothing").mkdir()
    out = tmp_path / "result.json"
    result = CliRunner().invoke(main, ["grade", str(tmp_path / "nothing"), "--out", str(out)])
    assert result.exit_code == 130
    assert result.stderr == f"Interrupted: {out} was not written.\n"
    assert not out.exists()


def test_missing_submission_is_a_clear_error_with_exit_2(tmp_path: Path) -> None:
    result = CliRunner().invoke(main, ["grade", str(tmp_path / "nobody.zip")])
    assert result.exit_code == 2
    assert "does not exist" in result.output
    assert not (tmp_path / "result.json").exists()


def test_help_documents_the_exit_statuses() -> None:
    """--help says what 0, 1 and 2 mean, for scripts that check them."""
    shown = CliRunner().invoke(main, ["grade", "--help"])
    assert shown.exit_code == 0
    help_text = " ".join(shown.output.split())
    assert "Exit status:" in help_text
    assert "0 every entry was graded, whatever its score" in help_text
    assert "1 some could not be graded, or not wholly" in help_text
    assert "2 usage error" in help_text
