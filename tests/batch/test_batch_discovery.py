"""Finding the submissions of a class: layouts, stray files, duplicates, unreadable entries.

Unreadable entries are made with a broken symbolic link and a named pipe (fifo): the tests
run as root, for whom `chmod 000` still reads, so permissions cannot make one.
"""

from __future__ import annotations

import os
import socket
from pathlib import Path

import pytest

from grader.batch.discovery import discover_submissions
from grader.errors import UsageError

from .fake_backend import folder_submission, notebook_submission, zip_submission


def test_folders_zips_and_notebooks_are_submissions_named_without_extension(
    tmp_path: Path,
) -> None:
    """Each kind of entry is one student; the id drops .zip/.ipynb; sorted by id."""
    folder_submission(tmp_path, "carol", "sigmoid")
    zip_submission(tmp_path, "alice", "sigmoid")
    notebook_submission(tmp_path, "bob", "sigmoid")
    found = discover_submissions(tmp_path)
    assert found.layout == "flat"
    assert [(s.student, s.kind, s.path.name) for s in found.submissions] == [
        ("alice", "zip", "alice.zip"),
        ("bob", "notebook", "bob.ipynb"),
        ("carol", "folder", "carol"),
    ]
    assert found.rejected == () and found.ignored == ()


def test_hidden_and_stray_files_are_ignored_with_a_reason(tmp_path: Path) -> None:
    """README.txt, .DS_Store and __MACOSX are listed as ignored, never graded."""
    zip_submission(tmp_path, "alice", "sigmoid")
    (tmp_path / "README.txt").write_text("hand-in instructions")
    (tmp_path / ".DS_Store").write_bytes(b"\0")
    (tmp_path / "__MACOSX").mkdir()
    found = discover_submissions(tmp_path)
    assert [s.student for s in found.submissions] == ["alice"]
    reasons = {item.entry: str(item.reason) for item in found.ignored}
    assert set(reasons) == {"README.txt", ".DS_Store", "__MACOSX"}
    assert "expected a folder, a .zip or a .ipynb" in reasons["README.txt"]


def test_two_entries_with_one_id_are_both_rejected_and_named(tmp_path: Path) -> None:
    """`a/` and `a.zip`: neither is graded; both are reported with what to do."""
    folder_submission(tmp_path, "a", "sigmoid")
    zip_submission(tmp_path, "a", "tanh")
    zip_submission(tmp_path, "b", "tanh")
    found = discover_submissions(tmp_path)
    assert [s.student for s in found.submissions] == ["b"]
    assert len(found.rejected) == 2
    for rejection in found.rejected:
        assert rejection.student == "a"
        assert rejection.status == "duplicate"
        assert rejection.entries == ("a.zip", "a/")
        assert "a.zip and a/ claim the same student id" in str(rejection.message)
        assert "remove or rename the other" in str(rejection.message)


def test_ids_differing_only_by_case_are_duplicates(tmp_path: Path) -> None:
    """`Alice/` and `alice.zip` would share a results folder on macOS: both rejected."""
    folder_submission(tmp_path, "Alice", "sigmoid")
    zip_submission(tmp_path, "alice", "sigmoid")
    zip_submission(tmp_path, "bob", "sigmoid")
    found = discover_submissions(tmp_path)
    assert [s.student for s in found.submissions] == ["bob"]
    assert sorted(r.student for r in found.rejected) == ["Alice", "alice"]


def test_broken_symlink_and_fifo_are_unreadable_and_the_rest_is_graded(tmp_path: Path) -> None:
    """A dangling link and a named pipe get status `unreadable`; opening never hangs."""
    zip_submission(tmp_path, "alice", "sigmoid")
    (tmp_path / "bob.zip").symlink_to(tmp_path / "nowhere.zip")
    os.mkfifo(tmp_path / "carol.ipynb")
    found = discover_submissions(tmp_path)
    assert [s.student for s in found.submissions] == ["alice"]
    statuses = {r.student: (r.status, str(r.message)) for r in found.rejected}
    assert statuses["bob"][0] == "unreadable"
    assert "symbolic link" in statuses["bob"][1]
    assert statuses["carol"][0] == "unreadable"
    assert "not a regular file" in statuses["carol"][1]


def test_a_socket_entry_is_unreadable(tmp_path: Path) -> None:
    """A socket where a submission should be is rejected, not opened."""
    zip_submission(tmp_path, "alice", "sigmoid")
    server = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    try:
        server.bind(str(tmp_path / "dave"))
        found = discover_submissions(tmp_path)
    finally:
        server.close()
    assert [(r.student, r.status) for r in found.rejected] == [("dave", "unreadable")]


def test_an_empty_folder_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(UsageError, match=r"is empty: put one folder, \.zip or \.ipynb per student"):
        discover_submissions(tmp_path)


def test_a_folder_of_stray_files_only_is_a_clear_error_naming_them(tmp_path: Path) -> None:
    (tmp_path / "README.txt").write_text("x")
    with pytest.raises(UsageError, match=r"holds no submission \(ignored: README.txt\)"):
        discover_submissions(tmp_path)


def test_a_missing_folder_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(UsageError, match="is not a folder"):
        discover_submissions(tmp_path / "nope")


def test_the_results_folder_inside_submissions_is_not_a_submission(tmp_path: Path) -> None:
    zip_submission(tmp_path, "alice", "sigmoid")
    (tmp_path / "results" / "alice").mkdir(parents=True)
    found = discover_submissions(tmp_path, exclude=(tmp_path / "results",))
    assert [s.student for s in found.submissions] == ["alice"]
    assert [(i.entry, str(i.reason)) for i in found.ignored] == [("results", "the results folder")]


def _nbgrader_student(root: Path, student: str, *assignments: str) -> None:
    for assignment in assignments:
        folder = root / student / assignment
        folder.mkdir(parents=True)
        (folder / f"{assignment}.ipynb").write_text("{}")
        (folder / "timestamp.txt").write_text("2024-01-01 10:00:00")


def test_nbgrader_submitted_folder_grades_each_students_assignment(tmp_path: Path) -> None:
    """submitted/<student>/<assignment>/ is recognised by the folder's name."""
    submitted = tmp_path / "submitted"
    _nbgrader_student(submitted, "alice", "ps1")
    _nbgrader_student(submitted, "bob", "ps1")
    found = discover_submissions(submitted)
    assert found.layout == "nbgrader"
    assert [(s.student, s.path.relative_to(submitted).as_posix()) for s in found.submissions] == [
        ("alice", "alice/ps1"),
        ("bob", "bob/ps1"),
    ]


def test_nbgrader_layout_is_recognised_by_its_shape(tmp_path: Path) -> None:
    """Student folders each holding one assignment folder of notebooks: nbgrader layout."""
    _nbgrader_student(tmp_path, "alice", "ps1")
    _nbgrader_student(tmp_path, "bob", "ps1")
    found = discover_submissions(tmp_path)
    assert found.layout == "nbgrader"
    assert [s.path.name for s in found.submissions] == ["ps1", "ps1"]


def test_a_flat_folder_of_student_modules_is_not_taken_for_nbgrader(tmp_path: Path) -> None:
    folder = tmp_path / "alice"
    (folder / "extra").mkdir(parents=True)
    (folder / "extra" / "scratch.ipynb").write_text("{}")
    (folder / "activations.py").write_text("")
    found = discover_submissions(tmp_path)
    assert found.layout == "flat"
    assert [s.path for s in found.submissions] == [folder]


def test_nbgrader_with_several_assignments_needs_a_choice(tmp_path: Path) -> None:
    submitted = tmp_path / "submitted"
    _nbgrader_student(submitted, "alice", "ps1", "ps2")
    with pytest.raises(UsageError, match=r"several assignments \(ps1, ps2\).*--assignment NAME"):
        discover_submissions(submitted)
    found = discover_submissions(submitted, assignment="ps2")
    assert [(s.student, s.path.name) for s in found.submissions] == [("alice", "ps2")]


def test_nbgrader_student_without_the_assignment_is_reported_missing(tmp_path: Path) -> None:
    submitted = tmp_path / "submitted"
    _nbgrader_student(submitted, "alice", "ps1", "ps2")
    _nbgrader_student(submitted, "bob", "ps1")
    found = discover_submissions(submitted, assignment="ps2")
    assert [s.student for s in found.submissions] == ["alice"]
    [rejection] = found.rejected
    assert (rejection.student, rejection.status) == ("bob", "missing")
    assert "no assignment folder 'ps2' (it has: ps1)" in str(rejection.message)
