"""What runs on the Dask workers: the plugin that keeps a warm sandbox, and the task.

The batch's client registers one `SandboxPlugin` per run under a name of its own: Dask sets
it up on every worker process of the cluster, and on every worker that joins later. Its
setup checks that the worker runs the client's nngrade version, then starts a grading lane
(a thread with one open sandbox) and returns once the sandbox is open, so that a machine
that cannot build the sandbox is reported before anything is graded. `grade_on_worker` is the
task: it hands the request's bytes to the lane of its worker process and returns the
document's bytes. Removing the plugin (the end of the run) closes the sandbox.
"""

from __future__ import annotations

import asyncio
import functools
import os
from pathlib import Path
from typing import Any

from distributed import WorkerPlugin, get_worker

import grader
from grader.batch.backend import engine_sandbox
from grader.distributed.lane import GradingLane, grade_request, version_mismatch
from grader.errors import SandboxError, UsageError
from grader.i18n import N_, Text

PLUGIN_PREFIX = "nngrade-sandbox-"


class SandboxPlugin(WorkerPlugin):
    """Keeps one warm sandbox in each Dask worker process for one batch.

    Args:
        grader_version: the client's nngrade version; a worker running another refuses.
        hidden_paths: the client's folders the students' code must not see (the
            submissions, the results), hidden too on a worker of the same machine; the
            worker's own local directory (where Dask may spill other students' data) is
            always hidden.
        limits: the batch's `SandboxLimits` (its options, the course's nngrade.toml);
            None: nngrade's defaults. Every worker grades under the client's figures, which
            each result records.
    """

    idempotent = False

    def __init__(
        self, grader_version: str, hidden_paths: tuple[str, ...] = (), limits: Any = None
    ) -> None:
        self.grader_version = grader_version
        self.hidden_paths = hidden_paths
        self.limits = limits
        self.lane: GradingLane | None = None
        self.error: Exception | None = None

    async def setup(self, worker: Any) -> None:
        where = Text("The Dask worker %(address)s", address=worker.address)
        if grader.__version__ != self.grader_version:
            mismatch = version_mismatch(self.grader_version, grader.__version__, where)
            self.error = UsageError(mismatch)
            raise self.error
        hidden = tuple(Path(path) for path in self.hidden_paths if os.path.exists(path))
        lane = GradingLane(
            functools.partial(engine_sandbox, limits=self.limits),
            (*hidden, Path(worker.local_directory)),
            grade_request,
            name=f"the Dask worker {worker.address}",
            where=Text("the Dask worker %(address)s", address=worker.address),
            pin=True,
        )
        self.lane = lane
        lane.start()
        try:
            await asyncio.to_thread(lane.wait_ready)
        except SandboxError as error:
            self.error = error
            raise

    def teardown(self, worker: Any) -> None:
        # Not waiting: the submission being graded (whose batch was stopped) may take up to
        # its time budget; the lane closes the sandbox once it is done.
        if self.lane is not None:
            self.lane.close(wait=False)

    def grade(self, request: bytes) -> bytes:
        """Grade `request` in this worker's sandbox (see `GradingLane.grade`)."""
        if self.error is not None:
            raise self.error
        if self.lane is None:
            raise SandboxError(
                Text(N_("The nngrade sandbox of this Dask worker was never set up."))
            )
        return self.lane.grade(request)


def grade_on_worker(plugin_name: str, request: bytes) -> bytes:
    """The Dask task: grade one request with the sandbox of the plugin `plugin_name`.

    Raises:
        SandboxError: this worker has no such plugin (it was removed: the run is over), or
            its sandbox could not start.
        UsageError: this worker runs another nngrade version than the client.
    """
    worker = get_worker()
    plugin = worker.plugins.get(plugin_name)
    if not isinstance(plugin, SandboxPlugin):
        raise SandboxError(
            Text(
                "The Dask worker %(address)s has no nngrade sandbox %(plugin)s: the batch that "
                "registered it has ended.",
                address=worker.address,
                plugin=repr(plugin_name),
            )
        )
    return plugin.grade(request)
