"""Training by gradient descent, and prediction.

Everything here is built from ``network.py`` and ``losses.py``. Logistic regression is
the network with no hidden layer: ``layer_dims = [n_x, 1]`` with a sigmoid output.
"""

from __future__ import annotations

import numpy as np

from .losses import binary_cross_entropy, categorical_cross_entropy
from .network import model_backward, model_forward, update_parameters


def train(
    X: np.ndarray,
    Y: np.ndarray,
    parameters: dict[str, np.ndarray],
    learning_rate: float = 0.1,
    num_iterations: int = 1000,
    hidden_activation: str = "relu",
    output_activation: str = "sigmoid",
) -> tuple[dict[str, np.ndarray], list[float]]:
    """Full-batch gradient descent, starting from ``parameters``.

    Each iteration: forward propagation, cost, backward propagation, one update.
    The cost is the binary cross-entropy for a sigmoid output and the categorical
    cross-entropy for a softmax output.

    Args:
        X: inputs, shape ``(n_x, m)``.
        Y: labels, shape ``(1, m)`` (0/1) or ``(C, m)`` (one-hot).
        parameters: the starting parameters, e.g. from ``initialize_parameters``.
        learning_rate: η.
        num_iterations: how many updates to make.
        hidden_activation, output_activation: as in ``model_forward``.

    Returns:
        parameters: the parameters after ``num_iterations`` updates.
        costs: a list of ``num_iterations`` floats; ``costs[i]`` is the cost *before*
        update i.
    """
    # BEGIN SOLUTION
    cost_function = (
        categorical_cross_entropy if output_activation == "softmax" else binary_cross_entropy
    )
    costs = []
    for _ in range(num_iterations):
        AL, caches = model_forward(X, parameters, hidden_activation, output_activation)
        costs.append(cost_function(AL, Y))  # measured before this iteration's update
        grads = model_backward(AL, Y, caches, hidden_activation, output_activation)
        parameters = update_parameters(parameters, grads, learning_rate)
    return parameters, costs
    # END SOLUTION


def predict(
    X: np.ndarray,
    parameters: dict[str, np.ndarray],
    hidden_activation: str = "relu",
    output_activation: str = "sigmoid",
) -> np.ndarray:
    """The predicted class of every example.

    A sigmoid output gives the probability of class 1: predict 1 where it is above 0.5,
    0 elsewhere. A softmax output gives one probability per class (row): predict the
    row index of the largest one.

    Args:
        X: inputs, shape ``(n_x, m)``.
        parameters: trained parameters.
        hidden_activation, output_activation: as in ``model_forward``.

    Returns:
        An integer array of shape ``(1, m)``.
    """
    # BEGIN SOLUTION
    AL, _ = model_forward(X, parameters, hidden_activation, output_activation)
    if output_activation == "softmax":
        return np.argmax(AL, axis=0).reshape(1, -1)  # argmax already gives integers
    return (AL > 0.5).astype(np.int64)
    # END SOLUTION
