"""A grading lane: one sandbox, opened once, used by one thread, one submission at a time."""

from __future__ import annotations

import contextlib
import json
import threading
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest

import grader
from grader.batch.backend import engine_sandbox
from grader.distributed.lane import GradingLane, grade_request, version_mismatch
from grader.distributed.request import GradingRequest
from grader.engine import grade_submission
from grader.errors import SandboxError, UsageError
from grader.i18n import Text, in_language
from grader.loading import load_submission

SAMPLE = Path(__file__).resolve().parents[2] / "examples" / "class"


class Recorder:
    """A fake sandbox opener and grader that record which thread did what, and when."""

    def __init__(self, seconds: float = 0.0, fail_open: bool = False) -> None:
        self.seconds = seconds
        self.fail_open = fail_open
        self.opened: list[str] = []
        self.closed: list[str] = []
        self.graded: list[tuple[str, bytes]] = []
        self.busy = 0
        self.most_busy = 0
        self.lock = threading.Lock()

    @contextlib.contextmanager
    def open_sandbox(self, slot: int, hidden: tuple[Path, ...]) -> Iterator[str]:
        if self.fail_open:
            raise OSError("no user namespaces here")
        self.opened.append(threading.current_thread().name)
        yield "sandbox"
        self.closed.append(threading.current_thread().name)

    def grade(self, request: bytes, sandbox: Any) -> bytes:
        with self.lock:
            self.busy += 1
            self.most_busy = max(self.most_busy, self.busy)
        time.sleep(self.seconds)
        self.graded.append((threading.current_thread().name, request))
        with self.lock:
            self.busy -= 1
        if request == b"raise":
            raise RuntimeError("a bug in grading")
        return request.upper()


def test_requests_from_many_threads_are_graded_one_at_a_time_in_the_lane() -> None:
    recorder = Recorder(seconds=0.01)
    lane = GradingLane(recorder.open_sandbox, (), recorder.grade, name="lane-a")
    lane.start()
    lane.wait_ready()
    requests = [f"s{index}".encode() for index in range(12)]
    with ThreadPoolExecutor(4) as pool:
        answers = list(pool.map(lane.grade, requests))
    lane.close()
    assert answers == [request.upper() for request in requests]
    assert recorder.most_busy == 1
    assert {thread for thread, _ in recorder.graded} == {"lane-a"}
    assert recorder.opened == recorder.closed == ["lane-a"]


def test_a_grading_that_raises_fails_alone_and_the_lane_goes_on() -> None:
    recorder = Recorder()
    lane = GradingLane(recorder.open_sandbox, (), recorder.grade)
    lane.start()
    with pytest.raises(RuntimeError, match="a bug in grading"):
        lane.grade(b"raise")
    assert lane.grade(b"next") == b"NEXT"
    lane.close()
    assert len(recorder.opened) == 1


def test_a_sandbox_that_cannot_open_is_reported_with_its_reason() -> None:
    recorder = Recorder(fail_open=True)
    lane = GradingLane(recorder.open_sandbox, (), recorder.grade, name="the Dask worker w9")
    lane.start()
    with pytest.raises(SandboxError, match=r"w9 could not start \(OSError: no user namespaces"):
        lane.wait_ready()
    with pytest.raises(SandboxError, match="no user namespaces"):
        lane.grade(b"s1")
    assert recorder.graded == []
    lane.close()


def test_why_a_lane_cannot_grade_is_said_in_the_batch_language() -> None:
    """A French batch on a cluster says in French why a worker's sandbox did not start, and
    that a worker runs another nngrade."""
    recorder = Recorder(fail_open=True)
    where = Text("the Dask worker %(address)s", address="tcp://10.0.0.9:4001")
    lane = GradingLane(recorder.open_sandbox, (), recorder.grade, name="w9", where=where)
    lane.start()
    with pytest.raises(SandboxError) as failed:
        lane.wait_ready()
    lane.close()
    assert in_language(failed.value.text, "fr").startswith(
        "Le bac à sable sur le worker Dask tcp://10.0.0.9:4001 n'a pas pu démarrer "
        "(OSError: no user namespaces"
    )
    assert str(failed.value).startswith(
        "The sandbox of the Dask worker tcp://10.0.0.9:4001 could not start (OSError"
    )
    mismatch = version_mismatch("1.0", "0.9", Text("The Dask worker %(address)s", address="w2"))
    assert mismatch["fr"].startswith("Le worker Dask w2 exécute nngrade 0.9, mais le client")
    assert version_mismatch("1.0", "0.9")["fr"].startswith("Un worker Dask exécute nngrade 0.9")


def test_closing_refuses_what_waits_and_lets_the_current_grading_finish() -> None:
    recorder = Recorder(seconds=0.3)
    lane = GradingLane(recorder.open_sandbox, (), recorder.grade)
    lane.start()
    lane.wait_ready()
    with ThreadPoolExecutor(3) as pool:
        first = pool.submit(lane.grade, b"first")
        while not recorder.busy:
            time.sleep(0.01)
        waiting = [pool.submit(lane.grade, name) for name in (b"second", b"third")]
        time.sleep(0.05)
        lane.close()
        assert first.result() == b"FIRST"
        for future in waiting:
            with pytest.raises(SandboxError, match="closed"):
                future.result()
    with pytest.raises(SandboxError, match="closed"):
        lane.grade(b"late")
    assert [request for _, request in recorder.graded] == [b"first"]
    assert len(recorder.closed) == 1


@pytest.mark.slow
def test_a_request_graded_in_a_lane_is_the_document_of_nngrade_grade() -> None:
    """The real engine and sandbox: the worker's bytes are those `nngrade grade` writes,
    apart from `timing`; a request of another nngrade version is refused."""
    path = SAMPLE / "gina_missing_one_over_m"
    loaded = load_submission(path)
    lane = GradingLane(engine_sandbox, (SAMPLE,), grade_request)
    lane.start()
    try:
        lane.wait_ready()
        request = GradingRequest("gina", "fr", grader.__version__, loaded)
        document = json.loads(lane.grade(request.to_bytes()))
        stale = GradingRequest("gina", "fr", "0.0.0", loaded)
        with pytest.raises(
            UsageError, match=r"runs nngrade \S+ but the batch's client runs nngrade 0\.0\.0"
        ):
            lane.grade(stale.to_bytes())
    finally:
        lane.close()
    local = grade_submission(path, student_id="gina", lang="fr")
    del document["timing"], local["timing"]
    assert document == local
    assert document["score"] < document["max_score"]
