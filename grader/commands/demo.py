"""`nngrade demo`: grade the bundled sample class and show where the results are."""

from __future__ import annotations

import tempfile
from pathlib import Path

import click

import grader
from grader.batch import grade_class
from grader.commands import DomainError, require_isolation, unsafe_option
from grader.commands.batch import finish, results_language
from grader.commands.language import Command, language_option
from grader.commands.output import EXIT_STATUS_HELP, Output, output_options, progress_for
from grader.errors import NngradeError, UsageError
from grader.i18n import N_, SOURCE_LANGUAGE, Text, in_language, translator


def sample_class_folder() -> Path:
    """``examples/class/`` of the project holding the `grader` package.

    Raises:
        UsageError: the sample class is not there (an install without the examples).
    """
    folder = Path(grader.__file__).resolve().parent.parent / "examples" / "class"
    if not folder.is_dir():
        raise UsageError(
            Text(
                "The sample class is not installed here (%(folder)s is missing): the demo "
                "needs a checkout of the project (pip install -e .). To grade your own class, "
                "run `nngrade batch SUBMISSIONS --out RESULTS`.",
                folder=folder,
            )
        )
    return folder


def demo_output_folder(out: Path | None) -> tuple[Path, Text]:
    """The folder to grade into, and a sentence saying what was chosen.

    A new temporary folder by default. A given folder must be new, empty, or hold the
    results of an earlier demo (then only what changed is graded again); anything else is
    refused rather than mixed with the demo's files.
    """
    if out is None:
        folder = Path(tempfile.mkdtemp(prefix="nngrade-demo-"))
        return folder, Text(
            "Grading the sample class into a new folder, %(folder)s.", folder=folder
        )
    if not out.exists() or (out.is_dir() and not any(out.iterdir())):
        return out, Text("Grading the sample class into %(folder)s.", folder=out)
    if out.is_dir() and (out / "summary.json").is_file():
        return out, Text(
            "%(folder)s holds an earlier demo: keeping its up-to-date results and grading the "
            "rest.",
            folder=out,
        )
    raise UsageError(
        Text(
            "%(folder)s exists and is not an earlier demo's results folder; choose a new or "
            "empty folder with --out (or leave --out out to use a new temporary folder).",
            folder=out,
        )
    )


@click.command(cls=Command, epilog=EXIT_STATUS_HELP)
@click.option(
    "--out",
    type=click.Path(file_okay=False, path_type=Path),
    help=N_("Folder for the results.  [default: a new temporary folder]"),
)
@click.option(
    "--workers",
    type=click.IntRange(min=1),
    default=None,
    help=N_("Grading processes (at most the cores).  [default: every core]"),
)
@language_option(
    N_(
        "Language of the feedback, the report and this command's output.  [default: that "
        "of the earlier demo in --out, else en]"
    )
)
@output_options
@unsafe_option
def demo(
    out: Path | None,
    workers: int | None,
    lang: str | None,
    quiet: bool,
    as_json: bool,
    unsafe: bool,
) -> None:
    """Grade the bundled sample class and print where the results and the report are.

    The sample class (examples/class/) holds correct submissions in each import style, a
    notebook, a zip, common bugs, a syntax error, an infinite loop and one that crashes at
    import: everything a real class throws at the grader. Every one of them is graded, so
    the demo exits with 0.

    \b
    Example:
      nngrade demo --out demo-results/ --lang fr
    """
    output = Output(quiet=quiet, as_json=as_json)
    # A new temporary folder remembers no language: without --lang, the demo speaks English.
    spoken = (lang or SOURCE_LANGUAGE) if out is None else results_language(out, lang)
    require_isolation(unsafe, spoken)
    try:
        submissions = sample_class_folder()
        folder, sentence = demo_output_folder(out)
        if output.sentences:
            click.echo(in_language(sentence, spoken))
        report = grade_class(
            submissions,
            folder,
            workers=workers,
            lang=lang,
            progress=progress_for(output, spoken),
            unsafe=unsafe,
        )
    except NngradeError as error:
        raise DomainError.of(error, spoken) from error
    _ = translator(report.lang)
    after = []
    if report.report is not None and not report.interrupted:
        address = report.report.resolve().as_uri()  # --out may be relative
        after.append(_("Open the class report in a browser: %(address)s", address=address))
    finish(report, output, resume_command=f"nngrade demo --out {folder}", after=after)
