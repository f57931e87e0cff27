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
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import Any

TEMP_MARKER = ".nngrade-tmp-"
_BLOCK_BYTES = 1 << 16


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
    _replace(path, (data,), durable=durable)
    return True


def write_chunks_atomic(
    path: Path,
    chunks: Callable[[], Iterable[str]],
    *,
    skip_unchanged: bool = False,
    durable: bool = True,
) -> bool:
    """Replace `path` with the text that `chunks()` yields, encoded as UTF-8, in one step
    (see `write_bytes_atomic`), without ever holding the whole text.

    A class file of 50,000 students is megabytes: built whole, encoded and compared with
    the old file, it would take several times that at once. Here the text goes to the
    temporary file as it comes. With `skip_unchanged`, `chunks()` is called twice: once for
    the text's SHA-256, compared with the old file's (read in blocks), and once to write
    it when they differ.
    """
    if skip_unchanged:
        digest, size = hashlib.sha256(), 0
        for chunk in chunks():
            data = chunk.encode("utf-8")
            digest.update(data)
            size += len(data)
        if _holds_sha256(path, digest.hexdigest(), size):
            return False
    _replace(path, (chunk.encode("utf-8") for chunk in chunks()), durable=durable)
    return True


def _replace(path: Path, blocks: Iterable[bytes], *, durable: bool) -> None:
    """Write `blocks` to a temporary sibling of `path`, then rename it over `path`; the
    temporary is removed if anything fails on the way (`blocks` raising included)."""
    descriptor, temp_name = tempfile.mkstemp(prefix=f".{path.name}{TEMP_MARKER}", dir=path.parent)
    try:
        os.fchmod(descriptor, 0o644)  # mkstemp makes it private
        with os.fdopen(descriptor, "wb", buffering=_BLOCK_BYTES) as handle:
            for block in blocks:
                handle.write(block)
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


def text_blocks(text: str) -> Iterator[str]:
    """`text` in slices of at most 64 Ki characters, for `write_chunks_atomic`."""
    for start in range(0, len(text), _BLOCK_BYTES):
        yield text[start : start + _BLOCK_BYTES]


def write_text_atomic(
    path: Path, text: str, *, skip_unchanged: bool = False, durable: bool = True
) -> bool:
    """Replace `path` with `text` encoded as UTF-8, in one step (see `write_bytes_atomic`);
    encoded a block at a time (see `write_chunks_atomic`)."""
    return write_chunks_atomic(
        path, lambda: text_blocks(text), skip_unchanged=skip_unchanged, durable=durable
    )


_JSON_FILE_ENCODER = json.JSONEncoder(sort_keys=True, indent=2, ensure_ascii=False, allow_nan=False)


def json_bytes(document: Any) -> bytes:
    """The bytes `write_json_atomic` writes for `document`: UTF-8 JSON, sorted keys, 2-space
    indent, a final newline."""
    return (_JSON_FILE_ENCODER.encode(document) + "\n").encode("utf-8")


def joined_pieces(pieces: Iterable[str]) -> Iterator[str]:
    """`pieces` joined into pieces of about 64 Ki characters: a JSON encoder or a template
    yields thousands of short strings, each too small to encode and write on its own."""
    pending: list[str] = []
    size = 0
    for piece in pieces:
        pending.append(piece)
        size += len(piece)
        if size >= _BLOCK_BYTES:
            yield "".join(pending)
            pending, size = [], 0
    yield "".join(pending)


def json_chunks(document: Any) -> Iterator[str]:
    """The text of `json_bytes(document)`, in pieces of about 64 KiB."""
    yield from joined_pieces(_JSON_FILE_ENCODER.iterencode(document))
    yield "\n"


def write_json_atomic(path: Path, document: Any, *, skip_unchanged: bool = False) -> bool:
    """Replace `path` with `document` as `json_bytes`, in one step (see `write_bytes_atomic`);
    encoded a block at a time (see `write_chunks_atomic`)."""
    return write_chunks_atomic(path, lambda: json_chunks(document), skip_unchanged=skip_unchanged)


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
    return _holds_sha256(path, sha256)


def _holds_sha256(path: Path, sha256: str, size: int | None = None) -> bool:
    """Whether `path` is a regular file of `size` bytes (any size when None) whose bytes
    have the SHA-256 `sha256`; read in blocks."""
    try:
        if not path.is_file() or path.is_symlink():
            return False
        if size is not None and path.stat().st_size != size:
            return False
        digest = hashlib.sha256()
        with path.open("rb") as handle:
            while block := handle.read(_BLOCK_BYTES):
                digest.update(block)
        return digest.hexdigest() == sha256
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
