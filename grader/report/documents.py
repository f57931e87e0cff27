"""Reading result documents (`result.json`) for the reports.

Tolerant of optional fields (the reports use `.get` everywhere), strict about the schema:
a document of another major version is refused with a message naming the file, because
its fields may mean something else and a wrong report is worse than none.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from grader.errors import NngradeError

SCHEMA_NAME = "nngrade.result"
SCHEMA_MAJOR = 1
RESULT_FILE = "result.json"


class ResultDocumentError(NngradeError):
    """A result document cannot be used for a report (missing, not JSON, wrong schema)."""


@dataclass(frozen=True)
class StudentEntry:
    """One student folder of a results directory, read or not.

    Attributes:
        folder: the folder's name (the student id used in file names and links).
        result: the parsed document, or None when it could not be read.
        problem: why it could not be read (a sentence naming the file), or None.
        missing: True when the folder has no result.json at all.
        sha256: the SHA-256 of the document's text when it was read, else None.
    """

    folder: str
    result: dict[str, Any] | None
    problem: str | None = None
    missing: bool = False
    sha256: str | None = None


def check_schema(document: Any, source: str) -> dict[str, Any]:
    """Return `document` if it is a result document of a schema version we read.

    `source` names the file in error messages.
    """
    if not isinstance(document, dict):
        raise ResultDocumentError(f"{source} is not a result document: expected a JSON object.")
    schema = document.get("schema")
    if not isinstance(schema, str) or "/" not in schema:
        raise ResultDocumentError(
            f"{source} has no valid `schema` field (found {schema!r}); "
            f"expected {SCHEMA_NAME}/{SCHEMA_MAJOR}."
        )
    name, _, version = schema.partition("/")
    major = version.split(".", 1)[0]
    if name != SCHEMA_NAME or major != str(SCHEMA_MAJOR):
        raise ResultDocumentError(
            f"{source} uses schema {schema!r}, which this version of nngrade cannot read "
            f"(it reads {SCHEMA_NAME}/{SCHEMA_MAJOR}); upgrade nngrade or regrade the class."
        )
    return document


def load_result(path: Path, *, name: str | None = None) -> dict[str, Any]:
    """Read and check one result document; `name` is how messages call it (default: path)."""
    return load_result_and_digest(path, name=name)[0]


def load_result_and_digest(path: Path, *, name: str | None = None) -> tuple[dict[str, Any], str]:
    """`load_result`, and the SHA-256 of the text the document was read from (what a page
    made from it depends on)."""
    source = name or str(path)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ResultDocumentError(f"{source} does not exist.") from None
    except (OSError, UnicodeDecodeError) as error:
        raise ResultDocumentError(f"{source} cannot be read: {error}.") from None
    try:
        document = json.loads(text)
    except json.JSONDecodeError as error:
        raise ResultDocumentError(
            f"{source} is not valid JSON ({error.msg} at line {error.lineno}); "
            "the grading of this student was probably interrupted: grade it again."
        ) from None
    return check_schema(document, source), hashlib.sha256(text.encode("utf-8")).hexdigest()


def is_student_folder_name(name: str) -> bool:
    """Whether a folder of this name holds a student: hidden folders and those starting with
    `_` (scratch space of the batch) do not."""
    return not name.startswith((".", "_"))


def student_folders(results_dir: Path) -> list[Path]:
    """The student folders of a results directory, sorted by name."""
    return sorted(
        entry
        for entry in results_dir.iterdir()
        if entry.is_dir() and is_student_folder_name(entry.name)
    )


def read_class(results_dir: Path) -> list[StudentEntry]:
    """Read every student folder; a missing or broken document becomes an entry with a problem.

    Problems name the file relative to `results_dir`, so that the summary does not depend on
    where the results folder lives.
    """
    entries = []
    for folder in student_folders(results_dir):
        path = folder / RESULT_FILE
        name = f"{folder.name}/{RESULT_FILE}"
        if not path.exists():
            problem = f"{name} does not exist."
            entries.append(StudentEntry(folder.name, None, problem, missing=True))
            continue
        try:
            document, digest = load_result_and_digest(path, name=name)
            entries.append(StudentEntry(folder.name, document, sha256=digest))
        except ResultDocumentError as error:
            entries.append(StudentEntry(folder.name, None, str(error)))
    return entries
