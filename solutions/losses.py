from __future__ import annotations

import numpy as np


def binary_cross_entropy(AL: np.ndarray, Y: np.ndarray) -> float:
    # BEGIN SOLUTION
    m = Y.shape[1]
    per_example = -(Y * np.log(AL) + (1.0 - Y) * np.log(1.0 - AL))  # shape (1, m)
    return float(np.sum(per_example) / m)
    # END SOLUTION


def binary_cross_entropy_backward(AL: np.ndarray, Y: np.ndarray) -> np.ndarray:
    # BEGIN SOLUTION
    dAL = -(Y / AL) + (1.0 - Y) / (1.0 - AL)
    return dAL
    # END SOLUTION


def categorical_cross_entropy(AL: np.ndarray, Y: np.ndarray) -> float:
    # BEGIN SOLUTION
    m = Y.shape[1]
    per_example = -np.sum(Y * np.log(AL), axis=0)  # shape (m,): one loss per column
    return float(np.sum(per_example) / m)
    # END SOLUTION


def categorical_cross_entropy_backward(AL: np.ndarray, Y: np.ndarray) -> np.ndarray:
    # BEGIN SOLUTION
    return -Y / AL
    # END SOLUTION


def softmax_cross_entropy_backward(AL: np.ndarray, Y: np.ndarray) -> np.ndarray:
    # BEGIN SOLUTION
    return AL - Y
    # END SOLUTION
