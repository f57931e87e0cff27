"""The same bug costs every student the same: each student's inputs are drawn from their id,
and a test must catch its bug whatever the draw.

Each bug below was caught by its test for some students only, before the inputs were made
to reach what the bug gets wrong (a small |z| on the right side of 0, both classes).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import pytest

import reference.model as ref_model
import reference.network as ref_network

STUDENTS = range(20260101, 20260113)  # twelve students' seeds


def sigmoid_switched_at_one(Z):
    E = np.exp(-np.abs(Z))
    return np.where(Z >= 1, 1.0 / (1.0 + E), E / (1.0 + E))


def relu_backward_switched_at_one(dA, Z):
    return dA * (Z > 1)


def leaky_relu_backward_switched_at_one(dA, Z, alpha=0.01):
    return dA * np.where(Z > 1, 1.0, alpha)


def predict_thresholded_at_one_and_a_half(
    X, parameters, hidden_activation="relu", output_activation="sigmoid"
):
    if output_activation == "softmax":
        return ref_model.predict(X, parameters, hidden_activation, output_activation)
    AL, _ = ref_network.model_forward(X, parameters, hidden_activation)
    return (AL > 1.5).astype(np.int64)


# (the bug, the function it replaces, the test that must catch it for every student)
BUGS = [
    (sigmoid_switched_at_one, "sigmoid", "test_sigmoid_values"),
    (relu_backward_switched_at_one, "relu_backward", "test_relu_backward_values"),
    (leaky_relu_backward_switched_at_one, "leaky_relu_backward", "test_leaky_relu_backward_values"),
    (relu_backward_switched_at_one, "relu_backward", "test_relu_backward_gradient"),
    (
        leaky_relu_backward_switched_at_one,
        "leaky_relu_backward",
        "test_leaky_relu_backward_gradient",
    ),
    (predict_thresholded_at_one_and_a_half, "predict", "test_predict_sigmoid"),
]


@pytest.mark.parametrize(("bug", "function", "test"), BUGS, ids=[bug[2] for bug in BUGS])
def test_the_bug_is_caught_whoever_the_student(
    grade: Callable[..., Any],
    reference_functions: dict[str, Callable[..., Any]],
    bug: Callable[..., Any],
    function: str,
    test: str,
) -> None:
    functions = {**reference_functions, function: bug}
    passed_for = [
        seed
        for seed in STUDENTS
        if grade(functions, select=test, student_seed=seed).outcome(test).passed
    ]
    assert passed_for == [], f"{test} let {function}'s bug through for students {passed_for}"
