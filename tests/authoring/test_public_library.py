"""The pieces of grader/public on their own: language, finite differences, stub detection."""

from __future__ import annotations

import numpy as np
import pytest

from grader.public.messages import TEXT, detect_language
from grader.public.numerics import decode, encode, finite_difference_gradient, worst_entries


@pytest.mark.parametrize(
    ("requested", "environ", "lang"),
    [
        (None, {"LANG": "fr_FR.UTF-8"}, "fr"),
        (None, {"LC_ALL": "en_GB.UTF-8", "LANG": "fr_FR.UTF-8"}, "en"),
        (None, {"LC_MESSAGES": "fr_CA"}, "fr"),
        (None, {"LANG": "de_DE.UTF-8"}, "en"),
        (None, {}, "en"),
        ("fr", {"LANG": "C"}, "fr"),
    ],
)
def test_language_follows_option_then_locale(requested, environ, lang) -> None:
    """--lang wins; else LC_ALL, LC_MESSAGES, LANG in that order; unknown means English."""
    assert detect_language(requested, environ) == lang


def test_every_sentence_exists_in_both_languages() -> None:
    """No message falls back to English in a French report."""
    assert all(set(versions) == {"en", "fr"} for versions in TEXT.values())


def test_finite_differences_of_a_known_function() -> None:
    """The gradient of Σ x³ is 3x², to central-difference accuracy."""
    x = np.array([[0.5, -1.0], [2.0, 0.1]])
    gradient = finite_difference_gradient(lambda v: float(np.sum(v**3)), x)
    np.testing.assert_allclose(gradient, 3 * x**2, rtol=1e-8)


def test_worst_entries_put_nan_first() -> None:
    """A NaN is the worst possible entry; then the largest absolute differences."""
    expected = np.array([1.0, 2.0, 3.0])
    actual = np.array([1.5, np.nan, 3.0])
    assert [index for index, _, _ in worst_entries(expected, actual, 2)] == [(1,), (0,)]


def test_arrays_round_trip_through_json_data() -> None:
    """encode/decode keep dtype, shape and exact float64 values."""
    value = {"W": np.array([[0.1, 1e-300]]), "ints": np.array([[1, 2]]), "n": 3}
    back = decode(encode(value))
    np.testing.assert_array_equal(back["W"], value["W"])
    assert back["ints"].dtype == np.int64 and back["n"] == 3
