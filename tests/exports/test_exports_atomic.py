"""Atomic writes: a crash in the middle of a write leaves the old file whole."""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from grader.atomic import write_chunks_atomic
from grader.exports import remove_stale_temp_files, write_json_atomic, write_text_atomic


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


def test_a_file_written_in_pieces_holds_their_text_and_stays_when_unchanged(tmp_path: Path) -> None:
    """write_chunks_atomic: the file is the pieces' text in UTF-8, the same bytes the
    whole text would give; unchanged, the old file is left alone without a temporary."""
    pieces = [f"{index},élève {index}\n" for index in range(20_000)]
    target = tmp_path / "grades.csv"
    assert write_chunks_atomic(target, lambda: iter(pieces), skip_unchanged=True)
    assert target.read_bytes() == "".join(pieces).encode("utf-8")
    before = target.stat()
    assert not write_chunks_atomic(target, lambda: iter(pieces), skip_unchanged=True)
    after = target.stat()
    assert (after.st_ino, after.st_mtime_ns) == (before.st_ino, before.st_mtime_ns)
    # Same length, one character different: written.
    changed = [*pieces[:-1], pieces[-1].replace("ève", "èvx")]
    assert len("".join(changed).encode()) == len("".join(pieces).encode())
    assert write_chunks_atomic(target, lambda: iter(changed), skip_unchanged=True)
    assert target.read_bytes() == "".join(changed).encode("utf-8")
    assert [path.name for path in tmp_path.iterdir()] == ["grades.csv"]


def test_pieces_that_fail_half_way_leave_the_old_file_and_no_temporary(tmp_path: Path) -> None:
    target = tmp_path / "summary.json"
    write_text_atomic(target, "old\n")

    def pieces() -> Iterator[str]:
        yield "new" * 100_000
        raise ValueError("a score is NaN (simulated)")

    for skip_unchanged in (False, True):
        with pytest.raises(ValueError, match="simulated"):
            write_chunks_atomic(target, pieces, skip_unchanged=skip_unchanged)
        assert target.read_text() == "old\n"
        assert [path.name for path in tmp_path.iterdir()] == ["summary.json"]


def test_a_json_file_written_in_pieces_is_the_json_of_its_document(tmp_path: Path) -> None:
    document = {"students": [{"student": f"s{n:05}", "score": n / 7} for n in range(5000)]}
    target = tmp_path / "summary.json"
    assert write_json_atomic(target, document)
    text = target.read_text(encoding="utf-8")
    assert json.loads(text) == document
    assert text == json.dumps(document, sort_keys=True, indent=2, ensure_ascii=False) + "\n"
    with pytest.raises(ValueError):
        write_json_atomic(target, {"score": float("nan")}, skip_unchanged=True)
    assert json.loads(target.read_text(encoding="utf-8")) == document
