"""The seccomp filter: the system calls a numpy exercise never needs, refused.

The filter is compiled once, in the zygote, by libseccomp (through `pyseccomp`, which knows
every architecture's call numbers and guards against calls made through another ABI), and
exported as a classic BPF program; each worker installs those bytes with one `prctl` as
its last set-up step. Refused calls fail with EPERM (the student's code sees an ordinary
`PermissionError`), except `clone3`, which fails with ENOSYS so that the C library falls
back to `clone`, whose namespace flags the filter can see.
"""

from __future__ import annotations

import errno
import os
from typing import Any

DENIED: tuple[str, ...] = (
    # Other processes' memory and state.
    "ptrace",
    "process_vm_readv",
    "process_vm_writev",
    "kcmp",
    "pidfd_getfd",
    # Kernel keyrings, eBPF, performance counters, userfaultfd, io_uring.
    "keyctl",
    "add_key",
    "request_key",
    "bpf",
    "perf_event_open",
    "userfaultfd",
    "io_uring_setup",
    "io_uring_enter",
    "io_uring_register",
    "fanotify_init",
    # The filesystem layout, once set up.
    "mount",
    "umount2",
    "pivot_root",
    "chroot",
    "move_mount",
    "open_tree",
    "fsopen",
    "fsconfig",
    "fsmount",
    "fspick",
    "mount_setattr",
    "name_to_handle_at",
    "open_by_handle_at",
    # Namespaces.
    "unshare",
    "setns",
    # The machine itself.
    "kexec_load",
    "kexec_file_load",
    "init_module",
    "finit_module",
    "delete_module",
    "reboot",
    "swapon",
    "swapoff",
    "acct",
    "quotactl",
    "quotactl_fd",
    "syslog",
    "lookup_dcookie",
    "iopl",
    "ioperm",
    "settimeofday",
    "clock_settime",
    "clock_adjtime",
    "adjtimex",
    "sethostname",
    "setdomainname",
    "vhangup",
    "uselib",
    "personality",
)

NAMESPACE_FLAGS = (
    0x00020000,  # CLONE_NEWNS
    0x02000000,  # CLONE_NEWCGROUP
    0x04000000,  # CLONE_NEWUTS
    0x08000000,  # CLONE_NEWIPC
    0x10000000,  # CLONE_NEWUSER
    0x20000000,  # CLONE_NEWPID
    0x40000000,  # CLONE_NEWNET
)
AF_UNIX = 1


class SeccompUnavailable(Exception):
    """libseccomp cannot be loaded here; the message says what to install."""


class PyseccompMissing(SeccompUnavailable):
    """The pyseccomp package is not installed."""


class LibseccompMissing(SeccompUnavailable):
    """pyseccomp is installed, but the libseccomp library it loads is not."""


def _library() -> Any:
    try:
        import pyseccomp
    except ImportError as error:
        raise PyseccompMissing(
            "the pyseccomp package is missing (pip install pyseccomp)"
        ) from error
    except (OSError, RuntimeError) as error:
        raise LibseccompMissing(
            "libseccomp is not installed (Debian and Ubuntu: apt-get install libseccomp2; "
            "Fedora: dnf install libseccomp)"
        ) from error
    return pyseccomp


def compile_filter() -> bytes:
    """The worker's filter as a classic BPF program, ready for `kernel.load_seccomp`.

    Raises `SeccompUnavailable` when libseccomp cannot be used.
    """
    seccomp = _library()
    rules = seccomp.SyscallFilter(seccomp.ALLOW)
    denied = seccomp.ERRNO(errno.EPERM)
    for name in DENIED:
        number = seccomp.resolve_syscall(seccomp.Arch.NATIVE, name)
        if number >= 0:  # a call this architecture does not have needs no rule
            rules.add_rule(denied, number)
    rules.add_rule(seccomp.ERRNO(errno.ENOSYS), "clone3")
    for flag in NAMESPACE_FLAGS:
        rules.add_rule(denied, "clone", seccomp.Arg(0, seccomp.MASKED_EQ, flag, flag))
    # Only Unix sockets (socketpair, as multiprocessing uses): no network family at all.
    rules.add_rule(seccomp.ERRNO(errno.EAFNOSUPPORT), "socket", seccomp.Arg(0, seccomp.NE, AF_UNIX))
    with os.fdopen(os.memfd_create("nngrade-seccomp", os.MFD_CLOEXEC), "w+b") as program:
        rules.export_bpf(program)
        program.seek(0)
        return program.read()
