"""Measurements for the lecture's four pitfalls of training deep networks.

- Vanishing / exploding gradients: ``gradient_norms`` per layer, ``first_to_last_gradient_ratio``,
  ``gradients_vanish`` and ``gradients_explode``.

``gradient_norms``, ``gradients_vanish``, ``gradients_explode``, ``dead_relu_fraction`` and
``saturated_fraction`` are the functions of the exercise contract's ``diagnostics.py``.
- Dead ReLU units (input <= 0 for every example, so they never learn): ``dead_relu_fraction``.
- Saturated sigmoid/tanh units (on a plateau, where the derivative is near 0):
  ``saturated_fraction``.

``hidden_layer_report`` applies the last two to every hidden layer of a forward pass.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np

from reference.network import model_forward

ASYMPTOTES: dict[str, tuple[float, float]] = {"sigmoid": (0.0, 1.0), "tanh": (-1.0, 1.0)}
"""The two horizontal asymptotes of each saturating activation."""

DEFAULT_SATURATION_THRESHOLD = 0.01
"""Within 0.01 of an asymptote, σ' <= 0.0099 (max 0.25) and tanh' <= 0.0199 (max 1)."""


def gradient_norms(grads: Mapping[str, np.ndarray]) -> np.ndarray:
    """The Frobenius norm ||dW[l]||_F of every layer's weight gradient, layer 1 first.

    Args:
        grads: ``{"dW1": ..., "db1": ..., ...}`` as returned by ``model_backward``, in any
            order; the bias gradients ``db[l]`` are not counted.

    Returns:
        float64 array ``(L,)``: entry ``l - 1`` is ||dW[l]||_F.

    Raises:
        ValueError: ``grads`` holds no ``dW{l}`` entry, or its layers are not 1..L.
    """
    layers = sorted(int(key[2:]) for key in grads if key.startswith("dW") and key[2:].isdigit())
    if layers != list(range(1, len(layers) + 1)) or not layers:
        raise ValueError(
            f"grads must hold dW1, dW2, ..., dWL (keys: {sorted(grads)!r}): "
            "pass the dict returned by model_backward."
        )
    return np.array([np.linalg.norm(grads[f"dW{l}"]) for l in layers], dtype=np.float64)  # noqa: E741


def first_to_last_gradient_ratio(grads: Mapping[str, np.ndarray]) -> float:
    """||dW[1]||_F / ||dW[L]||_F: far below 1 when gradients vanish, far above when they explode.

    Returns ``inf`` when the last layer's gradient is exactly zero and the first is not, and
    ``nan`` when both are zero.
    """
    norms = gradient_norms(grads)
    with np.errstate(divide="ignore", invalid="ignore"):
        return float(norms[0] / norms[-1])


def gradients_vanish(grads: Mapping[str, np.ndarray], factor: float = 100.0) -> bool:
    """Whether ||dW[1]||_F is at least ``factor`` times smaller than ||dW[L]||_F.

    That is ``factor · ||dW[1]|| <= ||dW[L]||``: the gradient reaching the first layer has
    all but vanished compared with the last layer's.
    """
    norms = gradient_norms(grads)
    return bool(factor * norms[0] <= norms[-1])


def gradients_explode(grads: Mapping[str, np.ndarray], factor: float = 100.0) -> bool:
    """Whether some gradient entry is NaN or ±inf, or ||dW[1]||_F >= ``factor`` · ||dW[L]||_F."""
    if not all(np.all(np.isfinite(value)) for value in grads.values()):
        return True
    norms = gradient_norms(grads)
    return bool(norms[0] >= factor * norms[-1])


def dead_relu_fraction(Z: np.ndarray) -> float:
    """The fraction of units (rows of Z) whose pre-activation is <= 0 for every example.

    Such a ReLU unit outputs 0 and passes back a zero gradient on the whole batch: its
    weights get no update, so it stays dead.

    Args:
        Z: pre-activations of one layer, ``(n_l, m)``.

    Returns:
        A float in [0, 1].
    """
    Z = np.asarray(Z, dtype=np.float64)
    if Z.ndim != 2 or Z.shape[0] == 0:
        raise ValueError(f"Z must have shape (n_l, m) with n_l >= 1, got {Z.shape}.")
    return float(np.mean(np.all(Z <= 0, axis=1)))


def saturated_fraction(
    A: np.ndarray, activation: str, threshold: float = DEFAULT_SATURATION_THRESHOLD
) -> float:
    """The fraction of entries of A within ``threshold`` of one of the activation's asymptotes.

    Saturated means min(|A - low|, |A - high|) <= threshold, with (low, high) = (0, 1) for
    sigmoid and (-1, 1) for tanh, counted over every unit and every example.

    Args:
        A: activations of one layer, ``(n_l, m)``.
        activation: ``"sigmoid"`` or ``"tanh"``.
        threshold: the distance to an asymptote below which a unit counts as saturated, > 0.

    Returns:
        A float in [0, 1].

    Raises:
        ValueError: another activation, or a threshold that is not positive.
    """
    if activation not in ASYMPTOTES:
        raise ValueError(
            f"Saturation is measured for sigmoid and tanh units, not {activation!r}: "
            'pass activation="sigmoid" or activation="tanh".'
        )
    if not threshold > 0:
        raise ValueError(f"threshold must be a positive distance, got {threshold!r}.")
    A = np.asarray(A, dtype=np.float64)
    low, high = ASYMPTOTES[activation]
    distance = np.minimum(np.abs(A - low), np.abs(A - high))
    return float(np.mean(distance <= threshold))


def hidden_layer_report(
    X: np.ndarray,
    parameters: Mapping[str, np.ndarray],
    hidden_activation: str = "relu",
    output_activation: str = "sigmoid",
    threshold: float = DEFAULT_SATURATION_THRESHOLD,
) -> dict[int, float]:
    """Run ``model_forward`` and measure each hidden layer l = 1..L-1 on the batch X.

    For ReLU layers the measure is ``dead_relu_fraction(Z[l])``; for sigmoid and tanh
    layers it is ``saturated_fraction(A[l], hidden_activation, threshold)``.

    Returns:
        ``{l: fraction}`` for every hidden layer (empty when L = 1).

    Raises:
        ValueError: a hidden activation with no such pitfall (leaky ReLU, softmax).
    """
    if hidden_activation != "relu" and hidden_activation not in ASYMPTOTES:
        raise ValueError(
            f"No pitfall is measured for {hidden_activation!r} hidden layers: "
            'use "relu" (dead units), "sigmoid" or "tanh" (saturated units).'
        )
    _, caches = model_forward(X, parameters, hidden_activation, output_activation)
    report: dict[int, float] = {}
    for l in range(1, len(caches)):  # noqa: E741
        _, Z = caches[l - 1]
        if hidden_activation == "relu":
            report[l] = dead_relu_fraction(Z)
        else:
            A, _, _ = caches[l][0]  # layer l's output is layer l+1's input
            report[l] = saturated_fraction(A, hidden_activation, threshold)
    return report
