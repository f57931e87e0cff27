"""Grade many submissions in parallel, each grading process holding one sandbox.

The parent fills a task queue, starts N grading processes ("spawn": nothing of the parent's
state leaks into them) with slots 0..N-1, and listens to their reports. A grading process
that dies unexpectedly (the kernel's OOM killer, say) loses only the submission it held,
which is recorded as failed, and is replaced on the same slot. Ctrl-C (or SIGTERM) stops
every grading process, keeps what is already written, and returns what was left to do.
Each submission is graded independently, so the results depend neither on N nor on order.
"""

from __future__ import annotations

import contextlib
import multiprocessing
import signal
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from multiprocessing.connection import Connection, wait
from typing import Any

from grader.batch.worker import (
    Failed,
    Finished,
    Rendered,
    SandboxFailed,
    Started,
    Task,
    WorkerSettings,
    grading_process,
    lane_cpus,
)
from grader.errors import SandboxError
from grader.i18n import translator

Event = Started | Finished | Failed
Report = Event | Rendered | SandboxFailed
EventHandler = Callable[[Event], None]

RESTARTS_PER_SLOT = 2
POLL_SECONDS = 0.2
STOP_GRACE_SECONDS = 10.0


@dataclass
class GradingRun:
    """What happened to the tasks of one run.

    Attributes:
        finished: student -> outcome (status, score, max_score, timeout) of a written result.
        failed: student -> why no result could be written (a bug of ours, or a lost process).
        not_done: students left ungraded because the run was interrupted.
        interrupted: whether Ctrl-C or SIGTERM stopped the run.
        rendered: students whose feedback page was rendered from the result written by
            its grading process (only with `WorkerSettings.render`).
    """

    finished: dict[str, dict[str, Any]] = field(default_factory=dict)
    failed: dict[str, str] = field(default_factory=dict)
    not_done: tuple[str, ...] = ()
    interrupted: bool = False
    rendered: set[str] = field(default_factory=set)


def run_grading(
    tasks: list[Task],
    settings: WorkerSettings,
    *,
    workers: int,
    on_event: EventHandler | None = None,
) -> GradingRun:
    """Grade `tasks` with `workers` grading processes; return when all are done or on Ctrl-C.

    Raises:
        SandboxError: a grading process could not open its sandbox.
    """
    run = GradingRun()
    if not tasks:
        return run
    pool = _Pool(settings, min(workers, len(tasks)), tasks)
    pending = {task.student for task in tasks}
    with sigterm_as_interrupt():
        try:
            pool.start()
            while pending:
                for student, message in pool.stop_overdue():
                    run.failed[student] = message
                    pending.discard(student)
                event = pool.next_event()
                if event is None:
                    for student, message in pool.reap_dead():
                        run.failed[student] = message
                        pending.discard(student)
                    if not pool.alive() and pending:
                        _ = translator(settings.lang)
                        stopped = _("not graded: every grading process stopped.")
                        for student in sorted(pending):
                            run.failed[student] = stopped
                        pending.clear()
                    continue
                if isinstance(event, SandboxFailed):
                    _ = translator(settings.lang)
                    raise SandboxError(
                        _(
                            "The sandbox of grading process %(slot)s could not start "
                            "(%(reason)s); nothing was graded by it. Fix the sandbox setup, "
                            "then run the batch again.",
                            slot=event.slot,
                            reason=event.message,
                        )
                    )
                if isinstance(event, Rendered):  # not a grading step: the progress never sees it
                    pool.record(event)
                    if event.ok:
                        run.rendered.add(event.student)
                    continue
                pool.record(event)
                if isinstance(event, Finished):
                    run.finished[event.student] = event.outcome
                    run.failed.pop(event.student, None)
                    pending.discard(event.student)
                elif isinstance(event, Failed):
                    run.failed[event.student] = event.message
                    pending.discard(event.student)
                if on_event is not None:
                    on_event(event)
            if settings.render:  # the last pages are rendered after their results are reported
                run.rendered.update(
                    report.student
                    for report in pool.drain(STOP_GRACE_SECONDS)
                    if isinstance(report, Rendered) and report.ok
                )
        except KeyboardInterrupt:
            run.interrupted = True
            run.not_done = tuple(sorted(pending))
        finally:
            pool.stop(graceful=not run.interrupted and not pending)
    return run


class _Pool:
    """The grading processes of one run, by slot, each with its own report pipe."""

    def __init__(self, settings: WorkerSettings, size: int, tasks: list[Task]) -> None:
        self.context = multiprocessing.get_context("spawn")
        self.settings = settings
        self.size = size
        self.tasks = self.context.Queue()
        self.processes: dict[int, Any] = {}
        self.readers: dict[int, Connection] = {}
        self.holding: dict[int, str] = {}
        self.since: dict[int, float] = {}  # slot -> when it started its submission
        self.rendering: set[int] = set()  # slots rendering the page of a result they reported
        self.restarts: dict[int, int] = dict.fromkeys(range(size), 0)
        self.cpus = lane_cpus(size)
        self.backlog: list[Report] = []
        for task in tasks:
            self.tasks.put(task)
        for _ in range(size):
            self.tasks.put(None)  # one end marker per grading process

    def start(self) -> None:
        for slot in range(self.size):
            self._spawn(slot)

    def _spawn(self, slot: int) -> None:
        reader, writer = self.context.Pipe(duplex=False)
        process = self.context.Process(
            target=grading_process,
            args=(slot, self.settings, self.tasks, writer, self.cpus.get(slot)),
            name=f"nngrade-grading-{slot}",
        )
        process.start()
        writer.close()  # the child holds the only write end: EOF means it is gone
        self.processes[slot] = process
        self.readers[slot] = reader

    def next_event(self) -> Report | None:
        """The next report, or None when none came within the polling interval."""
        if not self.backlog:
            self._read(POLL_SECONDS)
        return self.backlog.pop(0) if self.backlog else None

    def drain(self, seconds: float) -> list[Report]:
        """Every report left, read until each process closes its pipe (it has ended) or for
        at most `seconds`; call it once the task queue holds only end markers."""
        deadline = time.monotonic() + seconds
        while self.readers and time.monotonic() < deadline:
            self._read(max(0.0, min(POLL_SECONDS, deadline - time.monotonic())))
        reports, self.backlog = self.backlog, []
        return reports

    def _read(self, timeout: float) -> None:
        """Move the reports that arrive within `timeout` to the backlog; forget closed pipes."""
        ready = wait(list(self.readers.values()), timeout=timeout)
        for slot, reader in list(self.readers.items()):
            if reader not in ready:
                continue
            try:
                self.backlog.append(reader.recv())
            except (EOFError, OSError):
                reader.close()
                del self.readers[slot]

    def record(self, event: Event | Rendered) -> None:
        if isinstance(event, Started):
            self.holding[event.slot] = event.student
            self.since[event.slot] = time.monotonic()
        elif isinstance(event, Rendered):
            self.rendering.discard(event.slot)
        else:
            self.holding.pop(event.slot, None)
            if isinstance(event, Finished) and self.settings.render:
                self.rendering.add(event.slot)

    def stop_overdue(self) -> list[tuple[str, str]]:
        """Kill every grading process that has held one submission for longer than the
        watchdog allows (its own deadlines failed: a bug of ours or of the machine), and
        replace it; the submissions it held are lost, the class goes on."""
        limit = self.settings.watchdog_seconds
        now = time.monotonic()
        lost: list[tuple[str, str]] = []
        for slot, student in list(self.holding.items()):
            if now - self.since.get(slot, now) <= limit:
                continue
            process = self.processes[slot]
            process.kill()
            process.join(STOP_GRACE_SECONDS)
            del self.holding[slot]
            reader = self.readers.pop(slot, None)
            if reader is not None:
                reader.close()
            _ = translator(self.settings.lang)
            lost.append(
                (
                    student,
                    _(
                        "not graded: its grading took more than %(seconds)s s, so the batch "
                        "stopped it; run the batch again to retry it (and report it if it "
                        "happens again).",
                        seconds=float(limit),
                    ),
                )
            )
            self._replace(slot)
        return lost

    def alive(self) -> bool:
        return any(process.is_alive() for process in self.processes.values())

    def reap_dead(self) -> list[tuple[str, str]]:
        """Record the submissions lost by processes that died, and replace those processes."""
        lost: list[tuple[str, str]] = []
        for slot, process in list(self.processes.items()):
            # A slot whose pipe is still open may have reports left to read: not yet.
            if process.is_alive() or slot in self.readers or process.exitcode == 0:
                continue
            if slot in self.rendering:
                # Died rendering a page: its result is reported, nothing is lost, and the
                # process had not taken its end marker yet, so a replacement can take it.
                self.rendering.discard(slot)
                self._replace(slot)
                continue
            if slot not in self.holding:
                continue
            student = self.holding.pop(slot)
            _ = translator(self.settings.lang)
            lost.append(
                (
                    student,
                    _(
                        "not graded: the grading process stopped (exit code %(code)s) while "
                        "grading this submission; run the batch again to retry it.",
                        code=process.exitcode,
                    ),
                )
            )
            self._replace(slot)
        return lost

    def _replace(self, slot: int) -> None:
        """Start a new process on the slot of one that died, unless it died too often."""
        if self.restarts[slot] < RESTARTS_PER_SLOT:
            self.restarts[slot] += 1
            self._spawn(slot)

    def stop(self, *, graceful: bool) -> None:
        """Wait for the processes to end (graceful) or stop them now with SIGTERM."""
        deadline = time.monotonic() + STOP_GRACE_SECONDS
        if not graceful:
            for process in self.processes.values():
                if process.is_alive():
                    process.terminate()
        for process in self.processes.values():
            process.join(max(0.0, deadline - time.monotonic()))
            if process.is_alive():
                process.kill()
                process.join()
        for reader in self.readers.values():
            reader.close()
        self.tasks.cancel_join_thread()
        self.tasks.close()


@contextlib.contextmanager
def sigterm_as_interrupt() -> Iterator[None]:
    """Treat SIGTERM like Ctrl-C while grading: stop cleanly, keep what is done."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def interrupt(signum: int, frame: object) -> None:
        raise KeyboardInterrupt

    previous = signal.signal(signal.SIGTERM, interrupt)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)
