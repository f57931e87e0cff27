"""`nngrade report`: HTML feedback for every student and a class summary, or for one result."""

from __future__ import annotations

from pathlib import Path

import click

from grader.commands import DomainError
from grader.commands.language import Command, language_option
from grader.console import printable
from grader.errors import NngradeError
from grader.i18n import LANGUAGE_NAMES, N_, plural_translator, translator
from grader.report import ReportPaths, render_reports
from grader.report.documents import RESULT_FILE
from grader.report.language import report_language
from grader.report.render import write_feedback_beside
from grader.result import load_result


@click.command(cls=Command)
@click.argument(
    "results",
    type=click.Path(exists=True, file_okay=True, dir_okay=True, path_type=Path),
)
@language_option(
    N_(
        "Language of the pages (the test messages come from the result documents).  "
        "[default: for a class, the language its report was last rendered in, else en; for "
        "one result, its own]"
    )
)
@click.option("--quiet", "-q", is_flag=True, help=N_("Print nothing but errors and warnings."))
def report(results: Path, lang: str | None, quiet: bool) -> None:
    """Write HTML feedback pages from result documents, for a class or for one student.

    RESULTS is the folder `nngrade batch` wrote (one RESULTS/<student>/result.json per
    student), or one result document (a result.json, or the folder holding it) as
    `nngrade grade` writes it. The report reads those documents only; it never runs student
    code. For a class it writes

    \b
      RESULTS/<student>/feedback.html   for the student: score, what failed and why,
                                        the worst entries, plots, lecture pointers
      RESULTS/index.html                for you: score histogram, pass rates, common
                                        mistakes, who needs attention, gradebook links

    and for one result its feedback page beside it (feedback.html beside result.json,
    NAME.html beside NAME.json).

    Each page is one self-contained file: open it offline, print it, or send it.
    A student whose result.json is missing or unreadable is listed in the summary.
    A page is written again only when its result, the language or nngrade changed
    (or the page was deleted or edited): running it twice costs nothing the second time.
    The language of a class's pages is remembered: the next batch or report on the same
    folder uses it unless told another with --lang.

    \b
    Examples:
      nngrade batch submissions/ --out results/
      nngrade report results/ --lang fr
      nngrade report results/alice/result.json
    """
    try:
        single = _single_result(results)
        if single is not None:
            lang = lang or load_result(single).lang
            page, written = write_feedback_beside(single, lang=lang)
            _ = translator(lang)
            if not quiet:
                if written:
                    click.echo(_("Wrote the feedback page %(page)s", page=page))
                else:
                    click.echo(_("The feedback page %(page)s is up to date", page=page))
            return
        lang, remembered = report_language(results, lang)
        paths = render_reports(results, lang=lang)
    except NngradeError as error:
        raise DomainError.of(error, lang) from error
    _ = translator(lang)
    for folder, problem in sorted(paths.problems.items()):
        click.echo(
            _(
                "warning: no feedback for %(student)s: %(problem)s",
                student=printable(folder),
                problem=problem,
            ),
            err=True,
        )
    if quiet:
        return
    if remembered:
        click.echo(
            _(
                "In %(language)s, the language of the last report in %(folder)s (--lang "
                "chooses another).",
                language=_(LANGUAGE_NAMES[lang]),
                folder=results,
            )
        )
    click.echo(written_sentence(paths, lang))


def _single_result(path: Path) -> Path | None:
    """The result document `path` names, when it names one rather than a class: a file, or
    a folder holding a result.json of its own."""
    if path.is_file():
        return path
    if (path / RESULT_FILE).is_file():
        return path / RESULT_FILE
    return None


def written_sentence(paths: ReportPaths, lang: str) -> str:
    """What was written: "Wrote 3 feedback pages (6 up to date) and the class summary ..."."""
    ngettext = plural_translator(lang)
    written = len(paths.rendered)
    current = len(paths.feedback) - written
    if current:
        pages = ngettext(
            "Wrote %(count)s feedback page (%(current)s up to date)",
            "Wrote %(count)s feedback pages (%(current)s up to date)",
            written,
            current=current,
        )
    else:
        pages = ngettext("Wrote %(count)s feedback page", "Wrote %(count)s feedback pages", written)
    _ = translator(lang)
    if paths.index_rendered:
        return _("%(pages)s and the class summary %(index)s", pages=pages, index=paths.index)
    return _("%(pages)s; the class summary %(index)s is up to date", pages=pages, index=paths.index)
