"""The causes of a submission's failures: the root to fix first, and what it explains."""

from __future__ import annotations

import copy
from typing import Any

import pytest

from grader.report.causes import find_causes
from grader.result import parse_result

from .conftest import READABLE, load_fixture


def with_failures(*failures: tuple[str, dict[str, Any] | None], **outcomes: str) -> Any:
    """Alice's perfect result with the named tests failed: (test name, evidence) pairs;
    `outcomes` gives a test an outcome other than "failed"."""
    document = copy.deepcopy(load_fixture("alice"))
    tests = {
        test["id"].split("::")[1]: test
        for exercise in document["exercises"]
        for test in exercise["tests"]
    }
    for name, evidence in failures:
        test = tests[name]
        test.update(outcome=outcomes.get(name, "failed"), points=0, evidence=evidence)
        test["message"] = test["messages"]["en"] = f"{name} failed."
    return document


def mismatch(function: str, code: str | None = None) -> dict[str, Any]:
    evidence: dict[str, Any] = {"kind": "value_mismatch", "function": function, "array": "dW"}
    if code is not None:
        evidence["diagnosis"] = {"code": code, "en": f"{code} in {function}", "fr": code}
    return evidence


def summary(document: Any) -> list[tuple[str, tuple[str, ...], tuple[str, ...], int]]:
    """Each cause as (kind, functions at fault, functions failing through them, number of
    tests)."""
    return [
        (cause.kind, cause.functions, cause.downstream, len(cause.tests))
        for cause in find_causes(parse_result(document))
    ]


def test_a_mistake_repeated_by_its_callers_is_one_cause_at_its_root() -> None:
    """A missing 1/m in linear_backward shows in the functions that call it: one cause,
    filed under linear_backward, the callers listed as failing because of it."""
    document = with_failures(
        ("test_model_backward_gradient", mismatch("model_backward", "factor_m_missing")),
        ("test_linear_backward_gradient", mismatch("linear_backward", "factor_m_missing")),
        (
            "test_linear_activation_backward_gradient",
            mismatch("linear_activation_backward", "factor_m_missing"),
        ),
    )
    [cause] = find_causes(parse_result(document))
    assert (cause.kind, cause.subject) == ("function", "linear_backward")
    assert cause.downstream == ("linear_activation_backward", "model_backward")
    assert [test.id.split("::")[1] for test in cause.tests] == [
        "test_linear_backward_gradient",
        "test_linear_activation_backward_gradient",
        "test_model_backward_gradient",
    ]
    assert [test.id.split("::")[1] for test in cause.own] == ["test_linear_backward_gradient"]
    backward = next(e for e in document["exercises"] if e["id"] == "backward")
    assert cause.points_lost == backward["max_score"]  # every test of the exercise failed


def test_callers_that_passed_with_a_correct_callee_are_named_as_spared() -> None:
    """A bug costs once: linear_backward fails, and the tests of its callers passed with
    the grader answering their calls of it (`substituted`). The cause names them as right
    when given a correct linear_backward; a test substituted for another function does not
    count, nor does one that passed on its own."""
    document = with_failures(
        ("test_linear_backward_gradient", mismatch("linear_backward", "factor_m_missing")),
        ("test_softmax_values", mismatch("softmax")),
    )
    tests = {
        test["id"].split("::")[1]: test
        for exercise in document["exercises"]
        for test in exercise["tests"]
    }
    tests["test_model_backward_gradient"]["substituted"] = ["linear_backward"]
    tests["test_train_values"]["substituted"] = ["linear_backward", "softmax"]
    tests["test_predict_values"]["substituted"] = ["softmax"]
    causes = {cause.subject: cause for cause in find_causes(parse_result(document))}
    assert causes["linear_backward"].spared == ("model_backward", "train")
    assert causes["softmax"].spared == ("train", "predict")
    assert causes["linear_backward"].downstream == ()


def test_a_caller_without_a_diagnosis_of_its_own_is_filed_under_what_it_calls() -> None:
    """train raising while model_backward is wrong: train's failure is model_backward's."""
    document = with_failures(
        ("test_model_backward_gradient", mismatch("model_backward", "sign")),
        ("test_train_values", {"kind": "exception", "function": "train"}),
        test_train_values="error",
    )
    assert summary(document) == [("function", ("model_backward",), ("train",), 2)]


def test_a_caller_with_another_diagnosis_is_a_cause_of_its_own() -> None:
    """A wrong sign in update_parameters is not explained by a 1/m in linear_backward, and
    model_backward's transposed matrix is its own mistake too; the earliest comes first."""
    document = with_failures(
        ("test_linear_backward_gradient", mismatch("linear_backward", "factor_m_missing")),
        ("test_model_backward_gradient", mismatch("model_backward", "transpose")),
        ("test_update_parameters_values", mismatch("update_parameters", "sign")),
    )
    assert [functions for _, functions, _, _ in summary(document)] == [
        ("linear_backward",),
        ("model_backward",),
        ("update_parameters",),
    ]


def test_a_function_failing_alone_is_its_own_root() -> None:
    """model_backward fails while everything it calls passes: it is a root, and so is
    predict beside it; the causes follow the contract."""
    document = with_failures(
        ("test_predict_values", mismatch("predict")),
        ("test_model_backward_gradient", mismatch("model_backward")),
    )
    assert summary(document) == [
        ("function", ("model_backward",), (), 1),
        ("function", ("predict",), (), 1),
    ]


def test_a_caller_is_filed_with_the_nearest_failing_function_it_calls() -> None:
    """model_backward calls linear_backward (through linear_activation_backward) and tanh
    (only further down, through the forward): when both fail, it fails through the nearer."""
    document = with_failures(
        ("test_tanh_values", mismatch("tanh", "overflow")),
        ("test_linear_backward_gradient", mismatch("linear_backward", "sign")),
        ("test_model_backward_gradient", mismatch("model_backward")),
    )
    assert summary(document) == [
        ("function", ("tanh",), (), 1),
        ("function", ("linear_backward",), ("model_backward",), 2),
    ]


def test_stubs_are_one_cause_and_take_the_failures_that_come_from_them() -> None:
    """Two stubs make one cause, headed by the first; model_backward, failing without a
    diagnosis while linear_backward is a stub, is filed with them. A real mistake earlier in
    the contract comes first."""
    document = with_failures(
        ("test_tanh_values", mismatch("tanh", "overflow")),
        (
            "test_linear_backward_gradient",
            {"kind": "not_implemented", "function": "linear_backward"},
        ),
        ("test_model_backward_gradient", mismatch("model_backward")),
        ("test_predict_values", {"kind": "not_implemented", "function": "predict"}),
    )
    assert summary(document) == [
        ("function", ("tanh",), (), 1),
        ("not_implemented", ("linear_backward", "predict"), ("model_backward",), 3),
    ]


def test_a_stub_is_its_own_cause_even_when_what_it_calls_fails() -> None:
    document = with_failures(
        ("test_linear_backward_gradient", mismatch("linear_backward", "factor_m_missing")),
        ("test_model_backward_gradient", {"kind": "not_implemented", "function": "model_backward"}),
    )
    assert [kind for kind, *_ in summary(document)] == ["function", "not_implemented"]


def test_a_module_that_did_not_load_is_the_cause_of_all_its_tests() -> None:
    """model.py with a syntax error: its tests, with the module's evidence or none at all
    (not run), make one cause named after the module."""
    document = with_failures(
        (
            "test_train_values",
            {
                "kind": "missing_function",
                "function": "train",
                "module": "model",
                "module_status": "syntax_error",
            },
        ),
        ("test_predict_values", None),
        ("test_sigmoid_values", mismatch("sigmoid")),
        test_predict_values="skipped",
    )
    document["submission"]["modules"]["model"] = "syntax_error"
    [first, second] = find_causes(parse_result(document))
    assert (first.kind, first.subject) == ("function", "sigmoid")
    assert (second.kind, second.subject, second.module_status) == (
        "module",
        "model",
        "syntax_error",
    )
    assert len(second.tests) == 2


def test_tests_that_did_not_run_and_grader_errors_come_last() -> None:
    """A test skipped once the time ran out is nobody's function to fix, nor is a failure of
    the grader: both come after the student's own mistakes, whatever their order."""
    document = with_failures(
        ("test_sigmoid_values", None),
        ("test_tanh_values", {"kind": "internal_error"}),
        ("test_predict_values", mismatch("predict")),
        test_sigmoid_values="skipped",
        test_tanh_values="error",
    )
    causes = find_causes(parse_result(document))
    assert [(cause.kind, cause.subject) for cause in causes] == [
        ("function", "predict"),
        ("not_run", ""),
        ("internal", ""),
    ]


@pytest.mark.parametrize("student", READABLE)
def test_every_failed_test_belongs_to_exactly_one_cause(student: str) -> None:
    result = parse_result(load_fixture(student))
    filed = [test.id for cause in find_causes(result) for test in cause.tests]
    failed = [test.id for test in result.tests if not test.passed]
    assert sorted(filed) == sorted(failed)
    assert len(set(filed)) == len(filed)
