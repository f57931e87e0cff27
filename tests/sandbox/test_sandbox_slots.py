"""Parallel graders never share a sandbox uid: slots are reserved across processes."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from grader.errors import SandboxError
from grader.sandbox.slots import reserve_slot

# Far from the slots other tests and real grading runs use.
FIRST = 3900


def test_a_reserved_slot_is_refused_until_released() -> None:
    """Asking for a slot another sandbox holds fails with a sentence; closing frees it."""
    slot, lock = reserve_slot(FIRST, 4000)
    try:
        with pytest.raises(SandboxError, match=f"slot {FIRST} is in use"):
            reserve_slot(FIRST, 4000)
    finally:
        os.close(lock)
    again, lock = reserve_slot(FIRST, 4000)
    os.close(lock)
    assert again == slot == FIRST


def test_reservations_hold_across_processes() -> None:
    """A slot held by this process is skipped by another process asking for any free slot."""
    held = [reserve_slot(None, 4000) for _ in range(2)]
    try:
        held_slots = {slot for slot, _ in held}
        code = (
            "from grader.sandbox.slots import reserve_slot\n"
            "slot, fd = reserve_slot(None, 4000)\n"
            "print(slot)\n"
        )
        completed = subprocess.run(
            [sys.executable, "-c", code], capture_output=True, text=True, timeout=60, check=True
        )
        assert int(completed.stdout) not in held_slots
    finally:
        for _, lock in held:
            os.close(lock)
