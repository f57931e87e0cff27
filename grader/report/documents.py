"""Reading a results folder for the reports: one entry per student folder, read or not.

Documents are read with `grader.result.ResultReader`: strict about the schema and about
every field, because a wrong report is worse than none; a document that cannot be used
becomes an entry with the reason, naming the file. The folders are read one at a time, and
of each document only what the report needs is kept: a class of any size fits in memory.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Generic, TypeVar

from grader.result import (
    Reading,
    Result,
    ResultDocumentError,
    ResultReader,
    load_result,
)

RESULT_FILE = "result.json"
Facts = TypeVar("Facts")

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
class StudentEntry(Generic[Facts]):
    """One student folder of a results directory, read or not.

    Attributes:
        folder: the folder's name (the student id used in file names and links).
        reading: what was read of its result, or None when it could not be read.
        problem: why it could not be read (a sentence naming the file), or None.
        missing: True when the folder has no result.json at all.
    """

    folder: str
    reading: Reading[Facts] | None
    problem: str | None = None
    missing: bool = False


def is_student_folder_name(name: str) -> bool:
    """Whether a folder of this name holds a student: hidden folders and those starting with
    `_` (scratch space of the batch) do not."""
    return not name.startswith((".", "_"))


def student_folders(results_dir: Path) -> list[str]:
    """The names of the student folders of a results directory, sorted (names, not Paths:
    a class of 50,000 is listed in a few megabytes)."""
    with os.scandir(results_dir) as entries:
        return sorted(
            entry.name for entry in entries if entry.is_dir() and is_student_folder_name(entry.name)
        )


def read_class(
    results_dir: Path, extract: Callable[[Result], Facts], *, reader: ResultReader | None = None
) -> Iterator[StudentEntry[Facts]]:
    """Read every student folder, one at a time: what `extract` takes from its result, or
    why it could not be read (a missing or broken document becomes an entry with a problem).
    `reader` reuses what it read already (a batch's run).

    Problems name the file relative to `results_dir`, so that the summary does not depend on
    where the results folder lives.
    """
    reader = reader or ResultReader()
    for folder in student_folders(results_dir):
        path = results_dir / folder / RESULT_FILE
        name = f"{folder}/{RESULT_FILE}"
        if not path.exists():
            problem = f"{name} does not exist."
            yield StudentEntry(folder, None, problem, missing=True)
            continue
        try:
            yield StudentEntry(folder, reader.read(path, extract, name=name))
        except ResultDocumentError as error:
            yield StudentEntry(folder, None, str(error))
