"""The codec is the trust boundary: plain data round-trips, everything else is refused."""

from __future__ import annotations

import json
import socket
import struct
import time
from typing import Any

import numpy as np
import pytest

from grader.sandbox import codec


class Kept:
    """Records what the encoder refused to serialise, like the worker's handle table."""

    def __init__(self) -> None:
        self.objects: list[Any] = []

    def __call__(self, value: Any) -> list[Any]:
        self.objects.append(value)
        return [1, len(self.objects), type(value).__name__]


def make_handle(body: list[Any]) -> codec.Handle:
    return codec.Handle(body[0], body[1], body[2])


def round_trip(value: Any) -> tuple[Any, Kept]:
    kept = Kept()
    chunks = codec.encode({"kind": "ok"}, value, opaque=kept)
    frame = b"".join(chunks)
    _, _, json_bytes, blob_bytes = codec.HEADER.unpack(frame[: codec.HEADER.size])
    text = frame[codec.HEADER.size : codec.HEADER.size + json_bytes]
    blob = memoryview(frame[codec.HEADER.size + json_bytes :])
    assert len(blob) == blob_bytes
    envelope, decoded = codec.decode(text, blob, make_handle=make_handle)
    assert envelope == {"kind": "ok"}
    return decoded, kept


def frame(body: Any, blob: bytes = b"", *, magic: bytes = codec.MAGIC, version: int = 1) -> bytes:
    text = json.dumps(body).encode()
    return codec.HEADER.pack(magic, version, len(text), len(blob)) + text + blob


def receive_raw(data: bytes, *, close: bool = True, timeout: float = 1.0) -> tuple[Any, Any]:
    ours, theirs = socket.socketpair()
    with ours, theirs:
        theirs.sendall(data)
        if close:
            theirs.shutdown(socket.SHUT_WR)
        reader = codec.FrameReader(ours)
        return reader.receive(time.monotonic() + timeout, make_handle=make_handle)


@pytest.mark.parametrize("dtype", sorted(codec.DTYPES))
def test_arrays_of_every_allowed_dtype_round_trip(dtype: str) -> None:
    """Values, shape and dtype survive; the result owns its memory and is writeable."""
    array = (np.arange(24) % 2 if dtype == "|b1" else np.arange(24)).astype(dtype).reshape(2, 3, 4)
    decoded, kept = round_trip(array)
    assert type(decoded) is np.ndarray and decoded.dtype == array.dtype
    np.testing.assert_array_equal(decoded, array)
    assert decoded.flags.owndata and decoded.flags.writeable and not kept.objects


def test_odd_arrays_round_trip_as_plain_little_endian_arrays() -> None:
    """0-d, empty, transposed, sliced and big-endian arrays come back equal."""
    base = np.arange(12.0).reshape(3, 4)
    for array in (
        np.array(3.5),
        np.zeros((0, 5)),
        base.T,
        base[:, ::2],
        np.asfortranarray(base),
        base.astype(">f8"),
        np.array([np.nan, np.inf, -np.inf]),
    ):
        decoded, _ = round_trip(array)
        assert decoded.shape == array.shape and decoded.dtype.byteorder in "=<|"
        np.testing.assert_array_equal(decoded, array)


def test_nested_plain_data_round_trips() -> None:
    """Lists, tuples, str-keyed dicts, numbers, numpy scalars, None and strings keep their types."""
    value = {
        "W1": np.ones((2, 3)),
        "costs": [0.5, float("nan"), float("inf"), 2**63 - 1, -(2**63), True, None],
        "cache": ((np.zeros(2), np.float32(1.5)), {"activation": "relu"}),
        "scalars": [np.int64(7), np.bool_(True), np.float64(0.25), np.uint8(255)],
    }
    decoded, kept = round_trip(value)
    assert not kept.objects
    assert decoded["costs"][2:] == [float("inf"), 2**63 - 1, -(2**63), True, None]
    assert np.isnan(decoded["costs"][1])
    assert type(decoded["cache"]) is tuple and type(decoded["cache"][0][1]) is np.float32
    assert [type(x) for x in decoded["scalars"]] == [np.int64, np.bool_, np.float64, np.uint8]
    assert decoded["scalars"][3] == 255 and decoded["cache"][1] == {"activation": "relu"}


class Rigged(np.ndarray):
    def __eq__(self, other: object) -> Any:  # type: ignore[override]
        return True


@pytest.mark.parametrize(
    "value",
    [
        np.ones((1, 2)).view(np.matrix),
        np.zeros(3).view(Rigged),
        np.array([1, "a"], dtype=object),
        np.array([1 + 2j]),
        np.zeros(2, dtype=[("a", "<f8")]),
        object(),
        len,
        {1: "not a str key"},
        2**63,
        1j,
        np.complex128(1),
        np.float128(1) if hasattr(np, "float128") else np.datetime64("2024-01-01"),
    ],
    ids=lambda value: type(value).__name__,
)
def test_anything_not_plain_stays_behind_a_handle(value: Any) -> None:
    """Subclasses, objects, odd dtypes and big ints are handed to `opaque`, not serialised."""
    decoded, kept = round_trip([value])
    assert type(decoded[0]) is codec.Handle
    assert kept.objects == [value] or kept.objects[0] is value
    assert decoded[0].type_name == type(value).__name__


def test_subclasses_of_plain_types_stay_behind_a_handle() -> None:
    """A str or float subclass with a rigged comparison is not trusted as plain data."""

    class Always(float):
        def __eq__(self, other: object) -> bool:
            return True

    decoded, kept = round_trip((Always(1.0), 2.0))
    assert type(decoded[0]) is codec.Handle and decoded[1] == 2.0 and len(kept.objects) == 1


def test_values_breaking_a_cap_are_refused_when_encoding(monkeypatch: pytest.MonkeyPatch) -> None:
    """Too deep or too many items: `TooComplex`, so the worker can keep the whole value."""
    deep: Any = 1.0
    for _ in range(codec.MAX_DEPTH + 1):
        deep = [deep]
    with pytest.raises(codec.TooComplex):
        codec.encode({}, deep, opaque=Kept())
    monkeypatch.setattr(codec, "MAX_ITEMS", 10)
    with pytest.raises(codec.TooComplex):
        codec.encode({}, list(range(20)), opaque=Kept())


def test_a_well_formed_frame_is_received_through_a_socket() -> None:
    """`receive` reads exactly one frame and decodes it."""
    data = b"".join(codec.encode({"seq": 3}, [np.arange(3)], opaque=Kept()))
    envelope, value = receive_raw(data)
    assert envelope == {"seq": 3}
    np.testing.assert_array_equal(value[0], np.arange(3))


def raw_frame(text: bytes) -> bytes:
    return codec.HEADER.pack(codec.MAGIC, codec.VERSION, len(text), 0) + text


def array_frame(dtype: Any, shape: Any, offset: Any, nbytes: Any, blob: bytes) -> bytes:
    return frame({"value": {"A": [dtype, shape, offset, nbytes]}}, blob)


HOSTILE_FRAMES = {
    "bad magic": frame({"value": 1}, magic=b"EVIL"),
    "bad version": frame({"value": 1}, version=9),
    "json longer than the cap": struct.pack("<4sB3xIQ", b"NNGR", 1, codec.MAX_JSON_BYTES + 1, 0),
    "blob longer than the cap": struct.pack("<4sB3xIQ", b"NNGR", 1, 2, codec.MAX_BLOB_BYTES + 1),
    "not json": raw_frame(b"{nope"),
    "not utf-8": raw_frame(b'{"value": "\xff"}'),
    "not an envelope": frame([1, 2]),
    "no value": frame({"kind": "ok"}),
    "unknown tag": frame({"value": {"P": ["os.system"]}}),
    "two keys": frame({"value": {"T": [], "D": []}}),
    "tag body not a list": frame({"value": {"T": "abc"}}),
    "int beyond int64": frame({"value": 2**64}),
    "huge int literal": raw_frame(b'{"value":' + b"9" * 5000 + b"}"),
    "unknown dtype": array_frame("<c16", [1], 0, 16, bytes(16)),
    "object dtype": array_frame("|O", [1], 0, 8, bytes(8)),
    "big-endian dtype": array_frame(">f8", [1], 0, 8, bytes(8)),
    "dtype not a string": array_frame(["<f8"], [1], 0, 8, bytes(8)),
    "shape lies about nbytes": array_frame("<f8", [2, 2], 0, 8, bytes(8)),
    "negative shape": array_frame("<f8", [-1], 0, 8, bytes(8)),
    "float in shape": array_frame("<f8", [1.0], 0, 8, bytes(8)),
    "too many dims": array_frame("<f8", [1] * 40, 0, 8, bytes(8)),
    "absurd zero-size shape": array_frame("<f8", [0, 2**62, 2**62], 0, 0, b""),
    "offset past the blob": array_frame("<f8", [1], 8, 8, bytes(8)),
    "negative offset": array_frame("<f8", [1], -8, 8, bytes(16)),
    "nbytes past the blob": array_frame("|u1", [100], 0, 100, bytes(8)),
    "bool bytes other than 0/1": array_frame("|b1", [2], 0, 2, b"\x01\x02"),
    "bool scalar of 7": frame({"value": {"S": ["|b1", 0]}}, b"\x07"),
    "scalar past the blob": frame({"value": {"S": ["<f8", 4]}}, bytes(8)),
    "malformed dict entry": frame({"value": {"D": [["a"]]}}),
    "dict with int key": frame({"value": {"D": [[1, 2]]}}),
    "too deep": frame({"value": json.loads("[" * 40 + "1" + "]" * 40)}),
    "json nesting bomb": raw_frame(b'{"value":' + b"[" * 100000 + b"]" * 100000 + b"}"),
    "shared array sent to the trusted side": frame({"value": {"M": ["<f8", [1], 0]}}),
}


@pytest.mark.parametrize("name", sorted(HOSTILE_FRAMES))
def test_hostile_frames_are_rejected(name: str) -> None:
    """Every malformed frame raises `FrameError`; nothing else escapes, nothing is built."""
    with pytest.raises(codec.FrameError):
        receive_raw(HOSTILE_FRAMES[name])


def test_too_many_items_are_rejected(monkeypatch: pytest.MonkeyPatch) -> None:
    """The item cap holds on the receiving side too."""
    monkeypatch.setattr(codec, "MAX_ITEMS", 100)
    with pytest.raises(codec.FrameError):
        receive_raw(frame({"value": list(range(200))}))


def test_a_string_longer_than_the_cap_is_rejected(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(codec, "MAX_STR_CHARS", 10)
    with pytest.raises(codec.FrameError):
        receive_raw(frame({"value": "x" * 11}))


def test_lone_surrogates_in_strings_are_replaced() -> None:
    """A string the result document could not encode as UTF-8 is cleaned on arrival."""
    _, value = receive_raw(frame({"value": "a\ud800b"}))
    assert value.encode("utf-8") == b"a?b"


def test_a_truncated_frame_is_a_closed_channel_or_a_timeout() -> None:
    """A frame cut short by the peer's death or silence never decodes."""
    data = b"".join(codec.encode({}, np.arange(100), opaque=Kept()))
    with pytest.raises(codec.ChannelClosed):
        receive_raw(data[:-10])
    started = time.monotonic()
    with pytest.raises(codec.ChannelTimeout):
        receive_raw(data[:-10], close=False, timeout=0.2)
    assert time.monotonic() - started < 1.0


def test_a_handle_node_goes_through_the_handle_maker() -> None:
    """Handles are built only by the receiver's callback, which may refuse them."""

    def refuse(body: list[Any]) -> Any:
        raise codec.FrameError("not ours")

    _, value = receive_raw(frame({"value": {"H": [1, 2, "Cache"]}}))
    assert value == codec.Handle(1, 2, "Cache")
    ours, theirs = socket.socketpair()
    with ours, theirs, pytest.raises(codec.FrameError):
        theirs.sendall(frame({"value": {"H": [1, 2, "Cache"]}}))
        codec.FrameReader(ours).receive(time.monotonic() + 1, make_handle=refuse)


def test_a_shared_array_travels_as_its_place_and_is_built_by_the_shared_maker() -> None:
    """Only a receiver with a shared maker (the worker) accepts shared array nodes, each
    field checked before the maker sees it."""
    made: list[tuple[np.dtype, tuple[int, ...], int]] = []
    memory = np.arange(40.0)

    def make_shared(dtype: np.dtype, shape: tuple[int, ...], offset: int) -> np.ndarray:
        made.append((dtype, shape, offset))
        return np.frombuffer(memory, dtype, int(np.prod(shape)), offset).reshape(shape)

    value = ([codec.SharedArray("<f8", (2, 3), 64, 48)], {"x": 1.5})
    chunks = codec.encode({"op": "watched"}, value, opaque=Kept())
    header = codec.HEADER.unpack(chunks[0][: codec.HEADER.size])
    assert header[3] == 0  # no array bytes travel in the frame
    text = chunks[0][codec.HEADER.size :]
    assert json.loads(text)["value"]["T"][0] == [{"M": ["<f8", [2, 3], 64]}]
    _, decoded = codec.decode(
        text, memoryview(b""), make_handle=make_handle, make_shared=make_shared
    )
    assert made == [(np.dtype("<f8"), (2, 3), 64)]
    np.testing.assert_array_equal(decoded[0][0], memory[8:14].reshape(2, 3))
    with pytest.raises(codec.FrameError):
        codec.decode(text, memoryview(b""), make_handle=make_handle)
    for body in (["<f8", [1]], ["<f8", [1], -64], ["|O", [1], 0], ["<f8", [-1], 0], ["<f8", 1, 0]):
        text = json.dumps({"value": {"M": body}}).encode()
        with pytest.raises(codec.FrameError):
            codec.decode(text, memoryview(b""), make_handle=make_handle, make_shared=make_shared)
    assert len(made) == 1


def test_an_argument_path_names_an_exact_float64_array_or_nothing() -> None:
    """The one reading of perturbation targets that both ends of the channel share."""
    W = np.ones((2, 2))
    call = ((np.zeros(3), [W, {"b": np.zeros((2, 1))}]), {"parameters": {"W1": W}})
    assert codec.float_array_at(call, ["args", 0]) is call[0][0]
    assert codec.float_array_at(call, ("args", 1, 0)) is W
    assert codec.float_array_at(call, ["args", 1, 1, "b"]) is call[0][1][1]["b"]
    assert codec.float_array_at(call, ["kwargs", "parameters", "W1"]) is W
    big_endian = ((np.zeros(2, dtype=">f8"), np.zeros(2, dtype="<f4")), {})
    not_arrays = ((Rigged((2,)), 1.0, [1.0]), {})
    for bad_call, path in [
        (call, ["args", 1]),
        (call, ["args", 1, "0"]),
        (call, ["args", 2]),
        (call, ["args", -1]),
        (call, ["args", False]),
        (call, ["kwargs", "parameters", "W2"]),
        (call, ["kwargs", 0]),
        (call, ["self", 0]),
        (call, []),
        (call, "args"),
        (call, ["args", *[0] * codec.MAX_DEPTH]),
        (big_endian, ["args", 0]),
        (big_endian, ["args", 1]),
        (not_arrays, ["args", 0]),
        (not_arrays, ["args", 1]),
        (not_arrays, ["args", 2, 0]),
        ((call[0],), ["args", 0]),
    ]:
        assert codec.float_array_at(bad_call, path) is None, path
