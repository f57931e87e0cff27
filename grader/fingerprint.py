"""Fingerprints of nngrade's own code, for what is computed from it and kept across runs.

A rerun reuses what an earlier run computed (a submission's content hash, a rendered page)
only when the code that computed it is the same: not just the same version number, the same
files, so that a checkout being worked on never serves results of the code it had before.
"""

from __future__ import annotations

import functools
import hashlib
import os
from pathlib import Path

import grader


def folder_fingerprint(folder: Path) -> str:
    """The SHA-256 of the names and contents of every file under `folder` (bytecode caches
    left out)."""
    files = []
    for parent, folders, names in os.walk(folder):
        folders[:] = [name for name in folders if name != "__pycache__"]
        files += [Path(parent, name) for name in names if not name.endswith(".pyc")]
    digest = hashlib.sha256()
    for path in sorted(files):
        digest.update(path.relative_to(folder).as_posix().encode("utf-8") + b"\0")
        digest.update(hashlib.sha256(path.read_bytes()).digest())
    return digest.hexdigest()


@functools.cache
def code_fingerprint() -> str:
    """The fingerprint of the `grader` package (templates and translations included),
    computed once per process: a few milliseconds."""
    return folder_fingerprint(Path(grader.__file__).parent)
