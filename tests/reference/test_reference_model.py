"""reference.model: the training loop's bookkeeping and predictions on hand-made networks."""

from __future__ import annotations

import itertools

import numpy as np
import pytest

from reference import losses
from reference import model as md
from reference import network as nw


def small_problem() -> tuple[np.ndarray, np.ndarray, dict[str, np.ndarray]]:
    rng = np.random.default_rng(8)
    X = rng.standard_normal((2, 12))
    Y = (X[0:1] + X[1:2] > 0).astype(np.float64)
    return X, Y, nw.initialize_parameters([2, 3, 1], seed=8)


def test_costs_are_the_costs_before_each_update() -> None:
    """costs[i] is the cost of the parameters after i steps, so costs[0] is the starting cost."""
    X, Y, start = small_problem()
    after_two, costs = md.train(X, Y, start, learning_rate=0.5, num_iterations=3)
    assert len(costs) == 3
    assert all(type(cost) is float for cost in costs)
    assert costs[0] == losses.binary_cross_entropy(nw.model_forward(X, start)[0], Y)
    one_step, _ = md.train(X, Y, start, learning_rate=0.5, num_iterations=1)
    assert costs[1] == pytest.approx(
        losses.binary_cross_entropy(nw.model_forward(X, one_step)[0], Y)
    )
    # the returned parameters come after the last update, one step beyond costs[-1]
    two_steps, _ = md.train(X, Y, start, learning_rate=0.5, num_iterations=2)
    final, _ = md.train(X, Y, two_steps, learning_rate=0.5, num_iterations=1)
    for key in start:
        np.testing.assert_allclose(after_two[key], final[key], rtol=1e-13)


def test_one_iteration_is_one_gradient_step() -> None:
    """train(..., 1) returns W - η dW, b - η db with the gradients at the start."""
    X, Y, start = small_problem()
    AL, caches = nw.model_forward(X, start)
    grads = nw.model_backward(AL, Y, caches)
    trained, _ = md.train(X, Y, start, learning_rate=0.3, num_iterations=1)
    for key, value in start.items():
        np.testing.assert_allclose(trained[key], value - 0.3 * grads[f"d{key}"], rtol=1e-14)


def test_small_steps_decrease_the_cost() -> None:
    """With a small learning rate, full-batch descent lowers the cost at every step."""
    X, Y, start = small_problem()
    _, costs = md.train(
        X, Y, start, learning_rate=0.05, num_iterations=50, hidden_activation="tanh"
    )
    assert all(later < earlier for earlier, later in itertools.pairwise(costs))


def test_zero_iterations_return_a_copy_and_no_costs() -> None:
    """num_iterations=0 gives back equal parameters in new arrays, and an empty list."""
    X, Y, start = small_problem()
    trained, costs = md.train(X, Y, start, num_iterations=0)
    assert costs == []
    for key in start:
        np.testing.assert_array_equal(trained[key], start[key])
        assert not np.shares_memory(trained[key], start[key])


@pytest.mark.parametrize("iterations", [-1, 2.5])
def test_train_refuses_a_bad_number_of_iterations(iterations: float) -> None:
    X, Y, start = small_problem()
    with pytest.raises(ValueError, match="num_iterations"):
        md.train(X, Y, start, num_iterations=iterations)  # type: ignore[arg-type]


def test_predict_thresholds_a_sigmoid_output_at_one_half() -> None:
    """Logistic regression with W = [[1, 0]], b = 0 predicts 1 exactly where x_1 > 0."""
    X = np.array([[-2.0, -0.1, 0.1, 3.0], [5.0, 5.0, -5.0, 0.0]])
    parameters = {"W1": np.array([[1.0, 0.0]]), "b1": np.zeros((1, 1))}
    predictions = md.predict(X, parameters)
    assert predictions.dtype == np.int64
    np.testing.assert_array_equal(predictions, [[0, 0, 1, 1]])


def test_predict_takes_the_argmax_of_a_softmax_output() -> None:
    """With W = identity and b = 0, the predicted class is the row of each column's maximum."""
    X = np.array([[3.0, 0.0, 1.0], [1.0, 0.0, 5.0], [2.0, 9.0, 0.0]])
    parameters = {"W1": np.eye(3), "b1": np.zeros((3, 1))}
    predictions = md.predict(X, parameters, output_activation="softmax")
    assert predictions.dtype == np.int64
    np.testing.assert_array_equal(predictions, [[0, 2, 1]])
