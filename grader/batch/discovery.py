"""Find the students' submissions in a SUBMISSIONS folder.

Two layouts are understood:

- *flat*: every entry is one student's submission: a folder, a ``.zip`` or a ``.ipynb``;
  the student id is the entry's name without its extension.
- *nbgrader*: ``submitted/<student>/<assignment>/*.ipynb``, as nbgrader collects them. It is
  used when the folder is called ``submitted``, when an assignment is named, or when every
  student folder holds no file of its own and exactly one assignment folder of notebooks.

Nothing is guessed: hidden files and stray files (a README.txt) are ignored and listed; two
entries claiming the same student id (``a/`` and ``a.zip``) are both rejected as
``duplicate``; an entry that cannot be read (a broken symlink, a fifo, no permission) is
rejected as ``unreadable``. The others are graded.
"""

from __future__ import annotations

import os
import stat
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

from grader.errors import UsageError
from grader.i18n import Text
from grader.loading.reasons import os_error_reason

Kind = Literal["folder", "zip", "notebook"]
Layout = Literal["flat", "nbgrader"]
RejectionStatus = Literal["duplicate", "unreadable", "missing"]

SUBMISSION_SUFFIXES: dict[str, Kind] = {".zip": "zip", ".ipynb": "notebook"}
# What operating systems and archivers leave in shared folders; never a student's work.
SYSTEM_JUNK = frozenset({"__MACOSX", "Thumbs.db", "desktop.ini", "__pycache__"})


@dataclass(frozen=True)
class Submission:
    """One student's submission to grade.

    Attributes:
        student: the student id (entry name without extension, or nbgrader's student folder).
        path: the folder, zip or notebook to grade.
        kind: ``folder``, ``zip`` or ``notebook``.
    """

    student: str
    path: Path
    kind: Kind


@dataclass(frozen=True)
class Rejected:
    """A student whose submission is not graded, and why.

    Attributes:
        student: the student id concerned.
        status: ``duplicate``, ``unreadable`` or ``missing`` (nbgrader: no such assignment).
        entries: the entry names involved, relative to the SUBMISSIONS folder.
        message: a sentence for the instructor, in every language: what is wrong and what
            to do (``str(message)`` is the English one).
    """

    student: str
    status: RejectionStatus
    entries: tuple[str, ...]
    message: Text


@dataclass(frozen=True)
class Ignored:
    """An entry that is not a submission (hidden file, README.txt), with the reason in every
    language (``str(reason)`` is the English one)."""

    entry: str
    reason: Text


@dataclass(frozen=True)
class Discovery:
    """What a SUBMISSIONS folder holds, sorted by student id."""

    root: Path
    layout: Layout
    assignment: str | None
    submissions: tuple[Submission, ...]
    rejected: tuple[Rejected, ...] = ()
    ignored: tuple[Ignored, ...] = field(default=())

    @property
    def students(self) -> tuple[str, ...]:
        """Every student id seen, graded or rejected, sorted."""
        return tuple(sorted({s.student for s in self.submissions} | self.rejected_ids))

    @property
    def rejected_ids(self) -> set[str]:
        return {rejection.student for rejection in self.rejected}


def discover_submissions(
    root: Path, *, assignment: str | None = None, exclude: tuple[Path, ...] = ()
) -> Discovery:
    """List the submissions under `root`.

    Args:
        root: the SUBMISSIONS folder (flat layout) or nbgrader's ``submitted`` folder.
        assignment: for the nbgrader layout, the assignment folder to grade; required when a
            student folder holds several assignments.
        exclude: folders never taken for a submission (the results folder, when it sits
            inside `root`).

    Raises:
        UsageError: `root` is not a folder, or holds no submission at all.
    """
    if not root.is_dir():
        raise UsageError(
            Text("%(root)s is not a folder: give the folder that holds the submissions.", root=root)
        )
    excluded = {path.resolve() for path in exclude}
    entries, ignored = _visible_entries(root, excluded)
    if assignment is not None or root.name == "submitted" or _looks_like_nbgrader(root, entries):
        discovery = _discover_nbgrader(root, entries, ignored, assignment)
    else:
        discovery = _discover_flat(root, entries, ignored)
    if not discovery.submissions and not discovery.rejected:
        raise UsageError(_empty_message(root, discovery.ignored))
    return discovery


def _visible_entries(root: Path, excluded: set[Path]) -> tuple[list[Path], list[Ignored]]:
    entries: list[Path] = []
    ignored: list[Ignored] = []
    for path in sorted(root.iterdir(), key=lambda p: p.name):
        if path.name.startswith(".") or path.name in SYSTEM_JUNK:
            ignored.append(Ignored(path.name, Text("hidden or system file")))
        elif path.resolve() in excluded:
            ignored.append(Ignored(path.name, Text("the results folder")))
        else:
            entries.append(path)
    return entries, ignored


def _discover_flat(root: Path, entries: list[Path], ignored: list[Ignored]) -> Discovery:
    claims: dict[str, list[tuple[Path, Kind | None, Text | None]]] = defaultdict(list)
    for path in entries:
        kind, student, problem = _classify(path)
        if student is None:
            ignored.append(Ignored(path.name, problem or Text("not a submission")))
            continue
        # Case-insensitive: `Alice/` and `alice.zip` would share one results folder on macOS.
        claims[student.casefold()].append((path, kind, problem))
    submissions: list[Submission] = []
    rejected: list[Rejected] = []
    for claimants in claims.values():
        if len(claimants) > 1:
            rejected.extend(_duplicates(root, [path for path, _, _ in claimants]))
            continue
        path, kind, problem = claimants[0]
        student = _student_id(path)
        if problem is not None or kind is None:
            reason = problem or _unreadable(path, Text("cannot be read"))
            rejected.append(Rejected(student, "unreadable", (path.name,), reason))
        else:
            submissions.append(Submission(student, path, kind))
    return Discovery(
        root=root,
        layout="flat",
        assignment=None,
        submissions=tuple(sorted(submissions, key=lambda s: s.student)),
        rejected=tuple(sorted(rejected, key=lambda r: (r.student, r.entries))),
        ignored=tuple(ignored),
    )


def _classify(path: Path) -> tuple[Kind | None, str | None, Text | None]:
    """(kind, student id, problem) of a flat entry; student id None means "not a submission"."""
    try:
        info = path.lstat()
    except OSError as error:
        return None, _student_id(path), _unreadable(path, _cannot(Text("cannot be read"), error))
    suffix = path.suffix.lower()
    if stat.S_ISLNK(info.st_mode):
        return None, _student_id(path), _unreadable(path, Text("is a symbolic link"))
    if stat.S_ISDIR(info.st_mode):
        problem = _folder_problem(path)
        return ("folder" if problem is None else None), path.name, problem
    if not stat.S_ISREG(info.st_mode):
        if suffix in SUBMISSION_SUFFIXES or not suffix:
            what = Text("is not a regular file or folder")
            return None, _student_id(path), _unreadable(path, what)
        return None, None, Text("not a submission (a special file)")
    if suffix not in SUBMISSION_SUFFIXES:
        return None, None, Text("not a submission: expected a folder, a .zip or a .ipynb")
    problem = _file_problem(path)
    return (SUBMISSION_SUFFIXES[suffix] if problem is None else None), path.stem, problem


def _student_id(path: Path) -> str:
    return path.stem if path.suffix.lower() in SUBMISSION_SUFFIXES else path.name


def _folder_problem(path: Path) -> Text | None:
    try:
        with os.scandir(path) as listing:
            next(listing, None)
    except OSError as error:
        return _unreadable(path, _cannot(Text("cannot be listed"), error))
    return None


def _file_problem(path: Path) -> Text | None:
    try:
        # O_NONBLOCK: opening must never hang, whatever the entry turns out to be.
        descriptor = os.open(path, os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_NOFOLLOW", 0))
    except OSError as error:
        return _unreadable(path, _cannot(Text("cannot be opened"), error))
    os.close(descriptor)
    return None


def _cannot(what: Text, error: OSError) -> Text:
    """``cannot be opened (permission denied)``: what failed, and the system's reason."""
    return Text("%(what)s (%(why)s)", what=what, why=os_error_reason(error))


def _unreadable(path: Path, what: Text) -> Text:
    return Text(
        "%(entry)s %(what)s, so it was not graded; replace it with the student's real "
        "folder, .zip or .ipynb and run the batch again.",
        entry=path.name,
        what=what,
    )


def _duplicates(root: Path, paths: list[Path]) -> list[Rejected]:
    names = tuple(sorted(_relative(root, path) for path in paths))
    message = Text(
        "%(first)s and %(second)s claim the same student id, so neither was graded: keep the "
        "real submission, remove or rename the other, and run the batch again.",
        first=", ".join(names[:-1]),
        second=names[-1],
    )
    return [Rejected(_student_id(path), "duplicate", names, message) for path in paths]


def _relative(root: Path, path: Path) -> str:
    name = path.relative_to(root).as_posix()
    return name + "/" if path.is_dir() and not path.is_symlink() else name


# --- nbgrader: submitted/<student>/<assignment>/*.ipynb ---------------------------------


def _looks_like_nbgrader(root: Path, entries: list[Path]) -> bool:
    folders = [path for path in entries if path.is_dir() and not path.is_symlink()]
    files = [path for path in entries if path.suffix.lower() in SUBMISSION_SUFFIXES]
    if not folders or files:
        return False
    return all(len(_assignment_folders(folder)) == 1 for folder in folders)


def _assignment_folders(student_folder: Path) -> list[Path]:
    """The assignment folders of an nbgrader student folder; [] if it is not one."""
    try:
        children = [c for c in student_folder.iterdir() if not c.name.startswith(".")]
    except OSError:
        return []
    if any(child.is_file() and child.suffix in {".py", ".ipynb"} for child in children):
        return []  # the student's own files at the top: a flat folder submission
    folders = [c for c in children if c.is_dir() and not c.is_symlink()]
    return [f for f in folders if any(f.glob("*.ipynb"))] if folders else []


def _discover_nbgrader(
    root: Path, entries: list[Path], ignored: list[Ignored], assignment: str | None
) -> Discovery:
    submissions: list[Submission] = []
    rejected: list[Rejected] = []
    for path in entries:
        if not path.is_dir() or path.is_symlink():
            ignored.append(Ignored(path.name, Text("not a student folder of nbgrader's layout")))
            continue
        found = _assignment_folders(path)
        if assignment is not None:
            chosen = path / assignment
            if chosen.is_dir() and not chosen.is_symlink():
                submissions.append(Submission(path.name, chosen, "folder"))
            else:
                names = ", ".join(f.name for f in found) or Text("none")
                message = Text(
                    "%(student)s/ has no assignment folder %(assignment)r (it has: %(names)s); "
                    "check the assignment name or collect this student's submission again.",
                    student=path.name,
                    assignment=assignment,
                    names=names,
                )
                rejected.append(Rejected(path.name, "missing", (path.name + "/",), message))
        elif len(found) == 1:
            submissions.append(Submission(path.name, found[0], "folder"))
        elif not found:
            message = Text(
                "%(student)s/ holds no assignment folder with notebooks, so it was not "
                "graded; check what nbgrader collected for this student.",
                student=path.name,
            )
            rejected.append(Rejected(path.name, "missing", (path.name + "/",), message))
        else:
            names = ", ".join(sorted(f.name for f in found))
            raise UsageError(
                Text(
                    "%(student)s/ holds several assignments (%(names)s): choose one with "
                    "--assignment NAME.",
                    student=path.name,
                    names=names,
                )
            )
    return Discovery(
        root=root,
        layout="nbgrader",
        assignment=assignment,
        submissions=tuple(sorted(submissions, key=lambda s: s.student)),
        rejected=tuple(sorted(rejected, key=lambda r: r.student)),
        ignored=tuple(ignored),
    )


def _empty_message(root: Path, ignored: tuple[Ignored, ...]) -> Text:
    if not ignored:
        return Text(
            "%(root)s is empty: put one folder, .zip or .ipynb per student in it "
            "(the student id is the name without extension).",
            root=root,
        )
    return Text(
        "%(root)s holds no submission (ignored: %(names)s): put one folder, .zip or .ipynb "
        "per student in it (the student id is the name without extension).",
        root=root,
        names=", ".join(item.entry for item in ignored),
    )
