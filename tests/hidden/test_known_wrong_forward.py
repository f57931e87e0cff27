"""A forward already found wrong is not held against the backward that matches it.

Finite differences of the student's own forward judge their backward; when an earlier test
has found that forward wrong (the proxy's `known_wrong`), the same bug would cost the
backward's points too. Then only the reference forward's differences judge it: a correct
backward passes, a wrong one still fails.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import pytest

import reference.network as ref_network
from grader.hidden._support import ReferenceCalls, same_form


def softmax_over_rows(Z):
    E = np.exp(Z - Z.max(axis=1, keepdims=True))
    return E / E.sum(axis=1, keepdims=True)


def sigmoid_doubled(Z):
    return 2.0 / (1.0 + np.exp(-Z))


def leaky_relu_ignoring_alpha(Z, alpha=0.01):
    return np.where(Z > 0, Z, 0.01 * Z)


def binary_cross_entropy_summed(AL, Y):
    return float(-np.sum(Y * np.log(AL) + (1 - Y) * np.log(1 - AL)))


def categorical_cross_entropy_summed(AL, Y):
    return float(-np.sum(Y * np.log(AL)))


def wrong_backward(dA, Z, **kwargs):
    return 0.5 * dA


# (wrong forward, its name, the gradient test judging the matching backward)
CASES = [
    (softmax_over_rows, "softmax", "test_softmax_backward_gradient"),
    (sigmoid_doubled, "sigmoid", "test_sigmoid_backward_gradient"),
    (leaky_relu_ignoring_alpha, "leaky_relu", "test_leaky_relu_backward_gradient"),
    (
        binary_cross_entropy_summed,
        "binary_cross_entropy",
        "test_binary_cross_entropy_backward_gradient",
    ),
    (
        categorical_cross_entropy_summed,
        "categorical_cross_entropy",
        "test_categorical_cross_entropy_backward",
    ),
]


# --- the network's forwards: their caches and their finite differences -----------------


def linear_forward_without_b(A_prev, W, b):
    return W @ A_prev, (A_prev, W, b)


def linear_activation_forward_always_relu(A_prev, W, b, activation):
    return ref_network.linear_activation_forward(A_prev, W, b, "relu")


def model_forward_with_relu_hidden_layers(
    X, parameters, hidden_activation="relu", output_activation="sigmoid"
):
    return ref_network.model_forward(X, parameters, "relu", output_activation)


def model_forward_skipping_the_hidden_layers(
    X, parameters, hidden_activation="relu", output_activation="sigmoid"
):
    L = len(parameters) // 2
    A = X
    AL, cache = ref_network.linear_activation_forward(
        A, parameters[f"W{L}"], parameters[f"b{L}"], output_activation
    )
    return AL, [cache]


# (wrong forward, its name, a test of the backward that takes its cache or its differences)
NETWORK_CASES = [
    (linear_forward_without_b, "linear_forward", "test_linear_backward_gradient"),
    (
        linear_activation_forward_always_relu,
        "linear_activation_forward",
        "test_linear_activation_backward_gradient",
    ),
    *(
        (model_forward_with_relu_hidden_layers, "model_forward", test)
        for test in (
            "test_model_backward_activations",
            "test_model_backward_edge_cases",
            "test_model_backward_gradient_sigmoid_output",
            "test_model_backward_gradient_softmax_output",
        )
    ),
    # Its caches: a list of one layer's cache where the network has three.
    (
        model_forward_skipping_the_hidden_layers,
        "model_forward",
        "test_model_backward_gradient_softmax_output",
    ),
]


@pytest.mark.parametrize(
    ("bug", "forward", "test"),
    CASES + NETWORK_CASES,
    ids=[f"{case[1]}-{case[2]}" for case in CASES + NETWORK_CASES],
)
def test_a_wrong_forward_costs_the_backward_nothing_once_known(
    grade: Callable[..., Any],
    reference_functions: dict[str, Callable[..., Any]],
    bug: Callable[..., Any],
    forward: str,
    test: str,
) -> None:
    functions = {**reference_functions, forward: bug}
    unknown = grade(functions, select=test)
    known = grade(functions, select=test, known_wrong=[forward])

    # The check is a real one: the student's own wrong forward (its values, its cache or its
    # differences) fails the correct backward...
    assert not unknown.outcome(test).passed, f"{test} did not notice the wrong {forward}"
    # ...until the proxy says that forward is known wrong: the reference's stand in.
    assert known.outcome(test).passed, known.failures()


@pytest.mark.parametrize(
    ("forward", "backward", "test"),
    [
        ("softmax", "softmax_backward", "test_softmax_backward_gradient"),
        ("sigmoid", "sigmoid_backward", "test_sigmoid_backward_gradient"),
    ],
)
def test_a_wrong_backward_still_fails_when_its_forward_is_known_wrong(
    grade: Callable[..., Any],
    reference_functions: dict[str, Callable[..., Any]],
    forward: str,
    backward: str,
    test: str,
) -> None:
    functions = {**reference_functions, backward: wrong_backward}
    report = grade(functions, select=test, known_wrong=[forward])
    outcome = report.outcome(test)
    assert not outcome.passed
    # Judged by the reference forward's differences, and the message says so.
    assert f"the correct {forward}" in str(outcome.error), outcome.error


def model_backward_without_the_mean(AL, Y, caches, hidden_activation="relu", **kwargs):
    grads = ref_network.model_backward(AL, Y, caches, hidden_activation, **kwargs)
    return {key: value * AL.shape[1] for key, value in grads.items()}


@pytest.mark.parametrize(
    "test",
    ["test_model_backward_gradient_sigmoid_output", "test_model_backward_activations"],
)
def test_a_wrong_model_backward_still_fails_when_model_forward_is_known_wrong(
    grade: Callable[..., Any], reference_functions: dict[str, Callable[..., Any]], test: str
) -> None:
    functions = {
        **reference_functions,
        "model_forward": model_forward_with_relu_hidden_layers,
        "model_backward": model_backward_without_the_mean,
    }
    report = grade(functions, select=test, known_wrong=["model_forward"])
    outcome = report.outcome(test)
    assert not outcome.passed
    if "gradient" in test:  # judged by the correct forward's differences, and said so
        assert "through the correct model_forward" in str(outcome.error), outcome.error


def linear_forward_without_b_keeping_a_dict(A_prev, W, b):
    return W @ A_prev, {"inputs": A_prev, "weights": W}


def linear_backward_reading_the_dict(dZ, cache):
    A_prev, W = cache["inputs"], cache["weights"]
    m = A_prev.shape[1]
    return W.T @ dZ, dZ @ A_prev.T / m, np.sum(dZ, axis=1, keepdims=True) / m


@pytest.mark.parametrize(
    "test",
    ["test_linear_backward_values", "test_linear_backward_gradient"],
)
def test_a_cache_of_the_students_own_form_stays_theirs(
    grade: Callable[..., Any], reference_functions: dict[str, Callable[..., Any]], test: str
) -> None:
    # Only their backward reads a dict cache: the reference's tuple would break it.
    functions = {
        **reference_functions,
        "linear_forward": linear_forward_without_b_keeping_a_dict,
        "linear_backward": linear_backward_reading_the_dict,
    }
    report = grade(functions, select=test, known_wrong=["linear_forward"])
    assert report.outcome(test).passed, report.failures()


@pytest.mark.parametrize(
    ("own", "reference", "alike"),
    [
        ((np.zeros((2, 3)), [np.ones(1)]), (np.ones((2, 3)), (np.zeros(1),)), True),
        ({"W": np.zeros((2, 2))}, {"W": np.ones((2, 2))}, True),
        ((np.zeros((3, 2)),), (np.zeros((2, 3)),), False),
        ({"W": np.zeros(2)}, {"V": np.zeros(2)}, False),
        ((np.zeros(2), np.zeros(2)), (np.zeros(2),), False),
        # A list of per-layer caches may miss some: each still has a layer's form...
        ([(np.zeros((1, 3)),)], [(np.zeros((2, 3)),), (np.zeros((1, 3)),)], True),
        # ...but not a layer's cache of another form, nor a tuple of another length.
        ([(np.zeros((3, 1)),)], [(np.zeros((2, 3)),), (np.zeros((1, 3)),)], False),
        ((np.zeros(2),), (np.zeros(2), np.zeros(2)), False),
        ([], [(np.zeros(2),)], True),
        ((), (np.zeros(2),), False),
        ("a cache", (np.zeros(2),), False),
        ((np.zeros(2), 1.5), (np.zeros(2), "relu"), False),
    ],
)
def test_same_form_compares_nesting_keys_and_shapes(own: Any, reference: Any, alike: bool) -> None:
    assert same_form(own, reference) is alike


def test_reference_calls_perturb_as_the_sandbox_does(
    stand_in: Callable[..., Any], reference_functions: dict[str, Callable[..., Any]]
) -> None:
    rng = np.random.default_rng(7)
    X = rng.standard_normal((3, 4))
    parameters = {
        "W1": rng.standard_normal((2, 3)),
        "b1": rng.standard_normal((2, 1)),
        "W2": rng.standard_normal((1, 2)),
        "b2": rng.standard_normal((1, 1)),
    }
    options = {
        "targets": [("args", 1, "W1"), ("args", 1, "b2"), ("args", 0)],
        "step": 1e-5,
        "pick": 0,
        "stacked": True,
    }
    kwargs = {"hidden_activation": "tanh"}
    before = {key: value.copy() for key, value in parameters.items()}, X.copy()
    ours = ReferenceCalls(ref_network).call_perturbed(
        "model_forward", (X, parameters), kwargs, **options
    )
    sandboxed = stand_in(reference_functions).call_perturbed(
        "model_forward", (X, parameters), kwargs, **options
    )
    assert isinstance(ours, np.ndarray) and ours.shape == (2 * (6 + 1 + 12), 1, 4)
    np.testing.assert_array_equal(ours, sandboxed)
    # The base call's own arrays are left as they were: the perturbed ones are copies.
    for key, value in before[0].items():
        np.testing.assert_array_equal(parameters[key], value)
    np.testing.assert_array_equal(X, before[1])
