"""The result document (docs/result-schema.md, schema ``nngrade.result/1``) as typed objects.

`parse_result` (grader.result.parsing) reads a document into a `Result` once; the report,
the exports, the batch and the nbgrader bridge read attributes, never string keys. The
engine builds its document through the same types, and ``to_json()`` gives back exactly
the JSON object that is written (`parse_result(r.to_json()) == r`).

Numbers are floats (or ints where the document holds ints); a non-finite value of a
student's, written as the string ``"nan"``, ``"inf"`` or ``"-inf"`` in the document, is a
float here and is written back as that string.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

SCHEMA = "nngrade.result/1"
SCHEMA_NAME, SCHEMA_MAJOR = "nngrade.result", 1

STATUSES = ("graded", "load_failed", "internal_error")
OUTCOMES = ("passed", "failed", "error", "timeout", "crashed", "skipped")
KINDS = ("folder", "zip", "notebook", "other")

JsonObject = dict[str, Any]
Texts = Mapping[str, str]
"""One sentence in every language: ``{"en": ..., "fr": ...}``."""


def in_lang(texts: Texts, lang: str) -> str:
    """`texts` in `lang`, else in English, else empty."""
    return texts.get(lang) or texts.get("en") or ""


def json_number(value: float) -> float | str:
    """A number as the document writes it: non-finite values as strings."""
    if isinstance(value, float) and not math.isfinite(value):
        return "nan" if math.isnan(value) else ("inf" if value > 0 else "-inf")
    return value


@dataclass(frozen=True)
class Problem:
    """Something of the submission that was refused, and why (`submission.problems[]`)."""

    path: str
    line: int | None
    code: str
    message: str
    messages: Texts

    def to_json(self) -> JsonObject:
        return {
            "path": self.path,
            "line": self.line,
            "code": self.code,
            "message": self.message,
            "messages": dict(self.messages),
        }


@dataclass(frozen=True)
class GradedFile:
    """A file that was graded (`submission.files[]`)."""

    path: str
    sha256: str
    bytes: int

    def to_json(self) -> JsonObject:
        return {"path": self.path, "sha256": self.sha256, "bytes": self.bytes}


@dataclass(frozen=True)
class Submission:
    """What was graded.

    Attributes:
        name: the entry's file or folder name, e.g. ``alice.zip``.
        kind: ``folder``, ``zip``, ``notebook`` or ``other``.
        sha256: hash of the normalised sources.
        files: every file that was graded.
        modules: module -> ``loaded``, ``missing``, ``refused``, ``syntax_error``...
        problems: what was refused and why.
    """

    name: str
    kind: str
    sha256: str
    files: tuple[GradedFile, ...]
    modules: Mapping[str, str]
    problems: tuple[Problem, ...]

    def to_json(self) -> JsonObject:
        return {
            "name": self.name,
            "kind": self.kind,
            "sha256": self.sha256,
            "files": [found.to_json() for found in self.files],
            "modules": dict(self.modules),
            "problems": [problem.to_json() for problem in self.problems],
        }


@dataclass(frozen=True)
class WorstEntry:
    """One of the entries of an array furthest from the expected values; `expected` is
    None where any finite value was (evidence of kind ``not_finite``)."""

    index: tuple[int, ...]
    got: float
    expected: float | None = None

    def to_json(self) -> JsonObject:
        found: JsonObject = {"index": list(self.index), "got": json_number(self.got)}
        if self.expected is not None:
            found["expected"] = json_number(self.expected)
        return found


@dataclass(frozen=True)
class Tolerance:
    """Entrywise ``|got - expected| <= atol + rtol·|expected|``."""

    rtol: float
    atol: float

    def to_json(self) -> JsonObject:
        return {"rtol": json_number(self.rtol), "atol": json_number(self.atol)}


@dataclass(frozen=True)
class Diagnosis:
    """What kind of mistake a failure looks like: a code and a sentence per language."""

    code: str
    texts: Texts

    def text(self, lang: str) -> str:
        return in_lang(self.texts, lang)

    def to_json(self) -> JsonObject:
        return {**self.texts, "code": self.code}


@dataclass(frozen=True)
class Curve:
    """An activation's values, the student's and the expected, sampled over `z`."""

    function: str
    z: tuple[float, ...]
    got: tuple[float, ...]
    expected: tuple[float, ...]

    def to_json(self) -> JsonObject:
        return {
            "function": self.function,
            "z": [json_number(v) for v in self.z],
            "got": [json_number(v) for v in self.got],
            "expected": [json_number(v) for v in self.expected],
        }


@dataclass(frozen=True)
class RaisedException:
    """An exception the student's code raised: its type, message and traceback (capped)."""

    type: str
    message: str
    traceback: str

    def to_json(self) -> JsonObject:
        return {"type": self.type, "message": self.message, "traceback": self.traceback}


@dataclass(frozen=True)
class Evidence:
    """What a failed test found, for the report: every field but `kind` is optional.

    `extra` keeps the fields a hidden check added beyond the schema's, as they were.
    """

    kind: str
    module: str | None = None
    module_status: str | None = None
    function: str | None = None
    array: str | None = None
    call: str | None = None
    expected_shape: tuple[int, ...] | None = None
    got_shape: tuple[int, ...] | None = None
    expected_dtype: str | None = None
    got_dtype: str | None = None
    got_type: str | None = None
    worst: tuple[WorstEntry, ...] | None = None
    max_abs_error: float | None = None
    max_rel_error: float | None = None
    tolerance: Tolerance | None = None
    diagnosis: Diagnosis | None = None
    curve: Curve | None = None
    exception: RaisedException | None = None
    seconds: float | None = None
    extra: Mapping[str, Any] = field(default_factory=dict)

    def to_json(self) -> JsonObject:
        found: JsonObject = dict(self.extra)
        found["kind"] = self.kind
        for name in _PLAIN_EVIDENCE:
            value = getattr(self, name)
            if value is not None:
                found[name] = value
        for name in ("expected_shape", "got_shape"):
            shape = getattr(self, name)
            if shape is not None:
                found[name] = list(shape)
        for name in ("max_abs_error", "max_rel_error", "seconds"):
            number = getattr(self, name)
            if number is not None:
                found[name] = json_number(number)
        if self.worst is not None:
            found["worst"] = [entry.to_json() for entry in self.worst]
        for name in ("tolerance", "diagnosis", "curve", "exception"):
            part = getattr(self, name)
            if part is not None:
                found[name] = part.to_json()
        return found


_PLAIN_EVIDENCE = (
    "module",
    "module_status",
    "function",
    "array",
    "call",
    "expected_dtype",
    "got_dtype",
    "got_type",
)


@dataclass(frozen=True)
class TestResult:
    """One hidden test (`exercises[].tests[]`).

    Attributes:
        id: ``<suite file stem>::<test name>[<param>]``.
        title, titles: what the test checks, in the document's language and in every one.
        outcome: ``passed``, ``failed``, ``error``, ``timeout``, ``crashed`` or ``skipped``.
        points, max_points: points obtained (all or nothing) and possible.
        functions: the student functions the test called, sorted.
        message, messages: what is wrong and what to do; empty when passed.
        evidence: for the report; None when passed.
        substituted: the contract functions, known wrong from their own tests, that the
            grader answered with correct values when the student's code called them during
            this test (a bug costs once); None in a document older than that.
    """

    __test__ = False  # not a pytest test class, despite its name

    id: str
    title: str
    titles: Texts
    outcome: str
    points: float
    max_points: float
    functions: tuple[str, ...]
    message: str
    messages: Texts
    evidence: Evidence | None
    substituted: tuple[str, ...] | None = None

    @property
    def passed(self) -> bool:
        return self.outcome == "passed"

    def title_in(self, lang: str) -> str:
        """The title in `lang` (the document's own when `lang` is missing)."""
        return self.titles.get(lang) or self.title

    def message_in(self, lang: str) -> str:
        """The message in `lang` (the document's own when `lang` is missing)."""
        return self.messages.get(lang) or self.message

    def to_json(self) -> JsonObject:
        return {
            "id": self.id,
            "title": self.title,
            "titles": dict(self.titles),
            "outcome": self.outcome,
            "points": self.points,
            "max_points": self.max_points,
            "functions": list(self.functions),
            "message": self.message,
            "messages": dict(self.messages),
            "evidence": self.evidence.to_json() if self.evidence is not None else None,
            **({"substituted": list(self.substituted)} if self.substituted is not None else {}),
        }


@dataclass(frozen=True)
class ExerciseResult:
    """One catalog exercise (`exercises[]`): its score and its tests, in suite order."""

    id: str
    module: str
    functions: tuple[str, ...]
    score: float
    max_score: float
    tests: tuple[TestResult, ...]

    @property
    def failures(self) -> tuple[TestResult, ...]:
        return tuple(test for test in self.tests if not test.passed)

    def to_json(self) -> JsonObject:
        return {
            "id": self.id,
            "module": self.module,
            "functions": list(self.functions),
            "score": self.score,
            "max_score": self.max_score,
            "tests": [test.to_json() for test in self.tests],
        }


@dataclass(frozen=True)
class Isolation:
    """The sandbox layers (name -> active), the limits in force, how the workers were
    isolated and why a layer is off, and whether the grading ran without the sandbox
    (`--unsafe-no-sandbox`; None in a document older than that option).

    `notes` are in English; `note_messages` holds the same notes in every language, one
    per note in the same order (None in a document older than it, which has `notes` only).
    """

    layers: Mapping[str, bool]
    limits: Mapping[str, float]
    notes: tuple[str, ...]
    unsafe: bool | None = None
    note_messages: tuple[Texts, ...] | None = None

    def notes_in(self, lang: str) -> tuple[str, ...]:
        """The notes in `lang`: each one's sentence in `lang` where the document has it,
        else as `notes` writes it (English)."""
        if self.note_messages is None:
            return self.notes
        return tuple(
            texts.get(lang) or note
            for note, texts in zip(self.notes, self.note_messages, strict=True)
        )

    def to_json(self) -> JsonObject:
        found: JsonObject = {
            "layers": dict(self.layers),
            "limits": dict(self.limits),
            "notes": list(self.notes),
        }
        if self.note_messages is not None:
            found["note_messages"] = [dict(texts) for texts in self.note_messages]
        if self.unsafe is not None:
            found["unsafe"] = self.unsafe
        return found


@dataclass(frozen=True)
class Output:
    """What the student's code printed, capped."""

    stdout: str
    stderr: str
    truncated: bool

    def to_json(self) -> JsonObject:
        return {"stdout": self.stdout, "stderr": self.stderr, "truncated": self.truncated}


@dataclass(frozen=True)
class Timing:
    """When and how long: the only part of a document that differs between two gradings."""

    started: str
    finished: str
    wall_seconds: float
    cpu_seconds: float
    worker_starts: int

    def to_json(self) -> JsonObject:
        return {
            "started": self.started,
            "finished": self.finished,
            "wall_seconds": self.wall_seconds,
            "cpu_seconds": self.cpu_seconds,
            "worker_starts": self.worker_starts,
        }


@dataclass(frozen=True)
class Result:
    """A whole result document (docs/result-schema.md).

    Attributes:
        schema: ``nngrade.result/1``.
        grader_version: the grader that wrote it.
        student: the student id.
        status: ``graded``, ``load_failed`` or ``internal_error``.
        message: why, for ``load_failed`` and ``internal_error``; empty when graded.
        score, max_score: points obtained and possible.
        lang: the language of every `message`.
        submission, exercises, isolation, output, timing: as their types say.
        fingerprint: part -> hash of what decided the grade (`grader.engine.fingerprint`);
            None in documents of an nngrade that did not record it.
    """

    schema: str
    grader_version: str
    student: str
    status: str
    message: str
    score: float
    max_score: float
    lang: str
    submission: Submission
    exercises: tuple[ExerciseResult, ...]
    isolation: Isolation
    output: Output
    timing: Timing
    fingerprint: Mapping[str, str] | None = None

    @property
    def tests(self) -> tuple[TestResult, ...]:
        """Every test of every exercise, in document order."""
        return tuple(test for exercise in self.exercises for test in exercise.tests)

    @property
    def fraction(self) -> float:
        """The score as a fraction of the maximum (0 when nothing can be scored)."""
        return self.score / self.max_score if self.max_score > 0 else 0.0

    def unreadable_files(self) -> tuple[str, ...]:
        """The submission's files that could not be read (its ``unreadable`` problems: no
        permission, not a regular file, an encrypted or corrupt entry): graded as absent."""
        return tuple(
            problem.path for problem in self.submission.problems if problem.code == "unreadable"
        )

    def has_timeout(self) -> bool:
        """Whether a test or a module import of the submission ran out of time."""
        return any(test.outcome == "timeout" for test in self.tests) or (
            "import_timeout" in self.submission.modules.values()
        )

    def to_json(self) -> JsonObject:
        found: JsonObject = {
            "schema": self.schema,
            "grader_version": self.grader_version,
            "student": self.student,
            "status": self.status,
            "message": self.message,
            "score": self.score,
            "max_score": self.max_score,
            "lang": self.lang,
            "submission": self.submission.to_json(),
            "exercises": [exercise.to_json() for exercise in self.exercises],
            "isolation": self.isolation.to_json(),
            "output": self.output.to_json(),
            "timing": self.timing.to_json(),
        }
        if self.fingerprint is not None:
            found["fingerprint"] = dict(self.fingerprint)
        return found
