"""Hostile student code: it is stopped, contained, cleaned up, and grading goes on."""

from __future__ import annotations

import os
import textwrap
import time
from pathlib import Path

import numpy as np
import pytest
from sandbox_helpers import (
    TEST_LIMITS,
    OpenSession,
    descendants,
    needs_root,
    worker_processes,
)

from grader.errors import HostileValue, StudentRaised, StudentTimeout, WorkerCrashed
from grader.sandbox import Sandbox, SandboxLimits
from grader.sandbox.confine import LAYERS
from grader.sandbox.sandbox import BASE_UID
from grader.sandbox.world import SCRATCH

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
            "pid": os.getpid(),
            "processes": sorted(int(p) for p in os.listdir("/proc") if p.isdigit()),
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

    def write(path):
        with open(path, "w") as f:
            f.write("planted")
        return path

    def write_tmp(name, folder="/tmp"):
        with open(os.path.join(folder, name), "w") as f:
            f.write("left behind")
        return os.path.exists(os.path.join(folder, name))

    def temporary_folder():
        import tempfile
        return tempfile.gettempdir()
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
    with Sandbox(limits) as small:
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
    """An import that never ends is `import_timeout`; the other modules load and run, and a
    module whose `import losses` fails still defines its functions."""
    session = open_session(
        activations="def relu(Z):\n    return Z * (Z > 0)\n",
        losses="while True:\n    pass\n\ndef cost(AL, Y):\n    return 0.0\n",
        network="import losses\n\ndef forward(Z):\n    return Z\n",
        model="from .activations import relu\n\ndef predict(X):\n    return relu(X)\n",
    )
    assert session.module_status == {
        "activations": "loaded",
        "losses": "import_timeout",
        "network": "loaded",
        "model": "loaded",
    }
    codes = {(p["path"], p["line"]): p["code"] for p in session.module_problems}
    assert codes == {("losses.py", None): "import_timeout", ("network.py", 1): "import_error"}
    np.testing.assert_array_equal(session.call("predict", np.array([-1.0, 1.0])), [0.0, 1.0])
    assert session.call("forward", 2.0) == 2.0


def test_a_crash_at_import_is_import_crashed(open_session: OpenSession) -> None:
    session = open_session(
        activations="import os\nos._exit(9)\n", losses="def cost(AL, Y):\n    return 1.0\n"
    )
    assert session.module_status == {"activations": "import_crashed", "losses": "loaded"}
    assert "exited with code 9" in session.module_problems[0]["message"]
    assert session.call("cost", 0.5, 1.0) == 1.0


def test_the_worker_runs_confined(open_session: OpenSession, sandbox: Sandbox) -> None:
    """Its own uid, the scratch tmpfs as cwd, a scrubbed environment, limits, no grader module,
    pid 1 of its own PID namespace."""
    info = open_session(hostile=HOSTILE).call("whoami")
    uid = BASE_UID + sandbox.slot if os.geteuid() == 0 else os.getuid()
    assert info["uid"] == uid and info["gid"] == (uid if os.geteuid() == 0 else os.getgid())
    assert info["cwd"] == SCRATCH
    assert info["env"] == sorted(
        [
            *("PATH", "HOME", "TMPDIR", "LANG", "PYTHONHASHSEED", "PYTHONDONTWRITEBYTECODE"),
            *("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"),
            *("NUMEXPR_NUM_THREADS", "VECLIB_MAXIMUM_THREADS"),
        ]
    )
    # stdin, stdout, stderr, the socket, the shared arguments (+1: the listdir itself)
    assert info["fds"][:4] == [0, 1, 2, 3] and 5 in info["fds"] and len(info["fds"]) <= 6
    cpu, memory, files, nofile, nproc = info["limits"]
    assert (memory, files, nofile, nproc) == (
        TEST_LIMITS.memory_bytes,
        TEST_LIMITS.file_bytes,
        TEST_LIMITS.open_files,
        TEST_LIMITS.processes,
    )
    assert cpu == TEST_LIMITS.cpu_seconds
    assert info["grader"] == []
    assert info["pid"] == 1 and info["processes"] == [1]


@needs_root
def test_as_root_the_worker_runs_as_its_slot_uid(
    open_session: OpenSession, sandbox: Sandbox
) -> None:
    assert open_session(hostile=HOSTILE).call("whoami")["uid"] == BASE_UID + sandbox.slot


@pytest.mark.parametrize("name", ["grader", "grader.errors", "reference", "solutions"])
def test_the_grader_packages_cannot_be_imported(open_session: OpenSession, name: str) -> None:
    session = open_session(hostile=HOSTILE)
    with pytest.raises(StudentRaised) as raised:
        session.call("import_grader", name)
    assert raised.value.exception_type == "ModuleNotFoundError"


def test_only_the_allowlist_exists(open_session: OpenSession, secret_folder: Path) -> None:
    """The grader, its checkout, the secret folder, home folders, /etc/passwd: absent,
    whatever their paths. The standard library and numpy are there, read-only."""
    import numpy

    import grader

    session = open_session(hostile=HOSTILE)
    for path in (
        secret_folder / "answers.txt",
        Path(grader.__file__),
        Path(grader.__file__).parent.parent / "pyproject.toml",
        Path(grader.__file__).parent.parent / "solutions" / "network.py",
        Path("/etc/passwd"),
        Path(os.path.expanduser("~")) / ".bashrc",
    ):
        with pytest.raises(StudentRaised) as raised:
            session.call("read", str(path))
        assert raised.value.exception_type == "FileNotFoundError", path
    with pytest.raises(StudentRaised):
        session.call("listdir", str(secret_folder))
    assert "import" in session.call("read", os.__file__)
    numpy_folder = Path(numpy.__file__).parent
    assert "__init__.py" in session.call("listdir", str(numpy_folder))
    # Beside numpy, nothing of the installed packages.
    assert set(session.call("listdir", str(numpy_folder.parent))) <= {"numpy", "numpy.libs"}
    assert sorted(session.call("listdir", "/proc/1/cwd")) == ["exercises"]


def test_the_worker_cannot_write_outside_its_scratch_folder(open_session: OpenSession) -> None:
    import numpy

    session = open_session(hostile=HOSTILE)
    for target in (str(Path(numpy.__file__).parent / "planted.py"), "/planted", "/etc/planted"):
        with pytest.raises(StudentRaised) as raised:
            session.call("write", target)
        assert raised.value.exception_type in ("OSError", "PermissionError"), target
    # Its own modules are read-only too.
    with pytest.raises(StudentRaised):
        session.call("write", f"{SCRATCH}/exercises/hostile.py")
    assert session.call("write", f"{SCRATCH}/notes.txt") == f"{SCRATCH}/notes.txt"


def test_the_worker_has_private_temporary_folders(
    open_session: OpenSession, tmp_path: Path
) -> None:
    """What the worker writes to its temporary folder, and to /tmp, vanishes with it; the
    grader's /tmp is invisible."""
    visible = tmp_path / "grader-side.txt"
    visible.write_text("x")
    session = open_session(hostile=HOSTILE)
    name = f"left-by-student-{os.getpid()}"
    assert session.call("temporary_folder") == SCRATCH
    assert session.call("write_tmp", name, SCRATCH) is True
    assert session.call("write_tmp", name) is True
    assert not Path("/tmp", name).exists()
    with pytest.raises(StudentRaised):
        session.call("read", str(visible))
    session.close()
    again = open_session(hostile=HOSTILE)
    assert name not in again.call("listdir", "/tmp")
    assert name not in again.call("listdir", SCRATCH)


def test_the_network_is_unreachable(open_session: OpenSession) -> None:
    """Even the loopback interface: no network family may be opened, and the worker lives
    in a network namespace without any interface."""
    import socket

    with socket.socket() as server:
        server.bind(("127.0.0.1", 0))
        server.listen()
        server.settimeout(0.2)
        session = open_session(hostile=HOSTILE)
        with pytest.raises(StudentRaised) as raised:
            session.call("connect", server.getsockname()[1])
        with pytest.raises(socket.timeout):
            server.accept()
    assert raised.value.exception_type == "OSError"
    assert any(
        words in raised.value.detail
        for words in ("Address family not supported", "Network is unreachable")
    )


def wait_until_gone(sandbox: Sandbox, seconds: float = 3.0) -> list[int]:
    """The workers' processes still alive after `seconds` (none, once a session closed)."""
    deadline = time.monotonic() + seconds
    zygote = sandbox.zygote_pid
    assert zygote is not None
    while (left := worker_processes(zygote)) and time.monotonic() < deadline:
        time.sleep(0.05)
    return left


def test_a_fork_bomb_is_capped_and_nothing_survives_close(
    open_session: OpenSession, sandbox: Sandbox
) -> None:
    session = open_session(hostile=HOSTILE)
    children = session.call("fork_bomb")
    assert children < TEST_LIMITS.processes
    zygote = sandbox.zygote_pid
    assert zygote is not None and len(worker_processes(zygote)) > 1
    session.close()
    assert wait_until_gone(sandbox, 0.0) == []


def test_a_daemon_is_gone_the_moment_the_session_closes(
    open_session: OpenSession, sandbox: Sandbox
) -> None:
    """A double-forked, setsid daemon escapes the process group, not the PID namespace: it
    ends with the worker, before close returns."""
    session = open_session(hostile=HOSTILE)
    assert session.call("daemon") == 1
    time.sleep(0.1)
    zygote = sandbox.zygote_pid
    assert zygote is not None and len(worker_processes(zygote)) >= 2
    session.close()
    assert worker_processes(zygote) == []


def test_isolation_lists_the_layers_limits_and_notes(sandbox: Sandbox) -> None:
    """The report has every layer of the schema; on this machine every layer is active."""
    report = sandbox.isolation()
    assert set(report) == {"layers", "limits", "notes", "note_messages", "unsafe"}
    assert set(report["layers"]) == set(LAYERS)
    assert report["limits"] == TEST_LIMITS.as_dict()
    assert report == sandbox.isolation()
    assert report["unsafe"] is False
    assert all(report["layers"].values()), report
    expected = "dedicated user" if os.geteuid() == 0 else "user namespace of their own"
    assert any(expected in note for note in report["notes"])


def test_the_isolation_notes_are_in_every_language(sandbox: Sandbox) -> None:
    """`note_messages` holds the notes in every language, one per note in the same order;
    the sandbox's own note on how workers run is translated."""
    report = sandbox.isolation()
    messages = report["note_messages"]
    assert [texts["en"] for texts in messages] == report["notes"]
    assert all(set(texts) == {"en", "fr"} for texts in messages)
    if os.geteuid() == 0:
        english, french = "dedicated user", "utilisateur dédié"
    else:
        english, french = f"uid {os.getuid()} in a user namespace", f"uid {os.getuid()} dans"
    (how,) = [texts for texts in messages if english in texts["en"]]
    assert french in how["fr"] and english not in how["fr"]
    assert how["fr"].startswith("les processus isolés tournent")


def test_a_note_reported_by_a_worker_is_kept_as_it_is_in_every_language(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A worker's own note (another process's text, with the system's error in it) is not
    translated: every language gets the sentence the worker wrote."""
    from grader.sandbox import process

    handshake = process.WorkerProcess._handshake
    reported = "Landlock unavailable: Function not implemented"

    def with_a_note(worker: process.WorkerProcess) -> tuple[dict[str, bool], list[str]]:
        layers, notes = handshake(worker)
        return layers, [*notes, reported]

    monkeypatch.setattr(process.WorkerProcess, "_handshake", with_a_note)
    with Sandbox(TEST_LIMITS) as box:
        report = box.isolation()
    index = report["notes"].index(reported)
    assert report["note_messages"][index] == {"en": reported, "fr": reported}
    assert len(report["note_messages"]) == len(report["notes"]) >= 2


def test_the_zygote_leaves_no_zombie(open_session: OpenSession, sandbox: Sandbox) -> None:
    """Crashed, timed-out and closed workers are all reaped."""
    session = open_session(hostile=HOSTILE)
    with pytest.raises(WorkerCrashed):
        session.call("hard_exit")
    session.call("daemon")
    session.close()
    assert wait_until_gone(sandbox) == []


def test_a_dead_zygote_is_restarted(sandbox: Sandbox, open_session: OpenSession) -> None:
    """Killing the zygote costs one restart, not the grading."""
    old = sandbox.zygote_pid
    assert old is not None
    os.kill(old, 9)
    time.sleep(0.05)
    session = open_session(hostile=HOSTILE)
    assert session.call("ok", 3) == 3
    assert sandbox.zygote_pid != old


def test_closing_the_sandbox_stops_the_zygote() -> None:
    box = Sandbox(TEST_LIMITS)
    zygote = box._zygote()
    below = descendants(zygote.pid)
    assert below  # the inner zygote
    box.close()
    assert zygote.process.poll() is not None
    assert not Path(box._base).exists()
    assert [pid for pid in below if Path(f"/proc/{pid}").exists()] == []


def test_a_vanished_grader_leaves_nothing_running() -> None:
    """If the trusted process dies, the zygote and every worker and leftover die with it."""
    box = Sandbox(TEST_LIMITS)
    try:
        session = box.open_session(
            {"hostile": textwrap.dedent(HOSTILE)}, function_modules={"daemon": "hostile"}
        )
        session.call("daemon")
        zygote = box._zygote()
        below = descendants(zygote.pid)
        assert len(below) >= 3  # the inner zygote, the worker, its daemon
        zygote.sock.close()  # what the zygote sees when the grader is killed
        zygote.process.wait(timeout=10)
        deadline = time.monotonic() + 3
        while [p for p in below if Path(f"/proc/{p}").exists()] and time.monotonic() < deadline:
            time.sleep(0.05)
        assert [p for p in below if Path(f"/proc/{p}").exists()] == []
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


def test_a_reply_far_larger_than_the_arguments_is_refused_unread(
    open_session: OpenSession,
) -> None:
    """A 256 MiB reply to a call on a few numbers: refused from its header, so the trusted
    process never holds it; the next call gets a fresh worker."""
    import tracemalloc

    session = open_session(
        hostile=textwrap.dedent(
            """
            import os, struct

            def flood(x):
                # A well-formed header announcing 200 MiB, then the bytes, straight into
                # the worker's socket.
                os.write(3, struct.pack("<4sB3xIQ", b"NNGR", 1, 2, 200 << 20) + b"{}")
                chunk = bytes(1 << 20)
                for _ in range(200):
                    os.write(3, chunk)

            def ok(x):
                return x
            """
        )
    )
    tracemalloc.start()
    try:
        with pytest.raises(HostileValue, match="at most"):
            session.call("flood", np.ones(3))
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < 16 << 20
    assert session.call("ok", 2) == 2


def test_large_honest_replies_still_come_back(open_session: OpenSession) -> None:
    session = open_session(hostile="def double(x):\n    return x * 2\n")
    big = np.arange(1 << 20, dtype=np.float64)  # 8 MiB each way: above the floor
    np.testing.assert_array_equal(session.call("double", big), big * 2)
    batch = session.call_batch("double", [((big[:1000],), {})] * 200)
    assert len(batch) == 200 and batch[-1][999] == 1998.0


def test_a_callback_nobody_offered_is_hostile(open_session: OpenSession) -> None:
    """Student code that forges a request for a substituted value, when none is offered,
    gets its worker replaced; the answer key is never computed for it."""
    session = open_session(
        hostile=textwrap.dedent(
            """
            import gc

            def forge():
                for thing in gc.get_objects():
                    if type(thing).__name__ == "_Worker":
                        return thing.callback_stand_in("relu", None, 1)(2.0)

            def ok(x):
                return x
            """
        )
    )
    with pytest.raises(HostileValue):
        session.call("forge")
    assert session.call("ok", 2) == 2
