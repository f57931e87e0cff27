"""The plain-data codec between the trusted process and a worker: the trust boundary.

A message is one frame::

    header   20 bytes: magic b"NNGR", version (u8), 3 zero bytes, JSON length (u32),
             blob length (u64), little-endian
    JSON     an object: the envelope (small fields such as "kind", "seq") and, under
             "value", the value tree
    blob     the bytes of every array and numpy scalar, which the tree indexes by
             (offset, nbytes)

Value tree: JSON null/true/false/numbers/strings stand for themselves (floats may be
NaN/Infinity; ints must fit in int64); a JSON list is a Python list; the only JSON objects
are one-key tags: ``{"T": [...]}`` tuple, ``{"D": [[key, value], ...]}`` dict with str keys,
``{"A": [dtype, shape, offset, nbytes]}`` ndarray, ``{"S": [dtype, offset]}`` numpy scalar,
``{"H": [...]}`` a handle to an object that stays in the worker, and, from the trusted side
to the worker only, ``{"M": [dtype, shape, offset]}`` an array argument that the trusted side
wrote into the memory it shares with the worker (`SharedArray`): its bytes are not in the
frame, and the worker's decoder makes a view of that memory in its place. A decoder without
a `SharedMaker` (the trusted side's) refuses the tag like any unknown one.

The decoder checks every field it reads and trusts no length it did not check; it never
unpickles or evaluates anything. Everything that is not plain data (a class instance, a
function, an int beyond int64, a dict with non-str keys, a container that holds itself) is
not serialised: the encoder hands it to an `opaque` callback, which in the worker keeps the
object and returns a handle node, and on the trusted side accepts only `Handle`s. The
worker sends an ndarray subclass as the plain array of its values.
"""

from __future__ import annotations

import json
import math
import select
import socket
import struct
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np

MAGIC = b"NNGR"
VERSION = 1
HEADER = struct.Struct("<4sB3xIQ")

MAX_JSON_BYTES = 32 << 20
MAX_BLOB_BYTES = 256 << 20
MAX_DEPTH = 32
MAX_ITEMS = 1_000_000
MAX_STR_CHARS = 1 << 20
MAX_NDIM = 32
TYPE_NAME_CHARS = 100

INT64_MIN = -(1 << 63)
INT64_MAX = (1 << 63) - 1

# The only dtypes that cross the boundary, keyed by their little-endian `dtype.str`.
DTYPES: dict[str, np.dtype] = {
    dtype.str: dtype
    for dtype in map(
        np.dtype,
        ["?", "i1", "<i2", "<i4", "<i8", "u1", "<u2", "<u4", "<u8", "<f2", "<f4", "<f8"],
    )
}
_SCALAR_TYPES: dict[type, np.dtype] = {dtype.type: dtype for dtype in DTYPES.values()}
_BOOL = np.dtype("?")
_FLOAT64 = np.dtype("<f8")

# Made once: `json.dumps` with options builds an encoder per call. The tree is built fresh
# by `_Encoder`, so it cannot be circular and the circularity check is wasted work.
_JSON_ENCODER = json.JSONEncoder(separators=(",", ":"), allow_nan=True, check_circular=False)
_JSON_DECODER = json.JSONDecoder()

Opaque = Callable[[Any], list[Any]]
"""Turns a non-plain value into the list of a handle node ``{"H": [...]}``."""

HandleMaker = Callable[[list[Any]], Any]
"""Turns the list of a received handle node into a value (or raises `FrameError`)."""

SharedMaker = Callable[[np.dtype, tuple[int, ...], int], np.ndarray]
"""Turns a shared array node's checked ``(dtype, shape, offset)`` into the array it names
(or raises `FrameError`)."""

Subclass = Callable[[np.ndarray], np.ndarray]
"""Turns an instance of an ndarray subclass into the exact ndarray to send instead."""


class FrameError(Exception):
    """A received frame is malformed or breaks a cap: the peer is not trustworthy."""


class ReplyTooLarge(FrameError):
    """A frame announces more bytes than its reader accepts for this request.

    Attributes:
        size: the bytes the frame announces.
        cap: the most the reader accepts.
    """

    def __init__(self, size: int, cap: int) -> None:
        super().__init__(f"the reply holds {size} bytes where at most {cap} were expected")
        self.size = size
        self.cap = cap


class ChannelClosed(Exception):
    """The peer closed the connection (the worker died or closed its socket)."""


class ChannelTimeout(Exception):
    """No complete frame arrived before the deadline."""


class TooComplex(Exception):
    """A value to send breaks a cap (too deep, too many items, too many bytes)."""


@dataclass(frozen=True)
class Handle:
    """An opaque reference to an object that lives in a worker (e.g. a student's cache).

    Passing it back as an argument sends the reference back to the worker that made it.

    Attributes:
        generation: the worker that holds the object; unique within the grading process.
        id: the object's number in that worker.
        type_name: the object's class name as the worker reported it (capped, untrusted).
    """

    generation: int
    id: int
    type_name: str

    def __repr__(self) -> str:
        return f"<student object of type {self.type_name!r}>"


@dataclass(frozen=True)
class SharedArray:
    """Stands, in a value to send, for an array that the sender wrote into the memory it
    shares with the receiver, at `offset`: the frame carries where it is, not its bytes.

    Attributes:
        dtype: the array's ``dtype.str``, one of `DTYPES`.
        shape: its shape.
        offset: where its bytes start in the shared memory (C order).
        nbytes: how many bytes it holds there (not sent: the receiver knows from the rest).
    """

    dtype: str
    shape: tuple[int, ...]
    offset: int
    nbytes: int


def clean_text(text: str, limit: int) -> str:
    """`text` capped at `limit` characters, with lone surrogates replaced (JSON-safe)."""
    if len(text) <= limit and text.isascii():
        return text  # the common case, checked in C: nothing to cap or replace
    if len(text) > limit:
        text = text[:limit] + "…"
    return text.encode("utf-8", "replace").decode("utf-8")


class _Encoder:
    def __init__(self, opaque: Opaque, subclass: Subclass | None) -> None:
        self.opaque = opaque
        self.subclass = subclass
        self.chunks: list[bytes] = []
        self.blob_bytes = 0
        self.items = 0
        self.open: set[int] = set()  # ids of the containers being encoded (the current path)

    def add_bytes(self, data: bytes) -> int:
        offset = self.blob_bytes
        self.blob_bytes += len(data)
        if self.blob_bytes > MAX_BLOB_BYTES:
            raise TooComplex(f"the arrays add up to more than {MAX_BLOB_BYTES} bytes")
        self.chunks.append(data)
        return offset

    def node(self, value: Any, depth: int) -> Any:
        if depth > MAX_DEPTH:
            raise TooComplex(f"the value is nested more than {MAX_DEPTH} levels deep")
        self.items += 1
        if self.items > MAX_ITEMS:
            raise TooComplex(f"the value holds more than {MAX_ITEMS} items")
        kind = type(value)
        if value is None or kind is bool or kind is float:
            return value
        if kind is int:
            return value if INT64_MIN <= value <= INT64_MAX else {"H": self.opaque(value)}
        if kind is str:
            return value if len(value) <= MAX_STR_CHARS else {"H": self.opaque(value)}
        if kind is list or kind is tuple or kind is dict:
            if id(value) in self.open:
                # A container that holds itself (``cache.append(cache)``): the inner
                # occurrence stays behind as a handle, the rest travels as plain data.
                return {"H": self.opaque(value)}
            self.open.add(id(value))
            try:
                return self.container(value, depth)
            finally:
                self.open.discard(id(value))
        if kind is np.ndarray:
            return self.array(value)
        if kind is SharedArray:
            return {"M": [value.dtype, list(value.shape), value.offset]}
        if self.subclass is not None and isinstance(value, np.ndarray):
            return self.array(self.subclass(value))
        if kind in _SCALAR_TYPES:
            dtype = _SCALAR_TYPES[kind]
            data = np.asarray(value, dtype=dtype).tobytes()
            return {"S": [dtype.str, self.add_bytes(data)]}
        return {"H": self.opaque(value)}

    def container(self, value: list[Any] | tuple[Any, ...] | dict[Any, Any], depth: int) -> Any:
        if isinstance(value, list):
            return [self.node(item, depth + 1) for item in value]
        if isinstance(value, tuple):
            return {"T": [self.node(item, depth + 1) for item in value]}
        if not all(type(key) is str for key in value):
            return {"H": self.opaque(value)}
        return {"D": [[key, self.node(item, depth + 1)] for key, item in value.items()]}

    def array(self, value: np.ndarray) -> Any:
        dtype = value.dtype
        if dtype.byteorder == ">":
            dtype = dtype.newbyteorder("<")
        if dtype.str not in DTYPES or dtype.hasobject or dtype.names is not None:
            return {"H": self.opaque(value)}
        if dtype is not value.dtype:
            value = value.astype(dtype)
        data = value.tobytes(order="C")
        offset = self.add_bytes(data)
        return {"A": [dtype.str, list(value.shape), offset, len(data)]}


def float_array_at(call: Any, path: Any) -> np.ndarray | None:
    """The exact float64 ndarray at `path` in a call's ``(args, kwargs)``, or None (see
    `array_at` for paths)."""
    node = array_at(call, path)
    return node if node is not None and node.dtype == _FLOAT64 else None


def array_at(call: Any, path: Any) -> np.ndarray | None:
    """The exact ndarray at `path` in a call's ``(args, kwargs)``, or None.

    A path names one argument: ``["args", 0]``, ``["args", 1, "W2"]`` or
    ``["kwargs", "parameters", "W1"]``: "args" or "kwargs", then list or tuple indices
    (ints >= 0) and dict keys (strs). Both ends of a call read paths with this one
    function, so that they cannot disagree on what a path names.
    """
    if type(call) is not tuple or len(call) != 2 or type(path) not in (list, tuple):
        return None
    if not 1 <= len(path) <= MAX_DEPTH or type(path[0]) is not str:
        return None
    if path[0] not in ("args", "kwargs"):
        return None
    node = call[0] if path[0] == "args" else call[1]
    for key in path[1:]:
        in_sequence = type(node) in (list, tuple) and type(key) is int and 0 <= key < len(node)
        if not in_sequence and not (type(node) is dict and type(key) is str and key in node):
            return None
        node = node[key]
    return node if type(node) is np.ndarray else None


def array_items(value: Any) -> list[tuple[list[Any], np.ndarray]]:
    """``(path, array)`` for every exact ndarray inside a call's ``(args, kwargs)``, in one
    walk (see `array_at` for paths: `array_at` finds each array again at its path)."""
    found: list[tuple[list[Any], np.ndarray]] = []

    def walk(node: Any, path: list[Any], depth: int) -> None:
        kind = type(node)
        if kind is np.ndarray:
            found.append((path, node))
        elif depth >= MAX_DEPTH:
            return
        elif kind is list or kind is tuple:
            for index, item in enumerate(node):
                walk(item, [*path, index], depth + 1)
        elif kind is dict:
            for key, item in node.items():
                if type(key) is str:
                    walk(item, [*path, key], depth + 1)

    args, kwargs = value
    walk(args, ["args"], 1)
    walk(kwargs, ["kwargs"], 1)
    return found


def encode(
    envelope: dict[str, Any],
    value: Any = None,
    *,
    opaque: Opaque,
    subclass: Subclass | None = None,
) -> list[bytes]:
    """One frame for `envelope` plus `value` (under "value"), as chunks to send in order.

    `subclass` turns an instance of an ndarray subclass into the plain array to send (the
    worker passes one: a subclass with the right values is graded as its values); without
    it, such an instance goes to `opaque` like any other object.

    Raises `TooComplex` when the value breaks a cap, and whatever `opaque` raises.
    """
    encoder = _Encoder(opaque, subclass)
    body = dict(envelope)
    body["value"] = encoder.node(value, 0)
    text = _JSON_ENCODER.encode(body).encode("utf-8")
    if len(text) > MAX_JSON_BYTES:
        raise TooComplex(f"the value's description exceeds {MAX_JSON_BYTES} bytes")
    header = HEADER.pack(MAGIC, VERSION, len(text), encoder.blob_bytes)
    return [header + text, *encoder.chunks]


def send(sock: socket.socket, chunks: list[bytes]) -> None:
    """Send the chunks of one frame, joined: one system call instead of one per array."""
    sock.sendall(b"".join(chunks))


READ_BUFFER_BYTES = 1 << 18
"""The reusable read buffer of a `FrameReader`: most frames fit, so one read takes one."""


class FrameReader:
    """Receives the frames of one stream socket with as few system calls as it can.

    Reads land in a reusable buffer and take whatever the peer already sent, so a frame
    usually arrives in one ``recv``; bytes past the end of a frame (the peer's next frame)
    stay in the buffer for the next `receive`. A frame larger than the buffer is read into
    its own buffer, allocated only once its lengths passed the caps.
    """

    def __init__(self, sock: socket.socket, buffer_bytes: int = READ_BUFFER_BYTES) -> None:
        self.sock = sock
        self.buffer = memoryview(bytearray(buffer_bytes))
        self.capacity = buffer_bytes
        self.start = 0  # buffer[start:end] holds received bytes that no frame consumed yet
        self.end = 0
        self.poller = select.poll()
        self.poller.register(sock, select.POLLIN)

    def receive(
        self,
        deadline: float | None,
        *,
        make_handle: HandleMaker,
        max_bytes: int | None = None,
        make_shared: SharedMaker | None = None,
    ) -> tuple[dict[str, Any], Any]:
        """Read one frame and return ``(envelope, value)``; the envelope keeps its raw JSON fields.

        `deadline` is a `time.monotonic()` instant (None: wait forever); `max_bytes` caps the
        frame below the codec's own caps: a larger one is refused from its header, before
        anything of it is read. Only a reader given `make_shared` (the worker's) accepts
        shared array nodes. Raises `ChannelTimeout`, `ChannelClosed`, or `FrameError` for
        anything malformed or too large.
        """
        magic, version, json_bytes, blob_bytes = HEADER.unpack(self._take(HEADER.size, deadline))
        if magic != MAGIC or version != VERSION:
            raise FrameError("the frame does not start with the sandbox's magic and version")
        if json_bytes > MAX_JSON_BYTES or blob_bytes > MAX_BLOB_BYTES:
            raise FrameError("the frame announces more bytes than the caps allow")
        if max_bytes is not None and json_bytes + blob_bytes > max_bytes:
            raise ReplyTooLarge(json_bytes + blob_bytes, max_bytes)
        size = json_bytes + blob_bytes
        body = self._take(size, deadline)
        # A frame in the reusable buffer is decoded into copies before the next `receive`
        # reuses it; a large frame has a buffer of its own, which its arrays keep instead
        # of copying it (the frame is never held twice).
        own = size > self.capacity
        return decode(
            body[:json_bytes],
            body[json_bytes:],
            make_handle=make_handle,
            copy=not own,
            make_shared=make_shared,
        )

    def _take(self, size: int, deadline: float | None) -> memoryview:
        """The next `size` received bytes (read as needed), consumed."""
        if size > self.capacity:
            return self._take_large(size, deadline)
        if self.start + size > self.capacity:
            # Too little room after the pending bytes: move them to the front.
            pending = self.end - self.start
            self.buffer[:pending] = self.buffer[self.start : self.end]
            self.start, self.end = 0, pending
        while self.end - self.start < size:
            self.end += self._read(self.buffer[self.end :], deadline)
        taken = self.buffer[self.start : self.start + size]
        self.start += size
        if self.start == self.end:
            self.start = self.end = 0
        return taken

    def _take_large(self, size: int, deadline: float | None) -> memoryview:
        # Reads exactly the frame's bytes, so nothing of a next frame lands here.
        target = memoryview(bytearray(size))
        received = self.end - self.start
        target[:received] = self.buffer[self.start : self.end]
        self.start = self.end = 0
        while received < size:
            received += self._read(target[received:], deadline)
        return target

    def _read(self, target: memoryview, deadline: float | None) -> int:
        """Read at least one byte into `target`, waiting at most until `deadline`."""
        while True:
            flags = 0
            if deadline is not None:
                self._wait(deadline)
                flags = socket.MSG_DONTWAIT
            try:
                count = self.sock.recv_into(target, len(target), flags)
            except BlockingIOError:
                continue  # woken without data after all: wait again
            except ConnectionError as error:
                raise ChannelClosed from error
            if count == 0:
                raise ChannelClosed
            return count

    def _wait(self, deadline: float) -> None:
        remaining = deadline - time.monotonic()
        # One poll per read, in whole milliseconds rounded up, so the deadline is not cut short.
        if remaining <= 0 or not self.poller.poll(math.ceil(remaining * 1000)):
            raise ChannelTimeout


def decode(
    text: bytes | memoryview,
    blob: memoryview,
    *,
    make_handle: HandleMaker,
    copy: bool = True,
    make_shared: SharedMaker | None = None,
) -> tuple[dict[str, Any], Any]:
    """Decode a frame's JSON part and blob (already read) into ``(envelope, value)``.

    With ``copy=False`` the arrays are views of `blob`, which must then not be reused.
    Without `make_shared`, a shared array node is refused.
    """
    try:
        # Strict UTF-8 (the encoder writes ASCII), without a copy to bytes first.
        body = _JSON_DECODER.decode(str(text, "utf-8"))
    except (ValueError, RecursionError) as error:
        raise FrameError("the frame's description is not valid JSON") from error
    if type(body) is not dict or "value" not in body:
        raise FrameError("the frame's description is not an envelope")
    value = _Decoder(blob, make_handle, copy, make_shared).node(body.pop("value"), 0)
    return body, value


class _Decoder:
    def __init__(
        self,
        blob: memoryview,
        make_handle: HandleMaker,
        copy: bool = True,
        make_shared: SharedMaker | None = None,
    ) -> None:
        self.blob = blob
        self.make_handle = make_handle
        self.copy = copy
        self.make_shared = make_shared
        self.items = 0

    def node(self, node: Any, depth: int) -> Any:
        if depth > MAX_DEPTH:
            raise FrameError("the value is nested too deeply")
        self.items += 1
        if self.items > MAX_ITEMS:
            raise FrameError("the value holds too many items")
        kind = type(node)
        if node is None or kind is bool or kind is float:
            return node
        if kind is int:
            if not INT64_MIN <= node <= INT64_MAX:
                raise FrameError("an integer does not fit in int64")
            return node
        if kind is str:
            if len(node) > MAX_STR_CHARS:
                raise FrameError("a string is longer than the cap")
            return clean_text(node, MAX_STR_CHARS)
        if kind is list:
            return [self.node(item, depth + 1) for item in node]
        if kind is not dict or len(node) != 1:
            raise FrameError("the value holds an unknown node")
        ((tag, body),) = node.items()
        if type(body) is not list:
            raise FrameError("a tagged node's body is not a list")
        if tag == "T":
            return tuple([self.node(item, depth + 1) for item in body])
        if tag == "D":
            return self.mapping(body, depth)
        if tag == "A":
            return self.array(body)
        if tag == "S":
            return self.scalar(body)
        if tag == "H":
            return self.make_handle(body)
        if tag == "M" and self.make_shared is not None:
            return self.shared(body)
        raise FrameError("the value holds an unknown tag")

    def mapping(self, body: list[Any], depth: int) -> dict[str, Any]:
        result: dict[str, Any] = {}
        for pair in body:
            if type(pair) is not list or len(pair) != 2 or type(pair[0]) is not str:
                raise FrameError("a dict entry is not a [str, value] pair")
            if len(pair[0]) > MAX_STR_CHARS:
                raise FrameError("a dict key is longer than the cap")
            result[clean_text(pair[0], MAX_STR_CHARS)] = self.node(pair[1], depth + 1)
        return result

    def dtype(self, name: Any) -> np.dtype:
        dtype = DTYPES.get(name) if type(name) is str else None
        if dtype is None:
            raise FrameError("an array's dtype is not one the grader accepts")
        return dtype

    def span(self, offset: Any, nbytes: int) -> memoryview:
        if type(offset) is not int or offset < 0 or offset + nbytes > len(self.blob):
            raise FrameError("an array's bytes lie outside the frame")
        return self.blob[offset : offset + nbytes]

    def shape(self, shape: Any) -> list[int]:
        if type(shape) is not list or len(shape) > MAX_NDIM:
            raise FrameError("an array's shape is not a short list")
        for size in shape:
            if type(size) is not int or size < 0:
                raise FrameError("an array's shape holds something other than sizes")
        return shape

    def shared(self, body: list[Any]) -> np.ndarray:
        assert self.make_shared is not None
        if len(body) != 3 or type(body[2]) is not int or body[2] < 0:
            raise FrameError("a shared array node does not have a dtype, shape and offset")
        return self.make_shared(self.dtype(body[0]), tuple(self.shape(body[1])), body[2])

    def array(self, body: list[Any]) -> np.ndarray:
        if len(body) != 4:
            raise FrameError("an array node does not have four fields")
        name, shape, offset, nbytes = body
        dtype = self.dtype(name)
        shape = self.shape(shape)
        if type(nbytes) is not int or math.prod(shape) * dtype.itemsize != nbytes:
            raise FrameError("an array's byte count does not match its shape and dtype")
        data = self.span(offset, nbytes)
        if dtype == _BOOL and nbytes and np.frombuffer(data, dtype=np.uint8).max() > 1:
            raise FrameError("a boolean array holds bytes other than 0 and 1")
        try:
            # The constructor, not frombuffer().reshape(): one call where a reply has hundreds.
            array = np.ndarray(shape, dtype, data)
            return array.copy() if self.copy else array
        except (ValueError, OverflowError) as error:
            raise FrameError("an array's shape cannot be built") from error

    def scalar(self, body: list[Any]) -> np.generic:
        if len(body) != 2:
            raise FrameError("a scalar node does not have two fields")
        dtype = self.dtype(body[0])
        data = self.span(body[1], dtype.itemsize)
        if dtype == _BOOL and data[0] > 1:
            raise FrameError("a boolean scalar is neither 0 nor 1")
        return np.frombuffer(data, dtype=dtype)[0]
