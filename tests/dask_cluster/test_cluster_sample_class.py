"""The sample class graded on a real Dask cluster: a `dask scheduler` and two `dask worker`
processes over TCP on 127.0.0.1, no mocks.

The class is graded once locally (the reference); every cluster run must write the same
documents (apart from `timing`), class files and feedback pages, also when a worker is
killed mid-task or the batch itself is killed and run again.
"""

from __future__ import annotations

import json
import re
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

pytest.importorskip(
    "distributed", reason="grading on a cluster needs Dask: pip install -e '.[dask]'"
)

from grader.batch import grade_class
from grader.distributed.runner import grade_on_cluster
from grader.errors import UsageError

from .dask_processes import DaskProcesses

SAMPLE = Path(__file__).resolve().parents[2] / "examples" / "class"
EXPECTED: dict[str, dict[str, Any]] = json.loads(
    SAMPLE.with_name("class-expected.json").read_text()
)
NNGRADE = [sys.executable, "-c", "from grader.cli import main; main()"]
CLASS_FILES = ("grades.csv", "moodle.csv", "canvas.csv", "summary.json")

pytestmark = pytest.mark.slow


def _documents(results: Path) -> dict[str, dict[str, Any]]:
    """Every result document, without its `timing` (the only non-reproducible part)."""
    documents = {}
    for path in sorted(results.glob("*/result.json")):
        document = json.loads(path.read_text())
        del document["timing"]
        documents[path.parent.name] = document
    return documents


def _files(results: Path, pattern: str) -> dict[str, bytes]:
    return {
        str(path.relative_to(results)): path.read_bytes() for path in sorted(results.glob(pattern))
    }


def _leftovers(results: Path) -> list[str]:
    return [path.name for path in results.rglob("*") if "nngrade-tmp" in path.name]


def _nngrade_plugins(cluster: DaskProcesses) -> list[str]:
    def plugins(dask_scheduler: Any) -> list[str]:
        return [name for name in dask_scheduler.worker_plugins if name.startswith("nngrade")]

    with cluster.client() as client:
        names: list[str] = client.run_on_scheduler(plugins)
    return names


@pytest.fixture(scope="module")
def reference(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The sample class graded by a local batch, with its report."""
    results = tmp_path_factory.mktemp("local")
    report = grade_class(SAMPLE, results, workers=2)
    assert len(report.graded) == len(EXPECTED)
    return results


@pytest.fixture(scope="module")
def cluster(tmp_path_factory: pytest.TempPathFactory) -> Iterator[DaskProcesses]:
    """A scheduler and two workers, for the tests that do not kill anything."""
    processes = DaskProcesses(tmp_path_factory.mktemp("cluster"))
    try:
        processes.start_scheduler()
        processes.start_worker("w1")
        processes.start_worker("w2")
        processes.wait_for_workers(2)
        yield processes
    finally:
        processes.stop()


@pytest.fixture
def own_cluster(tmp_path: Path) -> Iterator[DaskProcesses]:
    """A scheduler and two workers that a test may kill."""
    processes = DaskProcesses(tmp_path / "cluster")
    processes.root.mkdir()
    try:
        processes.start_scheduler()
        processes.start_worker("w1")
        processes.start_worker("w2")
        processes.wait_for_workers(2)
        yield processes
    finally:
        processes.stop()


def test_the_class_graded_on_the_cluster_is_the_class_graded_here(
    reference: Path, cluster: DaskProcesses, tmp_path: Path
) -> None:
    """Same documents apart from `timing`, same class files and feedback pages, each
    submission with the outcome it was built for; a rerun keeps every result."""
    report = grade_class(SAMPLE, tmp_path, scheduler=cluster.address)
    assert report.workers == 2
    assert sorted(report.graded) == sorted(name.split(".")[0] for name in EXPECTED)
    documents = _documents(tmp_path)
    assert documents == _documents(reference)
    assert _files(tmp_path, "*.csv") == _files(reference, "*.csv")
    assert _files(tmp_path, "summary.json") == _files(reference, "summary.json")
    assert _files(tmp_path, "*/feedback.html") == _files(reference, "*/feedback.html")
    assert (tmp_path / "index.html").is_file()
    for name, expected in EXPECTED.items():
        exercises = documents[name.split(".")[0]]["exercises"]
        lose = {e["id"] for e in exercises} if expected["lose"] == "all" else set(expected["lose"])
        for exercise in exercises:
            full = exercise["score"] == exercise["max_score"]
            assert full != (exercise["id"] in lose), (name, exercise["id"])

    again = grade_class(SAMPLE, tmp_path, scheduler=cluster.address, render=False)
    assert again.graded == ()
    assert len(again.kept) == len(EXPECTED)
    assert _nngrade_plugins(cluster) == []  # each run removes its sandboxes


def test_the_cluster_grades_under_the_batchs_limits(cluster: DaskProcesses, tmp_path: Path) -> None:
    """--call-timeout and the course's limits reach the workers: the endless loop is stopped
    at the batch's deadline, every result records the batch's figures, and a local run
    under the same limits keeps every result."""
    import shutil

    from grader.sandbox import SandboxLimits

    submissions = tmp_path / "submissions"
    submissions.mkdir()
    for name in ("ada_package_imports", "leo_infinite_loop"):
        shutil.copytree(SAMPLE / name, submissions / name)
    limits = SandboxLimits(wall_seconds_per_call=0.25, memory_bytes=768 << 20)
    results = tmp_path / "results"
    report = grade_class(
        submissions, results, scheduler=cluster.address, limits=limits, render=False
    )
    assert sorted(report.graded) == ["ada_package_imports", "leo_infinite_loop"]
    for document in _documents(results).values():
        assert document["isolation"]["limits"] == limits.as_dict()
    leo = json.loads((results / "leo_infinite_loop" / "result.json").read_text())
    assert "0.25 s" in json.dumps(leo)

    local = grade_class(submissions, results, limits=limits, render=False)
    assert local.graded == ()
    assert sorted(local.kept) == ["ada_package_imports", "leo_infinite_loop"]


def test_a_worker_of_another_nngrade_version_is_refused_before_grading(
    cluster: DaskProcesses, tmp_path: Path
) -> None:
    from batch.fake_backend import fake_backend

    with pytest.raises(UsageError, match=r"runs nngrade \S+ but the batch's client runs nngrade 9"):
        grade_class(
            SAMPLE, tmp_path, scheduler=cluster.address, backend=fake_backend("9.9.9"), render=False
        )
    assert list(tmp_path.glob("*/result.json")) == []
    assert _nngrade_plugins(cluster) == []


def test_a_worker_killed_mid_task_loses_nothing_and_writes_nothing_twice(
    reference: Path, own_cluster: DaskProcesses, tmp_path: Path
) -> None:
    """`kill -9` of a worker (and its nanny) while it grades: Dask grades its submission on
    the other worker; every student is reported once and the results are the local ones."""
    results = tmp_path / "results"
    command = [*NNGRADE, "batch", str(SAMPLE), "--out", str(results), "--no-report"]
    batch = subprocess.Popen(
        [*command, "--scheduler", own_cluster.address],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    victim = ""
    with own_cluster.client() as client:
        deadline = time.monotonic() + 300
        while not victim:
            assert batch.poll() is None, batch.communicate()[0]
            assert time.monotonic() < deadline, "the batch never got going"
            done = len(list(results.glob("*/result.json")))
            busy = client.processing()
            grading = [address for address, keys in busy.items() if keys]
            if done >= 3 and grading:
                victim = grading[0]
            else:
                time.sleep(0.05)
        name = client.scheduler_info()["workers"][victim]["name"]
        held = client.processing()[victim]
        own_cluster.kill(name)
    output, _ = batch.communicate(timeout=600)
    assert batch.returncode == 0, output
    assert held, "the worker was killed while holding no submission"
    reported = re.findall(r"^\[\d+/\d+\] (\S+):", output, flags=re.MULTILINE)
    assert sorted(reported) == sorted(name.split(".")[0] for name in EXPECTED), output
    assert f"[{len(EXPECTED)}/{len(EXPECTED)}]" in output
    assert _documents(results) == _documents(reference)
    assert _files(results, "*.csv") == _files(reference, "*.csv")
    assert _leftovers(results) == []


def _start_and_stop_after(
    command: list[str], results: Path, count: int, signum: int
) -> subprocess.CompletedProcess[str]:
    """Run `command`, send `signum` once `results` holds `count` results, wait for it."""
    batch = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    deadline = time.monotonic() + 300
    while len(list(results.glob("*/result.json"))) < count:
        assert batch.poll() is None, batch.communicate()[0]
        assert time.monotonic() < deadline, f"not {count} results within 300 s"
        time.sleep(0.02)
    batch.send_signal(signum)
    output, _ = batch.communicate(timeout=60)
    return subprocess.CompletedProcess(command, batch.returncode, output)


def test_a_batch_stopped_or_killed_halfway_finishes_on_the_next_run(
    reference: Path, own_cluster: DaskProcesses, tmp_path: Path
) -> None:
    """SIGTERM, then `kill -9` of a later run: only whole results are left, the next run
    keeps them and grades the rest; a stopped run removes its sandboxes from the workers,
    and the next run removes those of the killed one."""
    results = tmp_path / "results"
    command = [*NNGRADE, "batch", str(SAMPLE), "--out", str(results), "--no-report"]
    command += ["--scheduler", own_cluster.address]

    stopped = _start_and_stop_after(command, results, 3, signal.SIGTERM)
    assert stopped.returncode == 130, stopped.stdout
    assert "Interrupted after" in stopped.stdout
    assert "To finish, run the same command again" in stopped.stdout
    first = len(list(results.glob("*/result.json")))
    assert 3 <= first < len(EXPECTED), "the stop came too late to test anything"
    assert _nngrade_plugins(own_cluster) == []

    killed = _start_and_stop_after(command, results, first + 2, signal.SIGKILL)
    assert killed.returncode == -signal.SIGKILL
    done = len(list(results.glob("*/result.json")))
    assert f"{first} results up to date, kept." in killed.stdout
    assert done < len(EXPECTED), "the kill came too late to test anything"
    assert len(_nngrade_plugins(own_cluster)) == 1  # the killed run's sandboxes are left

    rerun = subprocess.run(command, capture_output=True, text=True, timeout=600, check=False)
    assert rerun.returncode == 0, rerun.stdout + rerun.stderr
    assert f"{done} up-to-date results kept" in rerun.stdout
    assert _documents(results) == _documents(reference)
    assert _files(results, "*.csv") == _files(reference, "*.csv")
    assert _leftovers(results) == []
    assert _nngrade_plugins(own_cluster) == []


def test_an_unreachable_scheduler_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(UsageError, match=r"Could not connect to the Dask scheduler at 'tcp://"):
        _grade_one_on("tcp://127.0.0.1:9", tmp_path, connect_seconds=2)


def test_a_scheduler_without_workers_is_a_clear_error(tmp_path: Path) -> None:
    processes = DaskProcesses(tmp_path)
    try:
        address = processes.start_scheduler()
        with pytest.raises(UsageError, match=r"No Dask worker connected .* `dask worker tcp:"):
            _grade_one_on(address, tmp_path, worker_wait_seconds=1)
    finally:
        processes.stop()


def _grade_one_on(
    scheduler: str,
    results: Path,
    *,
    connect_seconds: float = 30.0,
    worker_wait_seconds: float = 120.0,
) -> None:
    from grader.batch.backend import engine_backend
    from grader.batch.worker import Task, WorkerSettings

    settings = WorkerSettings(backend=engine_backend(), hidden_paths=(), lang="en")
    task = Task("chloe", SAMPLE / "chloe_plain_imports", results / "chloe" / "result.json")
    grade_on_cluster(
        [task],
        settings,
        scheduler=scheduler,
        connect_seconds=connect_seconds,
        worker_wait_seconds=worker_wait_seconds,
    )
