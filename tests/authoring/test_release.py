"""The handout's contents: what it holds, what it must never hold, and the CLI."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from click.testing import CliRunner

from grader.authoring.fences import find_regions
from grader.authoring.release import release
from grader.catalog import MODULES, all_functions
from grader.cli import main
from grader.errors import UsageError

from .conftest import ROOT, SOLUTIONS

# Lines shorter than this (``return A``, ``m = Y.shape[1]``) are too generic to be answers.
MIN_ANSWER_LINE = 16
# A line that only opens a call (``raise ValueError(``) holds nothing of the answer: the
# lines inside the call are scanned on their own.
OPENING_A_CALL = re.compile(r"^(raise |return )?[\w.]+\($")


def answer_lines() -> set[str]:
    """Every non-trivial stripped line inside a fence of solutions/."""
    lines = set()
    for path in SOLUTIONS.glob("*.py"):
        text = path.read_text(encoding="utf-8")
        for region in find_regions(text, str(path)):
            for line in region.body(text.splitlines()):
                stripped = line.strip()
                if len(stripped) >= MIN_ANSWER_LINE and not OPENING_A_CALL.match(stripped):
                    lines.add(stripped)
    return lines


def handout_files(handout: Path) -> list[Path]:
    return [path for path in handout.rglob("*") if path.is_file()]


def test_handout_layout(released: Path) -> None:
    """The stubs as a package, the checks, the launcher, pytest files, README, requirements."""
    names = {path.relative_to(released).as_posix() for path in handout_files(released)}
    expected = {
        "README.md",
        "requirements.txt",
        "selfcheck.py",
        "conftest.py",
        "test_public_checks.py",
        "exercises/__init__.py",
        "exercises/activations.py",
        "exercises/losses.py",
        "exercises/network.py",
        "exercises/model.py",
        "checks/expected.json",
        "checks/selfcheck.py",
        "checks/gradcheck.py",
        "checks/i18n.py",
        "checks/axes.py",
        "checks/locale/fr/LC_MESSAGES/nngrade.mo",
        "exercises.ipynb",
    }
    assert expected <= names
    assert (released / "requirements.txt").read_text().split() == ["numpy>=1.24", "pytest>=7.4"]


def test_the_readme_lists_every_module_in_the_order_of_the_course(released: Path) -> None:
    """The student README names the modules of the specs, in order, and no placeholder."""
    text = (released / "README.md").read_text(encoding="utf-8")
    assert ", ".join(f"`{module}.py`" for module in MODULES) in text
    assert "{modules}" not in text


def test_handout_ships_the_graders_own_gradcheck_and_translations(released: Path) -> None:
    """checks/gradcheck.py, checks/i18n.py, the compiled catalogs and the plots' axes are the
    grader's own, byte for byte, beside the public checks."""
    for name in ("gradcheck.py", "i18n.py", "locale/fr/LC_MESSAGES/nngrade.mo"):
        assert (released / "checks" / name).read_bytes() == (ROOT / "grader" / name).read_bytes()
    axes = ROOT / "grader" / "report" / "axes.py"
    assert (released / "checks" / "axes.py").read_bytes() == axes.read_bytes()
    for module in (ROOT / "grader" / "public").glob("*.py"):
        assert (released / "checks" / module.name).read_bytes() == module.read_bytes()


def test_handout_holds_no_answer_line(released: Path) -> None:
    """No line of any fenced answer region of solutions/ appears anywhere in the handout."""
    answers = answer_lines()
    assert len(answers) > 40  # the scan has something to find
    for path in handout_files(released):
        if path.suffix not in (".py", ".md", ".txt", ".json"):
            continue
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            assert line.strip() not in answers, f"{path.name}:{number} leaks {line.strip()!r}"


def test_handout_holds_nothing_of_the_grader_reference_or_hidden_suites(released: Path) -> None:
    """No file or import of reference, solutions or grader; no hidden suite file."""
    importing = re.compile(r"^\s*(from|import)\s+(reference|solutions|grader)\b", re.MULTILINE)
    hidden = {p.name for p in (ROOT / "grader" / "hidden").rglob("*.py")} - {"__init__.py"}
    for path in handout_files(released):
        parts = set(path.relative_to(released).parts)
        assert not parts & {"reference", "solutions", "grader", "hidden"}, path
        assert path.name not in hidden, path
        if path.suffix == ".py":
            assert not importing.search(path.read_text(encoding="utf-8")), path


def test_expected_values_come_from_the_reference(released: Path) -> None:
    """expected.json was computed by reference/ and covers every function, with hints."""
    data = json.loads((released / "checks" / "expected.json").read_text(encoding="utf-8"))
    assert data["oracle"] == "reference"
    assert data["functions"] == list(all_functions())
    assert all(data["cases"][name] for name in data["functions"])
    assert set(data["hints"]) == set(data["functions"])
    assert "σ(Z)" in data["hints"]["sigmoid_backward"]["fr"]


def test_refuses_a_non_empty_folder_unless_forced(tmp_path: Path) -> None:
    """Existing work is never overwritten by accident; --force replaces it."""
    (tmp_path / "notes.txt").write_text("mine", encoding="utf-8")
    with pytest.raises(UsageError, match=r"not empty; .* --force"):
        release(tmp_path)
    assert (tmp_path / "notes.txt").exists()
    release(tmp_path, force=True, lang="fr")
    assert not (tmp_path / "notes.txt").exists()
    assert "Ce qu'il faut faire" in (tmp_path / "README.md").read_text(encoding="utf-8")


def test_force_never_clears_the_repository() -> None:
    """Even with --force, a folder holding solutions/ is refused."""
    with pytest.raises(UsageError, match="refusing to clear"):
        release(ROOT, force=True)


def test_cli_writes_the_handout_and_maps_errors(tmp_path: Path) -> None:
    """`nngrade release --out DIR --lang fr` works; a second run exits 2 with the reason."""
    runner = CliRunner()
    out = tmp_path / "handout"
    first = runner.invoke(main, ["release", "--out", str(out), "--lang", "fr"])
    assert first.exit_code == 0, first.output
    assert "selfcheck.py" in first.output
    assert (out / "README.md").read_text(encoding="utf-8").startswith("# Réseaux de neurones")
    second = runner.invoke(main, ["release", "--out", str(out)])
    assert second.exit_code == 2
    assert "--force" in second.output
    helped = runner.invoke(main, ["release", "--help"])
    assert "python selfcheck.py" in helped.output and "--lang" in helped.output
