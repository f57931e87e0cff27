"""`python -m bench`: the whole benchmark in one run, figures to JSON and a table.

Stages, in order (each can be skipped with --skip; a stage that fails is reported and the
others still run):

- ``batch``: build the class of N and grade it with ``nngrade batch`` (all cores, --force),
  between starts of a bare ``python -c "import numpy"``;
- ``bug-heavy``: the same with a class of N as full of mistakes as a real one, then the
  reruns: nothing changed, one submission changed (and that one graded alone);
- ``memory``: peak memory of batches of each N in --memory-ns (reusing ``batch`` for N);
- ``scale``: peak memory of the batch's own process over copies of the graded bug-heavy
  class, at each size of --scale-sizes (`bench.class_scale`);
- ``inprocess``: grade a sample in this process to get the median CPU per submission;
- ``sandbox``: worker start and round-trip costs through the sandbox API;
- ``plain``: the class of N graded as root and as a plain user (--plain-user, created if
  absent) in turns, their sandbox costs and ``nngrade doctor``; skipped, with the reason,
  where no plain user can be had (not root);
- ``nbgrader``: the first --nbgrader-n students with ``nbgrader autograde``, and the same
  students with ``nngrade batch``;
- ``selfcheck``: the handout's self-check, on the stubs and on the answer key.
"""

from __future__ import annotations

import json
import os
import platform
import subprocess
import sys
import time
import traceback
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import click

from bench.batch_run import batch_figures, check_documents, read_documents, run_batch
from bench.bug_heavy import bug_heavy
from bench.class_scale import class_scale
from bench.inprocess import grade_in_process, pick_sample, summarise
from bench.nbgrader_run import autograde, nbgrader_available
from bench.numpy_start import against_numpy, numpy_figures, numpy_starts
from bench.plain_stage import plain_stage
from bench.plain_user import DEFAULT_USER, PlainUserUnavailable
from bench.report import evaluate, render_table
from bench.sandbox_costs import sandbox_costs, write_answer_key
from bench.selfcheck_timing import selfcheck_timing
from bench.synthetic import MIXES, SyntheticSubmission, build_class, write_class
from bench.tools import ROOT, BenchmarkFailed

STAGES: tuple[str, ...] = (
    "batch",
    "bug-heavy",
    "memory",
    "scale",
    "inprocess",
    "sandbox",
    "plain",
    "nbgrader",
    "selfcheck",
)
NUMPY_REPEATS = 5
DEFAULT_OUT = ROOT / "bench" / "out"


def _revision() -> str:
    """The checkout's commit, marked ``+changes`` when the tree differs from it."""
    try:
        head = subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True
        ).stdout.strip()
        changed = subprocess.run(
            ["git", "status", "--porcelain"], cwd=ROOT, capture_output=True, text=True
        ).stdout.strip()
    except OSError:
        return "unknown (git is not available)"
    return f"{head}+changes" if changed else head


def _load() -> str:
    return " ".join(f"{value:.2f}" for value in os.getloadavg())


def _stages(value: str) -> set[str]:
    chosen = {part.strip() for part in value.split(",") if part.strip()}
    unknown = chosen - set(STAGES)
    if unknown:
        raise click.BadParameter(
            f"Unknown stage(s) {', '.join(sorted(unknown))}; choose among {', '.join(STAGES)}."
        )
    return chosen


def _ns(value: str) -> list[int]:
    try:
        ns = sorted({int(part) for part in value.split(",") if part.strip()})
    except ValueError:
        raise click.BadParameter(
            f"{value!r} is not a list of class sizes; write them like 50,200."
        ) from None
    if any(n < 1 for n in ns):
        raise click.BadParameter(f"Every class size must be at least 1, not {value!r}.")
    return ns


class Benchmark:
    """One run: where it writes, what it built, and the figures gathered so far."""

    def __init__(self, out: Path, n: int, seed: int, workers: int) -> None:
        self.out = out
        self.logs = out / "logs"
        self.n = n
        self.seed = seed
        self.workers = workers
        self.figures: dict[str, Any] = {}
        self.failures: list[str] = []
        self._classes: dict[tuple[int, str], list[SyntheticSubmission]] = {}

    def class_of(self, n: int, mix: str = "synthetic") -> tuple[Path, list[SyntheticSubmission]]:
        """The class of `n` of `mix`, built on first use into ``OUT/class-<n>/`` (synthetic)
        or ``OUT/class-<mix>-<n>/``."""
        folder = self.out / (f"class-{n}" if mix == "synthetic" else f"class-{mix}-{n}")
        if (n, mix) not in self._classes:
            self._classes[n, mix] = build_class(n, folder, seed=self.seed, mix=MIXES[mix])
        return folder, self._classes[n, mix]

    def batch(self, n: int) -> dict[str, Any]:
        """Grade the class of `n` with ``nngrade batch`` into ``OUT/results-<n>/``."""
        folder, submissions = self.class_of(n)
        results = self.out / f"results-{n}"
        run = run_batch(folder, results, workers=self.workers, logs=self.logs)
        documents = read_documents(results)
        figures = batch_figures(run, documents, submissions, self.workers)
        figures["documents_following_the_schema"] = check_documents(documents)
        return figures

    def batch_against_numpy(self, n: int) -> dict[str, Any]:
        """`batch`, between starts of a bare numpy: the wall per submission in those."""
        before = numpy_starts(NUMPY_REPEATS)
        figures = self.batch(n)
        against_numpy(figures, numpy_figures(before, numpy_starts(NUMPY_REPEATS)), self.workers)
        return figures

    def bug_heavy(self, n: int) -> dict[str, Any]:
        """The bug-heavy class of `n`: first run, reruns, numpy starts (`bench.bug_heavy`)."""
        folder, submissions = self.class_of(n, "bug-heavy")
        figures = bug_heavy(
            folder,
            submissions,
            self.out,
            workers=self.workers,
            logs=self.logs,
            repeats=NUMPY_REPEATS,
        )
        manifest = json.loads(folder.with_name(f"{folder.name}.manifest.json").read_text())
        figures["class"] = manifest["categories"]
        return figures

    def stage(self, name: str, action: Callable[[], Any]) -> None:
        """Run one stage; record its figures, or its failure and go on."""
        click.echo(f"[{datetime.now():%H:%M:%S}] {name}: running (load {_load()})", err=True)
        clock = time.perf_counter()
        try:
            self.figures[name] = action()
        except BenchmarkFailed as error:
            self.failures.append(f"{name}: {error}")
            self.figures[name] = {"error": str(error)}
        except Exception as error:  # a half-built grader must not lose the other stages
            self.failures.append(f"{name}: {type(error).__name__}: {error}")
            self.figures[name] = {"error": traceback.format_exc()}
        spent = time.perf_counter() - clock
        click.echo(f"[{datetime.now():%H:%M:%S}] {name}: done in {spent:.1f} s", err=True)


MEMORY_FIGURES: tuple[str, ...] = (
    "wall_seconds",
    "cpu_seconds",
    "peak_tree_rss_bytes",
    "peak_tree_pss_bytes",
    "max_rss_bytes",
    "peak_process_rss_bytes",
    "peak_processes",
    "peak_pss_at_seconds",
    "peak_pss_by_level",
    "pss_timeline_bytes",
)


def _memory(bench: Benchmark, ns: list[int]) -> dict[str, Any]:
    """The memory figures of a batch of each class size (the `batch` stage's is reused)."""
    runs = {}
    for n in ns:
        reused = bench.figures.get("batch") or {}
        figures = reused if reused.get("n") == n else bench.batch(n)
        runs[str(n)] = {key: figures[key] for key in MEMORY_FIGURES}
    return runs


def _scale(bench: Benchmark, sizes: list[int]) -> dict[str, Any]:
    """`class_scale` over the bug-heavy class of N, graded first if `bug-heavy` did not run."""
    folder, _ = bench.class_of(bench.n, "bug-heavy")
    graded = bench.out / f"results-{folder.name}"
    if not (graded / "summary.json").is_file():
        run_batch(folder, graded, workers=bench.workers, logs=bench.logs)
    return class_scale(folder, graded, bench.out, sizes, logs=bench.logs)


def _inprocess(bench: Benchmark, size: int) -> dict[str, Any]:
    folder, submissions = bench.class_of(bench.n)
    warm_up, *sample = pick_sample(submissions, size + 1)
    return summarise(grade_in_process(folder, sample, warm_up=warm_up))


def _sandbox(bench: Benchmark, repeats: int) -> dict[str, Any]:
    return sandbox_costs(write_answer_key(bench.out / "answer-key"), repeats=repeats)


def _plain(bench: Benchmark, user_name: str, repeats: int) -> dict[str, Any]:
    class_dir, submissions = bench.class_of(bench.n)
    try:
        return plain_stage(
            user_name=user_name,
            class_dir=class_dir,
            n=len(submissions),
            workers=bench.workers,
            repeats=repeats,
            out=bench.out,
            logs=bench.logs,
            say=lambda line: click.echo(line, err=True),
        )
    except PlainUserUnavailable as reason:
        click.echo(f"plain stage skipped: {reason}", err=True)
        return {"skipped": str(reason)}


def _nbgrader(bench: Benchmark, size: int) -> dict[str, Any]:
    missing = nbgrader_available()
    if missing is not None:
        click.echo(f"nbgrader stage skipped: {missing}", err=True)
        return {"skipped": missing}
    _, submissions = bench.class_of(bench.n)
    sample = submissions[:size]
    figures = autograde(bench.out / "nbgrader-course", sample, bench.logs)
    # The same students through nngrade batch: the like-for-like comparison.
    folder = bench.out / "class-nbgrader"
    write_class(sample, folder)
    run = run_batch(folder, bench.out / "results-nbgrader", workers=bench.workers, logs=bench.logs)
    ours = run.wall_seconds / len(sample)
    figures["nngrade_same_students_wall_seconds_per_submission"] = ours
    figures["ratio_same_students"] = figures["wall_seconds_per_submission"] / ours
    batch = bench.figures.get("batch") or {}
    if batch.get("wall_seconds_per_submission"):
        figures["nngrade_class_wall_seconds_per_submission"] = batch["wall_seconds_per_submission"]
        figures["ratio_per_submission"] = (
            figures["wall_seconds_per_submission"] / batch["wall_seconds_per_submission"]
        )
    else:
        figures["ratio_per_submission"] = figures["ratio_same_students"]
    return figures


@click.command(context_settings={"help_option_names": ["-h", "--help"]})
@click.option(
    "--n",
    default=200,
    show_default=True,
    help="Submissions in the synthetic class and in the bug-heavy one.",
)
@click.option(
    "--nbgrader-n",
    default=20,
    show_default=True,
    help="Students (the first of the class) graded with nbgrader autograde.",
)
@click.option(
    "--memory-ns",
    default="50,200",
    show_default=True,
    help="Class sizes whose batch peak memory is compared, comma-separated.",
)
@click.option(
    "--scale-sizes",
    default="200,2000",
    show_default=True,
    help="Class sizes, copied from the graded bug-heavy class, whose batch process peak "
    "memory is compared, comma-separated.",
)
@click.option(
    "--workers",
    type=click.IntRange(min=1),
    default=os.cpu_count() or 1,
    show_default=True,
    help="Grading processes for nngrade batch (every core by default).",
)
@click.option("--inprocess-n", default=20, show_default=True, help="Submissions graded in process.")
@click.option("--repeats", default=5, show_default=True, help="Runs of each self-check timing.")
@click.option("--seed", default=0, show_default=True, help="Seed of the synthetic class.")
@click.option(
    "--plain-user",
    default=DEFAULT_USER,
    show_default=True,
    help="The plain user of the `plain` stage, created if absent (run as root).",
)
@click.option(
    "--plain-repeats",
    type=click.IntRange(min=1),
    default=2,
    show_default=True,
    help="Batches of the class of N as root, and as many as the plain user, in turns.",
)
@click.option(
    "--out",
    type=click.Path(file_okay=False, path_type=Path),
    default=DEFAULT_OUT,
    show_default=True,
    help="Working folder: classes, results, logs and figures.json.",
)
@click.option(
    "--skip",
    default="",
    help=f"Stages to leave out, comma-separated, among: {', '.join(STAGES)}.",
)
@click.option(
    "--only",
    default="",
    help="The stages to run, comma-separated (the others are left out); not with --skip.",
)
def main(
    n: int,
    nbgrader_n: int,
    memory_ns: str,
    scale_sizes: str,
    workers: int,
    inprocess_n: int,
    repeats: int,
    seed: int,
    plain_user: str,
    plain_repeats: int,
    out: Path,
    skip: str,
    only: str,
) -> None:
    """Measure nngrade against the performance issues' targets, on this machine.

    Builds a synthetic class of N submissions from solutions/ (correct variants, common
    bugs, partial submissions, timeouts, broken imports) and a bug-heavy one (most with one
    common bug, some with several), grades both with `nngrade batch` against the start of
    a bare `python -c "import numpy"`, reruns the bug-heavy one (nothing changed, then one
    submission changed), grades the class again as root and as a plain user in turns,
    grades the first students with nbgrader's autograde on the exported assignment, times
    the handout self-check, and writes OUT/figures.json and a table of the targets.

    Run it from the repository root, on a quiet machine: other work on the same cores
    makes every figure pessimistic (the load average is recorded with the figures).

    \b
    Examples:
      python -m bench                                 the full run (a few minutes)
      python -m bench --n 50 --nbgrader-n 5 --memory-ns 20,50
      python -m bench --skip nbgrader,memory          nngrade alone
      python -m bench --only batch,bug-heavy          the two classes and the reruns
      python -m bench --only sandbox,plain            the sandbox's costs, and the class
                                                      as root and as a plain user
      python -m bench.profiling --n 5                 where one submission's time goes
    """
    if n < 1 or nbgrader_n < 1 or inprocess_n < 1:
        raise click.BadParameter("--n, --nbgrader-n and --inprocess-n must be at least 1.")
    if skip and only:
        raise click.UsageError("Give --skip or --only, not both.")
    skipped = set(STAGES) - _stages(only) if only else _stages(skip)
    ns = _ns(memory_ns)
    scaled = _ns(scale_sizes)
    if len(scaled) < 2 and "scale" not in skipped:
        raise click.BadParameter(f"--scale-sizes needs two sizes or more, not {scale_sizes!r}.")
    out = out.resolve()
    out.mkdir(parents=True, exist_ok=True)
    bench = Benchmark(out, n, seed, workers)
    bench.figures["machine"] = {
        "cpus": os.cpu_count(),
        "python": platform.python_version(),
        "platform": platform.platform(),
        "load_before": _load(),
    }
    bench.figures["settings"] = {
        "n": n,
        "nbgrader_n": nbgrader_n,
        "memory_ns": ns,
        "scale_sizes": scaled,
        "workers": workers,
        "inprocess_n": inprocess_n,
        "seed": seed,
        "plain_user": plain_user,
        "plain_repeats": plain_repeats,
        "revision": _revision(),
        "started": datetime.now(UTC).isoformat(timespec="seconds"),
        "command": " ".join(["python -m bench", *sys.argv[1:]]),
    }
    _, submissions = bench.class_of(n)
    bench.figures["class"] = json.loads(
        (out / f"class-{n}.manifest.json").read_text(encoding="utf-8")
    )["categories"]
    click.echo(f"Built a class of {len(submissions)} into {out / f'class-{n}'}.", err=True)
    plan: dict[str, Callable[[], Any]] = {
        "batch": lambda: bench.batch_against_numpy(n),
        "bug-heavy": lambda: bench.bug_heavy(n),
        "memory": lambda: _memory(bench, ns),
        "scale": lambda: _scale(bench, scaled),
        "inprocess": lambda: _inprocess(bench, inprocess_n),
        "sandbox": lambda: _sandbox(bench, 20),
        "plain": lambda: _plain(bench, plain_user, plain_repeats),
        "nbgrader": lambda: _nbgrader(bench, min(nbgrader_n, n)),
        "selfcheck": lambda: selfcheck_timing(out / "selfcheck", repeats),
    }
    for name in STAGES:
        if name not in skipped:
            bench.stage(name, plan[name])
    bench.figures["machine"]["load_after"] = _load()
    bench.figures["targets"] = evaluate(bench.figures)
    bench.figures["failures"] = bench.failures
    target = out / "figures.json"
    target.write_text(json.dumps(bench.figures, indent=1, sort_keys=True) + "\n", encoding="utf-8")
    click.echo(render_table(bench.figures))
    click.echo(f"\nFigures: {target}")
    for failure in bench.failures:
        click.echo(f"stage failed: {failure.splitlines()[0]}", err=True)
    if bench.failures:
        sys.exit(1)
