"""Activation functions and their derivatives.

An activation is a pair of functions:

- the forward ``g(Z) -> A`` applies the non-linearity to every entry of ``Z``
  (any shape; ``A`` has the same shape);
- the backward ``g_backward(dA, Z) -> dZ`` takes the upstream gradient ``dA`` (the gradient
  of the cost with respect to ``A``) and the forward's input ``Z``, and returns
  ``dZ = dA * g'(Z)`` by the chain rule (for softmax, the product with its Jacobian,
  column by column).

No function may modify its arguments: build new arrays.
"""

from __future__ import annotations

import numpy as np


def sigmoid(Z: np.ndarray) -> np.ndarray:
    """The sigmoid σ(z) = 1 / (1 + e^(-z)), entry by entry.

    Args:
        Z: pre-activations, any shape, e.g. ``(n_l, m)``.

    Returns:
        A: ``σ(Z)``, same shape as ``Z``, every entry in [0, 1].

    For large |z| the sigmoid saturates (σ(1000) = 1, σ(-1000) = 0): your function must
    return those values, not NaN.
    """
    # BEGIN SOLUTION
    # e^(-z) overflows for z very negative. Write the same value two ways and use, for
    # each entry, the one whose exponential has a non-positive argument:
    #   z >= 0:  σ(z) = 1 / (1 + e^(-z))
    #   z <  0:  σ(z) = e^(z) / (1 + e^(z))   (multiply top and bottom by e^(z))
    E = np.exp(-np.abs(Z))  # e^(-|z|) is in (0, 1]: it never overflows
    A = np.where(Z >= 0, 1.0 / (1.0 + E), E / (1.0 + E))
    return A
    # END SOLUTION


def sigmoid_backward(dA: np.ndarray, Z: np.ndarray) -> np.ndarray:
    """Backward of the sigmoid: dZ = dA * σ'(Z), with σ'(z) = σ(z) (1 - σ(z)).

    Args:
        dA: gradient of the cost with respect to ``A = σ(Z)``, same shape as ``Z``.
        Z: the input the forward received.

    Returns:
        dZ: gradient of the cost with respect to ``Z``, same shape as ``Z``.
    """
    # BEGIN SOLUTION
    s = sigmoid(Z)  # the derivative is written with σ(Z), not with Z
    dZ = dA * s * (1.0 - s)
    return dZ
    # END SOLUTION


def tanh(Z: np.ndarray) -> np.ndarray:
    """The hyperbolic tangent tanh(z) = (e^z - e^(-z)) / (e^z + e^(-z)), entry by entry.

    Args:
        Z: pre-activations, any shape.

    Returns:
        A: ``tanh(Z)``, same shape as ``Z``, every entry in [-1, 1].
    """
    # BEGIN SOLUTION
    # numpy's tanh is already stable for large |z| (it saturates at ±1).
    return np.tanh(Z)
    # END SOLUTION


def tanh_backward(dA: np.ndarray, Z: np.ndarray) -> np.ndarray:
    """Backward of tanh: dZ = dA * (1 - tanh(Z)²).

    Args:
        dA: gradient of the cost with respect to ``A = tanh(Z)``, same shape as ``Z``.
        Z: the input the forward received.

    Returns:
        dZ: same shape as ``Z``.
    """
    # BEGIN SOLUTION
    T = tanh(Z)
    dZ = dA * (1.0 - T**2)
    return dZ
    # END SOLUTION


def relu(Z: np.ndarray) -> np.ndarray:
    """The rectified linear unit ReLU(z) = max(0, z), entry by entry.

    Args:
        Z: pre-activations, any shape.

    Returns:
        A: same shape as ``Z``: ``Z`` where it is positive, 0 elsewhere.
    """
    # BEGIN SOLUTION
    return np.maximum(0.0, Z)
    # END SOLUTION


def relu_backward(dA: np.ndarray, Z: np.ndarray) -> np.ndarray:
    """Backward of ReLU: dZ = dA where Z > 0, and 0 where Z < 0.

    ReLU'(z) is 1 for z > 0 and 0 for z < 0 (at exactly z = 0 it is undefined: 0 or dA
    are both accepted). A unit whose Z is negative for every example gets no gradient at
    all: a dead neuron.

    Args:
        dA: gradient of the cost with respect to ``A = ReLU(Z)``, same shape as ``Z``.
        Z: the input the forward received.

    Returns:
        dZ: same shape as ``Z``.
    """
    # BEGIN SOLUTION
    # Multiplying by a boolean mask builds a new array: dA itself is left untouched.
    dZ = dA * (Z > 0)
    return dZ
    # END SOLUTION


def leaky_relu(Z: np.ndarray, alpha: float = 0.01) -> np.ndarray:
    """Leaky ReLU: z where z > 0, alpha * z elsewhere.

    The small slope ``alpha`` for negative inputs keeps a gradient flowing, so the unit
    never dies completely.

    Args:
        Z: pre-activations, any shape.
        alpha: the slope for negative inputs.

    Returns:
        A: same shape as ``Z``.
    """
    # BEGIN SOLUTION
    return np.where(Z > 0, Z, alpha * Z)
    # END SOLUTION


def leaky_relu_backward(dA: np.ndarray, Z: np.ndarray, alpha: float = 0.01) -> np.ndarray:
    """Backward of Leaky ReLU: dZ = dA where Z > 0, alpha * dA where Z < 0.

    Args:
        dA: gradient of the cost with respect to ``A = leaky_relu(Z)``, same shape as ``Z``.
        Z: the input the forward received.
        alpha: the slope for negative inputs (the same as in the forward).

    Returns:
        dZ: same shape as ``Z``.
    """
    # BEGIN SOLUTION
    slope = np.where(Z > 0, 1.0, alpha)  # the derivative, entry by entry
    dZ = dA * slope
    return dZ
    # END SOLUTION


def softmax(Z: np.ndarray) -> np.ndarray:
    """Softmax over the classes, column by column: a_i = e^(z_i) / Σ_k e^(z_k).

    The classes are the rows, so each column of the result is a probability
    distribution: entries in (0, 1) that sum to 1.

    Written as above it overflows for a column like [1000, 5000, 6000]: subtract the
    column's maximum from every z_i first (it multiplies the numerator and the
    denominator by the same constant, so the result does not change).

    Args:
        Z: scores, shape ``(C, m)``.

    Returns:
        A: shape ``(C, m)``; every column sums to 1.
    """
    # BEGIN SOLUTION
    shifted = Z - np.max(Z, axis=0, keepdims=True)  # every exponent is now <= 0
    E = np.exp(shifted)
    A = E / np.sum(E, axis=0, keepdims=True)
    return A
    # END SOLUTION


def softmax_backward(dA: np.ndarray, Z: np.ndarray) -> np.ndarray:
    """Backward of softmax, column by column.

    With S = softmax(Z), the lecture's derivatives are ∂a_i/∂z_i = a_i (1 - a_i) and
    ∂a_i/∂z_j = -a_i a_j for i ≠ j. Multiplying that Jacobian by dA, column by column, gives

        dZ = S * (dA - Σ_rows(dA * S))

    where the sum runs over the rows (the classes) of each column.

    Args:
        dA: gradient of the cost with respect to ``A = softmax(Z)``, shape ``(C, m)``.
        Z: the input the forward received, shape ``(C, m)``.

    Returns:
        dZ: shape ``(C, m)``.
    """
    # BEGIN SOLUTION
    S = softmax(Z)
    # For column j: dz_i = Σ_k da_k ∂a_k/∂z_i = a_i da_i - a_i Σ_k da_k a_k
    weighted = np.sum(dA * S, axis=0, keepdims=True)  # shape (1, m), one number per column
    dZ = S * (dA - weighted)
    return dZ
    # END SOLUTION
