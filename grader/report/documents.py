"""Reading a results folder for the reports: one entry per student folder, read or not.

Documents are read with `grader.result.load_result`: strict about the schema and about
every field, because a wrong report is worse than none; a document that cannot be used
becomes an entry with the reason, naming the file.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from grader.result import (
    Result,
    ResultDocumentError,
    ResultReader,
    load_result,
    load_result_and_digest,
)

RESULT_FILE = "result.json"

__all__ = [
    "RESULT_FILE",
    "ResultDocumentError",
    "StudentEntry",
    "is_student_folder_name",
    "load_result",
    "read_class",
    "student_folders",
]


@dataclass(frozen=True)
class StudentEntry:
    """One student folder of a results directory, read or not.

    Attributes:
        folder: the folder's name (the student id used in file names and links).
        result: the parsed document, or None when it could not be read.
        problem: why it could not be read (a sentence naming the file), or None.
        missing: True when the folder has no result.json at all.
        sha256: the SHA-256 of the document's text (what a page made from it depends on).
    """

    folder: str
    result: Result | None
    problem: str | None = None
    missing: bool = False
    sha256: str | None = None


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


def read_class(results_dir: Path, *, reader: ResultReader | None = None) -> list[StudentEntry]:
    """Read every student folder; a missing or broken document becomes an entry with a problem.
    `reader` reuses what it parsed already (a batch's run).

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
            if reader is None:
                result, digest = load_result_and_digest(path, name=name)
            else:
                result, digest = reader.load(path, name=name)
            entries.append(StudentEntry(folder.name, result, sha256=digest))
        except ResultDocumentError as error:
            entries.append(StudentEntry(folder.name, None, str(error)))
    return entries
