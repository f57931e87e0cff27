"""`nngrade grade SUBMISSION`: grade one submission and write its result document."""

from __future__ import annotations

from pathlib import Path

import click

from grader.commands import DomainError, require_isolation, unsafe_option
from grader.commands.limits import limit_options, resolve_limits
from grader.engine import grade_submission, write_result
from grader.errors import NngradeError
from grader.i18n import N_, format_number, translator
from grader.result import Result, parse_result

STATUS_WORDS = {
    "graded": N_("graded"),
    "load_failed": N_("could not be loaded"),
    "internal_error": N_("internal error of the grader"),
}
"""How each `status` of a result reads in the summary."""


def summary_lines(result: Result, out: Path, lang: str = "en") -> list[str]:
    """The short report printed after grading, in `lang`: total, one line per exercise, the
    file."""
    _ = translator(lang)
    status = _(STATUS_WORDS[result.status]) if result.status in STATUS_WORDS else result.status
    lines = [
        _(
            "%(student)s: %(score)s / %(max_score)s (%(status)s)",
            student=result.student,
            score=float(result.score),
            max_score=float(result.max_score),
            status=status,
        )
    ]
    if result.message:
        lines.append(f"  {result.message}")
    for exercise in result.exercises:
        passed = sum(test.passed for test in exercise.tests)
        score, most = format_number(exercise.score, lang), format_number(exercise.max_score, lang)
        tests = _("%(passed)s/%(total)s tests passed", passed=passed, total=len(exercise.tests))
        lines.append(f"  {exercise.id:<26} {score:>5} / {most:<4} {tests}")
    lines.append(_("Result written to %(path)s", path=str(out)))
    return lines


@click.command()
@click.argument("submission", type=click.Path(path_type=Path))
@click.option(
    "--out",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="Where to write the result document [default: result.json in the current folder].",
)
@click.option("--student", default=None, help="Student id [default: the submission's name].")
@click.option(
    "--lang",
    type=click.Choice(["en", "fr"]),
    default="en",
    show_default=True,
    help="Language of the messages and of this summary.",
)
@unsafe_option
@limit_options
def grade(
    submission: Path,
    out: Path | None,
    student: str | None,
    lang: str,
    config: Path | None,
    call_timeout: float | None,
    submission_timeout: float | None,
    import_timeout: float | None,
    memory_mib: int | None,
    unsafe: bool,
) -> None:
    """Grade SUBMISSION (an exercises folder, a .zip of it, or a .ipynb notebook).

    Writes the result document (docs/result-schema.md) and prints the score per exercise.
    Exits 0 once graded, whatever the score; 2 when SUBMISSION cannot be found, the
    course's configuration cannot be used, or this machine cannot isolate student code
    (see `nngrade doctor`).

    The limits (per call, per submission, per import, memory) are the options below, else
    the course's nngrade.toml ([limits]) or pyproject.toml ([tool.nngrade.limits]), given
    with --config or found in the current folder or its parents, else nngrade's defaults;
    the result records the figures in force (isolation.limits).

    \b
    Examples:
      nngrade grade alice.zip --out results/alice.json
      nngrade grade bob/ --call-timeout 3 --memory 2048
    """
    if not submission.exists() and not submission.is_symlink():
        raise click.BadParameter(
            f"{str(submission)!r} does not exist; give the path of a folder, .zip or .ipynb.",
            param_hint="SUBMISSION",
        )
    out = out or Path.cwd() / "result.json"
    require_isolation(unsafe)
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
        raise DomainError(str(error)) from error
    click.echo("\n".join(summary_lines(parse_result(document), out, lang)))
