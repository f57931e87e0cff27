"""Landlock: a further filesystem layer (and TCP and signal scoping) where the kernel has it.

The worker's allowlisted root is already read-only; Landlock restates it from inside the
process, so that a mount flag lost by mistake does not open the world: reading is allowed
beneath the root, writing only in the scratch folder and on the few device files, executing
no file at all (shared libraries are mapped, not executed). From ABI 4 every TCP bind and
connect is refused, and from ABI 6 signals and abstract Unix sockets stay inside the
worker's own processes.
"""

from __future__ import annotations

import errno
import os
import stat
import struct
from collections.abc import Sequence

from grader.sandbox import kernel

CREATE_RULESET_VERSION = 1
RULE_PATH_BENEATH = 1

FS_EXECUTE = 1 << 0
FS_WRITE_FILE = 1 << 1
FS_READ_FILE = 1 << 2
FS_READ_DIR = 1 << 3
FS_REMOVE_DIR = 1 << 4
FS_REMOVE_FILE = 1 << 5
FS_MAKE_CHAR = 1 << 6
FS_MAKE_DIR = 1 << 7
FS_MAKE_REG = 1 << 8
FS_MAKE_SOCK = 1 << 9
FS_MAKE_FIFO = 1 << 10
FS_MAKE_BLOCK = 1 << 11
FS_MAKE_SYM = 1 << 12
FS_REFER = 1 << 13
FS_TRUNCATE = 1 << 14
FS_IOCTL_DEV = 1 << 15

NET_BIND_TCP = 1 << 0
NET_CONNECT_TCP = 1 << 1

SCOPE_ABSTRACT_UNIX_SOCKET = 1 << 0
SCOPE_SIGNAL = 1 << 1

READ = FS_READ_FILE | FS_READ_DIR
FILE_RIGHTS = FS_EXECUTE | FS_WRITE_FILE | FS_READ_FILE | FS_TRUNCATE | FS_IOCTL_DEV
WRITE = (
    READ
    | FS_WRITE_FILE
    | FS_REMOVE_DIR
    | FS_REMOVE_FILE
    | FS_MAKE_DIR
    | FS_MAKE_REG
    | FS_MAKE_SOCK
    | FS_MAKE_FIFO
    | FS_MAKE_SYM
    | FS_REFER
    | FS_TRUNCATE
)
DEVICE = FS_READ_FILE | FS_WRITE_FILE


def abi_version() -> int:
    """The kernel's Landlock ABI version; 0 where Landlock is absent or disabled."""
    if kernel.libc() is None:
        return 0
    try:
        return kernel.landlock_syscall(
            kernel.SYS_LANDLOCK_CREATE_RULESET, None, 0, CREATE_RULESET_VERSION
        )
    except OSError:
        return 0


def _handled_fs(abi: int) -> int:
    handled = (1 << 13) - 1  # ABI 1: execute .. make_sym
    if abi >= 2:
        handled |= FS_REFER
    if abi >= 3:
        handled |= FS_TRUNCATE
    if abi >= 5:
        handled |= FS_IOCTL_DEV
    return handled


def restrict(*, read: Sequence[str], write: Sequence[str], devices: Sequence[str]) -> int:
    """Restrict the calling process (and its future children) to these paths; its ABI.

    `read`: folders beneath which files may be read; `write`: folders beneath which
    everything but making device nodes is allowed; `devices`: files that may be read and
    written. no_new_privs must already be set. Raises `OSError` where Landlock is missing.
    """
    abi = abi_version()
    if abi < 1:
        raise OSError(errno.EOPNOTSUPP, "Landlock is not enabled in this kernel")
    handled_fs = _handled_fs(abi)
    handled_net = NET_BIND_TCP | NET_CONNECT_TCP if abi >= 4 else 0
    scoped = SCOPE_ABSTRACT_UNIX_SOCKET | SCOPE_SIGNAL if abi >= 6 else 0
    attribute = struct.pack("<QQQ", handled_fs, handled_net, scoped)
    attribute = attribute[: 8 if abi < 4 else 16 if abi < 6 else 24]
    ruleset = kernel.landlock_syscall(
        kernel.SYS_LANDLOCK_CREATE_RULESET, attribute, len(attribute), 0
    )
    try:
        rules = [(p, READ) for p in read] + [(p, WRITE) for p in write]
        rules += [(p, DEVICE) for p in devices]
        for path, access in rules:
            _add_rule(ruleset, path, access & handled_fs)
        kernel.landlock_syscall(kernel.SYS_LANDLOCK_RESTRICT_SELF, ruleset, 0)
    finally:
        os.close(ruleset)
    return abi


def _add_rule(ruleset: int, path: str, access: int) -> None:
    descriptor = os.open(path, os.O_PATH | os.O_CLOEXEC)
    try:
        if not stat.S_ISDIR(os.fstat(descriptor).st_mode):
            access &= FILE_RIGHTS  # a rule on a file may only grant rights on files
        beneath = struct.pack("<Qi", access, descriptor)  # the kernel's packed struct
        kernel.landlock_syscall(
            kernel.SYS_LANDLOCK_ADD_RULE, ruleset, RULE_PATH_BENEATH, beneath, 0
        )
    finally:
        os.close(descriptor)
