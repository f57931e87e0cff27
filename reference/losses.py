"""Cross-entropy costs and their gradients with respect to the output layer.

``AL`` is the network's output ``A[L]`` and ``Y`` the labels, both ``(1, m)`` for binary
classification (sigmoid output, labels 0/1) or ``(C, m)`` for C classes (softmax output,
one-hot labels). A cost is the mean of the per-example costs over the m columns. A backward
returns the gradient of the **per-example** cost (no 1/m): ``linear_backward`` applies the
1/m, so that ``dAL = m · ∂cost/∂AL``.

By the usual convention 0·log 0 = 0: a term whose label weight is 0 contributes nothing,
even where the output is exactly 0 or 1.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

Cost = Callable[[np.ndarray, np.ndarray], float]
"""``cost(AL, Y) -> float``, the mean over the m examples."""


def weighted_log(weight: np.ndarray, probability: np.ndarray) -> np.ndarray:
    """weight · log(probability) entrywise, with 0 wherever weight == 0 (0·log 0 = 0): the
    per-entry term of both costs (the grader sums it over many outputs at once)."""
    weight = np.asarray(weight, dtype=np.float64)
    probability = np.asarray(probability, dtype=np.float64)
    weight, probability = np.broadcast_arrays(weight, probability)
    logs = np.log(probability, out=np.zeros(probability.shape), where=weight != 0)
    return weight * logs


def _number_of_examples(AL: np.ndarray) -> int:
    return np.shape(AL)[1]


def binary_cross_entropy(AL: np.ndarray, Y: np.ndarray) -> float:
    """J = (1/m) Σ_columns -(Y log AL + (1 - Y) log(1 - AL)).

    Args:
        AL: sigmoid outputs, shape ``(1, m)``, in (0, 1).
        Y: labels 0/1, shape ``(1, m)``.

    Returns:
        The mean cost, a Python float.
    """
    AL = np.asarray(AL, dtype=np.float64)
    Y = np.asarray(Y, dtype=np.float64)
    per_entry = -(weighted_log(Y, AL) + weighted_log(1.0 - Y, 1.0 - AL))
    return float(np.sum(per_entry) / _number_of_examples(AL))


def binary_cross_entropy_backward(AL: np.ndarray, Y: np.ndarray) -> np.ndarray:
    """dAL = -(Y / AL) + (1 - Y) / (1 - AL), per example (no 1/m).

    Args:
        AL: sigmoid outputs, shape ``(1, m)``, in (0, 1).
        Y: labels 0/1, shape ``(1, m)``.

    Returns:
        dAL, shape ``(1, m)``.
    """
    return -(Y / AL) + (1.0 - Y) / (1.0 - AL)


def categorical_cross_entropy(AL: np.ndarray, Y: np.ndarray) -> float:
    """J = (1/m) Σ_columns -Σ_rows Y log AL.

    Args:
        AL: softmax outputs, shape ``(C, m)``, each column a probability distribution.
        Y: one-hot labels, shape ``(C, m)``.

    Returns:
        The mean cost, a Python float.
    """
    AL = np.asarray(AL, dtype=np.float64)
    return float(-np.sum(weighted_log(Y, AL)) / _number_of_examples(AL))


def categorical_cross_entropy_backward(AL: np.ndarray, Y: np.ndarray) -> np.ndarray:
    """dAL = -Y / AL, per example (no 1/m).

    Args:
        AL: softmax outputs, shape ``(C, m)``.
        Y: one-hot labels, shape ``(C, m)``.

    Returns:
        dAL, shape ``(C, m)``.
    """
    return -(Y / AL)


def softmax_cross_entropy_backward(AL: np.ndarray, Y: np.ndarray) -> np.ndarray:
    """dZL = AL - Y, per example: softmax_backward(categorical backward), simplified.

    With S = softmax(ZL) and dAL = -Y/S, softmax_backward gives S·(-Y/S - Σ_rows(-Y)) =
    -Y + S·Σ_rows Y = S - Y, because each one-hot column of Y sums to 1.

    Args:
        AL: softmax outputs, shape ``(C, m)``.
        Y: one-hot labels, shape ``(C, m)``.

    Returns:
        dZL, the gradient with respect to the output layer's pre-activation, ``(C, m)``.
    """
    return np.asarray(AL, dtype=np.float64) - Y


COSTS: dict[str, Cost] = {"sigmoid": binary_cross_entropy, "softmax": categorical_cross_entropy}
"""The cost that goes with each output activation a classifier may have."""


def output_cost(AL: np.ndarray, Y: np.ndarray, output_activation: str = "sigmoid") -> float:
    """The mean cost that goes with ``output_activation``: binary or categorical cross-entropy.

    Args:
        AL: the network's output, ``(1, m)`` (sigmoid) or ``(C, m)`` (softmax).
        Y: labels of the same shape.
        output_activation: ``"sigmoid"`` or ``"softmax"``.

    Returns:
        The mean cost, a Python float.

    Raises:
        ValueError: ``output_activation`` has no cross-entropy cost here.
    """
    return cost_function(output_activation)(AL, Y)


def cost_function(output_activation: str) -> Cost:
    """The cost function that goes with ``output_activation`` (see ``COSTS``).

    Raises:
        ValueError: ``output_activation`` is neither ``"sigmoid"`` nor ``"softmax"``.
    """
    try:
        return COSTS[output_activation]
    except (KeyError, TypeError):
        raise ValueError(
            f"Output activation {output_activation!r} has no cross-entropy cost: "
            'use "sigmoid" (binary labels) or "softmax" (one-hot labels).'
        ) from None
