"""Write files so that a reader, or a run killed at any instant, only ever sees whole files.

A file is written to a temporary sibling named ``.<name>.nngrade-tmp-<random>``, flushed to
disk, then renamed over the target (a rename within one folder is atomic on POSIX and on
Windows). A crash leaves at worst a stale temporary file, which `remove_stale_temp_files`
deletes on the next run; the target is either the old complete file or the new one.
Result documents, reports and class files are all written this way. Files are readable by
everyone (mode 0644): they are meant to be shared with students and other tools.

Two options trade work for nothing lost: `skip_unchanged` leaves a file that already holds
the same bytes alone (no write, no fsync, its time stamps kept: a rerun that changes nothing
writes nothing), and ``durable=False`` leaves out the fsyncs, for files that the next run
checks and writes again if a power cut lost them (the report's pages and their stamps).
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import tempfile
from pathlib import Path
from typing import Any

TEMP_MARKER = ".nngrade-tmp-"


def write_bytes_atomic(
    path: Path, data: bytes, *, skip_unchanged: bool = False, durable: bool = True
) -> bool:
    """Replace `path` with `data` in one step; the parent folder must exist.

    Returns whether the file was written: always, unless `skip_unchanged` and `path`
    already held exactly `data`. Without `durable`, the data may reach the disk after the
    rename (a power cut may leave the file empty): for files whose readers check them.
    """
    if skip_unchanged and _holds(path, data):
        return False
    descriptor, temp_name = tempfile.mkstemp(prefix=f".{path.name}{TEMP_MARKER}", dir=path.parent)
    try:
        os.fchmod(descriptor, 0o644)  # mkstemp makes it private
        with os.fdopen(descriptor, "wb") as handle:
            handle.write(data)
            if durable:
                handle.flush()
                os.fsync(handle.fileno())
        os.replace(temp_name, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(temp_name)
        raise
    if durable:
        _fsync_folder(path.parent)
    return True


def write_text_atomic(
    path: Path, text: str, *, skip_unchanged: bool = False, durable: bool = True
) -> bool:
    """Replace `path` with `text` encoded as UTF-8, in one step (see `write_bytes_atomic`)."""
    return write_bytes_atomic(
        path, text.encode("utf-8"), skip_unchanged=skip_unchanged, durable=durable
    )


def json_bytes(document: Any) -> bytes:
    """The bytes `write_json_atomic` writes for `document`: UTF-8 JSON, sorted keys, 2-space
    indent, a final newline."""
    text = json.dumps(document, sort_keys=True, indent=2, ensure_ascii=False, allow_nan=False)
    return (text + "\n").encode("utf-8")


def write_json_atomic(path: Path, document: Any, *, skip_unchanged: bool = False) -> bool:
    """Replace `path` with `document` as `json_bytes`, in one step (see `write_bytes_atomic`)."""
    return write_bytes_atomic(path, json_bytes(document), skip_unchanged=skip_unchanged)


def _holds(path: Path, data: bytes) -> bool:
    """Whether `path` is a regular file holding exactly `data`."""
    try:
        if not path.is_file() or path.is_symlink() or path.stat().st_size != len(data):
            return False
        return path.read_bytes() == data
    except OSError:
        return False


def holds_digest(path: Path, sha256: str) -> bool:
    """Whether `path` is a regular file whose bytes have the SHA-256 `sha256` (what
    `skip_unchanged` would find unchanged, told from a digest of the bytes)."""
    try:
        if not path.is_file() or path.is_symlink():
            return False
        return hashlib.sha256(path.read_bytes()).hexdigest() == sha256
    except OSError:
        return False


def remove_stale_temp_files(folder: Path) -> list[Path]:
    """Delete the temporary files a killed run left in `folder` and its subfolders.

    Returns the paths removed. Call it only when no other run writes into `folder`.
    """
    removed: list[Path] = []
    if not folder.is_dir():
        return removed
    candidates = set(folder.rglob(f".*{TEMP_MARKER}*"))
    for candidate in sorted(candidates):
        if candidate.is_file() and not candidate.is_symlink():
            candidate.unlink()
            removed.append(candidate)
    return removed


def _fsync_folder(folder: Path) -> None:
    # Makes the rename itself durable across a power cut; not possible on every platform.
    try:
        descriptor = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(descriptor)
    except OSError:
        pass
    finally:
        os.close(descriptor)
