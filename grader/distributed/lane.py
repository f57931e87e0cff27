"""A grading lane: one warm sandbox and the one thread that grades with it.

A Dask worker runs its tasks on a pool of threads that it may grow, shrink or replace; a
sandbox belongs to the thread that opened it (its processes are that thread's children, and
one session is open at a time). So each worker process keeps a lane: a thread of its own that
opens the sandbox once, then grades the requests handed to it, one after the other, for as
long as the worker lives. Any number of task threads may call `grade` at once; they wait
their turn.
"""

from __future__ import annotations

import contextlib
import queue
import threading
from collections.abc import Callable
from concurrent.futures import Future
from pathlib import Path
from typing import Any

from grader.batch.backend import SandboxOpener
from grader.distributed.cpus import own_cpu
from grader.errors import SandboxError, UsageError
from grader.i18n import N_, Text

# grade(request bytes, open sandbox) -> the result document as written to disk.
RequestGrader = Callable[[bytes, Any], bytes]
READY_SECONDS = 120.0
"""How long a lane may take to open its sandbox (the sandbox's own start-up limit is 30 s)."""


class GradingLane:
    """A thread holding one open sandbox and grading requests with it, in order.

    Args:
        open_sandbox: opens the sandbox (a context manager), e.g. the engine's.
        hidden_paths: folders the students' code must not see.
        grade: grades one request with the open sandbox.
        name: names the thread (and the lane in error messages, unless `where` is given).
        where: the lane in error messages, in every language: "the Dask worker <address>".
        pin: keep the thread, and so the sandbox's processes, on a CPU of its own when one
            is free on this machine (`grader.distributed.cpus`).

    Attributes:
        cpu: the CPU the lane keeps to, or None.
    """

    def __init__(
        self,
        open_sandbox: SandboxOpener,
        hidden_paths: tuple[Path, ...],
        grade: RequestGrader,
        name: str = "nngrade-grading-lane",
        *,
        where: Text | None = None,
        pin: bool = False,
    ) -> None:
        self.name = name
        self.where: Text | str = where if where is not None else name
        self.pin = pin
        self.cpu: int | None = None
        self._open_sandbox = open_sandbox
        self._hidden_paths = hidden_paths
        self._grade = grade
        self._requests: queue.SimpleQueue[tuple[bytes, Future[bytes]] | None] = queue.SimpleQueue()
        self._ready = threading.Event()
        self._error: SandboxError | None = None
        self._lock = threading.Lock()
        self._closed = False
        self._thread = threading.Thread(target=self._run, name=name, daemon=True)

    def start(self) -> None:
        """Start the thread, which opens the sandbox; see `wait_ready`."""
        self._thread.start()

    def wait_ready(self, timeout: float = READY_SECONDS) -> None:
        """Return once the sandbox is open.

        Raises:
            SandboxError: the sandbox could not open, or did not open within `timeout`.
        """
        if not self._ready.wait(timeout):
            raise SandboxError(
                Text(
                    "The sandbox of %(where)s did not open within %(seconds)s s.",
                    where=self.where,
                    seconds=timeout,
                )
            )
        if self._error is not None:
            raise self._error

    def grade(self, request: bytes) -> bytes:
        """Grade `request` in this lane's sandbox, after the requests handed in before it.

        Raises:
            SandboxError: the sandbox could not open, or the lane is closed.
        """
        result: Future[bytes] = Future()
        with self._lock:
            if self._closed:
                raise self._refusal()
            self._requests.put((request, result))
        return result.result()

    def close(self, *, wait: bool = True) -> None:
        """Refuse the requests still waiting, let the one being graded finish, then close
        the sandbox and end the thread; with `wait`, return only once that is done."""
        self._refuse_the_rest()
        self._requests.put(None)
        if wait and self._thread.is_alive():
            self._thread.join()

    def _run(self) -> None:
        with contextlib.ExitStack() as stack:
            if self.pin:  # first: the sandbox's processes inherit the thread's CPU
                self.cpu = stack.enter_context(own_cpu())
            try:
                sandbox = stack.enter_context(self._open_sandbox(0, self._hidden_paths))
            except Exception as error:  # the sandbox is ours: every request gets the reason
                reason = f"{type(error).__name__}: {error}"
                self._error = SandboxError(
                    Text(
                        "The sandbox of %(where)s could not start (%(reason)s); nothing can be "
                        "graded there. Check that machine against docs/clusters.md (Linux, root "
                        "or unprivileged user namespaces), then run the batch again.",
                        where=self.where,
                        reason=reason,
                    )
                )
                self._ready.set()
                self._refuse_the_rest()
                return
            self._ready.set()
            self._serve(sandbox)

    def _serve(self, sandbox: Any) -> None:
        while True:
            item = self._requests.get()
            if item is None:
                return
            request, result = item
            try:
                result.set_result(self._grade(request, sandbox))
            except Exception as error:  # one broken grading must not stop the lane
                result.set_exception(error)

    def _refuse_the_rest(self) -> None:
        with self._lock:
            self._closed = True
        error = self._refusal()
        while True:
            try:
                item = self._requests.get_nowait()
            except queue.Empty:
                return
            if item is not None:
                item[1].set_exception(error)

    def _refusal(self) -> SandboxError:
        return self._error or SandboxError(
            Text("The grading lane of %(where)s is closed.", where=self.where)
        )


def grade_request(request: bytes, sandbox: Any) -> bytes:
    """Grade one `GradingRequest` with the engine, as `nngrade grade` would; the document's
    bytes as `nngrade grade` writes them.

    Raises:
        UsageError: the request is malformed or comes from another nngrade version.
    """
    import grader
    from grader.distributed.request import GradingRequest
    from grader.engine import dumps, grade_loaded

    decoded = GradingRequest.from_bytes(request)
    if decoded.grader_version != grader.__version__:
        raise UsageError(version_mismatch(decoded.grader_version, grader.__version__))
    document = grade_loaded(
        decoded.submission, student=decoded.student, lang=decoded.lang, sandbox=sandbox
    )
    return dumps(document).encode("utf-8")


def version_mismatch(client: str, worker: str, where: Text | None = None) -> Text:
    """The sentence for a worker whose nngrade is not the client's; `where` names the worker
    at the start of a sentence ("A Dask worker" by default)."""
    return Text(
        "%(where)s runs nngrade %(worker)s but the batch's client runs nngrade %(client)s: the "
        "documents would not match. Install the same nngrade on the client and on every "
        "worker, restart the workers, and run the batch again.",
        where=where if where is not None else Text(N_("A Dask worker")),
        worker=worker,
        client=client,
    )
