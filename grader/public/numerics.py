"""Numbers: central finite differences, tolerant comparison, the worst entries, JSON arrays.

Everything is float64. A gradient is checked against central differences
(f(x + h) - f(x - h)) / 2h, which are accurate to about h² for smooth functions; the
inputs of the checks are chosen away from kinks (ReLU at 0), so h = 1e-6 is safe.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

VALUE_RTOL = 1e-6
VALUE_ATOL = 1e-9
GRADIENT_RTOL = 1e-5
GRADIENT_ATOL = 1e-7
STEP = 1e-6

ARRAY_TAG = "__ndarray__"


def finite_difference_gradient(
    function: Callable[[np.ndarray], float], point: np.ndarray, step: float = STEP
) -> np.ndarray:
    """Central differences of a scalar `function` at `point`: an array shaped like `point`.

    `function` receives a fresh copy at every evaluation, so it may keep or change it.
    """
    x = np.array(point, dtype=np.float64)
    gradient = np.empty_like(x)
    for index in np.ndindex(x.shape):
        original = x[index]
        x[index] = original + step
        plus = float(function(x.copy()))
        x[index] = original - step
        minus = float(function(x.copy()))
        x[index] = original
        gradient[index] = (plus - minus) / (2.0 * step)
    return gradient


def mismatches(
    expected: np.ndarray, actual: np.ndarray, rtol: float = VALUE_RTOL, atol: float = VALUE_ATOL
) -> np.ndarray:
    """Boolean mask of the entries where `actual` is not close to `expected` (same shapes)."""
    with np.errstate(all="ignore"):
        close = np.isclose(actual, expected, rtol=rtol, atol=atol, equal_nan=False)
    return ~close


def worst_entries(
    expected: np.ndarray, actual: np.ndarray, count: int = 3
) -> list[tuple[tuple[int, ...], float, float]]:
    """The `count` entries where `actual` is furthest from `expected` (NaN first)."""
    with np.errstate(all="ignore"):
        distance = np.abs(np.asarray(actual, dtype=np.float64) - expected)
    distance = np.where(np.isfinite(distance), distance, np.inf)
    order = np.argsort(-distance, axis=None, kind="stable")[:count]
    entries = []
    for flat in order:
        index = tuple(int(i) for i in np.unravel_index(flat, expected.shape))
        entries.append((index, float(expected[index]), float(actual[index])))
    return entries


def encode(value: Any) -> Any:
    """`value` as JSON-ready data; arrays become ``{"__ndarray__": dtype, "shape", "data"}``."""
    if isinstance(value, np.ndarray):
        return {
            ARRAY_TAG: value.dtype.str,
            "shape": list(value.shape),
            "data": value.ravel().tolist(),
        }
    if isinstance(value, dict):
        return {key: encode(item) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return [encode(item) for item in value]
    if isinstance(value, np.generic):
        return value.item()
    return value


def decode(value: Any) -> Any:
    """The inverse of `encode`: a fresh copy every time, so callers may modify it."""
    if isinstance(value, dict):
        if ARRAY_TAG in value:
            data = np.array(value["data"], dtype=np.dtype(value[ARRAY_TAG]))
            return data.reshape(value["shape"])
        return {key: decode(item) for key, item in value.items()}
    if isinstance(value, list):
        return [decode(item) for item in value]
    return value
