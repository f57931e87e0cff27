"""reference.losses: hand-computed values, gradients against finite differences, stability."""

from __future__ import annotations

import numpy as np
import pytest
from reference_gradcheck import assert_gradients_agree, numerical_gradient

from reference import activations as act
from reference import losses

M = 6  # examples per batch in these tests


def binary_batch(seed: int) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    AL = rng.uniform(0.1, 0.9, size=(1, M))  # away from 0 and 1, where log bends hard
    Y = rng.integers(0, 2, size=(1, M)).astype(np.float64)
    return AL, Y


def one_hot_batch(seed: int, C: int = 4) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    Y = np.eye(C)[:, rng.integers(0, C, size=M)]
    return rng.standard_normal((C, M)), Y


def test_binary_cross_entropy_by_hand() -> None:
    """AL = (0.5, 0.8), Y = (1, 0): the costs are ln 2 and ln 5, their mean ln(10)/2."""
    cost = losses.binary_cross_entropy(np.array([[0.5, 0.8]]), np.array([[1.0, 0.0]]))
    assert isinstance(cost, float)
    assert cost == pytest.approx(np.log(10.0) / 2, rel=1e-15)


def test_categorical_cross_entropy_by_hand() -> None:
    """True-class probabilities 1/4 and 1/2: costs ln 4 and ln 2, mean 1.5 ln 2."""
    AL = np.array([[0.25, 0.5], [0.75, 0.5]])
    Y = np.array([[1.0, 0.0], [0.0, 1.0]])
    cost = losses.categorical_cross_entropy(AL, Y)
    assert isinstance(cost, float)
    assert cost == pytest.approx(1.5 * np.log(2.0), rel=1e-15)


@pytest.mark.parametrize("seed", [0, 1])
def test_binary_backward_is_m_times_the_cost_gradient(seed: int) -> None:
    """dAL is per example: dAL = m · ∂J/∂AL for the mean cost J."""
    AL, Y = binary_batch(seed)
    numeric = numerical_gradient(lambda a: losses.binary_cross_entropy(a, Y), AL)
    assert_gradients_agree(losses.binary_cross_entropy_backward(AL, Y), M * numeric, "BCE")


@pytest.mark.parametrize("seed", [0, 1])
def test_categorical_backward_is_m_times_the_cost_gradient(seed: int) -> None:
    """dAL = -Y/AL = m · ∂J/∂AL (AL's entries treated as independent)."""
    _, Y = one_hot_batch(seed)
    AL = np.random.default_rng(seed + 100).uniform(0.2, 1.0, size=Y.shape)
    numeric = numerical_gradient(lambda a: losses.categorical_cross_entropy(a, Y), AL)
    analytic = losses.categorical_cross_entropy_backward(AL, Y)
    assert_gradients_agree(analytic, M * numeric, "CCE")


@pytest.mark.parametrize("seed", [0, 1])
def test_softmax_cross_entropy_backward_is_the_composition(seed: int) -> None:
    """AL - Y equals softmax_backward(categorical backward) and m · ∂J(softmax(Z))/∂Z."""
    Z, Y = one_hot_batch(seed)
    AL = act.softmax(Z)
    fused = losses.softmax_cross_entropy_backward(AL, Y)
    composed = act.softmax_backward(losses.categorical_cross_entropy_backward(AL, Y), Z)
    np.testing.assert_allclose(fused, composed, rtol=1e-12, atol=1e-14)
    numeric = numerical_gradient(lambda z: losses.categorical_cross_entropy(act.softmax(z), Y), Z)
    assert_gradients_agree(fused, M * numeric, "softmax + CCE")


def test_costs_are_finite_at_the_edges_of_the_contract() -> None:
    """At AL = 1e-12 or 1 - 1e-12 the costs are finite and equal to -log of the right term."""
    tiny = 1e-12
    with np.errstate(all="raise"):
        wrong = losses.binary_cross_entropy(np.array([[tiny, 1 - tiny]]), np.array([[1.0, 0.0]]))
        right = losses.binary_cross_entropy(np.array([[tiny, 1 - tiny]]), np.array([[0.0, 1.0]]))
        categorical = losses.categorical_cross_entropy(
            np.array([[tiny], [1 - tiny]]), np.array([[1.0], [0.0]])
        )
    assert wrong == pytest.approx(-np.log(tiny), rel=1e-4)
    assert 0 < right < 1e-11
    assert categorical == pytest.approx(-np.log(tiny), rel=1e-12)


def test_a_zero_weight_times_log_zero_counts_as_zero() -> None:
    """A class the example is not in contributes nothing, even with probability exactly 0."""
    AL = np.array([[0.0], [1.0]])
    Y = np.array([[0.0], [1.0]])
    with np.errstate(all="raise"):
        assert losses.categorical_cross_entropy(AL, Y) == 0.0
        assert losses.binary_cross_entropy(np.array([[1.0, 0.0]]), np.array([[1.0, 0.0]])) == 0.0


def test_cost_function_rejects_outputs_without_a_cost() -> None:
    """Only sigmoid and softmax outputs have a cross-entropy; the message says which to use."""
    assert losses.cost_function("sigmoid") is losses.binary_cross_entropy
    assert losses.output_cost(np.array([[0.5]]), np.array([[1.0]])) == pytest.approx(np.log(2))
    with pytest.raises(ValueError, match=r'"sigmoid".*"softmax"'):
        losses.cost_function("tanh")
