"""Atomic writes: a crash in the middle of a write leaves the old file whole."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from grader.exports import remove_stale_temp_files, write_text_atomic


def test_a_crash_during_the_write_keeps_the_old_file_intact(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    target = tmp_path / "grades.csv"
    write_text_atomic(target, "old,complete\n")

    def crash(*args: object) -> None:
        raise OSError("disk full (simulated)")

    monkeypatch.setattr(os, "fsync", crash)
    with pytest.raises(OSError, match="simulated"):
        write_text_atomic(target, "new," * 100_000)
    assert target.read_text() == "old,complete\n"
    assert [path.name for path in tmp_path.iterdir()] == ["grades.csv"]


def test_stale_temporary_files_are_found_and_removed(tmp_path: Path) -> None:
    (tmp_path / "alice").mkdir()
    stale = [
        tmp_path / ".summary.json.nngrade-tmp-x1",
        tmp_path / "alice" / ".result.json.nngrade-tmp-a",
    ]
    for path in stale:
        path.write_text("partial")
    (tmp_path / "alice" / "result.json").write_text("{}")
    assert sorted(remove_stale_temp_files(tmp_path)) == sorted(stale)
    assert [p.name for p in tmp_path.rglob("*") if p.is_file()] == ["result.json"]
