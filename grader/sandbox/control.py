"""The trusted process's end of the zygote: start it, ask it to fork or kill, hear who ended."""

from __future__ import annotations

import contextlib
import itertools
import json
import select
import socket
import subprocess
import sys
import time
from collections.abc import Mapping, Sequence
from typing import Any

from grader.errors import SandboxError

STARTUP_SECONDS = 30.0
REQUEST_SECONDS = 15.0
PACKET_BYTES = 1 << 16


class ZygoteClient:
    """A running zygote process (see `grader.sandbox.zygote` for the protocol)."""

    def __init__(self, env: Mapping[str, str], settings: Mapping[str, Any]) -> None:
        """Start a zygote; `settings`: ``{"isolated": bool, "forbidden": [folder, ...]}``."""
        ours, theirs = socket.socketpair(socket.AF_UNIX, socket.SOCK_SEQPACKET)
        command = [sys.executable, "-s", "-P", "-m", "grader.sandbox.zygote"]
        try:
            self.process = subprocess.Popen(
                [*command, str(theirs.fileno())],
                pass_fds=(theirs.fileno(),),
                env=dict(env),
                cwd="/",
                stdin=subprocess.DEVNULL,
            )
        except OSError as error:
            ours.close()
            raise SandboxError(
                f"The sandbox could not start its zygote process: {error}."
            ) from error
        finally:
            theirs.close()
        self.sock = ours
        # The settings travel on the socket, not the command line: a worker can read the
        # command line it inherited (/proc/1/cmdline), and the settings name folders.
        with contextlib.suppress(OSError):  # a zygote already gone: the hello below says so
            ours.send(json.dumps(dict(settings)).encode())
        self.exits: dict[int, dict[str, Any]] = {}
        self.ids = itertools.count(1)
        try:
            hello = self._next(time.monotonic() + STARTUP_SECONDS)
        except SandboxError:
            self.close()
            raise
        if "error" in hello:
            self.close()
            raise SandboxError(f"The sandbox could not prepare its workers: {hello['error']}")
        # The process started here; an isolated zygote serves from a child of it, which
        # numbers itself in its own PID namespace.
        self.pid = self.process.pid
        self.notes = [str(note) for note in hello.get("notes") or []]

    def alive(self) -> bool:
        return self.process.poll() is None and self.sock.fileno() >= 0

    def _next(self, deadline: float) -> dict[str, Any]:
        """The next packet from the zygote; exit events are filed on the way."""
        while True:
            remaining = deadline - time.monotonic()
            ready, _, _ = select.select([self.sock], [], [], max(remaining, 0))
            if not ready:
                raise SandboxError("The sandbox's zygote process stopped answering.")
            try:
                data = self.sock.recv(PACKET_BYTES)
            except OSError:
                data = b""
            if not data:
                raise SandboxError("The sandbox's zygote process stopped unexpectedly.")
            message = json.loads(data)
            if message.get("event") == "exited":
                self.exits[int(message["pid"])] = message
                continue
            return message

    def request(
        self, message: dict[str, Any], fds: Sequence[int] = (), timeout: float = REQUEST_SECONDS
    ) -> dict[str, Any]:
        """Send one request and return its reply."""
        number = next(self.ids)
        try:
            socket.send_fds(self.sock, [json.dumps({**message, "id": number}).encode()], list(fds))
        except OSError as error:
            raise SandboxError("The sandbox's zygote process stopped unexpectedly.") from error
        deadline = time.monotonic() + timeout
        while True:
            reply = self._next(deadline)
            if reply.get("id") == number:
                if "error" in reply:
                    raise SandboxError(
                        f"The sandbox could not {message.get('op')} a worker: {reply['error']}."
                    )
                return reply

    def wait_exit(self, pid: int, timeout: float) -> dict[str, Any] | None:
        """How worker `pid` ended (None if the zygote did not say within `timeout`)."""
        deadline = time.monotonic() + timeout
        with contextlib.suppress(SandboxError):
            while pid not in self.exits and time.monotonic() < deadline:
                self._next(deadline)  # replies to nobody are dropped: requests are sequential
        return self.exits.pop(pid, None)

    def close(self) -> None:
        with contextlib.suppress(OSError):
            socket.send_fds(self.sock, [json.dumps({"op": "exit", "id": 0}).encode()], [])
        self.sock.close()
        try:
            self.process.wait(timeout=5)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
