"""Run the public checks in a child process, each call under a deadline.

The `Supervisor` starts the worker (``worker.py``) with multiprocessing's "spawn" context,
which starts a fresh interpreter on Linux, macOS and Windows alike, asks it for one
function's verdict at a time and waits for it. While it waits it reads, from memory
shared with the worker, which call into the student's code is running and since when:

- a call that runs past `call_timeout` (a module's top-level code past `import_timeout`)
  is stopped: the worker is asked to interrupt it (SIGUSR1, where there is one), which
  reports where the student's code was; if it does not answer within `GRACE` seconds the
  worker is ended and the verdict says which function did not return;
- a check that runs past `check_timeout` in all (many calls, each returning, but slowly)
  is ended too;
- a worker that dies (``os._exit``, a crash of Python) gives a verdict that says so.

A worker that was ended is started again for the next function. This module imports
neither numpy nor the student's code, so a notebook's kernel or the report's process
never runs the student's code.

Ctrl-C is for the supervisor: the worker ignores it (SIGINT is ignored while the worker
starts, so that even its start-up is never interrupted with a traceback), and leaving
the supervisor's ``with`` block, whatever the reason, ends the worker.
"""

from __future__ import annotations

import contextlib
import json
import multiprocessing
import os
import signal
import threading
import time
from collections.abc import Callable, Mapping, Sequence
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any

from .i18n import translator
from .student import CALL, IMPORT, module_file
from .verdicts import (
    FAILED,
    Failure,
    Outcome,
    did_not_return,
    import_did_not_finish,
    resolve_waiting,
    seconds,
    waiting_for_stopped,
)

EXPECTED_FILE = Path(__file__).with_name("expected.json")

# The slots of the state shared with the worker: the serial number of the current call
# (odd while one runs), the index of its label (see `labels`), and its kind
# (student.CALL or student.IMPORT).
SERIAL, LABEL, KIND = 0, 1, 2
STATE_SIZE = 3

CALL_TIMEOUT = 2.0
"""Seconds one call into the student's code may take (the grader allows 1 s by default, on
inputs of the same size; a student's laptop may be slower)."""
IMPORT_TIMEOUT = 10.0
"""Seconds a module's top-level code may take (the grader's default)."""
CHECK_TIMEOUT = 60.0
"""Seconds the checks of one function may take in all."""
START_TIMEOUT = 120.0
"""Seconds the worker may take to start (an interpreter and numpy, on a busy machine)."""
GRACE = 1.0
"""Seconds a call stopped at its deadline has to hand its verdict back."""
POLL = 0.05
"""How often, in seconds, the supervisor looks at the running call while it waits."""


def load_expected(path: Path = EXPECTED_FILE) -> dict[str, Any]:
    """The handout's expected values and hints (written at release)."""
    return json.loads(path.read_text(encoding="utf-8"))


def labels(expected: dict[str, Any]) -> list[str]:
    """What a watched piece of student code is called: every function, then every module
    file (``exercises/<module>.py``); the shared state holds an index into this list."""
    modules = dict.fromkeys(expected["modules"].values())
    return [*expected["functions"], *(module_file(module) for module in modules)]


class WorkerFailed(RuntimeError):
    """The worker could not be started, or stopped without a reason the report can name."""


class Supervisor:
    """One worker process and the deadlines of the checks it runs.

    Args:
        expected: the handout's expected values (``expected.json``): the functions and
            modules, in the order the worker numbers them.
        lang: the language of the verdicts.
        call_timeout, import_timeout, check_timeout: the deadlines, in seconds.
    """

    def __init__(
        self,
        expected: dict[str, Any],
        lang: str,
        *,
        call_timeout: float = CALL_TIMEOUT,
        import_timeout: float = IMPORT_TIMEOUT,
        check_timeout: float = CHECK_TIMEOUT,
    ) -> None:
        self.lang = lang
        self.call_timeout = call_timeout
        self.import_timeout = import_timeout
        self.check_timeout = check_timeout
        self.labels = labels(expected)
        self._ = translator(lang)
        self._context = multiprocessing.get_context("spawn")
        self._process: Any = None
        self._connection: Any = None
        self._state: Any = None
        self._request: dict[str, Any] | None = None
        self._hung_imports: list[str] = []

    def __enter__(self) -> Supervisor:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    # The student's code --------------------------------------------------------------

    def load_files(self, root: str) -> None:
        """Check the `exercises/` package under the folder `root`."""
        self._load({"kind": "files", "root": root})

    def load_namespace(self, entries: dict[str, bytes]) -> None:
        """Check the functions of a notebook, packed by `namespace.pack`."""
        self._load({"kind": "namespace", "entries": entries})

    def _load(self, request: dict[str, Any]) -> None:
        self._request = {
            **request,
            "lang": self.lang,
            "call_timeout": self.call_timeout,
            "import_timeout": self.import_timeout,
        }
        self._hung_imports = []
        if self._process is not None:
            self._send_load()

    # Checking ------------------------------------------------------------------------

    def check(self, name: str) -> Outcome:
        """The verdict on the function `name`, within the deadlines."""
        if self._request is None:
            raise WorkerFailed("Load the student's code before checking it.")
        if self._process is None:
            self._start()
        self._connection.send(("check", name))
        return self._wait(name)

    def _wait(self, name: str) -> Outcome:
        started = time.monotonic()
        serial, since = -1, started
        while True:
            if self._connection.poll(POLL):
                try:
                    reply = self._connection.recv()
                except (EOFError, OSError):
                    return self._died(name)
                return reply[1]
            if not self._process.is_alive():
                return self._died(name)
            now = time.monotonic()
            current = self._state[SERIAL]
            if current != serial:
                serial, since = current, now
            elif current % 2 == 1 and now - since > self._limit():
                return self._stop_call(name)
            if now - started > self.check_timeout:
                return self._too_slow(name)

    def _limit(self) -> float:
        if self._state[KIND] == IMPORT:
            return self.import_timeout
        return self.call_timeout

    def _running(self, name: str) -> tuple[str, int]:
        """The label and kind of the student code that runs now (`name` and a call when
        none runs)."""
        if self._state[SERIAL] % 2 == 0:
            return name, CALL
        index = self._state[LABEL]
        label = self.labels[index] if 0 <= index < len(self.labels) else name
        return label, self._state[KIND]

    def _stop_call(self, name: str) -> Outcome:
        """The running call is past its deadline: interrupt it, or end the worker."""
        label, kind = self._running(name)
        if hasattr(signal, "SIGUSR1"):
            with contextlib.suppress(ProcessLookupError):  # it may have ended meanwhile
                os.kill(self._process.pid, signal.SIGUSR1)
            if self._connection.poll(GRACE):
                try:
                    return self._connection.recv()[1]
                except (EOFError, OSError):
                    pass
        self._end()
        if kind == IMPORT:
            self._hung_imports.append(label)
            message = import_did_not_finish(self.lang, label, self.import_timeout)
            return Outcome(name, FAILED, message, loading=True)
        message = did_not_return(self.lang, label, self.call_timeout)
        return Outcome(name, FAILED, failure=Failure(message, stopped=True))

    def _too_slow(self, name: str) -> Outcome:
        self._end()
        message = self._(
            "its checks did not finish within %(seconds)s s, although each call returned: "
            "it is very slow; look for Python loops over the entries of an array where one "
            "numpy operation would do.",
            seconds=seconds(self.check_timeout, self.lang),
        )
        return Outcome(name, FAILED, failure=Failure(message, stopped=True))

    def _died(self, name: str) -> Outcome:
        label, _ = self._running(name)
        process = self._process
        process.join(timeout=GRACE)
        status = process.exitcode
        self._end()
        message = self._(
            "the process running your code stopped while in `%(function)s` (exit status "
            "%(status)s): look for a call of os._exit(), or code that makes Python crash.",
            function=label,
            status=status,
        )
        return Outcome(name, FAILED, failure=Failure(message, stopped=True))

    # The worker ----------------------------------------------------------------------

    def _start(self) -> None:
        parent, child = self._context.Pipe()
        self._state = self._context.RawArray("q", STATE_SIZE)
        process = self._context.Process(
            target=_serve, args=(child, self._state), name="selfcheck-worker", daemon=True
        )
        _without_interrupts(process.start)
        child.close()
        self._process, self._connection = process, parent
        self._send_load()

    def _send_load(self) -> None:
        assert self._request is not None
        self._connection.send(("load", {**self._request, "hung": list(self._hung_imports)}))
        deadline = time.monotonic() + START_TIMEOUT
        while not self._connection.poll(POLL):
            if not self._process.is_alive() or time.monotonic() > deadline:
                status = self._process.exitcode
                self._end()
                raise WorkerFailed(
                    self._(
                        "The process that runs the checks did not start (exit status "
                        "%(status)s); run the checks again.",
                        status=status,
                    )
                )
        self._connection.recv()

    def _end(self) -> None:
        """End the worker now (its next check starts another)."""
        process, connection = self._process, self._connection
        self._process = self._connection = None
        if connection is not None:
            connection.close()
        if process is not None:
            if process.is_alive():
                process.kill()
            process.join(timeout=5)

    def close(self) -> None:
        """End the worker; the supervisor can still start another."""
        self._end()


def _serve(connection: Connection, state: Any) -> None:
    """The worker's entry point, importing numpy and the checks there only."""
    from .worker import serve

    serve(connection, state)


def _without_interrupts(start: Callable[[], None]) -> None:
    """Run `start` with SIGINT ignored, so that the process it starts inherits that.

    On POSIX a spawned interpreter keeps an ignored SIGINT ignored, so a Ctrl-C in the
    terminal, which reaches every process of the foreground group, never interrupts the
    worker (not even while it imports numpy); the supervisor alone handles it. Only the
    main thread may change signal handlers: elsewhere the worker ignores SIGINT itself as
    soon as it runs.
    """
    if threading.current_thread() is not threading.main_thread():
        start()
        return
    previous = signal.signal(signal.SIGINT, signal.SIG_IGN)
    try:
        start()
    finally:
        signal.signal(signal.SIGINT, previous)


def check_all(
    supervisor: Supervisor,
    functions: Sequence[str],
    direct: dict[str, list[str]],
    report: Callable[[Outcome], None] | None = None,
    *,
    known: Mapping[str, Outcome] | None = None,
) -> list[Outcome]:
    """Check `functions` in order; a function that builds on a failing one waits for it,
    and one that builds on a stopped one is not run. `report` sees each verdict at once;
    `known` verdicts are taken as they are instead of being checked again."""
    known = known or {}
    outcomes: dict[str, Outcome] = {}
    for name in functions:
        outcome = waiting_for_stopped(name, outcomes, direct)
        if outcome is None:
            checked = known[name] if name in known else supervisor.check(name)
            outcome = resolve_waiting(checked, outcomes, direct)
        outcomes[name] = outcome
        if report is not None:
            report(outcome)
    return list(outcomes.values())
