"""`nngrade report` through click's CliRunner."""

from __future__ import annotations

from pathlib import Path

from click.testing import CliRunner

from grader.cli import main

from .conftest import copy_class


def test_report_writes_pages_and_warns_about_unreadable_results(tmp_path: Path) -> None:
    """The command renders every page, names the students without one, and exits 0."""
    folder = copy_class(tmp_path / "results")
    result = CliRunner().invoke(main, ["report", str(folder), "--lang", "fr"])
    assert result.exit_code == 0, result.output
    assert "Wrote 9 feedback pages" in result.stdout
    assert "no feedback for zoe: zoe/result.json is not valid JSON" in result.stderr
    assert "no feedback for yann" in result.stderr
    assert '<html lang="fr">' in (folder / "alice" / "feedback.html").read_text(encoding="utf-8")


def test_report_without_results_is_a_clear_error(tmp_path: Path) -> None:
    """An empty results folder: one sentence saying what to do, exit code 2."""
    result = CliRunner().invoke(main, ["report", str(tmp_path)])
    assert result.exit_code == 2
    assert "holds no result documents" in result.stderr
    assert "nngrade batch" in result.stderr
    assert "Traceback" not in result.output


def test_report_rejects_an_unknown_language(tmp_path: Path) -> None:
    """--lang offers fr and en only."""
    result = CliRunner().invoke(main, ["report", str(tmp_path), "--lang", "de"])
    assert result.exit_code == 2
    assert "'de' is not one of 'en', 'fr'" in result.stderr


def test_help_explains_inputs_and_outputs() -> None:
    """--help says what RESULTS is, what is written, and gives an example."""
    result = CliRunner().invoke(main, ["report", "--help"])
    assert result.exit_code == 0
    for text in ("RESULTS/<student>/result.json", "feedback.html", "index.html", "--lang"):
        assert text in result.output
