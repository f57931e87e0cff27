"""`python -m bench.cluster`: grading on a Dask cluster against the local batch, and what a
MOOC's last deadline hour would need.

On one synthetic class (`bench.synthetic`), three configurations of ``nngrade batch --force
--no-report``: the local batch (``--workers 2``), then ``--scheduler`` on a Dask cluster of
1 and of 2 worker processes (``threads_per_worker=1``) started on this machine with
`distributed.LocalCluster`. Each cluster first grades a small warm-up class, so that the
measured run is the steady state of a cluster that is already up (imports done), as a
course's cluster is; each run still starts its own sandboxes. The configurations are run
`--repeats` times, interleaved; the machine is shared, so each figure is given as the
median and for the fastest run (the one other work disturbed least).

Measured per run: wall, submissions per second, and CPU per submission where it is spent:
the client (``nngrade batch``: loading, sending, writing; its start-up and class files are
counted apart, from the warm-up run), the scheduler (with the nannies: this process) and
the workers (their processes and everything they reaped: the sandboxes' zygotes and
workers), both beyond what they spend idle, measured just before. Every cluster run's
documents are compared with the local run's, apart from `timing`.

The overhead per submission is the time a worker spends on a submission outside grading
itself: the workers' wall time over the class minus the grading time in the documents
(`timing.wall_seconds`), per submission: dispatch, transfer, decoding and encoding, and,
for the local batch, its processes' start-up. From one worker's throughput, `mooc_estimate`
works out the workers a MOOC needs.
"""

from __future__ import annotations

import json
import math
import os
import shutil
import statistics
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import click

from bench.batch_run import read_documents
from bench.measure import MeasuredRun, process_tree, run_measured, tail
from bench.synthetic import build_class
from bench.tools import ROOT, BenchmarkFailed, console_script, tool_environment

DEFAULT_OUT = ROOT / "bench" / "out" / "cluster"
WARM_UP_N = 10
IDLE_SECONDS = 3.0
MOOC_SUBMISSIONS = 50_000
MOOC_HOURS = 1.0
PEAK_FACTOR = 2.0
"""Submissions do not arrive evenly in the last hour: the estimate is also given for a
rate twice the hour's mean (the last minutes before a deadline)."""


@dataclass(frozen=True)
class MoocEstimate:
    """The workers a deadline hour needs, from one worker's measured throughput.

    Attributes:
        submissions: submissions arriving in the window.
        hours: the window's length.
        mean_rate: submissions per second, on average over the window.
        peak_rate: the rate the cluster is sized for (`peak_factor` times the mean).
        per_worker_rate: submissions per second one worker process grades (measured).
        workers_for_mean: workers that keep up with the mean rate.
        workers_for_peak: workers that keep up with the peak rate.
        client_cpu_share: the share of one core the client needs at the peak rate.
        scheduler_cpu_share: the share of one core the scheduler needs at the peak rate.
    """

    submissions: int
    hours: float
    mean_rate: float
    peak_rate: float
    per_worker_rate: float
    workers_for_mean: int
    workers_for_peak: int
    client_cpu_share: float
    scheduler_cpu_share: float


def mooc_estimate(
    per_worker_rate: float,
    client_cpu_per_submission: float,
    scheduler_cpu_per_submission: float,
    *,
    submissions: int = MOOC_SUBMISSIONS,
    hours: float = MOOC_HOURS,
    peak_factor: float = PEAK_FACTOR,
) -> MoocEstimate:
    """How many single-threaded worker processes (one core each) grade `submissions` in
    `hours`, given one worker's rate; and whether one client and one scheduler keep up."""
    if per_worker_rate <= 0:
        raise ValueError("the measured rate of a worker must be positive")
    mean_rate = submissions / (hours * 3600.0)
    peak_rate = peak_factor * mean_rate
    return MoocEstimate(
        submissions=submissions,
        hours=hours,
        mean_rate=mean_rate,
        peak_rate=peak_rate,
        per_worker_rate=per_worker_rate,
        workers_for_mean=math.ceil(mean_rate / per_worker_rate),
        workers_for_peak=math.ceil(peak_rate / per_worker_rate),
        client_cpu_share=peak_rate * client_cpu_per_submission,
        scheduler_cpu_share=peak_rate * scheduler_cpu_per_submission,
    )


def _cpu_of_descendants() -> float:
    """User + system CPU of this process's descendants: the living ones, and what they
    reaped (a worker process counts its sandbox's zygote once that has ended)."""
    ticks = 0
    for pid, depth in process_tree(os.getpid()).items():
        if depth == 0:
            continue
        try:
            with open(f"/proc/{pid}/stat", "rb") as stat:
                text = stat.read()
        except OSError:  # ended meanwhile: its parent reaped it, and counts it
            continue
        # Fields 14 to 17 (utime, stime, cutime, cstime), after the command name's ')'.
        fields = text[text.rindex(b")") + 2 :].split()
        ticks += sum(int(value) for value in fields[11:15])
    return ticks / os.sysconf("SC_CLK_TCK")


@contextmanager
def _local_cluster(workers: int) -> Iterator[str]:
    """A scheduler (in this process) and `workers` worker processes on 127.0.0.1."""
    from distributed import LocalCluster

    with LocalCluster(
        n_workers=workers,
        threads_per_worker=1,
        processes=True,
        host="127.0.0.1",
        scheduler_port=0,
        dashboard_address=":0",
    ) as cluster:
        yield cluster.scheduler_address


def _batch(class_dir: Path, results: Path, log: Path, *options: str) -> MeasuredRun:
    if results.exists():
        shutil.rmtree(results)
    command: list[str | Path] = [console_script("nngrade"), "batch", class_dir, "--out", results]
    run = run_measured(
        [*command, "--force", "--no-report", *options], log=log, env=tool_environment()
    )
    if run.returncode != 0:
        raise BenchmarkFailed(f"nngrade batch exited with {run.returncode}:\n{tail(log)}")
    return run


def _without_timing(results: Path) -> dict[str, dict[str, Any]]:
    documents = read_documents(results)
    for document in documents.values():
        document.pop("timing", None)
    return documents


def _compare(
    local: dict[str, dict[str, Any]], cluster: dict[str, dict[str, Any]]
) -> dict[str, int]:
    """How many documents are the same, differ, or are left out of the comparison because
    either run's sandbox failed on them (`internal_error`: the machine, not the cluster)."""
    counts = {"same": 0, "different": 0, "internal_errors": 0}
    for student in sorted(set(local) | set(cluster)):
        mine, theirs = local.get(student), cluster.get(student)
        if any(doc is not None and doc.get("status") == "internal_error" for doc in (mine, theirs)):
            counts["internal_errors"] += 1
        elif mine == theirs:
            counts["same"] += 1
        else:
            counts["different"] += 1
    return counts


def _grading_figures(run: MeasuredRun, results: Path, n: int, workers: int) -> dict[str, Any]:
    """Throughput, and the time a worker spends on a submission outside grading itself."""
    documents = read_documents(results)
    grading = [
        float((d.get("timing") or {}).get("wall_seconds") or 0.0) for d in documents.values()
    ]
    return {
        "results": len(documents),
        "wall_seconds": run.wall_seconds,
        "submissions_per_second": n / run.wall_seconds,
        "mean_grading_seconds": statistics.fmean(grading) if grading else 0.0,
        "overhead_seconds_per_submission": (workers * run.wall_seconds - sum(grading)) / n,
    }


def _local_run(class_dir: Path, out: Path, n: int, repeat: int) -> dict[str, Any]:
    results = out / "results-local"
    run = _batch(class_dir, results, out / f"local-{repeat}.log", "--workers", "2")
    return {
        **_grading_figures(run, results, n, 2),
        "cpu_seconds_per_submission": run.cpu_seconds / n,
    }


def _cluster_run(
    workers: int, class_dir: Path, warm_up: Path, out: Path, n: int, repeat: int
) -> tuple[dict[str, Any], Path]:
    """One measured run on a fresh cluster, after a warm-up run; the CPU of the scheduler
    (with the nannies: this process) and of the workers is counted beyond what they spend
    idle, measured for `IDLE_SECONDS` just before."""
    results = out / f"results-dask-{workers}"
    with _local_cluster(workers) as address:
        warm = _batch(
            warm_up,
            out / "results-warm-up",
            out / f"warm-up-{workers}-{repeat}.log",
            "--scheduler",
            address,
        )
        time.sleep(1.0)  # the warm-up's sandboxes close once its plugin is removed
        workers_idle, scheduler_idle = _cpu_of_descendants(), time.process_time()
        time.sleep(IDLE_SECONDS)
        workers_before, scheduler_before = _cpu_of_descendants(), time.process_time()
        idle_workers = (workers_before - workers_idle) / IDLE_SECONDS
        idle_scheduler = (scheduler_before - scheduler_idle) / IDLE_SECONDS
        run = _batch(
            class_dir, results, out / f"dask-{workers}-{repeat}.log", "--scheduler", address
        )
        time.sleep(1.0)
        worker_cpu = _cpu_of_descendants() - workers_before - idle_workers * run.wall_seconds
        scheduler_cpu = time.process_time() - scheduler_before - idle_scheduler * run.wall_seconds
    client = (run.cpu_seconds - warm.cpu_seconds) / (n - WARM_UP_N)
    figures = {
        **_grading_figures(run, results, n, workers),
        "client_cpu_seconds_per_submission": client,
        "client_start_cpu_seconds": warm.cpu_seconds - WARM_UP_N * client,
        "scheduler_cpu_seconds_per_submission": scheduler_cpu / n,
        "scheduler_idle_cpu_share": idle_scheduler,
        "worker_cpu_seconds_per_submission": worker_cpu / n,
        "worker_idle_cpu_share": idle_workers / workers,
    }
    figures["cpu_seconds_per_submission"] = (
        client
        + figures["scheduler_cpu_seconds_per_submission"]
        + figures["worker_cpu_seconds_per_submission"]
    )
    return figures, results


def _median_figures(repeats: list[dict[str, Any]]) -> dict[str, Any]:
    """Each figure's median over the repeats (the machine is shared: one run can be unlucky)."""
    return {key: statistics.median(run[key] for run in repeats) for key in repeats[0]}


def _best_run(repeats: list[dict[str, Any]]) -> dict[str, Any]:
    """The fastest repeat: the one the machine's other work disturbed least."""
    return min(repeats, key=lambda run: run["wall_seconds"])


def _table(figures: dict[str, Any]) -> str:
    header = ("run", "wall", "subs/s", "CPU/sub", "client", "scheduler", "worker", "overhead/sub")
    rows = [header]
    for kind in ("median", "best"):
        for name, run in figures[kind].items():
            rows.append(
                (
                    f"{name} ({kind})",
                    f"{run['wall_seconds']:.1f} s",
                    f"{run['submissions_per_second']:.1f}",
                    _ms(run["cpu_seconds_per_submission"]),
                    _ms(run.get("client_cpu_seconds_per_submission")),
                    _ms(run.get("scheduler_cpu_seconds_per_submission")),
                    _ms(run.get("worker_cpu_seconds_per_submission")),
                    _ms(run["overhead_seconds_per_submission"]),
                )
            )
    widths = [max(len(row[i]) for row in rows) for i in range(len(header))]
    lines = ["  ".join(cell.ljust(w) for cell, w in zip(row, widths, strict=True)) for row in rows]
    lines += [
        "",
        f"{figures['settings']['repeats']} runs of each; load average before "
        f"{figures['machine']['load_before']}, after {figures['machine']['load_after']}",
    ]
    for kind in ("best", "median"):
        estimate = figures["mooc"][kind]
        lines += [
            f"MOOC from the {kind} 1-worker run: {estimate['submissions']} submissions in "
            f"{estimate['hours']:g} h = {estimate['mean_rate']:.1f}/s on average, sized for "
            f"{estimate['peak_rate']:.1f}/s; one worker grades "
            f"{estimate['per_worker_rate']:.2f}/s: "
            f"{estimate['workers_for_mean']} workers for the mean, "
            f"{estimate['workers_for_peak']} for the peak (one core each); at the peak the "
            f"client needs {estimate['client_cpu_share']:.0%} of a core, the scheduler "
            f"{estimate['scheduler_cpu_share']:.0%} beyond its idle cost",
        ]
    compared = figures["compared_with_local"]
    lines.append(
        f"documents against the local batch's: {compared['same']} the same, "
        f"{compared['different']} different, {compared['internal_errors']} left out "
        "(the sandbox failed on them in one of the runs)"
    )
    return "\n".join(lines)


def _ms(value: float | None) -> str:
    return "-" if value is None else f"{value * 1000:.0f} ms"


def _load() -> list[float]:
    return [round(value, 2) for value in os.getloadavg()]


@click.command()
@click.option("--n", default=200, show_default=True, help="Submissions in the class.")
@click.option("--repeats", default=3, show_default=True, help="Runs of each configuration.")
@click.option("--seed", default=0, show_default=True, help="Seed of the synthetic class.")
@click.option(
    "--out",
    type=click.Path(file_okay=False, path_type=Path),
    default=DEFAULT_OUT,
    show_default=True,
    help="Where the classes, results, logs and figures go.",
)
def main(n: int, repeats: int, seed: int, out: Path) -> None:
    """Throughput of `nngrade batch --scheduler` with 1 and 2 Dask workers against the
    local batch, the overhead per submission, and the workers a MOOC's last hour needs.

    Needs the dask extra (pip install -e '.[dask]'). Run it from the repository root on a
    quiet machine; the runs are interleaved and their medians reported. About 2 minutes
    per repeat for N = 200 on 2 cores.
    """
    if n <= WARM_UP_N or repeats < 1:
        raise click.BadParameter(f"--n must be above {WARM_UP_N} and --repeats at least 1.")
    try:
        import distributed  # noqa: F401
    except ImportError:
        raise click.ClickException("This benchmark needs Dask: pip install -e '.[dask]'.") from None
    out = out.resolve()
    out.mkdir(parents=True, exist_ok=True)
    class_dir, warm_up = out / f"class-{n}", out / "class-warm-up"
    build_class(n, class_dir, seed=seed)
    build_class(WARM_UP_N, warm_up, seed=seed + 1)
    command = " ".join(["python -m bench.cluster", *sys.argv[1:]])
    figures: dict[str, Any] = {
        "machine": {"cpus": os.cpu_count(), "load_before": _load()},
        "settings": {"n": n, "repeats": repeats, "seed": seed, "command": command},
    }
    names = ("local, 2 processes", "Dask, 1 worker", "Dask, 2 workers")
    runs: dict[str, list[dict[str, Any]]] = {name: [] for name in names}
    compared = {"same": 0, "different": 0, "internal_errors": 0}
    for repeat in range(repeats):
        click.echo(
            f"Repeat {repeat + 1} of {repeats}: local, then 1 and 2 Dask workers...", err=True
        )
        runs[names[0]].append(_local_run(class_dir, out, n, repeat))
        local = _without_timing(out / "results-local")
        for workers, name in ((1, names[1]), (2, names[2])):
            run_figures, results = _cluster_run(workers, class_dir, warm_up, out, n, repeat)
            runs[name].append(run_figures)
            for key, count in _compare(local, _without_timing(results)).items():
                compared[key] += count
    figures["median"] = {name: _median_figures(measured) for name, measured in runs.items()}
    figures["best"] = {name: _best_run(measured) for name, measured in runs.items()}
    figures["repeats"] = runs
    figures["compared_with_local"] = compared
    figures["mooc"] = {
        kind: asdict(
            mooc_estimate(
                figures[kind][names[1]]["submissions_per_second"],
                figures[kind][names[1]]["client_cpu_seconds_per_submission"],
                figures[kind][names[1]]["scheduler_cpu_seconds_per_submission"],
            )
        )
        for kind in ("best", "median")
    }
    figures["machine"]["load_after"] = _load()
    target = out / "figures.json"
    target.write_text(json.dumps(figures, indent=1, sort_keys=True) + "\n", encoding="utf-8")
    click.echo(_table(figures))
    click.echo(f"\nFigures: {target}")
    if compared["different"]:
        raise click.ClickException("A cluster run wrote other documents than the local batch.")


if __name__ == "__main__":
    main()
