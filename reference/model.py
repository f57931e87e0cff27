"""Training by full-batch gradient descent, and prediction."""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np

from reference.losses import cost_function
from reference.network import model_backward, model_forward, update_parameters


def train(
    X: np.ndarray,
    Y: np.ndarray,
    parameters: Mapping[str, np.ndarray],
    learning_rate: float = 0.1,
    num_iterations: int = 1000,
    hidden_activation: str = "relu",
    output_activation: str = "sigmoid",
) -> tuple[dict[str, np.ndarray], list[float]]:
    """Repeat num_iterations times: forward, cost, backward, W ← W - η dW, b ← b - η db.

    Args:
        X: inputs, ``(n_x, m)``.
        Y: labels, ``(1, m)`` 0/1 for a sigmoid output or ``(C, m)`` one-hot for softmax.
        parameters: the starting point, e.g. from ``initialize_parameters``; not modified.
        learning_rate: η > 0.
        num_iterations: number of descent steps, >= 0.
        hidden_activation: activation of layers 1..L-1.
        output_activation: ``"sigmoid"`` or ``"softmax"``.

    Returns:
        ``(parameters, costs)``: the parameters after the last step (new arrays) and a list
        of num_iterations floats, ``costs[i]`` the mean cost before step i.

    Raises:
        ValueError: a negative or non-integer ``num_iterations``, or an output activation
            without a cross-entropy cost.
    """
    if isinstance(num_iterations, bool) or not isinstance(num_iterations, int | np.integer):
        raise ValueError(f"num_iterations must be an integer, got {num_iterations!r}.")
    if num_iterations < 0:
        raise ValueError(f"num_iterations must be 0 or more, got {num_iterations}.")
    cost = cost_function(output_activation)
    current = {key: np.array(value, dtype=np.float64) for key, value in parameters.items()}
    costs: list[float] = []
    for _ in range(num_iterations):
        AL, caches = model_forward(X, current, hidden_activation, output_activation)
        costs.append(cost(AL, Y))
        grads = model_backward(AL, Y, caches, hidden_activation, output_activation)
        current = update_parameters(current, grads, learning_rate)
    return current, costs


def predict(
    X: np.ndarray,
    parameters: Mapping[str, np.ndarray],
    hidden_activation: str = "relu",
    output_activation: str = "sigmoid",
) -> np.ndarray:
    """Class predictions: 1 where AL > 0.5 (sigmoid), or argmax over the rows of AL (softmax).

    Args:
        X: inputs, ``(n_x, m)``.
        parameters: trained parameters.
        hidden_activation: activation of layers 1..L-1.
        output_activation: ``"sigmoid"`` or ``"softmax"``.

    Returns:
        int64 array ``(1, m)``: 0/1 for sigmoid, the class index 0..C-1 for softmax.

    Raises:
        ValueError: an output activation that is neither sigmoid nor softmax.
    """
    cost_function(output_activation)  # the same two classifier outputs as for training
    AL, _ = model_forward(X, parameters, hidden_activation, output_activation)
    if output_activation == "softmax":
        return np.argmax(AL, axis=0).reshape(1, -1).astype(np.int64)
    return (AL > 0.5).astype(np.int64)
