"""Finite-difference gradient checks, comparisons and mistake diagnosis, in plain numpy.

This module imports only numpy, the standard library and `grader.i18n` (which imports only
the standard library): it is copied verbatim into the student handout, beside a copy of
``i18n.py``, where the public checks use it without the grader.

Step and tolerances
-------------------
Central differences ``(f(x + h) - f(x - h)) / (2h)`` in float64 have a truncation error of
about ``h² |f'''| / 6`` and a rounding error of about ``eps |f| / h`` (eps ≈ 2.2e-16). With
``h = 1e-6`` (`DEFAULT_STEP`) and inputs of order 1 both stay near 1e-10, so a numerical
gradient is trusted to about 1e-8 at worst. Hence two tolerance pairs:

- `GRADIENT_RTOL` / `GRADIENT_ATOL` (1e-5 / 1e-7): an analytic gradient against finite
  differences. Loose enough to absorb the finite-difference error above with a wide margin,
  tight enough that a missing factor, sign or term (errors of order 1) always shows.
- `VALUE_RTOL` / `VALUE_ATOL` (1e-6 / 1e-9): a value against the reference implementation,
  as STUDENT_API.md promises. Two float64 implementations of the same formula agree to
  about 1e-15; the slack allows a different but equivalent formula (a stable sigmoid, say).

The criterion is entrywise: ``|got - expected| <= atol + rtol * |expected|``, where
``expected`` is the trusted value (the reference, or the numerical gradient). Shapes are the
caller's business and are checked before any comparison.

Finite differences are only meaningful where the function is smooth: sample ReLU-like inputs
away from their kink (`sample_away_from_kinks`) and sigmoid-like inputs where the derivative
is not vanishingly small (`sample_unsaturated`).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np

from .i18n import Text

DEFAULT_STEP = 1e-6
GRADIENT_RTOL = 1e-5
GRADIENT_ATOL = 1e-7
VALUE_RTOL = 1e-6
VALUE_ATOL = 1e-9

# Denominator floor of the reported relative error, so that an expected 0 does not divide.
RELATIVE_ERROR_FLOOR = 1e-12

EvaluateMany = Callable[[list[np.ndarray]], Sequence[float]]
"""Evaluates a scalar function on each array of a list; returns one float per array."""


def perturbed_inputs(x: np.ndarray, *, step: float = DEFAULT_STEP) -> list[np.ndarray]:
    """The 2·x.size copies of `x` that central differences evaluate.

    Copy ``2i`` is `x` with flat entry ``i`` increased by `step`, copy ``2i + 1`` the same
    entry decreased by `step`. Every copy has x's shape and dtype float64.
    """
    base = np.array(x, dtype=np.float64, copy=True)
    copies: list[np.ndarray] = []
    for flat_index in range(base.size):
        index = np.unravel_index(flat_index, base.shape)
        for sign in (1.0, -1.0):
            shifted = base.copy()
            shifted[index] += sign * step
            copies.append(shifted)
    return copies


def central_difference_gradient(
    evaluate_many: EvaluateMany, x: np.ndarray, *, step: float = DEFAULT_STEP
) -> np.ndarray:
    """Numerical gradient of a scalar function at `x`, by central differences.

    Args:
        evaluate_many: called exactly once with the list of the 2·x.size perturbed copies of
            `x` (see `perturbed_inputs`), so that a caller can evaluate them all in one
            batch; returns one float per copy, in order.
        x: the point, any shape.
        step: the perturbation h of each entry.

    Returns:
        float64 array of x's shape: entry i is ``(f(x + h e_i) - f(x - h e_i)) / (2h)``.
    """
    base = np.asarray(x, dtype=np.float64)
    values = evaluate_many(perturbed_inputs(base, step=step))
    return central_difference_from_values(values, base.shape, step=step)


def central_difference_from_values(
    values: Sequence[float] | np.ndarray, shape: tuple[int, ...], *, step: float = DEFAULT_STEP
) -> np.ndarray:
    """The central-difference gradient from the function's values at the perturbed inputs.

    For callers that evaluate the perturbed inputs elsewhere (the grader's sandbox builds
    them there); `central_difference_gradient` uses it too, so both share one formula.

    Args:
        values: the 2·size values at the inputs of `perturbed_inputs`, in its order: value
            2i at ``x + h e_i``, value 2i + 1 at ``x - h e_i``.
        shape: the shape of the point x.
        step: the perturbation h the inputs were built with.

    Returns:
        float64 array of `shape`: entry i is ``(values[2i] - values[2i + 1]) / (2h)``.
    """
    values = np.asarray(values, dtype=np.float64)
    size = int(np.prod(shape, dtype=np.int64))
    if values.shape != (2 * size,):
        raise ValueError(
            f"{values.size} values were given for the {2 * size} perturbed inputs; "
            "central differences need exactly one float per perturbed input."
        )
    plus, minus = values[0::2], values[1::2]
    return ((plus - minus) / (2.0 * step)).reshape(shape)


@dataclass(frozen=True)
class WorstEntry:
    """One entry where two arrays disagree: its index and both values."""

    index: tuple[int, ...]
    got: float
    expected: float


@dataclass(frozen=True)
class Comparison:
    """The outcome of `compare`.

    Attributes:
        ok: every entry satisfies ``|got - expected| <= atol + rtol * |expected|``.
        max_abs_error: the largest ``|got - expected|`` (inf if anything is not finite).
        max_rel_error: the largest ``|got - expected| / max(|expected|, 1e-12)``.
        worst: up to 5 entries, the furthest outside the tolerance first.
        rtol, atol: the tolerance used.
    """

    ok: bool
    max_abs_error: float
    max_rel_error: float
    worst: list[WorstEntry] = field(default_factory=list)
    rtol: float = VALUE_RTOL
    atol: float = VALUE_ATOL


def compare(
    got: np.ndarray,
    expected: np.ndarray,
    *,
    rtol: float = VALUE_RTOL,
    atol: float = VALUE_ATOL,
    worst_count: int = 5,
) -> Comparison:
    """Compare `got` with the trusted `expected`, entrywise; both have the same shape.

    NaN or inf in `got` where `expected` is finite counts as an infinite error.
    """
    got = np.asarray(got, dtype=np.float64)
    expected = np.asarray(expected, dtype=np.float64)
    if got.shape != expected.shape:
        raise ValueError(f"compare needs equal shapes, got {got.shape} and {expected.shape}.")
    with np.errstate(invalid="ignore", over="ignore"):
        error = np.abs(got - expected)
    max_abs_error = float(np.max(error, initial=0.0))
    if math.isnan(max_abs_error):  # the maximum is NaN exactly when an error is
        error = np.where(np.isnan(error), np.inf, error)
        max_abs_error = math.inf
    magnitude = np.abs(expected)
    excess = _excess(error, atol + rtol * magnitude).ravel()
    relative = error / np.maximum(magnitude, RELATIVE_ERROR_FLOOR)
    failing = np.flatnonzero(excess > 1.0)
    worst = _worst_entries(got, expected, excess, failing, worst_count) if failing.size else []
    return Comparison(
        ok=failing.size == 0,
        max_abs_error=max_abs_error,
        max_rel_error=float(relative.max(initial=0.0)),
        worst=worst,
        rtol=rtol,
        atol=atol,
    )


def within_tolerance(
    got: np.ndarray,
    expected: np.ndarray,
    *,
    rtol: float = VALUE_RTOL,
    atol: float = VALUE_ATOL,
) -> bool:
    """``compare(got, expected, rtol=rtol, atol=atol).ok``, answered without the figures of
    a mismatch when every entry is plainly within the tolerance (the common case)."""
    got = np.asarray(got, dtype=np.float64)
    expected = np.asarray(expected, dtype=np.float64)
    if got.shape == expected.shape and got.size:
        with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
            largest = (np.abs(got - expected) / (atol + rtol * np.abs(expected))).max()
        # A NaN anywhere (a NaN error, or 0/0 where nothing is allowed) makes the maximum
        # NaN and the test false: `compare` then decides, as it does for any excess.
        if largest <= 1.0:
            return True
    return compare(got, expected, rtol=rtol, atol=atol).ok


def _excess(error: np.ndarray, allowed: np.ndarray) -> np.ndarray:
    """How far outside the tolerance each entry is (> 1: failing), same shape as `error`;
    where nothing is allowed (an exact comparison) only an error of 0 passes."""
    with np.errstate(divide="ignore", invalid="ignore"):
        excess = error / allowed
        positive = allowed > 0
        if positive.all():  # the usual case: no exact comparison to patch in
            return excess
        return np.where(positive, excess, np.where(error > 0, np.inf, 0.0))


def _worst_entries(
    got: np.ndarray, expected: np.ndarray, excess: np.ndarray, failing: np.ndarray, count: int
) -> list[WorstEntry]:
    """Up to `count` of the `failing` flat indices, the largest `excess` (flat) first."""
    order = failing[np.argsort(-excess[failing], kind="stable")][:count]
    return [
        WorstEntry(
            index=tuple(int(i) for i in np.unravel_index(flat, got.shape)),
            got=float(got.ravel()[flat]),
            expected=float(expected.ravel()[flat]),
        )
        for flat in order
    ]


def sample_away_from_kinks(
    rng: np.random.Generator,
    shape: tuple[int, ...],
    *,
    margin: float = 0.1,
    scale: float = 3.0,
) -> np.ndarray:
    """Random Z with ``margin <= |z| <= scale`` and random signs (for relu, leaky_relu).

    Finite differences with step h straddle the kink at 0 only when ``|z| < h``; a margin far
    above the step keeps every entry on one side, where the derivative is defined.
    """
    magnitude = rng.uniform(margin, scale, size=shape)
    sign = rng.choice(np.array([-1.0, 1.0]), size=shape)
    return magnitude * sign


def sample_unsaturated(
    rng: np.random.Generator, shape: tuple[int, ...], *, bound: float = 3.0
) -> np.ndarray:
    """Random Z with ``|z| <= bound`` (for sigmoid, tanh, softmax).

    Where the function saturates its derivative is tiny and an absolute tolerance would
    accept almost anything; at 3 the sigmoid's derivative is still about 0.045.
    """
    return rng.uniform(-bound, bound, size=shape)


@dataclass(frozen=True)
class Diagnosis:
    """What kind of mistake a mismatch looks like: a code, and a sentence in every language.

    Attributes:
        code: a stable name for the kind of mistake, e.g. ``"factor_m_missing"``.
        text: ``{language: sentence}``, usually a `grader.i18n.Text` (``text["fr"]``).
    """

    code: str
    text: Mapping[str, str]


Alternative = tuple[Diagnosis, np.ndarray]
"""A known wrong answer and the diagnosis to give when the student's result matches it."""


def _matches(got: np.ndarray, candidate: np.ndarray) -> bool:
    """Whether `got` equals `candidate` up to rounding, relative to candidate's scale."""
    if got.shape != candidate.shape or not np.all(np.isfinite(candidate)):
        return False
    scale = float(np.max(np.abs(candidate), initial=0.0))
    return bool(np.allclose(got, candidate, rtol=1e-5, atol=1e-8 * max(scale, 1.0)))


def _is_negligible(x: np.ndarray) -> bool:
    return bool(np.all(np.abs(x) <= 1e-12))


def _diagnose_shape(got: np.ndarray, expected: np.ndarray, name: str) -> Diagnosis | None:
    want, have = expected.shape, got.shape
    if len(want) == 2 and want[1] == 1 and have == (want[0],):
        return Diagnosis(
            "missing_keepdims",
            Text(
                "Your %(name)s has shape %(have)s instead of %(want)s: keep the summed axis, "
                "e.g. np.sum(..., axis=1, keepdims=True).",
                name=name,
                have=have,
                want=want,
            ),
        )
    if have == want[::-1] and have != want:
        return Diagnosis(
            "transpose",
            Text(
                "Your %(name)s has shape %(have)s instead of %(want)s: it looks transposed. "
                "Check the order of the factors of the product and where the .T goes.",
                name=name,
                have=have,
                want=want,
            ),
        )
    if len(want) == 2 and want[1] == 1 and (len(have) <= 1 or (len(have) == 2 and have[0] == 1)):
        return Diagnosis(
            "wrong_axis",
            Text(
                "Your %(name)s has shape %(have)s instead of %(want)s: it is summed over the "
                "wrong axis. Sum over the columns (the examples), axis=1.",
                name=name,
                have=have,
                want=want,
            ),
        )
    return None


def diagnose(
    got: np.ndarray,
    expected: np.ndarray,
    *,
    m: int | None = None,
    dA: np.ndarray | None = None,
    name: str = "result",
    alternatives: Sequence[Alternative] = (),
) -> Diagnosis | None:
    """Say what kind of mistake turns `expected` into `got`, when a known pattern fits.

    Args:
        got: the student's array (any shape).
        expected: the correct array.
        m: the number of examples, when a factor 1/m belongs in the result.
        dA: the upstream gradient given to an activation's backward (same shape as expected).
        name: how to call the array in the sentence, e.g. ``"dW2"``.
        alternatives: known wrong answers computed by the caller, tried first; e.g. the
            sigmoid derivative evaluated at Z instead of sigmoid(Z).

    Returns:
        The first pattern that fits, or None. Patterns, in order: a shape that shows a
        missing keepdims, a transpose or a sum over the wrong axis; the caller's
        alternatives; got ≈ expected·m (factor_m_missing); got ≈ expected/m
        (factor_m_twice); got ≈ -expected (sign); got ≈ expected.T (transpose);
        got·dA ≈ expected (missing_dA).
    """
    got = np.asarray(got, dtype=np.float64)
    expected = np.asarray(expected, dtype=np.float64)
    if got.shape != expected.shape:
        return _diagnose_shape(got, expected, name)
    if not np.all(np.isfinite(got)):
        return None
    for diagnosis, candidate in alternatives:
        if _matches(got, np.asarray(candidate, dtype=np.float64)):
            return diagnosis
    if _is_negligible(expected):
        return None
    if m is not None and m > 1:
        if _matches(got, expected * m):
            return Diagnosis(
                "factor_m_missing",
                Text(
                    "Your %(name)s is m = %(m)s times too large: the 1/m factor is missing.",
                    name=name,
                    m=m,
                ),
            )
        if _matches(got, expected / m):
            return Diagnosis(
                "factor_m_twice",
                Text(
                    "Your %(name)s is m = %(m)s times too small: it is divided by m once too "
                    "often.",
                    name=name,
                    m=m,
                ),
            )
    if _matches(got, -expected):
        return Diagnosis(
            "sign",
            Text(
                "Your %(name)s has the opposite sign of the correct one: check the minus signs.",
                name=name,
            ),
        )
    square = expected.ndim == 2 and expected.shape[0] == expected.shape[1]
    if square and not _matches(expected, expected.T) and _matches(got, expected.T):
        return Diagnosis(
            "transpose",
            Text(
                "Your %(name)s is the transpose of the correct one: check the order of the "
                "factors of the product and where the .T goes.",
                name=name,
            ),
        )
    if dA is not None:
        upstream = np.asarray(dA, dtype=np.float64)
        if (
            upstream.shape == expected.shape
            and not _matches(upstream, np.ones_like(upstream))
            and _matches(got * upstream, expected)
        ):
            return Diagnosis(
                "missing_dA",
                Text(
                    "Your %(name)s is the local derivative only: multiply it by the upstream "
                    "gradient dA.",
                    name=name,
                ),
            )
    return None
