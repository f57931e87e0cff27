"""The code base stays `ruff check`, `ruff format --check` and `mypy` clean (pyproject.toml)."""

from __future__ import annotations

import importlib.util
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


def _ruff() -> list[str]:
    beside_python = Path(sys.executable).with_name("ruff")
    if beside_python.exists():
        return [str(beside_python)]
    found = shutil.which("ruff")
    if found is None:
        pytest.fail("ruff is not installed: install the test extra, pip install -e '.[test]'.")
    return [found]


@pytest.mark.parametrize("arguments", [["check", "."], ["format", "--check", "."]])
def test_ruff_is_clean(arguments: list[str]) -> None:
    """Lint and formatting problems fail the suite, with ruff's own report."""
    completed = subprocess.run(
        [*_ruff(), *arguments], cwd=ROOT, capture_output=True, text=True, timeout=120
    )
    assert completed.returncode == 0, completed.stdout + completed.stderr


@pytest.mark.slow
def test_mypy_is_clean() -> None:
    """Type errors in grader/, reference/, solutions/ and bench/ fail the suite, with mypy's
    own report (the files and settings are [tool.mypy] in pyproject.toml)."""
    if importlib.util.find_spec("mypy") is None:
        pytest.fail("mypy is not installed: install the test extra, pip install -e '.[test]'.")
    completed = subprocess.run(
        [sys.executable, "-m", "mypy"], cwd=ROOT, capture_output=True, text=True, timeout=600
    )
    assert completed.returncode == 0, completed.stdout + completed.stderr
