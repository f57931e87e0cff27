"""`nngrade gradescope`: build Gradescope's autograder zip; grade one submission as it does."""

from __future__ import annotations

import os
from pathlib import Path

import click

from grader.commands import DomainError
from grader.commands.language import Group, language_option
from grader.errors import NngradeError
from grader.exports.gradescope import VISIBILITIES
from grader.exports.tables import format_points
from grader.gradescope.config import DEFAULT_HIDDEN_VISIBILITY
from grader.i18n import N_, translator


@click.group(cls=Group)
def gradescope() -> None:
    """Grade on Gradescope: build the autograder zip to upload (docs/gradescope.md)."""


@gradescope.command()
@click.option(
    "--out",
    required=True,
    type=click.Path(dir_okay=False, path_type=Path),
    help=N_("The zip to write, e.g. autograder.zip (replaced if it exists)."),
)
@language_option(N_("Language of the students' messages and feedback page."), default="en")
@click.option(
    "--hidden-visibility",
    type=click.Choice(VISIBILITIES),
    default=DEFAULT_HIDDEN_VISIBILITY,
    show_default=True,
    help=N_(
        "When students see the hidden tests, their score and their feedback page; "
        "what was received is always visible at once."
    ),
)
def build(out: Path, lang: str, hidden_visibility: str) -> None:
    """Write the autograder zip for a Gradescope programming assignment.

    The zip holds setup.sh (installs Python 3.11+ when the image lacks it, then nngrade
    and its dependencies from the wheel in the zip), run_autograder (grades
    /autograder/submission in the sandbox and writes /autograder/results/results.json) and
    a wheel of the nngrade running here, hidden suites included.

    \b
    Then, in Gradescope: the assignment's Configure Autograder page, "Zip file upload",
    upload the zip, "Update Autograder"; try it with "Test Autograder".

    \b
    Example:
      nngrade gradescope build --out autograder.zip --lang fr
    """
    from grader.gradescope import build_autograder

    try:
        package = build_autograder(out, lang=lang, hidden_visibility=hidden_visibility)
    except NngradeError as error:
        raise DomainError.of(error, lang) from error
    _ = translator(lang)
    size = round(package.bytes / 1024)
    click.echo(_("Wrote %(path)s (%(size)s KiB):", path=package.path, size=size))
    for entry in package.entries:
        click.echo(f"  {entry}")
    click.echo(
        _(
            "Messages in %(lang)s; hidden tests, score and feedback page: %(visibility)s. "
            "Upload it on the assignment's Configure Autograder page (docs/gradescope.md).",
            lang=lang,
            visibility=hidden_visibility,
        )
    )


@gradescope.command()
@click.option(
    "--root",
    type=click.Path(file_okay=False, path_type=Path),
    default=lambda: os.environ.get("NNGRADE_AUTOGRADER_ROOT", "/autograder"),
    show_default=N_("$NNGRADE_AUTOGRADER_ROOT or /autograder"),
    help=N_("The autograder's root, laid out like Gradescope's /autograder."),
)
def run(root: Path) -> None:
    """Grade ROOT/submission and write ROOT/results/results.json, as Gradescope runs it.

    This is what the zip's run_autograder does for every submission; run it on a copy of
    Gradescope's tree (source/ holding the unpacked zip, submission/ the student's files)
    to try an autograder before uploading it. What it prints is for the instructor:
    Gradescope shows it to students only if told to.
    """
    from grader.gradescope import run_autograder

    try:
        done = run_autograder(root)
    except NngradeError as error:
        raise DomainError(str(error)) from error
    document = done.document
    click.echo(
        f"{document['student']}: {format_points(document['score'])}/"
        f"{format_points(document['max_score'])} ({document['status']})"
    )
    for note in done.notes:
        click.echo(f"note: {note}")
    click.echo(f"Wrote {done.results}")
