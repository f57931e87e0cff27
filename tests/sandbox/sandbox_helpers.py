"""Shared figures and helpers of the sandbox tests (named uniquely: no clash with conftests)."""

from __future__ import annotations

import ast
import os
from collections.abc import Callable

import pytest

from grader.sandbox import SandboxLimits, StudentSession

# Slots far from 0, so that these tests never share a uid with another grader on the machine.
TEST_SLOT = 41
TEST_LIMITS = SandboxLimits(
    cpu_seconds=20.0,
    wall_seconds_per_call=1.0,
    wall_seconds_per_submission=30.0,
    import_seconds=1.0,
    memory_bytes=512 << 20,
    output_bytes=1024,
)

needs_root = pytest.mark.skipif(
    os.geteuid() != 0, reason="needs root: dedicated uid, namespaces and hidden paths"
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
