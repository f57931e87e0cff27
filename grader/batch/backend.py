"""What the batch needs from the grader, as one replaceable object.

The batch never grades by itself: it asks a `GradingBackend` to open one sandbox per
grading process, grade a submission into a result document, and tell the content hash of a
submission (the resume key, with the grader version). The real backend calls the engine;
tests pass a fake one, which keeps them fast and lets them count grading calls.

Every field is a module-level function so that the backend can be sent to the grading
processes, which are started with the "spawn" method (they import it by name).
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from grader.errors import NngradeError

ResultDocument = dict[str, Any]
# grade(path, student_id=..., lang=..., sandbox=...) -> the result document, always.
GradeFunction = Callable[..., ResultDocument]
# open_sandbox(slot, hidden_paths, unsafe=...) -> a context manager giving the sandbox of one
# grading process (`unsafe`: without isolation, `--unsafe-no-sandbox`).
SandboxOpener = Callable[..., AbstractContextManager[Any]]
# content_hash(path) -> hash of the normalised sources, or None when they cannot be loaded.
ContentHash = Callable[[Path], "str | None"]
# write_result(document, path): atomic.
ResultWriter = Callable[[ResultDocument, Path], None]


@dataclass(frozen=True)
class GradingBackend:
    """The grader as the batch sees it.

    Attributes:
        grade: grades one submission inside the given sandbox and returns its document.
        open_sandbox: opens the sandbox a grading process keeps for all its submissions.
        content_hash: the resume key of a submission (``submission.sha256`` of its result).
        write_result: writes a result document atomically.
        version: the grader version written into every result (``grader_version``).
    """

    grade: GradeFunction
    open_sandbox: SandboxOpener
    content_hash: ContentHash
    write_result: ResultWriter
    version: str


def engine_backend() -> GradingBackend:
    """The real grader: the engine, its sandbox and its loader."""
    from grader import __version__

    return GradingBackend(
        grade=engine_grade,
        open_sandbox=engine_sandbox,
        content_hash=engine_content_hash,
        write_result=engine_write_result,
        version=__version__,
    )


def engine_grade(path: Path, *, student_id: str, lang: str, sandbox: Any) -> ResultDocument:
    """Grade with the engine (imported here: the parent process never needs it)."""
    from grader.engine import grade_submission

    return grade_submission(path, student_id=student_id, lang=lang, sandbox=sandbox)


@contextlib.contextmanager
def engine_sandbox(
    slot: int, hidden_paths: tuple[Path, ...], *, unsafe: bool = False
) -> Iterator[Any]:
    """One sandbox for a grading process, with its own unprivileged user.

    `slot` numbers the grading process within the batch; the sandbox itself reserves the
    lowest free slot across every process of the machine (a batch killed a moment ago,
    another class graded at the same time), so two sandboxes never share a user.
    """
    from grader.sandbox import Sandbox, SandboxLimits

    with Sandbox(SandboxLimits(), hidden_paths=hidden_paths, unsafe=unsafe) as sandbox:
        yield sandbox


def engine_content_hash(path: Path) -> str | None:
    """The loader's hash of the normalised sources; None when nothing can be loaded."""
    from grader.loading import load_submission

    try:
        return load_submission(path).sha256
    except (NngradeError, OSError):
        return None


def engine_write_result(document: ResultDocument, path: Path) -> None:
    """Write a result document the way `nngrade grade` does (atomic)."""
    from grader.engine import write_result

    write_result(document, path)
