"""What this machine offers the sandbox, layer by layer, and how to get what it lacks.

`diagnose` tries each kernel feature for real, in a short-lived child process (a feature
that is compiled in can still be refused by a sysctl, a security module or a container's
seccomp profile). `nngrade doctor` prints it; `unavailable_message` turns it into the
paragraph with which `nngrade grade` and `nngrade batch` refuse to run student code.

Their sentences are `Text`, readable in every language; what the machine says (a kernel's
error, a platform's name, a setting) is a field of them, written as it is.
"""

from __future__ import annotations

import errno
import json
import os
import platform
import sys
from dataclasses import dataclass
from pathlib import Path

from grader.i18n import LANGUAGES, Text
from grader.sandbox import kernel, landlock


@dataclass(frozen=True)
class Check:
    """One layer: whether this machine offers it, and a sentence saying why (not), in every
    language. `name` is the layer's identifier, the same in every language."""

    name: str
    available: bool
    detail: Text
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


def _in_child(flags: int, map_user: bool) -> Text | None:
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
            why = {"errno": error.errno, "error": str(error)[:500]}
            os.write(write_end, json.dumps(why).encode())
            code = 1
        except BaseException as error:
            os.write(write_end, json.dumps({"errno": None, "error": str(error)[:500]}).encode())
            code = 1
        finally:
            os._exit(code)
    os.close(write_end)
    with os.fdopen(read_end, "rb") as reply:
        message = reply.read().decode("utf-8", "replace")
    os.waitpid(pid, 0)
    if not message:
        return None
    try:
        why = json.loads(message)
        return _refusal_words(why["errno"], str(why["error"]))
    except (ValueError, TypeError, KeyError):
        return _refusal_words(None, message)


def _refusal_words(number: int | None, error: str) -> Text:
    """Why the kernel refused a namespace (the `errno` `number` of its `error`, None when
    it was not the kernel's), in words an instructor can act on."""
    if number in (errno.ENOSPC, errno.EUSERS):
        return Text(
            "the limit on the number of namespaces is 0 or reached (%(sysctl)s)",
            sysctl="user.max_user_namespaces",
        )
    if number == errno.EPERM:
        return Text(
            "not permitted: a sysctl (%(sysctl)s), an AppArmor or SELinux policy, or a "
            "container's seccomp profile forbids it",
            sysctl="kernel.unprivileged_userns_clone",
        )
    if number is None:
        return Text("the attempt failed (%(error)s)", error=error)
    return Text("the kernel refused it (%(error)s)", error=error)


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
                Text(
                    "this is %(system)s: the sandbox needs Linux namespaces (run nngrade in a "
                    "Linux virtual machine or container)",
                    system=platform.system() or sys.platform,
                ),
            )
        ]
    linux = Text(
        "Linux %(release)s on %(machine)s", release=platform.release(), machine=platform.machine()
    )
    checks = [Check("linux", True, linux)]
    as_root = os.geteuid() == 0
    if as_root:
        checks.append(Check("root", True, Text("running as root: workers get dedicated uids")))
    else:
        failure = _in_child(kernel.CLONE_NEWUSER, map_user=True)
        detail = (
            Text("a plain user may create user namespaces: each worker gets its own")
            if failure is None
            else Text("a plain user may not create user namespaces: %(why)s", why=failure)
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
        checks.append(Check(name, failure is None, failure or Text("available")))
    checks.append(_seccomp_check())
    abi = landlock.abi_version()
    checks.append(
        Check(
            "landlock",
            abi >= 1,
            Text("ABI version %(abi)s", abi=abi)
            if abi
            else Text("not enabled in this kernel (%(setting)s)", setting="lsm=landlock"),
            essential=False,
        )
    )
    return checks


def _seccomp_check() -> Check:
    from grader.sandbox.seccomp import (
        LibseccompMissing,
        PyseccompMissing,
        SeccompUnavailable,
        compile_filter,
    )

    try:
        program = compile_filter()
    except SeccompUnavailable as error:
        if isinstance(error, PyseccompMissing):
            why = Text(
                "the pyseccomp package is missing (%(command)s)", command="pip install pyseccomp"
            )
        elif isinstance(error, LibseccompMissing):
            why = Text(
                "libseccomp is not installed (Debian and Ubuntu: %(debian)s; Fedora: %(fedora)s)",
                debian="apt-get install libseccomp2",
                fedora="dnf install libseccomp",
            )
        else:
            why = Text("the attempt failed (%(error)s)", error=str(error))
        return Check("seccomp", False, why, essential=False)
    instructions = Text("a filter of %(count)s instructions", count=len(program) // 8)
    return Check("seccomp", True, instructions, essential=False)


def missing_layers() -> list[Check]:
    """The essential layers this machine does not offer (empty: it offers them all)."""
    return [check for check in diagnose() if check.essential and not check.available]


def unavailable_message(missing: list[Check]) -> Text:
    """One paragraph, in every language: why student code will not run here, and how to
    change that."""
    layers = {
        lang: "; ".join(f"{check.name} ({check.detail[lang]})" for check in missing)
        for lang in LANGUAGES
    }
    remedy = Text(
        "Alternatively, grade as root, or in a Linux virtual machine or a container where "
        "namespaces are allowed; `nngrade doctor` shows what this machine offers. To grade "
        "anyway, without isolation (student code then runs as you and can read and change "
        "your files), pass --unsafe-no-sandbox: every result and page will say so."
    )
    fixes = blocking_sysctls() if os.geteuid() != 0 else []
    if fixes:
        command = "`sudo sysctl -w " + " ".join(fixes) + "`"
        remedy = Text(
            "To allow the user namespaces the sandbox needs, run %(command)s (and put the "
            "setting in a file of /etc/sysctl.d/ to keep it after a reboot). %(otherwise)s",
            command=command,
            otherwise=remedy,
        )
    return Text(
        "nngrade will not run student code on this machine, because it cannot isolate it. "
        "Missing: %(layers)s. %(remedy)s",
        layers=layers,
        remedy=remedy,
    )
