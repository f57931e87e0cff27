"""When the zygote may skip the uid sweep on closing a session, and when it must not.

The decisions are checked on a `Zygote` object living in a forked child of the test, so
that its children are exactly those the test makes (pytest's own process has others).
"""

from __future__ import annotations

import builtins
import json
import os
import signal
import socket
import threading
import time
from collections.abc import Callable
from typing import Any

import pytest

from grader.sandbox.zygote import Zygote, own_children

UID = 61_999


def in_child(scenario: Callable[[Zygote, socket.socket], dict[str, Any]]) -> dict[str, Any]:
    """Run `scenario` in a forked child with a fresh Zygote; what it returned."""
    read_end, write_end = os.pipe()
    pid = os.fork()
    if pid == 0:  # pragma: no cover - reported through the pipe
        code = 0
        try:
            os.close(read_end)
            ours, theirs = socket.socketpair(socket.AF_UNIX, socket.SOCK_SEQPACKET)
            found = scenario(Zygote(ours, subreaper=True), theirs)
            os.write(write_end, json.dumps(found).encode())
        except BaseException as error:
            os.write(write_end, json.dumps({"error": repr(error)}).encode())
            code = 1
        finally:
            os._exit(code)
    os.close(write_end)
    with os.fdopen(read_end, "rb") as pipe:
        data = pipe.read()
    os.waitpid(pid, 0)
    found = json.loads(data)
    assert "error" not in found, found["error"]
    return found


def ended_sweeper(zygote: Zygote, request_id: int, uid: int, code: int) -> None:
    """A sweeper of `uid` that exits with `code`, reaped by the zygote."""
    pid = os.fork()
    if pid == 0:  # pragma: no cover - exits at once
        os._exit(code)
    zygote.sweeps[pid] = (request_id, uid)
    deadline = time.monotonic() + 5
    while pid in zygote.sweeps and time.monotonic() < deadline:
        zygote.reap()
        time.sleep(0.001)


def test_only_a_successful_sweep_lets_later_closes_skip_it() -> None:
    def scenario(zygote: Zygote, peer: socket.socket) -> dict[str, Any]:
        before = zygote.left_nothing(UID)
        ended_sweeper(zygote, 7, UID, code=1)  # gave up: processes may be left
        after_failure = zygote.left_nothing(UID)
        failure_reply = json.loads(peer.recv(4096))
        ended_sweeper(zygote, 8, UID, code=0)
        success_reply = json.loads(peer.recv(4096))
        return {
            "before": before,
            "after_failure": after_failure,
            "after_success": zygote.left_nothing(UID),
            "other_uid": zygote.left_nothing(UID + 1),
            "no_uid": zygote.left_nothing(None),
            "replies": [failure_reply, success_reply],
        }

    found = in_child(scenario)
    assert found["before"] is False
    assert found["after_failure"] is False
    assert found["after_success"] is True
    assert found["other_uid"] is False and found["no_uid"] is False
    assert found["replies"] == [{"id": 7, "ok": False}, {"id": 8, "ok": True}]


def test_any_child_of_the_zygote_alive_or_unreaped_means_a_sweep() -> None:
    def scenario(zygote: Zygote, peer: socket.socket) -> dict[str, Any]:
        zygote.swept_uids.add(UID)
        quiet = zygote.left_nothing(UID)
        leftover = os.fork()
        if leftover == 0:  # pragma: no cover - killed below
            time.sleep(60)
            os._exit(0)
        alive = zygote.left_nothing(UID)
        listed = own_children()
        os.kill(leftover, signal.SIGKILL)
        time.sleep(0.1)  # dead, not reaped: still a child
        zombie = zygote.left_nothing(UID)
        os.waitpid(leftover, 0)
        reaped = zygote.left_nothing(UID)
        zygote.workers.add(12345)  # a worker not reaped yet
        unreaped_worker = zygote.left_nothing(UID)
        return {
            "quiet": quiet,
            "alive": alive,
            "zombie": zombie,
            "reaped": reaped,
            "unreaped_worker": unreaped_worker,
            "listed": listed == [leftover],
        }

    found = in_child(scenario)
    assert found == {
        "quiet": True,
        "alive": False,
        "zombie": False,
        "reaped": True,
        "unreaped_worker": False,
        "listed": True,
    }


def test_without_the_subreaper_the_sweep_is_never_skipped() -> None:
    def scenario(zygote: Zygote, peer: socket.socket) -> dict[str, Any]:
        zygote.subreaper = False
        zygote.swept_uids.add(UID)
        return {"skipped": zygote.left_nothing(UID)}

    assert in_child(scenario) == {"skipped": False}


def test_a_child_of_any_thread_of_the_zygote_counts() -> None:
    """An orphan re-parented to a subreaper may be given to any of its threads: the
    children of every thread are read."""

    def scenario(zygote: Zygote, peer: socket.socket) -> dict[str, Any]:
        zygote.swept_uids.add(UID)
        forked: list[int] = []
        release = threading.Event()

        def fork_from_a_thread() -> None:
            pid = os.fork()
            if pid == 0:  # pragma: no cover - killed below
                time.sleep(60)
                os._exit(0)
            forked.append(pid)
            release.wait(10)

        thread = threading.Thread(target=fork_from_a_thread)
        thread.start()
        while not forked:
            time.sleep(0.01)
        listed = own_children()
        skipped = zygote.left_nothing(UID)
        os.kill(forked[0], signal.SIGKILL)
        os.waitpid(forked[0], 0)
        release.set()
        thread.join()
        return {"listed": listed == forked, "skipped": skipped}

    assert in_child(scenario) == {"listed": True, "skipped": False}


def test_without_the_children_files_the_children_are_found_by_their_parent_field(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Kernels without /proc/<pid>/task/<tid>/children: every process's stat is read, and the
    same children are found, so a leftover still forces the sweep."""
    real_open = builtins.open

    def no_children_files(path: Any, *args: Any, **kwargs: Any) -> Any:
        if str(path).endswith("/children"):
            raise FileNotFoundError(path)
        return real_open(path, *args, **kwargs)

    monkeypatch.setattr(builtins, "open", no_children_files)

    def scenario(zygote: Zygote, peer: socket.socket) -> dict[str, Any]:
        zygote.swept_uids.add(UID)
        quiet = zygote.left_nothing(UID)
        leftover = os.fork()
        if leftover == 0:  # pragma: no cover - killed below
            time.sleep(60)
            os._exit(0)
        listed = own_children()
        skipped = zygote.left_nothing(UID)
        os.kill(leftover, signal.SIGKILL)
        os.waitpid(leftover, 0)
        return {"quiet": quiet, "listed": listed == [leftover], "skipped": skipped}

    assert in_child(scenario) == {"quiet": True, "listed": True, "skipped": False}
