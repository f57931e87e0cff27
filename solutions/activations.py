from __future__ import annotations

import numpy as np


def sigmoid(Z: np.ndarray) -> np.ndarray:
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
    # BEGIN SOLUTION
    s = sigmoid(Z)  # the derivative is written with σ(Z), not with Z
    dZ = dA * s * (1.0 - s)
    return dZ
    # END SOLUTION


def tanh(Z: np.ndarray) -> np.ndarray:
    # BEGIN SOLUTION
    # numpy's tanh is already stable for large |z| (it saturates at ±1).
    return np.tanh(Z)
    # END SOLUTION


def tanh_backward(dA: np.ndarray, Z: np.ndarray) -> np.ndarray:
    # BEGIN SOLUTION
    T = tanh(Z)
    dZ = dA * (1.0 - T**2)
    return dZ
    # END SOLUTION


def relu(Z: np.ndarray) -> np.ndarray:
    # BEGIN SOLUTION
    return np.maximum(0.0, Z)
    # END SOLUTION


def relu_backward(dA: np.ndarray, Z: np.ndarray) -> np.ndarray:
    # BEGIN SOLUTION
    # Multiplying by a boolean mask builds a new array: dA itself is left untouched.
    dZ = dA * (Z > 0)
    return dZ
    # END SOLUTION


def leaky_relu(Z: np.ndarray, alpha: float = 0.01) -> np.ndarray:
    # BEGIN SOLUTION
    return np.where(Z > 0, Z, alpha * Z)
    # END SOLUTION


def leaky_relu_backward(dA: np.ndarray, Z: np.ndarray, alpha: float = 0.01) -> np.ndarray:
    # BEGIN SOLUTION
    slope = np.where(Z > 0, 1.0, alpha)  # the derivative, entry by entry
    dZ = dA * slope
    return dZ
    # END SOLUTION


def softmax(Z: np.ndarray) -> np.ndarray:
    # BEGIN SOLUTION
    shifted = Z - np.max(Z, axis=0, keepdims=True)  # every exponent is now <= 0
    E = np.exp(shifted)
    A = E / np.sum(E, axis=0, keepdims=True)
    return A
    # END SOLUTION


def softmax_backward(dA: np.ndarray, Z: np.ndarray) -> np.ndarray:
    # BEGIN SOLUTION
    S = softmax(Z)
    # For column j: dz_i = Σ_k da_k ∂a_k/∂z_i = a_i da_i - a_i Σ_k da_k a_k
    weighted = np.sum(dA * S, axis=0, keepdims=True)  # shape (1, m), one number per column
    dZ = S * (dA - weighted)
    return dZ
    # END SOLUTION
