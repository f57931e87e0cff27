"""The Linux system calls the sandbox needs, through ctypes (Python 3.11 has no `os.unshare`).

Every call raises `OSError` with the kernel's errno and a sentence naming the call. On a
platform other than Linux, `libc()` is None and nothing here may be called.
"""

from __future__ import annotations

import ctypes
import os
import platform
import struct
import sys

CLONE_NEWNS = 0x00020000
CLONE_NEWUTS = 0x04000000
CLONE_NEWIPC = 0x08000000
CLONE_NEWUSER = 0x10000000
CLONE_NEWPID = 0x20000000
CLONE_NEWNET = 0x40000000

MS_RDONLY = 1
MS_NOSUID = 2
MS_NODEV = 4
MS_NOEXEC = 8
MS_REMOUNT = 32
MS_NOATIME = 1024
MS_NODIRATIME = 2048
MS_BIND = 4096
MS_REC = 16384
MS_PRIVATE = 1 << 18
MS_RELATIME = 1 << 21
MNT_DETACH = 2

PR_SET_PDEATHSIG = 1
PR_CAPBSET_DROP = 24
PR_SET_NO_NEW_PRIVS = 38
PR_GET_NO_NEW_PRIVS = 39
PR_CAP_AMBIENT = 47
PR_CAP_AMBIENT_CLEAR_ALL = 4
PR_SET_SECCOMP = 22
SECCOMP_MODE_FILTER = 2
PR_SET_CHILD_SUBREAPER = 36

# Numbers of the calls glibc does not wrap. Landlock's are the same on every architecture.
_SYSCALLS: dict[str, dict[str, int]] = {
    "x86_64": {"pivot_root": 155, "capset": 126},
    "aarch64": {"pivot_root": 41, "capset": 91},
}
SYS_LANDLOCK_CREATE_RULESET = 444
SYS_LANDLOCK_ADD_RULE = 445
SYS_LANDLOCK_RESTRICT_SELF = 446

_LINUX_CAPABILITY_VERSION_3 = 0x20080522
_LAST_CAPABILITY = 63  # beyond the kernel's last one, PR_CAPBSET_DROP fails with EINVAL

# statvfs f_flag bits -> the mount flags a bind remount must keep (the kernel locks them
# in a user namespace: a remount that drops one of them is refused).
_KEPT_FLAGS = (
    (os.ST_RDONLY, MS_RDONLY),
    (os.ST_NOSUID, MS_NOSUID),
    (os.ST_NODEV, MS_NODEV),
    (os.ST_NOEXEC, MS_NOEXEC),
    (os.ST_NOATIME, MS_NOATIME),
    (os.ST_NODIRATIME, MS_NODIRATIME),
    (os.ST_RELATIME, MS_RELATIME),
)

_libc: ctypes.CDLL | None = None


def libc() -> ctypes.CDLL | None:
    """The C library with errno kept, or None where this is not Linux."""
    global _libc
    if _libc is None and sys.platform.startswith("linux"):
        try:
            _libc = ctypes.CDLL(None, use_errno=True)
        except OSError:
            return None
    return _libc


def _c() -> ctypes.CDLL:
    library = libc()
    if library is None:
        raise OSError(0, "this is not Linux")
    return library


def _check(result: int, what: str) -> int:
    if result < 0:
        error = ctypes.get_errno()
        raise OSError(error, f"{what}: {os.strerror(error)}")
    return result


def syscall_number(name: str) -> int:
    """The number of a call glibc does not wrap, on this machine's architecture."""
    numbers = _SYSCALLS.get(platform.machine())
    if numbers is None:
        raise OSError(0, f"the sandbox does not know the system calls of {platform.machine()}")
    return numbers[name]


def unshare(flags: int) -> None:
    _check(_c().unshare(ctypes.c_int(flags)), "unshare")


def setns(descriptor: int, kind: int) -> None:
    _check(_c().setns(ctypes.c_int(descriptor), ctypes.c_int(kind)), "setns")


def mount(source: str | None, target: str, fstype: str | None, flags: int, data: str = "") -> None:
    _check(
        _c().mount(
            None if source is None else source.encode(),
            target.encode(),
            None if fstype is None else fstype.encode(),
            ctypes.c_ulong(flags),
            data.encode() if data else None,
        ),
        f"mount {target}",
    )


def kept_flags(path: str) -> int:
    """The mount flags of the mount holding `path` that a remount of it must keep."""
    flags = os.statvfs(path).f_flag
    return sum(mount_flag for bit, mount_flag in _KEPT_FLAGS if flags & bit)


def umount_detached(target: str) -> None:
    _check(_c().umount2(target.encode(), ctypes.c_int(MNT_DETACH)), f"umount {target}")


def pivot_root(new_root: str, put_old: str) -> None:
    _check(
        _c().syscall(
            ctypes.c_long(syscall_number("pivot_root")), new_root.encode(), put_old.encode()
        ),
        "pivot_root",
    )


def sethostname(name: str) -> None:
    data = name.encode()
    _check(_c().sethostname(data, ctypes.c_size_t(len(data))), "sethostname")


def prctl(option: int, arg2: int = 0, arg3: int = 0, arg4: int = 0, arg5: int = 0) -> int:
    return _check(
        _c().prctl(
            ctypes.c_int(option),
            ctypes.c_ulong(arg2),
            ctypes.c_ulong(arg3),
            ctypes.c_ulong(arg4),
            ctypes.c_ulong(arg5),
        ),
        f"prctl({option})",
    )


def drop_capabilities() -> None:
    """Empty every capability set of the calling thread: bounding, ambient, then the rest.

    After this, a process that is root of its own user namespace can no longer mount,
    unshare or change its ids there; no_new_privs keeps an exec from giving any back.
    """
    for capability in range(_LAST_CAPABILITY + 1):
        try:
            prctl(PR_CAPBSET_DROP, capability)
        except OSError:
            break  # EINVAL: past the kernel's last capability
    prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL)
    header = ctypes.create_string_buffer(struct.pack("Ii", _LINUX_CAPABILITY_VERSION_3, 0))
    data = ctypes.create_string_buffer(bytes(24))  # two zeroed {effective, permitted, inheritable}
    _check(_c().syscall(ctypes.c_long(syscall_number("capset")), header, data), "capset")


class _SockFprog(ctypes.Structure):
    _fields_ = (("len", ctypes.c_ushort), ("filter", ctypes.c_void_p))


def load_seccomp(program: bytes) -> None:
    """Install a classic BPF seccomp program (a sequence of 8-byte `sock_filter`s)."""
    count = len(program) // 8
    if count == 0 or len(program) % 8:
        raise OSError(0, "the seccomp program is malformed")
    filters = ctypes.create_string_buffer(program, len(program))
    fprog = _SockFprog(count, ctypes.addressof(filters))
    _check(
        _c().prctl(
            ctypes.c_int(PR_SET_SECCOMP),
            ctypes.c_ulong(SECCOMP_MODE_FILTER),
            ctypes.byref(fprog),
            ctypes.c_ulong(0),
            ctypes.c_ulong(0),
        ),
        "seccomp",
    )


def landlock_syscall(number: int, *args: int | bytes | None) -> int:
    converted = [ctypes.c_long(a) if type(a) is int else a for a in args]
    return _check(_c().syscall(ctypes.c_long(number), *converted), "landlock")
