"""A fake grader for the batch tests: fast, deterministic, and it counts what it does.

A fake submission says which exercises it passes: a folder holds ``passes.txt`` (one
exercise id a line), a zip holds the same file, a notebook lists them in its metadata
(``{"metadata": {"passes": [...]}}``). Special lines change behaviour: ``SLEEP <seconds>``
slows the grading down, ``RAISE`` makes grading raise, ``DIE`` kills the grading process.

Every grading call appends ``<student>`` to the file named by ``NNGRADE_FAKE_CALLS`` and
every sandbox opened appends ``<pid> <slot>`` to ``NNGRADE_FAKE_SANDBOXES`` (both when set),
so that tests can count them across the grading processes.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import time
import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from grader.atomic import write_json_atomic
from grader.batch.backend import GradingBackend
from grader.catalog import EXERCISES

VERSION = "fake-1"


def fake_backend(version: str = VERSION) -> GradingBackend:
    return GradingBackend(
        grade=fake_grade,
        open_sandbox=fake_sandbox,
        content_hash=fake_content_hash,
        write_result=fake_write_result,
        version=version,
    )


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
    return hashlib.sha256("\n".join(_lines(path)).encode()).hexdigest()


def _append(variable: str, line: str) -> None:
    target = os.environ.get(variable)
    if target:
        with open(target, "a") as handle:
            handle.write(line + "\n")


@contextlib.contextmanager
def fake_sandbox(slot: int, hidden_paths: tuple[Path, ...]) -> Iterator[dict[str, Any]]:
    _append("NNGRADE_FAKE_SANDBOXES", f"{os.getpid()} {slot}")
    yield {"slot": slot, "hidden": hidden_paths}


def fake_grade(path: Path, *, student_id: str, lang: str, sandbox: Any) -> dict[str, Any]:
    _append("NNGRADE_FAKE_CALLS", student_id)
    lines = _lines(path)
    for line in lines:
        if line.startswith("SLEEP"):
            time.sleep(float(line.split()[1]))
        if line == "RAISE":
            raise RuntimeError("the fake grader was asked to fail")
        if line == "DIE":
            os._exit(3)
    passed = set(lines)
    return make_document(student_id, passed, sha256=fake_content_hash(path), lang=lang)


def make_document(
    student: str,
    passed: set[str],
    *,
    sha256: str = "0" * 64,
    status: str = "graded",
    lang: str = "en",
    version: str = VERSION,
    timeouts: set[str] = frozenset(),
    wall_seconds: float = 1.25,
) -> dict[str, Any]:
    """A result document of the published schema where the exercises in `passed` pass."""
    exercises = []
    for exercise in EXERCISES:
        ok = exercise.id in passed and status == "graded"
        outcome = "passed" if ok else ("timeout" if exercise.id in timeouts else "failed")
        test = {
            "id": f"test_{exercise.module}::test_{exercise.id}",
            "title": f"{exercise.id} works",
            "outcome": outcome,
            "points": float(exercise.points) if ok else 0.0,
            "max_points": float(exercise.points),
            "functions": list(exercise.functions),
            "message": "" if ok else f"{exercise.id} is wrong <b>here</b>",
            "messages": {"en": "", "fr": ""},
            "evidence": None,
        }
        exercises.append(
            {
                "id": exercise.id,
                "module": exercise.module,
                "functions": list(exercise.functions),
                "score": test["points"],
                "max_score": float(exercise.points),
                "tests": [test],
            }
        )
    return {
        "schema": "nngrade.result/1",
        "grader_version": version,
        "student": student,
        "status": status,
        "score": sum(exercise["score"] for exercise in exercises),
        "max_score": float(sum(exercise.points for exercise in EXERCISES)),
        "lang": lang,
        "submission": {
            "name": student,
            "kind": "folder",
            "sha256": sha256,
            "files": [],
            "modules": {},
            "problems": [],
        },
        "exercises": exercises,
        "isolation": {"layers": {}, "limits": {}, "notes": []},
        "output": {"stdout": "", "stderr": "", "truncated": False},
        "timing": {
            "started": "2024-01-01T00:00:00Z",
            "finished": "2024-01-01T00:00:01Z",
            "wall_seconds": wall_seconds,
            "cpu_seconds": 1.0,
            "worker_starts": 1,
        },
    }


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
