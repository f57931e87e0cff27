"""The bug-heavy class: its batch against a numpy start, and the reruns that should cost nothing.

In one stage, so that every ratio compares figures taken minutes apart on the same machine:

1. a bare ``python -c "import numpy"``, a few times;
2. ``nngrade batch --force`` of the bug-heavy class of N (reports included), into a fresh
   RESULTS: the first run;
3. the same command without ``--force``, nothing changed, `RERUNS` times: each rerun should
   grade nothing and render nothing;
4. `RERUNS` times, another submission edited (a line of code appended to one module) and
   the same command again: it should grade and render that one only; then that submission
   alone, as a class of one, into a fresh RESULTS: what "the cost of that one" is;
5. the numpy starts again.

The reruns take a second or two each, so one of them is at the mercy of whatever else the
machine does at that moment: their medians are what the figures compare.
"""

from __future__ import annotations

import re
import shutil
import statistics
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from bench.batch_run import batch_figures, read_documents, run_batch
from bench.inprocess import submission_path
from bench.measure import MeasuredRun
from bench.numpy_start import against_numpy, numpy_figures, numpy_starts
from bench.synthetic import SyntheticSubmission

EDIT = "\n\nEDITED_AFTER_GRADING = True  # a change of the code: a new content hash\n"
RERUNS = 3


def editable(submissions: Sequence[SyntheticSubmission], count: int) -> list[SyntheticSubmission]:
    """The first `count` submissions with a mistake handed in as a folder."""
    return [s for s in submissions if s.form == "folder" and s.category != "variant"][:count]


def edit(folder: Path, submission: SyntheticSubmission) -> None:
    """Append a line of code to one module of `submission`, written in `folder`."""
    module = folder / submission.student / f"{sorted(submission.sources)[0]}.py"
    module.write_text(module.read_text(encoding="utf-8") + EDIT, encoding="utf-8")


def bug_heavy(
    folder: Path,
    submissions: list[SyntheticSubmission],
    out: Path,
    *,
    workers: int,
    logs: Path,
    repeats: int,
) -> dict[str, Any]:
    """Run the stage on the bug-heavy class written in `folder`; its figures."""
    before = numpy_starts(repeats)
    results = out / f"results-{folder.name}"
    first = run_batch(folder, results, workers=workers, logs=logs)
    figures = batch_figures(first, read_documents(results), submissions, workers)
    nothing = [
        run_batch(folder, results, workers=workers, logs=logs, rerun=f"nothing-changed-{k}")
        for k in range(RERUNS)
    ]
    ones, alones = [], []
    for k, edited in enumerate(editable(submissions, RERUNS)):
        edit(folder, edited)
        ones.append(
            run_batch(folder, results, workers=workers, logs=logs, rerun=f"one-changed-{k}")
        )
        alone = out / f"{folder.name}-alone"
        if alone.exists():
            shutil.rmtree(alone)
        alone.mkdir(parents=True)
        shutil.copytree(submission_path(folder, edited), alone / edited.student)
        alones.append(run_batch(alone, out / f"results-{alone.name}", workers=workers, logs=logs))
    against_numpy(figures, numpy_figures(before, numpy_starts(repeats)), workers)
    nothing_wall, one_wall, alone_wall = _median(nothing), _median(ones), _median(alones)
    figures["rerun"] = {
        "nothing_changed_wall_seconds": nothing_wall,
        "nothing_changed_cpu_seconds": statistics.median(run.cpu_seconds for run in nothing),
        "nothing_changed_over_first": nothing_wall / first.wall_seconds,
        "one_changed_wall_seconds": one_wall,
        "one_changed_cpu_seconds": statistics.median(run.cpu_seconds for run in ones),
        "one_alone_wall_seconds": alone_wall,
        # What one change adds to a rerun, against grading that one submission alone.
        "one_changed_extra_over_alone": (one_wall - nothing_wall) / alone_wall,
        "walls": {
            "nothing_changed": [run.wall_seconds for run in nothing],
            "one_changed": [run.wall_seconds for run in ones],
            "one_alone": [run.wall_seconds for run in alones],
        },
        "edited_students": [s.student for s in editable(submissions, RERUNS)],
        "graded_by_nothing_changed": [
            graded_count(logs, folder, f"nothing-changed-{k}") for k in range(RERUNS)
        ],
        "graded_by_one_changed": [
            graded_count(logs, folder, f"one-changed-{k}") for k in range(len(ones))
        ],
    }
    return figures


def _median(runs: Sequence[MeasuredRun]) -> float:
    return statistics.median(run.wall_seconds for run in runs)


def graded_count(logs: Path, folder: Path, rerun: str) -> int | None:
    """How many submissions a rerun graded, from its log ("Graded 1 submission in...")."""
    log = logs / f"batch-{folder.name}-{rerun}.log"
    found = re.search(r"^Graded (\d+) submission", log.read_text(errors="replace"), re.MULTILINE)
    return int(found.group(1)) if found else None
