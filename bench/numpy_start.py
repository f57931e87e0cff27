"""The yardstick of the per-submission figures: a bare ``python -c "import numpy"``.

A grader that costs a fraction of a numpy start per submission is fast on any machine; the
ratio, measured in the same run as the batch it is compared with, also cancels much of what
other work on a shared machine does to both. Not all: a busy machine makes a lone start wait
for a CPU more than it slows a batch that keeps every core busy. So the CPU of each start is
kept too (user + system, from ``wait4``), for a ratio of CPU to CPU, which load moves less.
"""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import time
from collections.abc import Sequence
from typing import Any

COMMAND: tuple[str, ...] = (sys.executable, "-c", "import numpy")

Start = tuple[float, float]
"""One start: (wall seconds, CPU seconds)."""


def numpy_starts(repeats: int) -> list[Start]:
    """`repeats` starts of a bare ``python -c "import numpy"`` (the benchmark's interpreter),
    after one unmeasured start that warms the disk cache: their wall and CPU times."""
    environment = {key: value for key, value in os.environ.items() if key != "PYTHONPATH"}
    starts = []
    for attempt in range(repeats + 1):
        clock = time.perf_counter()
        process = subprocess.Popen(COMMAND, env=environment, stdin=subprocess.DEVNULL)
        _, status, usage = os.wait4(process.pid, 0)
        wall = time.perf_counter() - clock
        process.returncode = os.waitstatus_to_exitcode(status)
        if process.returncode != 0:
            raise RuntimeError(f"{' '.join(COMMAND)} exited with {process.returncode}.")
        if attempt:
            starts.append((wall, usage.ru_utime + usage.ru_stime))
    return starts


def numpy_figures(before: Sequence[Start], after: Sequence[Start]) -> dict[str, Any]:
    """The starts measured before and after what they are compared with, and the medians."""
    starts = [*before, *after]
    return {
        "command": "python -c 'import numpy'",
        "walls_before": [wall for wall, _ in before],
        "walls_after": [wall for wall, _ in after],
        "cpus": [cpu for _, cpu in starts],
        "median_wall_seconds": statistics.median(wall for wall, _ in starts),
        "median_cpu_seconds": statistics.median(cpu for _, cpu in starts),
    }


def against_numpy(figures: dict[str, Any], numpy: dict[str, Any], workers: int) -> None:
    """Add to a batch's `figures` its cost per submission in numpy starts: wall over wall,
    and CPU per submission spread over the workers over the CPU of a start."""
    figures["numpy_start"] = numpy
    figures["wall_per_submission_over_numpy_start"] = (
        figures["wall_seconds_per_submission"] / numpy["median_wall_seconds"]
    )
    figures["cpu_per_submission_per_worker_over_numpy_start_cpu"] = (
        figures["cpu_seconds_per_submission"] / workers / numpy["median_cpu_seconds"]
    )
