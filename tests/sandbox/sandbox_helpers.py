"""Shared figures and helpers of the sandbox tests (named uniquely: no clash with conftests)."""

from __future__ import annotations

import ast
import os
from collections.abc import Callable

import pytest

from grader.sandbox import SandboxLimits, StudentSession

TEST_LIMITS = SandboxLimits(
    cpu_seconds=20.0,
    wall_seconds_per_call=1.0,
    wall_seconds_per_submission=30.0,
    import_seconds=1.0,
    memory_bytes=512 << 20,
    output_bytes=1024,
)

needs_root = pytest.mark.skipif(
    os.geteuid() != 0, reason="needs root: workers run as a dedicated uid only under root"
)

OpenSession = Callable[..., StudentSession]


def function_modules_of(sources: dict[str, str]) -> dict[str, str]:
    """Every top-level function of the sources -> its module."""
    return {
        node.name: module
        for module, text in sources.items()
        for node in ast.parse(text).body
        if isinstance(node, ast.FunctionDef)
    }


def _parents() -> dict[int, int]:
    found = {}
    for entry in filter(str.isdigit, os.listdir("/proc")):
        try:
            with open(f"/proc/{entry}/stat", "rb") as stat:
                fields = stat.read().rsplit(b")", 1)[1].split()
        except OSError:
            continue
        found[int(entry)] = int(fields[1])
    return found


def descendants(pid: int) -> list[int]:
    """Every live process below `pid` (children, their children...), zombies included."""
    parents = _parents()
    found: list[int] = []
    frontier = [pid]
    while frontier:
        parent = frontier.pop()
        children = [child for child, of in parents.items() if of == parent]
        found.extend(children)
        frontier.extend(children)
    return found


def worker_processes(zygote_pid: int) -> list[int]:
    """The processes the sandbox's workers run: everything below the zygote but the
    zygote's own inner process (the pid 1 of its PID namespace)."""
    below = descendants(zygote_pid)
    inner = [pid for pid in below if _parents().get(pid) == zygote_pid]
    return [pid for pid in below if pid not in inner]
