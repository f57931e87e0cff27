"""The guard of tests/conftest.py: an internal error of the grader fails the test at fault."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent

PROVOKING = """
import pytest
from grader.errors import INTERNAL


def test_hides_a_bug():
    INTERNAL.error("A hidden test of exercise 'relu' raised an unexpected error.")


@pytest.mark.internal_error
def test_provokes_one_on_purpose():
    INTERNAL.error("provoked")


def test_clean():
    pass
"""


def test_a_logged_internal_error_fails_the_test_unless_marked(tmp_path: Path) -> None:
    shutil.copy(HERE / "conftest.py", tmp_path / "conftest.py")
    (tmp_path / "test_guard.py").write_text(PROVOKING, encoding="utf-8")
    run = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-rA", str(tmp_path)],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        timeout=120,
        check=False,
    )
    assert run.returncode == 1, run.stdout + run.stderr
    assert "ERROR test_guard.py::test_hides_a_bug" in run.stdout, run.stdout
    assert "raised an unexpected error" in run.stdout
    assert "PASSED test_guard.py::test_provokes_one_on_purpose" in run.stdout
    assert "PASSED test_guard.py::test_clean" in run.stdout
