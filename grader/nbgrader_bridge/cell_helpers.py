"""Checks used by the exported notebook's test cells.

This file becomes a locked cell at the top of the nbgrader notebook, so it needs only numpy
and the standard library and defines names that start with an underscore (they must not
clash with a student's). Its imports from `grader.gradcheck` (the grader's own step and
tolerances) are written into that cell as their values (`helpers_source` in
``notebook.py``), so that the notebook checks with the same numbers as the grader. Every
comparison goes through ``numpy.testing``, the way hand-written nbgrader tests do.
"""

import warnings

import numpy as np

from grader.gradcheck import DEFAULT_STEP as _STEP
from grader.gradcheck import GRADIENT_ATOL as _GRADIENT_ATOL
from grader.gradcheck import GRADIENT_RTOL as _GRADIENT_RTOL
from grader.gradcheck import VALUE_ATOL as _VALUE_ATOL
from grader.gradcheck import VALUE_RTOL as _VALUE_RTOL

_VALUE_TOLERANCE = {"rtol": _VALUE_RTOL, "atol": _VALUE_ATOL}
_GRADIENT_TOLERANCE = {"rtol": _GRADIENT_RTOL, "atol": _GRADIENT_ATOL}


def _run_test(test):
    """Run one test cell's checks; warnings (numpy overflow, say) never reach stderr."""
    with warnings.catch_warnings(), np.errstate(all="ignore"):
        warnings.simplefilter("ignore")
        test()


def _output(value, count, what):
    """The `count` outputs of a function that returns a tuple, e.g. ``(Z, cache)``."""
    if not isinstance(value, tuple | list) or len(value) != count:
        raise AssertionError(f"{what} should return a tuple of {count} values.")
    return value


def _check(got, expected, what, tolerance=None):
    """Compare `got` with `expected` (arrays, numbers, booleans, tuples, lists, dicts)."""
    tolerance = tolerance or _VALUE_TOLERANCE
    if isinstance(expected, dict):
        if not isinstance(got, dict):
            raise AssertionError(f"{what} should be a dict, not {type(got).__name__}.")
        np.testing.assert_equal(sorted(got), sorted(expected), err_msg=f"{what}: the keys")
        for key in expected:
            _check(got[key], expected[key], f"{what}[{key!r}]", tolerance)
        return
    if isinstance(expected, tuple):
        _output(got, len(expected), what)
        for index, item in enumerate(expected):
            _check(got[index], item, f"{what}[{index}]", tolerance)
        return
    got = np.asarray(got)
    kind = np.asarray(expected).dtype.kind
    np.testing.assert_equal(got.shape, np.shape(expected), err_msg=f"{what}: the shape")
    if kind == "b":
        np.testing.assert_equal(got.dtype.kind, "b", err_msg=f"{what}: a boolean")
        np.testing.assert_equal(got, expected, err_msg=what)
        return
    if kind in "iu":
        np.testing.assert_equal(got.dtype.kind in "iu", True, err_msg=f"{what}: integers")
    np.testing.assert_allclose(got, expected, err_msg=what, **tolerance)


def _check_gradient(got, cost, x, what):
    """Compare an analytic gradient with central differences of `cost` around `x`."""
    numerical = np.zeros(x.shape)
    for index in np.ndindex(x.shape):
        plus, minus = x.copy(), x.copy()
        plus[index] += _STEP
        minus[index] -= _STEP
        numerical[index] = (cost(plus) - cost(minus)) / (2 * _STEP)
    _check(got, numerical, f"{what} against finite differences", _GRADIENT_TOLERANCE)


def _check_unchanged(array, before, what):
    """An input array must not be modified by the call."""
    np.testing.assert_array_equal(array, before, err_msg=f"{what} modified its input")
