"""Diagnosing the pitfalls of training deep networks, from the numbers a network produces.

The lecture names four pitfalls. Each one shows in arrays you already compute:

- vanishing gradients: the gradient reaching the first layers is tiny compared with the
  last layer's (many sigmoid layers), so the first layers barely learn;
- exploding gradients: it is huge instead, or NaN/inf has appeared;
- dead ReLU units: a unit whose pre-activation Z is <= 0 for every example outputs 0 and
  gets no gradient: it never learns again;
- saturated sigmoid or tanh units: their output sits on a plateau, near an asymptote,
  where the derivative is nearly 0.

``grads`` is the dictionary ``model_backward`` returns: ``{"dW1": ..., "db1": ..., ...}``.
No function may modify its arguments.
"""

from __future__ import annotations

import numpy as np


def gradient_norms(grads: dict[str, np.ndarray]) -> np.ndarray:
    """The size of every layer's weight gradient: ||dW[l]||_F = sqrt(Σ dW[l]²).

    Args:
        grads: ``{"dW1": ..., "db1": ..., ..., "dWL": ..., "dbL": ...}``, in any order. The
            bias gradients are not counted.

    Returns:
        norms: float64 array of shape ``(L,)``; ``norms[l - 1]`` is ||dW[l]||_F, so layer 1
        comes first.
    """
    # BEGIN SOLUTION
    L = sum(1 for key in grads if key.startswith("dW"))
    # Layer by layer in order: the dictionary's own order may be anything.
    return np.array([np.sqrt(np.sum(grads[f"dW{l}"] ** 2)) for l in range(1, L + 1)])  # noqa: E741
    # END SOLUTION


def gradients_vanish(grads: dict[str, np.ndarray], factor: float = 100.0) -> bool:
    """Whether the first layer's gradient has all but vanished: factor · ||dW[1]|| <= ||dW[L]||.

    Args:
        grads: as for ``gradient_norms``.
        factor: how many times smaller ||dW[1]||_F must be than ||dW[L]||_F.

    Returns:
        A bool.
    """
    # BEGIN SOLUTION
    norms = gradient_norms(grads)
    return bool(factor * norms[0] <= norms[-1])
    # END SOLUTION


def gradients_explode(grads: dict[str, np.ndarray], factor: float = 100.0) -> bool:
    """Whether the gradients explode: some entry is NaN or ±inf, or
    ||dW[1]|| >= factor · ||dW[L]||.

    Args:
        grads: as for ``gradient_norms``; every entry counts, the ``db`` too.
        factor: how many times larger ||dW[1]||_F must be than ||dW[L]||_F.

    Returns:
        A bool.
    """
    # BEGIN SOLUTION
    for value in grads.values():
        if not np.all(np.isfinite(value)):
            return True
    norms = gradient_norms(grads)
    return bool(norms[0] >= factor * norms[-1])
    # END SOLUTION


def dead_relu_fraction(Z: np.ndarray) -> float:
    """The fraction of dead units of a ReLU layer: units whose Z is <= 0 for every example.

    Args:
        Z: the layer's pre-activations, shape ``(n_l, m)``: one row per unit, one column per
            example.

    Returns:
        A float in [0, 1]: the number of dead units divided by n_l.
    """
    # BEGIN SOLUTION
    dead = np.all(Z <= 0, axis=1)  # one boolean per unit (row): never active on the batch
    return float(np.mean(dead))
    # END SOLUTION


def saturated_fraction(A: np.ndarray, activation: str, threshold: float = 0.01) -> float:
    """The fraction of saturated entries of a sigmoid or tanh layer's output.

    An entry is saturated when it lies within ``threshold`` of one of the activation's two
    asymptotes: 0 and 1 for ``"sigmoid"``, -1 and 1 for ``"tanh"``.

    Args:
        A: the layer's activations, shape ``(n_l, m)``.
        activation: ``"sigmoid"`` or ``"tanh"``.
        threshold: the distance to an asymptote that counts as saturated.

    Returns:
        A float in [0, 1], over every unit and every example.
    """
    # BEGIN SOLUTION
    low, high = (0.0, 1.0) if activation == "sigmoid" else (-1.0, 1.0)
    distance = np.minimum(np.abs(A - low), np.abs(A - high))  # to the nearer asymptote
    return float(np.mean(distance <= threshold))
    # END SOLUTION
