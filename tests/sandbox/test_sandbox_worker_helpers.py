"""The worker's purity and perturbation helpers: what they report and copy, on their own."""

from __future__ import annotations

from typing import Any

import numpy as np

from grader.sandbox import codec, worker
from grader.sandbox import session as session_module


def call_value() -> Any:
    W = np.arange(6.0).reshape(2, 3)
    return ((W, [1.5, np.zeros(2), "s"], (None, {"b": np.ones(3)})), {"p": {"W1": W}})


def test_array_items_give_each_array_of_a_call_with_its_path() -> None:
    value = call_value()
    items = codec.array_items(value)
    assert [path for path, _ in items] == [
        ["args", 0],
        ["args", 1, 1],
        ["args", 2, 1, "b"],
        ["kwargs", "p", "W1"],
    ]
    assert all(array is codec.array_at(value, path) for path, array in items)


def test_swapping_arrays_replaces_those_named_and_keeps_the_rest_of_the_call() -> None:
    """The worker puts the shared memory's views in place of many arguments at once."""
    news = {("args", 2, 1, "b"): np.full(3, 7.0), ("kwargs", "p", "W1"): np.zeros((2, 3))}
    value = call_value()
    kept = {tuple(path): array for path, array in codec.array_items(value)}
    swapped = worker._with_arrays(value, lambda path, array: news.get(path))
    assert [path for path, _ in codec.array_items(swapped)] == [list(p) for p in kept]
    for path, array in codec.array_items(swapped):
        assert array is news.get(tuple(path), kept[tuple(path)])
    assert swapped[0][2][1]["b"] is news[("args", 2, 1, "b")]
    # Tuples are rebuilt, lists and dicts changed in place, leaves shared.
    assert type(swapped[0]) is tuple and type(swapped[0][2]) is tuple
    assert swapped[0][1] is value[0][1] and swapped[0][1][2] == "s"
    assert swapped[1] is value[1] and swapped[1]["p"]["W1"] is news[("kwargs", "p", "W1")]
    untouched = call_value()
    assert worker._with_arrays(untouched, lambda path, array: None)[0] is untouched[0]


def test_the_shared_layout_places_each_array_once_aligned() -> None:
    value = call_value()
    layout, blobs, end = session_module._shared_layout(value)
    assert [entry[0] for entry in layout] == [path for path, _ in codec.array_items(value)]
    offsets = [entry[3] for entry in layout]
    assert offsets == sorted(offsets) and all(o % 64 == 0 for o in offsets)
    for (path, dtype, shape, offset), (where, data) in zip(layout, blobs, strict=True):
        array = codec.array_at(value, path)
        assert where == offset and data == array.tobytes()
        assert dtype == array.dtype.str and shape == list(array.shape)
    # The next call of a batch starts after the last array, aligned: no two calls overlap.
    last, data = blobs[-1]
    assert end % 64 == 0 and end >= last + len(data)
    following, _, _ = session_module._shared_layout(value, end)
    assert [entry[3] - end for entry in following] == offsets


def test_mutations_are_judged_by_value_not_by_bytes() -> None:
    """Writing equal values (-0.0 over 0.0, NaN over NaN) is not a mutation; other values,
    or a shorter memory, are."""
    before = np.array([0.0, np.nan, 1.0]).tobytes()
    same = np.array([-0.0, np.nan, 1.0]).tobytes()
    assert not session_module._changed(same, before, "<f8")
    assert session_module._changed(np.array([0.0, np.nan, 2.0]).tobytes(), before, "<f8")
    assert session_module._changed(before[:8], before, "<f8")
    assert session_module._changed(np.array([1, 3]).tobytes(), np.array([1, 2]).tobytes(), "<i8")


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
