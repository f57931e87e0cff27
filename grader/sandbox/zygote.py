"""The zygote: a warm process that forks one worker per request and reaps them.

Started fresh by `Sandbox` (``python -m grader.sandbox.zygote FD``) with a scrubbed
environment, it imports numpy and the worker code, and nothing of the hidden suites,
the reference or the solutions. It never runs student code itself: it only forks.

It talks to the trusted process over one SOCK_SEQPACKET socket, one JSON object per packet:
requests carry an "id" and get one reply with the same "id"; "exited" events report each
worker's end (how it ended, and the CPU it used). Requests:

- ``spawn`` with three fds (worker socket, stdout pipe, stderr pipe) and a worker config:
  forks a worker, replies with its pid.
- ``kill`` with "pid" and "uid": kills the worker's process group, then every process
  running as "uid" (a short-lived child switches to that uid and calls ``kill(-1)``) or,
  without a uid, every leftover child of the zygote; replies when the sweep is done. Once
  a sweep of "uid" has succeeded, every process of that uid descends from the zygote (a
  subreaper), so a reaped worker that left no child behind needs no sweep.
- ``exit``: stops.

The zygote is a child subreaper: whatever a worker leaves behind is re-parented here and
reaped, so no zombie survives.
"""

from __future__ import annotations

import contextlib
import ctypes
import errno
import gc
import json
import os
import select
import signal
import socket
import sys
import time
from typing import Any

# Warm: every worker starts with numpy imported.
import numpy
import numpy.linalg
import numpy.random

from grader.sandbox import worker

WARM_MODULES = (numpy, numpy.linalg, numpy.random)

PR_SET_CHILD_SUBREAPER = 36
PACKET_BYTES = 1 << 16
SWEEP_ROUNDS = 1000
# A worker killed with SIGKILL ends within a millisecond or two, unless stuck in the kernel.
WORKER_END_SECONDS = 0.05


def describe_status(status: int) -> dict[str, Any]:
    """A wait status in words, e.g. "it was killed by signal 11 (SIGSEGV)"."""
    if os.WIFSIGNALED(status):
        number = os.WTERMSIG(status)
        try:
            name = signal.Signals(number).name
        except ValueError:
            name = f"signal {number}"
        return {"signal": number, "code": None, "how": f"it was killed by signal {number} ({name})"}
    code = os.WEXITSTATUS(status) if os.WIFEXITED(status) else -1
    return {"signal": None, "code": code, "how": f"it exited with code {code}"}


def processes_of(uid: int) -> list[int]:
    """Pids of the live (non-zombie) processes whose real uid is `uid`."""
    found = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        with contextlib.suppress(OSError, ValueError, IndexError):
            with open(f"/proc/{entry}/status", "rb") as status:
                fields = dict(
                    line.split(b":", 1) for line in status.read().splitlines() if b":" in line
                )
            if int(fields[b"Uid"].split()[0]) == uid and not fields[b"State"].strip().startswith(
                b"Z"
            ):
                found.append(int(entry))
    return found


def _sweep_uid(uid: int) -> None:
    """In a fresh child: become `uid`, then kill every process of it until none is left."""
    try:
        os.setgroups([])
        os.setgid(uid)
        os.setuid(uid)
        me = os.getpid()
        for _ in range(SWEEP_ROUNDS):
            # kill(-1) reaches every process this uid may signal, except this one.
            with contextlib.suppress(ProcessLookupError):
                os.kill(-1, signal.SIGKILL)
            if not [pid for pid in processes_of(uid) if pid != me]:
                os._exit(0)
            time.sleep(0.002)
        os._exit(1)
    finally:
        os._exit(2)


def own_children() -> list[int]:
    """Pids of this process's children, alive or not yet reaped (leftovers re-parented to
    the zygote included): from each thread's /proc/self/task/<tid>/children (an orphan may be
    given to any thread of a subreaper), or, where the kernel lacks those files, from the
    parent field of every process's /proc/<pid>/stat."""
    found: list[int] = []
    try:
        for tid in os.listdir("/proc/self/task"):
            with open(f"/proc/self/task/{tid}/children", "rb") as listing:
                found.extend(int(pid) for pid in listing.read().split())
        return found
    except (OSError, ValueError):  # no such file, or a thread ended meanwhile
        pass
    me, found = os.getpid(), []
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            with contextlib.suppress(OSError, ValueError, IndexError):
                with open(f"/proc/{entry}/stat", "rb") as stat:
                    fields = stat.read().rsplit(b")", 1)[1].split()
                if int(fields[1]) == me:
                    found.append(int(entry))
    return found


class Zygote:
    def __init__(self, control: socket.socket, subreaper: bool = False) -> None:
        self.control = control
        self.subreaper = subreaper
        self.workers: set[int] = set()
        self.uids: set[int] = set()
        # sweeper pid -> (request id awaiting its end, uid swept)
        self.sweeps: dict[int, tuple[Any, int | None]] = {}
        # uids that a sweep of this zygote left without any process
        self.swept_uids: set[int] = set()

    def send(self, message: dict[str, Any]) -> None:
        self.control.send(json.dumps(message).encode())

    def reap(self) -> None:
        while True:
            try:
                pid, status, usage = os.wait4(-1, os.WNOHANG)
            except ChildProcessError:
                return
            if pid == 0:
                return
            if pid in self.workers:
                self.worker_ended(pid, status, usage)
            elif pid in self.sweeps:
                # ok: the sweeper saw no process of the uid left (exit code 0).
                done = os.WIFEXITED(status) and os.WEXITSTATUS(status) == 0
                request_id, uid = self.sweeps.pop(pid)
                if done and uid is not None:
                    self.swept_uids.add(uid)
                self.send({"id": request_id, "ok": done})

    def spawn(self, request: dict[str, Any], fds: list[int]) -> None:
        if len(fds) != 3:
            for fd in fds:
                os.close(fd)
            self.send({"id": request["id"], "error": "spawn needs exactly three fds"})
            return
        if request["config"].get("uid") is not None:
            self.uids.add(int(request["config"]["uid"]))
        pid = os.fork()
        if pid == 0:
            worker.run(fds[0], fds[1], fds[2], request["config"])
        for fd in fds:
            os.close(fd)
        self.workers.add(pid)
        self.send({"id": request["id"], "pid": pid})

    def worker_ended(self, pid: int, status: int, usage: Any) -> None:
        self.workers.discard(pid)
        cpu = usage.ru_utime + usage.ru_stime
        self.send({"event": "exited", "pid": pid, "cpu": cpu, **describe_status(status)})

    def await_worker(self, pid: int) -> None:
        """Reap the killed worker `pid` if it ends within WORKER_END_SECONDS: the sweeper
        that follows then finds it gone at its first scan of /proc, instead of scanning
        again after a pause (each scan reads every process's status)."""
        deadline = time.monotonic() + WORKER_END_SECONDS
        while time.monotonic() < deadline:
            try:
                ended, status, usage = os.wait4(pid, os.WNOHANG)
            except ChildProcessError:
                return
            if ended == pid:
                self.worker_ended(pid, status, usage)
                return
            time.sleep(0.0002)

    def kill(self, request: dict[str, Any]) -> None:
        pid, uid = request.get("pid"), request.get("uid")
        if pid in self.workers:
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.killpg(pid, signal.SIGKILL)
            self.await_worker(pid)
        if pid is not None and self.left_nothing(uid):
            self.send({"id": request["id"], "ok": True})
            return
        if uid is None:
            for child in own_children():
                if child not in self.workers and child not in self.sweeps:
                    with contextlib.suppress(ProcessLookupError):
                        os.kill(child, signal.SIGKILL)
            self.send({"id": request["id"], "ok": True})
            return
        sweeper = os.fork()
        if sweeper == 0:
            _sweep_uid(int(uid))
        self.sweeps[sweeper] = (request["id"], int(uid))

    def left_nothing(self, uid: int | None) -> bool:
        """True when no process of `uid` can be left: a sweep of this zygote found none, and
        since then every worker is reaped and the zygote has no child at all. A process of
        `uid` can only descend from one of this zygote's workers, and an orphan is
        re-parented to the zygote (a subreaper), where it stays listed until reaped; so no
        child means no descendant. Forking a sweeper, which reads every process's status,
        is the largest part of closing a session."""
        if uid is None or not self.subreaper or uid not in self.swept_uids:
            return False
        if self.workers or self.sweeps:
            return False
        return own_children() == []

    def serve(self, wakeup: int) -> None:
        while True:
            ready, _, _ = select.select([self.control, wakeup], [], [], 1.0)
            if wakeup in ready:
                with contextlib.suppress(BlockingIOError):
                    os.read(wakeup, 4096)
            self.reap()
            if self.control not in ready:
                continue
            try:
                data, fds, _, _ = socket.recv_fds(self.control, PACKET_BYTES, 8)
            except OSError as error:
                if error.errno == errno.EINTR:
                    continue
                return
            if not data:
                return
            request = json.loads(data)
            op = request.get("op")
            if op == "spawn":
                self.spawn(request, fds)
            elif op == "kill":
                self.kill(request)
            elif op == "exit":
                return

    def shutdown(self) -> None:
        """The trusted process is gone: kill every worker and whatever their uids still run."""
        for pid in list(self.workers):
            with contextlib.suppress(OSError):
                os.killpg(pid, signal.SIGKILL)
        for uid in self.uids:
            sweeper = os.fork()
            if sweeper == 0:
                _sweep_uid(uid)
            with contextlib.suppress(ChildProcessError):
                os.waitpid(sweeper, 0)


def main(argv: list[str]) -> None:
    control = socket.socket(fileno=int(argv[1]))
    libc = ctypes.CDLL(None, use_errno=True) if sys.platform.startswith("linux") else None
    subreaper = libc is not None and libc.prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) == 0
    read_end, write_end = os.pipe2(os.O_NONBLOCK | os.O_CLOEXEC)
    signal.set_wakeup_fd(write_end)
    signal.signal(signal.SIGCHLD, lambda signum, frame: None)
    zygote = Zygote(control, subreaper)
    # Out of the collector's sight, the warm objects are not written to by a worker's
    # collections, so their pages stay shared instead of being copied in every worker.
    gc.freeze()
    zygote.send({"event": "hello", "pid": os.getpid()})
    try:
        zygote.serve(read_end)
    finally:
        zygote.shutdown()


if __name__ == "__main__":
    main(sys.argv)
