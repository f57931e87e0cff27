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


def test_an_unchanged_file_is_left_alone_when_asked(tmp_path: Path) -> None:
    """skip_unchanged: same bytes, no write (inode and time stamps kept); else a write."""
    target = tmp_path / "grades.csv"
    assert write_text_atomic(target, "a,b\n", skip_unchanged=True)
    before = target.stat()
    assert not write_text_atomic(target, "a,b\n", skip_unchanged=True)
    after = target.stat()
    assert (after.st_ino, after.st_mtime_ns) == (before.st_ino, before.st_mtime_ns)
    assert write_text_atomic(target, "a,c\n", skip_unchanged=True)
    assert target.read_text() == "a,c\n"
    assert write_text_atomic(target, "a,c\n")  # without the option: always written
    elsewhere = tmp_path / "elsewhere.csv"
    elsewhere.write_text("a,c\n")
    target.unlink()
    target.symlink_to(elsewhere)  # a link to the same bytes is replaced by a file
    assert write_text_atomic(target, "a,c\n", skip_unchanged=True)
    assert not target.is_symlink()


def test_a_file_that_need_not_be_durable_is_written_without_fsync(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def refuse(*args: object) -> None:
        raise AssertionError("fsync called")

    monkeypatch.setattr(os, "fsync", refuse)
    target = tmp_path / "feedback.html"
    assert write_text_atomic(target, "<p>page</p>", durable=False)
    assert target.read_text() == "<p>page</p>"
    assert [path.name for path in tmp_path.iterdir()] == ["feedback.html"]
