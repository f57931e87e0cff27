"""The yardstick of the per-submission figures: a bare ``python -c "import numpy"``.

A grader that costs a fraction of a numpy start per submission is fast on any machine; the
ratio, measured in the same run as the batch it is compared with, also cancels much of what
other work on a shared machine does to both.
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


def numpy_starts(repeats: int) -> list[float]:
    """The wall time of `repeats` starts of a bare ``python -c "import numpy"`` (the
    benchmark's interpreter), after one unmeasured start that warms the disk cache."""
    environment = {key: value for key, value in os.environ.items() if key != "PYTHONPATH"}
    walls = []
    for attempt in range(repeats + 1):
        clock = time.perf_counter()
        subprocess.run(COMMAND, env=environment, check=True, stdin=subprocess.DEVNULL)
        if attempt:
            walls.append(time.perf_counter() - clock)
    return walls


def numpy_figures(before: Sequence[float], after: Sequence[float]) -> dict[str, Any]:
    """The starts measured before and after what they are compared with, and their median."""
    return {
        "command": "python -c 'import numpy'",
        "walls_before": list(before),
        "walls_after": list(after),
        "median_wall_seconds": statistics.median([*before, *after]),
    }
