"""The isolation layers of the zygote and of each worker, applied before student code runs.

The zygote (`enter_zygote_namespaces`) makes once what its workers share: a PID namespace
of which it is pid 1, a network namespace with no interface, a UTS namespace, and the
allowlisted read-only root it moves into (`world.enter_template`); without root, all of it
inside a user namespace where the grading user keeps its uid. For each worker it makes a
new PID namespace, of which the worker is pid 1, so that killing the worker ends
everything it started. The worker (`apply_layers`) copies the template into a mount
namespace of its own with a fresh /proc and its scratch tmpfs, takes an IPC namespace of
its own, drops every privilege (the dedicated uid as root; otherwise a user namespace of
its own, without capabilities), sets its resource limits, no_new_privs, Landlock and the
seccomp filter, and scrubs its environment.

Every layer is reported (layer name -> active) with notes saying why one is missing, so
that `Sandbox.isolation()` tells the truth. An isolated worker that cannot get one of the
layers in `required` fails instead of running with less.
"""

from __future__ import annotations

import contextlib
import os
import resource
import signal
from collections.abc import Mapping
from typing import Any

from grader.sandbox import kernel, landlock, world

LAYERS: tuple[str, ...] = (
    "separate_process",
    "rlimit_cpu",
    "rlimit_as",
    "rlimit_fsize",
    "rlimit_nofile",
    "rlimit_nproc",
    "wall_clock_deadline",
    "unprivileged_user",
    "allowlisted_root",
    "pid_namespace",
    "ipc_namespace",
    "uts_namespace",
    "no_network",
    "no_new_privs",
    "seccomp",
    "landlock",
    "scratch_tmpfs",
    "scrubbed_environment",
    "output_capped",
)
"""The names of `isolation.layers` (docs/result-schema.md)."""

# Layers the trusted side provides by itself, whatever the platform.
ALWAYS = ("separate_process", "wall_clock_deadline", "output_capped")

NAMESPACE_LAYERS = (
    "allowlisted_root",
    "pid_namespace",
    "ipc_namespace",
    "uts_namespace",
    "no_network",
    "scratch_tmpfs",
)
ESSENTIAL = (*NAMESPACE_LAYERS, "unprivileged_user", "no_new_privs")
"""Without every one of these, the grader refuses to run student code (unless told to run
it unsafely)."""


class SetupFailed(Exception):
    """A layer that the sandbox relies on could not be applied in this worker."""


def _map_user(uid: int, gid: int) -> None:
    """In a new user namespace: map the calling user to itself (all an unprivileged
    process may map, once it gave up setgroups)."""
    for name, text in (
        ("setgroups", "deny"),
        ("uid_map", f"{uid} {uid} 1"),
        ("gid_map", f"{gid} {gid} 1"),
    ):
        with open(f"/proc/self/{name}", "w", encoding="ascii") as mapping:
            mapping.write(text)


def enter_zygote_namespaces(as_root: bool) -> None:
    """In the zygote, before it forks its inner self: the namespaces its workers share.

    A PID namespace (the inner zygote is its pid 1, so that it may make a new one for each
    worker and come back), a mount namespace (for the template root), a network namespace
    with no interface, a UTS namespace; without root, first a user namespace in which the
    grading user keeps its own uid. Raises `OSError` naming the call the kernel refused.
    """
    uid, gid = os.getuid(), os.getgid()
    shared = kernel.CLONE_NEWPID | kernel.CLONE_NEWNS | kernel.CLONE_NEWNET | kernel.CLONE_NEWUTS
    if as_root:
        kernel.unshare(shared)
        return
    kernel.unshare(kernel.CLONE_NEWUSER | shared)
    _map_user(uid, gid)


def _set_limit(kind: int, soft: int, hard: int | None = None) -> None:
    resource.setrlimit(kind, (soft, soft if hard is None else hard))


def apply_layers(
    config: Mapping[str, Any], required: Mapping[str, bool] | None, sources: int
) -> tuple[dict[str, bool], list[str]]:
    """Put every layer on the calling (new) worker process.

    `sources` is an open descriptor of the host folder holding the submission's modules
    (closed here). Returns ``(layers, notes)``; raises `SetupFailed` when an isolated
    worker lacks a layer it must have (every essential one, and those in `required`).
    """
    layers = dict.fromkeys(LAYERS, False)
    layers.update(dict.fromkeys(ALWAYS, True))
    notes: list[str] = []
    limits = config["limits"]
    isolated = bool(config["isolated"])
    uid = config["uid"]  # the dedicated uid as root; None otherwise
    os.setsid()

    if isolated:
        try:
            kernel.unshare(kernel.CLONE_NEWNS | kernel.CLONE_NEWIPC)
            world.finish_worker(
                sources,
                owner=(uid, uid) if uid is not None else (os.getuid(), os.getgid()),
                scratch_bytes=int(limits["scratch_bytes"]),
                scratch_inodes=int(limits["scratch_inodes"]),
                tmp_shown=config.get("tmp_shown", ([], [])),
            )
        except OSError as error:
            raise SetupFailed(f"The worker could not build its isolated root: {error}.") from None
        layers.update(dict.fromkeys(NAMESPACE_LAYERS, True))
    else:
        os.close(sources)
        notes.append(
            "unsafe mode: no namespaces, no allowlisted root; student code sees the machine "
            "as the grading user does"
        )
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

    _drop_privileges(config, layers, notes)

    if kernel.libc() is not None:
        try:
            kernel.prctl(kernel.PR_SET_NO_NEW_PRIVS, 1)
            layers["no_new_privs"] = True
        except OSError as error:
            notes.append(f"no_new_privs unavailable: {error}")
        # Die with the zygote.
        kernel.prctl(kernel.PR_SET_PDEATHSIG, signal.SIGKILL)

    if isolated:
        try:
            # A /tmp of the worker's own (the world shows something under /tmp) is writable
            # as the scratch folder is; what is shown in it stays a read-only mount.
            shown, links = config.get("tmp_shown", ([], []))
            writable = [world.SCRATCH, world.TMP] if shown or links else [world.SCRATCH]
            landlock.restrict(read=["/"], write=writable, devices=list(world.DEVICES))
            layers["landlock"] = True
        except OSError as error:
            notes.append(f"Landlock unavailable: {error.strerror or error}")

    program = config.get("seccomp")
    if type(program) is bytes:
        try:
            kernel.load_seccomp(program)
            layers["seccomp"] = True
        except OSError as error:
            notes.append(f"seccomp unavailable: {error.strerror or error}")

    os.environ.clear()
    os.environ.update(config["env"])
    layers["scrubbed_environment"] = True

    if isolated:
        wanted = set(ESSENTIAL) | {name for name, on in (required or {}).items() if on}
        missing = sorted(name for name in wanted if not layers.get(name))
        if missing:
            raise SetupFailed(
                f"The worker could not apply the layers {', '.join(missing)}: {'; '.join(notes)}."
            )
    return layers, notes


def _drop_privileges(config: Mapping[str, Any], layers: dict[str, bool], notes: list[str]) -> None:
    uid = config["uid"]
    processes = int(config["limits"]["processes"])
    if uid is not None:
        try:
            _set_limit(resource.RLIMIT_NPROC, processes)
            os.setgroups([])
            os.setgid(uid)
            os.setuid(uid)
            layers["unprivileged_user"] = layers["rlimit_nproc"] = True
        except OSError as error:
            notes.append(f"could not switch to the dedicated user {uid}: {error}")
        return
    if not config["isolated"]:
        notes.append(
            "not running as root: no dedicated user, and no process limit "
            "(RLIMIT_NPROC would count every process of the grading user)"
        )
        layers["unprivileged_user"] = os.geteuid() != 0
        return
    try:
        # A user namespace of its own, then no capability in it: the mounts made above
        # belong to the zygote's namespace, out of this worker's reach.
        ids = os.getuid(), os.getgid()  # unmapped (65534) once in the new namespace
        kernel.unshare(kernel.CLONE_NEWUSER)
        _map_user(*ids)
        kernel.drop_capabilities()
        layers["unprivileged_user"] = os.geteuid() != 0
    except OSError as error:
        notes.append(f"could not enter a user namespace without capabilities: {error}")
    # In a user namespace of its own, the process count is the worker's alone.
    try:
        _set_limit(resource.RLIMIT_NPROC, processes)
        layers["rlimit_nproc"] = True
    except (OSError, ValueError) as error:
        notes.append(f"rlimit_nproc unavailable: {error}")


def mirror_exit(status: int) -> None:
    """End the calling process the way a child with wait status `status` ended."""
    if os.WIFSIGNALED(status):
        number = os.WTERMSIG(status)
        with contextlib.suppress(OSError, ValueError):
            signal.signal(number, signal.SIG_DFL)
        os.kill(os.getpid(), number)
        os._exit(128 + number)  # a signal whose default is not to end the process
    os._exit(os.WEXITSTATUS(status) if os.WIFEXITED(status) else 1)


def keep(child: int) -> None:
    """Wait for `child`, then end as it did. Never returns."""
    while True:
        try:
            _, status = os.waitpid(child, 0)
        except InterruptedError:
            continue
        except ChildProcessError:
            os._exit(1)
        mirror_exit(status)
