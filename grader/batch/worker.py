"""The grading process: one sandbox, many submissions.

Each grading process opens ONE sandbox (its own slot, hence its own unprivileged user) and
one grading session of the hidden suites (collected once), and grades the submissions it
takes from the shared task queue until it reads the end marker.
It writes each result document itself, atomically, then reports to the parent; when asked,
it then renders the student's feedback page too, so that pages are rendered in parallel and
once (a page it fails to render is left to the parent; the result counts all the same). It
ignores Ctrl-C (the parent decides what to do) and leaves cleanly on SIGTERM; on Linux it
also gets SIGTERM when the parent dies, so a `kill -9` of the batch leaves no grading
behind.
"""

from __future__ import annotations

import contextlib
import ctypes
import os
import signal
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from grader.batch.backend import GradeFunction, GradingBackend, ResultDocument, ServerUnavailable
from grader.result import Result, parse_result


@dataclass(frozen=True)
class Task:
    """Grade `path` as `student` and write the result to `result_path`."""

    student: str
    path: Path
    result_path: Path


@dataclass(frozen=True)
class Started:
    """A grading process took `student`."""

    slot: int
    student: str


@dataclass(frozen=True)
class Finished:
    """`student` is graded and its result written; `outcome` summarises the document."""

    slot: int
    student: str
    outcome: dict[str, Any]
    seconds: float


@dataclass(frozen=True)
class Failed:
    """Grading `student` raised (a bug of ours, not the student's): no result was written."""

    slot: int
    student: str
    message: str
    seconds: float


@dataclass(frozen=True)
class Rendered:
    """Rendering the feedback page of `student`, whose result was just reported `Finished`,
    is over; `ok`: the page was written."""

    slot: int
    student: str
    ok: bool


@dataclass(frozen=True)
class SandboxFailed:
    """The sandbox of a grading process could not open: nothing can be graded with it."""

    slot: int
    message: str


@dataclass(frozen=True)
class WorkerSettings:
    """What every grading process of a batch shares.

    `render`: render each result's feedback page in `lang` after reporting it `Finished`;
    `limits`: the `SandboxLimits` of every sandbox (None: the defaults); `unsafe`: grade
    without isolation (`--unsafe-no-sandbox`); `watchdog_seconds`: how long the parent lets
    one submission hold a grading process before it kills it.
    """

    backend: GradingBackend
    hidden_paths: tuple[Path, ...]
    lang: str
    render: bool = False
    limits: Any = None
    unsafe: bool = False
    watchdog_seconds: float = 300.0


def outcome_of(document: ResultDocument | Result) -> dict[str, Any]:
    """The few figures the parent shows while the batch runs."""
    result = document if isinstance(document, Result) else parse_result(document)
    return {
        "status": result.status,
        "score": result.score,
        "max_score": result.max_score,
        "timeout": result.has_timeout(),
        "unreadable": list(result.unreadable_files()),
    }


def available_cores() -> int:
    """The CPUs this process may run on (its affinity, which a container or `taskset` may
    narrow), at least 1: as many grading processes as a batch can keep busy."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except (AttributeError, OSError):  # no affinity on this platform
        return os.cpu_count() or 1


def lane_cpus(processes: int) -> dict[int, int]:
    """The CPU each grading process keeps to: slot -> CPU, one each, when this process may
    run on at least `processes` CPUs; empty otherwise (or where affinity is not available).

    A grading process and its sandboxed worker take turns, one waiting while the other
    works: on one CPU, a turn costs a switch between two processes, whereas across two it
    costs waking another CPU, and in a virtual machine that doubles the CPU time of a
    round trip. The zygote and the workers inherit the affinity.
    """
    try:
        available = sorted(os.sched_getaffinity(0))
    except (AttributeError, OSError):
        return {}
    if processes > len(available):
        return {}
    return {slot: available[slot] for slot in range(processes)}


def grading_process(
    slot: int, settings: WorkerSettings, tasks: Any, events: Any, cpu: int | None = None
) -> None:
    """Entry point of a grading process.

    `tasks` is the shared multiprocessing queue; `events` the write end of this process's
    own pipe, written synchronously, so that a report sent is in the pipe even if the
    process dies the next instant (the parent then knows which submission was lost);
    `cpu` the CPU to keep to (see `lane_cpus`), None to let the system choose.
    """
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, _leave)
    _terminate_with_parent()
    if cpu is not None:
        with contextlib.suppress(OSError):  # a CPU taken offline meanwhile: run anywhere
            os.sched_setaffinity(0, {cpu})
    parent = os.getppid()

    def grade_tasks(grade: GradeFunction) -> None:
        while os.getppid() == parent:
            task: Task | None = tasks.get()
            if task is None:
                break
            events.send(Started(slot, task.student))
            report = _grade_one(slot, task, settings, grade)
            # Finished goes first: the result counts even if rendering then kills the process.
            events.send(report)
            if settings.render and isinstance(report, Finished):
                events.send(Rendered(slot, task.student, _render_page(task, settings)))

    try:
        settings.backend.serve(
            slot, settings.hidden_paths, settings.limits, grade_tasks, unsafe=settings.unsafe
        )
    except ServerUnavailable as error:  # the sandbox is ours: the parent stops the batch
        events.send(SandboxFailed(slot, str(error)))


def _grade_one(
    slot: int, task: Task, settings: WorkerSettings, grade: GradeFunction
) -> Finished | Failed:
    backend = settings.backend
    started = time.monotonic()
    try:
        document = grade(task.path, student_id=task.student, lang=settings.lang)
        if _stop_requested:  # the grader swallowed our SystemExit: its result is not trusted
            raise SystemExit(128 + signal.SIGTERM)
        outcome = outcome_of(document)  # a document our reader refuses is not written
        task.result_path.parent.mkdir(parents=True, exist_ok=True)
        backend.write_result(document, task.result_path)
    except Exception as error:  # one broken grading must not stop the class
        message = f"{type(error).__name__}: {error}"
        return Failed(slot, task.student, message, time.monotonic() - started)
    return Finished(slot, task.student, outcome, time.monotonic() - started)


def _render_page(task: Task, settings: WorkerSettings) -> bool:
    """Render the feedback page of the result just written; False if it was not rendered
    (the report is not installed, the result cannot be read, or a bug of the report's)."""
    try:
        from grader.report.render import write_student_feedback

        return write_student_feedback(task.result_path.parent, lang=settings.lang) is not None
    except Exception:  # the parent renders the page, or reports the problem, as it always did
        return False


_stop_requested = False


def _leave(signum: int, frame: object) -> None:
    # SystemExit unwinds through the sandbox's context manager, which stops its processes.
    global _stop_requested
    _stop_requested = True
    raise SystemExit(128 + signum)


def _terminate_with_parent() -> None:
    """Ask Linux to send SIGTERM to this process when its parent dies (prctl PDEATHSIG)."""
    if not sys.platform.startswith("linux"):
        return
    with contextlib.suppress(OSError, AttributeError):
        libc = ctypes.CDLL(None, use_errno=True)
        pr_set_pdeathsig = 1
        libc.prctl(pr_set_pdeathsig, signal.SIGTERM, 0, 0, 0)
