"""Hidden suite: losses.py (binary and categorical cross-entropy, their backwards).

A cost is the mean over the m columns; a loss's backward is per example (no 1/m), so it
equals m times the gradient of the cost: that is what the finite differences check.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

import numpy as np
import pytest

import reference.activations as ref_activations
import reference.losses as ref
from grader.checks import (
    describe_call,
    expect_array,
    expect_cost_type,
    expect_float,
    expect_gradient,
)
from grader.gradcheck import (
    DEFAULT_STEP,
    central_difference_from_values,
    central_difference_gradient,
)
from grader.hidden._directions import agree_along_directions, finite_arrays
from grader.hidden._support import Call, Student, binary_labels, calls_pure, one_hot
from grader.i18n import N_, Text

M_TIMES_OWN_COST = N_("m × finite differences of your own %(cost)s")
M_TIMES_CORRECT_COST = N_("m × finite differences of the correct %(cost)s")


def _check_costs(
    student: Student, function: str, cases: list[tuple[np.ndarray, np.ndarray]]
) -> None:
    """The student's cost on each ``(AL, Y)`` is the reference's, checked in order."""
    reference: Callable[[np.ndarray, np.ndarray], float] = getattr(ref, function)
    calls: list[Call] = [((AL, Y), {}) for AL, Y in cases]
    for (AL, Y), got in zip(cases, calls_pure(student, function, calls), strict=False):
        expect_float(
            got,
            reference(AL, Y),
            function=function,
            call=describe_call(function, {"AL": AL, "Y": Y}),
            m=AL.shape[1],
        )


def _check_loss_backwards(
    student: Student, function: str, cases: list[tuple[np.ndarray, np.ndarray]]
) -> None:
    """The student's backward on each ``(AL, Y)`` is the reference's, checked in order."""
    calls: list[Call] = [((AL, Y), {}) for AL, Y in cases]
    for (AL, Y), got in zip(cases, calls_pure(student, function, calls), strict=False):
        expect_array(
            got,
            getattr(ref, function)(AL, Y),
            function=function,
            name="dAL" if function != "softmax_cross_entropy_backward" else "dZL",
            call=describe_call(function, {"AL": AL, "Y": Y}),
            m=AL.shape[1],
        )


def _student_cost_gradient(
    student: Student, cost: str, AL: np.ndarray, Y: np.ndarray
) -> np.ndarray:
    """m times the finite-difference gradient of the student's cost at AL: the per-example
    gradient the matching backward must return. Shapes: AL, Y and the result (n, m)."""
    call = describe_call(cost, {"AL": AL, "Y": Y})
    point = np.asarray(AL, dtype=np.float64)
    costs = student.call_perturbed(cost, (point, Y), {}, targets=[("args", 0)], step=DEFAULT_STEP)
    values = [expect_cost_type(value, function=cost, call=call) for value in costs]
    return AL.shape[1] * central_difference_from_values(values, point.shape, step=DEFAULT_STEP)


def _agrees_with_own_cost(
    student: Student,
    cost: str,
    AL: np.ndarray,
    Y: np.ndarray,
    analytic: object,
    rng: np.random.Generator,
) -> bool:
    """Whether `analytic` (dAL, per example: m times the cost's gradient) agrees with the
    student's cost along random directions (`grader.hidden._directions`). Shapes: (n, m)."""
    claimed = finite_arrays([analytic], [AL.shape])
    if claimed is None:
        return False

    def values_at(calls: list[Call]) -> np.ndarray | None:
        costs: Any = student.call_batch(cost, calls)
        if not all(_a_finite_cost(value) for value in costs):
            return None
        return np.array([float(value) for value in costs])

    point = np.asarray(AL, dtype=np.float64)
    return agree_along_directions(
        values_at, lambda moved: ((moved[0], Y), {}), [point], claimed, rng, scales=(AL.shape[1],)
    )


def _a_finite_cost(value: object) -> bool:
    """A cost `expect_cost_type` takes (a float or a numpy float, not a bool), and finite."""
    if isinstance(value, bool) or not isinstance(value, float | np.floating):
        return False
    return math.isfinite(value)


def _reference_cost_gradient(
    cost: Callable[[np.ndarray, np.ndarray], float], AL: np.ndarray, Y: np.ndarray
) -> np.ndarray:
    return AL.shape[1] * central_difference_gradient(
        lambda points: [cost(point, Y) for point in points], AL
    )


# --- binary cross-entropy --------------------------------------------------------------


@pytest.mark.graded(
    exercise="binary_cross_entropy",
    points=1,
    title=N_("binary_cross_entropy: the mean cost, returned as a float"),
)
def test_binary_cross_entropy_values(student, rng):
    m = 9
    several = (rng.uniform(0.05, 0.95, (1, m)), binary_labels(rng, m))
    single = (rng.uniform(0.05, 0.95, (1, 1)), np.ones((1, 1)))
    _check_costs(student, "binary_cross_entropy", [several, single])


@pytest.mark.graded(
    exercise="binary_cross_entropy",
    points=1,
    title=N_("binary_cross_entropy: finite and correct at AL = 1e-12 and 1 - 1e-12"),
)
def test_binary_cross_entropy_extremes(student, rng):
    order = rng.permutation(4)
    AL = np.array([[1e-12, 1.0 - 1e-12, 1e-12, 1.0 - 1e-12]])[:, order]
    Y = np.array([[0.0, 1.0, 1.0, 0.0]])[:, order]
    _check_costs(student, "binary_cross_entropy", [(AL, Y)])


@pytest.mark.graded(
    exercise="binary_cross_entropy",
    points=1,
    title=N_("binary_cross_entropy_backward: per-example values (no 1/m)"),
)
def test_binary_cross_entropy_backward_values(student, rng):
    m = 7
    AL = rng.uniform(0.02, 0.98, (1, m))
    several = (AL, binary_labels(rng, m))
    single = (rng.uniform(0.02, 0.98, (1, 1)), np.zeros((1, 1)))
    _check_loss_backwards(student, "binary_cross_entropy_backward", [several, single])


@pytest.mark.graded(
    exercise="binary_cross_entropy",
    points=1,
    title=N_("binary_cross_entropy_backward: agrees with finite differences of the cost"),
)
def test_binary_cross_entropy_backward_gradient(student, rng):
    m = 6
    AL = rng.uniform(0.1, 0.9, (1, m))
    Y = binary_labels(rng, m)
    function = "binary_cross_entropy_backward"
    analytic = student.call(function, AL, Y)
    call = describe_call(function, {"AL": AL, "Y": Y})
    judges = [
        (
            _reference_cost_gradient(ref.binary_cross_entropy, AL, Y),
            Text(M_TIMES_CORRECT_COST, cost="binary_cross_entropy"),
        )
    ]
    own = "binary_cross_entropy"
    if not student.known_wrong(own) and not _agrees_with_own_cost(
        student, own, AL, Y, analytic, rng
    ):
        judges.insert(
            0,
            (
                _student_cost_gradient(student, "binary_cross_entropy", AL, Y),
                Text(M_TIMES_OWN_COST, cost="binary_cross_entropy"),
            ),
        )
    for numerical, source in judges:
        expect_gradient(
            analytic,
            numerical,
            function=function,
            name="dAL",
            call=call,
            source=source,
            m=m,
        )


# --- categorical cross-entropy ---------------------------------------------------------


@pytest.mark.graded(
    exercise="categorical_cross_entropy",
    points=1,
    title=N_("categorical_cross_entropy: the mean cost, returned as a float"),
)
def test_categorical_cross_entropy_values(student, rng):
    classes, m = 3, 7
    AL = ref_activations.softmax(rng.uniform(-2.0, 2.0, (classes, m)))
    several = (AL, one_hot(rng, classes, m))
    AL_one = ref_activations.softmax(rng.uniform(-2.0, 2.0, (4, 1)))
    single = (AL_one, one_hot(rng, 4, 1))
    _check_costs(student, "categorical_cross_entropy", [several, single])


@pytest.mark.graded(
    exercise="categorical_cross_entropy",
    points=1,
    title=N_("categorical_cross_entropy: finite at AL = 1e-12, and with a single class row"),
)
def test_categorical_cross_entropy_extremes(student, rng):
    AL = np.array([[1e-12, 1.0 - 2e-12, 0.5], [1e-12, 1e-12, 0.25], [1.0 - 2e-12, 1e-12, 0.25]])
    Y = np.array([[1.0, 1.0, 0.0], [0.0, 0.0, 0.0], [0.0, 0.0, 1.0]])
    order = rng.permutation(3)
    cases = [(AL[:, order], Y[:, order]), (np.ones((1, 5)), np.ones((1, 5)))]
    _check_costs(student, "categorical_cross_entropy", cases)


@pytest.mark.graded(
    exercise="categorical_cross_entropy",
    points=1,
    title=N_("categorical_cross_entropy_backward: values, and finite differences of the cost"),
)
def test_categorical_cross_entropy_backward(student, rng):
    classes, m = 4, 5
    AL = ref_activations.softmax(rng.uniform(-1.0, 1.0, (classes, m)))
    Y = one_hot(rng, classes, m)
    function = "categorical_cross_entropy_backward"
    _check_loss_backwards(student, function, [(AL, Y)])
    analytic = student.call(function, AL, Y)
    own = "categorical_cross_entropy"
    if student.known_wrong(own):  # a bug costs once
        numerical = _reference_cost_gradient(ref.categorical_cross_entropy, AL, Y)
        source = Text(M_TIMES_CORRECT_COST, cost=own)
    elif _agrees_with_own_cost(student, own, AL, Y, analytic, rng):
        return
    else:
        numerical = _student_cost_gradient(student, own, AL, Y)
        source = Text(M_TIMES_OWN_COST, cost=own)
    expect_gradient(
        analytic,
        numerical,
        function=function,
        name="dAL",
        call=describe_call(function, {"AL": AL, "Y": Y}),
        source=source,
        m=m,
    )


@pytest.mark.graded(
    exercise="categorical_cross_entropy",
    points=1,
    title=N_("softmax_cross_entropy_backward: dZL = AL - Y, checked by finite differences"),
)
def test_softmax_cross_entropy_backward(student, rng):
    classes, m = 3, 6
    Z = rng.uniform(-2.0, 2.0, (classes, m))
    AL = ref_activations.softmax(Z)
    Y = one_hot(rng, classes, m)
    function = "softmax_cross_entropy_backward"
    _check_loss_backwards(student, function, [(AL, Y)])

    def cost_of_Z(points: list[np.ndarray]) -> list[float]:
        return [ref.categorical_cross_entropy(ref_activations.softmax(p), Y) for p in points]

    expect_gradient(
        student.call(function, AL, Y),
        m * central_difference_gradient(cost_of_Z, Z),
        function=function,
        name="dZL",
        call=describe_call(function, {"AL": AL, "Y": Y}),
        source=Text(N_("m × finite differences of the cost with respect to ZL")),
        m=m,
    )
