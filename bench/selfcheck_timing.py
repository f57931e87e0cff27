"""Time the handout's self-check as a student runs it: ``python selfcheck.py`` in the handout.

The handout is written by ``nngrade release`` into a temporary folder; the self-check runs
first on the untouched stubs (every function "not started"), then with the answer key
copied over ``exercises/`` (every check passes), then with a loop that never ends in
``tanh`` (tanh is stopped at its deadline, what builds on it waits). Each is timed from a
fresh interpreter, start-up and numpy import included (the self-check's and its worker's),
`repeats` times; the medians of the wall time and of the CPU time (user + system of the
self-check and every process it waited for, its worker included) are reported.
"""

from __future__ import annotations

import os
import resource
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

from bench.synthetic import MODULES, ROOT
from bench.tools import BenchmarkFailed, console_script, tool_environment


def _student_environment() -> dict[str, str]:
    # A student's shell knows nothing of the project: the handout must stand alone.
    return {key: value for key, value in os.environ.items() if key != "PYTHONPATH"}


# The answer line of tanh in solutions/, and what replaces it in the "loop" run.
TANH_ANSWER = "    return np.tanh(Z)\n"
ENDLESS = "    while True:\n        pass\n"


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def _time_selfcheck(handout: Path, repeats: int) -> dict[str, Any]:
    times, cpus, codes, last_line = [], [], set(), ""
    for _ in range(repeats):
        cpu = _children_cpu()
        clock = time.perf_counter()
        done = subprocess.run(
            [sys.executable, "selfcheck.py"],
            cwd=handout,
            capture_output=True,
            text=True,
            stdin=subprocess.DEVNULL,
            env=_student_environment(),
        )
        times.append(time.perf_counter() - clock)
        cpus.append(_children_cpu() - cpu)
        codes.add(done.returncode)
        lines = [line for line in done.stdout.splitlines() if line.strip()]
        last_line = lines[-1] if lines else done.stderr.strip()[-200:]
    return {
        "median_wall_seconds": statistics.median(times),
        "min_wall_seconds": min(times),
        "max_wall_seconds": max(times),
        "median_cpu_seconds": statistics.median(cpus),
        "exit_codes": sorted(codes),
        "summary_line": last_line,
    }


def selfcheck_timing(work: Path, repeats: int = 5) -> dict[str, Any]:
    """Release the handout into `work` and time its self-check: empty, complete, and
    complete but for a tanh that never returns."""
    handout = work / "handout"
    if handout.exists():
        shutil.rmtree(handout)
    release = subprocess.run(
        [str(console_script("nngrade")), "release", "--out", str(handout)],
        capture_output=True,
        text=True,
        env=tool_environment(),
    )
    if release.returncode != 0:
        raise BenchmarkFailed(
            f"nngrade release exited with status {release.returncode}:\n{release.stderr}"
        )
    empty = _time_selfcheck(handout, repeats)
    for name in MODULES:
        shutil.copyfile(ROOT / "solutions" / f"{name}.py", handout / "exercises" / f"{name}.py")
    complete = _time_selfcheck(handout, repeats)
    activations = handout / "exercises" / "activations.py"
    source = activations.read_text(encoding="utf-8")
    if TANH_ANSWER not in source:
        raise BenchmarkFailed(f"solutions/activations.py no longer has {TANH_ANSWER.strip()!r}.")
    activations.write_text(source.replace(TANH_ANSWER, ENDLESS, 1), encoding="utf-8")
    looping = _time_selfcheck(handout, repeats)
    return {"repeats": repeats, "stubs": empty, "solutions": complete, "loop": looping}
