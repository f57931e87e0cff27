"""reference.datasets: shapes, label forms, reproducibility, geometry, argument checks."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pytest

from reference import datasets as ds
from reference import model as md
from reference import network as nw

BINARY: dict[str, Callable[..., tuple[np.ndarray, np.ndarray]]] = {
    "two_moons": ds.two_moons,
    "concentric_circles": ds.concentric_circles,
    "linearly_separable": ds.linearly_separable,
}
MULTI_CLASS: dict[str, Callable[..., tuple[np.ndarray, np.ndarray]]] = {
    "spiral": ds.spiral,
    "gaussian_blobs": ds.gaussian_blobs,
}


@pytest.mark.parametrize("name", sorted(BINARY))
def test_binary_sets_have_the_column_convention(name: str) -> None:
    """X (2, m) float64; Y (1, m) float64 of 0/1, the two classes as balanced as m allows."""
    X, Y = BINARY[name](m=51, seed=3)
    assert X.shape == (2, 51) and X.dtype == np.float64
    assert Y.shape == (1, 51) and Y.dtype == np.float64
    assert set(np.unique(Y)) == {0.0, 1.0}
    assert sorted([int(np.sum(Y == 0)), int(np.sum(Y == 1))]) == [25, 26]


@pytest.mark.parametrize("name", sorted(MULTI_CLASS))
def test_multi_class_sets_are_one_hot_or_indices(name: str) -> None:
    """Default: one-hot (C, m) float64; one_hot=False: the same classes as int64 (1, m)."""
    X, Y = MULTI_CLASS[name](301, 3, seed=2)
    assert X.shape == (2, 301) and Y.shape == (3, 301) and Y.dtype == np.float64
    np.testing.assert_array_equal(Y.sum(axis=0), np.ones(301))
    assert sorted(Y.sum(axis=1).tolist()) == [100.0, 100.0, 101.0]
    X_again, labels = MULTI_CLASS[name](301, 3, seed=2, one_hot=False)
    assert labels.shape == (1, 301) and labels.dtype == np.int64
    np.testing.assert_array_equal(X_again, X)
    np.testing.assert_array_equal(labels[0], np.argmax(Y, axis=0))


@pytest.mark.parametrize("name", sorted(BINARY) + sorted(MULTI_CLASS))
def test_the_seed_fixes_the_data(name: str) -> None:
    """The same seed gives identical arrays; another seed gives other points."""
    generator = {**BINARY, **MULTI_CLASS}[name]
    X1, Y1 = generator(m=40, seed=5)
    X2, Y2 = generator(m=40, seed=5)
    X3, _ = generator(m=40, seed=6)
    np.testing.assert_array_equal(X1, X2)
    np.testing.assert_array_equal(Y1, Y2)
    assert not np.array_equal(X1, X3)
    np.testing.assert_array_equal(generator(m=40)[0], generator(m=40, seed=0)[0])


def test_noiseless_moons_lie_on_their_half_circles() -> None:
    """Class 0 on the upper unit half circle, class 1 on the lower one centred at (1, 0.5)."""
    X, Y = ds.two_moons(60, noise=0.0)
    upper, lower = X[:, Y[0] == 0], X[:, Y[0] == 1]
    np.testing.assert_allclose(np.hypot(upper[0], upper[1]), 1.0, rtol=1e-12)
    assert np.all(upper[1] >= -1e-12)
    np.testing.assert_allclose(np.hypot(lower[0] - 1.0, lower[1] - 0.5), 1.0, rtol=1e-12)
    assert np.all(lower[1] <= 0.5 + 1e-12)


def test_noiseless_circles_have_radii_one_and_factor() -> None:
    """Class 0 at radius 1, class 1 at radius ``factor``."""
    X, Y = ds.concentric_circles(40, noise=0.0, factor=0.3)
    radius = np.hypot(X[0], X[1])
    np.testing.assert_allclose(radius[Y[0] == 0], 1.0, rtol=1e-12)
    np.testing.assert_allclose(radius[Y[0] == 1], 0.3, rtol=1e-12)


def test_noiseless_spiral_arms_follow_their_angle() -> None:
    """Arm k's points satisfy θ = 4(k + r) (mod 2π), with (x, y) = r(sin θ, cos θ)."""
    X, labels = ds.spiral(90, arms=3, noise=0.0, one_hot=False)
    r = np.hypot(X[0], X[1])
    assert np.all(r <= 1.0 + 1e-12)
    keep = r > 1e-9  # the angle of the origin is undefined
    theta = np.arctan2(X[0], X[1])[keep]
    expected = 4.0 * (labels[0][keep] + r[keep])
    np.testing.assert_allclose(np.cos(theta - expected), 1.0, atol=1e-9)


def test_blobs_sit_on_their_centers() -> None:
    """With spread 0 every point is its center; with spread 1 the class means are close."""
    centers = np.array([[0.0, 10.0], [0.0, -10.0]])
    X, labels = ds.gaussian_blobs(20, centers, spread=0.0, one_hot=False)
    np.testing.assert_array_equal(X, centers[:, labels[0]])
    X, labels = ds.gaussian_blobs(2000, 4, spread=1.0, one_hot=False)
    for k in range(4):
        expected = 4.0 * np.array([np.cos(np.pi * k / 2), np.sin(np.pi * k / 2)])
        np.testing.assert_allclose(X[:, labels[0] == k].mean(axis=1), expected, atol=0.15)


def test_linearly_separable_data_are_fit_exactly_by_logistic_regression() -> None:
    """A line separates the classes: logistic regression reaches 100% training accuracy."""
    X, Y = ds.linearly_separable(100, margin=0.5, seed=4)
    trained, _ = md.train(X, Y, nw.initialize_parameters([2, 1]), 1.0, 300)
    np.testing.assert_array_equal(md.predict(X, trained), Y)


def test_one_hot_by_hand() -> None:
    """Labels (2, 0, 1) with C = 3 give the columns e2, e0, e1; shapes (m,) and (1, m) agree."""
    expected = np.array([[0.0, 1.0, 0.0], [0.0, 0.0, 1.0], [1.0, 0.0, 0.0]])
    np.testing.assert_array_equal(ds.one_hot(np.array([2, 0, 1]), 3), expected)
    np.testing.assert_array_equal(ds.one_hot(np.array([[2.0, 0.0, 1.0]]), 3), expected)


@pytest.mark.parametrize(
    ("call", "mentions"),
    [
        (lambda: ds.one_hot(np.array([0, 3]), 3), "0 to 2"),
        (lambda: ds.one_hot(np.array([0.5]), 3), "whole numbers"),
        (lambda: ds.one_hot(np.zeros((2, 2)), 3), "shape"),
        (lambda: ds.two_moons(0), "m must"),
        (lambda: ds.two_moons(10, noise=-1.0), "noise"),
        (lambda: ds.concentric_circles(10, factor=1.0), "factor"),
        (lambda: ds.spiral(10, arms=0), "arms"),
        (lambda: ds.spiral(2, arms=3), "too small"),
        (lambda: ds.gaussian_blobs(10, np.zeros((3, 2))), "(2, C)"),
        (lambda: ds.gaussian_blobs(10, 3, spread=float("nan")), "spread"),
        (lambda: ds.linearly_separable(10, margin=-0.1), "margin"),
    ],
)
def test_bad_arguments_are_refused_with_a_reason(call: Callable[[], object], mentions: str) -> None:
    with pytest.raises(ValueError) as raised:
        call()
    assert mentions in str(raised.value)
