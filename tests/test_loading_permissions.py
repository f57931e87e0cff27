"""A submission the grader may only partly read says which file, and why, in both languages.

The files are made unreadable for real: as root (who reads any file), the loading runs in
a child process that has become the unprivileged user `nobody`; as a plain user, a file
without read permission is unreadable to its owner too.
"""

from __future__ import annotations

import json
import os
import shutil
import stat
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from grader.catalog import MODULES
from grader.loading import load_submission

ROOT = Path(__file__).resolve().parents[1]
NOBODY = 65534
SOLUTION = ROOT / "examples" / "class" / "chloe_plain_imports"


@pytest.fixture
def shared_folder() -> Iterator[Path]:
    """A folder every user may enter (pytest's own tmp_path is root's alone)."""
    folder = Path(tempfile.mkdtemp(prefix="nngrade-permissions-"))
    folder.chmod(0o755)
    try:
        yield folder
    finally:
        for path in folder.rglob("*"):
            if not path.is_symlink():
                path.chmod(0o755 if path.is_dir() else 0o644)
        shutil.rmtree(folder)


def as_unprivileged(probe: Callable[[], Any]) -> Any:
    """Run `probe` as a user without privileges and return what it returned (JSON)."""
    if os.geteuid() != 0:
        return json.loads(json.dumps(probe()))
    read_end, write_end = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child: drop root, load, report, leave
        status = 1
        try:
            os.close(read_end)
            os.setgroups([])
            os.setgid(NOBODY)
            os.setuid(NOBODY)
            with os.fdopen(write_end, "w") as channel:
                json.dump(probe(), channel)
            status = 0
        finally:
            os._exit(status)
    os.close(write_end)
    with os.fdopen(read_end) as channel:
        answer = channel.read()
    _, status = os.waitpid(pid, 0)
    assert os.waitstatus_to_exitcode(status) == 0, answer
    return json.loads(answer)


def _submission(folder: Path) -> Path:
    submission = folder / "chloe"
    shutil.copytree(SOLUTION, submission)
    for path in [submission, *submission.rglob("*")]:
        path.chmod(0o755 if path.is_dir() else 0o644)
    return submission


def _loaded(submission: Path) -> dict[str, Any]:
    loaded = load_submission(submission)
    return {
        "problems": list(loaded.problems),
        "modules": dict(loaded.module_status),
        "sources": sorted(loaded.sources),
    }


def test_a_module_without_read_permission_is_named_with_the_reason(shared_folder: Path) -> None:
    """losses.py without read permission: the rest is loaded, losses is refused, and the
    problem names the file and says it is a permission, in English and French."""
    submission = _submission(shared_folder)
    (submission / "losses.py").chmod(0)
    found = as_unprivileged(lambda: _loaded(submission))
    assert found["sources"] == sorted(set(MODULES) - {"losses"})
    assert found["modules"] == {"losses": "refused"}
    [problem] = found["problems"]
    assert (problem["path"], problem["code"]) == ("losses.py", "unreadable")
    assert problem["messages"]["en"].startswith(
        "losses.py could not be read (permission denied: the grader may not read it)"
    )
    assert "its functions count as missing" in problem["messages"]["en"]
    assert problem["messages"]["fr"].startswith(
        "losses.py n'a pas pu être lu (permission refusée : le correcteur n'a pas le droit"
    )


def test_a_folder_that_cannot_be_listed_is_named(shared_folder: Path) -> None:
    """An exercises/ folder the grader may not list: one problem naming the folder."""
    submission = shared_folder / "dana"
    (submission / "exercises").mkdir(parents=True)
    shutil.copy(SOLUTION / "activations.py", submission / "exercises" / "activations.py")
    submission.chmod(0o755)
    (submission / "exercises").chmod(stat.S_IWUSR)  # neither listed nor entered by others
    found = as_unprivileged(lambda: _loaded(submission))
    assert found["sources"] == []
    [problem] = found["problems"]
    assert (problem["path"], problem["code"]) == ("exercises/", "unreadable")
    assert "permission denied" in problem["messages"]["en"]


def test_a_submission_folder_that_cannot_be_listed_fails_to_load_saying_why(
    shared_folder: Path,
) -> None:
    """The submission folder itself unreadable: nothing to grade, and the reason says so
    (not "no exercise code was found")."""
    submission = _submission(shared_folder)
    submission.chmod(stat.S_IWUSR)
    found = as_unprivileged(lambda: _loaded(submission))
    [problem] = found["problems"]
    assert (problem["path"], problem["code"]) == ("chloe/", "unreadable")
    assert "permission denied" in problem["messages"]["en"]
    assert set(found["modules"].values()) == {"refused"}
