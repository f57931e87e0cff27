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


@pytest.mark.parametrize(("bug", "forward", "test"), CASES, ids=[case[2] for case in CASES])
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

    # The check is a real one: the student's own wrong forward fails the correct backward...
    assert not unknown.outcome(test).passed, f"{test} did not notice the wrong {forward}"
    # ...until the proxy says that forward is known wrong.
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
