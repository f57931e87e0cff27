"""Memory of the batch's own process as the class grows, far beyond what the bench grades.

The batch reads every result document after grading, to write the class files and the
report. Whatever it keeps of each grows with the class: at 50,000 students (a MOOC), a
parsed document kept whole (about 90 KiB) would be gigabytes. Grading 50,000 submissions
to measure that would take an hour, so this stage copies a graded class instead: students
``c000-s001``, ``c001-s001``... with the submission and the result of ``s001``, until the
class has N students. Each copy is a result the batch keeps (same sources, same grader),
so that a batch over it grades nothing and measures only the reading. Two runs at each N:

1. ``first``: every result is new to RESULTS' bookkeeping: the content hashes are computed
   and every feedback page and Gradescope file is written, in the batch's own process;
2. ``rerun``: nothing changed: everything is read, nothing written.

The figure is the batch process's peak RSS (it starts no grading process when nothing is
to grade), and what each student adds to it between the smallest and the largest N. The
peak is the process's own ``VmHWM``, read as it exits: ``ru_maxrss`` would count the
benchmark's own memory, which the batch shares between fork and exec.

    python -m bench.class_scale --source bench/out/class-bug-heavy-200 \\
        --results bench/out/results-class-bug-heavy-200 --sizes 200,2000
"""

from __future__ import annotations

import json
import shutil
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import click

from bench.measure import run_measured, tail
from bench.tools import ROOT, BenchmarkFailed, tool_environment

RUNS = ("first", "rerun")
PEAK_FILE = "NNGRADE_BENCH_PEAK_FILE"
# `nngrade` itself, writing its peak RSS (kB) into $NNGRADE_BENCH_PEAK_FILE as it exits.
NNGRADE_WITH_PEAK = """
import atexit, os, sys

def write_peak():
    with open("/proc/self/status", encoding="ascii") as status:
        peak = next(line.split()[1] for line in status if line.startswith("VmHWM:"))
    with open(os.environ["NNGRADE_BENCH_PEAK_FILE"], "w", encoding="ascii") as out:
        out.write(peak)

atexit.register(write_peak)
sys.argv[0] = "nngrade"
from grader.cli import main
main()
"""


def scaled_class(source: Path, graded: Path, out: Path, size: int) -> tuple[Path, Path]:
    """A class of `size` students copied from the folder submissions of `source` and their
    results in `graded`, written into ``OUT/class`` and ``OUT/results`` (fresh)."""
    students = sorted(
        entry.name
        for entry in source.iterdir()
        if entry.is_dir() and (graded / entry.name / "result.json").is_file()
    )
    if not students:
        raise BenchmarkFailed(
            f"{source} holds no folder submission with a result in {graded}: grade it first "
            f"(nngrade batch {source} --out {graded})."
        )
    if out.exists():
        shutil.rmtree(out)
    class_dir, results = out / "class", out / "results"
    class_dir.mkdir(parents=True)
    for index in range(size):
        original = students[index % len(students)]
        student = f"c{index // len(students):03d}-{original}"
        shutil.copytree(source / original, class_dir / student)
        document = json.loads((graded / original / "result.json").read_text(encoding="utf-8"))
        document["student"] = student
        (results / student).mkdir(parents=True)
        (results / student / "result.json").write_text(
            json.dumps(document, ensure_ascii=False), encoding="utf-8"
        )
    return class_dir, results


def class_scale(
    source: Path, graded: Path, out: Path, sizes: Sequence[int], *, logs: Path
) -> dict[str, Any]:
    """Run both batches at each size; the figures, by size then run."""
    figures: dict[str, Any] = {"sizes": list(sizes), "source": str(source)}
    for size in sizes:
        class_dir, results = scaled_class(source, graded, out / f"scale-{size}", size)
        runs: dict[str, Any] = {}
        for run_name in RUNS:
            log = logs / f"class-scale-{size}-{run_name}.log"
            peak_file = out / f"class-scale-{size}-{run_name}.peak"
            command: list[str | Path] = [sys.executable, "-c", NNGRADE_WITH_PEAK, "batch"]
            command += [class_dir, "--out", results, "--quiet", "--json"]
            env = {**tool_environment(), PEAK_FILE: str(peak_file)}
            run = run_measured(command, log=log, env=env)
            if run.returncode != 0:
                raise BenchmarkFailed(
                    f"nngrade batch exited with status {run.returncode}; the end of {log}:\n"
                    f"{tail(log)}"
                )
            summary = _summary(log)
            if summary["graded_now"] or len(summary["kept"]) != size:
                raise BenchmarkFailed(
                    f"the batch over the copies graded {len(summary['graded_now'])} and kept "
                    f"{len(summary['kept'])} of {size}: every copy should be kept ({log})."
                )
            runs[run_name] = {
                "wall_seconds": round(run.wall_seconds, 3),
                "cpu_seconds": round(run.cpu_seconds, 3),
                "peak_rss_bytes": int(peak_file.read_text(encoding="ascii")) * 1024,
                "peak_processes": run.peak_processes,
            }
            peak_file.unlink()
        figures[str(size)] = runs
        shutil.rmtree(out / f"scale-{size}")  # thousands of copies: not kept
    figures["growth"] = growth(figures)
    return figures


def _summary(log: Path) -> dict[str, Any]:
    """The batch's ``--json`` summary, which is all its quiet output."""
    try:
        found = json.loads(log.read_text(encoding="utf-8"))
    except ValueError:
        raise BenchmarkFailed(f"the batch printed more than its summary: see {log}.") from None
    return dict(found)


def growth(figures: dict[str, Any]) -> dict[str, Any]:
    """For each run: the peak RSS at the largest size over the smallest, and the KiB each
    student adds between them."""
    sizes = sorted(int(size) for size in figures["sizes"])
    low, high = str(sizes[0]), str(sizes[-1])
    found = {}
    for run in RUNS:
        small, large = figures[low][run]["peak_rss_bytes"], figures[high][run]["peak_rss_bytes"]
        found[run] = {
            "ratio": round(large / small, 3),
            "kib_per_student": round((large - small) / 1024 / (sizes[-1] - sizes[0]), 2),
        }
    return found


@click.command(context_settings={"help_option_names": ["-h", "--help"]})
@click.option(
    "--source",
    type=click.Path(exists=True, file_okay=False, path_type=Path),
    default=ROOT / "bench" / "out" / "class-bug-heavy-200",
    show_default=True,
    help="A class of folder submissions, graded into --results.",
)
@click.option(
    "--results",
    "graded",
    type=click.Path(exists=True, file_okay=False, path_type=Path),
    default=ROOT / "bench" / "out" / "results-class-bug-heavy-200",
    show_default=True,
    help="The results of --source.",
)
@click.option(
    "--sizes",
    default="200,2000",
    show_default=True,
    help="Class sizes to build and read, comma-separated (at least two).",
)
@click.option(
    "--out",
    type=click.Path(file_okay=False, path_type=Path),
    default=ROOT / "bench" / "out",
    show_default=True,
    help="Where the copies are made (deleted after each size) and the figures written.",
)
def main(source: Path, graded: Path, sizes: str, out: Path) -> None:
    """Peak memory of a batch over copies of a graded class, at each size (see the module)."""
    try:
        wanted = sorted({int(size) for size in sizes.split(",") if size.strip()})
    except ValueError:
        raise click.BadParameter(f"{sizes!r}: give whole numbers, e.g. 200,2000.") from None
    if len(wanted) < 2 or wanted[0] < 1:
        raise click.BadParameter("give at least two sizes of 1 or more, e.g. 200,2000.")
    try:
        figures = class_scale(source, graded, out, wanted, logs=out / "logs")
    except BenchmarkFailed as failure:
        raise click.ClickException(str(failure)) from None
    (out / "class_scale.json").write_text(json.dumps(figures, indent=2) + "\n", encoding="utf-8")
    for size in wanted:
        for run in RUNS:
            figure = figures[str(size)][run]
            click.echo(
                f"N = {size:>6} {run:>5}: peak RSS {figure['peak_rss_bytes'] / 2**20:7.1f} MiB, "
                f"{figure['wall_seconds']:6.1f} s wall"
            )
    for run, found in figures["growth"].items():
        click.echo(f"{run}: x{found['ratio']} ({found['kib_per_student']} KiB per student)")


if __name__ == "__main__":
    main()
