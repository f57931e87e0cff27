"""Put our HTML feedback where `nbgrader release_feedback` looks for it.

`release_feedback` hands out every ``feedback/<student>/<assignment>/<notebook>.html``
and needs the submission's ``timestamp.txt`` and ``submission_secret.txt`` beside it (the
student's `fetch_feedback` finds a page by a hash of the secret and the notebook name).
So the page is written once per submitted notebook, named after it, and both files are
copied from ``submitted/<student>/<assignment>/`` when they exist.
"""

from __future__ import annotations

import shutil
from pathlib import Path

SUBMISSION_FILES = ("timestamp.txt", "submission_secret.txt")


def feedback_layout(
    course_dir: Path, assignment: str, student: str, feedback_html: Path, notebooks: list[str]
) -> list[Path]:
    """Copy `feedback_html` to ``COURSE_DIR/feedback/<student>/<assignment>/<notebook>.html``.

    Args:
        course_dir: the nbgrader course root.
        assignment: the assignment name.
        student: the student id (their folder name under ``submitted/``).
        feedback_html: our rendered page for this student.
        notebooks: the names (without ``.ipynb``) of the notebooks the student submitted.

    Returns the pages written.
    """
    target = Path(course_dir) / "feedback" / student / assignment
    target.mkdir(parents=True, exist_ok=True)
    submitted = Path(course_dir) / "submitted" / student / assignment
    for name in SUBMISSION_FILES:
        if (submitted / name).is_file():
            shutil.copyfile(submitted / name, target / name)
    pages = []
    for notebook in notebooks:
        page = target / f"{notebook}.html"
        shutil.copyfile(feedback_html, page)
        pages.append(page)
    return pages
