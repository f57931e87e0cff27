"""Record our scores in the course's nbgrader gradebook, through `nbgrader.api.Gradebook`.

Each exported notebook has one grade cell per function (``test_<function>``). Our result
documents score exercises; an exercise's score is spread over its cells in proportion to
their points, so the gradebook's total for a student equals our score exactly. Scores are
written as ``auto_score`` with ``needs_manual_grade`` off, as `nbgrader autograde` does: a
manual score set in formgrader still takes precedence, and formgrader and `nbgrader
export` show the total.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import nbformat

from grader.catalog import EXERCISES
from grader.errors import UsageError
from grader.nbgrader_bridge.course import read_settings, source_notebooks
from grader.nbgrader_bridge.requirement import require_nbgrader
from grader.result import ExerciseResult, Result

ROUNDING = 6


def _nbgrader_cells(path: Path) -> list[tuple[dict[str, Any], nbformat.NotebookNode]]:
    notebook = nbformat.read(path, as_version=4)
    return [(c.metadata["nbgrader"], c) for c in notebook.cells if "nbgrader" in c.metadata]


def ensure_assignment(gradebook: Any, course_dir: Path, assignment: str) -> None:
    """Create what the gradebook lacks of the assignment, from its source notebooks.

    `nbgrader generate_assignment` normally records the assignment; a course that grades
    only with nngrade may never have run it.
    """
    utils = require_nbgrader("nbgrader.utils")
    gradebook.update_or_create_assignment(assignment)
    for path in source_notebooks(course_dir, assignment):
        notebook = path.stem
        gradebook.update_or_create_notebook(notebook, assignment)
        for meta, cell in _nbgrader_cells(path):
            name = meta["grade_id"]
            if meta.get("grade"):
                gradebook.update_or_create_grade_cell(
                    name,
                    notebook,
                    assignment,
                    max_score=float(meta["points"]),
                    cell_type=cell.cell_type,
                )
            if meta.get("solution"):
                gradebook.update_or_create_solution_cell(
                    name, notebook, assignment, cell_type=cell.cell_type
                )
            if meta.get("locked") or meta.get("solution") or meta.get("grade"):
                gradebook.update_or_create_source_cell(
                    name,
                    notebook,
                    assignment,
                    source=cell.source,
                    cell_type=cell.cell_type,
                    locked=bool(meta.get("locked")),
                    checksum=utils.compute_checksum(cell),
                )


def cell_scores(
    exercises: Sequence[ExerciseResult], cell_points: Mapping[str, float]
) -> dict[str, float]:
    """Grade cell name -> score, from the exercises of one result.

    `cell_points` maps every ``test_<function>`` cell to its points. A function's cell
    gets its exercise's score times the cell's share of the exercise's points.
    """
    scores = {exercise.id: float(exercise.score) for exercise in exercises}
    spread: dict[str, float] = {}
    for exercise in EXERCISES:
        cells = [f"test_{function}" for function in exercise.functions]
        total = sum(cell_points.get(cell, 0.0) for cell in cells)
        for cell in cells:
            if cell in cell_points and total > 0:
                share = cell_points[cell] / total
                spread[cell] = round(scores.get(exercise.id, 0.0) * share, ROUNDING)
    return spread


def record_in_gradebook(
    course_dir: Path, assignment: str, results: Mapping[str, Result]
) -> Path | str:
    """Write every student's scores into the course's gradebook; return its URL.

    Args:
        course_dir: the nbgrader course root (its `nbgrader_config.py` names the database).
        assignment: the assignment name.
        results: student id -> our result document.

    Students, the assignment, its notebook and grade cells, and each submission are
    created when missing; existing manual scores and comments are left alone.
    """
    api = require_nbgrader("nbgrader.api")
    course_dir = Path(course_dir).resolve()
    settings = read_settings(course_dir)
    notebooks = source_notebooks(course_dir, assignment)
    if len(notebooks) != 1:
        raise UsageError(
            f"{course_dir / 'source' / assignment} holds {len(notebooks)} notebooks; nngrade "
            "records scores for assignments exported as one notebook."
        )
    notebook = notebooks[0].stem
    cell_points = {
        meta["grade_id"]: float(meta["points"])
        for meta, _ in _nbgrader_cells(notebooks[0])
        if meta.get("grade")
    }
    with api.Gradebook(settings.db_url, course_id=settings.course_id) as gradebook:
        ensure_assignment(gradebook, course_dir, assignment)
        for student, result in sorted(results.items()):
            gradebook.update_or_create_student(student)
            timestamp = _timestamp(course_dir, assignment, student)
            extra = {"timestamp": timestamp} if timestamp else {}
            gradebook.update_or_create_submission(assignment, student, **extra)
            for cell, score in cell_scores(result.exercises, cell_points).items():
                grade = gradebook.find_grade(cell, notebook, assignment, student)
                grade.auto_score = score
                grade.needs_manual_grade = grade.manual_score is not None
            gradebook.db.commit()
    return settings.db_url


def _timestamp(course_dir: Path, assignment: str, student: str) -> str | None:
    path = course_dir / "submitted" / student / assignment / "timestamp.txt"
    if path.is_file():
        text = path.read_text(encoding="utf-8").strip()
        return text or None
    return None
