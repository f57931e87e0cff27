"""The commands the benchmark runs, found in the benchmark's own environment."""

from __future__ import annotations

import os
import shutil
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


class BenchmarkFailed(Exception):
    """A step of the benchmark could not run; the message says why and what to do."""


def console_script(name: str) -> Path:
    """The console script `name` beside the interpreter running the benchmark (its venv)."""
    beside = Path(sys.executable).parent / name
    found = beside if beside.exists() else shutil.which(name)
    if found is None:
        raise BenchmarkFailed(
            f"The `{name}` command is not installed beside {sys.executable}; install the "
            "project into this environment (pip install -e '.[test,nbgrader]')."
        )
    return Path(found)


def tool_environment() -> dict[str, str]:
    """The environment of every command the benchmark runs.

    The interpreter's folder goes first on PATH (nbgrader runs `alembic` from PATH), and
    the checkout on PYTHONPATH, so that the packages of this tree are the ones measured
    even when the editable install predates one of them.
    """
    bin_dir = str(Path(sys.executable).parent)
    return {
        **os.environ,
        "PATH": f"{bin_dir}{os.pathsep}{os.environ.get('PATH', '')}",
        "PYTHONPATH": str(ROOT),
    }
