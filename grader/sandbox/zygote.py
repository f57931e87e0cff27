"""The zygote: a warm process that forks one worker per request and reaps them.

Started fresh by `Sandbox` (``python -m grader.sandbox.zygote FD``) with a scrubbed
environment, and sent its settings as the first packet on that socket, it imports numpy
and the worker code, and nothing of the hidden suites, the reference or the solutions. It
never runs student code itself.

An isolated zygote prepares, once, what its workers share (`confine.enter_zygote_namespaces`):
it plans the allowlisted world and compiles the seccomp filter, enters its namespaces, and
forks its *inner* self, pid 1 of the new PID namespace, which moves into the template root
and serves; the outer process only waits for it (and dies with the trusted process, taking
the inner zygote and every worker with it). For each worker the inner zygote makes a new
PID namespace and forks the worker as its pid 1, so that killing the worker ends everything
the worker started.

It talks to the trusted process over one SOCK_SEQPACKET socket, one JSON object per packet:
requests carry an "id" and get one reply with the same "id"; "exited" events report each
worker's end (how it ended, and the CPU it used). Requests:

- ``spawn`` with five fds (worker socket, stdout pipe, stderr pipe, the folder holding the
  submission's modules, the memory of shared arguments) and a worker config: forks a
  worker, replies with its pid (as the zygote numbers it: an opaque id for the trusted
  side).
- ``kill`` with "pid": kills the worker, and with it its whole PID namespace (in unsafe
  mode, its process group); replies once its exit event is out, or after a short wait.
- ``exit``: stops.
"""

from __future__ import annotations

import contextlib
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

from grader.sandbox import confine, kernel, seccomp, worker, world

WARM_MODULES = (numpy, numpy.linalg, numpy.random)

PACKET_BYTES = 1 << 16
SPAWN_FDS = 5
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


class Zygote:
    def __init__(self, control: socket.socket, shared: dict[str, Any]) -> None:
        self.control = control
        # What every worker's config gets from here (the seccomp program, bytes).
        self.shared = shared
        self.workers: set[int] = set()
        # The zygote's own PID namespace, to come back to after making one for a worker.
        self.own_pid_namespace: int | None = None

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

    def spawn(self, request: dict[str, Any], fds: list[int]) -> None:
        if len(fds) != SPAWN_FDS:
            for fd in fds:
                os.close(fd)
            self.send({"id": request["id"], "error": f"spawn needs exactly {SPAWN_FDS} fds"})
            return
        config = {**request["config"], **self.shared}
        try:
            if self.own_pid_namespace is not None:
                kernel.unshare(kernel.CLONE_NEWPID)  # for the next child only
        except OSError as error:
            for fd in fds:
                os.close(fd)
            self.send({"id": request["id"], "error": f"no PID namespace for the worker: {error}"})
            return
        try:
            pid = os.fork()
            if pid == 0:
                worker.run(fds[0], fds[1], fds[2], fds[3], fds[4], config)
        finally:
            if self.own_pid_namespace is not None:
                kernel.setns(self.own_pid_namespace, kernel.CLONE_NEWPID)
            for fd in fds:
                os.close(fd)
        self.workers.add(pid)
        self.send({"id": request["id"], "pid": pid})

    def worker_ended(self, pid: int, status: int, usage: Any) -> None:
        self.workers.discard(pid)
        cpu = usage.ru_utime + usage.ru_stime
        self.send({"event": "exited", "pid": pid, "cpu": cpu, **describe_status(status)})

    def await_worker(self, pid: int) -> None:
        """Reap the killed worker `pid` if it ends within WORKER_END_SECONDS, so that its
        exit event goes out right after the reply."""
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
        pid = request.get("pid")
        if type(pid) is int and pid in self.workers:
            # An isolated worker is pid 1 of its PID namespace: its end takes every process
            # of the namespace with it. Without one, its process group is the best we have.
            if self.own_pid_namespace is None:
                with contextlib.suppress(OSError):
                    os.killpg(pid, signal.SIGKILL)
            with contextlib.suppress(OSError):
                os.kill(pid, signal.SIGKILL)
            # Its exit event goes out before the reply, which the trusted side waits for.
            self.await_worker(pid)
        self.send({"id": request["id"], "ok": True})

    def serve(self, wakeup: int) -> None:
        while True:
            watched: list[Any] = [self.control, wakeup]
            ready, _, _ = select.select(watched, [], [], 1.0)
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
        """The trusted process is gone: kill every worker (and so its namespace)."""
        for pid in list(self.workers):
            with contextlib.suppress(OSError):
                os.killpg(pid, signal.SIGKILL)
            with contextlib.suppress(OSError):
                os.kill(pid, signal.SIGKILL)


def _isolate(control: socket.socket, settings: dict[str, Any]) -> tuple[dict[str, Any], list[str]]:
    """Prepare the workers' world and enter it; in the outer process, never returns.

    Returns what each worker's config gets from the zygote, and notes on what is missing.
    Raises `OSError` or `world.WorldError` when the world cannot be built.
    """
    shared: dict[str, Any] = {"seccomp": None}
    notes: list[str] = []
    plan = world.plan_world(os.path.dirname(numpy.__file__), settings.get("forbidden", []))
    try:
        shared["seccomp"] = seccomp.compile_filter()
    except seccomp.SeccompUnavailable as error:
        notes.append(f"seccomp unavailable: {error}")
    kernel.prctl(kernel.PR_SET_PDEATHSIG, signal.SIGKILL)  # die with the trusted process
    confine.enter_zygote_namespaces(as_root=os.geteuid() == 0)
    inner = os.fork()
    if inner != 0:
        control.close()
        confine.keep(inner)
    kernel.prctl(kernel.PR_SET_PDEATHSIG, signal.SIGKILL)  # die with the outer process
    namespace = os.open("/proc/self/ns/pid", os.O_RDONLY | os.O_CLOEXEC)
    world.enter_template(plan, str(settings["root_base"]))
    shared["tmp_shown"] = plan.under_tmp()
    kernel.sethostname("sandbox")
    shared["own_pid_namespace"] = namespace
    return shared, notes


def main(argv: list[str]) -> None:
    control = socket.socket(fileno=int(argv[1]))
    settings = json.loads(control.recv(PACKET_BYTES) or b"{}")
    notes: list[str] = []
    shared: dict[str, Any] = {"seccomp": None}
    if kernel.libc() is not None:
        with contextlib.suppress(OSError):
            kernel.prctl(kernel.PR_SET_CHILD_SUBREAPER, 1)
    if settings.get("isolated"):
        try:
            shared, notes = _isolate(control, settings)
        except (world.WorldError, OSError) as error:
            message = {"event": "hello", "pid": os.getpid(), "error": str(error)}
            control.send(json.dumps(message).encode())
            return
    own_pid_namespace = shared.pop("own_pid_namespace", None)
    read_end, write_end = os.pipe2(os.O_NONBLOCK | os.O_CLOEXEC)
    signal.set_wakeup_fd(write_end)
    signal.signal(signal.SIGCHLD, lambda signum, frame: None)
    zygote = Zygote(control, shared)
    zygote.own_pid_namespace = own_pid_namespace
    # Out of the collector's sight, the warm objects are not written to by a worker's
    # collections, so their pages stay shared instead of being copied in every worker.
    gc.freeze()
    zygote.send({"event": "hello", "pid": os.getpid(), "notes": notes})
    try:
        zygote.serve(read_end)
    finally:
        zygote.shutdown()


if __name__ == "__main__":
    main(sys.argv)
