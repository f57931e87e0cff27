"""Write every class file into RESULTS, each atomically.

``grades.csv``, ``moodle.csv``, ``canvas.csv``, ``summary.json`` at the top, from the class's
rows; a Gradescope ``results.json`` beside each student's ``result.json``, from the document
itself, while the batch reads it (the rows keep only the facts they need of it). A run
killed while writing leaves each file either as it was or complete; a file that would not
change is not written again (a rerun over the same results writes nothing).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from grader.atomic import holds_digest, write_json_atomic, write_text_atomic
from grader.exports.canvas import DEFAULT_ASSIGNMENT, canvas_csv
from grader.exports.grades_csv import grades_csv
from grader.exports.gradescope import gradescope_results
from grader.exports.moodle import moodle_csv
from grader.exports.rows import ResultFacts, StudentRow
from grader.exports.student_map import StudentMap
from grader.exports.summary import class_summary
from grader.result import Result

CLASS_FILES = ("grades.csv", "moodle.csv", "canvas.csv", "summary.json")
GRADESCOPE_FILE = "results.json"


@dataclass(frozen=True)
class ExportOptions:
    """Choices for the gradebook files.

    Attributes:
        student_map: gradebook identities of the submission ids (None: the ids themselves).
        assignment_name: the Canvas assignment column's name.
        canvas_assignment_id: the Canvas assignment id (None: Canvas creates an assignment).
    """

    student_map: StudentMap | None = None
    assignment_name: str = DEFAULT_ASSIGNMENT
    canvas_assignment_id: str | None = None


@dataclass(frozen=True)
class WrittenFiles:
    """What was written, and who the LMS files leave out (student -> why)."""

    paths: tuple[Path, ...]
    moodle_left_out: dict[str, str] = field(default_factory=dict)
    canvas_left_out: dict[str, str] = field(default_factory=dict)


def write_class_files(
    results: Path,
    rows: Sequence[StudentRow],
    *,
    grader_version: str,
    options: ExportOptions | None = None,
    ignored: Sequence[tuple[str, str]] = (),
) -> WrittenFiles:
    """Write the class files of `rows` into `results` and return them (each written now, or
    left as it was when it already held the same bytes). The Gradescope files are written
    with `write_gradescope_file`, as each result is read."""
    options = options or ExportOptions()
    # Each file is written as soon as it is made, and dropped: a class of 50,000 never
    # holds two of them at once.
    write_text_atomic(results / "grades.csv", grades_csv(rows), skip_unchanged=True)
    moodle = moodle_csv(rows, options.student_map)
    write_text_atomic(results / "moodle.csv", moodle.text, skip_unchanged=True)
    moodle_left_out = moodle.left_out
    del moodle
    canvas = canvas_csv(
        rows,
        options.student_map,
        assignment=options.assignment_name,
        canvas_id=options.canvas_assignment_id,
    )
    write_text_atomic(results / "canvas.csv", canvas.text, skip_unchanged=True)
    canvas_left_out = canvas.left_out
    del canvas
    # summary.json last: its presence says the class files of this run are all written.
    summary = class_summary(rows, grader_version=grader_version, ignored=ignored)
    write_json_atomic(results / "summary.json", summary, skip_unchanged=True)
    written = tuple(results / name for name in CLASS_FILES)
    return WrittenFiles(written, moodle_left_out, canvas_left_out)


def write_gradescope_file(folder: Path, result: Result) -> Path:
    """Write the Gradescope ``results.json`` of `result` into `folder` (its student's folder,
    beside ``result.json``) unless it holds these bytes already; the file."""
    path = folder / GRADESCOPE_FILE
    write_json_atomic(path, gradescope_results(result), skip_unchanged=True)
    return path


def gradescope_file_is_current(folder: Path, facts: ResultFacts) -> bool:
    """Whether `folder` holds the Gradescope file of the result `facts` were taken from."""
    return holds_digest(folder / GRADESCOPE_FILE, facts.gradescope_sha256)
