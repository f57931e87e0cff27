"""Finite differences from a stacked reply: the vectorised path and the per-output checks.

The hidden suites ask `call_perturbed` for the worker's stack of results and use it at once
when it is a finite float64 array of the expected shape; anything else goes through the
per-output checks. Both must give the same values, bit for bit, and the same failure.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import pytest

import grader.hidden._support as support
import reference.losses as ref_losses
from grader.checks import CheckFailure
from grader.hidden._network_checks import layer_forward_gradients, screened_network
from grader.hidden._support import (
    binary_labels,
    checked_stack,
    each_output,
    model_cost_gradient,
    one_hot,
    projected_gradient,
    stacked_binary_cross_entropy,
    stacked_categorical_cross_entropy,
)

Plant = Callable[[list[Any]], list[Any]]


class Planted:
    """A `student` proxy whose perturbed results are rewritten by `plant`, then sent as the
    worker sends them: stacked when asked and possible (`stacks`), else as the list (what
    the suites always got before they asked for stacks)."""

    def __init__(self, inner: Any, stack: Callable[..., Any], plant: Plant, stacks: bool):
        self._inner, self._stack, self._plant, self._stacks = inner, stack, plant, stacks

    def call_perturbed(self, *args: Any, stacked: bool = False, **options: Any) -> Any:
        outputs = self._plant(list(self._inner.call_perturbed(*args, **options)))
        return self._stack(outputs) if stacked and self._stacks else outputs

    def __getattr__(self, name: str) -> Any:
        return getattr(self._inner, name)


def _edit(outputs: list[Any], index: int, change: Callable[[np.ndarray], Any]) -> list[Any]:
    edited = list(outputs)
    edited[index] = change(np.array(edited[index], copy=True))
    return edited


def _set(value: float, where: tuple[int, ...]) -> Callable[[np.ndarray], np.ndarray]:
    def change(array: np.ndarray) -> np.ndarray:
        array[where] = value
        return array

    return change


PLANTS: dict[str, Plant] = {
    "honest": lambda outputs: outputs,
    "nan_in_one": lambda outputs: _edit(outputs, 3, _set(np.nan, (0, 1))),
    "inf_in_last": lambda outputs: _edit(outputs, len(outputs) - 1, _set(-np.inf, (-1, -1))),
    "all_float32": lambda outputs: [output.astype(np.float32) for output in outputs],
    "all_transposed": lambda outputs: [np.ascontiguousarray(output.T) for output in outputs],
    "all_with_an_extra_axis": lambda outputs: [output[None] for output in outputs],
    "one_wrong_shape": lambda outputs: _edit(outputs, 5, lambda array: array[:, :-1]),
    "a_list": lambda outputs: _edit(outputs, 1, lambda array: array.tolist()),
    "a_float": lambda outputs: _edit(outputs, 0, lambda array: float(array.sum())),
}


def _outcome(run: Callable[[Any], Any], student: Any) -> tuple[str, Any]:
    """What a helper gives: its values, or its failure's messages and evidence."""
    try:
        return "values", run(student)
    except CheckFailure as failure:
        return "failure", repr((failure.messages, failure.evidence))


def _assert_same(stacked: tuple[str, Any], listed: tuple[str, Any]) -> None:
    assert stacked[0] == listed[0]
    if stacked[0] == "failure":
        assert stacked[1] == listed[1]
        return
    got, expected = stacked[1], listed[1]
    if isinstance(expected, dict):
        assert list(got) == list(expected)
        got, expected = list(got.values()), list(expected.values())
    else:
        got, expected = [got], [expected]
    for one, other in zip(got, expected, strict=True):
        assert one.dtype == other.dtype and one.shape == other.shape
        assert one.tobytes() == other.tobytes()


def _projected(student: Any) -> np.ndarray:
    rng = np.random.default_rng(11)
    return projected_gradient(
        student, "sigmoid", rng.standard_normal((2, 3)), rng.uniform(-3, 3, (2, 3))
    )


def _layer(student: Any) -> dict[str, np.ndarray]:
    rng = np.random.default_rng(12)
    args = (rng.standard_normal((4, 3)), rng.standard_normal((2, 4)), rng.standard_normal((2, 1)))
    return layer_forward_gradients(
        student, "linear_activation_forward", args, rng.standard_normal((2, 3)), extra=("tanh",)
    )


def _model(output_activation: str, cost: Callable[..., float]) -> Callable[[Any], Any]:
    def run(student: Any) -> dict[str, np.ndarray]:
        rng = np.random.default_rng(13)
        classes = 3 if output_activation == "softmax" else 1
        X, parameters = screened_network(rng, [3, 4, classes], 2, "tanh")
        Y = one_hot(rng, classes, 2) if classes > 1 else binary_labels(rng, 2)
        return model_cost_gradient(
            student,
            X,
            Y,
            parameters,
            cost,
            hidden_activation="tanh",
            output_activation=output_activation,
        )

    return run


HELPERS: dict[str, Callable[[Any], Any]] = {
    "projected_gradient": _projected,
    "layer_forward_gradients": _layer,
    "model_binary": _model("sigmoid", ref_losses.binary_cross_entropy),
    "model_categorical": _model("softmax", ref_losses.categorical_cross_entropy),
    "model_other_cost": _model("softmax", lambda AL, Y: float(np.sum(AL * Y**2))),
}


@pytest.mark.parametrize("plant", list(PLANTS))
@pytest.mark.parametrize("helper", list(HELPERS))
def test_a_stacked_reply_gives_what_the_per_output_checks_give(
    reference_student: Any, stack_as_worker: Callable[..., Any], helper: str, plant: str
) -> None:
    """Same values bit for bit, or the same first failure with the same messages."""
    run = HELPERS[helper]
    stacked = _outcome(run, Planted(reference_student, stack_as_worker, PLANTS[plant], True))
    listed = _outcome(run, Planted(reference_student, stack_as_worker, PLANTS[plant], False))
    _assert_same(stacked, listed)
    assert stacked[0] == ("values" if plant == "honest" else "failure")


@pytest.mark.parametrize(
    ("plant", "kind"),
    [
        ("nan_in_one", "not_finite"),
        ("all_float32", "dtype_mismatch"),
        ("all_transposed", "shape_mismatch"),
        ("a_list", "type_mismatch"),
    ],
)
def test_the_failure_names_the_first_bad_output(
    reference_student: Any, stack_as_worker: Callable[..., Any], plant: str, kind: str
) -> None:
    """A planted problem is reported as the per-output check reports it."""
    student = Planted(reference_student, stack_as_worker, PLANTS[plant], True)
    with pytest.raises(CheckFailure) as failure:
        _projected(student)
    assert failure.value.evidence["kind"] == kind
    assert failure.value.evidence["array"] == "A"


class _Subclass(np.ndarray):
    pass


def test_checked_stack_takes_only_finite_float64_stacks_of_the_expected_shape() -> None:
    stack = np.zeros((4, 2, 3))
    assert checked_stack(stack, 4, (2, 3)) is stack
    assert checked_stack(stack, 5, (2, 3)) is None
    assert checked_stack(stack, 4, (3, 2)) is None
    assert checked_stack(stack.astype(np.float32), 4, (2, 3)) is None
    assert checked_stack(list(stack), 4, (2, 3)) is None
    assert checked_stack(stack.view(_Subclass), 4, (2, 3)) is None
    for bad in (np.nan, np.inf, -np.inf):
        planted = stack.copy()
        planted[2, 1, 0] = bad
        assert checked_stack(planted, 4, (2, 3)) is None


def test_each_output_gives_rows_as_arrays_even_zero_dimensional() -> None:
    rows = each_output(np.arange(3.0))
    assert all(type(row) is np.ndarray and row.shape == () for row in rows)
    assert [float(row) for row in rows] == [0.0, 1.0, 2.0]
    assert each_output([1, "x"]) == [1, "x"]


@pytest.mark.parametrize("classes", [1, 3])
def test_stacked_costs_are_the_reference_costs_bit_for_bit(classes: int) -> None:
    """Including outputs of exactly 0 or 1 where the label's weight is 0 (0·log 0 = 0)."""
    rng = np.random.default_rng(classes)
    m, k = 7, 40
    if classes == 1:
        Y = binary_labels(rng, m)
        AL = rng.uniform(0.01, 0.99, (k, 1, m))
        AL[::3] = np.where(Y == 1, 1.0, AL[::3])
        AL[1::3] = np.where(Y == 0, 0.0, AL[1::3])
        stacked, cost = stacked_binary_cross_entropy, ref_losses.binary_cross_entropy
    else:
        Y = one_hot(rng, classes, m)
        AL = rng.dirichlet(np.ones(classes), size=(k, m)).transpose(0, 2, 1)
        AL[::4] = np.where(Y == 0, 0.0, AL[::4])
        stacked, cost = stacked_categorical_cross_entropy, ref_losses.categorical_cross_entropy
    expected = np.array([cost(AL[index], Y) for index in range(k)])
    assert stacked(AL, Y).tobytes() == expected.tobytes()


@pytest.mark.parametrize("helper", list(HELPERS))
@pytest.mark.parametrize("stacks", [True, False])
def test_an_honest_stack_skips_the_per_output_checks(
    reference_student: Any,
    stack_as_worker: Callable[..., Any],
    monkeypatch: pytest.MonkeyPatch,
    helper: str,
    stacks: bool,
) -> None:
    """The vectorised path is the one taken for a good stack (and a known cost): no output
    goes through `expect_ndarray` one by one; a list still does, every output."""
    checked: list[object] = []
    original = support.expect_ndarray

    def counting(got: object, **options: Any) -> Any:
        checked.append(got)
        return original(got, **options)

    monkeypatch.setattr(support, "expect_ndarray", counting)
    HELPERS[helper](Planted(reference_student, stack_as_worker, PLANTS["honest"], stacks))
    vectorised = stacks and helper != "model_other_cost"
    assert (len(checked) == 0) == vectorised
