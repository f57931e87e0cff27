"""Inputs and labels that the public cases of several exercises share.

Glossary: X (n_x, m), W[l] (n_l, n_{l-1}), b[l] (n_l, 1), A[l] and Z[l] (n_l, m), Y (1, m)
binary or (C, m) one-hot.
"""

from __future__ import annotations

import numpy as np

import reference.network as ref_network
from grader.gradcheck import sample_away_from_kinks
from grader.i18n import Text

# Pre-activations of gradient cases stay this far from 0, where ReLU-like layers have a kink.
KINK_MARGIN = 0.05

RANDOM = Text("random inputs")
ONE_EXAMPLE = Text("one example (m = 1)")


def away_from_zero(rng: np.random.Generator, shape: tuple[int, ...]) -> np.ndarray:
    """Random entries with |z| in [0.1, 2]: no kink of ReLU within finite-difference reach."""
    return sample_away_from_kinks(rng, shape, margin=0.1, scale=2.0)


def one_hot(rng: np.random.Generator, classes: int, m: int) -> np.ndarray:
    """Random one-hot labels, shape (classes, m)."""
    return np.eye(classes)[:, rng.integers(0, classes, size=m)]


def binary_labels(rng: np.random.Generator, m: int) -> np.ndarray:
    """Random 0/1 labels, shape (1, m)."""
    return rng.integers(0, 2, size=(1, m)).astype(np.float64)


def labels_for(
    rng: np.random.Generator, output_activation: str, classes: int, m: int
) -> np.ndarray:
    """One-hot labels for a softmax output, 0/1 labels otherwise."""
    if output_activation == "softmax":
        return one_hot(rng, classes, m)
    return binary_labels(rng, m)


def layer_inputs(
    rng: np.random.Generator, n_prev: int, n: int, m: int
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """A_prev (n_prev, m), W (n, n_prev), b (n, 1) whose Z = W·A_prev + b stays at least
    KINK_MARGIN away from 0."""
    while True:
        A_prev = rng.standard_normal((n_prev, m))
        W = rng.standard_normal((n, n_prev))
        b = rng.standard_normal((n, 1)) * 0.5
        if np.min(np.abs(W @ A_prev + b)) >= KINK_MARGIN:
            return A_prev, W, b


def network_inputs(
    rng: np.random.Generator, layer_dims: list[int], m: int, seed: int
) -> tuple[np.ndarray, dict[str, np.ndarray]]:
    """X (n_x, m) and parameters whose pre-activations all stay KINK_MARGIN away from 0."""
    while True:
        X = rng.standard_normal((layer_dims[0], m))
        parameters = ref_network.initialize_parameters(layer_dims, seed)
        for layer in range(1, len(layer_dims)):
            parameters[f"b{layer}"] = rng.standard_normal((layer_dims[layer], 1)) * 0.1
        A, far_from_kinks = X, True
        for layer in range(1, len(layer_dims)):
            Z = parameters[f"W{layer}"] @ A + parameters[f"b{layer}"]
            far_from_kinks &= bool(np.min(np.abs(Z)) >= KINK_MARGIN)
            A = np.tanh(Z)  # any activation: only the margin of Z matters
        if far_from_kinks:
            return X, parameters


def network_label(layer_dims: list[int], hidden: str, output: str) -> Text:
    """``layers [3, 4, 1], relu then sigmoid``."""
    return Text(
        "layers %(dims)s, %(hidden)s then %(output)s", dims=layer_dims, hidden=hidden, output=output
    )
