"""The isolation layers a freshly forked worker puts on itself before running student code.

Runs in the worker, still as the zygote's user, between `fork` and the first import of
student code. Every layer is applied where the platform allows; what could not be applied
is reported (layer name -> False, plus a note) so that `Sandbox.isolation()` tells the
truth. When `required` is given (every worker after the startup probe), a layer that the
probe had but this worker cannot get is a failure, not a silent downgrade.
"""

from __future__ import annotations

import ctypes
import os
import resource
import signal
import sys
from collections.abc import Mapping, Sequence
from typing import Any

LAYERS: tuple[str, ...] = (
    "separate_process",
    "rlimit_cpu",
    "rlimit_as",
    "rlimit_fsize",
    "rlimit_nofile",
    "rlimit_nproc",
    "wall_clock_deadline",
    "process_group_kill",
    "unprivileged_user",
    "no_network",
    "hidden_paths",
    "scratch_folder",
    "scrubbed_environment",
    "output_capped",
)

# Layers the trusted side provides by itself, whatever the platform.
ALWAYS = ("separate_process", "wall_clock_deadline", "scratch_folder", "output_capped")

CLONE_NEWNS = 0x00020000
CLONE_NEWNET = 0x40000000
MS_RDONLY = 1
MS_NOSUID = 2
MS_NODEV = 4
MS_NOEXEC = 8
MS_REMOUNT = 32
MS_BIND = 4096
MS_REC = 16384
MS_PRIVATE = 1 << 18
PR_SET_PDEATHSIG = 1
PR_SET_NO_NEW_PRIVS = 38

HIDE_TMPFS_BYTES = 1 << 20
PRIVATE_TMP_BYTES = 64 << 20


class SetupFailed(Exception):
    """A layer that the sandbox relies on could not be applied in this worker."""


def _libc() -> ctypes.CDLL | None:
    if not sys.platform.startswith("linux"):
        return None
    try:
        return ctypes.CDLL(None, use_errno=True)
    except OSError:
        return None


def _check(result: int, what: str) -> None:
    if result != 0:
        error = ctypes.get_errno()
        raise OSError(error, f"{what}: {os.strerror(error)}")


def _mount(
    libc: ctypes.CDLL,
    source: str | None,
    target: str,
    fstype: str | None,
    flags: int,
    data: str | None = None,
) -> None:
    _check(
        libc.mount(
            None if source is None else source.encode(),
            target.encode(),
            None if fstype is None else fstype.encode(),
            ctypes.c_ulong(flags),
            None if data is None else data.encode(),
        ),
        f"mount {target}",
    )


def _is_under(path: str, folder: str) -> bool:
    return path == folder or path.startswith(folder.rstrip("/") + "/")


def _outermost(paths: Sequence[str]) -> list[str]:
    """The paths not inside another path of the list."""
    return [p for p in paths if not any(q != p and _is_under(p, q) for q in paths)]


def _cover(libc: ctypes.CDLL, folder: str, keep: Sequence[str], *, private_tmp: bool) -> None:
    """Mount a fresh tmpfs over `folder`, then bind back the kept folders inside it.

    A hidden folder's tmpfs ends read-only (mode 0000 when nothing is kept in it, 0711 when
    kept folders must stay reachable); a private temporary folder's stays writable (1777).
    """
    inner = _outermost([k for k in keep if _is_under(k, folder) and k != folder])
    handles = [(k, os.open(k, os.O_PATH | os.O_DIRECTORY)) for k in inner if os.path.isdir(k)]
    try:
        if private_tmp:
            flags, options = MS_NOSUID | MS_NODEV, f"mode=1777,size={PRIVATE_TMP_BYTES}"
        else:
            flags = MS_NOSUID | MS_NODEV | MS_NOEXEC
            options = f"mode={'0711' if handles else '0000'},size={HIDE_TMPFS_BYTES}"
        _mount(libc, "tmpfs", folder, "tmpfs", flags, options)
        for path, fd in handles:
            os.makedirs(path, mode=0o711, exist_ok=True)
            _mount(libc, f"/proc/self/fd/{fd}", path, None, MS_BIND | MS_REC)
        if not private_tmp:
            _mount(libc, None, folder, None, MS_REMOUNT | MS_BIND | MS_RDONLY | flags)
    finally:
        for _, fd in handles:
            os.close(fd)


def _hide_paths(libc: ctypes.CDLL, plan: Mapping[str, Any]) -> None:
    """New mount and network namespaces, then hidden folders and private temporary folders."""
    _check(libc.unshare(CLONE_NEWNS | CLONE_NEWNET), "unshare")
    _mount(libc, None, "/", None, MS_REC | MS_PRIVATE)
    keep = [str(k) for k in plan["keep"]]
    covers = [(str(p), False) for p in plan["hide"]] + [(str(p), True) for p in plan["tmp"]]
    # Outer folders first, so that a folder inside an already hidden one is simply absent.
    for folder, private_tmp in sorted(covers, key=lambda item: item[0].count("/")):
        if os.path.isdir(folder) and not os.path.islink(folder):
            _cover(libc, folder, keep, private_tmp=private_tmp)


def _set_limit(kind: int, soft: int, hard: int | None = None) -> None:
    resource.setrlimit(kind, (soft, soft if hard is None else hard))


def apply_layers(
    config: Mapping[str, Any], required: Mapping[str, bool] | None
) -> tuple[dict[str, bool], list[str]]:
    """Put every available layer on the calling (freshly forked) process.

    Returns ``(layers, notes)``; raises `SetupFailed` when a layer in `required` is missing.
    """
    layers = dict.fromkeys(LAYERS, False)
    layers.update(dict.fromkeys(ALWAYS, True))
    notes: list[str] = []
    limits = config["limits"]
    uid = config["uid"]
    libc = _libc()

    os.setsid()
    layers["process_group_kill"] = True

    if libc is None:
        notes.append("not Linux: no mount or network namespace, no hidden paths")
    elif uid is None:
        notes.append("not running as root: no mount or network namespace, no hidden paths")
    else:
        try:
            _hide_paths(libc, config["mounts"])
            layers["no_network"] = layers["hidden_paths"] = True
        except OSError as error:
            notes.append(f"namespaces unavailable ({error}): no network isolation, no hidden paths")

    _set_limit(resource.RLIMIT_CORE, 0)
    cpu = max(1, int(limits["cpu_seconds"] + 0.999))
    # The soft limit sends SIGXCPU, the hard one SIGKILL a second later (SIGXCPU can be ignored).
    for layer, kind, soft, hard in (
        ("rlimit_cpu", resource.RLIMIT_CPU, cpu, cpu + 1),
        ("rlimit_as", resource.RLIMIT_AS, int(limits["memory_bytes"]), None),
        ("rlimit_fsize", resource.RLIMIT_FSIZE, int(limits["file_bytes"]), None),
        ("rlimit_nofile", resource.RLIMIT_NOFILE, int(limits["open_files"]), None),
    ):
        try:
            _set_limit(kind, soft, hard)
            layers[layer] = True
        except (OSError, ValueError) as error:
            notes.append(f"{layer} unavailable: {error}")

    if uid is not None:
        try:
            _set_limit(resource.RLIMIT_NPROC, int(limits["processes"]))
            os.setgroups([])
            os.setgid(uid)
            os.setuid(uid)
            layers["unprivileged_user"] = layers["rlimit_nproc"] = True
        except OSError as error:
            notes.append(f"could not switch to the dedicated user {uid}: {error}")
    else:
        notes.append(
            "not running as root: no dedicated user, and no process limit "
            "(RLIMIT_NPROC would count every process of the grading user)"
        )
    if libc is not None:
        # No set-user-ID program can give privileges back; die with the zygote.
        libc.prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0)
        libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)

    os.environ.clear()
    os.environ.update(config["env"])
    layers["scrubbed_environment"] = True

    if required is not None:
        missing = [name for name, active in required.items() if active and not layers.get(name)]
        if missing:
            raise SetupFailed(
                f"The worker could not apply the layers {', '.join(missing)}: {'; '.join(notes)}."
            )
    return layers, notes
