"""The bug-heavy class: its batch against a numpy start, and the reruns that should cost nothing.

In one stage, so that every ratio compares figures taken minutes apart on the same machine:

1. a bare ``python -c "import numpy"``, a few times;
2. ``nngrade batch --force`` of the bug-heavy class of N (reports included), into a fresh
   RESULTS: the first run;
3. the same command without ``--force``, nothing changed: the rerun should grade nothing and
   render nothing;
4. one submission edited (a line of code appended to one module), the same command again:
   it should grade and render that one only;
5. that submission alone, as a class of one, into a fresh RESULTS: what "the cost of that
   one" is;
6. the numpy starts again.
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path
from typing import Any

from bench.batch_run import batch_figures, read_documents, run_batch
from bench.inprocess import submission_path
from bench.numpy_start import against_numpy, numpy_figures, numpy_starts
from bench.synthetic import SyntheticSubmission

EDIT = "\n\nEDITED_AFTER_GRADING = True  # a change of the code: a new content hash\n"


def edit_one(folder: Path, submissions: list[SyntheticSubmission]) -> SyntheticSubmission:
    """Edit the first submission handed in as a folder, in place; return it."""
    chosen = next(s for s in submissions if s.form == "folder" and s.category != "variant")
    module = folder / chosen.student / f"{sorted(chosen.sources)[0]}.py"
    module.write_text(module.read_text(encoding="utf-8") + EDIT, encoding="utf-8")
    return chosen


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
    nothing = run_batch(folder, results, workers=workers, logs=logs, rerun="nothing-changed")
    edited = edit_one(folder, submissions)
    one = run_batch(folder, results, workers=workers, logs=logs, rerun="one-changed")
    alone_class = out / f"{folder.name}-alone"
    if alone_class.exists():
        shutil.rmtree(alone_class)
    alone_class.mkdir(parents=True)
    shutil.copytree(submission_path(folder, edited), alone_class / edited.student)
    alone = run_batch(alone_class, out / f"results-{alone_class.name}", workers=workers, logs=logs)
    against_numpy(figures, numpy_figures(before, numpy_starts(repeats)), workers)
    figures.update(
        rerun={
            "nothing_changed_wall_seconds": nothing.wall_seconds,
            "nothing_changed_cpu_seconds": nothing.cpu_seconds,
            "nothing_changed_over_first": nothing.wall_seconds / first.wall_seconds,
            "edited_student": edited.student,
            "one_changed_wall_seconds": one.wall_seconds,
            "one_changed_cpu_seconds": one.cpu_seconds,
            "one_alone_wall_seconds": alone.wall_seconds,
            # What one change adds to a rerun, against grading that one submission alone.
            "one_changed_extra_over_alone": (one.wall_seconds - nothing.wall_seconds)
            / alone.wall_seconds,
            "graded_by_nothing_changed": graded_count(logs, folder, "nothing-changed"),
            "graded_by_one_changed": graded_count(logs, folder, "one-changed"),
        },
    )
    return figures


def graded_count(logs: Path, folder: Path, rerun: str) -> int | None:
    """How many submissions a rerun graded, from its log ("Graded 1 submission(s) in...")."""
    log = logs / f"batch-{folder.name}-{rerun}.log"
    found = re.search(r"^Graded (\d+) submission", log.read_text(errors="replace"), re.MULTILINE)
    return int(found.group(1)) if found else None
