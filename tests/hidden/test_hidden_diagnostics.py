"""The diagnostics suite: planted mistakes lose exactly their test, with the spec's diagnosis.

Each mistake replaces one function of the reference; the suite runs on diagnostics only.
"""

from __future__ import annotations

import numpy as np
import pytest

import reference.diagnostics as ref
from grader.catalog import get_exercise, max_score


def norms_squared(grads):
    return ref.gradient_norms(grads) ** 2


def norms_in_dict_order(grads):
    return np.array([np.linalg.norm(value) for key, value in grads.items() if key[:2] == "dW"])


def dead_if_any_example(Z):
    return float(np.mean(np.any(Z <= 0, axis=1)))


def dead_entries(Z):
    return float(np.mean(Z <= 0))


def saturated_near_one_only(A, activation, threshold=0.01):
    return float(np.mean(np.abs(A - 1.0) <= threshold))


def vanish_by_ratio_to_the_second_layer(grads, factor=100.0):
    norms = ref.gradient_norms(grads)
    return bool(factor * norms[0] <= norms[1])


def explode_ignoring_nan(grads, factor=100.0):
    norms = ref.gradient_norms(grads)
    return bool(norms[0] >= factor * norms[-1])


def fraction_as_array(Z):
    return np.mean(np.all(Z <= 0, axis=1), keepdims=True)


@pytest.mark.parametrize(
    ("function", "mistake", "failing_test", "code"),
    [
        ("gradient_norms", norms_squared, "test_gradient_norms_values", "squared_norms"),
        (
            "gradient_norms",
            norms_in_dict_order,
            "test_gradient_norms_values",
            "layers_in_dict_order",
        ),
        ("dead_relu_fraction", dead_if_any_example, "test_dead_relu_fraction", "dead_any_example"),
        ("dead_relu_fraction", dead_entries, "test_dead_relu_fraction", "dead_entries"),
        (
            "saturated_fraction",
            saturated_near_one_only,
            "test_saturated_fraction",
            "one_asymptote",
        ),
    ],
)
def test_a_known_mistake_fails_its_test_with_its_diagnosis(
    grade, reference_functions, function, mistake, failing_test, code
) -> None:
    """Only the mistaken function's test fails, named by the spec's diagnosis."""
    report = grade({**reference_functions, function: mistake}, select="diagnostics")
    assert set(report.failures()) == {failing_test}
    evidence = report.evidence(failing_test)
    assert evidence["kind"] == "value_mismatch"
    assert evidence["diagnosis"]["code"] == code
    expected = get_exercise("diagnostics").mistake(code)
    assert evidence["diagnosis"]["en"].split(":")[0] in expected.message


@pytest.mark.parametrize(
    ("function", "mistake", "failing_test"),
    [
        ("gradients_vanish", vanish_by_ratio_to_the_second_layer, "test_gradients_vanish"),
        ("gradients_explode", explode_ignoring_nan, "test_gradients_explode"),
        ("dead_relu_fraction", fraction_as_array, "test_dead_relu_fraction"),
    ],
)
def test_a_wrong_verdict_or_type_fails_with_a_sentence(
    grade, reference_functions, function, mistake, failing_test
) -> None:
    """A wrong True/False, or a fraction returned as an array, fails with what to do."""
    report = grade({**reference_functions, function: mistake}, select="diagnostics")
    assert set(report.failures()) == {failing_test}
    error = report.failures()[failing_test]
    assert error.evidence["kind"] == "property"
    assert error.messages["en"].startswith(f"{function}(")
    assert error.messages["en"] != error.messages["fr"]


def test_a_submission_without_diagnostics_keeps_every_other_point(grade, reference_functions):
    """An older handout without diagnostics.py loses that exercise's points and no other."""
    names = set(get_exercise("diagnostics").functions)
    report = grade({k: v for k, v in reference_functions.items() if k not in names})
    points = get_exercise("diagnostics").points
    assert report.score() == max_score() - points
    assert {report.outcomes[name].exercise for name in report.failures()} == {"diagnostics"}
