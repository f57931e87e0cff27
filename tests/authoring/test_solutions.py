"""The answer key agrees with the reference, is stable and leaves its inputs alone."""

from __future__ import annotations

import numpy as np
import pytest

import reference.activations
import reference.losses
import reference.model
import reference.network
import solutions.activations
import solutions.losses
import solutions.model
import solutions.network

ACTIVATIONS = ("sigmoid", "tanh", "relu", "leaky_relu", "softmax")


@pytest.mark.parametrize("name", ACTIVATIONS)
def test_activation_pairs_match_the_reference(name: str) -> None:
    """Forward and backward equal the reference's on random inputs, and keep the inputs."""
    rng = np.random.default_rng(3)
    Z, dA = rng.standard_normal((4, 5)) * 3, rng.standard_normal((4, 5))
    Z_before, dA_before = Z.copy(), dA.copy()
    forward, backward = (
        getattr(solutions.activations, name),
        getattr(solutions.activations, f"{name}_backward"),
    )
    np.testing.assert_allclose(forward(Z), getattr(reference.activations, name)(Z), 1e-12, 1e-15)
    np.testing.assert_allclose(
        backward(dA, Z), getattr(reference.activations, f"{name}_backward")(dA, Z), 1e-12, 1e-15
    )
    np.testing.assert_array_equal(Z, Z_before)
    np.testing.assert_array_equal(dA, dA_before)


def test_stability_inputs_give_exact_limits_without_warnings() -> None:
    """Sigmoid at ±1000 and softmax of [1000, 5000, 6000] are finite and exact."""
    np.testing.assert_array_equal(
        solutions.activations.sigmoid(np.array([[-1000.0, 1000.0]])), [[0.0, 1.0]]
    )
    np.testing.assert_allclose(
        solutions.activations.softmax(np.array([[1000.0], [5000.0], [6000.0]])),
        [[0.0], [0.0], [1.0]],
    )
    cost = solutions.losses.binary_cross_entropy(np.array([[1e-12, 1 - 1e-12]]), np.array([[1, 0]]))
    assert np.isfinite(cost) and cost == pytest.approx(-np.log(1e-12), rel=1e-3)


@pytest.mark.parametrize(
    ("hidden", "output", "classes"), [("relu", "sigmoid", 1), ("tanh", "softmax", 3)]
)
def test_training_and_prediction_match_the_reference(
    hidden: str, output: str, classes: int
) -> None:
    """train's costs and parameters, and predict's integer labels, equal the reference's."""
    rng = np.random.default_rng(5)
    X = rng.standard_normal((2, 8))
    if output == "softmax":
        Y = np.eye(classes)[:, rng.integers(0, classes, 8)]
    else:
        Y = rng.integers(0, 2, (1, 8)).astype(float)
    start = reference.network.initialize_parameters([2, 4, classes], 2)
    mine, my_costs = solutions.model.train(X, Y, start, 0.3, 15, hidden, output)
    theirs, their_costs = reference.model.train(X, Y, start, 0.3, 15, hidden, output)
    np.testing.assert_allclose(my_costs, their_costs, rtol=1e-10)
    assert my_costs[-1] < my_costs[0]
    for key in theirs:
        np.testing.assert_allclose(mine[key], theirs[key], rtol=1e-10, atol=1e-12)
    predicted = solutions.model.predict(X, mine, hidden, output)
    assert predicted.shape == (1, 8) and predicted.dtype.kind == "i"
    np.testing.assert_array_equal(predicted, reference.model.predict(X, theirs, hidden, output))


def test_update_parameters_returns_new_arrays() -> None:
    """One step is W - η dW; the caller's parameters are left as they were."""
    parameters = solutions.network.initialize_parameters([3, 2], 0)
    grads = {"dW1": np.ones((2, 3)), "db1": np.ones((2, 1))}
    before = {key: value.copy() for key, value in parameters.items()}
    updated = solutions.network.update_parameters(parameters, grads, 0.5)
    np.testing.assert_allclose(updated["W1"], before["W1"] - 0.5)
    np.testing.assert_allclose(updated["b1"], -0.5 * np.ones((2, 1)))
    np.testing.assert_array_equal(parameters["W1"], before["W1"])
