"""Hidden suite: diagnostics.py (gradient norms, vanishing and exploding, dead and saturated units).

Gradients come from `rng` (seeded per student and per test) with distinct layer sizes, keys
in a shuffled order, and from real networks of the reference (seven layers, sigmoid or ReLU)
where the pitfalls really show. Verdicts on vanishing and exploding stay away from the
threshold, so that rounding never decides them, except on gradients made of powers of two,
where no rounding happens and the threshold itself is checked.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

import reference.diagnostics as ref
from grader.catalog import get_exercise
from grader.checks import describe_call, expect_array, fail_property
from grader.gradcheck import Alternative, Diagnosis
from grader.hidden._support import Call, Student, calls_pure
from grader.i18n import N_, Text
from grader.specs.diagnostics import deep_network_grads, random_grads

SPEC = get_exercise("diagnostics")
ASYMPTOTES = {"sigmoid": (0.0, 1.0), "tanh": (-1.0, 1.0)}


def _shuffled(rng: np.random.Generator, grads: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
    """The same gradients, keys in a random order: norms go by layer number, not by order."""
    keys = list(grads)
    return {keys[index]: grads[keys[index]] for index in rng.permutation(len(keys))}


def _clear_networks(
    rng: np.random.Generator,
) -> tuple[dict[str, np.ndarray], dict[str, np.ndarray]]:
    """The gradients of a deep sigmoid network whose gradients clearly vanish (||dW1|| below
    1/300 of ||dW7||) and of the ReLU network of the same seed, whose do clearly not (a
    ratio between 1/10 and 10): a few seeds of the 100 give borderline ratios."""
    while True:
        seed = int(rng.integers(1000))
        sigmoid, relu = deep_network_grads("sigmoid", seed), deep_network_grads("relu", seed)
        vanishing = ref.first_to_last_gradient_ratio(sigmoid)
        healthy = ref.first_to_last_gradient_ratio(relu)
        if vanishing < 1 / 300 and 1 / 10 < healthy < 10:
            return sigmoid, relu


def _scaled_first_layer(grads: dict[str, np.ndarray], ratio: float) -> dict[str, np.ndarray]:
    """`grads` with dW1 scaled so that ||dW1|| / ||dWL|| is `ratio`."""
    norms = ref.gradient_norms(grads)
    return {**grads, "dW1": grads["dW1"] * (ratio * norms[-1] / norms[0])}


def _exact_grads(*norms: float) -> dict[str, np.ndarray]:
    """Gradients of a network with one unit per layer whose ||dW[l]|| is ``norms[l-1]``."""
    grads = {}
    for layer, norm in enumerate(norms, start=1):
        grads[f"dW{layer}"] = np.array([[norm]])
        grads[f"db{layer}"] = np.array([[0.5]])
    return grads


def _check_norms(student: Student, cases: list[dict[str, np.ndarray]]) -> None:
    """The student's gradient_norms of each grads equal the reference's, checked in order."""
    got_each = calls_pure(student, "gradient_norms", [((grads,), {}) for grads in cases])
    for grads, got in zip(cases, got_each, strict=False):
        call = describe_call("gradient_norms", {"grads": grads})
        expected = ref.gradient_norms(grads)
        in_dict_order = [float(np.linalg.norm(grads[key])) for key in grads if key.startswith("dW")]
        alternatives: list[Alternative] = [
            (SPEC.mistake("squared_norms").diagnosis(), expected**2),
            (SPEC.mistake("layers_in_dict_order").diagnosis(), np.array(in_dict_order)),
        ]
        expect_array(
            got,
            expected,
            function="gradient_norms",
            name="norms",
            call=call,
            alternatives=alternatives,
        )


FlagCase = tuple[dict[str, np.ndarray], dict[str, Any]]
"""``(grads, kwargs)`` of one call of gradients_vanish or gradients_explode."""


def _check_flags(student: Student, function: str, cases: list[FlagCase]) -> None:
    """The student's verdict on each case is the reference's, checked in order."""
    calls = [((grads,), kwargs) for grads, kwargs in cases]
    for (grads, kwargs), got in zip(cases, calls_pure(student, function, calls), strict=False):
        _check_flag(function, grads, kwargs, got)


def _check_flag(
    function: str, grads: dict[str, np.ndarray], kwargs: dict[str, Any], got: Any
) -> None:
    """The student's verdict `got` (a bool) on `grads` is the reference's."""
    call = describe_call(function, {"grads": grads, **kwargs})
    if not isinstance(got, bool | np.bool_):
        raise fail_property(
            Text(
                "%(call)s must return True or False, but returned a value of type %(type)s. "
                "Return bool(...) of your comparison.",
                call=call,
                type=type(got).__name__,
            ),
            function=function,
            call=call,
        )
    expected = getattr(ref, function)(grads, **kwargs)
    if bool(got) != expected:
        norms = ref.gradient_norms(grads)
        finite = all(np.all(np.isfinite(value)) for value in grads.values())
        seen = (
            Text(
                "||dW1|| = %(first)s and ||dW%(last_layer)s|| = %(last)s",
                first=float(norms[0]),
                last_layer=len(norms),
                last=float(norms[-1]),
            )
            if finite
            else Text(N_("the gradients hold NaN or inf"))
        )
        raise fail_property(
            Text(
                "%(call)s returned %(got)s where the answer is %(expected)s: %(seen)s.",
                call=call,
                got=str(bool(got)),
                expected=str(expected),
                seen=seen,
            ),
            function=function,
            call=call,
        )


FractionCase = tuple[dict[str, Any], float, list[tuple[Diagnosis, float]]]
"""``(arguments by name, expected fraction, alternatives)`` of one call."""


def _check_fractions(student: Student, function: str, cases: list[FractionCase]) -> None:
    """The student's fraction on each case equals the reference's, checked in order."""
    calls: list[Call] = [(tuple(args.values()), {}) for args, _, _ in cases]
    for (args, expected, alternatives), got in zip(
        cases, calls_pure(student, function, calls), strict=False
    ):
        _check_fraction(function, args, expected, alternatives, got)


def _check_fraction(
    function: str,
    args: dict[str, Any],
    expected: float,
    alternatives: list[tuple[Diagnosis, float]],
    got: Any,
) -> None:
    """The student's fraction `got` (a float) equals the reference's."""
    call = describe_call(function, args)
    if isinstance(got, bool) or not isinstance(got, float | np.floating):
        raise fail_property(
            Text(
                "%(call)s must return the fraction as a float, but returned a value of type "
                "%(type)s. Convert it with float(...).",
                call=call,
                type=type(got).__name__,
            ),
            function=function,
            call=call,
        )
    expect_array(
        np.array(float(got)),
        np.array(expected),
        function=function,
        name="fraction",
        call=call,
        alternatives=[(diagnosis, np.array(value)) for diagnosis, value in alternatives],
    )


# --- gradient norms --------------------------------------------------------------------


@pytest.mark.graded(
    exercise="diagnostics",
    points=1,
    title=N_("gradient_norms: ||dW[l]|| layer by layer, whatever the order of the keys"),
)
def test_gradient_norms_values(student, rng):
    sizes = [int(n) for n in rng.permutation(np.arange(2, 8))[:5]]
    shuffled = _shuffled(rng, random_grads(rng, sizes))
    _check_norms(student, [shuffled, _clear_networks(rng)[0]])


# --- vanishing and exploding gradients -------------------------------------------------


@pytest.mark.graded(
    exercise="diagnostics",
    points=1,
    title=N_("gradients_vanish: a deep sigmoid network yes, a ReLU one no, and the factor"),
)
def test_gradients_vanish(student, rng):
    sigmoid, relu = _clear_networks(rng)
    moderate = _scaled_first_layer(relu, 1 / 30)
    cases: list[FlagCase] = [
        (_shuffled(rng, sigmoid), {}),
        (relu, {}),
        (moderate, {}),  # 1/30 is not 1/100
        (moderate, {"factor": 10.0}),
        # On the threshold, factor·||dW1|| = ||dW3||: vanishing (<=). Powers of two, so
        # that every way of computing the norms and the ratio gives these numbers exactly.
        (_exact_grads(1.0, 2.0, 4.0), {"factor": 4.0}),
    ]
    _check_flags(student, "gradients_vanish", cases)


@pytest.mark.graded(
    exercise="diagnostics",
    points=1,
    title=N_("gradients_explode: a huge first layer, NaN or inf in any gradient, and the factor"),
)
def test_gradients_explode(student, rng):
    _, relu = _clear_networks(rng)
    huge = _scaled_first_layer(relu, 500.0)
    cases: list[FlagCase] = [(relu, {}), (_shuffled(rng, huge), {}), (huge, {"factor": 1000.0})]
    for key, bad in (("db3", np.nan), ("dW2", np.inf)):
        broken = {name: value.copy() for name, value in relu.items()}
        broken[key].flat[int(rng.integers(broken[key].size))] = bad
        cases.append((broken, {}))
    # On the threshold, ||dW1|| = factor·||dW3|| (exploding: >=), with a dW2 as large as
    # dW1: the last layer is dW3, not dW2.
    cases.append((_exact_grads(4.0, 4.0, 1.0), {"factor": 4.0}))
    _check_flags(student, "gradients_explode", cases)


# --- dead and saturated units ----------------------------------------------------------


def _dead_layer(rng: np.random.Generator, n: int, m: int) -> np.ndarray:
    """Z (n, m) with dead units (one with exact zeros), living ones, and one unit alive
    for a single example."""
    Z = rng.uniform(0.1, 3.0, size=(n, m)) * rng.choice([-1.0, 1.0], size=(n, m))
    rows = rng.permutation(n)
    Z[rows[:3]] = -np.abs(Z[rows[:3]])  # three dead units
    Z[rows[0], rng.integers(m)] = 0.0  # z = 0 is not active either
    Z[rows[3]] = -np.abs(Z[rows[3]])
    Z[rows[3], rng.integers(m)] = 1.0  # alive, if only for one example
    Z[rows[4]] = np.abs(Z[rows[4]])
    return Z


def _dead_alternatives(Z: np.ndarray) -> list[tuple[Diagnosis, float]]:
    return [
        (SPEC.mistake("dead_any_example").diagnosis(), float(np.mean(np.any(Z <= 0, axis=1)))),
        (SPEC.mistake("dead_entries").diagnosis(), float(np.mean(Z <= 0))),
    ]


@pytest.mark.graded(
    exercise="diagnostics",
    points=1,
    title=N_("dead_relu_fraction: units with Z <= 0 for every example, and a single example"),
)
def test_dead_relu_fraction(student, rng):
    Z = _dead_layer(rng, 9, 7)
    column = rng.uniform(-2.0, 2.0, size=(6, 1))
    column[0, 0] = 0.0
    cases: list[FractionCase] = [
        ({"Z": Z}, ref.dead_relu_fraction(Z), _dead_alternatives(Z)),
        ({"Z": column}, ref.dead_relu_fraction(column), []),
    ]
    _check_fractions(student, "dead_relu_fraction", cases)


def _one_asymptote(
    A: np.ndarray, activation: str, threshold: float
) -> list[tuple[Diagnosis, float]]:
    """Saturation counted near one asymptote only (either one)."""
    low, high = ASYMPTOTES[activation]
    mistake = SPEC.mistake("one_asymptote")
    return [
        (
            mistake.diagnosis(
                activation=activation, low=format(missed, "g"), high=format(kept, "g")
            ),
            float(np.mean(np.abs(A - kept) <= threshold)),
        )
        for kept, missed in ((high, low), (low, high))
    ]


@pytest.mark.graded(
    exercise="diagnostics",
    points=1,
    title=N_(
        "saturated_fraction: sigmoid and tanh outputs near either asymptote, and the threshold"
    ),
)
def test_saturated_fraction(student, rng):
    Z = rng.standard_normal((5, 8)) * 5.0
    cases: list[FractionCase] = []
    for activation, A, threshold in (
        ("sigmoid", 1.0 / (1.0 + np.exp(-Z)), None),
        ("tanh", np.tanh(Z), None),
        ("sigmoid", 1.0 / (1.0 + np.exp(-Z / 2.0)), 0.05),
    ):
        args: dict[str, Any] = {"A": A, "activation": activation}
        if threshold is not None:
            args["threshold"] = threshold
        expected = ref.saturated_fraction(**args)
        limit = 0.01 if threshold is None else threshold
        cases.append((args, expected, _one_asymptote(A, activation, limit)))
    # Entries exactly `threshold` away from an asymptote count as saturated ("within"); the
    # numbers are dyadic, so that A - asymptote is exact however it is written.
    for activation, entries in (
        ("sigmoid", [0.25, 0.75, 0.5, 0.125, 0.875, 0.375]),
        ("tanh", [-0.75, 0.75, 0.0, -0.875, 0.5, 0.25]),
    ):
        A = np.array([entries])[:, rng.permutation(len(entries))]
        args = {"A": A, "activation": activation, "threshold": 0.25}
        expected = ref.saturated_fraction(**args)
        cases.append((args, expected, _one_asymptote(A, activation, 0.25)))
    _check_fractions(student, "saturated_fraction", cases)
