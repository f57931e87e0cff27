"""The plugin maps what a hidden test raised to the outcome, message and evidence a student sees."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

import numpy as np
from engine_fake_suite import EARNABLE
from engine_fakes import correct_functions

from grader.catalog import max_score
from grader.errors import HostileValue, StudentNotImplemented, StudentTimeout, WorkerCrashed


def by_name(document: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {
        test["id"].split("::")[1]: test
        for exercise in document["exercises"]
        for test in exercise["tests"]
    }


def scores(document: dict[str, Any]) -> dict[str, float]:
    return {exercise["id"]: exercise["score"] for exercise in document["exercises"]}


def test_correct_functions_earn_every_passable_point(grade_fake, submission: Path) -> None:
    """A correct student earns each passing test's points and the exercise totals add up."""
    document = grade_fake(submission)
    assert document["status"] == "graded"
    assert {k: v for k, v in scores(document).items() if v} == EARNABLE
    assert document["score"] == sum(EARNABLE.values())
    assert document["max_score"] == max_score()
    passed = by_name(document)["test_relu_values"]
    assert passed == {
        "id": "test_fake::test_relu_values",
        "title": "relu: values on random inputs, exact zeros, large |z| and a single example",
        "titles": {
            "en": "relu: values on random inputs, exact zeros, large |z| and a single example",
            "fr": "relu : valeurs sur des entrées aléatoires, des zéros exacts, |z| grand et un "
            "seul exemple",
        },
        "outcome": "passed",
        "points": 1.0,
        "max_points": 1.0,
        "functions": ["relu"],
        "message": "",
        "messages": {"en": "", "fr": ""},
        "evidence": None,
        "substituted": [],
    }


def test_every_catalog_exercise_is_listed_in_catalog_order(grade_fake, submission: Path) -> None:
    """Exercises without tests in the suite still appear, with score 0 and no tests."""
    from grader.catalog import EXERCISES

    document = grade_fake(submission)
    assert [e["id"] for e in document["exercises"]] == [e.id for e in EXERCISES]
    assert [e["max_score"] for e in document["exercises"]] == [e.points for e in EXERCISES]


def test_check_failure_gives_its_own_message_and_evidence(grade_fake, submission: Path) -> None:
    """A CheckFailure is `failed` with the check's message; non-finite evidence becomes text."""
    functions = correct_functions() | {"sigmoid": lambda Z: Z}
    test = by_name(grade_fake(submission, functions))["test_sigmoid_values"]
    assert test["outcome"] == "failed"
    assert test["points"] == 0
    assert test["message"] == "sigmoid gives wrong values."
    assert test["evidence"] == {
        "kind": "value_mismatch",
        "function": "sigmoid",
        "max_abs_error": "inf",
    }


def test_bare_assert_fails_without_quoting_the_hidden_test(grade_fake, submission: Path) -> None:
    """A failed assert says what to revise, never the assertion or the hidden input."""
    functions = correct_functions() | {"relu": lambda Z: -Z}
    test = by_name(grade_fake(submission, functions))["test_relu_values"]
    assert test["outcome"] == "failed"
    assert "HIDDEN-INPUT" not in test["message"] and "assert" not in test["message"]
    assert "ReLU" in test["message"]  # the exercise's hint
    assert test["evidence"] == {"kind": "property"}


def test_untouched_stub_is_not_implemented(grade_fake, submission: Path) -> None:
    def stub(*args: Any) -> Any:
        raise NotImplementedError

    test = by_name(grade_fake(submission, correct_functions() | {"tanh": stub}))["test_tanh_values"]
    assert test["outcome"] == "failed"
    assert "not implemented yet" in test["message"]
    assert test["evidence"] == {"kind": "not_implemented", "function": "tanh"}
    assert test["functions"] == ["tanh"]


def test_a_function_calling_a_stub_names_the_stub_to_write(grade_fake, submission: Path) -> None:
    """tanh is written but calls the student's sigmoid, an untouched stub: its test says to
    write sigmoid first, not that tanh is a stub."""

    def calls_a_stub(*args: Any) -> Any:
        raise StudentNotImplemented("tanh", "tanh calls sigmoid, a stub.", via="sigmoid")

    test = by_name(grade_fake(submission, correct_functions() | {"tanh": calls_a_stub}))[
        "test_tanh_values"
    ]
    assert test["outcome"] == "failed"
    assert test["messages"]["en"].startswith(
        "`tanh` calls your `sigmoid`, which is not implemented yet"
    )
    assert "Write `sigmoid` first" in test["messages"]["en"]
    assert "Écrivez d'abord `sigmoid`" in test["messages"]["fr"]
    assert test["evidence"] == {"kind": "not_implemented", "function": "sigmoid"}


def test_function_absent_from_a_loaded_module_is_missing(grade_fake, submission: Path) -> None:
    functions = correct_functions()
    del functions["tanh"]
    test = by_name(grade_fake(submission, functions))["test_tanh_values"]
    assert test["outcome"] == "failed"
    assert "does not define `tanh`" in test["message"]
    assert test["evidence"] == {"kind": "missing_function", "function": "tanh"}


def test_missing_module_fails_its_tests_unrun_and_others_still_grade(
    grade_fake, submission: Path
) -> None:
    """Without activations.py its tests fail with that reason; the rest is graded."""
    (submission / "activations.py").unlink()
    document = grade_fake(submission)
    assert document["submission"]["modules"]["activations"] == "missing"
    test = by_name(document)["test_sigmoid_values"]
    assert test["outcome"] == "failed"
    assert "activations.py is missing" in test["message"]
    assert test["functions"] == []
    assert test["evidence"]["module_status"] == "missing"
    assert by_name(document)["test_update_internal_bug"]["functions"] == ["update_parameters"]


def test_syntax_error_module_message_names_the_line(grade_fake, submission: Path) -> None:
    (submission / "activations.py").write_text("def relu(Z):\n    return Z +\n")
    document = grade_fake(submission)
    assert document["submission"]["modules"]["activations"] == "syntax_error"
    message = by_name(document)["test_relu_values"]["message"]
    assert "activations.py has a syntax error on line 2" in message
    assert document["status"] == "graded"


def test_import_failure_reported_by_the_sandbox_fails_that_module(
    grade_fake, submission: Path
) -> None:
    document = grade_fake(submission, import_status={"activations": "import_crashed"})
    assert document["submission"]["modules"]["activations"] == "import_crashed"
    assert "activations broke" in by_name(document)["test_tanh_values"]["message"]
    assert document["submission"]["problems"][0]["code"] == "import_crashed"


def test_student_exception_is_an_error_with_its_type(grade_fake, submission: Path) -> None:
    def broken(Z: np.ndarray) -> np.ndarray:
        raise ValueError("shapes (2,3) and (4,) not aligned")

    test = by_name(grade_fake(submission, correct_functions() | {"tanh": broken}))[
        "test_tanh_values"
    ]
    assert test["outcome"] == "error"
    assert test["message"].startswith("`tanh` raised ValueError: shapes (2,3)")
    assert test["evidence"]["exception"]["type"] == "ValueError"


def test_timeout_crash_and_hostile_value_outcomes(grade_fake, submission: Path) -> None:
    def slow(Z: np.ndarray) -> None:
        raise StudentTimeout("tanh", 5.0)

    def dies(Z: np.ndarray) -> None:
        raise WorkerCrashed("relu", "killed by signal SIGSEGV")

    def hostile(Z: np.ndarray) -> None:
        raise HostileValue("sigmoid", "an ndarray subclass is not accepted")

    functions = correct_functions() | {"tanh": slow, "relu": dies, "sigmoid": hostile}
    tests = by_name(grade_fake(submission, functions))
    assert tests["test_tanh_values"]["outcome"] == "timeout"
    assert tests["test_tanh_values"]["evidence"] == {
        "kind": "timeout",
        "function": "tanh",
        "seconds": 5.0,
    }
    assert tests["test_relu_values"]["outcome"] == "crashed"
    assert "SIGSEGV" in tests["test_relu_values"]["message"]
    assert tests["test_sigmoid_values"]["outcome"] == "failed"
    assert tests["test_sigmoid_values"]["evidence"]["kind"] == "hostile_value"


def test_bug_in_a_hidden_test_is_internal_never_the_student(
    grade_fake, submission: Path, caplog
) -> None:
    with caplog.at_level(logging.ERROR, logger="grader.engine"):
        test = by_name(grade_fake(submission))["test_update_internal_bug"]
    assert test["outcome"] == "error"
    assert test["message"].startswith("Internal grader error")
    assert "not in your code" in test["message"]
    assert test["evidence"] == {"kind": "internal_error"}
    assert "a bug in the hidden test itself" in caplog.text


def test_messages_follow_the_requested_language(grade_fake, submission: Path) -> None:
    functions = correct_functions() | {"sigmoid": lambda Z: Z}
    document = grade_fake(submission, functions, lang="fr")
    test = by_name(document)["test_sigmoid_values"]
    assert document["lang"] == "fr"
    assert test["title"] == (
        "sigmoid : valeurs sur des entrées aléatoires, des zéros exacts et un seul exemple"
    )
    assert test["message"] == "sigmoid donne de mauvaises valeurs."
    assert test["messages"]["en"] == "sigmoid gives wrong values."


def test_tests_left_after_the_time_budget_are_skipped(grade_fake, submission: Path) -> None:
    """Once the submission's budget is spent the remaining tests are skipped, with a reason."""
    from grader.sandbox.limits import SandboxLimits

    document = grade_fake(submission, limits=SandboxLimits(wall_seconds_per_submission=0.0))
    outcomes = {test["outcome"] for test in by_name(document).values()}
    assert outcomes == {"skipped"}
    assert "time budget" in by_name(document)["test_tanh_values"]["message"]


def test_pytest_skip_in_a_hidden_test_is_skipped_without_points(
    grade_fake, submission: Path
) -> None:
    test = by_name(grade_fake(submission))["test_tanh_skipped"]
    assert (test["outcome"], test["points"], test["evidence"]) == ("skipped", 0, None)
    assert test["message"].startswith("Not run")


def test_a_warning_in_a_hidden_test_does_not_fail_it(grade_fake, submission: Path) -> None:
    """The project's own tests turn warnings into errors; a grading keeps suite.cfg's filter."""
    assert by_name(grade_fake(submission))["test_tanh_values"]["outcome"] == "passed"


def test_timeout_messages_say_which_function_looped(grade_fake, submission: Path) -> None:
    """A repeated timeout, one through a callee, and a spent budget each explain themselves,
    in both languages."""

    def again(Z: np.ndarray) -> None:
        raise StudentTimeout("tanh", 2.0, repeated=True)

    def through(Z: np.ndarray) -> None:
        raise StudentTimeout("relu", 2.0, repeated=True, via="helper")

    def spent(Z: np.ndarray) -> None:
        raise StudentTimeout("sigmoid", 60.0, budget=True)

    functions = correct_functions() | {"tanh": again, "relu": through, "sigmoid": spent}
    tests = by_name(grade_fake(submission, functions))
    assert "in an earlier test, so it was not run again" in tests["test_tanh_values"]["message"]
    relu = tests["test_relu_values"]["messages"]
    assert "`relu` calls your `helper`" in relu["en"] and "Fix the loop in `helper`" in relu["en"]
    assert "`relu` appelle votre `helper`" in relu["fr"]
    sigmoid = tests["test_sigmoid_values"]
    assert sigmoid["outcome"] == "timeout"
    assert "used up its 60 s of grading time" in sigmoid["message"]
