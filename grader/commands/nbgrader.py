"""`nngrade nbgrader`: export the assignment as an nbgrader course; grade its submissions."""

from __future__ import annotations

from pathlib import Path

import click

from grader.commands import DomainError
from grader.commands.language import Group, language_option
from grader.errors import NngradeError
from grader.i18n import N_, translator
from grader.nbgrader_bridge.course import DEFAULT_ASSIGNMENT
from grader.nbgrader_bridge.requirement import INSTALL_HINT, NbgraderMissing, require_nbgrader

COURSE_DIR = click.Path(file_okay=False, dir_okay=True, path_type=Path)


@click.group(cls=Group)
def nbgrader() -> None:
    """Work with an nbgrader course (needs the extra: pip install 'nngrade[nbgrader]')."""


@nbgrader.command()
@click.argument("course_dir", type=COURSE_DIR)
@click.option(
    "--assignment", default=DEFAULT_ASSIGNMENT, show_default=True, help=N_("Assignment name.")
)
@language_option(
    N_("Language of the notebook's text, of its checks' messages and of this command's output."),
    default="en",
)
def export(course_dir: Path, assignment: str, lang: str) -> None:
    """Write COURSE_DIR/source/ASSIGNMENT/ASSIGNMENT.ipynb from the answer key.

    The notebook states each exercise, holds the answers between nbgrader's solution
    delimiters, and has one autograded test cell per function (visible checks, then hidden
    ones). A minimal nbgrader_config.py is written when the course has none.

    \b
    Then, from COURSE_DIR:
      nbgrader generate_assignment ASSIGNMENT
    """
    try:
        from grader.nbgrader_bridge.export import export_course

        written = export_course(course_dir, assignment=assignment, lang=lang)
    except NngradeError as error:
        raise DomainError.of(error, lang) from error
    _ = translator(lang)
    click.echo(_("Wrote %(path)s", path=written.notebook))
    if written.config_written:
        config = course_dir / "nbgrader_config.py"
        click.echo(_("Wrote %(path)s (none existed)", path=config))
    try:
        require_nbgrader()
    except NbgraderMissing:
        click.echo(
            _(
                "note: nbgrader is not installed here; to use this course: %(hint)s",
                hint=INSTALL_HINT,
            )
        )
