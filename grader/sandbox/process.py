"""One running worker as the trusted side sees it: a socket, a pid, a generation."""

from __future__ import annotations

import contextlib
import itertools
import os
import socket
import time
from collections.abc import Callable, Mapping
from typing import Any

from grader.errors import SandboxError
from grader.sandbox import codec
from grader.sandbox.control import ZygoteClient
from grader.sandbox.output import CappedStream, OutputPipe

READY_SECONDS = 30.0
MAX_CALLBACKS = 200_000  # substituted calls within one request

Responder = Callable[[Any, Any], tuple[str, Any]]
"""Answers a worker's callback: given the function's name (untrusted) and ``(args, kwargs)``,
``("answer", value)`` or ``("decline", None)``."""
EXIT_SECONDS = 5.0
TEXT_CHARS = 4000

# Generations are unique in the grading process, so a handle names exactly one worker.
_generations = itertools.count(1)


class WorkerProcess:
    """A worker forked by the zygote, confined, and ready for requests."""

    def __init__(
        self,
        zygote: ZygoteClient,
        config: Mapping[str, Any],
        stdout: CappedStream,
        stderr: CappedStream,
    ) -> None:
        self.zygote = zygote
        self.generation = next(_generations)
        self.seq = itertools.count(1)
        ours, theirs = socket.socketpair(socket.AF_UNIX, socket.SOCK_STREAM)
        out_read, out_write = os.pipe()
        err_read, err_write = os.pipe()
        self.sock = ours
        self.reader = codec.FrameReader(ours)
        self.pipes: list[OutputPipe] = []
        self.pid: int | None = None
        # The arguments of watched calls, shared with the worker (see `share`): the
        # trusted side writes them and reads them back itself.
        self.shared = os.memfd_create("nngrade-arguments", os.MFD_CLOEXEC)
        sources = -1
        try:
            # The worker copies the submission's modules through this descriptor: its own
            # root does not hold the folder.
            package = os.path.join(str(config["sources"]), "exercises")
            sources = os.open(package, os.O_RDONLY | os.O_DIRECTORY | os.O_CLOEXEC)
            reply = zygote.request(
                {"op": "spawn", "config": {**config, "generation": self.generation}},
                fds=(theirs.fileno(), out_write, err_write, sources, self.shared),
            )
        except BaseException:
            for fd in (out_read, err_read, self.shared):
                os.close(fd)
            ours.close()
            raise
        finally:
            theirs.close()
            os.close(out_write)
            os.close(err_write)
            if sources >= 0:
                os.close(sources)
        self.pid = int(reply["pid"])
        self.pipes = [OutputPipe(out_read, stdout), OutputPipe(err_read, stderr)]
        self.layers, self.notes = self._handshake()

    def _handshake(self) -> tuple[dict[str, bool], list[str]]:
        try:
            envelope, _ = self.reader.receive(
                time.monotonic() + READY_SECONDS, make_handle=_no_handles
            )
        except (codec.ChannelClosed, codec.ChannelTimeout, codec.FrameError) as error:
            self.stop()
            raise SandboxError(
                "A sandbox worker did not start; the grader cannot isolate it."
            ) from error
        if envelope.get("kind") == "setup_failed":
            self.stop()
            message = codec.clean_text(str(envelope.get("message")), TEXT_CHARS)
            raise SandboxError(f"A sandbox worker could not confine itself: {message}")
        layers, notes = envelope.get("layers"), envelope.get("notes")
        if envelope.get("kind") != "ready" or type(layers) is not dict or type(notes) is not list:
            self.stop()
            raise SandboxError("A sandbox worker sent a malformed greeting.")
        return {str(k): v is True for k, v in layers.items()}, [str(n) for n in notes]

    def exchange(
        self,
        envelope: dict[str, Any],
        value: Any,
        deadline: float,
        opaque: codec.Opaque,
        max_reply_bytes: int | None = None,
        responder: Responder | None = None,
    ) -> tuple[dict[str, Any], Any]:
        """Send one request and read its reply, refused if larger than `max_reply_bytes`
        (see `codec.FrameReader.receive` for the exceptions).

        While the request runs, the worker may ask for the value of a substituted function
        (a "callback" frame): `responder` answers it, or declines. The time the answers
        take does not count against `deadline`.
        """
        seq = next(self.seq)
        self._send({**envelope, "seq": seq}, value, opaque)
        callbacks = 0
        while True:
            reply, result = self.reader.receive(
                deadline, make_handle=self._handle, max_bytes=max_reply_bytes
            )
            if reply.get("seq") != seq:
                raise codec.FrameError("the reply does not answer the request")
            if reply.get("kind") != "callback":
                return reply, result
            callbacks += 1
            if responder is None or callbacks > MAX_CALLBACKS:
                raise codec.FrameError("the worker asked for a value it was not offered")
            started = time.monotonic()
            kind, answer = responder(reply.get("function"), result)
            deadline += time.monotonic() - started
            self._send({"seq": seq, "kind": kind}, answer, opaque)

    def _send(self, envelope: dict[str, Any], value: Any, opaque: codec.Opaque) -> None:
        chunks = codec.encode(envelope, value, opaque=opaque)
        try:
            codec.send(self.sock, chunks)
        except OSError as error:
            raise codec.ChannelClosed from error

    def share(self, region: bytes | bytearray) -> None:
        """Write `region` at the start of the memory shared with the worker, in one call."""
        if not region:
            return
        if os.fstat(self.shared).st_size < len(region):
            os.ftruncate(self.shared, len(region))
        os.pwrite(self.shared, region, 0)

    def shared_bytes(self, offset: int, size: int) -> bytes:
        """What the shared memory holds now at `offset` (shorter if the worker shrank it)."""
        return os.pread(self.shared, size, offset)

    def _handle(self, body: list[Any]) -> codec.Handle:
        if (
            len(body) != 3
            or body[0] != self.generation
            or type(body[1]) is not int
            or body[1] <= 0
            or type(body[2]) is not str
        ):
            raise codec.FrameError("a handle is malformed")
        return codec.Handle(
            self.generation, body[1], codec.clean_text(body[2], codec.TYPE_NAME_CHARS)
        )

    def stop(self) -> dict[str, Any] | None:
        """Kill the worker and everything it started; return how it ended (None if unknown)."""
        ending = None
        if self.pid is not None:
            try:
                self.zygote.request({"op": "kill", "pid": self.pid})
                ending = self.zygote.wait_exit(self.pid, EXIT_SECONDS)
            except SandboxError:
                # The zygote is gone: its workers die with it (parent-death signal).
                with contextlib.suppress(OSError):
                    os.killpg(self.pid, 9)
            self.pid = None
        self.sock.close()
        if self.shared >= 0:
            os.close(self.shared)
            self.shared = -1
        return ending

    def settle_output(self) -> None:
        for pipe in self.pipes:
            pipe.settle()

    def join_output(self, timeout: float) -> None:
        deadline = time.monotonic() + timeout
        for pipe in self.pipes:
            pipe.join(max(0.0, deadline - time.monotonic()))


def _no_handles(body: list[Any]) -> Any:
    raise codec.FrameError("a greeting cannot hold handles")
