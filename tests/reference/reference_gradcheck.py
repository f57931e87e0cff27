"""Central finite differences in float64, written here so the tests depend on nothing else.

Not a test module: the test files import it as a sibling (pytest puts this folder on
``sys.path`` since it is not a package).
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

STEP = 1e-3
"""Step of the fourth-order central difference: its truncation error is ~STEP⁴ = 1e-12 and
its rounding error ~1e-16·|f|/STEP, small even where a derivative is 1e-3 of f itself (the
second-order formula, with its best step 1e-5, leaves ~1e-7 relative error there)."""

DENOMINATOR_FLOOR = 1e-4
"""Relative errors are divided by at least this. The finite differences carry a rounding
noise of ~1e-12 in absolute terms, so an entry whose derivative is nearly 0 (a saturated
unit, a tiny dA) is judged by its absolute error, which must then stay below 1e-11,
instead of by a ratio of noise to nearly nothing."""

TOLERANCE = 1e-7
"""The issue's bar for every gradient."""


def numerical_gradient(f: Callable[[np.ndarray], float], x: np.ndarray) -> np.ndarray:
    """∂f/∂x_i ≈ (-f(x + 2h e_i) + 8 f(x + h e_i) - 8 f(x - h e_i) + f(x - 2h e_i)) / 12h.

    The five-point central difference, entry by entry, h = STEP. Each probe gets its own
    copy of x, so f may keep or modify what it is given. Callers keep every kink of f more
    than 2h away from x.
    """
    x = np.array(x, dtype=np.float64)
    gradient = np.zeros_like(x)

    def f_moved(index: tuple[int, ...], offset: float) -> float:
        probe = x.copy()
        probe[index] += offset
        return float(f(probe))

    for index in np.ndindex(x.shape):
        gradient[index] = (
            -f_moved(index, 2 * STEP)
            + 8 * f_moved(index, STEP)
            - 8 * f_moved(index, -STEP)
            + f_moved(index, -2 * STEP)
        ) / (12 * STEP)
    return gradient


def max_relative_error(analytic: np.ndarray, numeric: np.ndarray) -> float:
    """max_i |a_i - n_i| / max(|a_i|, |n_i|, DENOMINATOR_FLOOR) over all entries."""
    analytic = np.asarray(analytic, dtype=np.float64)
    numeric = np.asarray(numeric, dtype=np.float64)
    assert analytic.shape == numeric.shape, (analytic.shape, numeric.shape)
    scale = np.maximum(np.maximum(np.abs(analytic), np.abs(numeric)), DENOMINATOR_FLOOR)
    return float(np.max(np.abs(analytic - numeric) / scale))


def assert_gradients_agree(analytic: np.ndarray, numeric: np.ndarray, what: str) -> None:
    """Fail with the worst entry, both values, when the relative error exceeds TOLERANCE."""
    error = max_relative_error(analytic, numeric)
    if error > TOLERANCE:
        difference = np.abs(np.asarray(analytic) - np.asarray(numeric))
        worst = np.unravel_index(np.argmax(difference), difference.shape)
        raise AssertionError(
            f"{what}: max relative error {error:.3e} > {TOLERANCE:.0e}; worst entry {worst}: "
            f"analytic {np.asarray(analytic)[worst]!r}, numeric {np.asarray(numeric)[worst]!r}."
        )


def away_from_zero(
    rng: np.random.Generator, shape: tuple[int, ...], margin: float = 0.1
) -> np.ndarray:
    """Standard normal samples pushed to |z| >= margin, so no probe crosses a kink at 0."""
    z = rng.standard_normal(shape)
    return np.where(z >= 0, z + margin, z - margin)
