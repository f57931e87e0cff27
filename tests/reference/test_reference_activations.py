"""reference.activations: gradients against finite differences, stability, properties."""

from __future__ import annotations

import numpy as np
import pytest
from reference_gradcheck import assert_gradients_agree, away_from_zero, numerical_gradient

from reference import activations as act

ALPHA = 0.2  # a non-default leaky ReLU slope, so a backward that ignores alpha is caught

# name -> (forward, backward), the leaky pair bound to ALPHA
PAIRS = {
    "sigmoid": (act.sigmoid, act.sigmoid_backward),
    "tanh": (act.tanh, act.tanh_backward),
    "relu": (act.relu, act.relu_backward),
    "leaky_relu": (act.leaky_relu, act.leaky_relu_backward),
    "leaky_relu_alpha": (
        lambda Z: act.leaky_relu(Z, alpha=ALPHA),
        lambda dA, Z: act.leaky_relu_backward(dA, Z, alpha=ALPHA),
    ),
    "softmax": (act.softmax, act.softmax_backward),
}


@pytest.mark.parametrize("name", sorted(PAIRS))
def test_backward_matches_finite_differences(name: str) -> None:
    """backward(dA, Z) is the gradient of Σ dA·forward(Z) with respect to Z."""
    forward, backward = PAIRS[name]
    rng = np.random.default_rng(11)
    Z = 2.0 * away_from_zero(rng, (4, 5))
    dA = rng.standard_normal((4, 5))
    numeric = numerical_gradient(lambda z: float(np.sum(dA * forward(z))), Z)
    assert_gradients_agree(backward(dA, Z), numeric, name)


def test_leaky_relu_uses_its_alpha() -> None:
    """Negative inputs are scaled by alpha in both directions; positive ones pass through."""
    Z = np.array([[-2.0, 3.0]])
    np.testing.assert_array_equal(act.leaky_relu(Z, alpha=0.2), [[-0.4, 3.0]])
    np.testing.assert_array_equal(act.leaky_relu(Z), [[-0.02, 3.0]])
    dA = np.array([[5.0, 7.0]])
    np.testing.assert_array_equal(act.leaky_relu_backward(dA, Z, alpha=0.2), [[1.0, 7.0]])


def test_values_on_hand_computed_inputs() -> None:
    """Each forward agrees with its formula on a few values worked out by hand."""
    Z = np.array([[0.0, np.log(3.0)], [-1.0, 2.0]])
    np.testing.assert_allclose(act.sigmoid(Z), [[0.5, 0.75], [1 / (1 + np.e), 1 / (1 + np.e**-2)]])
    np.testing.assert_array_equal(act.relu(Z), [[0.0, np.log(3.0)], [0.0, 2.0]])
    np.testing.assert_allclose(act.tanh(np.array([[np.log(2.0)]])), [[0.6]])
    # softmax of (0, ln 3) is (1/4, 3/4) in each column
    np.testing.assert_allclose(
        act.softmax(np.array([[0.0, 5.0], [np.log(3), 5 + np.log(3)]])),
        [[0.25, 0.25], [0.75, 0.75]],
    )


def test_softmax_of_huge_scores_is_stable() -> None:
    """softmax([[1000], [5000], [6000]]) is [0, 0, 1], with no floating-point signal at all."""
    with np.errstate(all="raise"):
        S = act.softmax(np.array([[1000.0], [5000.0], [6000.0]]))
    np.testing.assert_allclose(S, [[0.0], [0.0], [1.0]], rtol=0, atol=1e-300)


def test_sigmoid_of_plus_minus_1000_is_exact_and_silent() -> None:
    """sigmoid(-1000) = 0 and sigmoid(1000) = 1 (their float64 roundings), no signal."""
    with np.errstate(all="raise"):
        s = act.sigmoid(np.array([[-1000.0, 1000.0, -750.0, 750.0]]))
    np.testing.assert_array_equal(s, [[0.0, 1.0, 0.0, 1.0]])


def test_softmax_on_columns_of_very_different_scales() -> None:
    """Each column is right whatever the others' scale (one ~1e-3, one ~1e3, one ~1e5)."""
    Z = np.array([[1e-3, 1000.0, 1e5], [2e-3, 1001.0, 1e5 + 2], [-1e-3, 998.0, 1e5 - 1]])
    # Independent answer: exponentials of differences, computed in exact-enough form.
    expected = np.empty_like(Z)
    for j in range(Z.shape[1]):
        column = Z[:, j]
        for i in range(3):
            expected[i, j] = 1.0 / sum(np.exp(column[k] - column[i]) for k in range(3))
    with np.errstate(all="raise"):
        S = act.softmax(Z)
    np.testing.assert_allclose(S, expected, rtol=1e-14)
    # The small-scale column is nearly uniform, as it should be.
    np.testing.assert_allclose(S[:, 0], [1 / 3, 1 / 3, 1 / 3], atol=1e-3)


def test_softmax_columns_sum_to_one_and_are_shift_invariant() -> None:
    """Adding any constant to a column leaves its softmax unchanged."""
    rng = np.random.default_rng(3)
    Z = 5.0 * rng.standard_normal((4, 6))
    S = act.softmax(Z)
    np.testing.assert_allclose(S.sum(axis=0), np.ones(6), rtol=0, atol=1e-15)
    assert np.all(S > 0)
    shift = rng.uniform(-100.0, 100.0, size=(1, 6))  # a different constant per column
    np.testing.assert_allclose(act.softmax(Z + shift), S, rtol=1e-12)


def test_sigmoid_is_symmetric() -> None:
    """sigmoid(-z) = 1 - sigmoid(z)."""
    z = np.linspace(-30.0, 30.0, 121).reshape(11, 11)
    np.testing.assert_allclose(act.sigmoid(-z), 1.0 - act.sigmoid(z), rtol=0, atol=1e-15)


@pytest.mark.parametrize("name", sorted(PAIRS))
def test_backward_is_linear_in_dA(name: str) -> None:
    """backward(a·dA1 + dA2, Z) = a·backward(dA1, Z) + backward(dA2, Z)."""
    _, backward = PAIRS[name]
    rng = np.random.default_rng(5)
    Z, dA1, dA2 = (rng.standard_normal((3, 4)) for _ in range(3))
    a = -1.7
    np.testing.assert_allclose(
        backward(a * dA1 + dA2, Z),
        a * backward(dA1, Z) + backward(dA2, Z),
        rtol=1e-12,
        atol=1e-15,
    )


def test_shapes_and_dtype_are_kept() -> None:
    """Forwards and backwards return float64 arrays of the input's shape, (n,) included."""
    for forward, backward in PAIRS.values():
        for shape in [(5,), (3, 1), (1, 4), (2, 3)]:
            Z = np.linspace(-1.0, 1.0, int(np.prod(shape))).reshape(shape)
            for out in (forward(Z), backward(np.ones(shape), Z)):
                assert out.shape == shape
                assert out.dtype == np.float64


def test_unknown_activation_lists_the_valid_ones() -> None:
    """get_activation('swish') fails with a message naming every valid activation."""
    with pytest.raises(ValueError, match="swish") as raised:
        act.get_activation("swish")
    for name in ("sigmoid", "tanh", "relu", "leaky_relu", "softmax"):
        assert f'"{name}"' in str(raised.value)
