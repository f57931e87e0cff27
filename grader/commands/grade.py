"""`nngrade grade SUBMISSION`: grade one submission, write its result and its feedback page."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import click

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
)
from grader.console import STATUS_WORDS, number, printable
from grader.engine import grade_submission, write_result
from grader.errors import NngradeError
from grader.i18n import N_, plural_translator, translator
from grader.result import Result, TestResult, parse_result

MESSAGE_LIMIT = 500
"""Characters of a grader's message shown on one line (a student's text inside it is capped
already; this keeps a flood off the terminal)."""
OUTCOME_WORDS = {
    "failed": N_("failed"),
    "error": N_("error"),
    "timeout": N_("timeout"),
    "crashed": N_("crashed"),
    "skipped": N_("not run"),
}


def failure_reason(test: TestResult, lang: str) -> str:
    """Why `test` failed, in one sentence where one says it: its diagnosis ("Your dW is m = 7
    times too large") when the grader recognised the mistake, else its message."""
    evidence = test.evidence
    if evidence is not None and evidence.diagnosis is not None:
        text = evidence.diagnosis.text(lang)
        if text:
            return printable(text, MESSAGE_LIMIT)
    return printable(test.message_in(lang), MESSAGE_LIMIT)


def _failure_groups(result: Result, lang: str) -> Iterator[tuple[list[TestResult], str]]:
    """The failed tests in document order, those next to each other with the same cause
    together: the same reason, or the same module that could not be imported (whose tests
    each name their own function)."""
    group: list[TestResult] = []
    cause: object = None
    for test in result.tests:
        if test.passed:
            continue
        evidence = test.evidence
        why: object = failure_reason(test, lang)
        if evidence is not None and evidence.kind == "missing_function" and evidence.module:
            why = ("module", evidence.module, evidence.module_status)
        if group and why != cause:
            yield group, failure_reason(group[0], lang)
            group = []
        group.append(test)
        cause = why
    if group:
        yield group, failure_reason(group[0], lang)


def summary_lines(
    result: Result, out: Path, *, page: Path | None = None, lang: str = "en"
) -> list[str]:
    """What `nngrade grade` prints: the total, a line per exercise, the problems of the
    submission, each failed test with its reason, and where the result and the page are."""
    _ = translator(lang)
    ngettext = plural_translator(lang)
    student = printable(result.student)
    status = _(STATUS_WORDS.get(result.status, result.status))
    lines = [
        _(
            "%(student)s: %(score)s / %(max_score)s (%(status)s)",
            student=student,
            score=number(result.score, lang),
            max_score=number(result.max_score, lang),
            status=status,
        )
    ]
    problems = result.submission.problems
    shown = {problem.messages.get(lang) or problem.message for problem in problems}
    if result.message and result.message not in shown:
        lines.append(f"  {printable(result.message, MESSAGE_LIMIT)}")
    for exercise in result.exercises if result.status == "graded" else ():
        passed = sum(test.passed for test in exercise.tests)
        tests = ngettext(
            "%(passed)s/%(count)s test passed",
            "%(passed)s/%(count)s tests passed",
            len(exercise.tests),
            passed=passed,
        )
        score = f"{number(exercise.score, lang):>5} / {number(exercise.max_score, lang):<4}"
        lines.append(f"  {exercise.id:<26} {score} {tests}")
    if problems:
        lines.append(
            ngettext(
                "%(count)s problem with the submission:",
                "%(count)s problems with the submission:",
                len(problems),
            )
        )
        lines.extend(
            f"  {printable(problem.messages.get(lang) or problem.message, MESSAGE_LIMIT)}"
            for problem in problems
        )
    failed = [test for test in result.tests if not test.passed]
    if failed and result.status == "graded":  # else nothing ran: the message above says why
        lines.append(ngettext("%(count)s test failed:", "%(count)s tests failed:", len(failed)))
        for group, reason in _failure_groups(result, lang):
            for test in group:
                title = printable(test.title_in(lang))
                if test.outcome != "failed":
                    title += f" [{_(OUTCOME_WORDS.get(test.outcome, test.outcome))}]"
                lines.append(f"  - {title}")
            lines.append(f"      {reason}")
    unreadable = result.unreadable_files()
    if unreadable:
        lines.append(
            ngettext(
                "Not wholly graded: %(files)s could not be read, and was graded as absent. "
                "Make it readable (chmod a+r) and grade again.",
                "Not wholly graded: %(files)s could not be read, and were graded as absent. "
                "Make them readable (chmod a+r) and grade again.",
                len(unreadable),
                files=", ".join(printable(path) for path in unreadable),
            )
        )
    lines.append(_("Result written to %(path)s", path=out))
    if page is not None:
        lines.append(_("Feedback page: %(path)s", path=page))
    return lines


def summary_document(
    result: Result, out: Path, *, page: Path | None = None, lang: str = "en"
) -> dict[str, Any]:
    """What `nngrade grade --json` prints: the same facts as `summary_lines`, for scripts
    (titles and reasons in `lang`)."""
    return {
        "student": result.student,
        "status": result.status,
        "graded": is_wholly_graded(result),
        "score": result.score,
        "max_score": result.max_score,
        "result": str(out),
        "feedback": str(page) if page is not None else None,
        "message": result.message,
        "unreadable_files": list(result.unreadable_files()),
        "problems": [
            {
                "path": problem.path,
                "code": problem.code,
                "message": problem.messages.get(lang) or problem.message,
            }
            for problem in result.submission.problems
        ],
        "exercises": [
            {
                "id": exercise.id,
                "score": exercise.score,
                "max_score": exercise.max_score,
                "tests": len(exercise.tests),
                "passed": sum(test.passed for test in exercise.tests),
            }
            for exercise in result.exercises
        ],
        "failed_tests": [
            {
                "id": test.id,
                "exercise": exercise.id,
                "title": test.title_in(lang),
                "outcome": test.outcome,
                "reason": failure_reason(test, lang),
            }
            for exercise in result.exercises
            for test in exercise.tests
            if not test.passed
        ],
    }


def is_wholly_graded(result: Result) -> bool:
    """Whether the submission was graded with every file it holds: something was loaded
    and every file could be read (its tests may still fail: that is the student's)."""
    return result.status == "graded" and not result.unreadable_files()


@click.command(cls=Command, epilog=EXIT_STATUS_HELP)
@click.argument("submission", type=click.Path(path_type=Path))
@click.option(
    "--out",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help=N_(
        "Where to write the result document [default: result.json in the current folder]; "
        "the feedback page goes beside it (feedback.html, or NAME.html for NAME.json)."
    ),
)
@click.option("--student", default=None, help=N_("Student id [default: the submission's name]."))
@language_option(N_("Language of the messages, the page and this summary."), default="en")
@click.option("--no-report", is_flag=True, help=N_("Write the result document only, no page."))
@output_options
@unsafe_option
@limit_options
def grade(
    submission: Path,
    out: Path | None,
    student: str | None,
    lang: str,
    no_report: bool,
    quiet: bool,
    as_json: bool,
    config: Path | None,
    call_timeout: float | None,
    submission_timeout: float | None,
    import_timeout: float | None,
    memory_mib: int | None,
    unsafe: bool,
) -> None:
    """Grade SUBMISSION (an exercises folder, a .zip of it, or a .ipynb notebook).

    Writes the result document (docs/result-schema.md) and, beside it, the student's
    feedback page; prints the score per exercise, the problems of the submission, and each
    failed test with its reason.

    The limits (per call, per submission, per import, memory) are the options below, else
    the course's nngrade.toml ([limits]) or pyproject.toml ([tool.nngrade.limits]), given
    with --config or found in the current folder or its parents, else nngrade's defaults;
    the result records the figures in force (isolation.limits).

    \b
    Examples:
      nngrade grade alice.zip --out results/alice.json    (and results/alice.html)
      nngrade grade bob/ --call-timeout 3 --memory 2048
      nngrade grade bob/ --json | jq .failed_tests
    """
    output = Output(quiet=quiet, as_json=as_json)
    if not submission.exists() and not submission.is_symlink():
        _ = translator(spoken())
        raise click.BadParameter(
            _(
                "%(path)r does not exist; give the path of a folder, .zip or .ipynb.",
                path=str(submission),
            ),
            param_hint="SUBMISSION",
        )
    out = out or Path.cwd() / "result.json"
    require_isolation(unsafe, lang)
    try:
        limits = resolve_limits(
            config=config,
            start=Path.cwd(),
            call_timeout=call_timeout,
            submission_timeout=submission_timeout,
            import_timeout=import_timeout,
            memory_mib=memory_mib,
        )
        document = grade_submission(
            submission,
            student_id=student,
            lang=lang,
            limits=limits,
            hidden_paths=(out.resolve().parent,),
            unsafe=unsafe,
        )
        write_result(document, out)
    except NngradeError as error:
        raise DomainError.of(error, lang) from error
    except KeyboardInterrupt:  # the sandbox is closed on the way out; nothing half-written
        _ = translator(lang)
        Output.warning(_("Interrupted: %(path)s was not written.", path=out))
        click.get_current_context().exit(EXIT_INTERRUPTED)
    result = parse_result(document)
    page = None if no_report else _write_page(out, lang)
    output.lines(summary_lines(result, out, page=page, lang=lang))
    output.document(summary_document(result, out, page=page, lang=lang))
    click.get_current_context().exit(EXIT_GRADED if is_wholly_graded(result) else EXIT_NOT_GRADED)


def _write_page(out: Path, lang: str) -> Path | None:
    """The feedback page beside the result `out`, or None (with a warning) if the report
    cannot be rendered here; the result is written all the same."""
    try:
        from grader.report.render import write_feedback_beside

        page, _ = write_feedback_beside(out, lang=lang)
    except ImportError as error:
        _ = translator(lang)
        Output.warning(
            _(
                "warning: no feedback page: the report is not available here (%(error)s).",
                error=error,
            )
        )
        return None
    return page
