"""Hidden suite: model.py (train, predict), against the reference from the same start.

Sizes are small and iterations few: the point is the same descent step by step, not a
trained model. Prediction inputs are drawn away from ties (AL = 0.5, equal class scores).
"""

from __future__ import annotations

from itertools import zip_longest
from typing import Any

import numpy as np
import pytest

import reference.model as ref
import reference.network as ref_network
from grader.checks import (
    describe_call,
    expect_array,
    expect_cost_type,
    expect_sequence,
    fail_property,
)
from grader.hidden._network_checks import THE_PARAMETERS, check_parameter_dict
from grader.hidden._support import (
    Parameters,
    Student,
    binary_labels,
    call_pure,
    copy_parameters,
    one_hot,
    random_parameters,
)
from grader.i18n import N_, Text

# Predictions are only graded where the decision is clear-cut by at least this much.
DECISION_MARGIN = 1e-3


def _check_train(
    student: Student,
    X: np.ndarray,
    Y: np.ndarray,
    parameters: Parameters,
    **kwargs: Any,
) -> None:
    call = describe_call("train", {"X": X, "Y": Y, "parameters": parameters, **kwargs})
    trained, costs = expect_sequence(
        student.call("train", X, Y, copy_parameters(parameters), **kwargs),
        length=2,
        function="train",
        call=call,
        names="(parameters, costs)",
    )
    expected_parameters, expected_costs = ref.train(X, Y, copy_parameters(parameters), **kwargs)
    if isinstance(costs, np.ndarray) and costs.ndim == 1:
        costs = list(costs)
    if not isinstance(costs, list | tuple) or len(costs) != len(expected_costs):
        if isinstance(costs, list | tuple):
            returned = Text(
                "%(call)s must return one cost per iteration (%(expected)s), as a list of "
                "floats, but returned %(count)s. Append the cost before each update.",
                call=call,
                expected=len(expected_costs),
                count=len(costs),
            )
        else:
            returned = Text(
                "%(call)s must return one cost per iteration (%(expected)s), as a list of "
                "floats, but returned no list. Append the cost before each update.",
                call=call,
                expected=len(expected_costs),
            )
        raise fail_property(
            returned,
            function="train",
            call=call,
            array="costs",
        )
    values = np.array([expect_cost_type(cost, function="train", call=call) for cost in costs])
    expect_array(values, np.array(expected_costs), function="train", name="costs", call=call)
    check_parameter_dict(
        trained, expected_parameters, function="train", call=call, what=Text(THE_PARAMETERS)
    )


@pytest.mark.graded(
    exercise="training",
    points=1,
    title=N_("train: costs and parameters of a ReLU network with a sigmoid output"),
)
def test_train_sigmoid_output(student, rng):
    X = rng.standard_normal((3, 10))
    parameters = random_parameters(rng, [3, 4, 1])
    _check_train(
        student, X, binary_labels(rng, 10), parameters, learning_rate=0.3, num_iterations=6
    )


@pytest.mark.graded(
    exercise="training",
    points=1,
    title=N_("train: a tanh network with a softmax output, and logistic regression"),
)
def test_train_softmax_and_logistic(student, rng):
    X = rng.standard_normal((4, 9))
    _check_train(
        student,
        X,
        one_hot(rng, 3, 9),
        random_parameters(rng, [4, 5, 3]),
        learning_rate=0.2,
        num_iterations=5,
        hidden_activation="tanh",
        output_activation="softmax",
    )
    _check_train(
        student, X, binary_labels(rng, 9), random_parameters(rng, [4, 1]), num_iterations=4
    )


def _clear_cut_inputs(
    rng: np.random.Generator, parameters: Parameters, n_x: int, m: int, **kwargs: str
) -> np.ndarray:
    """X (n_x, m) whose outputs are not within DECISION_MARGIN of a decision boundary, the
    classes they fall in taken in turn, so that each class drawn is in X when it can be."""
    X = rng.standard_normal((n_x, 4 * m))
    AL, _ = ref_network.model_forward(X, parameters, **kwargs)
    if AL.shape[0] == 1:
        margin = np.abs(AL[0] - 0.5)
        classes = (AL[0] > 0.5).astype(np.int64)
    else:
        top_two = np.sort(AL, axis=0)[-2:]
        margin = top_two[1] - top_two[0]
        classes = np.argmax(AL, axis=0)
    clear = np.flatnonzero(margin > DECISION_MARGIN)
    by_class = [clear[classes[clear] == label] for label in np.unique(classes[clear])]
    in_turn = [column for turn in zip_longest(*by_class) for column in turn if column is not None]
    return X[:, sorted(in_turn[:m])]


def _centred_output(rng: np.random.Generator, parameters: Parameters, n_x: int) -> Parameters:
    """`parameters` (a sigmoid output) with the output bias moved so that random inputs fall
    on both sides of the decision boundary, half on each: a predict that answers one class
    whatever the input, or misplaces the threshold, cannot pass by luck of the draw."""
    _, caches = ref_network.model_forward(rng.standard_normal((n_x, 64)), parameters)
    Z = caches[-1][1]
    layers = len(parameters) // 2
    parameters[f"b{layers}"] = parameters[f"b{layers}"] - np.median(Z)
    return parameters


def _check_predict(student: Student, X: np.ndarray, parameters: Parameters, **kwargs: str) -> None:
    call = describe_call("predict", {"X": X, "parameters": parameters, **kwargs})
    expect_array(
        call_pure(student, "predict", X, parameters, **kwargs),
        ref.predict(X, copy_parameters(parameters), **kwargs),
        function="predict",
        name="predictions",
        call=call,
        dtype=np.integer,
        rtol=0.0,
        atol=0.0,
    )


@pytest.mark.graded(
    exercise="training",
    points=1,
    title=N_("predict: 0/1 integers of shape (1, m) for a sigmoid output"),
)
def test_predict_sigmoid(student, rng):
    parameters = _centred_output(rng, random_parameters(rng, [3, 4, 1]), 3)
    _check_predict(student, _clear_cut_inputs(rng, parameters, 3, 11), parameters)
    logistic = random_parameters(rng, [3, 1])
    _check_predict(student, _clear_cut_inputs(rng, logistic, 3, 1), logistic)


@pytest.mark.graded(
    exercise="training",
    points=1,
    title=N_("predict: the class index (argmax over rows) for a softmax output"),
)
def test_predict_softmax(student, rng):
    kwargs = {"hidden_activation": "leaky_relu", "output_activation": "softmax"}
    parameters = random_parameters(rng, [3, 5, 4])
    _check_predict(
        student, _clear_cut_inputs(rng, parameters, 3, 12, **kwargs), parameters, **kwargs
    )
