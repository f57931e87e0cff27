"""The sandbox: one per trusted grading process; opens one student session at a time."""

from __future__ import annotations

import importlib.util
import os
import sys
import tempfile
import weakref
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from types import TracebackType
from typing import Any

from grader.errors import SandboxError, SandboxUnavailable
from grader.i18n import LANGUAGES, N_, SOURCE_LANGUAGE, Text
from grader.sandbox.control import ZygoteClient
from grader.sandbox.launcher import BASE_ENVIRONMENT, FORBIDDEN_MODULES, WorkerLauncher, remove_tree
from grader.sandbox.limits import SandboxLimits
from grader.sandbox.output import CappedStream
from grader.sandbox.session import StudentSession
from grader.sandbox.slots import reserve_slot

BASE_UID = 61000
MAX_SLOTS = 4000

DEDICATED_USER_NOTE = N_("workers run as a dedicated user of their own (one per grading process)")
USER_NAMESPACE_NOTE = N_(
    "workers run as uid %(uid)s in a user namespace of their own, without capabilities"
)
UNSAFE_NOTE = N_("UNSAFE: --unsafe-no-sandbox: student code ran without isolation")


def reported_note(note: str) -> dict[str, str]:
    """A note the zygote or a worker reported (another process's text, with the system's
    error in it): the same sentence in every language, not translated."""
    return dict.fromkeys(LANGUAGES, note)


def dedicated_users_available() -> bool:
    """Whether workers can run as a dedicated uid (the grader is root on Linux)."""
    return sys.platform.startswith("linux") and os.geteuid() == 0


def package_folder(name: str) -> str | None:
    """Where the top-level package `name` lives, without importing it."""
    try:
        spec = importlib.util.find_spec(name)
    except (ImportError, ValueError):
        return None
    if spec is None or not spec.submodule_search_locations:
        return None
    return os.path.realpath(next(iter(spec.submodule_search_locations)))


def forbidden_folders(extra: Iterable[os.PathLike[str] | str]) -> list[str]:
    """Folders no worker may see, checked against the allowlist: the grader's packages, the
    project checkout that holds them, and `extra` (submissions, results, a course)."""
    found = [os.fspath(p) for p in extra]
    for name in FORBIDDEN_MODULES:
        folder = package_folder(name)
        if folder is not None:
            found.append(folder)
            parent = Path(folder).parent
            if (parent / "pyproject.toml").exists():
                found.append(str(parent))
    return sorted({os.path.realpath(p) for p in found})


def _shutdown(zygote_box: list[ZygoteClient | None], base: str, slot_lock: int) -> None:
    zygote = zygote_box[0]
    if zygote is not None:
        zygote.close()
        zygote_box[0] = None
    remove_tree(base)
    os.close(slot_lock)  # last: the slot is free only once its processes are gone


class Sandbox:
    """Runs student code in confined worker processes forked from a warm zygote.

    Each worker lives in a world of its own: an allowlisted read-only root, its own mount,
    PID, IPC, network and UTS namespaces, no privileges (as root it runs as the dedicated
    uid ``61000 + slot``; otherwise in a user namespace of its own), no_new_privs, a seccomp
    filter and Landlock where the kernel has them (see `grader.sandbox.confine`). Where the
    machine cannot build that world, creating a `Sandbox` raises `SandboxUnavailable`,
    unless `unsafe` is set: then workers are only separate processes with resource limits,
    and `isolation()` says so.

    A slot is reserved across processes for the sandbox's lifetime (leave `slot` unset to
    take the lowest free one), so parallel graders never share a uid. One session (one
    submission) is open at a time.
    """

    def __init__(
        self,
        limits: SandboxLimits = SandboxLimits(),  # noqa: B008 (frozen, so sharing is safe)
        *,
        slot: int | None = None,
        hidden_paths: Sequence[Path] = (),
        unsafe: bool = False,
    ) -> None:
        if slot is not None and (type(slot) is not int or not 0 <= slot < MAX_SLOTS):
            raise SandboxError(
                f"The sandbox slot must be an integer from 0 to {MAX_SLOTS - 1}, not {slot!r}."
            )
        self.limits = limits
        self.unsafe = unsafe
        slot, slot_lock = reserve_slot(slot, MAX_SLOTS)
        self.slot = slot
        isolated = not unsafe
        self.uid: int | None = BASE_UID + slot if dedicated_users_available() else None
        if unsafe:
            self.uid = None
        self._forbidden = forbidden_folders(hidden_paths)
        self._base = tempfile.mkdtemp(prefix="nngrade-sandbox-")
        os.chmod(self._base, 0o711)
        os.mkdir(os.path.join(self._base, "root"), 0o755)
        self._zygote_box: list[ZygoteClient | None] = [None]
        self._finalizer = weakref.finalize(self, _shutdown, self._zygote_box, self._base, slot_lock)
        self._launcher = WorkerLauncher(
            limits=limits, uid=self.uid, isolated=isolated, base=self._base, zygote=self._zygote
        )
        self._session: StudentSession | None = None
        self._layers: dict[str, bool] | None = None
        self._notes: list[Mapping[str, str]] = []  # each in every language
        try:
            self._zygote()
            self._layers, self._notes = self._probe()
        except SandboxError as error:
            self.close()
            from grader.sandbox import platform

            missing = [] if unsafe else platform.missing_layers()
            if missing:
                raise SandboxUnavailable(platform.unavailable_message(missing)) from error
            raise
        except BaseException:
            self.close()
            raise
        self._launcher.required = self._layers

    # -- the public surface -------------------------------------------------------------

    def open_session(
        self, sources: Mapping[str, str], *, function_modules: Mapping[str, str]
    ) -> StudentSession:
        """Start a worker for one submission and import its modules (`sources`: name -> text)."""
        if not self._finalizer.alive:
            raise SandboxError("This sandbox is closed; create a new one.")
        if self._session is not None:
            raise SandboxError("This sandbox already has an open session; close it first.")
        session = StudentSession(
            self._launcher, sources, function_modules, on_close=self._session_closed
        )
        self._session = session
        return session

    def isolation(self) -> dict[str, Any]:
        """The layers in force, the limits, and how the workers are isolated and why a
        layer is unavailable (result schema): `notes` in English, `note_messages` the same
        notes in every language."""
        return {
            "layers": dict(self._layers or {}),
            "limits": self.limits.as_dict(),
            "notes": [note[SOURCE_LANGUAGE] for note in self._notes],
            "note_messages": [dict(note) for note in self._notes],
            "unsafe": self.unsafe,
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

    @property
    def zygote_pid(self) -> int | None:
        """The pid of the running zygote (None before it starts or after it stopped)."""
        zygote = self._zygote_box[0]
        return zygote.pid if zygote is not None and zygote.alive() else None

    # -- internals ----------------------------------------------------------------------

    def _zygote(self) -> ZygoteClient:
        zygote = self._zygote_box[0]
        if zygote is None or not zygote.alive():
            if zygote is not None:
                zygote.close()
            self._zygote_box[0] = None
            settings = {
                "isolated": not self.unsafe,
                "forbidden": self._forbidden,
                "root_base": os.path.join(self._base, "root"),
            }
            zygote = self._zygote_box[0] = ZygoteClient(BASE_ENVIRONMENT, settings)
        return zygote

    def _probe(self) -> tuple[dict[str, bool], list[Mapping[str, str]]]:
        """Start one worker with nothing to import and see which layers it got, and the
        notes on them in every language."""
        staged = self._launcher.stage({})
        sink = CappedStream(0)
        try:
            worker = self._launcher.start(staged, [], [], {}, sink, sink, required=None)
            worker.stop()
            worker.join_output(2.0)
        finally:
            self._launcher.discard(staged)
        notes: list[Mapping[str, str]] = [
            reported_note(note) for note in [*self._zygote().notes, *worker.notes]
        ]
        if self.uid is not None:
            notes.append(Text(DEDICATED_USER_NOTE))
        elif not self.unsafe:
            notes.append(Text(USER_NAMESPACE_NOTE, uid=os.getuid()))
        else:
            notes.insert(0, Text(UNSAFE_NOTE))
        return worker.layers, notes

    def _session_closed(self, session: StudentSession) -> None:
        if self._session is session:
            self._session = None
