"""A submission folder or zip seen as the same small tree: list a level, read a file.

Neither tree ever follows a symbolic link: a folder is listed with ``lstat`` semantics and
files are opened with ``O_NOFOLLOW``; a zip's symlink entries and entries whose name would
land outside the folder (absolute, ``..``) are reported, never read.
"""

from __future__ import annotations

import os
import re
import stat
import zipfile
from pathlib import Path
from typing import Literal, Protocol

from grader.i18n import N_, Text
from grader.loading.problems import LoadLimits, Problem, problem
from grader.loading.reasons import os_error_reason

Kind = Literal["file", "dir", "symlink", "other"]

# Files that archivers and editors add beside the student's work; never graded, never reported.
JUNK_NAMES = frozenset({"__MACOSX", "__pycache__", ".DS_Store", ".ipynb_checkpoints", ".git"})


NOT_A_REGULAR_FILE = N_("it is not a regular file")


class EntryTooLarge(Exception):
    """The entry is bigger than the cap it is read with."""


class EntryUnreadable(Exception):
    """The entry cannot be read (no permission, not a regular file, encrypted, corrupt).

    Attributes:
        reason: why, in every language (a `Text`), or the system's own words (English).
    """

    def __init__(self, reason: Text | str) -> None:
        super().__init__(str(reason))
        self.reason = reason


class Tree(Protocol):
    """What the loader needs from a folder or a zip."""

    def children(self, prefix: str) -> dict[str, Kind]:
        """Names directly under `prefix` ("" or ``"a/b/"``) and what they are."""
        ...

    def read(self, path: str, cap: int) -> bytes:
        """The bytes of the file at `path`; `EntryTooLarge` beyond `cap` bytes."""
        ...

    def is_duplicate(self, path: str) -> bool:
        """Whether `path` names two entries (only a zip can)."""
        ...


class FolderTree:
    """A submission folder on disk."""

    def __init__(self, root: Path, limits: LoadLimits) -> None:
        self.root = root
        self.limits = limits

    def children(self, prefix: str) -> dict[str, Kind]:
        found: dict[str, Kind] = {}
        with os.scandir(self.root / prefix) as entries:
            for count, entry in enumerate(entries):
                if count >= self.limits.entries:
                    break
                if entry.is_symlink():
                    found[entry.name] = "symlink"
                elif entry.is_dir(follow_symlinks=False):
                    found[entry.name] = "dir"
                elif entry.is_file(follow_symlinks=False):
                    found[entry.name] = "file"
                else:
                    found[entry.name] = "other"
        return found

    def read(self, path: str, cap: int) -> bytes:
        # O_NOFOLLOW: a file swapped for a symlink after listing is still not followed;
        # O_NONBLOCK: opening a FIFO must not hang the grader.
        flags = os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | getattr(os, "O_CLOEXEC", 0)
        try:
            fd = os.open(self.root / path, flags)
        except OSError as error:
            raise EntryUnreadable(os_error_reason(error)) from None
        try:
            info = os.fstat(fd)
            if not stat.S_ISREG(info.st_mode):
                raise EntryUnreadable(Text(NOT_A_REGULAR_FILE))
            if info.st_size > cap:
                raise EntryTooLarge()
            with os.fdopen(fd, "rb", closefd=False) as stream:
                data = stream.read(cap + 1)
        except OSError as error:  # e.g. EIO
            raise EntryUnreadable(os_error_reason(error)) from None
        finally:
            os.close(fd)
        if len(data) > cap:
            raise EntryTooLarge()
        return data

    def is_duplicate(self, path: str) -> bool:
        return False


_DRIVE = re.compile(r"^[A-Za-z]:")


class ZipTree:
    """A zip archive; bad entries are reported in `problems` and left out of the tree."""

    def __init__(self, archive: zipfile.ZipFile, label: str, limits: LoadLimits) -> None:
        self.archive = archive
        self.limits = limits
        self.problems: list[Problem] = []
        self.refused = False  # the whole archive is over the limits
        self._kinds: dict[str, Kind] = {}
        self._infos: dict[str, zipfile.ZipInfo] = {}
        self._duplicates: set[str] = set()
        self._index(label)

    def _index(self, label: str) -> None:
        infos = self.archive.infolist()
        declared = sum(info.file_size for info in infos)
        if len(infos) > self.limits.entries or declared > self.limits.zip_uncompressed_bytes:
            self.problems.append(
                problem(
                    label,
                    "too_large",
                    Text(
                        "%(zip)s holds %(entries)s entries (%(bytes)s bytes uncompressed), more "
                        "than the grader accepts (%(max_entries)s entries, %(max_bytes)s "
                        "bytes). Zip only your exercise files and submit again.",
                        zip=label,
                        entries=len(infos),
                        bytes=declared,
                        max_entries=self.limits.entries,
                        max_bytes=self.limits.zip_uncompressed_bytes,
                    ),
                )
            )
            self.refused = True
            return
        for info in infos:
            name = info.filename.replace("\\", "/")
            parts = [part for part in name.split("/") if part not in ("", ".")]
            if name.startswith("/") or _DRIVE.match(name) or ".." in parts:
                self.problems.append(_zip_escape(info.filename))
                continue
            if not parts or parts[0] in JUNK_NAMES:
                continue
            path = "/".join(parts)
            mode = info.external_attr >> 16
            kind: Kind = "dir" if info.is_dir() else "file"
            if stat.S_ISLNK(mode):
                kind = "symlink"
            for depth in range(1, len(parts)):
                self._kinds.setdefault("/".join(parts[:depth]), "dir")
            if path in self._infos:
                self._duplicates.add(path)
            self._kinds[path] = kind
            if kind == "file":
                self._infos.setdefault(path, info)

    def children(self, prefix: str) -> dict[str, Kind]:
        found: dict[str, Kind] = {}
        for path, kind in self._kinds.items():
            if path.startswith(prefix) and "/" not in path[len(prefix) :]:
                found[path[len(prefix) :]] = kind
        return found

    def read(self, path: str, cap: int) -> bytes:
        if path in self._duplicates:
            raise EntryUnreadable(Text(N_("the archive holds two entries with this name")))
        info = self._infos[path]
        if info.flag_bits & 0x1:
            raise EntryUnreadable(Text(N_("it is encrypted")))
        if info.file_size > cap:
            raise EntryTooLarge()
        # Never trust the declared size: read at most one byte past the cap.
        try:
            with self.archive.open(info) as stream:
                data = stream.read(cap + 1)
        except (zipfile.BadZipFile, OSError, EOFError, NotImplementedError) as error:
            raise EntryUnreadable(Text("it is corrupt (%(error)s)", error=str(error))) from None
        if len(data) > cap:
            raise EntryTooLarge()
        return data

    def is_duplicate(self, path: str) -> bool:
        return path in self._duplicates


def _zip_escape(name: str) -> Problem:
    shown = name[:200]
    return problem(
        shown,
        "zip_escape",
        Text(
            "The zip entry %(entry)s points outside the submission folder (absolute path or "
            "'..'); it was not extracted nor graded. Zip your exercises folder itself.",
            entry=repr(shown),
        ),
    )
