"""The result document (docs/result-schema.md): build it from plain data, write it safely.

A document is built as a `Result`, and what is written is exactly ``Result.to_json()``: the
parts that come from outside our records are read with the result parser, so the grader
never writes a document that its own readers (the report, the exports, the batch) refuse.
"""

from __future__ import annotations

import json
import logging
import math
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np

import grader
from grader.atomic import write_text_atomic
from grader.catalog import EXERCISES, max_score
from grader.engine.recording import TestRecord
from grader.errors import INTERNAL
from grader.i18n import LANGUAGES, SOURCE_LANGUAGE, Text
from grader.loading import LoadedSubmission, Problem
from grader.result import (
    SCHEMA,
    Evidence,
    ExerciseResult,
    Result,
    ResultDocumentError,
    TestResult,
    parse_evidence,
    parse_isolation,
    parse_output,
    parse_submission,
    parse_timing,
)
from grader.sandbox.confine import LAYERS

LOG = logging.getLogger("grader.engine")
STRING_CAP = 16 * 1024
"""Longest string written (outputs are capped by the sandbox already; this is a backstop)."""


def plain(value: Any) -> Any:
    """`value` as finite, plain JSON data: non-finite floats become "nan", "inf", "-inf".

    numpy scalars and arrays become numbers and lists, tuples become lists, strings are
    capped, and anything else becomes a short string, so a student's odd value can never
    break the document.
    """
    if value is None or isinstance(value, bool):
        return value
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, int):
        return value
    if isinstance(value, float):
        if math.isnan(value):
            return "nan"
        if math.isinf(value):
            return "inf" if value > 0 else "-inf"
        return value
    if isinstance(value, str):
        return value[:STRING_CAP]
    if isinstance(value, np.ndarray):
        return plain(value.tolist())
    if isinstance(value, Mapping):
        return {str(key): plain(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [plain(item) for item in value]
    return repr(value)[:200]


def no_isolation(limits: Mapping[str, Any], note: Text) -> dict[str, Any]:
    """The `isolation` object of a grading that ran no student code; `note` says why."""
    return {
        "layers": dict.fromkeys(LAYERS, False),
        "limits": dict(limits),
        "notes": [note[SOURCE_LANGUAGE]],
        "note_messages": [dict(note)],
        "unsafe": False,
    }


def document_problem(found: Problem, lang: str) -> dict[str, Any]:
    """A loader or sandbox problem in the document's language."""
    messages = found.get("messages") or {code: found.get("message", "") for code in LANGUAGES}
    return {
        "path": found.get("path", ""),
        "line": found.get("line"),
        "code": found.get("code", ""),
        "message": messages.get(lang, messages.get("en", "")),
        "messages": dict(messages),
    }


def _round(points: float) -> float:
    return round(float(points), 4)


def exercise_results(records: Sequence[TestRecord], lang: str) -> tuple[ExerciseResult, ...]:
    """One entry per catalog exercise, in catalog order, with its tests in suite order."""
    entries = []
    for exercise in EXERCISES:
        tests = tuple(
            _test_result(record, lang) for record in records if record.exercise == exercise.id
        )
        entries.append(
            ExerciseResult(
                id=exercise.id,
                module=exercise.module,
                functions=tuple(exercise.functions),
                score=_round(sum(test.points for test in tests)),
                max_score=_round(exercise.points),
                tests=tests,
            )
        )
    return tuple(entries)


def _test_result(record: TestRecord, lang: str) -> TestResult:
    messages = {code: _cap(text) for code, text in record.messages.items()}
    return TestResult(
        id=record.id,
        title=record.title.get(lang, record.title["en"]),
        titles=dict(record.title),
        outcome=record.outcome,
        points=_round(record.points),
        max_points=_round(record.max_points),
        functions=tuple(record.functions),
        message=messages.get(lang, messages.get("en", "")),
        messages=messages,
        evidence=_evidence(record),
        substituted=tuple(record.substituted),
    )


def _cap(text: str) -> str:
    return text[:STRING_CAP]


def _evidence(record: TestRecord) -> Evidence | None:
    """The record's evidence, plain and of the schema's types.

    A hidden check's evidence with a field of the wrong type is a bug of ours: it is
    logged, and the student sees an internal error for that test, not a broken document.
    """
    if record.evidence is None:
        return None
    try:
        return parse_evidence(plain(record.evidence), where=f"the evidence of {record.id}")
    except ResultDocumentError:
        INTERNAL.exception("A hidden test wrote evidence the result schema refuses.")
        return Evidence(kind="internal_error")


def build_result(
    *,
    loaded: LoadedSubmission,
    student: str,
    lang: str,
    status: str,
    message: Mapping[str, str],
    records: Sequence[TestRecord],
    modules: Mapping[str, str],
    problems: Sequence[Problem],
    isolation: Mapping[str, Any],
    output: Mapping[str, Any],
    timing: Mapping[str, Any],
    fingerprint: Mapping[str, str],
) -> Result:
    """The result of one grading, every value plain and finite.

    Our own records become typed objects directly; what came from elsewhere (the
    submission's files and problems, the sandbox's figures, the evidence of the checks)
    is made plain, then read with the result parser, which checks its types.
    """
    exercises = exercise_results(records, lang)
    source = f"the result document of {student}"
    submission = {
        "name": loaded.name,
        "kind": loaded.kind,
        "sha256": loaded.sha256,
        "files": [dict(record) for record in loaded.files],
        "modules": dict(modules),
        "problems": [document_problem(found, lang) for found in problems],
    }
    return Result(
        schema=SCHEMA,
        grader_version=grader.__version__,
        student=_cap(student),
        status=status,
        message=_cap(message.get(lang, message.get("en", ""))),
        score=_round(sum(exercise.score for exercise in exercises)),
        max_score=_round(max_score()),
        lang=lang,
        submission=parse_submission(plain(submission), source=source),
        exercises=exercises,
        isolation=parse_isolation(plain(isolation), source=source),
        output=parse_output(plain(output), source=source),
        timing=parse_timing(plain(timing), source=source),
        fingerprint=dict(fingerprint),
    )


def dumps(document: Mapping[str, Any]) -> str:
    """The document as written to disk: UTF-8 JSON, keys sorted, 2-space indent."""
    return (
        json.dumps(document, sort_keys=True, indent=2, ensure_ascii=False, allow_nan=False) + "\n"
    )


def write_result(document: Mapping[str, Any], path: Path) -> Path:
    """Write `document` to `path` atomically: a reader sees the old file or the new, whole.

    Creates the parent folder if needed. Returns `path`.
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    write_text_atomic(path, dumps(document))
    return path
