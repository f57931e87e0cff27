"""The fingerprint of what decides a grade: every such edit changes it, and only those."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

import grader.fingerprint as fingerprint
from grader.batch.backend import engine_fingerprint
from grader.engine import grade_submission
from grader.fingerprint import changes, code_fingerprint, folder_fingerprint, grading_fingerprint
from grader.sandbox import SandboxLimits

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture
def tree(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A copy of grader/ and reference/ that the fingerprint reads instead of the real ones."""
    copy = tmp_path / "project"
    ignore = shutil.ignore_patterns("__pycache__")
    shutil.copytree(ROOT / "grader", copy / "grader", ignore=ignore)
    shutil.copytree(ROOT / "reference", copy / "reference", ignore=ignore)
    monkeypatch.setattr(fingerprint, "GRADER", copy / "grader")
    monkeypatch.setattr(fingerprint, "ROOT", copy)
    return copy


def _append(path: Path, text: str) -> None:
    path.write_text(path.read_text(encoding="utf-8") + text, encoding="utf-8")


EDITS = {
    "a hidden test's points": ("grader/hidden/test_model.py", ["the hidden suites changed"]),
    "a hidden suite's helper": ("grader/hidden/_support.py", ["the hidden suites changed"]),
    "the catalog": ("grader/catalog.py", ["the exercise specs changed"]),
    "an exercise's spec": ("grader/specs/softmax.py", ["the exercise specs changed"]),
    "the reference": ("reference/activations.py", ["the reference implementation changed"]),
    "a check's tolerance": ("grader/gradcheck.py", ["nngrade's grading code changed"]),
    "the sandbox": ("grader/sandbox/limits.py", ["nngrade's grading code changed"]),
    "a new module": ("grader/newly_added.py", ["nngrade's grading code changed"]),
    "the report": ("grader/report/feedback.py", []),
    "the exports": ("grader/exports/moodle.py", []),
    "the command line": ("grader/commands/batch.py", []),
    "the handout's checks": ("grader/public/checking.py", []),
}


@pytest.mark.parametrize("edit", sorted(EDITS))
def test_an_edit_changes_the_fingerprint_exactly_when_it_can_change_a_grade(
    tree: Path, edit: str
) -> None:
    relative, expected = EDITS[edit]
    suite, limits = tree / "grader" / "hidden", SandboxLimits().as_dict()
    before = grading_fingerprint(limits, suite, cached=False)
    assert code_fingerprint(suite).items() <= before.items()  # the same, read again
    path = tree / relative
    if path.exists():
        _append(path, "\n# edited\n")
    else:
        path.write_text("X = 1\n", encoding="utf-8")
    found = changes(before, grading_fingerprint(limits, suite, cached=False))
    assert [str(change) for change in found] == expected


def test_other_limits_are_named_figure_by_figure() -> None:
    before = SandboxLimits().as_dict()
    after = SandboxLimits(wall_seconds_per_submission=90.0).as_dict()
    suite = ROOT / "grader" / "hidden"
    recorded = grading_fingerprint(before, suite)
    current = grading_fingerprint(after, suite)
    assert [str(change) for change in changes(recorded, current)] == ["the limits changed"]
    named = changes(recorded, current, recorded_limits=before, current_limits=after)
    assert [change["en"] for change in named] == [
        "the limits changed (wall_seconds_per_submission 60.0 -> 90.0)"
    ]
    assert [change["fr"] for change in named] == [
        "les limites ont changé (wall_seconds_per_submission 60.0 -> 90.0)"
    ]
    assert changes(recorded, recorded) == []


@pytest.mark.slow
def test_a_result_records_the_fingerprint_the_batch_compares(tmp_path: Path) -> None:
    """What a grading writes is what `nngrade batch` computes to decide to keep it."""
    submission = tmp_path / "class" / "sam"
    shutil.copytree(ROOT / "solutions", submission, ignore=shutil.ignore_patterns("__pycache__"))
    limits = SandboxLimits(wall_seconds_per_call=0.75)
    document = grade_submission(submission, limits=limits)
    assert document["fingerprint"] == engine_fingerprint(limits)
    assert document["fingerprint"] != engine_fingerprint(SandboxLimits())
    assert document["isolation"]["limits"]["wall_seconds_per_call"] == 0.75


def test_the_code_fingerprint_covers_every_file_but_bytecode(tmp_path: Path) -> None:
    """Templates, translations and modules alike: a change to any of them is a change."""
    package = tmp_path / "package"
    (package / "templates").mkdir(parents=True)
    (package / "__pycache__").mkdir()
    (package / "templates" / "page.html.j2").write_text("<p>{{ x }}</p>")
    (package / "view.py").write_text("X = 1\n")
    first = folder_fingerprint(package)
    (package / "__pycache__" / "view.cpython-311.pyc").write_bytes(b"\0")
    (package / "stray.pyc").write_bytes(b"\0")
    assert folder_fingerprint(package) == first
    (package / "templates" / "page.html.j2").write_text("<p>{{ y }}</p>")
    second = folder_fingerprint(package)
    assert second != first
    (package / "templates" / "page.html.j2").rename(package / "templates" / "other.html.j2")
    assert folder_fingerprint(package) not in (first, second)
