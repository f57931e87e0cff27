"""Each grading lane of a machine keeps to a CPU of its own while there are CPUs enough,
and the processes it starts (the sandbox's zygote and workers) keep to it too."""

from __future__ import annotations

import os
import subprocess
import sys
import threading
from collections.abc import Callable
from typing import Any

import pytest

from grader.distributed.cpus import own_cpu

ALLOWED = sorted(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else []

pytestmark = pytest.mark.skipif(not ALLOWED, reason="this platform has no CPU affinity")


def _in_thread(action: Callable[[], Any]) -> Any:
    """Run `action` in a thread of its own (affinity is per thread) and return its value."""
    box: list[Any] = []
    thread = threading.Thread(target=lambda: box.append(action()))
    thread.start()
    thread.join()
    return box[0]


def test_lanes_take_distinct_cpus_until_none_is_left_and_then_run_anywhere() -> None:
    held: list[int | None] = []
    release = threading.Event()
    ready = threading.Semaphore(0)

    def lane() -> None:
        with own_cpu() as cpu:
            held.append(cpu)
            if cpu is not None:
                assert os.sched_getaffinity(0) == {cpu}
            ready.release()
            release.wait()

    threads = [threading.Thread(target=lane) for _ in range(len(ALLOWED) + 1)]
    for thread in threads:
        thread.start()
        ready.acquire()  # one after the other: each sees the CPUs the previous ones took
    release.set()
    for thread in threads:
        thread.join()
    assert held[:-1] == ALLOWED  # the lowest free CPU each time
    assert held[-1] is None


def test_a_process_started_from_a_pinned_lane_keeps_to_its_cpu() -> None:
    def start_child() -> tuple[int | None, str, set[int]]:
        with own_cpu() as cpu:
            child = subprocess.run(
                [sys.executable, "-c", "import os; print(sorted(os.sched_getaffinity(0)))"],
                capture_output=True,
                text=True,
                check=True,
            )
        return cpu, child.stdout.strip(), os.sched_getaffinity(0)

    cpu, child_cpus, after = _in_thread(start_child)
    assert cpu == ALLOWED[0]
    assert child_cpus == f"[{cpu}]"
    assert after == set(ALLOWED)  # the lane runs anywhere again once it leaves
    assert _in_thread(_cpu_now) == ALLOWED[0]  # and its CPU is free again


def _cpu_now() -> int | None:
    with own_cpu() as cpu:
        return cpu
