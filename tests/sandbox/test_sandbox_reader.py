"""`FrameReader`: few reads per frame, yet every frame whole, in order, and within the caps."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from typing import Any

import numpy as np
import pytest

from grader.sandbox import codec


def make_handle(body: list[Any]) -> codec.Handle:
    return codec.Handle(body[0], body[1], body[2])


def frame_of(seq: int, value: Any) -> bytes:
    return b"".join(codec.encode({"seq": seq}, value, opaque=_refuse))


def _refuse(value: Any) -> list[Any]:
    raise TypeError(type(value).__name__)


@pytest.fixture
def pair() -> Iterator[tuple[socket.socket, socket.socket]]:
    ours, theirs = socket.socketpair(socket.AF_UNIX, socket.SOCK_STREAM)
    with ours, theirs:
        yield ours, theirs


def receive(reader: codec.FrameReader, timeout: float = 2.0) -> tuple[dict[str, Any], Any]:
    return reader.receive(time.monotonic() + timeout, make_handle=make_handle)


def trickle(sock: socket.socket, data: bytes, pause: float, *, close: bool) -> threading.Thread:
    """Send `data` one byte at a time from a thread, so every read finds a sliver of a frame."""

    def run() -> None:
        try:
            for index in range(len(data)):
                sock.sendall(data[index : index + 1])
                time.sleep(pause)
            if close:
                sock.shutdown(socket.SHUT_WR)
        except OSError:
            pass  # the test closed the socket: it has seen what it wanted

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    return thread


VALUES = [None, [1.5, "x", (2, {"k": True})], np.arange(12.0).reshape(3, 4), np.zeros(300)]


@pytest.mark.parametrize("buffer_bytes", [codec.HEADER.size, 64, codec.READ_BUFFER_BYTES])
def test_frames_sent_in_one_write_are_received_one_by_one(
    pair: tuple[socket.socket, socket.socket], buffer_bytes: int
) -> None:
    """Read-ahead bytes of the next frames are kept, not merged or lost, whatever the buffer
    size: frames that fit, frames that straddle its end, frames larger than it."""
    ours, theirs = pair
    theirs.sendall(b"".join(frame_of(seq, value) for seq, value in enumerate(VALUES)))
    theirs.shutdown(socket.SHUT_WR)
    reader = codec.FrameReader(ours, buffer_bytes)
    for seq, value in enumerate(VALUES):
        envelope, received = receive(reader)
        assert envelope == {"seq": seq}
        if type(value) is np.ndarray:
            np.testing.assert_array_equal(received, value)
        else:
            assert received == value
    with pytest.raises(codec.ChannelClosed):
        receive(reader)


@pytest.mark.parametrize("buffer_bytes", [64, codec.READ_BUFFER_BYTES])
def test_a_frame_split_into_one_byte_writes_is_received_whole(
    pair: tuple[socket.socket, socket.socket], buffer_bytes: int
) -> None:
    ours, theirs = pair
    data = frame_of(1, [np.arange(5.0), "abc"]) + frame_of(2, 7)
    thread = trickle(theirs, data, 0.0005, close=False)
    reader = codec.FrameReader(ours, buffer_bytes)
    envelope, value = receive(reader)
    assert envelope == {"seq": 1} and value[1] == "abc"
    np.testing.assert_array_equal(value[0], np.arange(5.0))
    assert receive(reader) == ({"seq": 2}, 7)
    thread.join()


def test_a_frame_announcing_more_than_the_caps_is_refused_before_any_allocation(
    pair: tuple[socket.socket, socket.socket], monkeypatch: pytest.MonkeyPatch
) -> None:
    """The lengths are checked against the caps before a buffer of that size is made."""
    ours, theirs = pair
    made: list[int] = []
    real_bytearray = bytearray

    def counting_bytearray(*args: Any) -> bytearray:
        if args and type(args[0]) is int:
            made.append(args[0])
        return real_bytearray(*args)

    monkeypatch.setattr(codec, "MAX_BLOB_BYTES", 1000)
    reader = codec.FrameReader(ours, 64)
    monkeypatch.setattr(codec, "bytearray", counting_bytearray, raising=False)
    theirs.sendall(codec.HEADER.pack(codec.MAGIC, codec.VERSION, 2, 1001) + b"{}")
    with pytest.raises(codec.FrameError):
        receive(reader)
    assert made == []
    # Within the caps but larger than the reader's buffer: a buffer of exactly that size.
    ours2, theirs2 = socket.socketpair()
    with ours2, theirs2:
        reader = codec.FrameReader(ours2, 64)
        made.clear()
        data = frame_of(3, np.zeros(100))
        theirs2.sendall(data)
        envelope, value = receive(reader)
    assert envelope == {"seq": 3} and value.shape == (100,)
    assert made == [len(data) - codec.HEADER.size]


@pytest.mark.parametrize("buffer_bytes", [64, codec.READ_BUFFER_BYTES])
@pytest.mark.parametrize("cut", [1, codec.HEADER.size, codec.HEADER.size + 5, -1])
def test_a_peer_closing_mid_frame_is_a_closed_channel(
    pair: tuple[socket.socket, socket.socket], buffer_bytes: int, cut: int
) -> None:
    """Cut in the header, the description or the blob: never a decoded value."""
    ours, theirs = pair
    theirs.sendall(frame_of(1, np.arange(40.0))[:cut])
    theirs.shutdown(socket.SHUT_WR)
    with pytest.raises(codec.ChannelClosed):
        receive(codec.FrameReader(ours, buffer_bytes))


@pytest.mark.parametrize("buffer_bytes", [64, codec.READ_BUFFER_BYTES])
def test_a_deadline_passing_mid_frame_is_a_timeout(
    pair: tuple[socket.socket, socket.socket], buffer_bytes: int
) -> None:
    """A silent peer, or one that trickles a byte now and then, cannot stretch the deadline."""
    ours, theirs = pair
    data = frame_of(1, np.arange(40.0))
    theirs.sendall(data[: len(data) // 2])
    reader = codec.FrameReader(ours, buffer_bytes)
    started = time.monotonic()
    with pytest.raises(codec.ChannelTimeout):
        receive(reader, timeout=0.2)
    assert 0.2 <= time.monotonic() - started < 1.0

    ours2, theirs2 = socket.socketpair()
    with ours2, theirs2:
        thread = trickle(theirs2, data, 0.05, close=False)
        started = time.monotonic()
        with pytest.raises(codec.ChannelTimeout):
            receive(codec.FrameReader(ours2, buffer_bytes), timeout=0.3)
        assert time.monotonic() - started < 1.0
        theirs2.close()
        thread.join()


def test_a_waiting_reader_without_a_deadline_gets_the_frame(
    pair: tuple[socket.socket, socket.socket],
) -> None:
    """The worker's side: no deadline, a blocking read."""
    ours, theirs = pair
    thread = trickle(theirs, frame_of(4, "late"), 0.001, close=True)
    reader = codec.FrameReader(ours, 64)
    assert reader.receive(None, make_handle=make_handle) == ({"seq": 4}, "late")
    thread.join()
    with pytest.raises(codec.ChannelClosed):
        reader.receive(None, make_handle=make_handle)


def test_a_reused_buffer_does_not_leak_into_earlier_values(
    pair: tuple[socket.socket, socket.socket],
) -> None:
    """Decoded arrays own their memory: the next frame overwriting the buffer leaves them be."""
    ours, theirs = pair
    reader = codec.FrameReader(ours)
    theirs.sendall(frame_of(1, np.ones(4)))
    _, first = receive(reader)
    theirs.sendall(frame_of(2, np.full(4, 9.0)))
    receive(reader)
    np.testing.assert_array_equal(first, np.ones(4))
