"""`run_autograder` from the zip, run on a tree laid out like Gradescope's /autograder with
this environment's nngrade: the sample class gets the grades of a local batch, with the
hidden tests hidden until the grades are published."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from grader.batch import grade_class
from grader.catalog import max_score
from grader.gradescope import build_autograder

from .autograder_tree import autograder_root, hand_in

SAMPLE = Path(__file__).resolve().parents[2] / "examples" / "class"
EXPECTED: dict[str, Any] = json.loads(SAMPLE.with_name("class-expected.json").read_text())


def _run(root: Path) -> subprocess.CompletedProcess[str]:
    """./run_autograder, from /autograder, as Gradescope starts it."""
    environment = {
        **os.environ,
        "NNGRADE_AUTOGRADER_ROOT": str(root),
        "NNGRADE_AUTOGRADER_PYTHON": sys.executable,
    }
    return subprocess.run(
        ["./run_autograder"],
        cwd=root,
        env=environment,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


@pytest.fixture(scope="module")
def autograder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_autograder(tmp_path_factory.mktemp("zip") / "autograder.zip").path


@pytest.fixture(scope="module")
def local(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The sample class graded by a local batch: the grades Gradescope must give."""
    results = tmp_path_factory.mktemp("local")
    grade_class(SAMPLE, results, workers=2, render=False)
    return results


@pytest.mark.slow
@pytest.mark.parametrize("entry", sorted(EXPECTED))
def test_each_sample_submission_gets_its_local_grade_on_gradescope(
    autograder: Path, local: Path, tmp_path: Path, entry: str
) -> None:
    """The submission id in the metadata seeds the inputs as the local batch's id does, so
    the tests, outcomes, points and messages are the local batch's."""
    student = entry.split(".")[0]
    root = autograder_root(autograder, tmp_path / "autograder")
    hand_in(root, SAMPLE / entry, {"email": student, "id": 42, "name": "A Student"})
    done = _run(root)
    assert done.returncode == 0, done.stdout + done.stderr
    document = json.loads((root / "results" / "result.json").read_text())
    reference = json.loads((local / student / "result.json").read_text())
    assert document["student"] == student
    for field in ("status", "score", "max_score", "exercises"):
        assert document[field] == reference[field], field
    for field in ("modules", "problems", "sha256"):
        assert document["submission"][field] == reference["submission"][field], field

    results = json.loads((root / "results" / "results.json").read_text())
    assert results["score"] == reference["score"]
    assert results["visibility"] == "after_published"
    received, *hidden, page = results["tests"]
    assert received["visibility"] == "visible" and "score" not in received
    unloaded = [m for m, state in EXPECTED[entry].get("modules", {}).items() if state != "loaded"]
    assert received["status"] == ("failed" if unloaded else "passed")
    assert {test["visibility"] for test in hidden} == {"after_published"}
    assert sum(test["score"] for test in hidden) == reference["score"]
    assert len(hidden) == sum(len(e["tests"]) for e in reference["exercises"])
    assert page["visibility"] == "after_published" and page["output_format"] == "html"
    assert "<h1>" in page["output"] and "<html" not in page["output"]
    assert (root / "results" / "feedback.html").read_text().startswith("<!DOCTYPE html>")
    # What every student sees at once says what was received, never the score.
    assert "received" in results["output"] and f"{reference['score']:g}/" not in results["output"]


@pytest.mark.slow
def test_a_zip_handed_in_whole_and_a_group_are_graded(autograder: Path, tmp_path: Path) -> None:
    root = autograder_root(autograder, tmp_path / "autograder")
    hand_in(root, SAMPLE / "emma_zip.zip", {"email": "zed@uni.edu"}, {"email": "amy@uni.edu"})
    done = _run(root)
    assert done.returncode == 0, done.stdout + done.stderr
    document = json.loads((root / "results" / "result.json").read_text())
    assert document["student"] == "amy@uni.edu+zed@uni.edu"
    assert document["submission"]["kind"] == "zip"
    assert document["score"] == document["max_score"]
    full = f"{max_score():g}"
    assert f"amy@uni.edu+zed@uni.edu: {full}/{full} (graded)" in done.stdout


@pytest.mark.slow
def test_an_empty_submission_gets_zero_and_is_told_at_once(
    autograder: Path, tmp_path: Path
) -> None:
    root = autograder_root(autograder, tmp_path / "autograder")
    done = _run(root)
    assert done.returncode == 0, done.stdout + done.stderr
    results = json.loads((root / "results" / "results.json").read_text())
    assert results["score"] == 0
    received = results["tests"][0]
    assert received["status"] == "failed" and received["visibility"] == "visible"
    assert "No exercise code was found" in received["output"]
    assert "No exercise code was found" in results["output"]


def test_a_root_without_an_autograder_is_a_clear_error(tmp_path: Path) -> None:
    (tmp_path / "submission").mkdir()
    done = subprocess.run(
        [sys.executable, "-m", "grader.cli", "gradescope", "run", "--root", str(tmp_path)],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 2
    assert "is not an autograder built by `nngrade gradescope build`" in done.stderr


def test_a_root_without_a_submission_folder_is_a_clear_error(
    autograder: Path, tmp_path: Path
) -> None:
    root = autograder_root(autograder, tmp_path / "autograder")
    (root / "submission").rmdir()
    done = _run(root)
    assert done.returncode == 2
    assert "laid out like Gradescope's /autograder" in done.stderr
    assert not (root / "results" / "results.json").exists()


def test_the_instructor_is_told_which_sandbox_layers_the_container_refused() -> None:
    from grader.gradescope.run import isolation_notes

    layers = {"no_network": False, "hidden_paths": False, "rlimit_cpu": True}
    graded = {
        "status": "graded",
        "isolation": {"layers": layers, "notes": ["unshare refused: Operation not permitted"]},
    }
    assert isolation_notes(graded) == [
        "Sandbox layers unavailable here: hidden_paths, no_network "
        "(unshare refused: Operation not permitted)."
    ]
    assert isolation_notes({**graded, "status": "load_failed"}) == []
    everything = {"status": "graded", "isolation": {"layers": {"no_network": True}, "notes": []}}
    assert isolation_notes(everything) == []
