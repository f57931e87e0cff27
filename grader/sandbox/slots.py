"""Slots: which dedicated uid a grading process may use, reserved across processes.

Two sandboxes sharing a uid would kill each other's workers (closing a session sweeps
every process of its uid), so each `Sandbox` holds an exclusive `flock` on its slot's
lock file for as long as it lives. The lock dies with the process, so a crashed grader
never leaves a slot reserved.
"""

from __future__ import annotations

import fcntl
import os
import tempfile
from pathlib import Path

from grader.errors import SandboxError


def _lock_folder() -> Path:
    # Root uses /run (hidden from workers); anyone else a private folder of the temp dir.
    if os.geteuid() == 0 and Path("/run").is_dir():
        folder = Path("/run/nngrade-slots")
    else:
        folder = Path(tempfile.gettempdir(), f"nngrade-slots-{os.geteuid()}")
    folder.mkdir(mode=0o700, exist_ok=True)
    return folder


def _try_lock(slot: int) -> int | None:
    descriptor = os.open(_lock_folder() / f"slot-{slot}.lock", os.O_RDWR | os.O_CREAT, 0o600)
    try:
        fcntl.flock(descriptor, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        os.close(descriptor)
        return None
    return descriptor


def reserve_slot(slot: int | None, max_slots: int) -> tuple[int, int]:
    """Reserve `slot` (or the lowest free one when None); return ``(slot, lock_fd)``.

    Close the returned descriptor to release the slot.
    """
    if slot is not None:
        descriptor = _try_lock(slot)
        if descriptor is None:
            raise SandboxError(
                f"Sandbox slot {slot} is in use by another grading process; "
                "leave the slot unset to get a free one."
            )
        return slot, descriptor
    for candidate in range(max_slots):
        descriptor = _try_lock(candidate)
        if descriptor is not None:
            return candidate, descriptor
    raise SandboxError(
        f"All {max_slots} sandbox slots are in use; wait for other grading runs to finish."
    )
