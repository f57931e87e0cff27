"""The worker's purity and perturbation helpers: what they report and copy, on their own."""

from __future__ import annotations

from typing import Any

import numpy as np

from grader.sandbox import worker


def call_value() -> Any:
    W = np.arange(6.0).reshape(2, 3)
    return ((W, [1.5, np.zeros(2), "s"], (None, {"b": np.ones(3)})), {"p": {"W1": W}})


def test_snapshots_name_every_array_by_its_path_and_copy_it() -> None:
    value = call_value()
    snapshots = worker._array_snapshots(value)
    assert sorted(snapshots) == sorted(["[0][0]", "[0][1][1]", "[0][2][1]['b']", "[1]['p']['W1']"])
    assert snapshots["[0][0]"] is not value[0][0]
    np.testing.assert_array_equal(snapshots["[0][0]"], value[0][0])


def test_mutations_are_reported_by_value_not_by_bytes() -> None:
    """Writing equal values (-0.0 over 0.0, NaN over NaN) is not a mutation; anything else,
    a new shape, or an array that is gone from its path is."""
    value = ((np.array([0.0, np.nan, 1.0]), [np.zeros(2), np.ones(2)], {"k": np.ones(1)}), {})
    before = worker._array_snapshots(value)
    value[0][0][0] = -0.0
    value[0][0][1] = float("nan")
    assert worker._mutated(value, before) == []
    value[0][1][0][1] = 5.0
    value[0][1][1] = np.ones(3)
    del value[0][2]["k"]
    assert worker._mutated(value, before) == ["[0][1][0]", "[0][1][1]", "[0][2]['k']"]


def test_an_equal_array_of_another_dtype_is_not_a_mutation() -> None:
    value = ([np.arange(3.0)], {})
    before = worker._array_snapshots(value)
    value[0][0] = np.arange(3)
    assert worker._mutated(value, before) == []


def test_fresh_copies_containers_and_arrays_and_shares_the_rest() -> None:
    value = call_value()
    leaf = object()
    value[0][1].append(leaf)
    copy = worker._fresh(value)
    assert copy[0][1][3] is leaf and copy[0][1][2] == "s"
    assert copy[0][1] is not value[0][1] and copy[0][2][1] is not value[0][2][1]
    assert type(copy[0][2]) is tuple and copy[0][0] is not value[0][0]
    np.testing.assert_array_equal(copy[1]["p"]["W1"], value[1]["p"]["W1"])


def test_a_perturbed_call_changes_one_entry_of_a_fresh_copy() -> None:
    value = call_value()
    copy = worker._perturbed(value, ["kwargs", "p", "W1"], 4, 99.0)
    assert copy[1]["p"]["W1"].flat[4] == 99.0 and value[1]["p"]["W1"].flat[4] == 4.0
    np.testing.assert_array_equal(copy[0][0], value[0][0])
    copy = worker._perturbed(value, ["args", 2, 1, "b"], 0, -1.0)
    assert copy[0][2][1]["b"].tolist() == [-1.0, 1.0, 1.0] and value[0][2][1]["b"][0] == 1.0
