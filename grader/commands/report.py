"""`nngrade report`: HTML feedback for every student and a class summary."""

from __future__ import annotations

from pathlib import Path

import click

from grader.commands import DomainError
from grader.errors import NngradeError
from grader.i18n import LANGUAGES
from grader.report import ReportPaths, render_reports


@click.command()
@click.argument(
    "results",
    type=click.Path(exists=True, file_okay=False, dir_okay=True, path_type=Path),
)
@click.option(
    "--lang",
    type=click.Choice(LANGUAGES),
    default="en",
    show_default=True,
    help="Language of the pages (the test messages come from the result documents).",
)
def report(results: Path, lang: str) -> None:
    """Write HTML feedback for each student and a class summary from RESULTS.

    RESULTS is the folder `nngrade batch` wrote: one RESULTS/<student>/result.json per
    student. The report reads those documents only; it never runs student code. It writes

    \b
      RESULTS/<student>/feedback.html   for the student: score, what failed and why,
                                        the worst entries, plots, lecture pointers
      RESULTS/index.html                for you: score histogram, pass rates, common
                                        mistakes, who needs attention, gradebook links

    Each page is one self-contained file: open it offline, print it, or send it.
    A student whose result.json is missing or unreadable is listed in the summary.
    A page is written again only when its result, the language or nngrade changed
    (or the page was deleted or edited): running it twice costs nothing the second time.

    \b
    Example:
      nngrade batch submissions/ --out results/
      nngrade report results/ --lang fr
    """
    try:
        paths = render_reports(results, lang=lang)
    except NngradeError as error:
        raise DomainError(str(error)) from error
    for folder, problem in sorted(paths.problems.items()):
        click.echo(f"warning: no feedback for {folder}: {problem}", err=True)
    click.echo(_written(paths))


def _written(paths: ReportPaths) -> str:
    """What was written: "Wrote 3 feedback pages (6 up to date) and the class summary ..."."""
    written = len(paths.rendered)
    current = len(paths.feedback) - written
    pages = f"Wrote {written} feedback page{'' if written == 1 else 's'}"
    if current:
        pages += f" ({current} up to date)"
    if paths.index_rendered:
        return f"{pages} and the class summary {paths.index}"
    return f"{pages}; the class summary {paths.index} is up to date"
