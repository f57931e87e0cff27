"""The worker's stdout and stderr: pipes drained by threads, only the first bytes kept."""

from __future__ import annotations

import os
import select
import threading


class CappedStream:
    """Keeps the first `limit` bytes written to it and remembers whether more came."""

    def __init__(self, limit: int) -> None:
        self.limit = limit
        self.data = bytearray()
        self.truncated = False
        self.lock = threading.Lock()

    def add(self, chunk: bytes) -> None:
        with self.lock:
            room = self.limit - len(self.data)
            if len(chunk) > room:
                self.truncated = True
            if room > 0:
                self.data += chunk[:room]

    def text(self) -> str:
        with self.lock:
            return bytes(self.data).decode("utf-8", errors="replace")


class OutputPipe:
    """The read end of a worker's stdout or stderr, drained by a daemon thread.

    Reads happen under a lock, by the thread or by `settle()`, so that after `settle()`
    everything the worker wrote before its last reply is in the sink.
    """

    def __init__(self, fd: int, sink: CappedStream) -> None:
        os.set_blocking(fd, False)
        self.fd = fd
        self.sink = sink
        self.lock = threading.Lock()
        self.thread = threading.Thread(target=self._run, name="sandbox-output", daemon=True)
        self.thread.start()

    def _pump(self) -> bool:
        """Move what the pipe holds into the sink; False at end of file."""
        while True:
            try:
                chunk = os.read(self.fd, 1 << 16)
            except BlockingIOError:
                return True
            except OSError:
                return False
            if not chunk:
                return False
            # Reading on past the cap keeps a flooding worker from blocking on a full pipe.
            self.sink.add(chunk)

    def _run(self) -> None:
        # Only this thread closes the fd, so `select` never sees a recycled descriptor.
        while True:
            try:
                select.select([self.fd], [], [])
            except OSError:
                break
            with self.lock:
                if not self._pump():
                    break
        with self.lock:
            os.close(self.fd)
            self.fd = -1

    def settle(self) -> None:
        """Take in everything written so far."""
        with self.lock:
            if self.fd >= 0:
                self._pump()

    def join(self, timeout: float) -> None:
        self.thread.join(timeout)
