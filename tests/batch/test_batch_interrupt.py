"""A batch killed at any moment loses nothing: run it as a real process, kill it, run again.

The batch runs `nngrade batch` (the real command) in a subprocess whose grader is the fake
one, slowed down so that the kill lands in the middle of the class.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from .fake_backend import folder_submission

TESTS = Path(__file__).resolve().parents[1]
# `nngrade batch` with the fake grader put in place of the engine.
COMMAND = (
    "import sys; sys.path.insert(0, {tests!r});"
    "from batch.fake_backend import fake_backend;"
    "import grader.batch.pipeline as module;"
    "module.engine_backend = fake_backend;"
    "from grader.cli import main;"
    "main(['batch', *sys.argv[1:]])"
)
STUDENTS = [f"s{index:02d}" for index in range(10)]


def _start(submissions: Path, results: Path, *extra: str) -> subprocess.Popen[str]:
    code = COMMAND.format(tests=str(TESTS))
    return subprocess.Popen(
        [
            sys.executable,
            "-c",
            code,
            str(submissions),
            "--out",
            str(results),
            "--no-report",
            *extra,
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,  # the test, not the terminal, sends the signals
    )


def _slow_class(root: Path, seconds: float) -> Path:
    for index, student in enumerate(STUDENTS):
        folder_submission(root, student, "sigmoid" if index % 2 else "tanh", f"SLEEP {seconds}")
    return root


def _wait_for_some_results(results: Path, process: subprocess.Popen[str]) -> int:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        done = len(list(results.glob("*/result.json")))
        if done >= 2:
            return done
        assert process.poll() is None, process.communicate()[0]
        time.sleep(0.02)
    pytest.fail("the batch wrote no result within 60 s")


def _without_dotfiles(folder: Path) -> dict[str, bytes]:
    return {
        path.relative_to(folder).as_posix(): path.read_bytes()
        for path in sorted(folder.rglob("*"))
        if path.is_file() and not path.name.startswith(".")
    }


def _leftovers(folder: Path) -> list[str]:
    return [p.name for p in folder.rglob("*") if p.name.startswith(".") and "tmp" in p.name]


@pytest.mark.slow
def test_a_batch_killed_with_sigkill_finishes_on_the_next_run(tmp_path: Path) -> None:
    """SIGKILL halfway, rerun: every result present, valid, same as an uninterrupted run."""
    submissions = _slow_class(tmp_path / "class", 0.4)
    reference = tmp_path / "reference"
    first = _start(submissions, reference, "--workers", "2")
    assert first.communicate(timeout=120) and first.returncode == 0

    results = tmp_path / "results"
    process = _start(submissions, results, "--workers", "2")
    done = _wait_for_some_results(results, process)
    os.killpg(process.pid, signal.SIGKILL)
    process.communicate(timeout=30)
    assert done < len(STUDENTS), "the kill came too late to test anything"
    assert not (results / "summary.json").exists()

    rerun = _start(submissions, results, "--workers", "2")
    output = rerun.communicate(timeout=120)[0]
    assert rerun.returncode == 0, output
    assert "up-to-date results kept" in output
    for student in STUDENTS:
        json.loads((results / student / "result.json").read_text())
    assert _without_dotfiles(results) == _without_dotfiles(reference)
    assert _leftovers(results) == []


@pytest.mark.slow
def test_ctrl_c_stops_cleanly_keeps_what_is_done_and_says_how_to_resume(tmp_path: Path) -> None:
    submissions = _slow_class(tmp_path / "class", 0.4)
    results = tmp_path / "results"
    process = _start(submissions, results, "--workers", "2")
    _wait_for_some_results(results, process)
    os.killpg(process.pid, signal.SIGINT)  # what a terminal sends to the whole group
    output = process.communicate(timeout=60)[0]
    assert process.returncode == 130, output
    assert "Interrupted after" in output
    assert "To finish, run the same command again (nngrade batch" in output
    assert "what is already graded is kept" in output
    kept = sorted(path.parent.name for path in results.glob("*/result.json"))
    assert 2 <= len(kept) < len(STUDENTS)
    for student in kept:
        json.loads((results / student / "result.json").read_text())
    assert _leftovers(results) == []
    assert not (results / "grades.csv").exists()
