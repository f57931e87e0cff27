"""`run_autograder`: grade the submission in an autograder's root, as Gradescope lays it out.

Gradescope runs ``/autograder/run_autograder`` once per submission, in a fresh container:
the zip is unpacked in ``/autograder/source``, the student's files are in
``/autograder/submission`` (an uploaded zip is usually unpacked there; a zip left whole is
graded as a zip) and ``/autograder/submission_metadata.json`` names the submitters. The
results go to ``/autograder/results/results.json``; beside it, ``result.json`` (our document)
and ``feedback.html`` (the whole page) help the instructor trying the autograder locally.
The root is an argument so that the same run works on a copy of that tree.

The student id, which seeds the hidden inputs, is the submitters' e-mail addresses (their
Gradescope ids without one), so a student who submits again gets the same inputs.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import grader
from grader.atomic import write_json_atomic, write_text_atomic
from grader.errors import UsageError
from grader.gradescope.config import AutograderConfig
from grader.gradescope.results import autograder_results
from grader.i18n import N_, translator

DEFAULT_ROOT = Path("/autograder")
ROOT_VARIABLE = "NNGRADE_AUTOGRADER_ROOT"
METADATA_FILE = "submission_metadata.json"
DEFAULT_STUDENT = "student"
INTERNAL = N_(
    "The autograder had an internal problem with this submission; it is not caused by your "
    "code. Your instructor can see it and grade it again."
)


@dataclass(frozen=True)
class AutograderRun:
    """What one run wrote.

    Attributes:
        results: ``results/results.json``, Gradescope's file.
        document: the result document.
        feedback: ``results/feedback.html``, or None when the page could not be rendered.
        notes: sentences for the instructor (shown in Gradescope's stdout only).
    """

    results: Path
    document: dict[str, Any]
    feedback: Path | None
    notes: tuple[str, ...] = ()


def run_autograder(root: Path = DEFAULT_ROOT) -> AutograderRun:
    """Grade ``root/submission`` and write ``root/results/results.json``.

    Raises:
        UsageError: `root` is not laid out like Gradescope's /autograder, or its source
            folder holds no autograder built by nngrade.
    """
    config = AutograderConfig.read(root / "source")
    submission_folder = root / "submission"
    if not submission_folder.is_dir():
        raise UsageError(
            f"{submission_folder} is not a folder: run the autograder in a tree laid out like "
            "Gradescope's /autograder (source/, submission/, results/)."
        )
    results = root / "results"
    results.mkdir(parents=True, exist_ok=True)
    notes: list[str] = []
    if config.nngrade_version != grader.__version__:
        notes.append(
            f"This autograder was built with nngrade {config.nngrade_version} but nngrade "
            f"{grader.__version__} is grading: the documents may differ from a local batch's."
        )
    try:
        document = _grade(root, _student(root / METADATA_FILE), config.lang)
    except Exception:
        write_json_atomic(results / "results.json", _internal_error(config.lang))
        raise
    from grader.engine import write_result

    write_result(document, results / "result.json")
    notes.extend(isolation_notes(document))
    page, feedback, why = _feedback_page(document, config.lang, results)
    if why:
        notes.append(why)
    payload = autograder_results(
        document, page, hidden_visibility=config.hidden_visibility, lang=config.lang
    )
    write_json_atomic(results / "results.json", payload)
    return AutograderRun(results / "results.json", document, feedback, tuple(notes))


def submission_entry(folder: Path) -> Path:
    """What to grade in Gradescope's submission folder: a zip handed in whole when it is
    all there is, otherwise the folder (the loader finds the modules, an exercises/ folder
    or a lone notebook in it)."""
    entries = [path for path in folder.iterdir() if not path.name.startswith(".")]
    if len(entries) == 1 and entries[0].suffix.lower() == ".zip" and entries[0].is_file():
        return entries[0]
    return folder


def _grade(root: Path, student: str, lang: str) -> dict[str, Any]:
    """Grade the submission with the whole root hidden from the student's code: the
    autograder's source, the results being written, the metadata of the submission."""
    from grader.engine import grade_submission

    entry = submission_entry(root / "submission")
    return grade_submission(entry, student_id=student, lang=lang, hidden_paths=(root,))


def _student(metadata_path: Path) -> str:
    """The submitters' e-mail addresses (or Gradescope ids), sorted and joined by ``+``."""
    try:
        metadata = json.loads(metadata_path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return DEFAULT_STUDENT
    users = metadata.get("users") if isinstance(metadata, dict) else None
    if not isinstance(users, list):
        return DEFAULT_STUDENT
    names = sorted(
        str(user.get("email") or user.get("id"))
        for user in users
        if isinstance(user, dict) and (user.get("email") or user.get("id"))
    )
    return "+".join(names) or DEFAULT_STUDENT


def _feedback_page(
    document: dict[str, Any], lang: str, results: Path
) -> tuple[str | None, Path | None, str]:
    """(the page, where it was written, why not): the report is optional in an installation."""
    try:
        from grader.report import render_student_feedback

        page = render_student_feedback(document, lang=lang)
    except Exception as error:  # the grade stands without its page
        return None, None, f"No feedback page ({type(error).__name__}: {error})."
    path = results / "feedback.html"
    write_text_atomic(path, page)
    return page, path, ""


def isolation_notes(document: dict[str, Any]) -> list[str]:
    """The sandbox layers this container did not allow, and why: for the instructor."""
    if document.get("status") != "graded":  # no student code ran: no layer was needed
        return []
    isolation = document.get("isolation") or {}
    missing = sorted(name for name, active in (isolation.get("layers") or {}).items() if not active)
    if not missing:
        return []
    reasons = "; ".join(str(note) for note in isolation.get("notes") or [])
    return [
        f"Sandbox layers unavailable here: {', '.join(missing)}"
        + (f" ({reasons})." if reasons else ".")
    ]


def _internal_error(lang: str) -> dict[str, Any]:
    return {
        "score": 0.0,
        "output": translator(lang)(INTERNAL),
        "output_format": "text",
        "visibility": "visible",
        "stdout_visibility": "hidden",
        "tests": [],
    }
