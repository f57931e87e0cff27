"""The lecture's story, told by the reference on its datasets.

A line cannot separate two moons but one hidden layer can; softmax handles several classes;
deep sigmoid networks starve their first layers of gradient where ReLU networks do not.
"""

from __future__ import annotations

import numpy as np

from reference import datasets as ds
from reference import diagnostics as dg
from reference import model as md
from reference import network as nw


def accuracy(predictions: np.ndarray, labels: np.ndarray) -> float:
    return float(np.mean(predictions == labels))


def test_one_hidden_layer_separates_two_moons_where_a_line_cannot() -> None:
    """[2, 16, 1] with ReLU reaches >= 95% training accuracy; logistic regression <= 90%."""
    X, Y = ds.two_moons(200, noise=0.1, seed=0)
    network, _ = md.train(X, Y, nw.initialize_parameters([2, 16, 1], seed=1), 0.5, 2000)
    logistic, costs = md.train(X, Y, nw.initialize_parameters([2, 1], seed=1), 1.0, 2000)
    assert accuracy(md.predict(X, network), Y) >= 0.95
    # Logistic regression has converged (its cost no longer moves), and still fails.
    assert abs(costs[-1] - costs[-100]) < 1e-4
    assert accuracy(md.predict(X, logistic), Y) <= 0.90


def test_a_softmax_network_classifies_a_three_arm_spiral() -> None:
    """[2, 32, 3] with ReLU hidden units and a softmax output: >= 90% on 3 spiral arms."""
    X, Y = ds.spiral(300, arms=3, noise=0.2, seed=0)
    parameters = nw.initialize_parameters([2, 32, 3], seed=1)
    trained, costs = md.train(X, Y, parameters, 1.0, 2000, "relu", "softmax")
    labels = np.argmax(Y, axis=0).reshape(1, -1)
    assert accuracy(md.predict(X, trained, "relu", "softmax"), labels) >= 0.90
    assert costs[-1] < costs[0]


def test_deep_sigmoid_networks_have_vanishing_gradients_and_relu_ones_do_not() -> None:
    """Ten layers: ||dW1|| is >= 100x smaller than ||dW10|| with sigmoid, not with ReLU."""
    X, Y = ds.two_moons(200, noise=0.1, seed=0)
    parameters = nw.initialize_parameters([2] + [16] * 9 + [1], seed=0)
    ratios = {}
    for hidden in ("sigmoid", "relu"):
        AL, caches = nw.model_forward(X, parameters, hidden)
        norms = dg.gradient_norms(nw.model_backward(AL, Y, caches, hidden))
        assert norms.shape == (10,)
        ratios[hidden] = norms[0] / norms[9]
    assert ratios["sigmoid"] <= 1 / 100
    assert ratios["relu"] > 1 / 100
