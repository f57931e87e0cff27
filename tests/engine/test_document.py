"""The result document: reproducible, seeded per student, written atomically, plain JSON."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

from engine_fake_suite import EARNABLE, PROBE_ID
from engine_fakes import correct_functions

from grader.engine import dumps, student_seed, write_result
from grader.engine.document import plain


def probe(document: dict[str, Any]) -> dict[str, Any]:
    for exercise in document["exercises"]:
        for test in exercise["tests"]:
            if test["id"] == PROBE_ID:
                return test["evidence"]
    raise AssertionError("the probe test is missing from the document")


def without_timing(document: dict[str, Any]) -> dict[str, Any]:
    return {key: value for key, value in document.items() if key != "timing"}


def test_regrading_gives_the_same_document_apart_from_timing(grade_fake, submission: Path) -> None:
    first = grade_fake(submission, correct_functions() | {"relu": lambda Z: Z})
    second = grade_fake(submission, correct_functions() | {"relu": lambda Z: Z})
    assert dumps(without_timing(first)) == dumps(without_timing(second))
    assert set(first["timing"]) == {
        "started",
        "finished",
        "wall_seconds",
        "cpu_seconds",
        "worker_starts",
    }


def test_hidden_inputs_are_stable_per_student_and_differ_between_students(
    grade_fake, submission: Path
) -> None:
    alice = probe(grade_fake(submission, student="alice"))
    again = probe(grade_fake(submission, student="alice"))
    bob = probe(grade_fake(submission, student="bob"))
    assert alice == again
    assert alice["seed"] == student_seed("alice") != bob["seed"]
    assert alice["draw"] != bob["draw"]


def test_default_student_is_the_submission_name_without_extension(tmp_path: Path) -> None:
    """Without --student, the id (and so the seed) comes from the submission's name."""
    import zipfile

    from grader.engine import default_student_id
    from grader.loading import load_submission

    archive = tmp_path / "bob.smith.zip"
    with zipfile.ZipFile(archive, "w") as zipped:
        zipped.writestr("activations.py", "X = 1\n")
    folder = tmp_path / "carol.v2"
    folder.mkdir()
    assert default_student_id(load_submission(archive)) == "bob.smith"
    assert default_student_id(load_submission(folder)) == "carol.v2"


def test_load_failed_still_lists_every_exercise_with_failed_tests(
    grade_fake, tmp_path: Path
) -> None:
    empty = tmp_path / "nobody"
    empty.mkdir()
    (empty / "notes.txt").write_text("I did not do it")
    document = grade_fake(empty)
    assert document["status"] == "load_failed"
    assert document["score"] == 0
    assert "No exercise code was found" in document["message"]
    assert document["submission"]["problems"][0]["code"] == "empty"
    tests = [test for exercise in document["exercises"] for test in exercise["tests"]]
    assert tests and {test["outcome"] for test in tests} == {"failed"}
    assert all(test["functions"] == [] for test in tests)


def test_a_grading_that_ran_no_code_says_so_in_every_language(grade_fake, tmp_path: Path) -> None:
    empty = tmp_path / "nobody"
    empty.mkdir()
    isolation = grade_fake(empty)["isolation"]
    assert isolation["notes"] == ["No student code was run."]
    assert isolation["note_messages"] == [
        {"en": "No student code was run.", "fr": "Aucun code de l'étudiant n'a été exécuté."}
    ]


def test_a_suite_that_cannot_be_collected_is_an_internal_error(
    grade_fake, submission: Path, suite: Path
) -> None:
    (suite / "test_broken.py").write_text("import a_module_that_does_not_exist\n")
    document = grade_fake(submission, suite_folder=suite)
    assert document["status"] == "internal_error"
    assert "not caused by your code" in document["message"]
    assert document["score"] == sum(EARNABLE.values())  # the healthy suite still graded


def test_write_result_is_atomic_sorted_and_replaces(tmp_path: Path) -> None:
    target = tmp_path / "out" / "result.json"
    write_result({"b": 1, "a": {"d": 2, "c": "nan"}}, target)
    assert json.loads(target.read_text()) == {"a": {"c": "nan", "d": 2}, "b": 1}
    write_result({"z": 1, "a": 2}, target)
    assert target.read_text() == '{\n  "a": 2,\n  "z": 1\n}\n'
    assert os.listdir(target.parent) == ["result.json"]  # no temporary file left behind
    assert oct(target.stat().st_mode & 0o777) == "0o644"


def test_plain_turns_non_finite_and_numpy_values_into_json(tmp_path: Path) -> None:
    import numpy as np

    value = plain({"x": (np.float64("nan"), np.inf, -np.inf, np.int64(3), np.arange(2.0))})
    assert value == {"x": ["nan", "inf", "-inf", 3, [0.0, 1.0]]}
    json.dumps(value, allow_nan=False)
