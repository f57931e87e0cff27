"""The client's side of a batch on a Dask cluster: send, collect, write, as results arrive.

`grade_on_cluster` does for `nngrade batch --scheduler ADDRESS` what `run_grading` does for
a local batch, with the same tasks, reports and `GradingRun`:

- it connects to the scheduler, waits for a first worker, and registers a `SandboxPlugin`
  under a name of its own (a batch never disturbs another one sharing the cluster); a
  worker that runs another nngrade version, or cannot open the sandbox, stops the run
  before anything is graded, as a local sandbox that cannot start does;
- it loads each submission and submits it as bytes (`GradingRequest`), keeping about two
  per worker in flight: each worker always has its next submission at hand, and a class of
  50,000 never sits in the scheduler's memory;
- it writes each document as it arrives, atomically, then renders its feedback page; a run
  stopped anywhere (Ctrl-C, SIGTERM, `kill -9` of the client) leaves only whole results,
  which the next run keeps;
- Dask grades elsewhere a submission whose worker was lost; each submission's future
  completes once, so its result is written once. A submission that kills every worker it
  is sent to (Dask's ``allowed-failures``, 3 by default) is reported not graded, like one
  whose grading process died in a local batch.
"""

from __future__ import annotations

import contextlib
import queue
import time
from collections import deque
from collections.abc import Callable
from concurrent.futures import Future as ConcurrentFuture
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any

from dask.typing import Key
from distributed import CancelledError, Client, Future, KilledWorker

from grader.atomic import write_bytes_atomic
from grader.batch.resume import decoded_result
from grader.batch.runner import GradingRun, sigterm_as_interrupt
from grader.batch.worker import Failed, Finished, Task, WorkerSettings, outcome_of
from grader.distributed.plugin import PLUGIN_PREFIX, SandboxPlugin, grade_on_worker
from grader.distributed.request import GradingRequest
from grader.errors import NngradeError, UsageError
from grader.loading import load_submission
from grader.result import Result

CONNECT_SECONDS = 30.0
WORKER_WAIT_SECONDS = 120.0
"""How long a run waits for a first worker, and for one to come back when all have left."""
POLL_SECONDS = 0.5
REFRESH_SECONDS = 2.0
"""How often the client asks the scheduler which workers there are (the in-flight window)."""
IN_FLIGHT_PER_WORKER = 2
CLUSTER_SLOT = 0
"""The `slot` of the reports: a cluster's workers are not the batch's numbered slots."""

EventHandler = Callable[[Finished | Failed], None]
PageRenderer = Callable[[str], bool]


@dataclass(frozen=True)
class ClusterRun:
    """What a run on a cluster did.

    Attributes:
        grading: the tasks' fate, as a local run reports it.
        workers: the most Dask workers seen at once during the run.
        notes: sentences for the instructor about the cluster (workers with several threads).
    """

    grading: GradingRun
    workers: int
    notes: tuple[str, ...] = ()


def grade_on_cluster(
    tasks: list[Task],
    settings: WorkerSettings,
    *,
    scheduler: str,
    on_event: EventHandler | None = None,
    render_left: PageRenderer | None = None,
    connect_seconds: float = CONNECT_SECONDS,
    worker_wait_seconds: float = WORKER_WAIT_SECONDS,
) -> ClusterRun:
    """Grade `tasks` on the Dask cluster whose scheduler is at `scheduler`.

    Each result is written to its task's `result_path` as it arrives; `render_left`, when
    given, then renders its feedback page on this machine. Returns when every task is
    done, or on Ctrl-C / SIGTERM (then `grading.interrupted`, with what is left).

    Raises:
        UsageError: the scheduler cannot be reached, no worker came, or a worker runs
            another nngrade version.
        SandboxError: a worker cannot open the sandbox.
    """
    run = GradingRun()
    if not tasks:
        return ClusterRun(run, 0)
    batch: _ClusterBatch | None = None
    with sigterm_as_interrupt():
        try:
            client = _connect(scheduler, connect_seconds)
            try:
                batch = _ClusterBatch(client, scheduler, settings, run, worker_wait_seconds)
                batch.start()
                batch.grade(tasks, on_event, render_left)
            finally:
                _close(client, batch)
        except KeyboardInterrupt:
            run.interrupted = True
            done = set(run.finished) | set(run.failed)
            run.not_done = tuple(sorted({task.student for task in tasks} - done))
    return ClusterRun(run, batch.most_workers if batch else 0, batch.notes() if batch else ())


def _connect(scheduler: str, seconds: float) -> Client:
    try:
        return Client(scheduler, timeout=seconds, set_as_default=False)
    except (OSError, TimeoutError, ValueError, TypeError) as error:
        raise UsageError(
            f"Could not connect to the Dask scheduler at {scheduler!r} within {seconds:g} s "
            f"({type(error).__name__}: {error}). Check the address (e.g. tcp://HOST:8786, as "
            "`dask scheduler` prints it) and that the scheduler is running; docs/clusters.md "
            "shows how to start one."
        ) from None


def _close(client: Client, batch: _ClusterBatch | None) -> None:
    """Remove this run's plugin (its sandboxes close on every worker), then disconnect."""
    with contextlib.suppress(Exception):
        if batch is not None and batch.plugin_registered:
            client.unregister_worker_plugin(batch.plugin_name)
    with contextlib.suppress(Exception):
        client.close()


class _ClusterBatch:
    """The state of one run on a cluster: what is left, what is in flight, the workers."""

    def __init__(
        self,
        client: Client,
        scheduler: str,
        settings: WorkerSettings,
        run: GradingRun,
        worker_wait_seconds: float,
    ) -> None:
        self.client = client
        self.scheduler = scheduler
        self.settings = settings
        self.run = run
        self.worker_wait_seconds = worker_wait_seconds
        self.plugin_name = f"{PLUGIN_PREFIX}{client.id}"
        self.plugin_registered = False
        self.pending: deque[Task] = deque()
        self.in_flight: dict[Key, tuple[Future, Task]] = {}
        self.arrived: queue.SimpleQueue[Future] = queue.SimpleQueue()
        self.workers: dict[str, int] = {}
        self.most_workers = 0
        self.threaded: set[str] = set()
        self.refreshed = 0.0
        self.alone_since: float | None = None

    # -- start --------------------------------------------------------------------------

    def start(self) -> None:
        """Wait for a worker, clear what killed runs left, register this run's plugin."""
        try:
            self.client.wait_for_workers(1, timeout=self.worker_wait_seconds)
        except TimeoutError:
            raise UsageError(
                f"No Dask worker connected to the scheduler at {self.scheduler} within "
                f"{self.worker_wait_seconds:g} s. Start some, e.g. `dask worker "
                f"{self.scheduler} --nthreads 1 --nworkers 2` on each machine "
                "(docs/clusters.md), then run the batch again."
            ) from None
        self._remove_stale_plugins()
        plugin = SandboxPlugin(
            self.settings.backend.version,
            tuple(str(path) for path in self.settings.hidden_paths),
            self.settings.limits,
        )
        self.plugin_registered = True  # even a failed registration leaves it on the scheduler
        self.client.register_plugin(plugin, name=self.plugin_name)
        self._refresh(force=True)

    def _remove_stale_plugins(self) -> None:
        """Unregister the sandboxes of runs whose client is gone (a `kill -9`): otherwise
        each would keep an idle sandbox on every worker until the workers restart."""

        def stale(prefix: str, dask_scheduler: Any) -> list[str]:
            return [
                name
                for name in dask_scheduler.worker_plugins
                if name.startswith(prefix) and name[len(prefix) :] not in dask_scheduler.clients
            ]

        with contextlib.suppress(Exception):  # housekeeping: never a reason to stop a batch
            for name in self.client.run_on_scheduler(stale, PLUGIN_PREFIX):
                self.client.unregister_worker_plugin(name)

    # -- the run ------------------------------------------------------------------------

    def grade(
        self,
        tasks: list[Task],
        on_event: EventHandler | None,
        render_left: PageRenderer | None,
    ) -> None:
        """Grade `tasks`; each page is rendered on a thread of its own (`render_left`) while
        this one keeps the workers fed: at a MOOC's rate, rendering in line would delay
        the next submissions."""
        pages = ThreadPoolExecutor(max_workers=1, thread_name_prefix="nngrade-pages")
        rendering: dict[str, ConcurrentFuture[bool]] = {}
        try:
            self.pending.extend(tasks)
            while self.pending or self.in_flight:
                self._top_up(on_event)
                if not self.in_flight:
                    continue
                try:
                    future = self.arrived.get(timeout=POLL_SECONDS)
                except queue.Empty:
                    self._watch_workers(on_event)
                    continue
                entry = self.in_flight.pop(future.key, None)
                if entry is None:  # already given up on (no worker left)
                    continue
                report = self._collect(future, entry[1])
                self._record(report, on_event)
                if isinstance(report, Finished) and render_left is not None:
                    rendering[report.student] = pages.submit(render_left, report.student)
        except BaseException:  # Ctrl-C: the pages not rendered yet are the report's to do
            pages.shutdown(wait=True, cancel_futures=True)
            raise
        pages.shutdown(wait=True)
        self.run.rendered.update(
            student for student, page in rendering.items() if not page.cancelled() and page.result()
        )

    def left(self) -> set[str]:
        """The students not done yet: waiting, or in flight."""
        return {task.student for task in self.pending} | {
            task.student for _, task in self.in_flight.values()
        }

    def _top_up(self, on_event: EventHandler | None) -> None:
        self._refresh()
        window = max(IN_FLIGHT_PER_WORKER, IN_FLIGHT_PER_WORKER * len(self.workers))
        while self.pending and len(self.in_flight) < window:
            task = self.pending.popleft()
            try:
                request = GradingRequest(
                    student=task.student,
                    lang=self.settings.lang,
                    grader_version=self.settings.backend.version,
                    submission=load_submission(task.path),
                ).to_bytes()
            except (NngradeError, OSError) as error:  # e.g. removed since it was found
                self._record(
                    Failed(CLUSTER_SLOT, task.student, f"{type(error).__name__}: {error}", 0.0),
                    on_event,
                )
                continue
            future = self.client.submit(
                grade_on_worker,
                self.plugin_name,
                request,
                key=f"nngrade-{task.student}-{self.client.id}",
                pure=False,
            )
            self.in_flight[future.key] = (future, task)
            future.add_done_callback(self.arrived.put)

    def _collect(self, future: Future, task: Task) -> Finished | Failed:
        """Write the result `future` brought, or say why there is none."""
        started = time.monotonic()
        try:
            data = future.result()
        except KilledWorker as error:
            return Failed(CLUSTER_SLOT, task.student, _lost(error), time.monotonic() - started)
        except NngradeError:
            raise  # a worker's setup (version, sandbox): the run cannot go on
        except (Exception, CancelledError) as error:  # one broken grading must not stop the class
            message = f"{type(error).__name__}: {error}"
            return Failed(CLUSTER_SLOT, task.student, message, time.monotonic() - started)
        document = decoded_result(data, task.student) if isinstance(data, bytes) else None
        if document is None:
            message = "a Dask worker sent back something that is not this student's result."
            return Failed(CLUSTER_SLOT, task.student, message, 0.0)
        task.result_path.parent.mkdir(parents=True, exist_ok=True)
        write_bytes_atomic(task.result_path, data)
        return Finished(CLUSTER_SLOT, task.student, outcome_of(document), _seconds(document))

    def _record(self, report: Finished | Failed, on_event: EventHandler | None) -> None:
        if isinstance(report, Finished):
            self.run.finished[report.student] = report.outcome
            self.run.failed.pop(report.student, None)
        else:
            self.run.failed[report.student] = report.message
        if on_event is not None:
            on_event(report)

    # -- the workers --------------------------------------------------------------------

    def _refresh(self, *, force: bool = False) -> None:
        now = time.monotonic()
        if not force and now - self.refreshed < REFRESH_SECONDS:
            return
        self.refreshed = now
        with contextlib.suppress(OSError, TimeoutError):  # the scheduler is busy: next time
            self.workers = dict(self.client.nthreads())
        self.most_workers = max(self.most_workers, len(self.workers))
        self.threaded.update(address for address, threads in self.workers.items() if threads > 1)

    def _watch_workers(self, on_event: EventHandler | None) -> None:
        """Give up on what is in flight and left once no worker was there for a while."""
        self._refresh(force=True)
        if self.workers:
            self.alone_since = None
            return
        now = time.monotonic()
        if self.alone_since is None:
            self.alone_since = now
            return
        if now - self.alone_since < self.worker_wait_seconds:
            return
        message = (
            f"not graded: no Dask worker was connected to {self.scheduler} for "
            f"{self.worker_wait_seconds:g} s; start workers and run the batch again."
        )
        futures = [future for future, _ in self.in_flight.values()]
        students = sorted(self.left())
        self.in_flight.clear()
        self.pending.clear()
        with contextlib.suppress(Exception):
            self.client.cancel(futures)
        for student in students:
            self._record(Failed(CLUSTER_SLOT, student, message, 0.0), on_event)

    def notes(self) -> tuple[str, ...]:
        if not self.threaded:
            return ()
        return (
            f"{len(self.threaded)} Dask worker(s) run several threads "
            f"({', '.join(sorted(self.threaded))}) but grade one submission at a time: "
            "start workers with --nthreads 1 and --nworkers set to the machine's cores to "
            "use every core.",
        )


def _lost(error: KilledWorker) -> str:
    return (
        "not graded: every Dask worker that took this submission died while grading it "
        f"({error}); run the batch again to retry it."
    )


def _seconds(result: Result) -> float:
    return float(result.timing.wall_seconds)
