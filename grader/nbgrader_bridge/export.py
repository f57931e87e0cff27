"""`nngrade nbgrader export`: write an nbgrader course source from the answer key."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from grader.errors import UsageError
from grader.i18n import LANGUAGES
from grader.nbgrader_bridge.course import DEFAULT_ASSIGNMENT, write_minimal_config
from grader.nbgrader_bridge.notebook import build_notebook, write_notebook


@dataclass(frozen=True)
class ExportResult:
    """What an export wrote.

    Attributes:
        notebook: the source notebook, ``COURSE_DIR/source/<assignment>/<assignment>.ipynb``.
        config_written: whether a minimal `nbgrader_config.py` was created (never overwritten).
    """

    notebook: Path
    config_written: bool


def export_course(
    course_dir: Path, *, assignment: str = DEFAULT_ASSIGNMENT, lang: str = "en"
) -> ExportResult:
    """Write the assignment's source notebook into `course_dir` (and a config if none exists)."""
    if lang not in LANGUAGES:
        raise UsageError(f"Unknown language {lang!r}; choose one of: {', '.join(LANGUAGES)}.")
    if not assignment or "+" in assignment or "/" in assignment or assignment.strip() != assignment:
        raise UsageError(
            f"{assignment!r} cannot be an nbgrader assignment name: use letters, digits, "
            "'_' or '-', without '+', '/' or surrounding spaces."
        )
    course_dir = Path(course_dir)
    config_written = write_minimal_config(course_dir)
    notebook = course_dir / "source" / assignment / f"{assignment}.ipynb"
    write_notebook(build_notebook(lang), notebook)
    return ExportResult(notebook=notebook, config_written=config_written)
