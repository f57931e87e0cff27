"""What this machine offers the sandbox, layer by layer, and how to get what it lacks.

`diagnose` tries each kernel feature for real, in a short-lived child process (a feature
that is compiled in can still be refused by a sysctl, a security module or a container's
seccomp profile). `nngrade doctor` prints it; `unavailable_message` turns it into the
paragraph with which `nngrade grade` and `nngrade batch` refuse to run student code.
"""

from __future__ import annotations

import errno
import os
import platform
import sys
from dataclasses import dataclass
from pathlib import Path

from grader.sandbox import kernel, landlock


@dataclass(frozen=True)
class Check:
    """One layer: whether this machine offers it, and a sentence saying why (not)."""

    name: str
    available: bool
    detail: str
    essential: bool = True


SYSCTLS = (
    ("/proc/sys/kernel/unprivileged_userns_clone", "0", "kernel.unprivileged_userns_clone=1"),
    ("/proc/sys/user/max_user_namespaces", "0", "user.max_user_namespaces=15000"),
    (
        "/proc/sys/kernel/apparmor_restrict_unprivileged_userns",
        "1",
        "kernel.apparmor_restrict_unprivileged_userns=0",
    ),
)


def _in_child(flags: int, map_user: bool) -> str | None:
    """Try ``unshare(flags)`` (and the uid map) in a child; None on success, else why not."""
    read_end, write_end = os.pipe()
    pid = os.fork()
    if pid == 0:
        code = 0
        try:
            os.close(read_end)
            uid, gid = os.getuid(), os.getgid()
            kernel.unshare(flags)
            if map_user:
                for name, text in (
                    ("setgroups", "deny"),
                    ("uid_map", f"{uid} {uid} 1"),
                    ("gid_map", f"{gid} {gid} 1"),
                ):
                    Path(f"/proc/self/{name}").write_text(text, encoding="ascii")
        except OSError as error:
            os.write(write_end, _refusal_words(error).encode()[:500])
            code = 1
        except BaseException as error:
            os.write(write_end, str(error).encode()[:500])
            code = 1
        finally:
            os._exit(code)
    os.close(write_end)
    with os.fdopen(read_end, "rb") as reply:
        message = reply.read().decode("utf-8", "replace")
    os.waitpid(pid, 0)
    return message or None


def _refusal_words(error: OSError) -> str:
    """Why the kernel refused a namespace, in words an instructor can act on."""
    if error.errno in (errno.ENOSPC, errno.EUSERS):
        return "the limit on the number of namespaces is 0 or reached (user.max_user_namespaces)"
    if error.errno == errno.EPERM:
        return (
            "not permitted: a sysctl (kernel.unprivileged_userns_clone), an AppArmor or SELinux "
            "policy, or a container's seccomp profile forbids it"
        )
    return str(error)


def blocking_sysctls() -> list[str]:
    """The settings (``name=value``) that would let a plain user create user namespaces."""
    fixes = []
    for path, blocking, fix in SYSCTLS:
        try:
            if Path(path).read_text(encoding="ascii").strip() == blocking:
                fixes.append(fix)
        except OSError:
            continue
    return fixes


def diagnose() -> list[Check]:
    """Every layer the sandbox would use here, tried for real."""
    if not sys.platform.startswith("linux") or kernel.libc() is None:
        return [
            Check(
                "linux",
                False,
                f"this is {platform.system() or sys.platform}: the sandbox needs Linux "
                "namespaces (run nngrade in a Linux virtual machine or container)",
            )
        ]
    checks = [Check("linux", True, f"Linux {platform.release()} on {platform.machine()}")]
    as_root = os.geteuid() == 0
    if as_root:
        checks.append(Check("root", True, "running as root: workers get dedicated uids"))
    else:
        failure = _in_child(kernel.CLONE_NEWUSER, map_user=True)
        detail = (
            "a plain user may create user namespaces: each worker gets its own"
            if failure is None
            else f"a plain user may not create user namespaces: {failure}"
        )
        checks.append(Check("user_namespace", failure is None, detail))
        if failure is not None:
            return checks
    for name, flag in (
        ("mount_namespace", kernel.CLONE_NEWNS),
        ("pid_namespace", kernel.CLONE_NEWPID),
        ("ipc_namespace", kernel.CLONE_NEWIPC),
        ("network_namespace", kernel.CLONE_NEWNET),
        ("uts_namespace", kernel.CLONE_NEWUTS),
    ):
        flags = flag if as_root else flag | kernel.CLONE_NEWUSER
        failure = _in_child(flags, map_user=not as_root)
        checks.append(Check(name, failure is None, failure or "available"))
    checks.append(_seccomp_check())
    abi = landlock.abi_version()
    checks.append(
        Check(
            "landlock",
            abi >= 1,
            f"ABI version {abi}" if abi else "not enabled in this kernel (lsm=landlock)",
            essential=False,
        )
    )
    return checks


def _seccomp_check() -> Check:
    from grader.sandbox.seccomp import SeccompUnavailable, compile_filter

    try:
        program = compile_filter()
    except SeccompUnavailable as error:
        return Check("seccomp", False, str(error), essential=False)
    return Check("seccomp", True, f"a filter of {len(program) // 8} instructions", essential=False)


def missing_layers() -> list[Check]:
    """The essential layers this machine does not offer (empty: it offers them all)."""
    return [check for check in diagnose() if check.essential and not check.available]


def unavailable_message(missing: list[Check]) -> str:
    """One paragraph: why student code will not run here, and how to change that."""
    lines = [
        "nngrade will not run student code on this machine, because it cannot isolate it. "
        "Missing: " + "; ".join(f"{c.name} ({c.detail})" for c in missing) + "."
    ]
    fixes = blocking_sysctls() if os.geteuid() != 0 else []
    if fixes:
        lines.append(
            "To allow the user namespaces the sandbox needs, run "
            + " and ".join(f"`sudo sysctl -w {fix}`" for fix in fixes)
            + " (and put the setting in a file of /etc/sysctl.d/ to keep it after a reboot)."
        )
    lines.append(
        "Alternatively, grade as root, or in a Linux virtual machine or a container where "
        "namespaces are allowed; `nngrade doctor` shows what this machine offers. To grade "
        "anyway, without isolation (student code then runs as you and can read and change "
        "your files), pass --unsafe-no-sandbox: every result and page will say so."
    )
    return " ".join(lines)
