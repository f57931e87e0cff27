"""`load_submission`: a folder, a zip or a notebook, normalised to module sources.

Loading never runs student code and never stops at the first bad file: each refused file
becomes a problem the student can read, and whatever is left is graded.
"""

from __future__ import annotations

import os
import stat
import zipfile
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from grader.catalog import MODULES, all_functions, module_of
from grader.errors import UsageError
from grader.i18n import Text
from grader.loading.modules import CollectedSources, collect_sources, unreadable_problem
from grader.loading.notebook import notebook_code
from grader.loading.problems import LoadLimits, Problem, problem
from grader.loading.reasons import os_error_reason
from grader.loading.sources import file_record, sources_sha256
from grader.loading.trees import EntryTooLarge, EntryUnreadable, FolderTree, ZipTree

NOTEBOOK_MODULE = "notebook"
"""The one module a notebook submission becomes; every function is looked up in it."""

SubmissionKind = Literal["folder", "zip", "notebook", "other"]


@dataclass(frozen=True)
class LoadedSubmission:
    """A submission, read and checked, ready for the sandbox.

    Attributes:
        name: the entry's file or folder name, e.g. ``alice.zip``.
        kind: ``folder``, ``zip``, ``notebook``, or ``other`` (not a submission at all).
        sources: module name -> normalised source text, for every module that may be
            imported: the catalog modules found (or ``notebook``) and helper modules.
        function_modules: student function -> the module expected to define it.
        files: ``{"path", "sha256", "bytes"}`` for every file that was graded.
        problems: what was refused and why (docs/result-schema.md, `problems`).
        module_status: module -> ``missing``, ``refused`` or ``syntax_error`` for the
            modules that cannot be imported at all; the sandbox reports on the others.
        sha256: hash of the normalised sources, the batch's resume key.
    """

    name: str
    kind: SubmissionKind
    sources: Mapping[str, str]
    function_modules: Mapping[str, str]
    files: tuple[dict[str, Any], ...]
    problems: tuple[Problem, ...]
    module_status: Mapping[str, str]
    sha256: str

    @property
    def modules(self) -> tuple[str, ...]:
        """The modules the grading is about: the catalog's four, or the notebook."""
        return (NOTEBOOK_MODULE,) if self.kind == "notebook" else MODULES

    @property
    def gradable(self) -> bool:
        """Whether at least one graded module has a source the sandbox can import."""
        return any(module in self.sources for module in self.modules)


def load_submission(path: Path, limits: LoadLimits | None = None) -> LoadedSubmission:
    """Read the submission at `path` (a folder, ``.zip`` or ``.ipynb``).

    Raises `UsageError` only when `path` does not exist (the instructor's mistake);
    everything wrong with the submission itself is reported in `problems`.
    """
    limits = limits or LoadLimits()
    path = Path(path)
    if not os.path.lexists(path):
        raise UsageError(f"The submission {str(path)!r} does not exist; check the path.")
    name = path.name
    mode = os.lstat(path).st_mode
    if stat.S_ISLNK(mode):
        return _refused(name, _kind_of(name), _top_level_symlink(name))
    if stat.S_ISDIR(mode):
        try:
            with os.scandir(path) as entries:
                next(entries, None)
        except OSError as error:
            return _refused(name, "folder", unreadable_problem(f"{name}/", os_error_reason(error)))
        notebook = _lone_notebook(path)
        if notebook is not None:  # e.g. nbgrader's submitted/<student>/<assignment>/
            return _load_notebook(notebook, notebook.name, limits)
        return _from_tree(name, "folder", collect_sources(FolderTree(path, limits), limits))
    if name.lower().endswith(".ipynb"):
        return _load_notebook(path, name, limits)
    if stat.S_ISREG(mode) and (name.lower().endswith(".zip") or zipfile.is_zipfile(path)):
        return _load_zip(path, name, limits)
    return _refused(name, "other", _not_a_submission(name))


def _lone_notebook(folder: Path) -> Path | None:
    """The folder's only notebook, when the folder holds no Python file to grade instead."""
    notebooks: list[Path] = []
    for place in (folder, folder / "exercises"):
        try:
            entries = list(os.scandir(place))
        except OSError:
            continue
        for entry in entries:
            if entry.name.startswith(".") or not entry.is_file(follow_symlinks=False):
                continue
            if entry.name.endswith(".py"):
                return None
            if place == folder and entry.name.lower().endswith(".ipynb"):
                notebooks.append(Path(entry.path))
    return notebooks[0] if len(notebooks) == 1 else None


def _kind_of(name: str) -> SubmissionKind:
    lowered = name.lower()
    if lowered.endswith(".zip"):
        return "zip"
    if lowered.endswith(".ipynb"):
        return "notebook"
    return "folder"


def _catalog_function_modules() -> dict[str, str]:
    return {function: module_of(function) for function in all_functions()}


def _from_tree(name: str, kind: SubmissionKind, found: CollectedSources) -> LoadedSubmission:
    problems = list(found.problems)
    if not found.sources and not problems:
        problems.append(_empty(name))
    return LoadedSubmission(
        name=name,
        kind=kind,
        sources=dict(found.sources),
        function_modules=_catalog_function_modules(),
        files=tuple(sorted(found.files, key=lambda record: record["path"])),
        problems=tuple(problems),
        module_status=dict(found.module_status),
        sha256=sources_sha256(found.sources),
    )


def _load_zip(path: Path, name: str, limits: LoadLimits) -> LoadedSubmission:
    try:
        with zipfile.ZipFile(path) as archive:
            tree = ZipTree(archive, name, limits)
            if tree.refused:
                found = CollectedSources(module_status={module: "refused" for module in MODULES})
            else:
                found = collect_sources(tree, limits)
            found.problems[:0] = tree.problems
    except PermissionError as error:  # the file, not the archive: say so
        return _refused(name, "zip", unreadable_problem(name, os_error_reason(error)))
    except (zipfile.BadZipFile, OSError, EOFError, ValueError) as error:
        return _refused(name, "zip", _unreadable_zip(name, error))
    return _from_tree(name, "zip", found)


def _load_notebook(path: Path, name: str, limits: LoadLimits) -> LoadedSubmission:
    tree = FolderTree(path.parent, limits)
    try:
        data = tree.read(name, limits.notebook_bytes)
    except EntryTooLarge:
        return _refused(name, "notebook", _notebook_too_large(name, limits))
    except EntryUnreadable as error:
        return _refused(
            name,
            "notebook",
            problem(
                name,
                "unreadable",
                Text(
                    "%(file)s could not be read (%(reason)s); submit it again as an ordinary file.",
                    file=name,
                    reason=error.reason,
                ),
            ),
        )
    extracted = notebook_code(name, data)
    problems = list(extracted.problems)
    sources: dict[str, str] = {}
    status: dict[str, str] = {}
    if extracted.code is None:
        status[NOTEBOOK_MODULE] = "refused"
    elif not extracted.code.strip():
        has_syntax_error = any(p["code"] == "syntax_error" for p in problems)
        status[NOTEBOOK_MODULE] = "syntax_error" if has_syntax_error else "missing"
        if not has_syntax_error:
            problems.append(_empty(name))
    else:
        sources[NOTEBOOK_MODULE] = extracted.code
    return LoadedSubmission(
        name=name,
        kind="notebook",
        sources=sources,
        function_modules={function: NOTEBOOK_MODULE for function in all_functions()},
        files=(file_record(name, data),),
        problems=tuple(problems),
        module_status=status,
        sha256=sources_sha256(sources),
    )


def _refused(name: str, kind: SubmissionKind, reason: Problem) -> LoadedSubmission:
    modules = (NOTEBOOK_MODULE,) if kind == "notebook" else MODULES
    functions = all_functions()
    return LoadedSubmission(
        name=name,
        kind=kind,
        sources={},
        function_modules=(
            {f: NOTEBOOK_MODULE for f in functions}
            if kind == "notebook"
            else _catalog_function_modules()
        ),
        files=(),
        problems=(reason,),
        module_status={module: "refused" for module in modules},
        sha256=sources_sha256({}),
    )


def _empty(name: str) -> Problem:
    expected = ", ".join(f"{module}.py" for module in MODULES)
    return problem(
        name,
        "empty",
        Text(
            "No exercise code was found in %(name)s. Submit your exercises folder "
            "(%(expected)s, directly or in an exercises/ folder), a .zip of it, or one .ipynb "
            "notebook.",
            name=name,
            expected=expected,
        ),
    )


def _top_level_symlink(name: str) -> Problem:
    return problem(
        name,
        "symlink",
        Text(
            "The submission %(name)s is a symbolic link; the grader never follows links. "
            "Submit the folder, zip or notebook itself.",
            name=name,
        ),
    )


def _not_a_submission(name: str) -> Problem:
    return problem(
        name,
        "not_a_submission",
        Text(
            "%(name)s is neither a folder, a .zip nor a .ipynb notebook, so it cannot be "
            "graded. Submit your exercises folder, a .zip of it, or your notebook.",
            name=name,
        ),
    )


def _unreadable_zip(name: str, error: Exception) -> Problem:
    detail = str(error)[:200]
    return problem(
        name,
        "unreadable",
        Text(
            "%(name)s is not a readable zip archive (%(detail)s). Create the zip again and "
            "submit it.",
            name=name,
            detail=detail,
        ),
    )


def _notebook_too_large(name: str, limits: LoadLimits) -> Problem:
    mib = limits.notebook_bytes // (1024 * 1024)
    return problem(
        name,
        "too_large",
        Text(
            "%(name)s is larger than %(mib)s MiB. Clear its outputs (Kernel > Restart & Clear "
            "Output), save it and submit again.",
            name=name,
            mib=mib,
        ),
    )
