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
    # BEGIN SOLUTION
    AL, _ = model_forward(X, parameters, hidden_activation, output_activation)
    if output_activation == "softmax":
        return np.argmax(AL, axis=0).reshape(1, -1)  # argmax already gives integers
    return (AL > 0.5).astype(np.int64)
    # END SOLUTION
