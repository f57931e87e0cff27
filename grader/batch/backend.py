"""What the batch needs from the grader, as one replaceable object.

The batch never grades by itself: it asks a `GradingBackend` to open, in each grading
process, what grades submission after submission (one sandbox, the hidden suites collected
once), to grade a submission into a result document inside it, and to tell the content hash
of a submission (the resume key, with the fingerprint of the grader). The real backend calls
the engine; tests pass a fake one, which keeps them fast and lets them count grading calls.

Every field is a module-level function so that the backend can be sent to the grading
processes, which are started with the "spawn" method (they import it by name).
"""

from __future__ import annotations

import contextlib
import functools
from collections.abc import Callable, Iterator, Mapping
from contextlib import AbstractContextManager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from grader.errors import NngradeError

ResultDocument = dict[str, Any]
# grade(path, student_id=..., lang=...) -> the result document, always.
GradeFunction = Callable[..., ResultDocument]
# serve(slot, hidden_paths, limits, body, unsafe=...): opens what one grading process keeps
# for all its submissions, calls body(grade) with the function that grades inside it, and
# closes it (`unsafe`: a sandbox without isolation, `--unsafe-no-sandbox`).
Server = Callable[..., None]
# open_sandbox(slot, hidden_paths, unsafe=...) -> a context manager giving a sandbox.
SandboxOpener = Callable[..., AbstractContextManager[Any]]
# content_hash(path) -> hash of the normalised sources, or None when they cannot be loaded.
ContentHash = Callable[[Path], "str | None"]
# fingerprint(limits) -> part -> hash of what decides a grade under `limits` (None: defaults).
Fingerprinter = Callable[[Any], Mapping[str, str]]
# write_result(document, path): atomic.
ResultWriter = Callable[[ResultDocument, Path], None]


@dataclass(frozen=True)
class GradingBackend:
    """The grader as the batch sees it.

    Attributes:
        serve: runs a grading process's work (see `Server`); raises `ServerUnavailable`
            when what grades cannot be opened (then `body` is never called).
        content_hash: the resume key of a submission (``submission.sha256`` of its result).
        fingerprint: what decides a grade now (``fingerprint`` of a result written now).
        write_result: writes a result document atomically.
        version: the grader version written into every result (``grader_version``).
    """

    serve: Server
    content_hash: ContentHash
    fingerprint: Fingerprinter
    write_result: ResultWriter
    version: str


def engine_backend() -> GradingBackend:
    """The real grader: the engine, its sandbox and its loader."""
    from grader import __version__

    return GradingBackend(
        serve=engine_serve,
        content_hash=engine_content_hash,
        fingerprint=engine_fingerprint,
        write_result=engine_write_result,
        version=__version__,
    )


class ServerUnavailable(NngradeError):
    """What grades in a grading process (its sandbox) could not be opened."""


def engine_serve(
    slot: int,
    hidden_paths: tuple[Path, ...],
    limits: Any,
    body: Callable[[GradeFunction], None],
    *,
    unsafe: bool = False,
) -> None:
    """One sandbox for a grading process, with its own unprivileged user, and one grading
    session of the hidden suites (collected once); `body` grades with both.

    `slot` numbers the grading process within the batch; the sandbox itself reserves the
    lowest free slot across every process of the machine (a batch killed a moment ago,
    another class graded at the same time), so two sandboxes never share a user. `limits`
    are its `SandboxLimits` (None: the defaults).
    """
    from grader.engine import grade_submission, with_hidden_suites
    from grader.sandbox import Sandbox, SandboxLimits

    try:
        sandbox = Sandbox(limits or SandboxLimits(), hidden_paths=hidden_paths, unsafe=unsafe)
    except Exception as error:
        raise ServerUnavailable(f"{type(error).__name__}: {error}") from error
    with sandbox:
        with_hidden_suites(
            lambda runner: body(functools.partial(grade_submission, sandbox=sandbox, runner=runner))
        )


@contextlib.contextmanager
def engine_sandbox(
    slot: int, hidden_paths: tuple[Path, ...], *, limits: Any = None, unsafe: bool = False
) -> Iterator[Any]:
    """One sandbox under `limits` (None: nngrade's), for a grader that keeps its own session
    of the hidden suites (a Dask worker's grading lane)."""
    from grader.sandbox import Sandbox, SandboxLimits

    with Sandbox(limits or SandboxLimits(), hidden_paths=hidden_paths, unsafe=unsafe) as sandbox:
        yield sandbox


def engine_content_hash(path: Path) -> str | None:
    """The loader's hash of the normalised sources; None when nothing can be loaded."""
    from grader.loading import load_submission

    try:
        return load_submission(path).sha256
    except (NngradeError, OSError):
        return None


def engine_fingerprint(limits: Any) -> Mapping[str, str]:
    """The fingerprint a grading under `limits` records, from the files as they are now."""
    from grader.fingerprint import HIDDEN_SUITES, grading_fingerprint
    from grader.sandbox import SandboxLimits

    figures = (limits or SandboxLimits()).as_dict()
    return grading_fingerprint(figures, HIDDEN_SUITES, cached=False)


def engine_write_result(document: ResultDocument, path: Path) -> None:
    """Write a result document the way `nngrade grade` does (atomic)."""
    from grader.engine import write_result

    write_result(document, path)
