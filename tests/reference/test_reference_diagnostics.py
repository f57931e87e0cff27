"""reference.diagnostics on hand-made gradients, activations and networks."""

from __future__ import annotations

import numpy as np
import pytest

from reference import diagnostics as dg


def test_gradient_norms_are_frobenius_norms_by_layer() -> None:
    """||[[3, 4]]|| = 5 and ||[[1, 2], [2, 4]]|| = 5; bias gradients are ignored."""
    grads = {
        "dW2": np.array([[1.0, 2.0], [2.0, 4.0]]),
        "dW1": np.array([[3.0, 4.0]]),
        "db1": np.array([[100.0]]),
        "db2": np.ones((2, 1)),
    }
    norms = dg.gradient_norms(grads)
    assert norms.dtype == np.float64 and norms.tolist() == [5.0, 5.0]
    with pytest.raises(ValueError, match="model_backward"):
        dg.gradient_norms({"db1": np.ones((1, 1))})
    with pytest.raises(ValueError, match=r"dW1, dW2, \.\.\., dWL"):
        dg.gradient_norms({"dW1": np.ones((1, 1)), "dW3": np.ones((1, 1))})


def test_vanishing_and_exploding_are_judged_by_the_first_to_last_ratio() -> None:
    """Ratio 1/200 vanishes, 200 explodes, 1/50 does neither at the default factor 100."""

    def grads(first: float) -> dict[str, np.ndarray]:
        return {"dW1": np.array([[first]]), "dW2": np.array([[0.0]]), "dW3": np.array([[1.0]])}

    assert dg.first_to_last_gradient_ratio(grads(0.005)) == pytest.approx(1 / 200)
    assert dg.gradients_vanish(grads(0.005)) and not dg.gradients_explode(grads(0.005))
    assert dg.gradients_explode(grads(200.0)) and not dg.gradients_vanish(grads(200.0))
    assert not dg.gradients_vanish(grads(0.02)) and not dg.gradients_explode(grads(0.02))
    assert dg.gradients_vanish(grads(0.02), factor=10)
    assert dg.gradients_explode({"dW1": np.array([[np.nan]]), "dW2": np.array([[1.0]])})
    assert dg.gradients_vanish(grads(0.01)) and dg.gradients_explode(grads(100.0))  # the edges


def test_dead_relu_fraction_counts_units_never_active_on_the_batch() -> None:
    """Of four units, one is always <= 0 and one only sometimes: 1/4 are dead."""
    Z = np.array([[-1.0, 0.0, -3.0], [-1.0, 2.0, -3.0], [1.0, 1.0, 1.0], [0.5, -1.0, 0.0]])
    assert dg.dead_relu_fraction(Z) == 0.25
    assert dg.dead_relu_fraction(np.zeros((2, 3))) == 1.0


def test_saturated_fraction_measures_distance_to_the_asymptotes() -> None:
    """Entries within the threshold of 0/1 (sigmoid) or -1/1 (tanh) count as saturated."""
    A = np.array([[0.005, 0.5, 0.995, 0.98]])
    assert dg.saturated_fraction(A, "sigmoid") == 0.5
    assert dg.saturated_fraction(A, "sigmoid", threshold=0.05) == 0.75
    T = np.array([[-0.999, 0.0, 0.995, 0.5]])
    assert dg.saturated_fraction(T, "tanh") == 0.5
    with pytest.raises(ValueError, match="sigmoid and tanh"):
        dg.saturated_fraction(A, "relu")
    with pytest.raises(ValueError, match="threshold"):
        dg.saturated_fraction(A, "sigmoid", threshold=0.0)


def test_hidden_layer_report_finds_dead_and_saturated_units() -> None:
    """A unit with a bias of -100 is dead; weights of 100 saturate every sigmoid unit."""
    X = np.random.default_rng(0).uniform(-1.0, 1.0, size=(2, 50))
    parameters = {
        "W1": np.array([[1.0, 1.0], [1.0, -1.0]]),
        "b1": np.array([[-100.0], [0.0]]),
        "W2": np.ones((1, 2)),
        "b2": np.zeros((1, 1)),
    }
    assert dg.hidden_layer_report(X, parameters, "relu") == {1: 0.5}
    saturating = {**parameters, "W1": 100.0 * np.array([[1.0, 0.0], [0.0, 1.0]])}
    saturating["b1"] = np.zeros((2, 1))
    X_far = np.array([[1.0, -1.0, 0.5], [-0.5, 2.0, 1.0]])
    assert dg.hidden_layer_report(X_far, saturating, "sigmoid") == {1: 1.0}
    with pytest.raises(ValueError, match="leaky_relu"):
        dg.hidden_layer_report(X, parameters, "leaky_relu")
