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


def shared_at(sent: Any, path: list[Any]) -> Any:
    node = sent[0] if path[0] == "args" else sent[1]
    for key in path[1:]:
        node = node[key]
    return node


def test_shared_arguments_travel_as_places_in_the_shared_memory() -> None:
    """Each array of a call is written once, aligned, and the call sent names its place;
    everything else of the call is sent as it is."""
    value = call_value()
    shared = session_module._SharedArguments()
    sent = shared.add(value)
    region = shared.region()
    [layout] = shared.layouts
    assert [entry[0] for entry in layout] == [path for path, _ in codec.array_items(value)]
    offsets = [entry[3] for entry in layout]
    assert offsets == sorted(offsets) and all(o % 64 == 0 for o in offsets)
    assert len(set(offsets)) == len(offsets)
    for path, dtype, shape, offset in layout:
        array = codec.array_at(value, path)
        place = shared_at(sent, path)
        assert place == codec.SharedArray(array.dtype.str, array.shape, offset, array.nbytes)
        assert dtype == array.dtype.str and shape == list(array.shape)
        assert bytes(region[offset : offset + array.nbytes]) == array.tobytes()
    assert sent[0][1][0] == 1.5 and sent[0][1][2] == "s" and sent[0][2][0] is None
    assert type(sent[0]) is tuple and type(sent[0][2]) is tuple and type(sent[0][1]) is list
    # The call itself is left as it was.
    assert type(value[0][0]) is np.ndarray and type(value[1]["p"]["W1"]) is np.ndarray
    # The next call of a batch starts after the last array, aligned: no two calls overlap.
    end = shared.end
    assert end % 64 == 0 and end >= offsets[-1] + codec.array_at(value, layout[-1][0]).nbytes
    shared.add(value)
    assert [entry[3] - end for entry in shared.layouts[1]] == offsets
    assert len(shared.region()) == shared.end == 2 * end


def test_arrays_the_codec_sends_otherwise_are_not_shared() -> None:
    """A big-endian array is sent converted, an object array refused, as before sharing."""
    big, objects = np.arange(3.0).astype(">f8"), np.array([None], dtype=object)
    shared = session_module._SharedArguments()
    sent = shared.add(((big, objects, np.zeros(2)), {}))
    assert sent[0][0] is big and sent[0][1] is objects
    assert type(sent[0][2]) is codec.SharedArray
    assert [entry[0] for entry in shared.layouts[0]] == [["args", 2]]


def test_only_the_arguments_a_call_changed_are_reported() -> None:
    value = call_value()
    shared = session_module._SharedArguments()
    shared.add(value)
    region = shared.region()
    [layout] = shared.layouts
    now = bytearray(region)
    offset = layout[2][3]  # args[2][1]['b']: three ones
    now[offset : offset + 8] = np.array([5.0]).tobytes()
    assert session_module._mutated(bytes(now), layout, region) == ["args[2][1]['b']"]
    assert session_module._mutated(bytes(region), layout, region) == []
    # Memory the worker shrank reads back short: every argument past its end changed.
    assert session_module._mutated(bytes(region[: layout[1][3]]), layout, region) == [
        "args[1][1]",
        "args[2][1]['b']",
        "kwargs['p']['W1']",
    ]


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


def test_the_reply_cap_counts_a_shared_argument_as_its_array() -> None:
    """A call whose 8 MB argument went to the shared memory may still get an 8 MB answer."""
    call = ((np.zeros((1000, 1000)),), {"alpha": 0.5})
    shared = session_module._SharedArguments()
    sent = shared.add(call)
    cap = session_module.reply_bytes_cap("watched", sent)
    assert cap == session_module.reply_bytes_cap("call", call)
    assert cap >= session_module.REPLY_FACTOR * 8_000_000 > session_module.REPLY_FLOOR_BYTES
    batch = [shared.add(call), sent]
    assert session_module.reply_bytes_cap("watched_batch", batch) == 2 * cap
