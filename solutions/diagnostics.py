from __future__ import annotations

import numpy as np


def gradient_norms(grads: dict[str, np.ndarray]) -> np.ndarray:
    # BEGIN SOLUTION
    L = sum(1 for key in grads if key.startswith("dW"))
    # Layer by layer in order: the dictionary's own order may be anything.
    return np.array([np.sqrt(np.sum(grads[f"dW{l}"] ** 2)) for l in range(1, L + 1)])  # noqa: E741
    # END SOLUTION


def gradients_vanish(grads: dict[str, np.ndarray], factor: float = 100.0) -> bool:
    # BEGIN SOLUTION
    norms = gradient_norms(grads)
    return bool(factor * norms[0] <= norms[-1])
    # END SOLUTION


def gradients_explode(grads: dict[str, np.ndarray], factor: float = 100.0) -> bool:
    # BEGIN SOLUTION
    for value in grads.values():
        if not np.all(np.isfinite(value)):
            return True
    norms = gradient_norms(grads)
    return bool(norms[0] >= factor * norms[-1])
    # END SOLUTION


def dead_relu_fraction(Z: np.ndarray) -> float:
    # BEGIN SOLUTION
    dead = np.all(Z <= 0, axis=1)  # one boolean per unit (row): never active on the batch
    return float(np.mean(dead))
    # END SOLUTION


def saturated_fraction(A: np.ndarray, activation: str, threshold: float = 0.01) -> float:
    # BEGIN SOLUTION
    low, high = (0.0, 1.0) if activation == "sigmoid" else (-1.0, 1.0)
    distance = np.minimum(np.abs(A - low), np.abs(A - high))  # to the nearer asymptote
    return float(np.mean(distance <= threshold))
    # END SOLUTION
