"""Find the exercise modules in a folder-like tree and read them safely.

The modules sit directly in the submission, or in an ``exercises/`` subfolder, possibly
under one wrapping folder (``alice/exercises/activations.py``, as zips often are).
"""

from __future__ import annotations

import sys
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from grader.catalog import MODULES
from grader.i18n import Text
from grader.loading.problems import LoadLimits, Problem, problem
from grader.loading.reasons import os_error_reason
from grader.loading.sources import check_syntax, decode_source, file_record
from grader.loading.trees import (
    JUNK_NAMES,
    NOT_A_REGULAR_FILE,
    EntryTooLarge,
    EntryUnreadable,
    Kind,
    Tree,
)


@dataclass
class CollectedSources:
    """What `collect_sources` found: module texts, graded files, problems, bad modules."""

    sources: dict[str, str] = field(default_factory=dict)
    files: list[dict[str, Any]] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    module_status: dict[str, str] = field(default_factory=dict)


def find_root(tree: Tree, problems: list[Problem]) -> str:
    """The prefix ("" or ``"a/"``) of the level that holds the modules."""
    prefix = ""
    for depth in range(2):
        children = listing(tree, prefix, problems)
        _report_symlinks(prefix, children, problems)
        if children.get("exercises") == "dir":
            return f"{prefix}exercises/"
        if any(name.endswith(".py") for name in children):
            return prefix
        folders = [n for n, k in children.items() if k == "dir" and n not in JUNK_NAMES]
        files = [n for n, k in children.items() if k != "dir" and not n.startswith(".")]
        if depth == 0 and len(folders) == 1 and not files:
            prefix = f"{folders[0]}/"
            continue
        return prefix
    return prefix


def listing(tree: Tree, prefix: str, problems: list[Problem]) -> dict[str, Kind]:
    """The children of the folder `prefix`; none, and a problem naming the folder, when it
    cannot be listed (no permission, say)."""
    try:
        return tree.children(prefix)
    except OSError as error:
        folder = prefix or "./"
        if not any(p["path"] == folder and p["code"] == "unreadable" for p in problems):
            problems.append(unreadable_problem(folder, os_error_reason(error)))
        return {}


def _report_symlinks(prefix: str, children: Mapping[str, str], problems: list[Problem]) -> None:
    for name, kind in sorted(children.items()):
        if kind == "symlink":
            problems.append(_symlink_problem(prefix + name))


def _symlink_problem(path: str) -> Problem:
    return problem(
        path,
        "symlink",
        Text(
            "%(file)s is a symbolic link; the grader never follows links, so it was not "
            "graded. Submit the file itself.",
            file=path,
        ),
    )


def collect_sources(tree: Tree, limits: LoadLimits) -> CollectedSources:
    """Read the modules (and a few helper modules) of the tree, refusing bad files."""
    found = CollectedSources()
    root = find_root(tree, found.problems)
    children = listing(tree, root, found.problems)
    if root:
        _report_symlinks(root, children, found.problems)
    modules = [n[:-3] for n in children if n.endswith(".py") and n[:-3] in MODULES]
    candidates = sorted(
        n[:-3]
        for n in children
        if n.endswith(".py")
        and n[:-3] not in MODULES
        and n[:-3].isidentifier()
        and n != "__init__.py"
    )
    for name in [n for n in candidates if shadows_a_module(n)]:
        found.problems.append(_shadowing(f"{root}{name}.py", name))
    helpers = [n for n in candidates if not shadows_a_module(n)][: limits.helper_modules]
    total = 0
    for name in sorted(modules) + helpers:
        path = f"{root}{name}.py"
        is_module = name in MODULES
        kind = children[f"{name}.py"]
        if kind == "symlink":
            _refuse(found, name, is_module, None)  # already reported with the level
            continue
        if kind != "file":
            _refuse(found, name, is_module, unreadable_problem(path, Text(NOT_A_REGULAR_FILE)))
            continue
        if tree.is_duplicate(path):
            _refuse(found, name, is_module, _duplicate(path))
            continue
        try:
            data = tree.read(path, min(limits.file_bytes, limits.total_bytes - total))
        except EntryTooLarge:
            _refuse(found, name, is_module, _too_large(path, limits))
            continue
        except EntryUnreadable as error:
            _refuse(found, name, is_module, unreadable_problem(path, error.reason))
            continue
        total += len(data)
        text, bad = decode_source(path, data)
        if bad is None and text is not None:
            bad = check_syntax(path, text)
            if bad is not None:
                found.problems.append(bad)
                if is_module:
                    found.module_status[name] = "syntax_error"
                continue
        if bad is not None or text is None:
            _refuse(found, name, is_module, bad)
            continue
        found.sources[name] = text
        found.files.append(file_record(path, data))
    for name in MODULES:
        if name not in found.sources and name not in found.module_status:
            found.module_status[name] = "missing"
    return found


RESERVED_NAMES = frozenset({"exercises", "numpy", "grader", "reference", "solutions"})


def shadows_a_module(name: str) -> bool:
    """Whether a helper module named `name` would hide a module the grading needs: the
    package of the submission itself, numpy, or a module of Python's standard library."""
    return name in RESERVED_NAMES or name in sys.stdlib_module_names


def _shadowing(path: str, name: str) -> Problem:
    return problem(
        path,
        "shadowing",
        Text(
            "%(file)s has the name of a module of Python, numpy or the handout (%(name)s), "
            "and would hide it; it was left out, and the rest of your work graded without it. "
            "Rename it (for example my_%(name)s.py) if your code imports it.",
            file=path,
            name=name,
        ),
    )


def _refuse(found: CollectedSources, name: str, is_module: bool, bad: Problem | None) -> None:
    if bad is not None:
        found.problems.append(bad)
    if is_module:
        found.module_status[name] = "refused"


def _too_large(path: str, limits: LoadLimits) -> Problem:
    kib, total_kib = limits.file_bytes // 1024, limits.total_bytes // 1024
    return problem(
        path,
        "too_large",
        Text(
            "%(file)s is too large to grade (the limit is %(kib)s KiB per file and "
            "%(total_kib)s KiB in all). Remove data or outputs pasted into it and submit again.",
            file=path,
            kib=kib,
            total_kib=total_kib,
        ),
    )


def _duplicate(path: str) -> Problem:
    return problem(
        path,
        "duplicate",
        Text(
            "The zip holds %(file)s twice; neither copy was graded because the grader cannot "
            "tell which one you meant. Zip the folder again with one copy.",
            file=path,
        ),
    )


def unreadable_problem(path: str, reason: Text | str) -> Problem:
    """`path` could not be read for `reason` (a `Text`, or the system's own words)."""
    return problem(
        path,
        "unreadable",
        Text(
            "%(file)s could not be read (%(reason)s), so it was not graded: its functions "
            "count as missing. Submit it again as an ordinary, readable file, or ask your "
            "instructor to make it readable and grade it again.",
            file=path,
            reason=reason,
        ),
    )
