"""`nngrade batch`: grade a whole class in parallel, resumably, and write the gradebooks."""

from __future__ import annotations

import shlex
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import click

from grader.batch import BatchReport, Progress, grade_class
from grader.batch.summary_text import not_graded, summary_document, summary_lines
from grader.commands import DomainError, require_isolation, unsafe_option
from grader.commands.language import Command, language_option, spoken
from grader.commands.limits import limit_options, resolve_limits
from grader.commands.output import (
    EXIT_GRADED,
    EXIT_INTERRUPTED,
    EXIT_NOT_GRADED,
    EXIT_STATUS_HELP,
    Output,
    output_options,
    progress_for,
)
from grader.errors import NngradeError
from grader.exports import ExportOptions, read_student_map
from grader.exports.canvas import DEFAULT_ASSIGNMENT
from grader.i18n import N_, in_language, plural_translator, translator


@click.command(cls=Command, epilog=EXIT_STATUS_HELP)
@click.argument(
    "submissions", required=False, type=click.Path(exists=True, file_okay=False, path_type=Path)
)
@click.option(
    "--out",
    "results",
    required=True,
    type=click.Path(file_okay=False, path_type=Path),
    help=N_("Folder for RESULTS/<student>/result.json, the class files and the report."),
)
@click.option(
    "--workers",
    type=click.IntRange(min=1),
    default=None,
    help=N_(
        "Grading processes, each with its own sandbox; more than the cores is capped to "
        "them, with a note.  [default: every core]"
    ),
)
@click.option(
    "--scheduler",
    metavar="ADDRESS",
    help=N_(
        "Grade on the Dask cluster whose scheduler is at ADDRESS (e.g. tcp://HOST:8786) "
        "instead of this machine's cores; needs pip install 'nngrade[dask]' (docs/clusters.md)."
    ),
)
@click.option("--force", is_flag=True, help=N_("Grade again even the results that are up to date."))
@click.option(
    "--only",
    "only",
    multiple=True,
    metavar="ID[,ID...]",
    help=N_(
        "Grade these students again, and no other: every other result is kept as it is. "
        "Repeat it or separate ids with commas; an entry's name (alice.zip) works too."
    ),
)
@click.option(
    "--student-map",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help=N_("CSV mapping each submission id to its Moodle/Canvas identity."),
)
@language_option(
    N_(
        "Language of the students' messages, the report and this command's output.  "
        "[default: the language the report in RESULTS was last rendered in, else en]"
    )
)
@click.option("--assignment", help=N_("nbgrader layout: the assignment folder to grade."))
@click.option(
    "--assignment-name",
    default=None,
    # The name is grader.exports.canvas.DEFAULT_ASSIGNMENT (a test keeps them the same).
    help=N_(
        "The assignment's name in canvas.csv.  [default: the nbgrader assignment with "
        "--nbgrader, else 'Neural networks (nngrade)']"
    ),
)
@click.option(
    "--canvas-assignment-id",
    help=N_("The Canvas assignment id (from its URL); without it Canvas creates a new assignment."),
)
@click.option("--no-report", is_flag=True, help=N_("Skip the HTML report (class files only)."))
@click.option(
    "--nbgrader",
    "course_dir",
    type=click.Path(exists=True, file_okay=False, path_type=Path),
    help=N_(
        "Grade the nbgrader course COURSE_DIR's submitted/*/ASSIGNMENT notebooks (with "
        "--assignment, instead of SUBMISSIONS) and put the feedback in its feedback/ folder."
    ),
)
@click.option(
    "--gradebook",
    is_flag=True,
    help=N_("With --nbgrader: also record the scores in the course's nbgrader gradebook."),
)
@output_options
@unsafe_option
@limit_options
def batch(
    submissions: Path,
    results: Path,
    workers: int | None,
    scheduler: str | None,
    force: bool,
    only: tuple[str, ...],
    student_map: Path | None,
    lang: str | None,
    assignment: str | None,
    assignment_name: str | None,
    canvas_assignment_id: str | None,
    no_report: bool,
    course_dir: Path | None,
    gradebook: bool,
    quiet: bool,
    as_json: bool,
    config: Path | None,
    call_timeout: float | None,
    submission_timeout: float | None,
    import_timeout: float | None,
    memory_mib: int | None,
    unsafe: bool,
) -> None:
    """Grade every submission in SUBMISSIONS and write the class files.

    Each entry of SUBMISSIONS is one student's submission: a folder, a .zip or a .ipynb;
    the student id is its name without extension. nbgrader's layout
    (submitted/<student>/<assignment>/) works too. Hidden files and stray files are
    ignored; two entries with the same id are both left ungraded and reported.

    \b
    Writes into RESULTS:
      <student>/result.json    the result document (docs/result-schema.md)
      <student>/results.json   the same in Gradescope's format
      grades.csv               one row per student, one column per exercise
      moodle.csv, canvas.csv   ready to import (docs/gradebook-import.md)
      summary.json             the class in figures, for scripts
      index.html               the class report, with each student's feedback.html

    Running it again grades only what changed; an interrupted run (Ctrl-C, a crash)
    resumes where it stopped. --only ID grades those students again and leaves every
    other result as it is (after a fix, a late submission, a regrading request).

    On a terminal a progress bar shows the grading; in a log, one line per submission.
    --quiet prints nothing but warnings and errors; --json prints the summary as JSON
    (every student's status and score, who could not be graded and why).

    With --scheduler ADDRESS the submissions are graded on a Dask cluster (each worker
    process keeps a warm sandbox; start workers with --nthreads 1); the results, class files
    and report are written here, exactly as a local run writes them (docs/clusters.md).

    With --nbgrader COURSE_DIR --assignment NAME, the submissions are those nbgrader
    collected (COURSE_DIR/submitted/<student>/NAME/); each student's feedback page also goes
    to COURSE_DIR/feedback/<student>/NAME/ for `nbgrader release_feedback`, and --gradebook
    records the scores in nbgrader's gradebook (formgrader, `nbgrader export`). The course
    folder is hidden from the students' code, like SUBMISSIONS and RESULTS. Every other
    option works the same; --no-report then also leaves feedback/ alone.

    The limits (per call, per submission, per import, memory) are the options below, else
    the course's nngrade.toml ([limits]) or pyproject.toml ([tool.nngrade.limits]), given
    with --config or found in the current folder (COURSE_DIR with --nbgrader) or its
    parents, else nngrade's defaults. Each result records the figures in force, and a
    result graded under other limits is graded again.

    \b
    Examples:
      nngrade batch submissions/ --out results/ --student-map roster.csv
      nngrade batch submissions/ --out results/ --only alice,bob
      nngrade batch submissions/ --out results/ --quiet --json > summary.json
      nngrade batch submissions/ --out results/ --scheduler tcp://10.0.0.5:8786
      nngrade batch submissions/ --out results/ --call-timeout 2 --memory 2048
      nngrade batch --nbgrader course/ --assignment nn --out results/ --gradebook
    """
    output = Output(quiet=quiet, as_json=as_json)
    _ = translator(spoken())  # usage errors: the command line's language
    if course_dir is not None:
        if submissions is not None:
            raise click.UsageError(_("Give either SUBMISSIONS or --nbgrader COURSE_DIR, not both."))
        if not assignment:
            raise click.UsageError(_("--nbgrader needs --assignment: the assignment to grade."))
    elif submissions is None:
        raise click.UsageError(
            _("Missing SUBMISSIONS (or --nbgrader COURSE_DIR --assignment NAME).")
        )
    elif gradebook:
        raise click.UsageError(_("--gradebook records into an nbgrader course: add --nbgrader."))
    if scheduler is not None and workers is not None:
        raise click.UsageError(
            _(
                "--workers sets this machine's grading processes; with --scheduler the "
                "cluster's workers grade: leave out one of them."
            )
        )
    if scheduler is not None and course_dir is not None:
        raise click.UsageError(
            _(
                "--scheduler grades a SUBMISSIONS folder, not --nbgrader COURSE_DIR: give "
                "COURSE_DIR/submitted as SUBMISSIONS with --assignment (nbgrader's feedback "
                "folder and gradebook are then not written)."
            )
        )
    if scheduler is not None and unsafe:
        raise click.UsageError(
            _(
                "--unsafe-no-sandbox is not for a cluster: each worker must isolate student "
                "code (run `nngrade doctor` on the worker machines)."
            )
        )
    chosen = students_of(only) if only else None
    run_lang = results_language(results, lang)
    if scheduler is None:
        # A cluster's workers check their own sandbox.
        require_isolation(unsafe, run_lang)
    try:
        limits = resolve_limits(
            config=config,
            start=course_dir if course_dir is not None else Path.cwd(),
            call_timeout=call_timeout,
            submission_timeout=submission_timeout,
            import_timeout=import_timeout,
            memory_mib=memory_mib,
        )
        default_name = assignment if course_dir is not None and assignment else None
        exports = ExportOptions(
            student_map=read_student_map(student_map) if student_map else None,
            assignment_name=assignment_name or default_name or DEFAULT_ASSIGNMENT,
            canvas_assignment_id=canvas_assignment_id,
        )
        progress = progress_for(output, run_lang)
        if course_dir is not None:
            _grade_nbgrader_course(
                course_dir,
                assignment or "",
                results,
                gradebook=gradebook,
                workers=workers,
                force=force,
                only=chosen,
                lang=lang,
                progress=progress,
                exports=exports,
                render=not no_report,
                limits=limits,
                unsafe=unsafe,
                output=output,
            )
            return
        report = grade_class(
            submissions,
            results,
            workers=workers,
            force=force,
            only=chosen,
            lang=lang,
            assignment=assignment,
            exports=exports,
            progress=progress,
            render=not no_report,
            unsafe=unsafe,
            scheduler=scheduler,
            limits=limits,
        )
    except NngradeError as error:
        raise DomainError.of(error, run_lang) from error
    resume = shlex.join(["nngrade", "batch", *sys.argv[2:]]) if len(sys.argv) > 2 else ""
    finish(report, output, resume_command=resume)


def students_of(only: tuple[str, ...]) -> tuple[str, ...]:
    """The ids of --only, given once each or separated by commas."""
    return tuple(name for value in only for name in value.split(",") if name.strip())


def results_language(results: Path, lang: str | None) -> str:
    """The language this run will speak: `lang`, else the one remembered in `results`."""
    if lang is not None:
        return lang
    from grader.report.language import report_language

    return report_language(results, None)[0]


def finish(
    report: BatchReport, output: Output, *, resume_command: str = "", after: Sequence[str] = ()
) -> None:
    """Print the summary (sentences, then `after`; or JSON) and exit with the batch's status."""
    output.lines([*summary_lines(report, resume_command=resume_command, lang=report.lang), *after])
    code = exit_status(report)
    output.document({**summary_document(report, lang=report.lang), "exit_status": code})
    click.get_current_context().exit(code)


def exit_status(report: BatchReport) -> int:
    """0 when every entry was graded, 1 when one could not be (or not wholly), 130 when the
    run was interrupted."""
    if report.interrupted:
        return EXIT_INTERRUPTED
    return EXIT_NOT_GRADED if not_graded(report) else EXIT_GRADED


def _grade_nbgrader_course(
    course_dir: Path,
    assignment: str,
    results: Path,
    *,
    gradebook: bool,
    workers: int | None,
    force: bool,
    only: tuple[str, ...] | None,
    lang: str | None,
    progress: Progress | None,
    exports: ExportOptions,
    render: bool,
    limits: Any,
    unsafe: bool,
    output: Output,
) -> None:
    from grader.nbgrader_bridge.grading import grade_course
    from grader.nbgrader_bridge.requirement import require_nbgrader

    if gradebook:
        require_nbgrader()
    done = grade_course(
        course_dir,
        assignment,
        results,
        gradebook=gradebook,
        workers=workers,
        force=force,
        only=only,
        lang=lang,
        progress=progress,
        exports=exports,
        render=render,
        limits=limits,
        unsafe=unsafe,
    )
    batch_lang = done.batch.lang
    _ = translator(batch_lang)
    ngettext = plural_translator(batch_lang)
    for note in done.notes:
        output.warning(_("warning: %(note)s", note=in_language(note, batch_lang)))
    lines = summary_lines(done.batch, lang=batch_lang)
    if render:
        lines.append(
            ngettext(
                "Feedback for %(count)s student in %(folder)s (hand it out with: nbgrader "
                "release_feedback %(assignment)s).",
                "Feedback for %(count)s students in %(folder)s (hand it out with: nbgrader "
                "release_feedback %(assignment)s).",
                len(done.feedback),
                folder=course_dir / "feedback",
                assignment=assignment,
            )
        )
    if done.gradebook:
        lines.append(_("Scores recorded in nbgrader's gradebook %(path)s.", path=done.gradebook))
    output.lines(lines)
    code = exit_status(done.batch)
    output.document({**summary_document(done.batch, lang=batch_lang), "exit_status": code})
    click.get_current_context().exit(code)
