"""Fingerprints of nngrade's code: of what decides a grade, and of the whole package.

`grading_fingerprint` is recorded in every result document.

A result stays valid only as long as what decided it does: the hidden suites (their tests,
points and helpers), the exercise catalog, the reference implementation, nngrade's grading
code (loading, sandbox, checks, engine) and the limits. Each is hashed on its own
(`PARTS`), so that a batch can say *why* it grades a result again ("the hidden suites
changed"); the grader's version is the document's own `grader_version`.

What only presents or carries grades (the report, the exports, the batch, the command line,
the handout's public checks, the nbgrader bridge, the result model) is left out: changing
it regrades nothing. Whatever else is added to `grader/` counts as grading code, so that a
new module can never let a stale grade through.

`package_fingerprint` covers the whole package: what is computed from nngrade's code and
kept across runs (a submission's content hash, a rendered page) is reused only while the
code is the same, not just its version number.
"""

from __future__ import annotations

import functools
import hashlib
import json
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from grader.i18n import N_, Text

GRADER = Path(__file__).resolve().parent
ROOT = GRADER.parent
HIDDEN_SUITES = GRADER / "hidden"
"""Where the hidden suites live: what `nngrade grade` and `nngrade batch` run."""

# Parts of grader/ that present or carry grades without deciding them.
NOT_DECIDING = (
    "authoring",
    "batch",
    "commands",
    "exports",
    "nbgrader_bridge",
    "public",
    "report",
    "result",
    "atomic.py",
    "cli.py",
    "config.py",
    "console.py",
    "fingerprint.py",
)


@dataclass(frozen=True)
class Part:
    """One part of the fingerprint: its key in the document, and the phrase that says it
    changed (a message, translated where it is shown)."""

    key: str
    changed: str


SUITES = Part("hidden_suites", N_("the hidden suites changed"))
EXERCISES = Part("exercises", N_("the exercise specs changed"))
REFERENCE = Part("reference", N_("the reference implementation changed"))
GRADING_CODE = Part("grading_code", N_("nngrade's grading code changed"))
LIMITS = Part("limits", N_("the limits changed"))
PARTS: tuple[Part, ...] = (SUITES, EXERCISES, REFERENCE, GRADING_CODE, LIMITS)


def _files(folder: Path, skip: tuple[Path, ...] = ()) -> Iterator[Path]:
    """Every file under `folder` that Python runs or reads, in a stable order."""
    for path in sorted(folder.rglob("*")):
        if any(path == s or s in path.parents for s in skip):
            continue
        if "__pycache__" in path.parts or path.suffix == ".pyc" or not path.is_file():
            continue
        yield path


def _digest(paths: Iterator[Path], base: Path) -> str:
    digest = hashlib.sha256()
    for path in paths:
        name = path.relative_to(base).as_posix() if path.is_relative_to(base) else path.name
        data = path.read_bytes()
        digest.update(f"{name}\0{len(data)}\0".encode())
        digest.update(data)
    return digest.hexdigest()


def code_fingerprint(suite: Path) -> dict[str, str]:
    """The hashes of the code that decides a grade, the hidden suites being in `suite`."""
    suite = Path(suite).resolve()
    exercises = (GRADER / "catalog.py", GRADER / "spec.py", GRADER / "specs")
    skipped = (suite, *exercises, *(GRADER / name for name in NOT_DECIDING))
    specs = [path for path in exercises[:2] if path.is_file()] + list(_files(exercises[2]))
    return {
        SUITES.key: _digest(_files(suite), suite),
        EXERCISES.key: _digest(iter(specs), ROOT),
        REFERENCE.key: _digest(_files(ROOT / "reference"), ROOT),
        GRADING_CODE.key: _digest(_files(GRADER, skip=skipped), ROOT),
    }


@functools.cache
def code_fingerprint_of_this_process(suite: Path) -> dict[str, str]:
    """`code_fingerprint`, computed once per process: the code a process grades with is the
    code it imported (pytest keeps a collected suite's modules for the process's life)."""
    return code_fingerprint(suite)


def limits_fingerprint(limits: Mapping[str, Any]) -> str:
    """The hash of the limits' figures (as in ``isolation.limits``)."""
    return hashlib.sha256(json.dumps(dict(limits), sort_keys=True).encode()).hexdigest()


def grading_fingerprint(
    limits: Mapping[str, Any], suite: Path, *, cached: bool = True
) -> dict[str, str]:
    """Part key -> hash, for a grading under `limits` with the hidden suites in `suite`.

    `cached`: the code's hashes as this process first computed them (what a grading
    process records); False reads the files again (what a batch compares against).
    """
    code = code_fingerprint_of_this_process(Path(suite).resolve()) if cached else None
    return {**(code or code_fingerprint(suite)), LIMITS.key: limits_fingerprint(limits)}


def changes(
    recorded: Mapping[str, str],
    current: Mapping[str, str],
    *,
    recorded_limits: Mapping[str, Any] | None = None,
    current_limits: Mapping[str, Any] | None = None,
) -> list[Text]:
    """What changed between two fingerprints, as phrases in every language:
    ``[Text("the hidden suites changed")]``.

    With both sets of limits given, a change of limits names the figures that changed.
    """
    found = []
    for part in PARTS:
        if recorded.get(part.key) == current.get(part.key):
            continue
        if part is LIMITS and recorded_limits is not None and current_limits is not None:
            changed = [
                f"{name} {recorded_limits.get(name)} -> {current_limits.get(name)}"
                for name in sorted(set(recorded_limits) | set(current_limits))
                if recorded_limits.get(name) != current_limits.get(name)
            ]
            if changed:
                found.append(Text("the limits changed (%(figures)s)", figures=", ".join(changed)))
                continue
        found.append(Text(part.changed))
    return found


def folder_fingerprint(folder: Path) -> str:
    """The SHA-256 of the names and contents of every file under `folder` (bytecode caches
    left out)."""
    return _digest(_files(folder), folder)


@functools.cache
def package_fingerprint() -> str:
    """The fingerprint of the whole `grader` package (templates and translations included),
    computed once per process: a few milliseconds."""
    return folder_fingerprint(GRADER)
