"""Which submissions a run must grade, which existing results it can keep, and why.

A result is kept only when it is a complete, valid document of the current schema for the
same student, not a record of an internal error, graded from sources with the same content
hash by the same grader version, and with the same fingerprint of everything that decides
a grade (`grader.fingerprint`: the hidden suites, the exercise specs, the reference, the
grading code, the limits). Anything else is graded again, and the plan says why, in words
an instructor can act on ("the hidden suites changed"). ``force`` grades everything again.

The content hash means loading the submission (reading, normalising and parsing every
module). Like git's index, `ContentHashes` remembers it across runs, in
``RESULTS/.nngrade-content-hashes.json``, against what the file system says of the entry:
the name, type, size, modification and change times and inode of each of its files and
folders. A rerun loads only the submissions whose entry changed since. An entry changed less
than `RECENT_SECONDS` before it was looked at is not remembered (a second change within the
file system's clock tick could keep its times), nor is anything when nngrade's code changed.
"""

from __future__ import annotations

import functools
import hashlib
import json
import os
import stat
import time
from collections import Counter
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from grader.atomic import write_chunks_atomic
from grader.batch.backend import GradingBackend
from grader.batch.discovery import Submission
from grader.fingerprint import changes, package_fingerprint
from grader.i18n import Text
from grader.result import Result, ResultDocumentError, ResultReader, load_result, parse_result

RESULT_FILE = "result.json"
KEPT_STATUSES = frozenset({"graded", "load_failed"})
NEW = Text("not graded yet")
FORCED = Text("asked for with --force")
ONLY = Text("asked for with --only")
HASHES_FILE = ".nngrade-content-hashes.json"
RECENT_SECONDS = 1.0
MAX_ENTRY_FILES = 2000  # a bigger entry (a virtualenv handed in...) is loaded every time


@dataclass(frozen=True)
class Plan:
    """The submissions to grade now and those whose result is up to date.

    Attributes:
        to_grade, up_to_date: the submissions, in discovery order.
        reasons: student -> why their submission is graded now (`NEW` for a first grading).
    """

    to_grade: tuple[Submission, ...]
    up_to_date: tuple[Submission, ...]
    reasons: Mapping[str, Text] = field(default_factory=dict)

    def regrading(self) -> dict[Text, int]:
        """Why results are graded again -> how many: first gradings are not counted."""
        return dict(Counter(why for why in self.reasons.values() if why != NEW))


def entry_signature(path: Path, *, now: float | None = None) -> str | None:
    """What the file system says of a submission entry and everything under it, as a hash;
    None when it cannot be told (unreadable, too many files, or changed too recently)."""
    now = time.time() if now is None else now
    records = []
    top = os.fspath(path)
    try:
        pending = [top]  # strings, not Paths: a class of 50,000 has a million files
        while pending:
            current = pending.pop()
            info = os.lstat(current)
            if max(info.st_mtime, info.st_ctime) > now - RECENT_SECONDS:
                return None
            records.append(
                [
                    os.path.relpath(current, top),
                    stat.S_IFMT(info.st_mode),
                    info.st_size,
                    info.st_mtime_ns,
                    info.st_ctime_ns,
                    info.st_ino,
                ]
            )
            if stat.S_ISDIR(info.st_mode):
                pending += [entry.path for entry in os.scandir(current)]
            if len(records) > MAX_ENTRY_FILES:
                return None
    except OSError:
        return None
    records.sort()
    return hashlib.sha256(json.dumps(records).encode("utf-8")).hexdigest()


@dataclass
class ContentHashes:
    """The content hashes of a class's submissions, remembered across runs (see above).

    Attributes:
        path: the file that keeps them.
        key: the grader they were computed by (version, hash function, code).
        known: student -> (signature, sha256) read from `path`, updated by this run.
        signatures: student -> the signature of their entry as this run first saw it.
    """

    path: Path
    key: str
    known: dict[str, tuple[str, str]] = field(default_factory=dict)
    signatures: dict[str, str | None] = field(default_factory=dict)

    @classmethod
    def load(cls, results: Path, backend: GradingBackend) -> ContentHashes:
        """The hashes kept in `results` by a run of the same grader (none otherwise)."""
        function = backend.content_hash
        key = "\n".join(
            [
                backend.version,
                f"{function.__module__}.{getattr(function, '__qualname__', '')}",
                package_fingerprint(),
            ]
        )
        hashes = cls(results / HASHES_FILE, key)
        try:
            kept = json.loads(hashes.path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return hashes
        if isinstance(kept, dict) and kept.get("key") == key:
            students = kept.get("students")
            if isinstance(students, dict):
                hashes.known = {
                    student: (entry["signature"], entry["sha256"])
                    for student, entry in students.items()
                    if isinstance(entry, dict)
                    and isinstance(entry.get("signature"), str)
                    and isinstance(entry.get("sha256"), str)
                }
        return hashes

    def signature(self, submission: Submission) -> str | None:
        """The signature of `submission`'s entry, taken once per run (before it is graded)."""
        student = submission.student
        if student not in self.signatures:
            signature = entry_signature(submission.path)
            known = self.known.get(student)
            if known is not None and known[0] == signature:
                signature = known[0]  # one string for both, in a class of any size
            self.signatures[student] = signature
        return self.signatures[student]

    def content_hash(self, submission: Submission, backend: GradingBackend) -> str | None:
        """The submission's content hash: remembered if its entry did not change, else
        computed (and remembered)."""
        signature = self.signature(submission)
        known = self.known.get(submission.student)
        if signature is not None and known is not None and known[0] == signature:
            return known[1]
        sha256 = backend.content_hash(submission.path)
        self.remember(submission, sha256)
        return sha256

    def remember(self, submission: Submission, sha256: str | None) -> None:
        """Remember `sha256` for the entry as this run first saw it (a result graded from
        it records the hash of what was graded)."""
        signature = self.signature(submission)
        if signature is None or not sha256:
            self.known.pop(submission.student, None)
        else:
            self.known[submission.student] = (signature, sha256)

    def save(self) -> None:
        """Keep the hashes for the next run (nothing is written when nothing changed)."""
        write_chunks_atomic(self.path, self._chunks, skip_unchanged=True, durable=False)

    def _chunks(self) -> Iterator[str]:
        """The file's text, ``{"key": ..., "students": {student: {"sha256", "signature"}}}``
        as JSON with sorted keys and no indent, a student at a time: for a class of 50,000,
        a document of dicts built whole would take megabytes."""
        dumps = json.dumps
        yield '{\n"key": ' + dumps(self.key) + ',\n"students": {'
        separator = "\n"
        for student in sorted(self.known):
            signature, sha256 = self.known[student]
            yield (
                f'{separator}{dumps(student)}: {{\n"sha256": {dumps(sha256)},'
                f'\n"signature": {dumps(signature)}\n}}'
            )
            separator = ",\n"
        yield ("\n}" if self.known else "}") + "\n}\n"


def result_path(results: Path, student: str) -> Path:
    """Where the result document of `student` lives: ``RESULTS/<student>/result.json``."""
    return results / student / RESULT_FILE


def read_result(
    path: Path, student: str | None = None, *, reader: ResultReader | None = None
) -> Result | None:
    """The result at `path` if it is a complete document of the current schema (for
    `student` when given), else None; `reader` reuses what it parsed already."""
    try:
        result = load_result(path) if reader is None else reader.load(path)[0]
    except ResultDocumentError:
        return None
    return result if student is None or result.student == student else None


def decoded_result(data: bytes, student: str | None = None) -> Result | None:
    """The result encoded in `data` (UTF-8 JSON) if it is a complete document of the current
    schema (for `student` when given), else None: `read_result` for a document that has not
    been written yet (one that came from a cluster's worker)."""
    try:
        result = parse_result(json.loads(data.decode("utf-8")))
    except (UnicodeDecodeError, ValueError, ResultDocumentError):
        return None
    return result if student is None or result.student == student else None


def plan_grading(
    submissions: tuple[Submission, ...],
    results: Path,
    backend: GradingBackend,
    *,
    force: bool,
    limits: Any = None,
    hashes: ContentHashes | None = None,
    reader: ResultReader | None = None,
) -> Plan:
    """Split `submissions` into those to grade under `limits` and those whose result can be
    kept, saying why each is graded.

    `hashes` remembers content hashes across runs (default: computed every time); the
    signature of every submission is taken now, before any is graded. `reader` keeps the
    results it parses for the rest of the run.
    """
    fingerprint = backend.fingerprint(limits)
    figures = limits.as_dict() if limits is not None else None
    to_grade: list[Submission] = []
    up_to_date: list[Submission] = []
    reasons: dict[str, Text] = {}
    for submission in submissions:
        if hashes is not None:
            hashes.signature(submission)
        why = (
            FORCED
            if force
            else why_grade(submission, results, backend, fingerprint, figures, hashes, reader)
        )
        if why is None:
            up_to_date.append(submission)
        else:
            to_grade.append(submission)
            reasons[submission.student] = why
    return Plan(tuple(to_grade), tuple(up_to_date), reasons)


def why_grade(
    submission: Submission,
    results: Path,
    backend: GradingBackend,
    fingerprint: Mapping[str, str],
    limits: Mapping[str, Any] | None = None,
    hashes: ContentHashes | None = None,
    reader: ResultReader | None = None,
) -> Text | None:
    """Why `submission` must be graded now (in every language), or None when its result is
    up to date.

    `fingerprint` is what decides a grade now; `limits` the figures in force, to name the
    ones that changed (None: the change is only noticed); `hashes` the content hashes
    remembered from earlier runs.
    """
    path = result_path(results, submission.student)
    if not path.exists():
        return NEW
    result = read_result(path, submission.student, reader=reader)
    if result is None:
        return Text("its result.json cannot be read")
    if result.status not in KEPT_STATUSES:
        return Text("its last grading was an internal error")
    # What needs no loading first: the content hash means reading every module.
    if result.grader_version != backend.version:
        return Text(
            "nngrade changed (%(before)s -> %(now)s)",
            before=result.grader_version,
            now=backend.version,
        )
    if result.fingerprint is None:
        return Text("its result does not record what decided its grade (an older nngrade)")
    changed = changes(
        result.fingerprint,
        fingerprint,
        recorded_limits=result.isolation.limits,
        current_limits=limits,
    )
    if changed:
        return functools.reduce(
            lambda first, then: Text("%(first)s; %(then)s", first=first, then=then), changed
        )
    content = (
        hashes.content_hash(submission, backend)
        if hashes is not None
        else backend.content_hash(submission.path)
    )
    if not result.submission.sha256 or content != result.submission.sha256:
        return Text("the submission changed")
    return None
