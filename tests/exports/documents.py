"""Result documents of the published schema (docs/result-schema.md), built for export tests."""

from __future__ import annotations

from typing import Any

from grader.catalog import EXERCISES
from grader.result import Result, parse_result


def make_document(
    student: str,
    passed: set[str],
    *,
    status: str = "graded",
    timeouts: frozenset[str] = frozenset(),
    problems: tuple[dict[str, Any], ...] = (),
    wall_seconds: float = 2.6,
    sha256: str = "0" * 64,
    version: str = "9.9.9",
    lang: str = "en",
    fingerprint: dict[str, str] | None = None,
    limits: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """A document where exactly the exercises in `passed` get their points.

    `sha256`, `version`, `fingerprint` and `limits` (``isolation.limits``) are the batch's
    resume key; the batch tests' fake grader sets them.
    """
    exercises = []
    for exercise in EXERCISES:
        ok = exercise.id in passed and status == "graded"
        outcome = "passed" if ok else ("timeout" if exercise.id in timeouts else "failed")
        test = {
            "id": f"test_{exercise.module}::test_{exercise.id}_values",
            "title": f"{exercise.id} gives the right values",
            "titles": {
                "en": f"{exercise.id} gives the right values",
                "fr": f"{exercise.id} donne les bonnes valeurs",
            },
            "outcome": outcome,
            "points": float(exercise.points) if ok else 0.0,
            "max_points": float(exercise.points),
            "functions": list(exercise.functions),
            "message": "" if ok else f"`{exercise.functions[0]}` is wrong <script>x</script>",
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
        "message": "Nothing in the submission could be graded." if status == "load_failed" else "",
        "score": sum(exercise["score"] for exercise in exercises),
        "max_score": float(sum(exercise.points for exercise in EXERCISES)),
        "lang": lang,
        "submission": {
            "name": f"{student}.zip",
            "kind": "zip",
            "sha256": sha256,
            "files": [],
            "modules": {},
            "problems": list(problems),
        },
        "exercises": exercises,
        "isolation": {"layers": {}, "limits": dict(limits or {}), "notes": []},
        "output": {"stdout": "", "stderr": "", "truncated": False},
        "timing": {
            "started": "2024-01-01T00:00:00Z",
            "finished": "2024-01-01T00:00:03Z",
            "wall_seconds": wall_seconds,
            "cpu_seconds": 1.0,
            "worker_starts": 1,
        },
    } | ({"fingerprint": fingerprint} if fingerprint is not None else {})


def make_result(student: str, passed: set[str], **options: Any) -> Result:
    """`make_document`'s document, parsed as the exports read it."""
    return parse_result(make_document(student, passed, **options))
