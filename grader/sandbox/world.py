"""The worker's world: a fresh root holding only what student code needs, read-only.

`plan_world` runs once in the zygote, which has numpy imported: it lists what a worker may
see (the standard library, numpy, the shared libraries the zygote has mapped, the loader's
cache, a few device files) at the paths the interpreter already uses. `enter_template`
then builds that root in the zygote's own mount namespace (a small tmpfs, every allowed
path bound into it read-only) and moves the zygote into it with `pivot_root`, the old root
detached. Each worker copies the template into a mount namespace of its own, where
`finish_worker` adds a fresh /proc and a capped tmpfs as the only writable folder, holding
the submission's modules read-only. What is not on the list does not exist for the worker,
whatever its path.
"""

from __future__ import annotations

import os
import stat
import sys
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from grader.sandbox import kernel

SCRATCH = "/sandbox"
"""The worker's only writable folder (and its home, temporary folder and working folder)."""
TMP = "/tmp"

DEVICES = ("/dev/null", "/dev/zero", "/dev/full", "/dev/random", "/dev/urandom")
PACKAGE_FOLDERS = ("site-packages", "dist-packages")
ROOT_OPTIONS = "mode=0755,size=1m,nr_inodes=4096"
COVER_OPTIONS = "mode=0755,size=16k,nr_inodes=64"
SYSTEM_LINKS = ("/bin", "/sbin", "/lib", "/lib32", "/lib64", "/libx32")

BIND = "bind"
COVER = "cover"


class WorldError(Exception):
    """The allowlist would show the worker something it must not see."""


@dataclass(frozen=True)
class WorldPlan:
    """What a worker's root holds.

    Attributes:
        mounts: ``(kind, path)`` in mount order (parents first): ``bind`` shows the host's
            file or folder at `path` read-only; ``cover`` hides a folder inside a bound one
            under an empty read-only tmpfs (e.g. the standard library's site-packages).
        links: ``(path, target)`` symbolic links to recreate (``/lib`` -> ``usr/lib``), so
            that the paths the loader and the interpreter use lead where they did.
    """

    mounts: tuple[tuple[str, str], ...]
    links: tuple[tuple[str, str], ...]

    def under_tmp(self) -> tuple[list[str], list[tuple[str, str]]]:
        """The outermost mounts and the links the plan shows under /tmp (a Python or a venv
        installed there), which each worker binds again over its own /tmp."""
        mounts: list[str] = []
        for _, path in self.mounts:  # parents first
            if _is_under(path, TMP) and not any(_is_under(path, m) for m in mounts):
                mounts.append(path)
        return mounts, [(path, target) for path, target in self.links if _is_under(path, TMP)]


def _is_under(path: str, folder: str) -> bool:
    return path == folder or path.startswith(folder.rstrip("/") + "/")


def _links_along(path: str) -> tuple[str, list[tuple[str, str]]]:
    """`path` with every symbolic link resolved, and the links met on the way."""
    links: list[tuple[str, str]] = []
    resolved = "/"
    pending = [part for part in path.split("/") if part]
    hops = 0
    while pending:
        part = pending.pop(0)
        candidate = os.path.join(resolved, part)
        if part == "..":
            resolved = os.path.dirname(resolved)
            continue
        if part == "." or not os.path.islink(candidate):
            resolved = candidate
            continue
        hops += 1
        if hops > 40:
            raise WorldError(f"{path} has a loop of symbolic links")
        target = os.readlink(candidate)
        links.append((candidate, target))
        if target.startswith("/"):
            resolved = "/"
        pending = [p for p in target.split("/") if p] + pending
    return resolved, links


def _mapped_files() -> list[str]:
    """The files this process has mapped: its executable and shared libraries."""
    found = set()
    with open("/proc/self/maps", encoding="utf-8", errors="replace") as maps:
        for line in maps:
            fields = line.split(maxsplit=5)
            if len(fields) == 6 and fields[5].startswith("/"):
                path = fields[5].rstrip("\n")
                if not path.endswith(" (deleted)") and os.path.isfile(path):
                    found.add(path)
    return sorted(found)


def _python_folders() -> tuple[list[str], list[str]]:
    """The interpreter's standard library folders, and every folder of installed packages."""
    stdlib = [os.path.dirname(os.__file__)]
    stdlib += [p for p in sys.path if p.endswith("lib-dynload") and os.path.isdir(p)]
    import site

    packages = [p for p in sys.path if os.path.basename(p) in PACKAGE_FOLDERS]
    packages += list(getattr(site, "getsitepackages", list)())
    packages.append(site.getusersitepackages())
    return stdlib, packages


def plan_world(numpy_folder: str, forbidden: Iterable[str]) -> WorldPlan:
    """The allowlist of this interpreter, with numpy at `numpy_folder`.

    `forbidden` lists folders that must stay out of sight (the grader's packages and their
    checkout, the submissions, the results, a course): a plan that would show any of them
    raises `WorldError` instead of silently widening what a worker sees.
    """
    stdlib, package_folders = _python_folders()
    binds: dict[str, None] = {}
    covers: dict[str, None] = {}
    links: dict[str, str] = {}

    def add(path: str, kind: str) -> None:
        resolved, met = _links_along(os.path.abspath(path))
        for link, target in met:
            links[link] = target
        (binds if kind == BIND else covers)[resolved] = None

    for folder in stdlib:
        add(folder, BIND)
        for name in PACKAGE_FOLDERS:
            inner = os.path.join(folder, name)
            if os.path.isdir(inner):
                add(inner, COVER)
    add(numpy_folder, BIND)
    libs = os.path.join(os.path.dirname(numpy_folder), "numpy.libs")
    if os.path.isdir(libs):
        add(libs, BIND)
    # A mapped file's folder is shown whole (libraries loaded later sit beside it) unless it
    # holds packages or an interpreter; then only the file.
    executable = os.path.realpath(sys.executable)
    holders = [os.path.realpath(p) for p in (*package_folders, *stdlib, *forbidden)]
    for path in _mapped_files():
        folder = os.path.dirname(path)
        if path == executable or any(_is_under(h, folder) for h in holders):
            add(path, BIND)
        else:
            add(folder, BIND)
    if os.path.isfile("/etc/ld.so.cache"):
        add("/etc/ld.so.cache", BIND)
    for link in SYSTEM_LINKS:
        if os.path.islink(link):
            links[link] = os.readlink(link)

    mounts = _mount_order(binds, covers)
    _check_forbidden(mounts, [os.path.realpath(p) for p in forbidden])
    _check_reserved(mounts)
    return WorldPlan(tuple(mounts), tuple(sorted(links.items())))


def _mount_order(binds: Iterable[str], covers: Iterable[str]) -> list[tuple[str, str]]:
    """Binds and covers, parents before children; a bind inside another bind is dropped
    unless a cover lies between them."""
    covers = sorted(covers)
    kept: list[str] = []
    for path in sorted(binds, key=lambda p: (p.count("/"), p)):
        inside = [b for b in kept if _is_under(path, b)]
        hidden = any(_is_under(path, c) for c in covers)
        if not inside or hidden:
            kept.append(path)
    entries = [(BIND, p) for p in kept]
    entries += [(COVER, c) for c in covers if any(_is_under(c, b) and c != b for b in kept)]
    return sorted(entries, key=lambda e: (e[1].count("/"), e[0] == BIND, e[1]))


def _check_forbidden(mounts: Sequence[tuple[str, str]], forbidden: Sequence[str]) -> None:
    """Refuse a plan in which a forbidden folder is visible (under a bind, not covered)."""
    for secret in forbidden:
        visible = False
        for kind, path in mounts:  # parents first: the last one containing it decides
            if _is_under(secret, path):
                visible = kind == BIND
        if visible:
            raise WorldError(
                f"The sandbox would show {secret} to student code: it lies inside a folder "
                "the worker needs. Move it (or the Python installation) elsewhere."
            )


RESERVED = (SCRATCH, "/proc")
"""Where each worker mounts a folder of its own, over whatever the world would show there."""


def _check_reserved(mounts: Sequence[tuple[str, str]]) -> None:
    """Refuse a plan that needs a folder a worker covers with its own (Python under /proc
    or under the scratch folder's path)."""
    for _, path in mounts:
        for reserved in RESERVED:
            if _is_under(path, reserved):
                raise WorldError(
                    f"The sandbox cannot show {path} to student code: each worker mounts a "
                    f"folder of its own at {reserved}. Install Python and numpy elsewhere."
                )


def _mountpoint(target: str, like_folder: bool) -> None:
    os.makedirs(os.path.dirname(target), mode=0o755, exist_ok=True)
    if like_folder:
        os.makedirs(target, mode=0o755, exist_ok=True)
    elif not os.path.lexists(target):
        with open(target, "w", encoding="utf-8"):
            pass


def enter_template(plan: WorldPlan, base: str) -> None:
    """Make the calling process's root the plan's world, in its own mount namespace
    (already unshared): the zygote lives there, and each worker copies it.

    `base` is an empty host folder to build the root on. The root holds empty mount points
    for each worker's /proc and scratch folder; everything is read-only.
    """
    kernel.mount(None, "/", None, kernel.MS_REC | kernel.MS_PRIVATE)
    opened: list[tuple[str, str, int]] = []
    devices: list[tuple[str, int]] = []
    try:
        # Open everything to show before the new root covers anything.
        for kind, path in plan.mounts:
            descriptor = os.open(path, os.O_PATH | os.O_CLOEXEC) if kind == BIND else -1
            opened.append((kind, path, descriptor))
        for device in DEVICES:
            if os.path.exists(device):
                devices.append((device, os.open(device, os.O_PATH | os.O_CLOEXEC)))
        _assemble(plan, base, opened, devices)
    finally:
        for _, _, descriptor in opened:
            if descriptor >= 0:
                os.close(descriptor)
        for _, descriptor in devices:
            os.close(descriptor)
    os.chdir(base)
    kernel.pivot_root(".", ".")
    kernel.umount_detached(".")
    os.chdir("/")


def _assemble(
    plan: WorldPlan,
    root: str,
    opened: Sequence[tuple[str, str, int]],
    devices: Sequence[tuple[str, int]],
) -> None:
    nosuid_nodev = kernel.MS_NOSUID | kernel.MS_NODEV
    kernel.mount("tmpfs", root, "tmpfs", nosuid_nodev, ROOT_OPTIONS)
    read_only_later: list[str] = []
    for kind, path, descriptor in opened:
        target = root + path
        if kind == COVER:
            kernel.mount("tmpfs", target, "tmpfs", nosuid_nodev | kernel.MS_NOEXEC, COVER_OPTIONS)
            read_only_later.append(target)
            continue
        _mountpoint(target, stat.S_ISDIR(os.fstat(descriptor).st_mode))
        _bind_read_only(f"/proc/self/fd/{descriptor}", target)
    for path, target in plan.links:
        os.makedirs(os.path.dirname(root + path), mode=0o755, exist_ok=True)
        os.symlink(target, root + path)

    dev = root + "/dev"
    os.makedirs(dev, mode=0o755, exist_ok=True)
    for device, descriptor in devices:
        _mountpoint(root + device, False)
        kernel.mount(f"/proc/self/fd/{descriptor}", root + device, None, kernel.MS_BIND)
    for name, target in (
        ("fd", "/proc/self/fd"),
        ("stdin", "/proc/self/fd/0"),
        ("stdout", "/proc/self/fd/1"),
        ("stderr", "/proc/self/fd/2"),
    ):
        os.symlink(target, f"{dev}/{name}")
    os.makedirs(root + "/proc", mode=0o555)
    # The zygote's own /proc, hidden under each worker's: in a user namespace the kernel
    # mounts a new proc only where a fully visible one already is.
    kernel.mount("proc", root + "/proc", "proc", nosuid_nodev | kernel.MS_NOEXEC)
    os.makedirs(root + SCRATCH, mode=0o755)
    if not os.path.lexists(root + TMP):
        # /tmp leads to the scratch folder; when the world shows something under /tmp (a
        # Python or a venv installed there), each worker mounts a /tmp of its own instead.
        os.symlink(SCRATCH.lstrip("/"), root + TMP)

    for target in read_only_later:
        kernel.mount(None, target, None, kernel.MS_REMOUNT | kernel.MS_RDONLY | nosuid_nodev)
    kernel.mount(None, root, None, kernel.MS_REMOUNT | kernel.MS_RDONLY | nosuid_nodev)


def _own_tmp(shown: tuple[list[str], list[tuple[str, str]]], options: str) -> None:
    """A fresh tmpfs at /tmp holding again what the world showed there: each mount bound
    with what lies below it (a cover inside it stays a cover), each link recreated."""
    mounts, links = shown
    opened = [(path, os.open(path, os.O_PATH | os.O_CLOEXEC)) for path in mounts]
    try:
        kernel.mount("tmpfs", TMP, "tmpfs", kernel.MS_NOSUID | kernel.MS_NODEV, options)
        for path, descriptor in opened:
            _mountpoint(path, stat.S_ISDIR(os.fstat(descriptor).st_mode))
            kernel.mount(f"/proc/self/fd/{descriptor}", path, None, kernel.MS_BIND | kernel.MS_REC)
            flags = kernel.MS_REMOUNT | kernel.MS_BIND | kernel.MS_RDONLY | kernel.MS_NOSUID
            kernel.mount(None, path, None, flags | kernel.MS_NODEV | kernel.kept_flags(path))
        for path, target in links:
            os.makedirs(os.path.dirname(path), mode=0o755, exist_ok=True)
            os.symlink(target, path)
    finally:
        for _, descriptor in opened:
            os.close(descriptor)


def _bind_read_only(source: str, target: str) -> None:
    # Not recursive: a mount below a shown folder is not on the list, so it stays hidden.
    kernel.mount(source, target, None, kernel.MS_BIND)
    flags = kernel.MS_REMOUNT | kernel.MS_BIND | kernel.MS_RDONLY | kernel.MS_NOSUID
    kernel.mount(None, target, None, flags | kernel.MS_NODEV | kernel.kept_flags(target))


def finish_worker(
    sources: int,
    *,
    owner: tuple[int, int],
    scratch_bytes: int,
    scratch_inodes: int,
    tmp_shown: tuple[list[str], list[tuple[str, str]]] = ([], []),
) -> None:
    """In a new worker, in its own mount namespace copied from the template: a fresh /proc
    for its PID namespace, a capped tmpfs at `SCRATCH` owned by `owner` (uid, gid), and the
    submission's modules, copied from the host folder `sources` (an open descriptor, closed
    here) into ``SCRATCH/exercises``, read-only. The working folder ends at `SCRATCH`.

    `tmp_shown` is what the world shows under /tmp (`WorldPlan.under_tmp`): the worker then
    gets a capped tmpfs of its own at /tmp, writable by all as a /tmp is, with those bound
    again in it, read-only, at the same paths.
    """
    nosuid_nodev = kernel.MS_NOSUID | kernel.MS_NODEV
    try:
        kernel.mount("proc", "/proc", "proc", nosuid_nodev | kernel.MS_NOEXEC)
        uid, gid = owner
        caps = f"size={scratch_bytes},nr_inodes={scratch_inodes}"
        kernel.mount(
            "tmpfs", SCRATCH, "tmpfs", nosuid_nodev, f"mode=0700,uid={uid},gid={gid},{caps}"
        )
        if tmp_shown[0] or tmp_shown[1]:
            _own_tmp(tmp_shown, f"mode=1777,{caps}")
        package = os.path.join(SCRATCH, "exercises")
        os.mkdir(package, 0o755)
        for name in os.listdir(sources):
            if not name.endswith(".py"):
                continue
            source = os.open(name, os.O_RDONLY | os.O_NOFOLLOW | os.O_CLOEXEC, dir_fd=sources)
            with os.fdopen(source, "rb") as reader, open(os.path.join(package, name), "wb") as out:
                out.write(reader.read())
        _bind_read_only(package, package)
    finally:
        os.close(sources)
    os.chdir(SCRATCH)
