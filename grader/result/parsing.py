"""Reading a result document into a `Result`, once, with errors that name the field.

`parse_result` checks every field it reads against docs/result-schema.md: a value of the
wrong type is refused with a sentence naming the file and the field
(``alice/result.json: exercises[2].tests[0].points must be a number, not 'x'.``), because a
report built from a wrong document is worse than none. Fields it does not know are ignored
(a later minor version may add some), except in `evidence`, where they are kept.
"""

from __future__ import annotations

import functools
import hashlib
import json
import math
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Generic, TypeVar, cast

from grader.errors import NngradeError
from grader.result.model import (
    KINDS,
    OUTCOMES,
    SCHEMA_MAJOR,
    SCHEMA_NAME,
    STATUSES,
    Curve,
    Diagnosis,
    Evidence,
    ExerciseResult,
    GradedFile,
    Isolation,
    Output,
    Problem,
    RaisedException,
    Result,
    Submission,
    TestResult,
    Texts,
    Timing,
    Tolerance,
    WorstEntry,
)

T = TypeVar("T")
NON_FINITE = {"nan": math.nan, "inf": math.inf, "-inf": -math.inf}


class ResultDocumentError(NngradeError):
    """A result document cannot be used (missing, not JSON, wrong schema, a wrong field)."""


class _Fields:
    """The fields of one JSON object of a document, read with their types checked."""

    def __init__(self, data: object, where: str, source: str) -> None:
        if not isinstance(data, dict):
            raise _error(source, where, "must be an object", data)
        self.data: dict[str, Any] = data
        self.where = where
        self.source = source

    def _path(self, key: str) -> str:
        return f"{self.where}.{key}" if self.where else key

    def _value(self, key: str) -> Any:
        if key not in self.data:
            raise ResultDocumentError(f"{self.source}: {self._path(key)} is missing.")
        return self.data[key]

    def string(self, key: str) -> str:
        return _string(self._value(key), self._path(key), self.source)

    def optional_string(self, key: str) -> str | None:
        return None if self.data.get(key) is None else self.string(key)

    def choice(self, key: str, allowed: tuple[str, ...]) -> str:
        value = self.string(key)
        if value not in allowed:
            raise _error(
                self.source, self._path(key), f"must be one of {', '.join(allowed)}", value
            )
        return value

    def number(self, key: str) -> float:
        return _number(self._value(key), self._path(key), self.source)

    def optional_number(self, key: str) -> float | None:
        return None if self.data.get(key) is None else self.number(key)

    def integer(self, key: str) -> int:
        return _integer(self._value(key), self._path(key), self.source)

    def boolean(self, key: str) -> bool:
        return _boolean(self._value(key), self._path(key), self.source)

    def texts(self, key: str) -> Texts:
        """An object of strings: ``{"en": ..., "fr": ...}``."""
        return self.mapping(key, _string)

    def mapping(self, key: str, read: Callable[[object, str, str], T]) -> dict[str, T]:
        value = self._value(key)
        if not isinstance(value, dict):
            raise _error(self.source, self._path(key), "must be an object", value)
        return {
            str(name): read(item, f"{self._path(key)}.{name}", self.source)
            for name, item in value.items()
        }

    def optional_mapping(
        self, key: str, read: Callable[[object, str, str], T]
    ) -> dict[str, T] | None:
        return None if self.data.get(key) is None else self.mapping(key, read)

    def items(self, key: str, read: Callable[[object, str, str], T]) -> tuple[T, ...]:
        value = self._value(key)
        if not isinstance(value, list):
            raise _error(self.source, self._path(key), "must be a list", value)
        return tuple(
            read(item, f"{self._path(key)}[{i}]", self.source) for i, item in enumerate(value)
        )

    def optional_items(
        self, key: str, read: Callable[[object, str, str], T]
    ) -> tuple[T, ...] | None:
        return None if self.data.get(key) is None else self.items(key, read)

    def part(self, key: str, read: Callable[[object, str, str], T]) -> T:
        return read(self._value(key), self._path(key), self.source)

    def optional_part(self, key: str, read: Callable[[object, str, str], T]) -> T | None:
        return None if self.data.get(key) is None else self.part(key, read)


def _error(source: str, where: str, expected: str, found: object) -> ResultDocumentError:
    shown = repr(found)
    shown = shown if len(shown) <= 60 else shown[:57] + "..."
    return ResultDocumentError(f"{source}: {where or 'the document'} {expected}, not {shown}.")


def _number(value: object, where: str, source: str) -> float:
    if isinstance(value, int | float) and not isinstance(value, bool):
        return value
    if isinstance(value, str) and value in NON_FINITE:
        return NON_FINITE[value]
    raise _error(source, where, "must be a number", value)


def _string(value: object, where: str, source: str) -> str:
    if not isinstance(value, str):
        raise _error(source, where, "must be a string", value)
    return value


def _integer(value: object, where: str, source: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise _error(source, where, "must be an integer", value)
    return value


def _boolean(value: object, where: str, source: str) -> bool:
    if not isinstance(value, bool):
        raise _error(source, where, "must be true or false", value)
    return value


def _texts(value: object, where: str, source: str) -> Texts:
    """One sentence in every language: ``{"en": ..., "fr": ...}``."""
    if not isinstance(value, dict):
        raise _error(source, where, "must be an object", value)
    return {str(lang): _string(text, f"{where}.{lang}", source) for lang, text in value.items()}


def _problem(data: object, where: str, source: str) -> Problem:
    fields = _Fields(data, where, source)
    return Problem(
        path=fields.string("path"),
        line=None if fields.data.get("line") is None else fields.integer("line"),
        code=fields.string("code"),
        message=fields.string("message"),
        messages=fields.texts("messages"),
    )


def _graded_file(data: object, where: str, source: str) -> GradedFile:
    fields = _Fields(data, where, source)
    return GradedFile(fields.string("path"), fields.string("sha256"), fields.integer("bytes"))


def parse_submission(
    data: object, where: str = "submission", source: str = "the result document"
) -> Submission:
    fields = _Fields(data, where, source)
    return Submission(
        name=fields.string("name"),
        kind=fields.choice("kind", KINDS),
        sha256=fields.string("sha256"),
        files=fields.items("files", _graded_file),
        modules=fields.mapping("modules", _string),
        problems=fields.items("problems", _problem),
    )


def _worst(data: object, where: str, source: str) -> WorstEntry:
    fields = _Fields(data, where, source)
    return WorstEntry(
        index=fields.items("index", _integer),
        got=fields.number("got"),
        expected=fields.optional_number("expected"),
    )


def _tolerance(data: object, where: str, source: str) -> Tolerance:
    fields = _Fields(data, where, source)
    return Tolerance(rtol=fields.number("rtol"), atol=fields.number("atol"))


def _diagnosis(data: object, where: str, source: str) -> Diagnosis:
    fields = _Fields(data, where, source)
    texts = {key: _string(value, f"{where}.{key}", source) for key, value in fields.data.items()}
    return Diagnosis(
        code=fields.string("code"), texts={k: v for k, v in texts.items() if k != "code"}
    )


def _curve(data: object, where: str, source: str) -> Curve:
    fields = _Fields(data, where, source)
    return Curve(
        function=fields.string("function"),
        z=fields.items("z", _number),
        got=fields.items("got", _number),
        expected=fields.items("expected", _number),
    )


def _exception(data: object, where: str, source: str) -> RaisedException:
    fields = _Fields(data, where, source)
    return RaisedException(
        type=fields.string("type"),
        message=fields.string("message"),
        traceback=fields.string("traceback"),
    )


_EVIDENCE_FIELDS = frozenset(
    {
        "kind",
        "module",
        "module_status",
        "function",
        "array",
        "call",
        "expected_shape",
        "got_shape",
        "expected_dtype",
        "got_dtype",
        "got_type",
        "worst",
        "max_abs_error",
        "max_rel_error",
        "tolerance",
        "diagnosis",
        "curve",
        "exception",
        "seconds",
    }
)


def parse_evidence(data: object, where: str = "evidence", source: str = "evidence") -> Evidence:
    """One test's `evidence` object."""
    fields = _Fields(data, where, source)
    return Evidence(
        kind=fields.string("kind"),
        module=fields.optional_string("module"),
        module_status=fields.optional_string("module_status"),
        function=fields.optional_string("function"),
        array=fields.optional_string("array"),
        call=fields.optional_string("call"),
        expected_shape=fields.optional_items("expected_shape", _integer),
        got_shape=fields.optional_items("got_shape", _integer),
        expected_dtype=fields.optional_string("expected_dtype"),
        got_dtype=fields.optional_string("got_dtype"),
        got_type=fields.optional_string("got_type"),
        worst=fields.optional_items("worst", _worst),
        max_abs_error=fields.optional_number("max_abs_error"),
        max_rel_error=fields.optional_number("max_rel_error"),
        tolerance=fields.optional_part("tolerance", _tolerance),
        diagnosis=fields.optional_part("diagnosis", _diagnosis),
        curve=fields.optional_part("curve", _curve),
        exception=fields.optional_part("exception", _exception),
        seconds=fields.optional_number("seconds"),
        extra={k: v for k, v in fields.data.items() if k not in _EVIDENCE_FIELDS},
    )


def _test(data: object, where: str, source: str) -> TestResult:
    fields = _Fields(data, where, source)
    return TestResult(
        id=fields.string("id"),
        title=fields.string("title"),
        titles=fields.texts("titles"),
        outcome=fields.choice("outcome", OUTCOMES),
        points=fields.number("points"),
        max_points=fields.number("max_points"),
        functions=fields.items("functions", _string),
        message=fields.string("message"),
        messages=fields.texts("messages"),
        evidence=fields.optional_part("evidence", parse_evidence),
        substituted=fields.items("substituted", _string) if "substituted" in fields.data else None,
    )


def _exercise(data: object, where: str, source: str) -> ExerciseResult:
    fields = _Fields(data, where, source)
    return ExerciseResult(
        id=fields.string("id"),
        module=fields.string("module"),
        functions=fields.items("functions", _string),
        score=fields.number("score"),
        max_score=fields.number("max_score"),
        tests=fields.items("tests", _test),
    )


def parse_isolation(
    data: object, where: str = "isolation", source: str = "the result document"
) -> Isolation:
    """The `isolation` object; `note_messages`, when present, must hold one ``{language:
    sentence}`` per note: a list of another length is refused, like any wrong field."""
    fields = _Fields(data, where, source)
    layers, limits = fields.mapping("layers", _boolean), fields.mapping("limits", _number)
    notes = fields.items("notes", _string)
    note_messages = fields.optional_items("note_messages", _texts)
    if note_messages is not None and len(note_messages) != len(notes):
        raise ResultDocumentError(
            f"{source}: {fields._path('note_messages')} must hold one entry per note of "
            f"{fields._path('notes')} ({len(notes)}), not {len(note_messages)}."
        )
    return Isolation(
        layers=layers,
        limits=limits,
        notes=notes,
        unsafe=fields.boolean("unsafe") if "unsafe" in fields.data else None,
        note_messages=note_messages,
    )


def parse_output(
    data: object, where: str = "output", source: str = "the result document"
) -> Output:
    fields = _Fields(data, where, source)
    return Output(
        stdout=fields.string("stdout"),
        stderr=fields.string("stderr"),
        truncated=fields.boolean("truncated"),
    )


def parse_timing(
    data: object, where: str = "timing", source: str = "the result document"
) -> Timing:
    fields = _Fields(data, where, source)
    return Timing(
        started=fields.string("started"),
        finished=fields.string("finished"),
        wall_seconds=fields.number("wall_seconds"),
        cpu_seconds=fields.number("cpu_seconds"),
        worker_starts=fields.integer("worker_starts"),
    )


def check_schema(data: object, source: str) -> Mapping[str, Any]:
    """`data` as a JSON object whose `schema` is one this nngrade reads (major version 1)."""
    if not isinstance(data, dict):
        raise ResultDocumentError(f"{source} is not a result document: expected a JSON object.")
    schema = data.get("schema")
    if not isinstance(schema, str) or "/" not in schema:
        raise ResultDocumentError(
            f"{source} has no valid `schema` field (found {schema!r}); "
            f"expected {SCHEMA_NAME}/{SCHEMA_MAJOR}."
        )
    name, _, version = schema.partition("/")
    if name != SCHEMA_NAME or version.split(".", 1)[0] != str(SCHEMA_MAJOR):
        raise ResultDocumentError(
            f"{source} uses schema {schema!r}, which this version of nngrade cannot read "
            f"(it reads {SCHEMA_NAME}/{SCHEMA_MAJOR}); upgrade nngrade or regrade the class."
        )
    return data


def parse_result(data: object, source: str = "the result document") -> Result:
    """The `Result` of a decoded JSON document; `source` names it in error messages.

    Raises `ResultDocumentError` for another schema or any field of the wrong type.
    """
    fields = _Fields(check_schema(data, source), "", source)
    return Result(
        schema=fields.string("schema"),
        grader_version=fields.string("grader_version"),
        student=fields.string("student"),
        status=fields.choice("status", STATUSES),
        message=fields.string("message"),
        score=fields.number("score"),
        max_score=fields.number("max_score"),
        lang=fields.string("lang"),
        submission=fields.part("submission", parse_submission),
        exercises=fields.items("exercises", _exercise),
        isolation=fields.part("isolation", parse_isolation),
        output=fields.part("output", parse_output),
        timing=fields.part("timing", parse_timing),
        fingerprint=fields.optional_mapping("fingerprint", _string),
    )


def load_result(path: Path, *, name: str | None = None) -> Result:
    """Read and parse the document at `path`; `name` is how messages call it (default: path)."""
    return load_result_and_digest(path, name=name)[0]


def load_result_and_digest(path: Path, *, name: str | None = None) -> tuple[Result, str]:
    """`load_result`, and the SHA-256 of the text the document was read from (what a page
    made from it depends on)."""
    source = name or str(path)
    try:
        text = Path(path).read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ResultDocumentError(f"{source} does not exist.") from None
    except (OSError, UnicodeDecodeError) as error:
        raise ResultDocumentError(f"{source} cannot be read: {error}.") from None
    try:
        data = json.loads(text)
    except json.JSONDecodeError as error:
        raise ResultDocumentError(
            f"{source} is not valid JSON ({error.msg} at line {error.lineno}); "
            "the grading of this student was probably interrupted: grade it again."
        ) from None
    return parse_result(data, source), hashlib.sha256(text.encode("utf-8")).hexdigest()


Facts = TypeVar("Facts")
TupleT = TypeVar("TupleT", bound=tuple[Any, ...])
Extract = Callable[[Result], Any]


@functools.lru_cache(maxsize=256)
def _first_of(items: tuple[Any, ...]) -> tuple[Any, ...]:
    return items


def shared(items: TupleT) -> TupleT:
    """`items`, or the equal tuple this process made before (of the last 256 kinds): the
    facts of a class's results hold one tuple of test ids between them, not one each."""
    return cast(TupleT, _first_of(items))


@functools.lru_cache(maxsize=1024, typed=True)
def _first_number(value: float) -> float:
    return value


def shared_number(value: float) -> float:
    """`value` as a float, or the equal float this process made before (of the last 1024):
    a class's points take a few values, which the facts of its results hold once."""
    return _first_number(float(value))


@dataclass
class Reading(Generic[Facts]):
    """What a `ResultReader` read of one document: the facts an extractor took from it, the
    SHA-256 of its text, and the whole document on demand.

    Attributes:
        facts: what the extractor took from the document.
        digest: the SHA-256 of the document's text (what a page made from it depends on).
    """

    facts: Facts
    digest: str
    _document: Result | None
    _path: Path
    _name: str | None

    def document(self) -> Result:
        """The whole document: the one parsed for this reading, else parsed again."""
        if self._document is None:
            self._document = load_result(self._path, name=self._name)
        return self._document


class ResultReader:
    """Reads the result documents of one run, parsing each file once while it is unchanged
    and keeping of it only what the run needs.

    A batch reads a student's result when it plans, when it writes the class files and when
    it renders the summary. A parsed document takes about 90 KiB: kept for the run, a class
    of 50,000 would hold gigabytes. A reader keeps instead, for each file, its SHA-256 and
    what each extractor took from it when it was parsed (a few hundred bytes), keyed by the
    file's identity (inode, size, modification time), so that a document rewritten meanwhile
    (written atomically: a new inode) is read again. What it keeps lives as long as the
    reader: one per run, never shared between runs.
    """

    def __init__(self, extractors: Iterable[Extract] = ()) -> None:
        """`extractors` are applied to every document parsed, the ones `read` asks for added."""
        self._extractors: list[Extract] = list(extractors)
        # str(path) -> (identity, digest, facts in the order of `_extractors`): a class of
        # 50,000 keeps one such entry per student, so no Path and no dict per entry.
        self._known: dict[str, tuple[tuple[int, int, int], str, tuple[Any, ...]]] = {}

    def load(self, path: Path, *, name: str | None = None) -> tuple[Result, str]:
        """`load_result_and_digest`: the document is parsed, and what the extractors take
        from it kept."""
        path = Path(path)
        identity = _identity(path)
        result, digest = load_result_and_digest(path, name=name)
        if identity is not None:  # taken before the read: a later change is seen as one
            facts = tuple(extract(result) for extract in self._extractors)
            self._known[str(path)] = (identity, digest, facts)
        return result, digest

    def read(
        self, path: Path, extract: Callable[[Result], Facts], *, name: str | None = None
    ) -> Reading[Facts]:
        """What `extract` takes from the document at `path`: from memory when the file is
        the one parsed before, else parsed now.

        Raises:
            ResultDocumentError: the file is missing or is not a valid result document.
        """
        path = Path(path)
        if extract not in self._extractors:
            self._extractors.append(extract)
        index = self._extractors.index(extract)
        known = self._known.get(str(path))
        if known is not None and index < len(known[2]) and known[0] == _identity(path):
            return Reading(cast(Facts, known[2][index]), known[1], None, path, name)
        result, digest = self.load(path, name=name)
        kept = self._known.get(str(path))
        facts = kept[2][index] if kept is not None and kept[1] == digest else extract(result)
        return Reading(cast(Facts, facts), digest, result, path, name)


def _identity(path: Path) -> tuple[int, int, int] | None:
    try:
        stat = path.stat()
    except OSError:
        return None
    return (stat.st_ino, stat.st_size, stat.st_mtime_ns)
