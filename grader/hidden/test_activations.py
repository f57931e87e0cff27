"""Hidden suite: activations.py (sigmoid, tanh, relu, leaky_relu, softmax).

Inputs come from `rng` (seeded per student and per test) with all dimensions distinct, so
that a transposed result cannot pass. Derivatives are checked only where the activation is
differentiable: ReLU-like inputs keep |z| >= 0.1, and ReLU's derivative at exactly 0 is
never graded.
"""

from __future__ import annotations

import numpy as np
import pytest

import reference.activations as ref
from grader.catalog import get_exercise
from grader.gradcheck import Diagnosis, sample_away_from_kinks, sample_unsaturated
from grader.hidden._activation_checks import (
    ValueCase,
    check_backward_gradient,
    check_backward_values,
    check_forward_values,
    check_values,
    from_Z_alternative,
)
from grader.i18n import N_

UNSTABLE_SOFTMAX = get_exercise("softmax").mistake("unstable_softmax").diagnosis()
OVERFLOW = get_exercise("sigmoid").mistake("overflow").diagnosis()


def _wrong_axis(name: str, wrong: np.ndarray) -> tuple[Diagnosis, np.ndarray]:
    return get_exercise("softmax").mistake("wrong_axis").diagnosis(name=name), wrong


def _softmax_wrong_axes(Z: np.ndarray) -> list[tuple[Diagnosis, np.ndarray]]:
    shifted = np.exp(Z - Z.max())
    return [
        _wrong_axis("softmax", shifted / shifted.sum(axis=1, keepdims=True)),
        _wrong_axis("softmax", shifted / shifted.sum()),
    ]


def _with_small_row(rng: np.random.Generator, Z: np.ndarray, row: int = 0) -> np.ndarray:
    """Z with one row in (0.1, 1) in magnitude, signs alternating from +: drawn up to
    |z| = 3, 6 or 50, Z holds an entry of (0, 1) only most of the time, and a branch switched
    at 1 instead of 0 would cost some students more than others, or be blamed on the
    functions that call it."""
    signs = np.where(np.arange(Z.shape[1]) % 2 == 0, 1.0, -1.0)
    Z[row] = signs * rng.uniform(0.1, 1.0, Z.shape[1])
    return Z


# --- sigmoid ---------------------------------------------------------------------------


@pytest.mark.graded(
    exercise="sigmoid",
    points=1,
    title=N_("sigmoid: values on random inputs, exact zeros and a single example"),
)
def test_sigmoid_values(student, rng):
    Z = rng.uniform(-6.0, 6.0, size=(4, 7))
    zeros = int(rng.integers(4))
    Z[zeros, :] = 0.0
    _with_small_row(rng, Z, (zeros + 1) % 4)
    single = rng.uniform(-6.0, 6.0, size=(5, 1))
    check_values(student, "sigmoid", ref.sigmoid, [ValueCase((Z,)), ValueCase((single,))])


@pytest.mark.graded(
    exercise="sigmoid",
    points=1,
    title=N_("sigmoid: correct and finite for large |z| (±40, ±1000)"),
)
def test_sigmoid_stability(student, rng):
    Z = np.array([[-1000.0, -40.0, 0.0, 40.0, 1000.0], [1000.0, 35.5, -2.0, -35.5, -1000.0]])
    check_forward_values(
        student, "sigmoid", ref.sigmoid, Z[:, rng.permutation(5)], not_finite=OVERFLOW
    )


@pytest.mark.graded(
    exercise="sigmoid",
    points=1,
    title=N_("sigmoid_backward: values against the correct derivative"),
)
def test_sigmoid_backward_values(student, rng):
    dA = rng.standard_normal((3, 5))
    Z = rng.uniform(-5.0, 5.0, size=(3, 5))
    wrong = dA * Z * (1.0 - Z)
    check_backward_values(
        student,
        "sigmoid_backward",
        ref.sigmoid_backward,
        dA,
        Z,
        alternatives=[from_Z_alternative("sigmoid", wrong)],
    )


@pytest.mark.graded(
    exercise="sigmoid",
    points=1,
    title=N_("sigmoid_backward: agrees with finite differences of sigmoid"),
)
def test_sigmoid_backward_gradient(student, rng):
    dA = rng.standard_normal((3, 5))
    Z = sample_unsaturated(rng, (3, 5))
    check_backward_gradient(student, "sigmoid", "sigmoid_backward", ref.sigmoid, dA, Z, rng)


# --- tanh ------------------------------------------------------------------------------


@pytest.mark.graded(
    exercise="tanh",
    points=1,
    title=N_("tanh: values on random inputs, zeros, large |z| and a single example"),
)
def test_tanh_values(student, rng):
    Z = rng.uniform(-4.0, 4.0, size=(4, 7))
    Z[:, rng.integers(7)] = 0.0
    Z[rng.integers(4), :2] = [-1000.0, 1000.0]
    single = rng.uniform(-4.0, 4.0, size=(5, 1))
    check_values(student, "tanh", ref.tanh, [ValueCase((Z,)), ValueCase((single,))])


@pytest.mark.graded(
    exercise="tanh",
    points=1,
    title=N_("tanh_backward: values against the correct derivative"),
)
def test_tanh_backward_values(student, rng):
    dA = rng.standard_normal((3, 5))
    Z = rng.uniform(-3.0, 3.0, size=(3, 5))
    check_backward_values(
        student,
        "tanh_backward",
        ref.tanh_backward,
        dA,
        Z,
        alternatives=[from_Z_alternative("tanh", dA * (1.0 - Z**2))],
    )


@pytest.mark.graded(
    exercise="tanh",
    points=1,
    title=N_("tanh_backward: agrees with finite differences of tanh"),
)
def test_tanh_backward_gradient(student, rng):
    dA = rng.standard_normal((3, 5))
    Z = sample_unsaturated(rng, (3, 5), bound=2.5)
    check_backward_gradient(student, "tanh", "tanh_backward", ref.tanh, dA, Z, rng)


# --- relu ------------------------------------------------------------------------------


@pytest.mark.graded(
    exercise="relu",
    points=1,
    title=N_("relu: values on random inputs, exact zeros, large |z| and a single example"),
)
def test_relu_values(student, rng):
    Z = rng.uniform(-3.0, 3.0, size=(4, 7))
    Z[rng.integers(4), :] = 0.0
    Z[:, rng.integers(7)] *= 1e4
    single = rng.uniform(-3.0, 3.0, size=(5, 1))
    check_values(student, "relu", ref.relu, [ValueCase((Z,)), ValueCase((single,))])


@pytest.mark.graded(
    exercise="relu",
    points=1,
    title=N_("relu_backward: values against the correct derivative (z ≠ 0)"),
)
def test_relu_backward_values(student, rng):
    dA = rng.standard_normal((3, 5))
    Z = _with_small_row(rng, sample_away_from_kinks(rng, (3, 5), scale=50.0))
    check_backward_values(student, "relu_backward", ref.relu_backward, dA, Z)


@pytest.mark.graded(
    exercise="relu",
    points=1,
    title=N_("relu_backward: agrees with finite differences of relu (away from z = 0)"),
)
def test_relu_backward_gradient(student, rng):
    dA = rng.standard_normal((3, 5))
    Z = _with_small_row(rng, sample_away_from_kinks(rng, (3, 5)))
    check_backward_gradient(student, "relu", "relu_backward", ref.relu, dA, Z, rng)


# --- leaky_relu ------------------------------------------------------------------------


@pytest.mark.graded(
    exercise="leaky_relu",
    points=1,
    title=N_("leaky_relu: values with the default alpha and with alpha = 0.2"),
)
def test_leaky_relu_values(student, rng):
    Z = rng.uniform(-3.0, 3.0, size=(4, 7))
    Z[rng.integers(4), :] = 0.0
    Z[:, rng.integers(7)] *= 1e4
    single = rng.uniform(-3, 3, size=(5, 1))
    cases = [ValueCase((Z,)), ValueCase((Z,), {"alpha": 0.2}), ValueCase((single,))]
    check_values(student, "leaky_relu", ref.leaky_relu, cases)


@pytest.mark.graded(
    exercise="leaky_relu",
    points=1,
    title=N_("leaky_relu_backward: values with the default alpha and with alpha = 0.2 (z ≠ 0)"),
)
def test_leaky_relu_backward_values(student, rng):
    dA = rng.standard_normal((3, 5))
    Z = _with_small_row(rng, sample_away_from_kinks(rng, (3, 5), scale=50.0))
    cases = [ValueCase((dA, Z)), ValueCase((dA, Z), {"alpha": 0.2})]
    check_values(student, "leaky_relu_backward", ref.leaky_relu_backward, cases, backward=True)


@pytest.mark.graded(
    exercise="leaky_relu",
    points=1,
    title=N_("leaky_relu_backward: agrees with finite differences of leaky_relu"),
)
def test_leaky_relu_backward_gradient(student, rng):
    dA = rng.standard_normal((3, 5))
    Z = _with_small_row(rng, sample_away_from_kinks(rng, (3, 5)))
    forward, backward = "leaky_relu", "leaky_relu_backward"
    check_backward_gradient(student, forward, backward, ref.leaky_relu, dA, Z, rng)
    check_backward_gradient(student, forward, backward, ref.leaky_relu, dA, Z, rng, alpha=0.2)


# --- softmax ---------------------------------------------------------------------------


@pytest.mark.graded(
    exercise="softmax",
    points=1,
    title=N_("softmax: values on random inputs (classes are rows)"),
)
def test_softmax_values(student, rng):
    Z = rng.uniform(-3.0, 3.0, size=(4, 6))
    check_forward_values(
        student, "softmax", ref.softmax, Z, alternatives=_softmax_wrong_axes(Z), curve=False
    )


@pytest.mark.graded(
    exercise="softmax",
    points=1,
    title=N_("softmax: columns of very different scales, one class row, a single example"),
)
def test_softmax_edge_cases(student, rng):
    Z = rng.standard_normal((3, 5)) * np.array([[1e-3, 1.0, 10.0, 30.0, 1e-6]])
    one_class = rng.uniform(-3.0, 3.0, size=(1, 4))
    single = rng.uniform(-3, 3, size=(5, 1))
    cases = [
        ValueCase((Z,), alternatives=_softmax_wrong_axes(Z), curve=False),
        ValueCase((one_class,), curve=False),
        ValueCase((single,), curve=False),
    ]
    check_values(student, "softmax", ref.softmax, cases)


@pytest.mark.graded(
    exercise="softmax",
    points=1,
    title=N_("softmax: stable for large inputs such as [1000, 5000, 6000]"),
)
def test_softmax_stability(student, rng):
    lecture = np.array([[1000.0], [5000.0], [6000.0]])
    large = rng.uniform(700.0, 720.0, size=(3, 4))
    # One batch whose columns live at different scales, as real logits do: the max of the
    # whole batch (not of each column) sends a small column's exponentials to 0, then 0/0.
    scales = np.array([[1000.0, 1.0, -1000.0, 0.0]])
    mixed = (scales + rng.uniform(-2.0, 2.0, size=(3, 4)))[:, rng.permutation(4)]
    cases = [
        ValueCase((Z,), not_finite=UNSTABLE_SOFTMAX, curve=False) for Z in (lecture, large, mixed)
    ]
    check_values(student, "softmax", ref.softmax, cases)


@pytest.mark.graded(
    exercise="softmax",
    points=1,
    title=N_("softmax_backward: values against the correct Jacobian-vector product"),
)
def test_softmax_backward_values(student, rng):
    dA = rng.standard_normal((4, 6))
    Z = rng.uniform(-3.0, 3.0, size=(4, 6))
    check_backward_values(student, "softmax_backward", ref.softmax_backward, dA, Z, curve=False)


@pytest.mark.graded(
    exercise="softmax",
    points=1,
    title=N_("softmax_backward: agrees with finite differences of softmax"),
)
def test_softmax_backward_gradient(student, rng):
    dA = rng.standard_normal((4, 3))
    Z = sample_unsaturated(rng, (4, 3), bound=2.0)
    check_backward_gradient(student, "softmax", "softmax_backward", ref.softmax, dA, Z, rng)
