"""What a worker must not see, and what must stay visible inside the folders it cannot see."""

from __future__ import annotations

import importlib.util
import os
import sys
import tempfile
from collections.abc import Iterable
from pathlib import Path

import numpy

GRADER_PACKAGES = ("grader", "reference", "solutions")
PRIVATE_TEMPORARY = ("/tmp", "/var/tmp", "/dev/shm")


def package_folder(name: str) -> str | None:
    """Where the top-level package `name` lives, without importing it."""
    try:
        spec = importlib.util.find_spec(name)
    except (ImportError, ValueError):
        return None
    if spec is None or not spec.submodule_search_locations:
        return None
    return os.path.realpath(next(iter(spec.submodule_search_locations)))


def hidden_folders(extra: Iterable[os.PathLike[str] | str]) -> list[str]:
    """The grader's packages, the project checkout that holds them, root's home, /run, `extra`."""
    hidden = ["/root", "/run", *(os.fspath(p) for p in extra)]
    for name in GRADER_PACKAGES:
        folder = package_folder(name)
        if folder is not None:
            hidden.append(folder)
            parent = Path(folder).parent
            if (parent / "pyproject.toml").exists():
                hidden.append(str(parent))
    home = os.path.expanduser("~")
    if home not in ("/", "~"):
        hidden.append(home)
    return sorted({os.path.realpath(p) for p in hidden})


def kept_folders(scratch: str) -> list[str]:
    """The interpreter, its libraries, numpy and the scratch folder: visible even when nested."""
    kept = [
        sys.prefix,
        sys.base_prefix,
        sys.exec_prefix,
        sys.base_exec_prefix,
        str(Path(numpy.__file__).parent.parent),
        scratch,
    ]
    return sorted({os.path.realpath(p) for p in kept})


def mount_plan(hidden: list[str], scratch: str) -> dict[str, list[str]]:
    """The worker's mount plan: hide these, keep those, give it private temporary folders."""
    temporary = {os.path.realpath(p) for p in (*PRIVATE_TEMPORARY, tempfile.gettempdir())}
    return {"hide": hidden, "keep": kept_folders(scratch), "tmp": sorted(temporary)}
