"""`nngrade grade`: writes the document, prints a summary, exits 0 once graded."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from grader.catalog import EXERCISES, max_score
from grader.cli import main

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.slow
def test_grade_writes_result_and_prints_a_summary(tmp_path: Path) -> None:
    out = tmp_path / "out" / "alice.json"
    result = CliRunner().invoke(
        main,
        ["grade", str(ROOT / "examples" / "class" / "ines_unstable_softmax"), "--out", str(out)],
    )
    assert result.exit_code == 0, result.output
    document = json.loads(out.read_text())
    assert document["student"] == "ines_unstable_softmax"
    full = max_score()  # ines loses one test of softmax, and only that
    assert document["score"] == full - 1
    lines = result.output.splitlines()
    assert lines[0] == f"ines_unstable_softmax: {full - 1:g} / {full:g} (graded)"
    assert len(lines) == 1 + len(EXERCISES) + 1
    assert "softmax" in lines[5] and "4 / 5" in lines[5]
    assert lines[-1] == f"Result written to {out}"


def test_grade_defaults_to_result_json_in_the_current_folder(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """An ungradable submission is still graded (load_failed), exit 0, into ./result.json."""
    monkeypatch.chdir(tmp_path)
    (tmp_path / "nothing").mkdir()
    result = CliRunner().invoke(main, ["grade", "nothing", "--lang", "fr"])
    document = json.loads((tmp_path / "result.json").read_text())
    assert result.exit_code == 0, result.output
    assert document["status"] == "load_failed" and document["lang"] == "fr"
    # The summary speaks the language asked for, like the document.
    lines = result.output.splitlines()
    assert lines[0] == f"nothing : 0 / {max_score():g} (non chargée)"
    assert lines[1].startswith("  Aucun code d'exercice n'a été trouvé dans nothing.")
    assert lines[2].split()[0] == EXERCISES[0].id and lines[2].endswith("tests réussis")
    assert lines[-1] == f"Résultat écrit dans {tmp_path / 'result.json'}"
    assert "passed" not in result.output and "written" not in result.output


def test_missing_submission_is_a_clear_error_with_exit_2(tmp_path: Path) -> None:
    result = CliRunner().invoke(main, ["grade", str(tmp_path / "nobody.zip")])
    assert result.exit_code == 2
    assert "does not exist" in result.output
    assert not (tmp_path / "result.json").exists()
