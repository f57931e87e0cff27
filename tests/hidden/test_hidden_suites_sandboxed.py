"""Mistakes graded through the real engine and sandbox: the answer key with one planted bug,
handed in as a folder, gets a verdict about the student's code, never an internal error."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import pytest

from grader.engine import grade_submission

ROOT = Path(__file__).resolve().parents[2]


def submission_with(tmp_path: Path, module: str, old: str, new: str) -> Path:
    """A copy of solutions/ as a student's folder, with `old` replaced by `new` in `module`."""
    folder = tmp_path / "submissions" / "sam"
    shutil.copytree(ROOT / "solutions", folder, ignore=shutil.ignore_patterns("__pycache__"))
    path = folder / f"{module}.py"
    text = path.read_text()
    assert text.count(old) == 1, f"{old!r} is no longer in solutions/{module}.py"
    path.write_text(text.replace(old, new))
    return folder


def exercise_tests(document: dict[str, Any], exercise: str) -> dict[str, dict[str, Any]]:
    (entry,) = [e for e in document["exercises"] if e["id"] == exercise]
    return {test["id"].split("::")[1]: test for test in entry["tests"]}


@pytest.mark.slow
def test_train_returning_one_cost_too_few_fails_with_what_to_fix(tmp_path: Path) -> None:
    folder = submission_with(
        tmp_path, "model", "    return parameters, costs\n", "    return parameters, costs[:-1]\n"
    )
    document = grade_submission(folder)
    assert document["status"] == "graded"
    tests = exercise_tests(document, "training")
    train = {name: test for name, test in tests.items() if name.startswith("test_train")}
    assert train and all(test["outcome"] == "failed" for test in train.values())
    for test in train.values():
        evidence = test["evidence"]
        assert evidence["kind"] == "property"
        assert (evidence["function"], evidence["array"]) == ("train", "costs")
        assert evidence["call"].startswith("train(X (")
        assert "must return one cost per iteration" in test["messages"]["en"]
        assert "un coût par itération" in test["messages"]["fr"]
    others = [t for e in document["exercises"] for t in e["tests"] if t not in train.values()]
    assert {test["outcome"] for test in others} == {"passed"}
