"""`nngrade report` through click's CliRunner: a class, one result, the remembered language."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from click.testing import CliRunner

from grader.cli import main
from grader.report.language import LANGUAGE_FILE

from .conftest import CLASS, copy_class


def _lang_of(page: Path) -> str:
    text = page.read_text(encoding="utf-8")
    return "fr" if '<html lang="fr">' in text else "en" if '<html lang="en">' in text else "?"


def test_report_writes_pages_and_warns_about_unreadable_results(tmp_path: Path) -> None:
    """The command renders every page, names the students without one, in the language of
    the pages, and exits 0."""
    folder = copy_class(tmp_path / "results")
    result = CliRunner().invoke(main, ["report", str(folder), "--lang", "fr"])
    assert result.exit_code == 0, result.output
    assert "9 pages de retour écrites et la synthèse de la classe" in result.stdout
    assert "avertissement : pas de retour pour zoe : zoe/result.json is not valid JSON" in (
        result.stderr
    )
    assert "pas de retour pour yann" in result.stderr
    assert _lang_of(folder / "alice" / "feedback.html") == "fr"


def test_one_page_written_is_said_in_the_singular(tmp_path: Path) -> None:
    folder = copy_class(tmp_path / "results")
    assert CliRunner().invoke(main, ["report", str(folder)]).exit_code == 0
    (folder / "bob" / "feedback.html").unlink()
    again = CliRunner().invoke(main, ["report", str(folder)])
    assert "Wrote 1 feedback page (8 up to date); the class summary" in again.stdout


def test_report_of_one_result_json_writes_its_page_beside_it(tmp_path: Path) -> None:
    """A bare result.json, its folder, or a NAME.json as `nngrade grade --out` writes it:
    one page beside it, in the result's own language unless told, and no class summary."""
    alice = tmp_path / "alice"
    shutil.copytree(CLASS / "alice", alice)
    document = json.loads((alice / "result.json").read_text(encoding="utf-8"))
    first = CliRunner().invoke(main, ["report", str(alice / "result.json")])
    assert first.exit_code == 0, first.output
    assert first.stdout == f"Wrote the feedback page {alice / 'feedback.html'}\n"
    assert _lang_of(alice / "feedback.html") == document["lang"]
    assert not (tmp_path / "index.html").exists() and not (alice / "index.html").exists()
    again = CliRunner().invoke(main, ["report", str(alice)])  # the folder holding it
    assert again.stdout == f"The feedback page {alice / 'feedback.html'} is up to date\n"
    named = tmp_path / "alice.json"
    shutil.copy(alice / "result.json", named)
    french = CliRunner().invoke(main, ["report", str(named), "--lang", "fr"])
    assert french.stdout == f"Page de retour écrite : {tmp_path / 'alice.html'}\n"
    assert _lang_of(tmp_path / "alice.html") == "fr"


def test_report_of_a_file_that_is_not_a_result_says_so(tmp_path: Path) -> None:
    (tmp_path / "notes.json").write_text("[1, 2", encoding="utf-8")
    result = CliRunner().invoke(main, ["report", str(tmp_path / "notes.json")])
    assert result.exit_code == 2
    assert "notes.json is not valid JSON" in result.stderr
    assert not (tmp_path / "notes.html").exists()


def test_the_language_of_the_last_report_is_kept_until_told_otherwise(tmp_path: Path) -> None:
    """After `report --lang fr`, a report without --lang is French again, and says so;
    --lang en changes it back, and is remembered in turn."""
    folder = copy_class(tmp_path / "results")
    assert CliRunner().invoke(main, ["report", str(folder), "--lang", "fr"]).exit_code == 0
    again = CliRunner().invoke(main, ["report", str(folder)])
    assert again.stdout.startswith(
        f"En français, la langue du dernier rapport dans {folder} (--lang en choisit une autre)."
    )
    assert "0 page de retour écrite (9 à jour)" in again.stdout  # French counts 0 as one
    assert _lang_of(folder / "index.html") == "fr"
    assert CliRunner().invoke(main, ["report", str(folder), "--lang", "en"]).exit_code == 0
    assert json.loads((folder / LANGUAGE_FILE).read_text()) == {"lang": "en"}
    assert _lang_of(folder / "alice" / "feedback.html") == "en"


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
    assert "nngrade report results/alice/result.json" in result.output
