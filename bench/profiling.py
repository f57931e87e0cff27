"""`python -m bench.profiling`: where grading one submission spends its time.

Grades a few submissions of the synthetic class in this process under cProfile, with one
`Sandbox` and one grading session of the hidden suites reused as a batch's grading process
does (one submission is graded first, unprofiled, so that imports, the collection and
first-use costs are left out). Prints a breakdown by stage (the run of the tests and
their bodies; worker start and close; round trips; finite differences; the reference) and
the top entries by cumulative time, and saves the raw profile for ``python -m pstats`` or
snakeviz.

The default timer is the wall clock: round trips then include the student code running in
the worker. ``--timer cpu`` counts this process's CPU only.
"""

from __future__ import annotations

import cProfile
import pstats
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import click

from bench.inprocess import submission_path
from bench.mutations import CATEGORIES
from bench.synthetic import MIXES, plan_class, write_class
from bench.tools import ROOT


@dataclass(frozen=True)
class Bucket:
    """A stage of grading, found in the profile by the functions that make it.

    Attributes:
        label: what the stage is, for the table.
        functions: ``(path fragment, function name)`` pairs; their cumulative times add
            up (choose functions that never call each other).
        own_time_of: a path fragment whose functions' own times add up instead (for a
            package whose functions call each other, e.g. ``reference/``).
    """

    label: str
    functions: tuple[tuple[str, str], ...] = ()
    own_time_of: str = ""


# Nested stages are indented in their label: the outer one includes them.
BUCKETS: tuple[Bucket, ...] = (
    Bucket("loading the submission", (("grader/loading/submission.py", "load_submission"),)),
    Bucket("worker start (open_session)", (("grader/sandbox/sandbox.py", "open_session"),)),
    Bucket("running the tests", (("grader/engine/runner.py", "grade"),)),
    # A test is called through pytest's protocol or directly (`grader.engine.runner`).
    Bucket(
        "  test bodies",
        (("_pytest/python.py", "pytest_pyfunc_call"), ("grader/engine/runner.py", "_call")),
    ),
    Bucket("    round trips to the worker", (("grader/sandbox/session.py", "_invoke"),)),
    Bucket("    codec (encode + decode)", own_time_of="grader/sandbox/codec.py"),
    Bucket(
        "    finite differences (with their calls)",
        (("grader/gradcheck.py", "central_difference_gradient"),),
    ),
    Bucket("    reference implementation", own_time_of="/reference/"),
    Bucket("session close (kill, sweep)", (("grader/sandbox/session.py", "close"),)),
    Bucket("result document", (("grader/engine/document.py", "build_result"),)),
)


def bucket_seconds(stats: pstats.Stats, bucket: Bucket) -> float:
    """The seconds the profile attributes to `bucket`."""
    total = 0.0
    # pstats keeps its table undocumented: (file, line, function) -> (calls, ..., own, cumulative)
    table = stats.stats  # type: ignore[attr-defined]
    for (filename, _, name), (_, _, own, cumulative, _) in table.items():
        path = filename.replace("\\", "/")
        if bucket.own_time_of and bucket.own_time_of in path:
            total += own
        elif any(fragment in path and name == function for fragment, function in bucket.functions):
            total += cumulative
    return total


def breakdown(stats: pstats.Stats, graded: int, wall: float) -> list[str]:
    """The table of stages, per submission and as a share of the graded time."""
    lines = [f"{'stage':<46} {'s / submission':>15} {'share':>7}"]
    for bucket in BUCKETS:
        seconds = bucket_seconds(stats, bucket)
        lines.append(f"{bucket.label:<46} {seconds / graded:>15.4f} {seconds / wall:>7.1%}")
    lines.append(f"{'grade_submission, whole':<46} {wall / graded:>15.4f} {1:>7.1%}")
    return lines


@click.command(context_settings={"help_option_names": ["-h", "--help"]})
@click.option("--n", default=5, show_default=True, help="Submissions to profile.")
@click.option(
    "--category",
    "categories",
    default="variant,bug",
    show_default=True,
    help=f"Categories to draw them from, comma-separated, among: {', '.join(CATEGORIES)}.",
)
@click.option(
    "--mix",
    type=click.Choice(list(MIXES)),
    default="synthetic",
    show_default=True,
    help="The class to draw from (bug-heavy: for the category `bugs`, several mistakes).",
)
@click.option("--top", default=30, show_default=True, help="Entries of the cumulative listing.")
@click.option(
    "--timer",
    type=click.Choice(["wall", "cpu"]),
    default="wall",
    show_default=True,
    help="What cProfile measures: elapsed time or this process's CPU.",
)
@click.option("--seed", default=0, show_default=True, help="Seed of the synthetic class.")
@click.option(
    "--out",
    type=click.Path(file_okay=False, path_type=Path),
    default=ROOT / "bench" / "out",
    show_default=True,
    help="Folder for the profiled class and profile.pstats.",
)
def main(n: int, categories: str, mix: str, top: int, timer: str, seed: int, out: Path) -> None:
    """Profile grade_submission on a few synthetic submissions, one Sandbox reused.

    Prints the time per submission of each stage of grading (the run of the tests and
    their bodies; worker start and close; round trips, codec, finite differences, reference),
    then the top entries by cumulative time, and saves the profile as OUT/profile.pstats.

    \b
    Examples:
      python -m bench.profiling                      5 correct or buggy submissions
      python -m bench.profiling --n 3 --category timeout --timer cpu
      python -m bench.profiling --mix bug-heavy --category bug,bugs
      python -m pstats bench/out/profile.pstats      browse the saved profile
    """
    from grader.engine import SuiteRunner, grade_submission, with_hidden_suites
    from grader.sandbox import Sandbox

    wanted = {part.strip() for part in categories.split(",") if part.strip()}
    unknown = wanted - set(CATEGORIES)
    if unknown or not wanted:
        raise click.BadParameter(
            f"Choose categories among {', '.join(CATEGORIES)}, not {categories!r}."
        )
    class_ = plan_class(200, seed, mix=MIXES[mix])
    sample = [s for s in class_ if s.category in wanted][: n + 1]
    if len(sample) < 2:
        raise click.BadParameter(
            f"The {mix} class has too few submissions in {categories!r}"
            + ("; try --mix bug-heavy." if mix != "bug-heavy" else ".")
        )
    folder = out.resolve() / "profile-class"
    write_class(sample, folder)
    warm_up, profiled = sample[0], sample[1:]
    clock_of = time.process_time if timer == "cpu" else time.perf_counter
    profiler = cProfile.Profile(clock_of)
    spent = 0.0

    def grade_profiled(runner: SuiteRunner) -> None:
        nonlocal spent
        grade_submission(submission_path(folder, warm_up), sandbox=sandbox, runner=runner)
        for submission in profiled:
            path = submission_path(folder, submission)
            start = clock_of()
            profiler.enable()
            document = grade_submission(
                path, student_id=submission.student, sandbox=sandbox, runner=runner
            )
            profiler.disable()
            spent += clock_of() - start
            click.echo(
                f"{submission.student} ({'+'.join(submission.mutations)}): {document['status']}, "
                f"{document['score']:g}/{document['max_score']:g}"
            )

    with Sandbox(hidden_paths=(folder,)) as sandbox:
        with_hidden_suites(grade_profiled)
    saved = out.resolve() / "profile.pstats"
    profiler.dump_stats(saved)
    stats = pstats.Stats(profiler)
    click.echo(f"\nWhere the time goes ({timer} clock, {len(profiled)} submissions):")
    click.echo("\n".join(breakdown(stats, len(profiled), spent)))
    click.echo(f"\nTop {top} by cumulative time:")
    stats.sort_stats("cumulative").print_stats(top)
    click.echo(f"Saved the profile: {saved}")


def _main(argv: Sequence[str] | None = None) -> None:
    main(args=argv, prog_name="python -m bench.profiling")


if __name__ == "__main__":
    _main()
