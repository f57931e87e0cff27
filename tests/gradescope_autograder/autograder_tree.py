"""A temporary tree laid out like Gradescope's /autograder, for trying an autograder zip."""

from __future__ import annotations

import json
import shutil
import zipfile
from pathlib import Path


def unpack(archive_path: Path, folder: Path) -> None:
    """Extract `archive_path` into `folder` keeping each entry's Unix mode, as unzip does."""
    folder.mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(archive_path) as archive:
        for info in archive.infolist():
            target = folder / info.filename
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(archive.read(info))
            mode = (info.external_attr >> 16) & 0o777
            if mode:
                target.chmod(mode)


def autograder_root(archive_path: Path, root: Path) -> Path:
    """What Gradescope builds from the zip: source/ unpacked, run_autograder copied beside
    it, an empty submission/ (setup.sh is not run: the tests use their own environment)."""
    unpack(archive_path, root / "source")
    shutil.copy2(root / "source" / "run_autograder", root / "run_autograder")
    (root / "submission").mkdir()
    return root


def hand_in(root: Path, entry: Path, *users: dict[str, object]) -> None:
    """Put `entry` (a folder's contents, or a file as is) in submission/, with metadata."""
    submission = root / "submission"
    if entry.is_dir():
        shutil.copytree(entry, submission, dirs_exist_ok=True)
    else:
        shutil.copy2(entry, submission / entry.name)
    metadata = {"id": 1, "users": list(users), "assignment": {"title": "Lab 1"}}
    (root / "submission_metadata.json").write_text(json.dumps(metadata))
