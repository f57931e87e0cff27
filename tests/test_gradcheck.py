"""grader.gradcheck: finite differences, the comparison criterion, samplers, diagnosis."""

from __future__ import annotations

import ast
import math
from pathlib import Path

import numpy as np
import pytest

from grader import gradcheck
from grader.gradcheck import (
    GRADIENT_ATOL,
    GRADIENT_RTOL,
    Diagnosis,
    central_difference_from_values,
    central_difference_gradient,
    compare,
    diagnose,
    perturbed_inputs,
    sample_away_from_kinks,
    sample_unsaturated,
    within_tolerance,
)


def _each(f):
    return lambda points: [f(p) for p in points]


# --- central differences ---------------------------------------------------------------


def test_gradient_of_a_quadratic_form_matches_its_analytic_gradient():
    """f(x) = xᵀ M x has gradient (M + Mᵀ) x: finite differences agree to the documented
    tolerance on a non-symmetric M."""
    rng = np.random.default_rng(1)
    M = rng.standard_normal((4, 4))
    x = rng.standard_normal(4)
    numerical = central_difference_gradient(_each(lambda p: float(p @ M @ p)), x)
    assert compare(numerical, (M + M.T) @ x, rtol=GRADIENT_RTOL, atol=GRADIENT_ATOL).ok


def test_gradient_keeps_the_shape_of_a_matrix_input():
    """For f(X) = Σ sin(X) ⊙ C the gradient is cos(X) ⊙ C, entry by entry, shape (3, 5)."""
    rng = np.random.default_rng(2)
    X, C = rng.standard_normal((3, 5)), rng.standard_normal((3, 5))
    numerical = central_difference_gradient(_each(lambda p: float(np.sum(np.sin(p) * C))), X)
    assert numerical.shape == (3, 5)
    assert numerical.dtype == np.float64
    np.testing.assert_allclose(numerical, np.cos(X) * C, rtol=1e-7, atol=1e-9)


def test_gradient_of_the_mean_log_loss_matches_minus_y_over_a_over_m():
    """The cost's gradient that losses.py relies on: d/dA of -(1/m) Σ Y log A is -Y/(mA)."""
    A = np.array([[0.2, 0.7, 0.4]])
    Y = np.array([[1.0, 0.0, 1.0]])
    numerical = central_difference_gradient(_each(lambda p: float(-np.mean(Y * np.log(p)))), A)
    np.testing.assert_allclose(numerical, -Y / (3 * A), rtol=1e-7, atol=1e-9)


def test_evaluate_many_is_called_once_with_all_perturbed_inputs():
    """One call, 2·size inputs: the caller can send them to the sandbox in one batch."""
    calls = []

    def evaluate_many(points):
        calls.append(len(points))
        return [0.0] * len(points)

    central_difference_gradient(evaluate_many, np.zeros((2, 3)))
    assert calls == [12]


def test_perturbed_inputs_move_one_entry_by_plus_and_minus_the_step():
    x = np.array([[1.0, 2.0], [3.0, 4.0]])
    copies = perturbed_inputs(x, step=0.5)
    assert len(copies) == 8
    assert np.array_equal(copies[2], [[1.0, 2.5], [3.0, 4.0]])
    assert np.array_equal(copies[3], [[1.0, 1.5], [3.0, 4.0]])
    assert all(copy.shape == (2, 2) and copy.dtype == np.float64 for copy in copies)
    assert np.array_equal(x, [[1.0, 2.0], [3.0, 4.0]]), "the point itself must not move"


def test_a_wrong_number_of_values_is_refused():
    with pytest.raises(ValueError, match="one float per perturbed input"):
        central_difference_gradient(lambda points: [0.0], np.zeros(3))


def test_gradients_from_values_are_those_of_central_difference_gradient_bit_for_bit():
    """The sandbox path (values computed elsewhere, at the same perturbed inputs) and the
    in-process path share one formula: identical gradients, entry for entry."""
    rng = np.random.default_rng(3)
    X, C = rng.standard_normal((3, 4)) * 10.0 ** rng.integers(-3, 4, (3, 4)), rng.random((3, 4))

    def f(p):
        return float(np.sum(np.tanh(p) * C) + np.sum(p**3))

    for step in (gradcheck.DEFAULT_STEP, 1e-4):
        in_process = central_difference_gradient(_each(f), X, step=step)
        values = [f(point) for point in perturbed_inputs(X, step=step)]
        from_values = central_difference_from_values(values, X.shape, step=step)
        assert from_values.shape == X.shape and from_values.dtype == np.float64
        assert from_values.tobytes() == in_process.tobytes()


def test_values_pair_up_as_plus_then_minus_in_c_order():
    """Value 2i is f(x + h e_i), value 2i + 1 is f(x - h e_i); the result has x's shape."""
    values = np.array([5.0, 1.0, 2.0, 2.0, 0.0, 3.0, 7.0, 7.5])
    gradient = central_difference_from_values(values, (2, 2), step=0.5)
    np.testing.assert_array_equal(gradient, [[4.0, 0.0], [-3.0, -0.5]])
    scalar = central_difference_from_values([3.0, 1.0], (), step=0.25)
    assert scalar.shape == () and float(scalar) == 4.0


def test_a_wrong_number_of_values_for_the_shape_is_refused():
    with pytest.raises(ValueError, match="7 values were given for the 8 perturbed inputs"):
        central_difference_from_values([0.0] * 7, (2, 2))
    with pytest.raises(ValueError, match="one float per perturbed input"):
        central_difference_from_values(np.zeros((4, 2)), (2, 2))


# --- compare ---------------------------------------------------------------------------


def test_compare_accepts_exactly_up_to_atol_plus_rtol_times_expected():
    expected = np.array([100.0, 0.0])
    inside = np.array([100.0 + 1e-4 + 1e-6 * 0.5, 1e-6 * 0.9])
    outside = np.array([100.0 + 1e-4 * 1.1 + 1e-6, 0.0])
    assert compare(inside, expected, rtol=1e-6, atol=1e-6).ok
    assert not compare(outside, expected, rtol=1e-6, atol=1e-6).ok


def test_compare_reports_the_worst_entries_first_with_their_indices():
    expected = np.zeros((3, 4))
    got = expected.copy()
    got[2, 1], got[0, 3], got[1, 0] = 5.0, -7.0, 1.0
    comparison = compare(got, expected, rtol=1e-6, atol=1e-9)
    assert not comparison.ok
    assert [entry.index for entry in comparison.worst] == [(0, 3), (2, 1), (1, 0)]
    assert (comparison.worst[0].got, comparison.worst[0].expected) == (-7.0, 0.0)
    assert comparison.max_abs_error == 7.0


def test_compare_keeps_at_most_five_worst_entries():
    comparison = compare(np.arange(1.0, 11.0), np.zeros(10))
    assert len(comparison.worst) == 5
    assert comparison.worst[0].index == (9,)


def test_compare_treats_nan_and_inf_as_infinite_errors():
    comparison = compare(np.array([1.0, np.nan, np.inf]), np.array([1.0, 2.0, 3.0]))
    assert not comparison.ok
    assert comparison.max_abs_error == np.inf
    assert {entry.index for entry in comparison.worst} == {(1,), (2,)}


def test_compare_relative_error_has_a_floored_denominator():
    comparison = compare(np.array([1e-3]), np.array([0.0]))
    assert comparison.max_rel_error == pytest.approx(1e-3 / gradcheck.RELATIVE_ERROR_FLOOR)


def test_compare_with_zero_tolerance_is_exact():
    assert compare(np.array([1.0, 2.0]), np.array([1.0, 2.0]), rtol=0.0, atol=0.0).ok
    assert not compare(np.array([1.0, 2.0]), np.array([1.0, 3.0]), rtol=0.0, atol=0.0).ok


def test_compare_refuses_different_shapes():
    with pytest.raises(ValueError, match="equal shapes"):
        compare(np.zeros((3,)), np.zeros((3, 1)))


# --- samplers --------------------------------------------------------------------------


def test_samples_away_from_kinks_keep_their_margin_and_both_signs():
    Z = sample_away_from_kinks(np.random.default_rng(3), (20, 30), margin=0.2, scale=4.0)
    assert Z.shape == (20, 30)
    assert np.all(np.abs(Z) >= 0.2) and np.all(np.abs(Z) <= 4.0)
    assert np.any(Z > 0) and np.any(Z < 0)


def test_unsaturated_samples_stay_within_their_bound():
    Z = sample_unsaturated(np.random.default_rng(4), (10, 10), bound=2.0)
    assert np.all(np.abs(Z) <= 2.0)
    sigmoid = 1.0 / (1.0 + np.exp(-Z))
    assert np.min(sigmoid * (1.0 - sigmoid)) > 0.1


def test_samplers_are_reproducible_from_their_seed():
    first = sample_away_from_kinks(np.random.default_rng(5), (3, 4))
    again = sample_away_from_kinks(np.random.default_rng(5), (3, 4))
    other = sample_away_from_kinks(np.random.default_rng(6), (3, 4))
    assert np.array_equal(first, again)
    assert not np.array_equal(first, other)


# --- diagnose --------------------------------------------------------------------------

RNG = np.random.default_rng(7)
DW = RNG.standard_normal((3, 5))
SQUARE = RNG.standard_normal((4, 4))
DA = RNG.standard_normal((3, 5))


@pytest.mark.parametrize(
    ("got", "expected", "options", "code"),
    [
        (DW * 6, DW, {"m": 6}, "factor_m_missing"),
        (DW / 6, DW, {"m": 6}, "factor_m_twice"),
        (-DW, DW, {}, "sign"),
        (SQUARE.T, SQUARE, {}, "transpose"),
        (DW.T, DW, {}, "transpose"),
        (DW[:, 0], DW[:, :1], {}, "missing_keepdims"),
        (np.ones((1, 5)), DW[:, :1], {}, "wrong_axis"),
        (np.ones(5), DW[:, :1], {}, "wrong_axis"),
        (DW, DW * DA, {"dA": DA}, "missing_dA"),
    ],
    ids=[
        "1/m missing",
        "divided by m twice",
        "sign",
        "square transpose",
        "transposed shape",
        "(n,) for (n, 1)",
        "summed over rows",
        "summed to a row",
        "dA missing",
    ],
)
def test_diagnose_names_the_pattern(got, expected, options, code):
    diagnosis = diagnose(got, expected, name="dW", **options)
    assert diagnosis is not None
    assert diagnosis.code == code
    assert "dW" in diagnosis.text["en"] and "dW" in diagnosis.text["fr"]
    assert diagnosis.text["en"] != diagnosis.text["fr"]


def test_diagnose_tells_the_size_of_the_factor():
    diagnosis = diagnose(DW * 6, DW, m=6, name="dW")
    assert "6" in diagnosis.text["en"] and "1/m" in diagnosis.text["en"]
    assert "trop grand" in diagnosis.text["fr"]


def test_diagnose_returns_none_for_an_unrelated_error():
    assert diagnose(DW + 0.3, DW, m=6, dA=DA) is None


def test_diagnose_ignores_factors_without_m_or_when_the_expected_is_zero():
    assert diagnose(DW * 6, DW) is None
    assert diagnose(np.ones((2, 2)), np.zeros((2, 2)), m=4) is None


def test_diagnose_does_not_call_a_symmetric_matrix_transposed():
    symmetric = SQUARE + SQUARE.T
    assert diagnose(symmetric + 1.0, symmetric) is None


def test_diagnose_tries_the_callers_alternatives_first():
    wrong = DA * DW * (1 - DW)
    mine = Diagnosis("from_Z_not_activation", {"en": "used Z", "fr": "a utilisé Z"})
    assert diagnose(wrong, DW, alternatives=[(mine, wrong)]) == mine


def test_gradcheck_imports_only_numpy_the_standard_library_and_i18n():
    """It is copied verbatim into the student handout, where grader does not exist (beside
    a copy of grader/i18n.py, which imports only the standard library)."""
    tree = ast.parse(Path(gradcheck.__file__).read_text(encoding="utf-8"))
    imported = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            imported |= {alias.name.split(".")[0] for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.level == 1:
            imported.add(f".{node.module}")
        elif isinstance(node, ast.ImportFrom):
            imported.add((node.module or "").split(".")[0])
    assert imported <= {
        "__future__",
        "collections",
        "dataclasses",
        "math",
        "numpy",
        "typing",
        ".i18n",
    }


SPECIAL = [0.0, 1.0, -2.5, 1e-300, 1e308, np.nan, np.inf, -np.inf]


def _entrywise_compare(got: float, expected: float, rtol: float, atol: float):
    """The documented criterion for one entry, in plain Python floats: (failing, excess,
    error, relative)."""
    error = abs(got - expected)
    error = math.inf if math.isnan(error) else error
    allowed = atol + rtol * abs(expected)
    # inf / inf is NaN, which fails nothing; where nothing is allowed, only 0 passes.
    exact = math.inf if error > 0 else 0.0
    excess = error / allowed if allowed > 0 else exact
    magnitude = abs(expected)  # NaN stays NaN, as np.maximum keeps it
    floored = magnitude if not magnitude < gradcheck.RELATIVE_ERROR_FLOOR else None
    relative = error / (floored if floored is not None else gradcheck.RELATIVE_ERROR_FLOOR)
    return excess > 1.0, excess, error, relative


@pytest.mark.parametrize(("rtol", "atol"), [(1e-6, 1e-9), (0.0, 0.0), (1e-6, 0.0), (0.0, 1e-9)])
def test_compare_follows_the_criterion_on_special_values(rtol: float, atol: float):
    """Every pair of special values (NaN, ±inf, 0, tiny, huge) and exact tolerances: `ok`,
    the worst entries in order and both maximum errors are those of the criterion."""
    pairs = [(g, e) for g in SPECIAL for e in SPECIAL]
    got = np.array([g for g, _ in pairs]).reshape(8, 8)
    expected = np.array([e for _, e in pairs]).reshape(8, 8)
    with np.errstate(all="ignore"):
        comparison = compare(got, expected, rtol=rtol, atol=atol, worst_count=64)
    entries = [_entrywise_compare(g, e, rtol, atol) for g, e in pairs]
    failing = sorted(
        (flat for flat, entry in enumerate(entries) if entry[0]), key=lambda f: -entries[f][1]
    )
    assert comparison.ok == (not failing)
    assert [entry.index for entry in comparison.worst] == [divmod(f, 8) for f in failing]
    assert comparison.max_abs_error == max(entry[2] for entry in entries)
    relative = [entry[3] for entry in entries]
    assert repr(comparison.max_rel_error) == repr(float(np.max(relative, initial=0.0)))
    for flat in range(64):  # and one entry alone, as a 0-d comparison
        with np.errstate(all="ignore"):
            single = compare(got.ravel()[flat], expected.ravel()[flat], rtol=rtol, atol=atol)
        assert single.ok == (not entries[flat][0])
        assert single.max_abs_error == entries[flat][2]


@pytest.mark.parametrize(("rtol", "atol"), [(1e-6, 1e-9), (0.0, 0.0), (1e-6, 0.0), (0.0, 1e-9)])
def test_within_tolerance_is_compare_ok_on_special_values(rtol: float, atol: float):
    """The checks' fast answer agrees with `compare` on every pair of special values, each
    alone and every row of pairs together (a NaN or an exact tolerance in a passing row)."""
    pairs = [(g, e) for g in SPECIAL for e in SPECIAL]
    got = np.array([g for g, _ in pairs]).reshape(8, 8)
    expected = np.array([e for _, e in pairs]).reshape(8, 8)
    with np.errstate(all="ignore"):
        for flat in range(64):
            g, e = got.ravel()[flat], expected.ravel()[flat]
            assert within_tolerance(g, e, rtol=rtol, atol=atol) == (
                compare(g, e, rtol=rtol, atol=atol).ok
            ), (g, e)
        for row in range(8):
            for passing in (expected[row], expected[row] + 1e-12):
                assert within_tolerance(got[row], passing, rtol=rtol, atol=atol) == (
                    compare(got[row], passing, rtol=rtol, atol=atol).ok
                )


def test_within_tolerance_is_compare_ok_at_the_edge_of_the_tolerance():
    """Random arrays pushed to just inside and just outside `atol + rtol |expected|`, where
    a rounding difference would show: the same verdict as `compare`, entry by entry."""
    rng = np.random.default_rng(7)
    for _ in range(200):
        expected = rng.standard_normal((3, 4)) * 10.0 ** rng.integers(-8, 3)
        allowed = GRADIENT_ATOL + GRADIENT_RTOL * np.abs(expected)
        factor = rng.choice([0.0, 0.5, 1.0 - 1e-15, 1.0, 1.0 + 1e-15, 2.0], size=(3, 4))
        got = expected + rng.choice([-1.0, 1.0], size=(3, 4)) * factor * allowed
        verdict = compare(got, expected, rtol=GRADIENT_RTOL, atol=GRADIENT_ATOL).ok
        assert within_tolerance(got, expected, rtol=GRADIENT_RTOL, atol=GRADIENT_ATOL) is verdict
    assert within_tolerance(np.zeros((0, 3)), np.zeros((0, 3)))
    with pytest.raises(ValueError, match="equal shapes"):
        within_tolerance(np.zeros((3,)), np.zeros((3, 1)))
