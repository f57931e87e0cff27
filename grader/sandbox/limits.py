"""The figures a sandboxed worker runs under."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class SandboxLimits:
    """Resource limits of one submission's worker.

    Attributes:
        cpu_seconds: RLIMIT_CPU for one worker's whole life (a restarted worker starts afresh).
        wall_seconds_per_call: one call into student code, or one batch of calls sent
            together (`call_batch`, `call_watched_each`, `call_perturbed`).
        wall_seconds_per_submission: every call and import of one submission together.
        import_seconds: importing one student module (its top-level code).
        memory_bytes: RLIMIT_AS, the worker's address space.
        file_bytes: RLIMIT_FSIZE, the largest file the worker may write.
        open_files: RLIMIT_NOFILE.
        processes: RLIMIT_NPROC; only meaningful with a dedicated uid (root ignores it).
        output_bytes: how much of stdout and of stderr is kept, each.
        scratch_bytes: the size of the worker's only writable folder (a tmpfs).
        scratch_inodes: how many files and folders it may hold.
    """

    cpu_seconds: float = 60.0
    # Over the 196 submissions of the benchmark's class that end (`python -m bench`), the
    # slowest call, a batch of finite-difference forward passes, takes about 7 ms: 1 s leaves
    # a hundredfold room for slow but correct loops, and an infinite loop costs one second.
    wall_seconds_per_call: float = 1.0
    wall_seconds_per_submission: float = 60.0
    import_seconds: float = 10.0
    memory_bytes: int = 1 << 30
    file_bytes: int = 8 << 20
    open_files: int = 64
    processes: int = 16
    output_bytes: int = 16 * 1024
    scratch_bytes: int = 64 << 20
    scratch_inodes: int = 1024

    def as_dict(self) -> dict[str, Any]:
        """The figures under the names of `isolation.limits` in docs/result-schema.md."""
        return {
            "cpu_seconds_per_worker": self.cpu_seconds,
            "wall_seconds_per_call": self.wall_seconds_per_call,
            "wall_seconds_per_import": self.import_seconds,
            "wall_seconds_per_submission": self.wall_seconds_per_submission,
            "memory_bytes": self.memory_bytes,
            "file_bytes": self.file_bytes,
            "open_files": self.open_files,
            "processes": self.processes,
            "output_bytes": self.output_bytes,
            "scratch_bytes": self.scratch_bytes,
            "scratch_inodes": self.scratch_inodes,
        }
