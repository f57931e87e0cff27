"""What a student session needs from its sandbox: stage sources, start workers, clean up.

`WorkerLauncher` is the small public interface between `Sandbox` (which owns the zygote,
the slot and the isolation mode) and `StudentSession` (which owns one submission's
workers): a session stages its modules once, starts workers on them as often as it needs
(a timeout or a crash restarts one), and discards the staged folder when it closes.
"""

from __future__ import annotations

import contextlib
import os
import re
import stat
import tempfile
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from grader.errors import SandboxError
from grader.sandbox import world
from grader.sandbox.control import ZygoteClient
from grader.sandbox.limits import SandboxLimits
from grader.sandbox.output import CappedStream
from grader.sandbox.process import WorkerProcess

BASE_ENVIRONMENT = {
    "PATH": "/usr/local/bin:/usr/bin:/bin",
    "LANG": "C.UTF-8",
    "PYTHONHASHSEED": "0",
    "PYTHONDONTWRITEBYTECODE": "1",
    "OPENBLAS_NUM_THREADS": "1",
    "OMP_NUM_THREADS": "1",
    "MKL_NUM_THREADS": "1",
    "NUMEXPR_NUM_THREADS": "1",
    "VECLIB_MAXIMUM_THREADS": "1",
}
FORBIDDEN_MODULES = ("grader", "reference", "solutions")
MODULE_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]{0,99}")


@dataclass(frozen=True)
class StagedSources:
    """A submission's modules written for its workers.

    Attributes:
        folder: the host folder holding ``exercises/<module>.py``.
        scratch: the worker's working folder, as student code sees it (tracebacks and
            printed paths name files under it).
    """

    folder: str
    scratch: str


class WorkerLauncher:
    """Starts the workers of one sandbox (see `Sandbox`, which makes one)."""

    def __init__(
        self,
        *,
        limits: SandboxLimits,
        uid: int | None,
        isolated: bool,
        base: str,
        zygote: Callable[[], ZygoteClient],
    ) -> None:
        self.limits = limits
        self.uid = uid
        self.isolated = isolated
        self.base = base
        self._zygote = zygote
        self.required: Mapping[str, bool] | None = None

    def stage(self, sources: Mapping[str, str]) -> StagedSources:
        """Write ``exercises/<module>.py`` for each module (`sources`: name -> text)."""
        for name in sources:
            if type(name) is not str or not MODULE_NAME.fullmatch(name) or name == "__init__":
                raise SandboxError(f"{name!r} is not a valid module name for a submission.")
        folder = tempfile.mkdtemp(prefix="session-", dir=self.base)
        package = Path(folder, "exercises")
        package.mkdir()
        (package / "__init__.py").write_text("", encoding="utf-8")
        for name, text in sources.items():
            (package / f"{name}.py").write_text(text, encoding="utf-8")
        if self.uid is not None:
            for path in (Path(folder), package, *package.iterdir()):
                os.chown(path, self.uid, self.uid)
        return StagedSources(folder, world.SCRATCH if self.isolated else folder)

    def start(
        self,
        staged: StagedSources,
        modules: Sequence[str],
        broken: Sequence[str],
        function_modules: Mapping[str, str],
        stdout: CappedStream,
        stderr: CappedStream,
        *,
        required: Mapping[str, bool] | str | None = "probed",
    ) -> WorkerProcess:
        """Start a worker on `staged`; it imports nothing until asked."""
        limits = self.limits
        config = {
            "sources": staged.folder,
            "scratch": staged.scratch,
            "isolated": self.isolated,
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
                "scratch_bytes": limits.scratch_bytes,
                "scratch_inodes": limits.scratch_inodes,
            },
            "env": {
                **BASE_ENVIRONMENT,
                "HOME": staged.scratch,
                "TMPDIR": staged.scratch,
            },
            "forbidden_modules": list(FORBIDDEN_MODULES),
            "required": self.required if required == "probed" else required,
        }
        return WorkerProcess(self._zygote(), config, stdout, stderr)

    def discard(self, staged: StagedSources) -> None:
        """Remove a staged folder and whatever a worker wrote there; never raises."""
        remove_tree(staged.folder)


def remove_tree(folder: str) -> None:
    """Delete `folder` however deep it goes (no recursion) and whatever modes its student
    left on it; never raises (what cannot be removed stays, inside the sandbox's folder)."""
    pending = [(folder, False)]
    while pending:
        path, emptied = pending.pop()
        if emptied:
            with contextlib.suppress(OSError):
                os.rmdir(path)
            continue
        try:
            if os.path.islink(path) or not os.path.isdir(path):
                os.unlink(path)
                continue
            os.chmod(path, stat.S_IRWXU)
            entries = list(os.scandir(path))
        except OSError:
            continue
        pending.append((path, True))
        for entry in entries:
            try:
                if entry.is_dir(follow_symlinks=False):
                    pending.append((entry.path, False))
                else:
                    os.unlink(entry.path)
            except OSError:
                continue
