"""Hostile student code: it is stopped, contained, cleaned up, and grading goes on."""

from __future__ import annotations

import os
import textwrap
import time
from pathlib import Path

import numpy as np
import pytest
from sandbox_helpers import TEST_LIMITS, TEST_SLOT, OpenSession, needs_root

from grader.errors import HostileValue, StudentRaised, StudentTimeout, WorkerCrashed
from grader.sandbox import Sandbox, SandboxLimits
from grader.sandbox.sandbox import BASE_UID
from grader.sandbox.zygote import processes_of

WORKER_UID = BASE_UID + TEST_SLOT
MARGIN = 1.5

HOSTILE = """
    import os, signal, sys, time

    def ok(x):
        return x

    def spin():
        while True:
            pass

    def stubborn():
        signal.signal(signal.SIGTERM, signal.SIG_IGN)
        signal.signal(signal.SIGINT, signal.SIG_IGN)
        while True:
            pass

    def hard_exit():
        os._exit(0)

    def segfault():
        import ctypes
        ctypes.string_at(0)

    def memory_bomb():
        import numpy as np
        hog = []
        while True:
            # Address space without touching the pages: fast, and what RLIMIT_AS counts.
            hog.append(np.empty(64 << 20, dtype=np.uint8))

    def fork_bomb():
        children = 0
        while children < 1000:
            try:
                if os.fork() == 0:
                    while True:
                        try:
                            os.fork()
                        except OSError:
                            time.sleep(0.05)
                children += 1
            except OSError:
                break
        return children

    def daemon():
        if os.fork() == 0:
            os.setsid()
            if os.fork() == 0:
                while True:
                    time.sleep(1)
            os._exit(0)
        return os.getpid()

    def junk():
        os.write(3, b"NNGR" + b"\\xff" * 64)
        time.sleep(10)

    def read(path):
        with open(path, "rb") as f:
            return f.read().decode()

    def listdir(path):
        return sorted(os.listdir(path))

    def connect(port):
        import socket
        with socket.create_connection(("127.0.0.1", port), timeout=1):
            return "connected"

    def whoami():
        import resource
        return {
            "uid": os.getuid(),
            "gid": os.getgid(),
            "cwd": os.getcwd(),
            "env": sorted(os.environ),
            "fds": sorted(int(fd) for fd in os.listdir("/proc/self/fd")),
            "limits": [resource.getrlimit(r)[0] for r in (
                resource.RLIMIT_CPU, resource.RLIMIT_AS, resource.RLIMIT_FSIZE,
                resource.RLIMIT_NOFILE, resource.RLIMIT_NPROC)],
            "grader": [name for name in sys.modules if name.startswith("grader")],
        }

    def import_grader(name):
        __import__(name)
        return "imported"

    def write_tmp(name):
        with open(os.path.join("/tmp", name), "w") as f:
            f.write("left behind")
        return os.path.exists(os.path.join("/tmp", name))
"""


@pytest.mark.parametrize("function", ["spin", "stubborn"])
def test_an_endless_call_times_out_and_the_next_call_runs_on_a_fresh_worker(
    open_session: OpenSession, function: str
) -> None:
    """The deadline holds even when SIGTERM is ignored; grading goes on."""
    session = open_session(hostile=HOSTILE)
    started = time.monotonic()
    with pytest.raises(StudentTimeout) as timeout:
        session.call(function)
    assert time.monotonic() - started < TEST_LIMITS.wall_seconds_per_call + MARGIN
    assert timeout.value.seconds == TEST_LIMITS.wall_seconds_per_call
    assert session.call("ok", 5) == 5
    assert session.worker_starts == 2


@pytest.mark.parametrize(
    ("function", "words"),
    [("hard_exit", "exited with code 0"), ("segfault", r"signal 11 \(SIGSEGV\)")],
)
def test_a_dying_worker_is_a_crash_described_in_words(
    open_session: OpenSession, function: str, words: str
) -> None:
    session = open_session(hostile=HOSTILE)
    with pytest.raises(WorkerCrashed, match=words):
        session.call(function)
    assert session.call("ok", [1]) == [1]


def test_a_memory_bomb_hits_the_address_space_limit(open_session: OpenSession) -> None:
    """RLIMIT_AS turns the bomb into a MemoryError in the worker; the next call works."""
    session = open_session(hostile=HOSTILE)
    with pytest.raises((StudentRaised, WorkerCrashed)) as raised:
        session.call("memory_bomb")
    if isinstance(raised.value, StudentRaised):
        assert raised.value.exception_type == "MemoryError"
    assert session.call("ok", 1.5) == 1.5


def test_junk_written_into_the_socket_is_a_hostile_value(open_session: OpenSession) -> None:
    """A forged frame kills the worker; the next call gets a fresh one."""
    session = open_session(hostile=HOSTILE)
    with pytest.raises(HostileValue):
        session.call("junk")
    assert session.call("ok", "fine") == "fine"
    assert session.worker_starts == 2


def test_the_submission_budget_stops_every_later_call(sandbox: Sandbox) -> None:
    """Once the per-submission wall time is spent, calls time out at once."""
    limits = SandboxLimits(wall_seconds_per_call=1.0, wall_seconds_per_submission=0.5)
    with Sandbox(limits, slot=TEST_SLOT + 1) as small:
        sources = {"hostile": textwrap.dedent(HOSTILE)}
        with small.open_session(
            sources, function_modules={"spin": "hostile", "ok": "hostile"}
        ) as s:
            with pytest.raises(StudentTimeout):
                s.call("spin")
            started = time.monotonic()
            with pytest.raises(StudentTimeout) as later:
                s.call("ok", 1)
            assert time.monotonic() - started < 0.1
            assert later.value.seconds == 0.5
            assert later.value.budget is True and "used up its 0.5 s" in str(later.value)


def test_an_endless_import_times_out_alone(open_session: OpenSession) -> None:
    """An import that never ends is `import_timeout`; the other modules load and run."""
    session = open_session(
        activations="def relu(Z):\n    return Z * (Z > 0)\n",
        losses="while True:\n    pass\n\ndef cost(AL, Y):\n    return 0.0\n",
        network="import losses\n\ndef forward(Z):\n    return Z\n",
        model="from .activations import relu\n\ndef predict(X):\n    return relu(X)\n",
    )
    assert session.module_status == {
        "activations": "loaded",
        "losses": "import_timeout",
        "network": "import_error",
        "model": "loaded",
    }
    codes = {p["path"]: p["code"] for p in session.module_problems}
    assert codes == {"losses.py": "import_timeout", "network.py": "import_error"}
    np.testing.assert_array_equal(session.call("predict", np.array([-1.0, 1.0])), [0.0, 1.0])


def test_a_crash_at_import_is_import_crashed(open_session: OpenSession) -> None:
    session = open_session(
        activations="import os\nos._exit(9)\n", losses="def cost(AL, Y):\n    return 1.0\n"
    )
    assert session.module_status == {"activations": "import_crashed", "losses": "loaded"}
    assert "exited with code 9" in session.module_problems[0]["message"]
    assert session.call("cost", 0.5, 1.0) == 1.0


@needs_root
def test_the_worker_runs_confined(open_session: OpenSession) -> None:
    """Dedicated uid, scratch folder as cwd, scrubbed environment, limits, no grader module."""
    info = open_session(hostile=HOSTILE).call("whoami")
    assert info["uid"] == WORKER_UID and info["gid"] == WORKER_UID
    assert Path(info["cwd"]).name.startswith("session-")
    assert info["env"] == sorted(
        [
            *("PATH", "HOME", "LANG", "PYTHONHASHSEED", "PYTHONDONTWRITEBYTECODE"),
            *("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"),
            *("NUMEXPR_NUM_THREADS", "VECLIB_MAXIMUM_THREADS"),
        ]
    )
    assert info["fds"][:4] == [0, 1, 2, 3] and len(info["fds"]) <= 5  # +1: the listdir itself
    cpu, memory, files, nofile, nproc = info["limits"]
    assert (memory, files, nofile, nproc) == (
        TEST_LIMITS.memory_bytes,
        TEST_LIMITS.file_bytes,
        TEST_LIMITS.open_files,
        TEST_LIMITS.processes,
    )
    assert cpu == TEST_LIMITS.cpu_seconds
    assert info["grader"] == []


@needs_root
@pytest.mark.parametrize("name", ["grader", "grader.errors", "reference", "solutions"])
def test_the_grader_packages_cannot_be_imported(open_session: OpenSession, name: str) -> None:
    session = open_session(hostile=HOSTILE)
    with pytest.raises(StudentRaised) as raised:
        session.call("import_grader", name)
    assert raised.value.exception_type == "ModuleNotFoundError"


@needs_root
def test_hidden_folders_cannot_be_read(open_session: OpenSession, secret_folder: Path) -> None:
    """The hidden paths, the checkout, root's home: unreadable. Ordinary files still are."""
    import grader

    session = open_session(hostile=HOSTILE)
    assert "root:" in session.call("read", "/etc/passwd")
    for path in (
        secret_folder / "answers.txt",
        Path(grader.__file__),
        Path(grader.__file__).parent.parent / "pyproject.toml",
        Path("/root/.bashrc"),
    ):
        assert path.exists() or path.name == ".bashrc"
        with pytest.raises(StudentRaised) as raised:
            session.call("read", str(path))
        assert raised.value.exception_type in ("PermissionError", "FileNotFoundError")
    with pytest.raises(StudentRaised):
        session.call("listdir", str(secret_folder))


@needs_root
def test_the_worker_has_private_temporary_folders(
    open_session: OpenSession, tmp_path: Path
) -> None:
    """What the worker writes to /tmp vanishes with it; the grader's /tmp is invisible."""
    visible = tmp_path / "grader-side.txt"
    visible.write_text("x")
    session = open_session(hostile=HOSTILE)
    name = f"left-by-student-{os.getpid()}"
    assert session.call("write_tmp", name) is True
    assert not Path("/tmp", name).exists()
    with pytest.raises(StudentRaised):
        session.call("read", str(visible))


@needs_root
def test_the_network_is_unreachable(open_session: OpenSession) -> None:
    """Even the loopback interface: the worker lives in an empty network namespace."""
    import socket

    with socket.socket() as server:
        server.bind(("127.0.0.1", 0))
        server.listen()
        session = open_session(hostile=HOSTILE)
        with pytest.raises(StudentRaised) as raised:
            session.call("connect", server.getsockname()[1])
    assert raised.value.exception_type == "OSError"
    assert "Network is unreachable" in raised.value.detail


def wait_until_gone(uid: int, seconds: float = 3.0) -> list[int]:
    deadline = time.monotonic() + seconds
    while (left := processes_of(uid)) and time.monotonic() < deadline:
        time.sleep(0.05)
    return left


@needs_root
def test_a_fork_bomb_is_capped_and_nothing_survives_close(open_session: OpenSession) -> None:
    session = open_session(hostile=HOSTILE)
    children = session.call("fork_bomb")
    assert children < TEST_LIMITS.processes
    assert processes_of(WORKER_UID)
    session.close()
    assert wait_until_gone(WORKER_UID) == []


@needs_root
def test_a_daemon_is_killed_when_the_session_closes(open_session: OpenSession) -> None:
    """A double-forked, setsid daemon escapes the process group but not the uid sweep."""
    session = open_session(hostile=HOSTILE)
    worker = session.call("daemon")
    time.sleep(0.1)
    assert [pid for pid in processes_of(WORKER_UID) if pid != worker]
    session.close()
    assert wait_until_gone(WORKER_UID) == []


@needs_root
def test_close_returns_only_once_nothing_of_the_worker_user_runs(
    open_session: OpenSession,
) -> None:
    """Stopping the worker sweeps its uid; close skips a second sweep only when that first
    one finished, so a daemon is gone the moment close returns, without waiting."""
    session = open_session(hostile=HOSTILE)
    session.call("daemon")
    time.sleep(0.1)
    session.close()
    assert processes_of(WORKER_UID) == []


@needs_root
def test_a_daemon_after_quiet_sessions_is_still_swept(open_session: OpenSession) -> None:
    """Quiet sessions close without a sweep once one sweep found the uid empty; a session
    that leaves a process behind is swept all the same, the moment it closes."""
    for _ in range(3):
        quiet = open_session(hostile=HOSTILE)
        quiet.close()
        assert processes_of(WORKER_UID) == []
    session = open_session(hostile=HOSTILE)
    session.call("daemon")
    time.sleep(0.1)
    assert len(processes_of(WORKER_UID)) >= 2
    session.close()
    assert processes_of(WORKER_UID) == []


def test_isolation_lists_the_layers_limits_and_notes(sandbox: Sandbox) -> None:
    """The report has every layer of the schema; as root, every layer is active."""
    report = sandbox.isolation()
    assert set(report) == {"layers", "limits", "notes"}
    assert set(report["layers"]) == {
        "separate_process", "rlimit_cpu", "rlimit_as", "rlimit_fsize", "rlimit_nofile",
        "rlimit_nproc", "wall_clock_deadline", "process_group_kill", "unprivileged_user",
        "no_network", "hidden_paths", "scratch_folder", "scrubbed_environment", "output_capped",
    }  # fmt: skip
    assert report["limits"] == TEST_LIMITS.as_dict()
    assert report == sandbox.isolation()
    if os.geteuid() == 0:
        assert all(report["layers"].values()) and report["notes"] == []
    else:
        assert not report["layers"]["unprivileged_user"] and report["notes"]


def zygote_children(sandbox: Sandbox) -> list[tuple[int, str]]:
    """(pid, state) of every child of the zygote."""
    zygote = sandbox._zygote()
    children = []
    for entry in filter(str.isdigit, os.listdir("/proc")):
        try:
            stat = Path(f"/proc/{entry}/stat").read_bytes().rsplit(b")", 1)[1].split()
        except OSError:
            continue
        if int(stat[1]) == zygote.pid:
            children.append((int(entry), stat[0].decode()))
    return children


def test_the_zygote_leaves_no_zombie(open_session: OpenSession, sandbox: Sandbox) -> None:
    """Crashed, timed-out and closed workers are all reaped."""
    session = open_session(hostile=HOSTILE)
    with pytest.raises(WorkerCrashed):
        session.call("hard_exit")
    session.call("daemon")
    session.close()
    deadline = time.monotonic() + 3
    while zygote_children(sandbox) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert zygote_children(sandbox) == []


def test_a_dead_zygote_is_restarted(sandbox: Sandbox, open_session: OpenSession) -> None:
    """Killing the zygote costs one restart, not the grading."""
    old = sandbox._zygote().pid
    os.kill(old, 9)
    time.sleep(0.05)
    session = open_session(hostile=HOSTILE)
    assert session.call("ok", 3) == 3
    assert sandbox._zygote().pid != old


def test_closing_the_sandbox_stops_the_zygote() -> None:
    box = Sandbox(TEST_LIMITS, slot=TEST_SLOT + 2)
    zygote = box._zygote()
    box.close()
    assert zygote.process.poll() is not None
    assert not Path(box._base).exists()


@needs_root
def test_a_vanished_grader_leaves_nothing_running() -> None:
    """If the trusted process dies, the zygote kills its workers and their leftovers."""
    box = Sandbox(TEST_LIMITS, slot=TEST_SLOT + 3)
    uid = BASE_UID + TEST_SLOT + 3
    try:
        session = box.open_session(
            {"hostile": textwrap.dedent(HOSTILE)}, function_modules={"daemon": "hostile"}
        )
        session.call("daemon")
        assert processes_of(uid)
        zygote = box._zygote()
        zygote.sock.close()  # what the zygote sees when the grader is killed
        zygote.process.wait(timeout=10)
        assert wait_until_gone(uid) == []
    finally:
        box.close()


def test_running_out_of_cpu_time_is_a_timeout_not_a_crash() -> None:
    """A loop stopped by the CPU-time limit (before the wall deadline) is reported as a
    timeout, the way a student understands it, and the next call gets a fresh worker."""
    limits = SandboxLimits(cpu_seconds=1.0, wall_seconds_per_call=8.0)
    with Sandbox(limits) as small:
        sources = {"hostile": textwrap.dedent(HOSTILE)}
        with small.open_session(
            sources, function_modules={"spin": "hostile", "ok": "hostile"}
        ) as s:
            started = time.monotonic()
            with pytest.raises(StudentTimeout) as stopped:
                s.call("spin")
            assert time.monotonic() - started < 5.0
            assert stopped.value.seconds == 1.0
            assert s.call("ok", 2) == 2


def test_a_function_that_timed_out_is_not_run_again(open_session: OpenSession) -> None:
    """The second call of an endless function fails at once as a repeated timeout, so one
    loop costs one deadline; the submission's other functions still run."""
    session = open_session(hostile=HOSTILE)
    with pytest.raises(StudentTimeout) as first:
        session.call("spin")
    assert first.value.repeated is False
    started = time.monotonic()
    with pytest.raises(StudentTimeout) as again:
        session.call("spin")
    assert time.monotonic() - started < 0.1
    assert again.value.repeated is True and again.value.seconds == first.value.seconds
    assert "not run again" in str(again.value)
    assert session.call("ok", 3) == 3
