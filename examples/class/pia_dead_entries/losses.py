"""Cost functions and their derivatives.

``AL`` is the network's output ``A[L]`` (predicted probabilities) and ``Y`` the true labels:

- binary classification: ``AL`` and ``Y`` have shape ``(1, m)``, ``Y`` holds 0 or 1;
- ``C`` classes: ``AL`` and ``Y`` have shape ``(C, m)``, each column of ``Y`` is one-hot.

A cost is a single float: the mean over the ``m`` examples (columns) of the per-example
loss. A derivative is per example, with the shape of ``AL``: it does **not** divide by
``m``; ``linear_backward`` applies the 1/m once for the whole network.
"""

from __future__ import annotations

import numpy as np


def binary_cross_entropy(AL: np.ndarray, Y: np.ndarray) -> float:
    """Binary cross-entropy, averaged over the m examples.

        C = (1/m) Σ_columns -(y log(a) + (1 - y) log(1 - a))

    Args:
        AL: predicted probabilities, shape ``(1, m)``, entries in (0, 1).
        Y: true labels (0 or 1), shape ``(1, m)``.

    Returns:
        The cost, a Python float.
    """
    # BEGIN SOLUTION
    m = Y.shape[1]
    per_example = -(Y * np.log(AL) + (1.0 - Y) * np.log(1.0 - AL))  # shape (1, m)
    return float(np.sum(per_example) / m)
    # END SOLUTION


def binary_cross_entropy_backward(AL: np.ndarray, Y: np.ndarray) -> np.ndarray:
    """Derivative of the per-example binary cross-entropy with respect to AL.

        dAL = -(y / a) + (1 - y) / (1 - a)

    Args:
        AL: predicted probabilities, shape ``(1, m)``.
        Y: true labels, shape ``(1, m)``.

    Returns:
        dAL: shape ``(1, m)`` (no 1/m here).
    """
    # BEGIN SOLUTION
    dAL = -(Y / AL) + (1.0 - Y) / (1.0 - AL)
    return dAL
    # END SOLUTION


def categorical_cross_entropy(AL: np.ndarray, Y: np.ndarray) -> float:
    """Categorical cross-entropy, averaged over the m examples.

        C = (1/m) Σ_columns -Σ_rows y log(a)

    Args:
        AL: predicted class probabilities (softmax output), shape ``(C, m)``.
        Y: one-hot labels, shape ``(C, m)``.

    Returns:
        The cost, a Python float.
    """
    # BEGIN SOLUTION
    m = Y.shape[1]
    per_example = -np.sum(Y * np.log(AL), axis=0)  # shape (m,): one loss per column
    return float(np.sum(per_example) / m)
    # END SOLUTION


def categorical_cross_entropy_backward(AL: np.ndarray, Y: np.ndarray) -> np.ndarray:
    """Derivative of the per-example categorical cross-entropy with respect to AL.

        dAL = -Y / AL

    Args:
        AL: predicted class probabilities, shape ``(C, m)``.
        Y: one-hot labels, shape ``(C, m)``.

    Returns:
        dAL: shape ``(C, m)`` (no 1/m here).
    """
    # BEGIN SOLUTION
    return -Y / AL
    # END SOLUTION


def softmax_cross_entropy_backward(AL: np.ndarray, Y: np.ndarray) -> np.ndarray:
    """Gradient with respect to Z[L] of the categorical cross-entropy of a softmax output.

    Chaining the softmax backward with ``categorical_cross_entropy_backward`` simplifies,
    as the lecture shows, to

        dZL = AL - Y

    Args:
        AL: the softmax output ``softmax(Z[L])``, shape ``(C, m)``.
        Y: one-hot labels, shape ``(C, m)``.

    Returns:
        dZL: shape ``(C, m)`` (no 1/m here).
    """
    # BEGIN SOLUTION
    return AL - Y
    # END SOLUTION
