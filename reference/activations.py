"""Activation functions, each forward beside its backward.

An activation is a pair of functions:

- a forward ``g(Z) -> A``, elementwise (softmax: per column), ``A`` of the shape of ``Z``;
- a backward ``g_backward(dA, Z) -> dZ``, the chain rule through ``g``: ``dA`` is the
  gradient of the cost with respect to ``A``, ``dZ`` the one with respect to ``Z``, both
  of the shape of ``Z``.

``Z`` may have any shape; in a network it is ``(n_l, m)``, one example per column.
``ACTIVATIONS`` maps each name the network functions accept to its pair.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

ActivationForward = Callable[[np.ndarray], np.ndarray]
"""``g(Z) -> A``, same shape."""

ActivationBackward = Callable[[np.ndarray, np.ndarray], np.ndarray]
"""``g_backward(dA, Z) -> dZ``, same shape."""

# exp(x) is a normal float64 only for x >= about -708.4; below, numpy flags an underflow.
_SMALLEST_NORMAL_EXPONENT = -708.0


def _exp_of_non_positive(x: np.ndarray) -> np.ndarray:
    """exp(x) for x <= 0, where results below ~1e-308 are returned as exactly 0.

    Those results are smaller than any value they are added to here (at least 1), so
    flushing them to 0 changes no sum and avoids numpy's underflow signal.
    """
    return np.exp(x, out=np.zeros_like(x), where=x >= _SMALLEST_NORMAL_EXPONENT)


def _as_float(Z: np.ndarray) -> np.ndarray:
    """``Z`` as a float64 array, without copying when it already is one."""
    return np.asarray(Z, dtype=np.float64)


def sigmoid(Z: np.ndarray) -> np.ndarray:
    """σ(Z) = 1 / (1 + exp(-Z)), elementwise, exact and warning-free for any finite Z.

    Written with e = exp(-|Z|) <= 1, which never overflows: σ(Z) = 1 / (1 + e) for Z >= 0
    and e / (1 + e) for Z < 0.

    Args:
        Z: pre-activations, any shape (in a network, ``(n_l, m)``).

    Returns:
        A, the shape of Z, values in [0, 1].
    """
    Z = _as_float(Z)
    e = _exp_of_non_positive(-np.abs(Z))
    return np.where(Z >= 0, 1.0 / (1.0 + e), e / (1.0 + e))


def sigmoid_backward(dA: np.ndarray, Z: np.ndarray) -> np.ndarray:
    """dZ = dA · σ(Z)(1 - σ(Z)).

    Args:
        dA: gradient with respect to A = σ(Z), the shape of Z.
        Z: the forward's input, any shape.

    Returns:
        dZ, the shape of Z.
    """
    s = sigmoid(Z)
    return dA * s * (1.0 - s)


def tanh(Z: np.ndarray) -> np.ndarray:
    """tanh(Z), elementwise.

    Args:
        Z: pre-activations, any shape.

    Returns:
        A, the shape of Z, values in [-1, 1].
    """
    return np.tanh(_as_float(Z))


def tanh_backward(dA: np.ndarray, Z: np.ndarray) -> np.ndarray:
    """dZ = dA · (1 - tanh(Z)²).

    Args:
        dA: gradient with respect to A = tanh(Z), the shape of Z.
        Z: the forward's input, any shape.

    Returns:
        dZ, the shape of Z.
    """
    t = tanh(Z)
    return dA * (1.0 - t * t)


def relu(Z: np.ndarray) -> np.ndarray:
    """ReLU(Z) = max(0, Z), elementwise.

    Args:
        Z: pre-activations, any shape.

    Returns:
        A, the shape of Z, values >= 0.
    """
    return np.maximum(_as_float(Z), 0.0)


def relu_backward(dA: np.ndarray, Z: np.ndarray) -> np.ndarray:
    """dZ = dA where Z > 0, else 0 (the derivative at exactly 0 is taken as 0).

    Args:
        dA: gradient with respect to A = ReLU(Z), the shape of Z.
        Z: the forward's input, any shape.

    Returns:
        dZ, the shape of Z (a new array: dA is not masked in place).
    """
    return np.where(_as_float(Z) > 0, _as_float(dA), 0.0)


def leaky_relu(Z: np.ndarray, alpha: float = 0.01) -> np.ndarray:
    """LeakyReLU(Z) = Z where Z > 0, else α·Z, elementwise.

    Args:
        Z: pre-activations, any shape.
        alpha: slope for negative inputs, usually small and positive.

    Returns:
        A, the shape of Z.
    """
    Z = _as_float(Z)
    return np.where(Z > 0, Z, alpha * Z)


def leaky_relu_backward(dA: np.ndarray, Z: np.ndarray, alpha: float = 0.01) -> np.ndarray:
    """dZ = dA where Z > 0, else α·dA (the derivative at exactly 0 is taken as α).

    Args:
        dA: gradient with respect to A = LeakyReLU(Z), the shape of Z.
        Z: the forward's input, any shape.
        alpha: the slope used by the forward.

    Returns:
        dZ, the shape of Z.
    """
    dA = _as_float(dA)
    return np.where(_as_float(Z) > 0, dA, alpha * dA)


def softmax(Z: np.ndarray) -> np.ndarray:
    """softmax(Z)_i = exp(Z_i - max Z) / Σ_k exp(Z_k - max Z), per column (classes are rows).

    Subtracting each column's maximum leaves the result unchanged (it multiplies numerator
    and denominator by the same constant) and keeps every exponent <= 0: no overflow.

    Args:
        Z: scores, shape ``(C, m)``.

    Returns:
        A, shape ``(C, m)``, every column in [0, 1] and summing to 1.
    """
    Z = _as_float(Z)
    e = _exp_of_non_positive(Z - Z.max(axis=0, keepdims=True))
    return e / e.sum(axis=0, keepdims=True)


def softmax_backward(dA: np.ndarray, Z: np.ndarray) -> np.ndarray:
    """dZ = S · (dA - Σ_rows(dA · S)), S = softmax(Z): the Jacobian-vector product per column.

    From ∂S_i/∂Z_j = S_i(δ_ij - S_j): dZ_j = Σ_i dA_i S_i(δ_ij - S_j) = S_j(dA_j - Σ_i dA_i S_i).

    Args:
        dA: gradient with respect to A = softmax(Z), shape ``(C, m)``.
        Z: the forward's input, shape ``(C, m)``.

    Returns:
        dZ, shape ``(C, m)``.
    """
    S = softmax(Z)
    return S * (dA - np.sum(dA * S, axis=0, keepdims=True))


ACTIVATIONS: dict[str, tuple[ActivationForward, ActivationBackward]] = {
    "sigmoid": (sigmoid, sigmoid_backward),
    "tanh": (tanh, tanh_backward),
    "relu": (relu, relu_backward),
    "leaky_relu": (leaky_relu, leaky_relu_backward),
    "softmax": (softmax, softmax_backward),
}
"""Every activation name the network functions accept, with its (forward, backward)."""


def get_activation(name: str) -> tuple[ActivationForward, ActivationBackward]:
    """The (forward, backward) pair called ``name``.

    Raises:
        ValueError: ``name`` is not one of ``ACTIVATIONS``; the message lists the valid ones.
    """
    try:
        return ACTIVATIONS[name]
    except (KeyError, TypeError):
        valid = ", ".join(f'"{known}"' for known in ACTIVATIONS)
        raise ValueError(f"Unknown activation {name!r}: use one of {valid}.") from None
