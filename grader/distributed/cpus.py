"""A CPU of its own for each grading lane of a machine, while there are CPUs enough.

A lane and its sandbox take turns: the trusted side calls, the student's worker answers,
hundreds of times per submission. On one CPU a turn is a switch between two processes;
spread over CPUs that other lanes keep busy, each turn waits for a CPU to be free (two
Dask workers on a busy 2-core machine graded slower and far less steadily unpinned). A
local batch
gives each of its grading processes a CPU (`grader.batch.worker.lane_cpus`); Dask starts
its worker processes independently, so each lane reserves a CPU machine-wide with a lock
file, as the sandbox reserves its slot, and keeps its thread there: the sandbox's zygote
and workers, forked from that thread, inherit it. Once every CPU is taken, a lane runs
wherever the system puts it.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import tempfile
from collections.abc import Iterator
from pathlib import Path


def _lock_folder() -> Path:
    if os.geteuid() == 0 and Path("/run").is_dir():
        folder = Path("/run/nngrade-cpus")
    else:
        folder = Path(tempfile.gettempdir(), f"nngrade-cpus-{os.geteuid()}")
    folder.mkdir(mode=0o700, exist_ok=True)
    return folder


def _try_lock(path: Path) -> int | None:
    descriptor = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
    try:
        fcntl.flock(descriptor, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        os.close(descriptor)
        return None
    return descriptor


@contextlib.contextmanager
def own_cpu() -> Iterator[int | None]:
    """Keep the calling thread on a CPU no other lane of this machine holds; yield it, or
    None when none is free (or the platform has no CPU affinity). On leaving, the thread
    may run anywhere again and the CPU is free for another lane.
    """
    try:
        allowed = os.sched_getaffinity(0)  # on Linux, of the calling thread
        folder = _lock_folder()
    except (AttributeError, OSError):
        yield None
        return
    for cpu in sorted(allowed):
        try:
            descriptor = _try_lock(folder / f"cpu-{cpu}.lock")
        except OSError:
            break
        if descriptor is None:
            continue
        try:
            try:
                os.sched_setaffinity(0, {cpu})
            except OSError:  # taken offline meanwhile: run anywhere
                yield None
            else:
                yield cpu
        finally:
            with contextlib.suppress(OSError):
                os.sched_setaffinity(0, allowed)
            os.close(descriptor)
        return
    yield None
