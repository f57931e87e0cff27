"""A fully connected network: parameters, forward and backward propagation, one descent step.

Layer l = 1..L computes Z[l] = W[l]·A[l-1] + b[l] and A[l] = g[l](Z[l]), with A[0] = X.
``parameters`` is ``{"W1": (n_1, n_0), "b1": (n_1, 1), ..., "WL": ..., "bL": ...}``;
``grads`` has the same shapes under ``"dW1"``, ``"db1"``, ... Caches are plain tuples of
arrays: ``linear_forward`` keeps ``(A_prev, W, b)``, ``linear_activation_forward`` keeps
``(linear_cache, Z)``, ``model_forward`` returns one such cache per layer, in layer order.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np

from reference.activations import get_activation
from reference.losses import cost_function, softmax_cross_entropy_backward

LinearCache = tuple[np.ndarray, np.ndarray, np.ndarray]
"""``(A_prev, W, b)``: what ``linear_backward`` needs."""

LayerCache = tuple[LinearCache, np.ndarray]
"""``(linear_cache, Z)``: what ``linear_activation_backward`` needs."""


def initialize_parameters(layer_dims: Sequence[int], seed: int = 0) -> dict[str, np.ndarray]:
    """He initialisation: W[l] ~ N(0, 2 / n_{l-1}), b[l] = 0.

    One generator ``np.random.default_rng(seed)`` draws W1, W2, ..., WL in that order, each
    as ``standard_normal((n_l, n_{l-1})) * sqrt(2 / n_{l-1})``.

    Args:
        layer_dims: ``[n_x, n_1, ..., n_L]``, at least two positive sizes.
        seed: seed of the generator; the same seed gives the same parameters.

    Returns:
        ``{"W1": (n_1, n_x), "b1": (n_1, 1), ..., "WL": (n_L, n_{L-1}), "bL": (n_L, 1)}``.

    Raises:
        ValueError: fewer than two sizes, or a size that is not a positive integer.
    """
    dims = list(layer_dims)
    if len(dims) < 2:
        raise ValueError(
            f"layer_dims must list at least the input and output sizes, got {dims!r}: "
            "pass e.g. [2, 1] for logistic regression on two features."
        )
    for size in dims:
        if isinstance(size, bool) or not isinstance(size, int | np.integer) or size < 1:
            raise ValueError(
                f"Every entry of layer_dims must be a positive integer, got {size!r} in {dims!r}."
            )
    rng = np.random.default_rng(seed)
    parameters: dict[str, np.ndarray] = {}
    for l in range(1, len(dims)):  # noqa: E741 (l is the lecture's layer index)
        n_l, n_prev = int(dims[l]), int(dims[l - 1])
        parameters[f"W{l}"] = rng.standard_normal((n_l, n_prev)) * np.sqrt(2.0 / n_prev)
        parameters[f"b{l}"] = np.zeros((n_l, 1))
    return parameters


def number_of_layers(parameters: Mapping[str, np.ndarray]) -> int:
    """L, the number of layers in ``parameters`` (which must hold W1, b1, ..., WL, bL).

    Raises:
        ValueError: the keys are not exactly W1..WL and b1..bL for some L >= 1.
    """
    L = sum(1 for key in parameters if key.startswith("W"))
    expected = {f"{letter}{l}" for l in range(1, L + 1) for letter in "Wb"}  # noqa: E741
    if L == 0 or set(parameters) != expected:
        raise ValueError(
            f"parameters must hold W1, b1, ..., WL, bL and nothing else, got keys "
            f"{sorted(parameters)!r}: build them with initialize_parameters(layer_dims)."
        )
    return L


def linear_forward(
    A_prev: np.ndarray, W: np.ndarray, b: np.ndarray
) -> tuple[np.ndarray, LinearCache]:
    """Z = W·A_prev + b (b broadcast over the m columns).

    Args:
        A_prev: activations of the previous layer, ``(n_{l-1}, m)``.
        W: weights, ``(n_l, n_{l-1})``.
        b: biases, ``(n_l, 1)``.

    Returns:
        ``(Z, cache)``: Z ``(n_l, m)`` and cache ``(A_prev, W, b)``.
    """
    Z = W @ A_prev + b
    return Z, (A_prev, W, b)


def linear_activation_forward(
    A_prev: np.ndarray, W: np.ndarray, b: np.ndarray, activation: str
) -> tuple[np.ndarray, LayerCache]:
    """A = g(W·A_prev + b), g named by ``activation``.

    Args:
        A_prev: activations of the previous layer, ``(n_{l-1}, m)``.
        W: weights, ``(n_l, n_{l-1})``.
        b: biases, ``(n_l, 1)``.
        activation: one of ``"sigmoid"``, ``"tanh"``, ``"relu"``, ``"leaky_relu"``,
            ``"softmax"``.

    Returns:
        ``(A, cache)``: A ``(n_l, m)`` and cache ``((A_prev, W, b), Z)``.

    Raises:
        ValueError: unknown ``activation``.
    """
    forward, _ = get_activation(activation)
    Z, linear_cache = linear_forward(A_prev, W, b)
    return forward(Z), (linear_cache, Z)


def model_forward(
    X: np.ndarray,
    parameters: Mapping[str, np.ndarray],
    hidden_activation: str = "relu",
    output_activation: str = "sigmoid",
) -> tuple[np.ndarray, list[LayerCache]]:
    """A[0] = X, A[l] = g(W[l]·A[l-1] + b[l]); g is the hidden one below L, the output one at L.

    Args:
        X: inputs, ``(n_x, m)``.
        parameters: ``{"W1": ..., "b1": ..., ..., "WL": ..., "bL": ...}``.
        hidden_activation: activation of layers 1..L-1.
        output_activation: activation of layer L.

    Returns:
        ``(AL, caches)``: AL ``(n_L, m)`` and a list of L caches, layer 1 first.

    Raises:
        ValueError: malformed ``parameters`` or unknown activation.
    """
    L = number_of_layers(parameters)
    get_activation(hidden_activation)  # fail early, even for L = 1
    A = X
    caches: list[LayerCache] = []
    for l in range(1, L + 1):  # noqa: E741
        activation = output_activation if l == L else hidden_activation
        W, b = parameters[f"W{l}"], parameters[f"b{l}"]
        A, cache = linear_activation_forward(A, W, b, activation)
        caches.append(cache)
    return A, caches


def linear_backward(
    dZ: np.ndarray, cache: LinearCache
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """dA_prev = W^T·dZ, dW = (1/m) dZ·A_prev^T, db = (1/m) Σ_columns dZ.

    ``dZ`` is per example (as the losses' backwards return it); the 1/m here turns it into
    the gradient of the mean cost.

    Args:
        dZ: gradient with respect to Z, ``(n_l, m)``.
        cache: ``(A_prev, W, b)`` from ``linear_forward``.

    Returns:
        ``(dA_prev, dW, db)``: ``(n_{l-1}, m)``, ``(n_l, n_{l-1})``, ``(n_l, 1)``.
    """
    A_prev, W, _ = cache
    m = A_prev.shape[1]
    dA_prev = W.T @ dZ
    dW = (dZ @ A_prev.T) / m
    db = np.sum(dZ, axis=1, keepdims=True) / m
    return dA_prev, dW, db


def linear_activation_backward(
    dA: np.ndarray, cache: LayerCache, activation: str
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """dZ = g_backward(dA, Z), then ``linear_backward(dZ)``.

    Args:
        dA: gradient with respect to this layer's A, ``(n_l, m)``.
        cache: ``((A_prev, W, b), Z)`` from ``linear_activation_forward``.
        activation: the activation the forward used.

    Returns:
        ``(dA_prev, dW, db)``: ``(n_{l-1}, m)``, ``(n_l, n_{l-1})``, ``(n_l, 1)``.

    Raises:
        ValueError: unknown ``activation``.
    """
    _, backward = get_activation(activation)
    linear_cache, Z = cache
    return linear_backward(backward(dA, Z), linear_cache)


def model_backward(
    AL: np.ndarray,
    Y: np.ndarray,
    caches: Sequence[LayerCache],
    hidden_activation: str = "relu",
    output_activation: str = "sigmoid",
) -> dict[str, np.ndarray]:
    """The gradient of the mean cross-entropy cost with respect to every W[l] and b[l].

    Output layer: dZ[L] = AL - Y, both for a sigmoid with binary cross-entropy (the
    lecture's result) and for a softmax with categorical cross-entropy. Below it,
    dA[l-1] = W[l]^T·dZ[l] and dZ[l] = dA[l] · g'(Z[l]), from layer L-1 down to 1.

    Args:
        AL: the output of ``model_forward``, ``(1, m)`` or ``(C, m)``.
        Y: labels of the same shape (0/1, or one-hot).
        caches: the L caches returned by ``model_forward``.
        hidden_activation: activation of layers 1..L-1, as in the forward.
        output_activation: ``"sigmoid"`` or ``"softmax"``, as in the forward.

    Returns:
        ``{"dW1": ..., "db1": ..., ..., "dWL": ..., "dbL": ...}``, shapes of W[l] and b[l].

    Raises:
        ValueError: an output activation without a cross-entropy cost, or unknown activation.
    """
    cost_function(output_activation)  # only sigmoid and softmax outputs have a cost here
    get_activation(hidden_activation)
    L = len(caches)
    grads: dict[str, np.ndarray] = {}
    # Sigmoid + binary and softmax + categorical cross-entropy both reduce to AL - Y.
    dZ = softmax_cross_entropy_backward(AL, Y)
    linear_cache, _ = caches[L - 1]
    dA_prev, grads[f"dW{L}"], grads[f"db{L}"] = linear_backward(dZ, linear_cache)
    for l in range(L - 1, 0, -1):  # noqa: E741
        dA_prev, grads[f"dW{l}"], grads[f"db{l}"] = linear_activation_backward(
            dA_prev, caches[l - 1], hidden_activation
        )
    return grads


def update_parameters(
    parameters: Mapping[str, np.ndarray],
    grads: Mapping[str, np.ndarray],
    learning_rate: float,
) -> dict[str, np.ndarray]:
    """One gradient-descent step: W[l] ← W[l] - η dW[l], b[l] ← b[l] - η db[l].

    Returns a new dict of new arrays; ``parameters`` is left as it was.

    Args:
        parameters: ``{"W1": ..., "b1": ..., ...}``.
        grads: ``{"dW1": ..., "db1": ..., ...}`` with the same shapes.
        learning_rate: η > 0.

    Returns:
        The updated parameters, same keys and shapes.

    Raises:
        ValueError: a gradient is missing for some parameter.
    """
    missing = [f"d{key}" for key in parameters if f"d{key}" not in grads]
    if missing:
        raise ValueError(
            f"grads has no {', '.join(missing)}: pass the dict returned by model_backward "
            "for the same parameters."
        )
    return {key: value - learning_rate * grads[f"d{key}"] for key, value in parameters.items()}
