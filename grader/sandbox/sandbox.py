"""The sandbox: one per trusted grading process; opens one student session at a time."""

from __future__ import annotations

import os
import re
import shutil
import sys
import tempfile
import weakref
from collections.abc import Mapping, Sequence
from pathlib import Path
from types import TracebackType
from typing import Any

from grader.errors import SandboxError
from grader.sandbox.control import ZygoteClient
from grader.sandbox.limits import SandboxLimits
from grader.sandbox.mounts import GRADER_PACKAGES, hidden_folders, mount_plan
from grader.sandbox.output import CappedStream
from grader.sandbox.process import WorkerProcess
from grader.sandbox.session import StudentSession
from grader.sandbox.slots import reserve_slot

BASE_UID = 61000
MAX_SLOTS = 4000
MODULE_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]{0,99}")

THREADS_ONE = {
    "OPENBLAS_NUM_THREADS": "1",
    "OMP_NUM_THREADS": "1",
    "MKL_NUM_THREADS": "1",
    "NUMEXPR_NUM_THREADS": "1",
    "VECLIB_MAXIMUM_THREADS": "1",
}
BASE_ENVIRONMENT = {
    "PATH": "/usr/local/bin:/usr/bin:/bin",
    "LANG": "C.UTF-8",
    "PYTHONHASHSEED": "0",
    "PYTHONDONTWRITEBYTECODE": "1",
    **THREADS_ONE,
}


def _dedicated_users_available() -> bool:
    return sys.platform.startswith("linux") and os.geteuid() == 0


def _shutdown(zygote_box: list[ZygoteClient | None], base: str, slot_lock: int) -> None:
    zygote = zygote_box[0]
    if zygote is not None:
        zygote.close()
        zygote_box[0] = None
    shutil.rmtree(base, ignore_errors=True)
    os.close(slot_lock)  # last: the slot is free only once its processes are gone


class Sandbox:
    """Runs student code in confined worker processes forked from a warm zygote.

    The zygote is started fresh (``python -m grader.sandbox.zygote``, scrubbed environment,
    one thread per numerical library) and imports numpy and the worker code only. As root,
    workers run as the dedicated uid ``61000 + slot``; a slot is reserved across processes
    for the sandbox's lifetime (leave `slot` unset to take the lowest free one), so parallel
    graders never share a uid. One session (one submission) is open at a time.
    """

    def __init__(
        self,
        limits: SandboxLimits = SandboxLimits(),  # noqa: B008 (frozen, so sharing is safe)
        *,
        slot: int | None = None,
        hidden_paths: Sequence[Path] = (),
    ) -> None:
        if slot is not None and (type(slot) is not int or not 0 <= slot < MAX_SLOTS):
            raise SandboxError(
                f"The sandbox slot must be an integer from 0 to {MAX_SLOTS - 1}, not {slot!r}."
            )
        self.limits = limits
        slot, slot_lock = reserve_slot(slot, MAX_SLOTS)
        self.slot = slot
        self.uid: int | None = BASE_UID + slot if _dedicated_users_available() else None
        self._hidden = hidden_folders(hidden_paths)
        self._base = tempfile.mkdtemp(prefix="nngrade-sandbox-")
        os.chmod(self._base, 0o711)
        self._zygote_box: list[ZygoteClient | None] = [None]
        self._finalizer = weakref.finalize(self, _shutdown, self._zygote_box, self._base, slot_lock)
        self._session: StudentSession | None = None
        self._layers: dict[str, bool] | None = None
        self._notes: list[str] = []
        try:
            self._zygote()
            self._sweep()
            self._layers, self._notes = self._probe()
        except BaseException:
            self.close()
            raise

    # -- the public surface -------------------------------------------------------------

    def open_session(
        self, sources: Mapping[str, str], *, function_modules: Mapping[str, str]
    ) -> StudentSession:
        """Start a worker for one submission and import its modules (`sources`: name -> text)."""
        if not self._finalizer.alive:
            raise SandboxError("This sandbox is closed; create a new one.")
        if self._session is not None:
            raise SandboxError("This sandbox already has an open session; close it first.")
        session = StudentSession(self, sources, function_modules)
        self._session = session
        return session

    def isolation(self) -> dict[str, Any]:
        """The layers in force, the limits, and why a layer is unavailable (result schema)."""
        return {
            "layers": dict(self._layers or {}),
            "limits": self.limits.as_dict(),
            "notes": list(self._notes),
        }

    def close(self) -> None:
        """Close the open session, stop the zygote, remove the scratch folders."""
        if self._session is not None:
            self._session.close()
        self._finalizer()

    def __enter__(self) -> Sandbox:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        self.close()

    # -- for StudentSession -------------------------------------------------------------

    def _zygote(self) -> ZygoteClient:
        zygote = self._zygote_box[0]
        if zygote is None or not zygote.alive():
            if zygote is not None:
                zygote.close()
            self._zygote_box[0] = None
            self._zygote_box[0] = ZygoteClient(BASE_ENVIRONMENT)
        return self._zygote_box[0]

    def _probe(self) -> tuple[dict[str, bool], list[str]]:
        """Start one worker with nothing to import and see which layers it got."""
        scratch = self._make_scratch({})
        sink = CappedStream(0)
        try:
            worker = self._start_worker(scratch, [], [], {}, sink, sink, required=None)
            worker.stop()
            worker.join_output(2.0)
        finally:
            shutil.rmtree(scratch, ignore_errors=True)
        return worker.layers, worker.notes

    def _start_worker(
        self,
        scratch: str,
        modules: Sequence[str],
        broken: Sequence[str],
        function_modules: Mapping[str, str],
        stdout: CappedStream,
        stderr: CappedStream,
        *,
        required: Mapping[str, bool] | str | None = "probed",
    ) -> WorkerProcess:
        limits = self.limits
        config = {
            "scratch": scratch,
            "modules": list(modules),
            "broken": list(broken),
            "function_modules": dict(function_modules),
            "uid": self.uid,
            "limits": {
                "cpu_seconds": limits.cpu_seconds,
                "memory_bytes": limits.memory_bytes,
                "file_bytes": limits.file_bytes,
                "open_files": limits.open_files,
                "processes": limits.processes,
            },
            "mounts": mount_plan(self._hidden, scratch),
            "env": {**BASE_ENVIRONMENT, "HOME": scratch},
            "forbidden_modules": list(GRADER_PACKAGES),
            "required": self._layers if required == "probed" else required,
        }
        return WorkerProcess(self._zygote(), config, stdout, stderr)

    def _make_scratch(self, sources: Mapping[str, str]) -> str:
        """A fresh folder owned by the worker's uid, holding ``exercises/<module>.py``."""
        for name in sources:
            if type(name) is not str or not MODULE_NAME.fullmatch(name) or name == "__init__":
                raise SandboxError(f"{name!r} is not a valid module name for a submission.")
        scratch = tempfile.mkdtemp(prefix="session-", dir=self._base)
        package = Path(scratch, "exercises")
        package.mkdir()
        (package / "__init__.py").write_text("", encoding="utf-8")
        for name, text in sources.items():
            (package / f"{name}.py").write_text(text, encoding="utf-8")
        if self.uid is not None:
            for path in (scratch, package, *package.iterdir()):
                os.chown(path, self.uid, self.uid)
        return scratch

    def _sweep(self) -> None:
        """Kill whatever still runs as the worker uid (or, without one, the zygote's orphans)."""
        if self.uid is not None:
            # Restart the zygote if need be: leftovers of a dead one still run as this uid.
            self._zygote().request({"op": "kill", "pid": None, "uid": self.uid})
            return
        zygote = self._zygote_box[0]
        if zygote is not None and zygote.alive():
            zygote.request({"op": "kill", "pid": None, "uid": None})

    def _session_closed(self, session: StudentSession) -> None:
        if self._session is session:
            self._session = None
