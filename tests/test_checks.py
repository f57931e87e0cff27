"""grader.checks: each failure kind, its evidence fields and its bilingual messages."""

from __future__ import annotations

import json

import numpy as np
import pytest

from grader.checks import (
    CheckFailure,
    activation_curve,
    describe_call,
    expect_array,
    expect_cost_type,
    expect_float,
    expect_gradient,
    expect_keys,
    expect_ndarray,
    expect_sequence,
    expect_unchanged,
    fail_property,
)
from grader.gradcheck import Diagnosis
from grader.i18n import Text

CALL = "relu_backward(dA (3, 4), Z (3, 4))"
EXPECTED = np.arange(12.0).reshape(3, 4) - 5.0


class FakeHandle:
    """Shaped like grader.sandbox's Handle: a value that stayed in the worker."""

    type_name = "matrix"


class RiggedArray(np.ndarray):
    """An ndarray subclass, as a hostile submission could return (rigged comparisons)."""


def _failure(check, /, *args, **kwargs) -> CheckFailure:
    with pytest.raises(CheckFailure) as caught:
        check(*args, **kwargs)
    failure = caught.value
    assert set(failure.messages) == {"en", "fr"}
    assert failure.messages["en"] and failure.messages["fr"]
    assert failure.messages["en"] != failure.messages["fr"]
    assert str(failure) == failure.messages["en"]
    json.dumps(failure.evidence)  # the result document must be able to hold it
    return failure


def _array_failure(got, **options) -> CheckFailure:
    return _failure(
        expect_array, got, EXPECTED, function="relu_backward", name="dZ", call=CALL, **options
    )


def test_describe_call_shows_shapes_values_and_hides_opaque_objects():
    text = describe_call(
        "linear_activation_backward",
        {"dA": np.zeros((3, 4)), "cache": FakeHandle(), "activation": "relu"},
    )
    assert text == "linear_activation_backward(dA (3, 4), cache, activation='relu')"
    params = describe_call("initialize_parameters", {"layer_dims": [5, 4, 1], "seed": 3})
    assert params == "initialize_parameters(layer_dims=[5, 4, 1], seed=3)"
    assert describe_call("f", {"parameters": {"W1": 0, "b1": 0}}) == "f(parameters (2 entries))"


def test_correct_values_pass_and_are_returned():
    got = EXPECTED + 1e-12
    assert expect_array(got, EXPECTED, function="f", name="A", call="f()") is got


@pytest.mark.parametrize(
    ("got", "type_name"),
    [
        (EXPECTED.tolist(), "list"),
        (FakeHandle(), "matrix"),
        (EXPECTED.view(RiggedArray), "RiggedArray"),
        (3.0, "float"),
    ],
)
def test_anything_but_an_exact_ndarray_is_a_type_mismatch(got, type_name):
    failure = _array_failure(got)
    assert failure.evidence["kind"] == "type_mismatch"
    assert failure.evidence["got_type"] == type_name
    assert failure.evidence["function"] == "relu_backward"
    assert failure.evidence["call"] == CALL
    assert "np.ndarray" in failure.messages["en"] and "np.ndarray" in failure.messages["fr"]


def test_float32_is_a_dtype_mismatch():
    failure = _array_failure(EXPECTED.astype(np.float32))
    assert failure.evidence["kind"] == "dtype_mismatch"
    assert failure.evidence["expected_dtype"] == "float64"
    assert failure.evidence["got_dtype"] == "float32"


def test_integer_arrays_pass_when_integers_are_asked_for():
    labels = np.array([[0, 1, 1]])
    assert (
        expect_array(labels, labels, function="predict", name="p", call="p()", dtype=np.integer)
        is labels
    )
    failure = _failure(
        expect_array,
        labels.astype(float),
        labels,
        function="predict",
        name="p",
        call="p()",
        dtype=np.integer,
    )
    assert failure.evidence["kind"] == "dtype_mismatch"
    assert "entier" in failure.messages["fr"]


def test_a_flat_vector_for_a_column_is_a_shape_mismatch_with_keepdims_advice():
    failure = _failure(
        expect_array,
        np.ones(3),
        np.ones((3, 1)),
        function="linear_backward",
        name="db",
        call="linear_backward(dZ (3, 4), cache)",
    )
    evidence = failure.evidence
    assert evidence["kind"] == "shape_mismatch"
    assert (evidence["expected_shape"], evidence["got_shape"]) == ([3, 1], [3])
    assert evidence["diagnosis"]["code"] == "missing_keepdims"
    assert "keepdims=True" in failure.messages["en"] and "keepdims=True" in failure.messages["fr"]


def test_a_transposed_shape_is_diagnosed():
    failure = _array_failure(EXPECTED.T.copy())
    assert failure.evidence["kind"] == "shape_mismatch"
    assert failure.evidence["diagnosis"]["code"] == "transpose"


def test_nan_is_not_finite_and_can_carry_the_callers_diagnosis():
    got = EXPECTED.copy()
    got[1, 2] = np.nan
    unstable = Diagnosis(
        "unstable_softmax", {"en": "Subtract the max.", "fr": "Soustrayez le max."}
    )
    failure = _array_failure(got, not_finite=unstable)
    assert failure.evidence["kind"] == "not_finite"
    assert failure.evidence["worst"][0]["index"] == [1, 2]
    assert failure.evidence["diagnosis"]["code"] == "unstable_softmax"
    assert failure.messages["en"].endswith("Subtract the max.")
    assert failure.messages["fr"].endswith("Soustrayez le max.")
    assert "dépassement" in failure.messages["fr"]


def test_wrong_values_give_worst_entries_errors_tolerance_and_diagnosis():
    dA = np.linspace(0.5, 2.0, 12).reshape(3, 4)
    failure = _array_failure(EXPECTED / dA, dA=dA)
    evidence = failure.evidence
    assert evidence["kind"] == "value_mismatch"
    assert evidence["array"] == "dZ"
    assert 1 <= len(evidence["worst"]) <= 5
    worst = evidence["worst"][0]
    assert worst["expected"] == EXPECTED[tuple(worst["index"])]
    assert worst["got"] == pytest.approx((EXPECTED / dA)[tuple(worst["index"])])
    assert evidence["tolerance"] == {"rtol": 1e-6, "atol": 1e-9}
    assert evidence["max_abs_error"] > 0 and evidence["max_rel_error"] > 0
    assert evidence["diagnosis"]["code"] == "missing_dA"
    assert "dA" in failure.messages["en"]
    index = f"({worst['index'][0]}, {worst['index'][1]})"
    assert index in failure.messages["en"] and index in failure.messages["fr"]


def test_the_curve_is_built_only_when_values_are_wrong():
    built = []

    def curve():
        built.append(True)
        return {"function": "relu", "z": [0.0], "got": [1.0], "expected": [0.0]}

    expect_array(EXPECTED, EXPECTED, function="relu", name="A", call="relu(Z (3, 4))", curve=curve)
    assert built == []
    failure = _array_failure(EXPECTED + 1.0, curve=curve)
    assert failure.evidence["curve"]["function"] == "relu"


def test_activation_curve_pairs_the_two_functions_on_the_grid():
    z = np.linspace(-5.0, 5.0, 41).reshape(1, 41)
    curve = activation_curve("relu", np.abs(z), np.maximum(z, 0.0), z)
    assert curve["z"][0] == -5.0 and len(curve["got"]) == len(curve["expected"]) == 41
    assert curve["got"][0] == 5.0 and curve["expected"][0] == 0.0
    assert activation_curve("relu", "not an array", z, z) is None
    assert activation_curve("relu", np.zeros(3), z, z) is None


def test_gradient_mismatch_names_its_source_and_uses_gradient_tolerance():
    numerical = np.array([[1.0, -2.0], [0.5, 3.0]])
    failure = _failure(
        expect_gradient,
        numerical * 4,
        numerical,
        function="linear_backward",
        name="dW",
        call="linear_backward(dZ (2, 4), cache)",
        source=Text("finite differences of your own %(forward)s", forward="linear_forward"),
        m=4,
    )
    assert failure.evidence["kind"] == "gradient_mismatch"
    assert failure.evidence["tolerance"] == {"rtol": 1e-5, "atol": 1e-7}
    assert failure.evidence["diagnosis"]["code"] == "factor_m_missing"
    assert "finite differences of your own linear_forward" in failure.messages["en"]
    assert "les différences finies de votre propre linear_forward" in failure.messages["fr"]


def test_a_finite_difference_error_within_tolerance_passes():
    numerical = np.array([1.0, -2.0])
    expect_gradient(
        numerical + 1e-8,
        numerical,
        function="f",
        name="dZ",
        call="f()",
        source=Text("finite differences of your own %(forward)s", forward="f"),
    )


@pytest.mark.parametrize("cost", [0.25, np.float64(0.25)])
def test_costs_are_accepted_as_python_or_numpy_floats(cost):
    assert expect_float(cost, 0.25, function="binary_cross_entropy", call="c()") == 0.25


@pytest.mark.parametrize(
    ("cost", "kind"),
    [
        (np.array([[0.25]]), "type_mismatch"),
        (np.array(0.25), "type_mismatch"),
        (True, "type_mismatch"),
        ([0.25], "type_mismatch"),
        (np.float32(0.25), "dtype_mismatch"),
    ],
)
def test_costs_that_are_not_floats_are_refused(cost, kind):
    failure = _failure(expect_cost_type, cost, function="binary_cross_entropy", call="c()")
    assert failure.evidence["kind"] == kind
    if kind == "type_mismatch":
        assert "float(" in failure.messages["en"] and "float(" in failure.messages["fr"]


def test_a_summed_cost_is_diagnosed_as_missing_1_over_m():
    failure = _failure(
        expect_float, 2.0, 0.25, function="bce", call="bce(AL (1, 8), Y (1, 8))", m=8
    )
    assert failure.evidence["kind"] == "value_mismatch"
    assert failure.evidence["diagnosis"]["code"] == "factor_m_missing"
    assert "index" not in failure.messages["en"]


def test_an_infinite_cost_is_not_finite():
    failure = _failure(expect_float, float("inf"), 0.25, function="bce", call="bce()")
    assert failure.evidence["kind"] == "not_finite"


def test_expect_unchanged_reports_the_changed_entries():
    before = np.array([[1.0, -2.0, 3.0]])
    expect_unchanged(before, before.copy(), function="relu", name="Z", call="relu(Z (1, 3))")
    after = np.array([[1.0, 0.0, 3.0]])
    failure = _failure(expect_unchanged, before, after, function="relu", name="Z", call="relu()")
    assert failure.evidence["kind"] == "mutated_input"
    assert failure.evidence["worst"] == [{"index": [0, 1], "got": 0.0, "expected": -2.0}]
    assert "copy" in failure.messages["en"] and "copie" in failure.messages["fr"]


def test_expect_sequence_accepts_pairs_and_refuses_the_rest():
    assert expect_sequence((1, 2), length=2, function="f", call="f()", names="(Z, cache)") == (1, 2)
    failure = _failure(
        expect_sequence,
        np.zeros(2),
        length=2,
        function="linear_forward",
        call="linear_forward()",
        names="(Z, cache)",
    )
    assert failure.evidence["kind"] == "type_mismatch"
    assert failure.evidence["array"] == "return value"


def test_expect_keys_lists_the_missing_keys():
    failure = _failure(
        expect_keys,
        {"W1": 0},
        ["W1", "b1", "W2"],
        function="initialize_parameters",
        call="initialize_parameters()",
        what="the parameters",
    )
    assert failure.evidence["kind"] == "property"
    assert "b1, W2" in failure.messages["en"] and "b1, W2" in failure.messages["fr"]
    assert (
        _failure(expect_keys, [1], ["W1"], function="f", call="f()", what="grads").evidence["kind"]
        == "type_mismatch"
    )


def test_fail_property_builds_a_property_failure():
    failure = fail_property(
        {"en": "Columns must sum to 1.", "fr": "Les colonnes doivent sommer à 1."},
        function="softmax",
        call="softmax(Z (3, 4))",
        array="A",
    )
    assert isinstance(failure, CheckFailure)
    assert failure.evidence == {
        "kind": "property",
        "function": "softmax",
        "call": "softmax(Z (3, 4))",
        "array": "A",
    }


@pytest.mark.parametrize("wanted", [np.float64, np.integer, np.float32])
@pytest.mark.parametrize("dtype", ["<f8", ">f8", "<f4", "<f2", "<i4", ">i8", "|u1", "|b1", "<c16"])
def test_the_dtype_check_is_numpys_subtype_relation(dtype: str, wanted: type) -> None:
    """An array passes exactly when np.issubdtype says its dtype is of the wanted kind, and
    a NaN is refused in any floating dtype (byte order included)."""
    got = np.zeros((2, 2), dtype=dtype)
    check = {"function": "f", "name": "A", "call": "f()", "shape": (2, 2), "dtype": wanted}
    if np.issubdtype(got.dtype, wanted):
        assert expect_ndarray(got, **check) is got
    else:
        assert _failure(expect_ndarray, got, **check).evidence["kind"] == "dtype_mismatch"
    if got.dtype.kind == "f" and np.issubdtype(got.dtype, wanted):
        got[1, 0] = np.nan
        failure = _failure(expect_ndarray, got, **check)
        assert failure.evidence["kind"] == "not_finite"
        assert failure.evidence["worst"][0]["index"] == [1, 0]


def test_a_value_mismatch_writes_its_numbers_as_the_language_does():
    """The worst entry reads 1889.54 in English and 1889,54 in French, as the page's table
    writes it."""
    expected = np.array([[1000.25, 2.0]])
    failure = _failure(
        expect_array, np.array([[1889.54, 2.0]]), expected, function="f", name="A", call="f()"
    )
    assert (
        "you return 1889.54 where the correct implementation gives 1000.25"
        in (failure.messages["en"])
    )
    assert (
        "vous renvoyez 1889,54 là où l'implémentation correcte donne 1000,25"
        in (failure.messages["fr"])
    )
    assert failure.evidence["worst"][0]["got"] == 1889.54  # the evidence keeps the number
