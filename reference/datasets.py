"""Seeded two-dimensional toy problems, in the column convention.

Every generator returns ``(X, Y)``: X ``(2, m)`` float64, one example per column, in a
random order; Y ``(1, m)`` float64 0/1 for the binary sets, and for the multi-class sets
(``spiral``, ``gaussian_blobs``) a one-hot ``(C, m)`` float64 matrix by default, or with
``one_hot=False`` the class indices as an int64 ``(1, m)`` array. The same arguments and
``seed`` always give the same arrays. Classes are as balanced as m allows.
"""

from __future__ import annotations

import numpy as np


def one_hot(labels: np.ndarray, C: int) -> np.ndarray:
    """The one-hot matrix of class indices: Y[k, i] = 1 if labels[i] == k, else 0.

    Args:
        labels: integer class indices in 0..C-1, shape ``(m,)`` or ``(1, m)``.
        C: number of classes.

    Returns:
        Y, float64 ``(C, m)``, each column holding a single 1.

    Raises:
        ValueError: labels that are not whole numbers in 0..C-1, or a bad shape or C.
    """
    _check_positive_int("C", C)
    array = np.asarray(labels)
    if array.ndim == 2 and array.shape[0] == 1:
        array = array[0]
    if array.ndim != 1:
        raise ValueError(
            f"labels must have shape (m,) or (1, m), got {np.shape(labels)}: "
            "pass one class index per example."
        )
    indices = array.astype(np.int64)
    if array.size and (np.any(indices != array) or indices.min() < 0 or indices.max() >= C):
        raise ValueError(
            f"labels must be whole numbers from 0 to {C - 1} for C = {C}, got values from "
            f"{array.min()} to {array.max()}."
        )
    Y = np.zeros((C, indices.size))
    Y[indices, np.arange(indices.size)] = 1.0
    return Y


def two_moons(m: int = 200, noise: float = 0.1, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """Two interleaving half circles: label 0 on the upper moon, 1 on the lower one.

    Upper: (cos t, sin t); lower: (1 - cos t, 0.5 - sin t), t in [0, π], plus Gaussian
    noise of standard deviation ``noise``. No line separates them.

    Returns:
        X ``(2, m)``, Y ``(1, m)`` 0/1.
    """
    _check_positive_int("m", m)
    _check_non_negative("noise", noise)
    rng = np.random.default_rng(seed)
    counts = _class_sizes(m, 2)
    t_upper = np.linspace(0.0, np.pi, counts[0])
    t_lower = np.linspace(0.0, np.pi, counts[1])
    upper = np.stack([np.cos(t_upper), np.sin(t_upper)])
    lower = np.stack([1.0 - np.cos(t_lower), 0.5 - np.sin(t_lower)])
    X = np.concatenate([upper, lower], axis=1) + noise * rng.standard_normal((2, m))
    labels = np.repeat([0, 1], counts)
    return _binary(*_shuffled(rng, X, labels))


def concentric_circles(
    m: int = 200, noise: float = 0.05, factor: float = 0.5, seed: int = 0
) -> tuple[np.ndarray, np.ndarray]:
    """A circle of radius ``factor`` (label 1) inside a circle of radius 1 (label 0).

    Points at evenly spaced angles, plus Gaussian noise of standard deviation ``noise``.

    Returns:
        X ``(2, m)``, Y ``(1, m)`` 0/1.
    """
    _check_positive_int("m", m)
    _check_non_negative("noise", noise)
    if not 0.0 < factor < 1.0:
        raise ValueError(
            f"factor is the inner radius over the outer one and must be in (0, 1), got {factor}."
        )
    rng = np.random.default_rng(seed)
    counts = _class_sizes(m, 2)
    circles = []
    for radius, count in zip((1.0, factor), counts, strict=True):
        angle = np.linspace(0.0, 2.0 * np.pi, count, endpoint=False)
        circles.append(radius * np.stack([np.cos(angle), np.sin(angle)]))
    X = np.concatenate(circles, axis=1) + noise * rng.standard_normal((2, m))
    labels = np.repeat([0, 1], counts)
    return _binary(*_shuffled(rng, X, labels))


def spiral(
    m: int = 300, arms: int = 3, noise: float = 0.2, seed: int = 0, one_hot: bool = True
) -> tuple[np.ndarray, np.ndarray]:
    """``arms`` interleaved spiral arms, one class each (C = arms).

    Arm k: radius r from 0 to 1 and angle θ = 4(k + r) + noise·N(0, 1) (radians), so each
    arm turns 4 radians; point (r sin θ, r cos θ).

    Returns:
        X ``(2, m)``, Y one-hot ``(C, m)`` (or int64 indices ``(1, m)`` with one_hot=False).
    """
    _check_positive_int("arms", arms)
    _check_positive_int("m", m)
    _check_non_negative("noise", noise)
    if m < arms:
        raise ValueError(f"m = {m} is too small for {arms} arms: give at least one point per arm.")
    rng = np.random.default_rng(seed)
    counts = _class_sizes(m, arms)
    labels = np.repeat(np.arange(arms), counts)
    radius = np.concatenate([np.linspace(0.0, 1.0, count) for count in counts])
    angle = 4.0 * (labels + radius) + noise * rng.standard_normal(m)
    X = radius * np.stack([np.sin(angle), np.cos(angle)])
    return _multi_class(*_shuffled(rng, X, labels), C=arms, one_hot_labels=one_hot)


def gaussian_blobs(
    m: int = 300,
    centers: int | np.ndarray = 3,
    spread: float = 1.0,
    seed: int = 0,
    one_hot: bool = True,
) -> tuple[np.ndarray, np.ndarray]:
    """Isotropic Gaussian clouds, one class per center.

    Args:
        m: number of examples.
        centers: either C, for C centers evenly spaced on the circle of radius 4, or the
            centers themselves as a ``(2, C)`` array (one center per column).
        spread: standard deviation of each cloud, >= 0.
        seed: seed of the generator.
        one_hot: one-hot ``(C, m)`` labels if true, else int64 indices ``(1, m)``.

    Returns:
        X ``(2, m)``, Y one-hot ``(C, m)`` (or int64 indices ``(1, m)``).
    """
    _check_positive_int("m", m)
    _check_non_negative("spread", spread)
    if isinstance(centers, int | np.integer) and not isinstance(centers, bool):
        _check_positive_int("centers", int(centers))
        angle = 2.0 * np.pi * np.arange(centers) / centers
        means = 4.0 * np.stack([np.cos(angle), np.sin(angle)])
    else:
        means = np.asarray(centers, dtype=np.float64)
        if means.ndim != 2 or means.shape[0] != 2 or means.shape[1] < 1:
            raise ValueError(
                f"centers must be a number of classes or a (2, C) array of centers (one per "
                f"column), got an array of shape {means.shape}."
            )
    C = means.shape[1]
    if m < C:
        raise ValueError(f"m = {m} is too small for {C} centers: give at least one point each.")
    rng = np.random.default_rng(seed)
    labels = np.repeat(np.arange(C), _class_sizes(m, C))
    X = means[:, labels] + spread * rng.standard_normal((2, m))
    return _multi_class(*_shuffled(rng, X, labels), C=C, one_hot_labels=one_hot)


def linearly_separable(
    m: int = 200, margin: float = 0.5, seed: int = 0
) -> tuple[np.ndarray, np.ndarray]:
    """Two classes on either side of a random line through the origin, a gap of ``margin``.

    The line's normal w is a random unit vector; each point is s·w + u·w⊥ with |s| in
    [margin/2, margin/2 + 2] and u in [-2, 2]; label 1 where s > 0. Every point is thus at
    least margin/2 from the line, on its own class's side.

    Returns:
        X ``(2, m)``, Y ``(1, m)`` 0/1.
    """
    _check_positive_int("m", m)
    _check_non_negative("margin", margin)
    rng = np.random.default_rng(seed)
    angle = rng.uniform(0.0, 2.0 * np.pi)
    normal = np.array([[np.cos(angle)], [np.sin(angle)]])
    along_line = np.array([[-np.sin(angle)], [np.cos(angle)]])
    labels = np.repeat([0, 1], _class_sizes(m, 2))
    side = np.where(labels == 1, 1.0, -1.0)
    s = side * (margin / 2.0 + rng.uniform(0.0, 2.0, m))
    u = rng.uniform(-2.0, 2.0, m)
    X = normal * s + along_line * u
    return _binary(*_shuffled(rng, X, labels))


def _class_sizes(m: int, C: int) -> np.ndarray:
    """Sizes of C classes summing to m, differing by at most 1."""
    return np.full(C, m // C) + (np.arange(C) < m % C)


def _shuffled(
    rng: np.random.Generator, X: np.ndarray, labels: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Columns of X ``(2, m)`` and their labels ``(m,)`` in the same random order."""
    order = rng.permutation(X.shape[1])
    return X[:, order], labels[order]


def _binary(X: np.ndarray, labels: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    return X, labels.reshape(1, -1).astype(np.float64)


def _multi_class(
    X: np.ndarray, labels: np.ndarray, C: int, one_hot_labels: bool
) -> tuple[np.ndarray, np.ndarray]:
    if one_hot_labels:
        return X, one_hot(labels, C)
    return X, labels.reshape(1, -1).astype(np.int64)


def _check_positive_int(name: str, value: object) -> None:
    if isinstance(value, bool) or not isinstance(value, int | np.integer) or value < 1:
        raise ValueError(f"{name} must be a positive integer, got {value!r}.")


def _check_non_negative(name: str, value: float) -> None:
    if not np.isfinite(value) or value < 0:
        raise ValueError(f"{name} must be a finite number >= 0, got {value!r}.")
