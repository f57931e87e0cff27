"""`nngrade demo`: grade the bundled sample class and show where the results are."""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

import click

import grader
from grader.batch import BarProgress, LineProgress, grade_class
from grader.batch.summary_text import summary_lines
from grader.commands import DomainError, require_isolation, unsafe_option
from grader.errors import NngradeError, UsageError


def sample_class_folder() -> Path:
    """``examples/class/`` of the project holding the `grader` package.

    Raises:
        UsageError: the sample class is not there (an install without the examples).
    """
    folder = Path(grader.__file__).resolve().parent.parent / "examples" / "class"
    if not folder.is_dir():
        raise UsageError(
            f"The sample class is not installed here ({folder} is missing): the demo needs a "
            "checkout of the project (pip install -e .). To grade your own class, run "
            "`nngrade batch SUBMISSIONS --out RESULTS`."
        )
    return folder


def demo_output_folder(out: Path | None) -> tuple[Path, str]:
    """The folder to grade into, and a sentence saying what was chosen.

    A new temporary folder by default. A given folder must be new, empty, or hold the
    results of an earlier demo (then only what changed is graded again); anything else is
    refused rather than mixed with the demo's files.
    """
    if out is None:
        folder = Path(tempfile.mkdtemp(prefix="nngrade-demo-"))
        return folder, f"Grading the sample class into a new folder, {folder}."
    if not out.exists() or (out.is_dir() and not any(out.iterdir())):
        return out, f"Grading the sample class into {out}."
    if out.is_dir() and (out / "summary.json").is_file():
        return out, (
            f"{out} holds an earlier demo: keeping its up-to-date results and grading the rest."
        )
    raise UsageError(
        f"{out} exists and is not an earlier demo's results folder; choose a new or empty "
        "folder with --out (or leave --out out to use a new temporary folder)."
    )


@click.command()
@click.option(
    "--out",
    type=click.Path(file_okay=False, path_type=Path),
    help="Folder for the results.  [default: a new temporary folder]",
)
@click.option(
    "--workers",
    type=click.IntRange(min=1),
    default=None,
    help="Grading processes.  [default: every core]",
)
@click.option(
    "--lang",
    type=click.Choice(["en", "fr"]),
    default="en",
    show_default=True,
    help="Language of the feedback and the report.",
)
@unsafe_option
def demo(out: Path | None, workers: int | None, lang: str, unsafe: bool) -> None:
    """Grade the bundled sample class and print where the results and the report are.

    The sample class (examples/class/) holds correct submissions in each import style, a
    notebook, a zip, common bugs, a syntax error, an infinite loop and one that crashes at
    import: everything a real class throws at the grader.

    \b
    Example:
      nngrade demo --out demo-results/ --lang fr
    """
    require_isolation(unsafe)
    try:
        submissions = sample_class_folder()
        folder, sentence = demo_output_folder(out)
        click.echo(sentence)
        progress = BarProgress() if sys.stdout.isatty() else LineProgress()
        report = grade_class(
            submissions, folder, workers=workers, lang=lang, progress=progress, unsafe=unsafe
        )
    except NngradeError as error:
        raise DomainError(str(error)) from error
    for line in summary_lines(report, resume_command=f"nngrade demo --out {folder}"):
        click.echo(line)
    if report.interrupted:
        sys.exit(130)
    if report.report is not None:
        click.echo(f"Open the class report in a browser: {report.report.as_uri()}")
