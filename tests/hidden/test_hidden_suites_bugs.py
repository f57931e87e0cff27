"""Planted bugs lose their points, with the evidence and diagnosis a student needs.

Each bug replaces one function of the reference; the suites are run on the tests that
concern it (``-k``), and the named test must fail with the documented evidence.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import pytest

import reference.network as ref_network
from grader.checks import CheckFailure


def sigmoid_backward_from_Z(dA, Z):
    return dA * Z * (1.0 - Z)


def relu_backward_without_dA(dA, Z):
    return (Z > 0).astype(np.float64)


def softmax_without_max(Z):
    E = np.exp(Z)
    return E / E.sum(axis=0, keepdims=True)


def softmax_over_rows(Z):
    E = np.exp(Z - Z.max(axis=1, keepdims=True))
    return E / E.sum(axis=1, keepdims=True)


def textbook_sigmoid(Z):
    return 1.0 / (1.0 + np.exp(-Z))


def linear_backward_without_1_over_m(dZ, cache):
    A_prev, W, _ = cache
    return W.T @ dZ, dZ @ A_prev.T, np.sum(dZ, axis=1, keepdims=True)


def linear_backward_without_keepdims(dZ, cache):
    A_prev, W, _ = cache
    m = A_prev.shape[1]
    return W.T @ dZ, dZ @ A_prev.T / m, np.sum(dZ, axis=1) / m


def linear_backward_transposed_dW(dZ, cache):
    A_prev, W, _ = cache
    m = A_prev.shape[1]
    return W.T @ dZ, A_prev @ dZ.T / m, np.sum(dZ, axis=1, keepdims=True) / m


def binary_cross_entropy_backward_sign(AL, Y):
    return (Y / AL) - (1 - Y) / (1 - AL)


def binary_cross_entropy_summed(AL, Y):
    return float(-np.sum(Y * np.log(AL) + (1 - Y) * np.log(1 - AL)))


def binary_cross_entropy_as_array(AL, Y):
    m = AL.shape[1]
    return -(Y @ np.log(AL).T + (1 - Y) @ np.log(1 - AL).T) / m


def leaky_relu_ignoring_alpha(Z, alpha=0.01):
    return np.where(Z > 0, Z, 0.01 * Z)


def update_all_but_last_layer(parameters, grads, learning_rate):
    layers = len(parameters) // 2
    updated = dict(parameters)
    for layer in range(1, layers):
        updated[f"W{layer}"] = parameters[f"W{layer}"] - learning_rate * grads[f"dW{layer}"]
        updated[f"b{layer}"] = parameters[f"b{layer}"] - learning_rate * grads[f"db{layer}"]
    return updated


def predict_as_floats(X, parameters, hidden_activation="relu", output_activation="sigmoid"):
    AL, _ = ref_network.model_forward(X, parameters, hidden_activation, output_activation)
    return (AL > 0.5).astype(np.float64)


def tanh_returning_matrix(Z):
    return np.asmatrix(np.tanh(Z))


def relu_in_place(Z):
    Z[Z < 0] = 0.0
    return Z


def linear_backward_scaling_dZ_in_place(dZ, cache):
    A_prev, W, _ = cache
    dZ /= A_prev.shape[1]
    return W.T @ dZ * A_prev.shape[1], dZ @ A_prev.T, np.sum(dZ, axis=1, keepdims=True)


@dataclass(frozen=True)
class PlantedBug:
    name: str
    function: str
    implementation: Any
    select: str
    failing_test: str
    kind: str
    diagnosis: str | None = None


BUGS = [
    PlantedBug(
        "sigmoid_backward from Z",
        "sigmoid_backward",
        sigmoid_backward_from_Z,
        "sigmoid",
        "test_sigmoid_backward_values",
        "value_mismatch",
        "from_Z_not_activation",
    ),
    PlantedBug(
        "relu_backward without dA",
        "relu_backward",
        relu_backward_without_dA,
        "relu",
        "test_relu_backward_values",
        "value_mismatch",
        "missing_dA",
    ),
    PlantedBug(
        "softmax without subtracting the max",
        "softmax",
        softmax_without_max,
        "softmax",
        "test_softmax_stability",
        "not_finite",
        "unstable_softmax",
    ),
    PlantedBug(
        "softmax over the rows",
        "softmax",
        softmax_over_rows,
        "softmax",
        "test_softmax_values",
        "value_mismatch",
        "wrong_axis",
    ),
    PlantedBug(
        "linear_backward without 1/m",
        "linear_backward",
        linear_backward_without_1_over_m,
        "linear_backward",
        "test_linear_backward_values",
        "value_mismatch",
        "factor_m_missing",
    ),
    PlantedBug(
        "db without keepdims",
        "linear_backward",
        linear_backward_without_keepdims,
        "linear_backward",
        "test_linear_backward_values",
        "shape_mismatch",
        "missing_keepdims",
    ),
    PlantedBug(
        "transposed dW",
        "linear_backward",
        linear_backward_transposed_dW,
        "linear_backward",
        "test_linear_backward_values",
        "shape_mismatch",
        "transpose",
    ),
    PlantedBug(
        "sign error in the binary cross-entropy backward",
        "binary_cross_entropy_backward",
        binary_cross_entropy_backward_sign,
        "binary_cross_entropy",
        "test_binary_cross_entropy_backward_values",
        "value_mismatch",
        "sign",
    ),
    PlantedBug(
        "binary cross-entropy summed instead of averaged",
        "binary_cross_entropy",
        binary_cross_entropy_summed,
        "binary_cross_entropy",
        "test_binary_cross_entropy_values",
        "value_mismatch",
        "factor_m_missing",
    ),
    PlantedBug(
        "binary cross-entropy returned as a (1, 1) array",
        "binary_cross_entropy",
        binary_cross_entropy_as_array,
        "binary_cross_entropy",
        "test_binary_cross_entropy_values",
        "type_mismatch",
    ),
    PlantedBug(
        "leaky_relu ignoring alpha",
        "leaky_relu",
        leaky_relu_ignoring_alpha,
        "leaky_relu",
        "test_leaky_relu_values",
        "value_mismatch",
    ),
    PlantedBug(
        "update_parameters skipping the last layer",
        "update_parameters",
        update_all_but_last_layer,
        "update_parameters",
        "test_update_parameters_layers_and_rate",
        "value_mismatch",
    ),
    PlantedBug(
        "predict returning floats",
        "predict",
        predict_as_floats,
        "predict",
        "test_predict_sigmoid",
        "dtype_mismatch",
    ),
    PlantedBug(
        "tanh returning an ndarray subclass",
        "tanh",
        tanh_returning_matrix,
        "tanh",
        "test_tanh_values",
        "type_mismatch",
    ),
    PlantedBug(
        "relu writing into Z",
        "relu",
        relu_in_place,
        "relu",
        "test_relu_values",
        "mutated_input",
    ),
    PlantedBug(
        "linear_backward dividing dZ in place",
        "linear_backward",
        linear_backward_scaling_dZ_in_place,
        "linear_backward",
        "test_linear_backward_values",
        "mutated_input",
    ),
]


@pytest.mark.parametrize("bug", BUGS, ids=lambda bug: bug.name)
def test_planted_bug_fails_with_its_evidence(grade, reference_functions, bug):
    """The bug's test fails as a CheckFailure whose evidence names the mistake."""
    report = grade({**reference_functions, bug.function: bug.implementation}, select=bug.select)
    outcome = report.outcome(bug.failing_test)
    assert not outcome.passed
    assert isinstance(outcome.error, CheckFailure), outcome.error
    evidence = outcome.error.evidence
    assert evidence["kind"] == bug.kind
    assert evidence["function"] == bug.function
    assert evidence["call"].startswith(f"{bug.function}(")
    if bug.diagnosis is not None:
        assert evidence["diagnosis"]["code"] == bug.diagnosis
    messages = outcome.error.messages
    assert messages["en"] and messages["fr"] and messages["en"] != messages["fr"]


def test_sigmoid_backward_from_Z_also_fails_its_gradient_check(grade, reference_functions):
    """Both oracles catch it: the reference values and finite differences of sigmoid."""
    report = grade(
        {**reference_functions, "sigmoid_backward": sigmoid_backward_from_Z}, select="sigmoid"
    )
    evidence = report.evidence("test_sigmoid_backward_gradient")
    assert evidence["kind"] == "gradient_mismatch"
    assert evidence["tolerance"] == {"rtol": 1e-5, "atol": 1e-7}
    assert report.score("sigmoid") == 2


def test_value_failure_of_an_activation_carries_its_curve(grade, reference_functions):
    """The report can plot the student's derivative against the correct one on [-5, 5]."""
    report = grade(
        {**reference_functions, "relu_backward": relu_backward_without_dA}, select="relu"
    )
    curve = report.evidence("test_relu_backward_values")["curve"]
    assert curve["function"] == "relu_backward"
    assert len(curve["z"]) == len(curve["got"]) == len(curve["expected"]) == 41
    assert curve["z"][0] == -5.0 and curve["z"][-1] == 5.0
    assert curve["expected"][0] == 0.0 and curve["expected"][-1] == 1.0


def test_textbook_sigmoid_keeps_full_marks(grade, reference_functions):
    """1/(1+exp(-Z)) overflows with a warning at -1000 but its value is right: accepted."""
    report = grade({**reference_functions, "sigmoid": textbook_sigmoid}, select="sigmoid")
    assert report.failures() == {}
    assert report.score("sigmoid") == 4


def test_bug_in_a_dependency_loses_only_what_depends_on_it(grade, reference_functions):
    """A wrong linear_backward fails the linear_backward tests, not the forward ones."""
    report = grade(
        {**reference_functions, "linear_backward": linear_backward_without_1_over_m},
        select="linear_forward or linear_backward",
    )
    failed = set(report.failures())
    assert failed == {
        "test_linear_backward_values",
        "test_linear_backward_edge_cases",
        "test_linear_backward_gradient",
    }
    assert report.evidence("test_linear_backward_gradient")["diagnosis"]["code"] == (
        "factor_m_missing"
    )
