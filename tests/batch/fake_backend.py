"""A fake grader for the batch tests: fast, deterministic, and it counts what it does.

A fake submission says which exercises it passes: a folder holds ``passes.txt`` (one
exercise id a line), a zip holds the same file, a notebook lists them in its metadata
(``{"metadata": {"passes": [...]}}``). Special lines change behaviour: ``SLEEP <seconds>``
slows the grading down, ``RAISE`` makes grading raise, ``DIE`` kills the grading process,
``CURVE`` puts a curve (a plot on the feedback page) in the evidence of a failed test;
``LOAD_FAILED`` makes a result of a submission with nothing to grade, ``UNREADABLE <path>``
one graded without a file it could not read;
``RENDER_RAISES`` and ``RENDER_DIES`` make the rendering of that student's feedback page in
the grading process raise, or kill the process (the parent process is not affected).

Every grading call appends ``<student>`` to the file named by ``NNGRADE_FAKE_CALLS``, every
content hash computed appends the entry's name to ``NNGRADE_FAKE_HASHES``, and every sandbox
opened appends ``<pid> <slot> <cpus>`` to ``NNGRADE_FAKE_SANDBOXES`` (each when set; cpus: the
comma-separated CPUs the grading process may run on), so that tests can count them across
the grading processes.
"""

from __future__ import annotations

import functools
import hashlib
import json
import os
import time
import zipfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

from exports.documents import make_document

from grader.atomic import write_json_atomic
from grader.batch.backend import GradeFunction, GradingBackend
from grader.fingerprint import limits_fingerprint

VERSION = "fake-1"


def fake_backend(version: str = VERSION) -> GradingBackend:
    return GradingBackend(
        serve=fake_serve,
        content_hash=fake_content_hash,
        fingerprint=fake_fingerprint,
        write_result=fake_write_result,
        version=version,
    )


def fake_fingerprint(limits: Any) -> dict[str, str]:
    """The engine's parts; the hidden suites' is `NNGRADE_FAKE_SUITES` (default "1"), so that
    a test can play an edited hidden test, and the limits' is the engine's own hash."""
    figures = limits.as_dict() if limits is not None else {}
    return {
        "hidden_suites": os.environ.get("NNGRADE_FAKE_SUITES", "1"),
        "exercises": "1",
        "reference": "1",
        "grading_code": "1",
        "limits": limits_fingerprint(figures),
    }


def fake_write_result(document: dict[str, Any], path: Path) -> None:
    write_json_atomic(path, document)


def _lines(path: Path) -> list[str]:
    if path.is_dir():
        text = (path / "passes.txt").read_text() if (path / "passes.txt").exists() else ""
    elif path.suffix == ".zip":
        with zipfile.ZipFile(path) as archive:
            text = archive.read("passes.txt").decode()
    else:
        text = "\n".join(json.loads(path.read_text())["metadata"]["passes"])
    return [line.strip() for line in text.splitlines() if line.strip()]


def fake_content_hash(path: Path) -> str:
    _append("NNGRADE_FAKE_HASHES", path.name)
    return _hash(path)


def _hash(path: Path) -> str:
    return hashlib.sha256("\n".join(_lines(path)).encode()).hexdigest()


def _append(variable: str, line: str) -> None:
    target = os.environ.get(variable)
    if target:
        with open(target, "a") as handle:
            handle.write(line + "\n")


def fake_serve(
    slot: int,
    hidden_paths: tuple[Path, ...],
    limits: Any,
    body: Callable[[GradeFunction], None],
    *,
    unsafe: bool = False,
) -> None:
    cpus = ",".join(str(cpu) for cpu in sorted(os.sched_getaffinity(0)))
    _append("NNGRADE_FAKE_SANDBOXES", f"{os.getpid()} {slot} {cpus}")
    sandbox = {"slot": slot, "hidden": hidden_paths}
    body(functools.partial(fake_grade, sandbox=sandbox, limits=limits))


def fake_grade(
    path: Path, *, student_id: str, lang: str, sandbox: Any, limits: Any = None
) -> dict[str, Any]:
    _append("NNGRADE_FAKE_CALLS", student_id)
    lines = _lines(path)
    for line in lines:
        if line.startswith("SLEEP"):
            time.sleep(float(line.split()[1]))
        if line == "RAISE":
            raise RuntimeError("the fake grader was asked to fail")
        if line == "DIE":
            os._exit(3)
        if line in ("RENDER_RAISES", "RENDER_DIES"):
            _break_next_render(dies=line == "RENDER_DIES")
    passed = set(lines)
    unreadable = [line.split(maxsplit=1)[1] for line in lines if line.startswith("UNREADABLE ")]
    problems = tuple(
        {
            "path": name,
            "line": None,
            "code": "unreadable",
            "message": f"{name} could not be read (permission denied).",
            "messages": {
                "en": f"{name} could not be read (permission denied).",
                "fr": f"{name} n'a pas pu être lu (permission refusée).",
            },
        }
        for name in unreadable or (["the submission"] if "LOAD_FAILED" in lines else [])
    )
    document = make_document(
        student_id,
        passed,
        status="load_failed" if "LOAD_FAILED" in lines else "graded",
        problems=problems,
        sha256=_hash(path),
        version=VERSION,
        lang=lang,
        fingerprint=fake_fingerprint(limits),
        limits=limits.as_dict() if limits is not None else None,
    )
    if "CURVE" in lines:
        failed = next(
            test
            for exercise in document["exercises"]
            for test in exercise["tests"]
            if test["outcome"] != "passed"
        )
        z = [-2.0, -1.0, 0.0, 1.0, 2.0]
        failed["evidence"] = {
            "kind": "value_mismatch",
            "function": "relu",
            "curve": {"function": "relu", "z": z, "expected": [max(v, 0.0) for v in z], "got": z},
        }
    return document


def _break_next_render(*, dies: bool) -> None:
    """Make the next page this grading process renders fail (only the next one)."""
    import grader.report.render as render

    original = render.write_student_feedback

    def broken(*args: Any, **kwargs: Any) -> Any:
        render.write_student_feedback = original
        if dies:
            os._exit(4)
        raise RuntimeError("the fake report was asked to fail")

    render.write_student_feedback = broken  # type: ignore[assignment]


# --- building fake submissions -------------------------------------------------------


def folder_submission(root: Path, name: str, *lines: str) -> Path:
    folder = root / name
    folder.mkdir(parents=True)
    (folder / "passes.txt").write_text("\n".join(lines) + "\n")
    return folder


def zip_submission(root: Path, name: str, *lines: str) -> Path:
    path = root / f"{name}.zip"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("passes.txt", "\n".join(lines) + "\n")
    return path


def notebook_submission(root: Path, name: str, *lines: str) -> Path:
    path = root / f"{name}.ipynb"
    path.write_text(json.dumps({"cells": [], "metadata": {"passes": list(lines)}}))
    return path


def read_lines(path: Path) -> list[str]:
    return path.read_text().split() if path.exists() else []
