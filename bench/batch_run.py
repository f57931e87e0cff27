"""Grade a synthetic class with ``nngrade batch`` (a subprocess, all cores) and measure it."""

from __future__ import annotations

import json
import shutil
import statistics
from collections import Counter
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from bench.measure import MeasuredRun, run_measured, tail
from bench.synthetic import SyntheticSubmission
from bench.tools import ROOT, BenchmarkFailed, console_script, tool_environment


def run_batch(
    class_dir: Path, results: Path, *, workers: int, logs: Path, rerun: str | None = None
) -> MeasuredRun:
    """``nngrade batch CLASS --out RESULTS --force --workers N`` into a fresh RESULTS; or, with
    `rerun` (a name for its log), ``nngrade batch CLASS --out RESULTS --workers N`` over the
    RESULTS of an earlier run, which grades and renders only what changed."""
    if rerun is None and results.exists():
        shutil.rmtree(results)
    log = logs / f"batch-{class_dir.name}{'' if rerun is None else '-' + rerun}.log"
    command: list[str | Path] = [
        console_script("nngrade"),
        "batch",
        class_dir,
        "--out",
        results,
        *(["--force"] if rerun is None else []),
        "--workers",
        str(workers),
    ]
    run = run_measured(command, log=log, env=tool_environment())
    if run.returncode != 0:
        raise BenchmarkFailed(
            f"nngrade batch exited with status {run.returncode}; the end of {log}:\n{tail(log)}"
        )
    return run


def read_documents(results: Path) -> dict[str, dict[str, Any]]:
    """Student -> result document, for every ``RESULTS/<student>/result.json``."""
    documents = {}
    for path in sorted(results.glob("*/result.json")):
        documents[path.parent.name] = json.loads(path.read_text(encoding="utf-8"))
    return documents


def check_documents(documents: dict[str, dict[str, Any]]) -> int:
    """Validate every document against docs/result-schema.json; how many were checked.

    Raises `BenchmarkFailed` naming the first documents and fields that do not follow it:
    a fast batch that writes wrong documents has measured nothing.
    """
    import jsonschema  # the test extra's: the benchmark runs in the project's environment

    schema = json.loads((ROOT / "docs" / "result-schema.json").read_text(encoding="utf-8"))
    validator = jsonschema.Draft202012Validator(schema)
    wrong = [
        f"{student}: {'/'.join(map(str, error.absolute_path))}: {error.message}"
        for student, document in sorted(documents.items())
        for error in validator.iter_errors(document)
    ]
    if wrong:
        listed = "\n".join(wrong[:10])
        raise BenchmarkFailed(
            f"{len(wrong)} field(s) of the result documents do not follow "
            f"docs/result-schema.json:\n{listed}"
        )
    return len(documents)


def _median(values: Sequence[float]) -> float | None:
    return statistics.median(values) if values else None


def batch_figures(
    run: MeasuredRun,
    documents: dict[str, dict[str, Any]],
    submissions: Sequence[SyntheticSubmission],
    workers: int,
) -> dict[str, Any]:
    """The batch's figures, and what each category of the class scored (a sanity check)."""
    n = len(submissions)
    timings = [doc.get("timing") or {} for doc in documents.values()]
    worker_cpu = [float(t["cpu_seconds"]) for t in timings if t.get("cpu_seconds") is not None]
    wall = [float(t["wall_seconds"]) for t in timings if t.get("wall_seconds") is not None]
    starts = [int(t.get("worker_starts") or 0) for t in timings]
    grading_wall = sum(wall)
    by_category: dict[str, dict[str, Any]] = {}
    for submission in submissions:
        document = documents.get(submission.student)
        entry = by_category.setdefault(
            submission.category,
            {"n": 0, "scores": [], "statuses": Counter(), "timeouts": 0, "wall": 0.0},
        )
        entry["n"] += 1
        if document is None:
            entry["statuses"]["no result"] += 1
            continue
        entry["statuses"][str(document.get("status"))] += 1
        entry["wall"] += float((document.get("timing") or {}).get("wall_seconds") or 0.0)
        entry["scores"].append(float(document.get("score") or 0.0))
        outcomes = [
            test.get("outcome")
            for exercise in document.get("exercises") or []
            for test in exercise.get("tests") or []
        ]
        entry["timeouts"] += int("timeout" in outcomes)
    categories = {
        category: {
            "n": entry["n"],
            "mean_score": statistics.fmean(entry["scores"]) if entry["scores"] else None,
            "statuses": dict(entry["statuses"]),
            "with_timeouts": entry["timeouts"],
            "grading_wall_seconds": entry["wall"],
        }
        for category, entry in sorted(by_category.items())
    }
    return {
        "n": n,
        "workers": workers,
        "results": len(documents),
        "wall_seconds": run.wall_seconds,
        "cpu_seconds": run.cpu_seconds,
        "cpu_seconds_per_submission": run.cpu_seconds / n,
        "wall_seconds_per_submission": run.wall_seconds / n,
        "submissions_per_second": n / run.wall_seconds,
        "median_worker_cpu_seconds": _median(worker_cpu),
        "median_document_wall_seconds": _median(wall),
        # Grading itself (the documents' wall times, spread over the workers) against the
        # batch's wall: the rest is start-up, waiting and writing the class files.
        "grading_wall_seconds": grading_wall,
        "overhead_wall_seconds": run.wall_seconds - grading_wall / workers,
        "worker_starts": sum(starts),
        "submissions_with_restarts": sum(s > 1 for s in starts),
        "peak_tree_rss_bytes": run.peak_tree_rss_bytes,
        "peak_tree_pss_bytes": run.peak_tree_pss_bytes,
        "max_rss_bytes": run.max_rss_bytes,
        "peak_process_rss_bytes": run.peak_process_rss_bytes,
        "peak_processes": run.peak_processes,
        "peak_pss_at_seconds": run.peak_pss_at_seconds,
        "peak_pss_by_level": run.peak_pss_by_level,
        "pss_timeline_bytes": run.pss_timeline_bytes,
        "memory_samples": run.samples,
        "categories": categories,
        "command": list(run.command),
    }
