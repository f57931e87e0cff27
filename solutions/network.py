from __future__ import annotations

from collections.abc import Callable

# BEGIN SOLUTION
from typing import cast

# END SOLUTION
import numpy as np

from .activations import (
    leaky_relu,
    leaky_relu_backward,
    relu,
    relu_backward,
    sigmoid,
    sigmoid_backward,
    softmax,
    softmax_backward,
    tanh,
    tanh_backward,
)
from .losses import softmax_cross_entropy_backward

# BEGIN SOLUTION
# Our own caches, as our forwards build them and our backwards read them back.
LinearCache = tuple[np.ndarray, np.ndarray, np.ndarray]
LayerCache = tuple[LinearCache, np.ndarray]
# END SOLUTION
Forward = Callable[[np.ndarray], np.ndarray]
Backward = Callable[[np.ndarray, np.ndarray], np.ndarray]

# Each activation name and its (forward, backward) pair, from activations.py.
ACTIVATIONS: dict[str, tuple[Forward, Backward]] = {
    "sigmoid": (sigmoid, sigmoid_backward),
    "tanh": (tanh, tanh_backward),
    "relu": (relu, relu_backward),
    "leaky_relu": (leaky_relu, leaky_relu_backward),
    "softmax": (softmax, softmax_backward),
}


def activation_pair(activation: str) -> tuple[Forward, Backward]:
    """The (forward, backward) functions of the activation called `activation`."""
    if activation not in ACTIVATIONS:
        names = ", ".join(sorted(ACTIVATIONS))
        raise ValueError(f"Unknown activation {activation!r}; use one of: {names}.")
    return ACTIVATIONS[activation]


def initialize_parameters(layer_dims: list[int], seed: int = 0) -> dict[str, np.ndarray]:
    # BEGIN SOLUTION
    rng = np.random.default_rng(seed)
    parameters = {}
    for l in range(1, len(layer_dims)):  # noqa: E741 (l is the lecture's layer index)
        n_prev, n_l = layer_dims[l - 1], layer_dims[l]
        # The scale sqrt(2 / n_{l-1}) keeps the variance of Z[l] close to that of A[l-1].
        parameters[f"W{l}"] = rng.standard_normal((n_l, n_prev)) * np.sqrt(2.0 / n_prev)
        parameters[f"b{l}"] = np.zeros((n_l, 1))
    return parameters
    # END SOLUTION


def linear_forward(A_prev: np.ndarray, W: np.ndarray, b: np.ndarray) -> tuple[np.ndarray, object]:
    # BEGIN SOLUTION
    Z = W @ A_prev + b  # b (n_l, 1) is broadcast over the m columns
    cache = (A_prev, W, b)  # linear_backward needs A[l-1] for dW and W for dA[l-1]
    return Z, cache
    # END SOLUTION


def linear_activation_forward(
    A_prev: np.ndarray, W: np.ndarray, b: np.ndarray, activation: str
) -> tuple[np.ndarray, object]:
    # BEGIN SOLUTION
    forward, _ = activation_pair(activation)
    Z, linear_cache = linear_forward(A_prev, W, b)
    A = forward(Z)
    cache = (linear_cache, Z)  # the activation's backward needs Z
    return A, cache
    # END SOLUTION


def model_forward(
    X: np.ndarray,
    parameters: dict[str, np.ndarray],
    hidden_activation: str = "relu",
    output_activation: str = "sigmoid",
) -> tuple[np.ndarray, list[object]]:
    # BEGIN SOLUTION
    L = len(parameters) // 2
    caches = []
    A = X
    for l in range(1, L):  # noqa: E741
        A, cache = linear_activation_forward(
            A, parameters[f"W{l}"], parameters[f"b{l}"], hidden_activation
        )
        caches.append(cache)
    AL, cache = linear_activation_forward(
        A, parameters[f"W{L}"], parameters[f"b{L}"], output_activation
    )
    caches.append(cache)
    return AL, caches
    # END SOLUTION


def linear_backward(dZ: np.ndarray, cache: object) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    # BEGIN SOLUTION
    A_prev, W, _ = cast(LinearCache, cache)
    m = A_prev.shape[1]
    # dZ holds one gradient per example (column); the cost is a mean, hence the 1/m.
    dW = (dZ @ A_prev.T) / m
    db = np.sum(dZ, axis=1, keepdims=True) / m  # keepdims: (n_l, 1), not (n_l,)
    # dA[l-1] stays per example: the next linear_backward down applies its own 1/m.
    dA_prev = W.T @ dZ
    return dA_prev, dW, db
    # END SOLUTION


def linear_activation_backward(
    dA: np.ndarray, cache: object, activation: str
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    # BEGIN SOLUTION
    _, backward = activation_pair(activation)
    linear_cache, Z = cast(LayerCache, cache)
    dZ = backward(dA, Z)  # the chain rule through g (softmax: its Jacobian, per column)
    return linear_backward(dZ, linear_cache)
    # END SOLUTION


def model_backward(
    AL: np.ndarray,
    Y: np.ndarray,
    caches: list[object],
    hidden_activation: str = "relu",
    output_activation: str = "sigmoid",
) -> dict[str, np.ndarray]:
    # BEGIN SOLUTION
    L = len(caches)
    grads = {}
    # Output layer. The lecture chains dC/dA[L] = -y/A[L] + (1-y)/(1-A[L]) with the
    # sigmoid's A[L](1 - A[L]) and finds dZ[L] = A[L] - Y; softmax with the categorical
    # cross-entropy simplifies to the same. Using the result directly never divides by
    # A[L] or 1 - A[L], which may round to 0 when the output saturates.
    if output_activation == "softmax":
        dZL = softmax_cross_entropy_backward(AL, Y)
    elif output_activation == "sigmoid":
        dZL = AL - Y
    else:
        raise ValueError(
            f"model_backward knows the cost of a 'sigmoid' or 'softmax' output layer, "
            f"not of {output_activation!r}; choose one of those two."
        )
    linear_cache, _ = cast(LayerCache, caches[L - 1])  # ((A_prev, W, b), Z)
    dA, grads[f"dW{L}"], grads[f"db{L}"] = linear_backward(dZL, linear_cache)
    # Hidden layers, from L-1 down to 1: dZ[l] = (W[l+1]^T·dZ[l+1]) * g'(Z[l]).
    for l in range(L - 1, 0, -1):  # noqa: E741
        dA, grads[f"dW{l}"], grads[f"db{l}"] = linear_activation_backward(
            dA, caches[l - 1], hidden_activation
        )
    return grads
    # END SOLUTION


def update_parameters(
    parameters: dict[str, np.ndarray], grads: dict[str, np.ndarray], learning_rate: float
) -> dict[str, np.ndarray]:
    # BEGIN SOLUTION
    # A new dictionary of new arrays: the caller's parameters are left as they were.
    return {name: value - learning_rate * grads[f"d{name}"] for name, value in parameters.items()}
    # END SOLUTION
