"""Fixtures: one released handout per session, copied per test, and an isolated Python."""

from __future__ import annotations

import shutil
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import numpy
import pytest

from grader.authoring.release import release

ROOT = Path(__file__).resolve().parents[2]
SOLUTIONS = ROOT / "solutions"

# The folders that hold numpy and pytest, added to sys.path by hand in the isolated run:
# with -S the venv's .pth files (among them the editable install of this project) are not
# processed, so numpy and pytest import but `grader`, `reference` and `solutions` do not.
_SITE_DIRS = sorted({str(Path(numpy.__file__).parents[1]), str(Path(pytest.__file__).parents[1])})
_BOOTSTRAP = (
    "import runpy, sys\n"
    f"sys.path.extend({_SITE_DIRS!r})\n"
    "sys.argv = sys.argv[1:]\n"
    "runpy.run_path(sys.argv[0], run_name='__main__')\n"
)
_PYTEST = (
    f"import sys\nsys.path.extend({_SITE_DIRS!r})\n"
    "import pytest\nsys.exit(pytest.main(sys.argv[1:]))\n"
)

Runner = Callable[..., subprocess.CompletedProcess[str]]

ISOLATED_ENV = {"PATH": "/usr/bin:/bin", "LANG": "C"}


def isolated_command(code: str, *args: str) -> list[str]:
    """`code` with -I -S: no PYTHONPATH, no user site, no .pth files, cwd not on path."""
    return [sys.executable, "-I", "-S", "-c", code, *args]


def selfcheck_command(*args: str) -> list[str]:
    """``python selfcheck.py ARGS`` for the handout in the working folder, isolated."""
    return isolated_command(_BOOTSTRAP, "selfcheck.py", *args)


def isolated_python(code: str, *args: str, cwd: Path, env: dict[str, str] | None = None):
    """Run `code` in the isolated environment (see `isolated_command`) and wait for it."""
    return subprocess.run(
        isolated_command(code, *args),
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=60,
        env=env if env is not None else ISOLATED_ENV,
    )


@pytest.fixture(scope="session")
def released(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A handout released once for the session, in English (do not modify it)."""
    return release(tmp_path_factory.mktemp("released") / "handout")


@pytest.fixture
def handout(released: Path, tmp_path: Path) -> Path:
    """A private copy of the released handout, free to modify."""
    copy = tmp_path / "handout"
    shutil.copytree(released, copy)
    return copy


@pytest.fixture
def run_selfcheck() -> Runner:
    """Run ``python selfcheck.py ARGS`` in `handout`, in the isolated environment."""

    def run(handout: Path, *args: str, env: dict[str, str] | None = None):
        return isolated_python(_BOOTSTRAP, "selfcheck.py", *args, cwd=handout, env=env)

    return run


@pytest.fixture
def run_pytest() -> Runner:
    """Run plain ``pytest ARGS`` from `handout`, in the isolated environment."""

    def run(handout: Path, *args: str):
        return isolated_python(_PYTEST, "-p", "no:cacheprovider", *args, cwd=handout)

    return run


def copy_solutions(handout: Path) -> None:
    """Replace the handout's stubs with the answer key."""
    for source in SOLUTIONS.glob("*.py"):
        shutil.copyfile(source, handout / "exercises" / source.name)


def status_lines(output: str) -> dict[str, str]:
    """``{function: status word}`` from a self-check report."""
    statuses = {}
    for line in output.splitlines():
        parts = line.split()
        if line.startswith("  ") and not line.startswith("    ") and len(parts) >= 2:
            statuses[parts[-1]] = " ".join(parts[:-1])
    return statuses
