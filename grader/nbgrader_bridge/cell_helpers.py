"""Checks used by the exported notebook's test cells.

This file is copied verbatim into a locked cell at the top of the nbgrader notebook, so
it imports only numpy and the standard library and defines names that start with an
underscore (they must not clash with a student's). Every comparison goes through
``numpy.testing``, the way hand-written nbgrader tests do.
"""

import warnings

import numpy as np

_VALUE_TOLERANCE = {"rtol": 1e-6, "atol": 1e-9}
_GRADIENT_TOLERANCE = {"rtol": 1e-5, "atol": 1e-7}


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
    """Compare `got` with `expected` (arrays, numbers, tuples, lists, dicts of them)."""
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
    np.testing.assert_equal(got.shape, np.shape(expected), err_msg=f"{what}: the shape")
    if np.asarray(expected).dtype.kind in "iub":
        np.testing.assert_equal(got.dtype.kind in "iu", True, err_msg=f"{what}: integers")
    np.testing.assert_allclose(got, expected, err_msg=what, **tolerance)


def _check_gradient(got, cost, x, what):
    """Compare an analytic gradient with central differences of `cost` around `x`."""
    step = 1e-6
    numerical = np.zeros(x.shape)
    for index in np.ndindex(x.shape):
        plus, minus = x.copy(), x.copy()
        plus[index] += step
        minus[index] -= step
        numerical[index] = (cost(plus) - cost(minus)) / (2 * step)
    _check(got, numerical, f"{what} against finite differences", _GRADIENT_TOLERANCE)


def _check_unchanged(array, before, what):
    """An input array must not be modified by the call."""
    np.testing.assert_array_equal(array, before, err_msg=f"{what} modified its input")
