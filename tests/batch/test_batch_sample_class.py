"""The sample class (examples/class/) through the real grader: the guarantees of issue 5.

Slow: each test grades the whole class with the real engine and sandbox. The class is graded
once with two workers (the reference) and every other run is compared with it.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest

from grader.batch import grade_class

SAMPLE = Path(__file__).resolve().parents[2] / "examples" / "class"
NNGRADE = [sys.executable, "-c", "from grader.cli import main; main()"]

pytestmark = pytest.mark.slow


def _documents(results: Path) -> dict[str, dict[str, Any]]:
    """Every result document, without its `timing` (the only non-reproducible part)."""
    documents = {}
    for path in sorted(results.glob("*/result.json")):
        document = json.loads(path.read_text())
        del document["timing"]
        documents[path.parent.name] = document
    return documents


def _class_files(results: Path) -> dict[str, bytes]:
    return {
        name: (results / name).read_bytes()
        for name in ("grades.csv", "moodle.csv", "canvas.csv", "summary.json")
    }


@pytest.fixture(scope="module")
def reference(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, float]:
    """The sample class graded once, uninterrupted, with two workers; and its wall time."""
    results = tmp_path_factory.mktemp("reference")
    began = time.monotonic()
    report = grade_class(SAMPLE, results, workers=2, render=False)
    elapsed = time.monotonic() - began
    assert len(report.graded) == len(report.discovery.submissions) >= 12
    return results, elapsed


def test_one_worker_and_two_workers_give_the_same_results(
    reference: tuple[Path, float], tmp_path: Path
) -> None:
    results, _ = reference
    grade_class(SAMPLE, tmp_path, workers=1, render=False)
    assert _documents(tmp_path) == _documents(results)
    assert _class_files(tmp_path) == _class_files(results)


def test_a_rerun_with_nothing_changed_grades_nothing_and_is_fast(
    reference: tuple[Path, float], tmp_path: Path
) -> None:
    results, first_seconds = reference
    copy = tmp_path / "results"
    shutil.copytree(results, copy)
    began = time.monotonic()
    report = grade_class(SAMPLE, copy, workers=2, render=False)
    rerun_seconds = time.monotonic() - began
    print(f"sample class: first run {first_seconds:.2f} s, rerun {rerun_seconds:.2f} s")
    assert report.graded == ()
    assert len(report.kept) == len(report.discovery.submissions)
    assert rerun_seconds < 0.3 * first_seconds
    assert _documents(copy) == _documents(results)


def _children(pid: int) -> list[int]:
    listing = subprocess.run(
        ["ps", "-o", "pid=", "--ppid", str(pid)], capture_output=True, text=True, check=False
    )
    return [int(line) for line in listing.stdout.split()]


def _gone(pids: list[int], seconds: float) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        alive = [pid for pid in pids if os.path.exists(f"/proc/{pid}")]
        if not alive:
            return True
        time.sleep(0.1)
    return False


def test_a_batch_killed_with_sigkill_halfway_finishes_on_the_next_run(
    reference: tuple[Path, float], tmp_path: Path
) -> None:
    """kill -9 of the batch: its grading processes follow it; the rerun completes the class."""
    results, _ = reference
    command = [*NNGRADE, "batch", str(SAMPLE), "--out", str(tmp_path), "--workers", "2"]
    process = subprocess.Popen(
        [*command, "--no-report"], stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
    )
    total = len(_documents(results))
    deadline = time.monotonic() + 300
    while len(list(tmp_path.glob("*/result.json"))) < 2:
        assert process.poll() is None, process.communicate()[0]
        assert time.monotonic() < deadline, "no result within 300 s"
        time.sleep(0.05)
    workers = _children(process.pid)
    process.kill()  # SIGKILL to the batch alone, as `kill -9 <pid>` does
    process.communicate(timeout=30)
    assert _gone(workers, 30), "grading processes outlived the killed batch"
    done = len(list(tmp_path.glob("*/result.json")))
    assert 2 <= done < total, "the kill came too late to test anything"

    rerun = subprocess.run(command, capture_output=True, text=True, timeout=600, check=False)
    assert rerun.returncode == 0, rerun.stdout + rerun.stderr
    assert f"{done} up-to-date results kept" in rerun.stdout
    assert _documents(tmp_path) == _documents(results)
    assert _class_files(tmp_path) == _class_files(results)
    leftovers = [p for p in tmp_path.rglob("*") if p.name.endswith(".tmp") or "-tmp-" in p.name]
    assert leftovers == []


def test_the_pages_rendered_while_grading_are_those_of_render_student_feedback(
    tmp_path: Path,
) -> None:
    """Each page rendered by a grading process, those with a plot included, is
    byte-identical to the parent's rendering."""
    from grader.report import load_result, render_student_feedback

    report = grade_class(SAMPLE, tmp_path, workers=2, lang="fr")
    assert len(report.graded) == len(report.discovery.submissions)
    with_plots = {
        student
        for student in report.graded
        if "<svg" in (tmp_path / student / "feedback.html").read_text(encoding="utf-8")
    }
    assert with_plots, "the sample class has a student whose page shows a curve"
    assert report.grading.rendered == set(report.graded)
    for student in report.graded:
        document = load_result(tmp_path / student / "result.json")
        page = (tmp_path / student / "feedback.html").read_text(encoding="utf-8")
        assert page == render_student_feedback(document, lang="fr"), student
    assert (tmp_path / "index.html").is_file()
