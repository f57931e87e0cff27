"""The child process that runs the public checks on the student's code.

`supervisor.py` starts it (multiprocessing, "spawn": a fresh interpreter, on Linux, macOS
and Windows alike), sends it the student's code to load, then one function to check at a
time, and waits for each verdict under a deadline. Everything the student wrote runs
here, never in the process that prints the report or in the notebook's kernel: a loop
that never ends, a crash or an ``exit()`` ends at most this process.

Before each call into the student's code the worker records, in memory shared with the
supervisor, which call it is (a serial number, odd while a call runs, and the function's
index); the supervisor reads it to tell how long the current call has been running.
Past the deadline it sends SIGUSR1 where there is one (Linux, macOS): the handler raises
`CallTimeout` inside the student's code, whose traceback says where it was, and the
check reports it. Where that does not end the call (code stuck outside Python, or no
SIGUSR1 on Windows) the supervisor ends the process.
"""

from __future__ import annotations

import multiprocessing
import multiprocessing.connection
import os
import signal
import threading
import warnings
from collections.abc import Sequence
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any

import numpy as np

from .checking import Checker, Contract
from .functions import FAMILIES
from .i18n import translator
from .numerics import decode
from .student import CallTimeout, NotStarted, Problem, Student, StudentCode
from .supervisor import KIND, LABEL, SERIAL, labels, load_expected
from .verdicts import FAILED, NOT_STARTED, PASSED, WAITING, Failure, Outcome, did_not_return


class SharedWatch:
    """Records the student code that runs into the state shared with the supervisor."""

    def __init__(self, state: Any, labels: Sequence[str]) -> None:
        self.state = state
        self.index = {label: number for number, label in enumerate(labels)}
        self.depth = 0

    def enter(self, label: str, kind: int) -> None:
        self.depth += 1
        if self.depth == 1:
            self.state[LABEL] = self.index.get(label, -1)
            self.state[KIND] = kind
            self.state[SERIAL] += 1  # odd: a call runs

    def leave(self) -> None:
        self.depth -= 1
        if self.depth == 0:
            self.state[SERIAL] += 1

    @property
    def running(self) -> bool:
        return self.depth > 0

    def reset(self) -> None:
        """No student code runs (before each check: an interruption that came between two
        statements of `Student.call` cannot leave a call open for the next check)."""
        self.depth = 0
        if self.state[SERIAL] % 2 == 1:
            self.state[SERIAL] += 1


def check_function(
    student: Student, name: str, expected: dict[str, Any], contract: Contract | None = None
) -> Outcome:
    """Run the checks of `name` alone (before waiting states are resolved)."""
    contract = contract or Contract.from_expected(expected)
    file = student.where_to_write(contract.modules[name])
    try:
        function = student.function(contract.modules[name], name)
    except Problem as problem:
        return Outcome(name, FAILED, problem.message, loading=True)
    if student.is_untouched_stub(function):
        return Outcome(name, NOT_STARTED, _not_started(student.lang, file))
    checker = Checker(student, student.lang, contract)
    options = dict(expected["checks"][name])
    family = FAMILIES[options.pop("kind")]
    try:
        with warnings.catch_warnings(), np.errstate(all="ignore"):
            # Overflow in exp(1000) is the stability tests' business, not a crash.
            warnings.simplefilter("ignore", RuntimeWarning)
            family(checker, name, [decode(case) for case in expected["cases"][name]], options)
    except NotStarted as stub:
        if stub.function == name:
            return Outcome(name, NOT_STARTED, _not_started(student.lang, file))
        return Outcome(name, WAITING, waiting_for=(stub.function,))
    except Failure as failure:
        curve = expected.get("curves", {}).get(name)
        if curve is not None and not failure.stopped:
            failure.plot = _curve(student, name, function, curve) or failure.plot
        return Outcome(name, FAILED, failure=failure)
    except CallTimeout:
        # The deadline fell between two calls, in the checks' own code: the call that
        # took the time has just returned, but the check is over.
        message = did_not_return(student.lang, name, student.call_timeout)
        return Outcome(name, FAILED, failure=Failure(message, stopped=True))
    return Outcome(name, PASSED)


def _curve(
    student: Student, name: str, function: Any, curve: dict[str, Any]
) -> dict[str, Any] | None:
    """The student's curve beside the expected one (see ``plots.py``), or None when their
    function does not give one number per point of the grid (the failure stands alone)."""
    z = np.array(curve["z"], dtype=np.float64).reshape(1, -1)
    args = (np.ones_like(z), z) if curve["backward"] else (z,)
    try:
        with warnings.catch_warnings(), np.errstate(all="ignore"):
            warnings.simplefilter("ignore", RuntimeWarning)
            got = student.call(name, function, *args)
    except (Problem, NotStarted):
        return None
    if type(got) is not np.ndarray or got.size != z.size or got.dtype.kind not in "biuf":
        return None
    return {
        "kind": "curve",
        "function": name,
        "z": curve["z"],
        "expected": curve["expected"],
        "got": got.astype(np.float64).ravel().tolist(),
    }


def _not_started(lang: str, file: str) -> str:
    _ = translator(lang)
    return _("still raises NotImplementedError: write its body in %(file)s.", file=file)


def load_student(request: dict[str, Any], watch: SharedWatch) -> Student:
    """The student's code that a "load" request describes (see `supervisor.Supervisor`)."""
    if request["kind"] == "namespace":
        from .namespace import NamespaceCode  # only a notebook sends its functions

        return NamespaceCode(
            request["entries"], request["lang"], watch, call_timeout=request["call_timeout"]
        )
    return StudentCode(
        Path(request["root"]),
        request["lang"],
        watch,
        call_timeout=request["call_timeout"],
        import_timeout=request["import_timeout"],
        hung=request.get("hung", ()),
    )


_WATCH: SharedWatch | None = None


def _stop_the_call(signum: int, frame: object) -> None:
    """SIGUSR1 from the supervisor: the current call is past its deadline."""
    if _WATCH is not None and _WATCH.running:
        raise CallTimeout


def _end_with_the_supervisor() -> None:
    """End this process as soon as the supervisor's process ends, however it ends.

    A supervisor killed outright (``kill -9``, a notebook's kernel restarted) cannot end
    its worker, which may be inside a loop that never ends. A thread waits for the end of
    the parent process: it gets the interpreter lock even from a busy loop (Python hands
    it over every few milliseconds) and ends the process.
    """
    parent = multiprocessing.parent_process()
    if parent is None:
        return

    def wait_for_the_end() -> None:
        multiprocessing.connection.wait([parent.sentinel])
        os._exit(0)

    threading.Thread(target=wait_for_the_end, name="end-with-supervisor", daemon=True).start()


def serve(connection: Connection, state: Any) -> None:
    """The worker's loop: answer the supervisor's requests until it stops or goes away.

    Requests: ``("load", request)`` -> ``("ready",)``; ``("check", name)`` ->
    ``("outcome", Outcome)``; ``("stop",)``.
    """
    global _WATCH
    _end_with_the_supervisor()
    # Ctrl-C is the supervisor's to handle: it reports what was checked and ends this
    # process. (It was already ignored from the start on POSIX, see supervisor.py.)
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    if hasattr(signal, "SIGUSR1"):
        signal.signal(signal.SIGUSR1, _stop_the_call)
    expected = load_expected()
    contract = Contract.from_expected(expected)
    _WATCH = watch = SharedWatch(state, labels(expected))
    student: Student | None = None
    while True:
        try:
            message = connection.recv()
        except (EOFError, OSError):  # the supervisor is gone
            return
        if message[0] == "load":
            student = load_student(message[1], watch)
            connection.send(("ready",))
        elif message[0] == "check" and student is not None:
            watch.reset()
            outcome = check_function(student, message[1], expected, contract)
            connection.send(("outcome", outcome))
        else:
            return
