"""Grade submissions in this process with one reused `Sandbox`: per-submission CPU, exactly.

A batch's CPU figure (children rusage) is a class total; this is how the benchmark gets a
*median* per submission: the trusted side's CPU (`time.process_time`, pytest and the
reference included) plus the worker's (the result document's ``timing.cpu_seconds``).
"""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from bench.synthetic import SyntheticSubmission


@dataclass(frozen=True)
class GradedSample:
    """One submission graded in process.

    Attributes:
        student: the submission's id.
        category: its category in the synthetic class.
        status: the result document's `status`.
        score, max_score: from the result document.
        wall_seconds: `grade_submission`, end to end.
        trusted_cpu_seconds: CPU of this process while grading it.
        worker_cpu_seconds: CPU of its sandboxed workers (``timing.cpu_seconds``).
        worker_starts: workers started for it (``timing.worker_starts``).
    """

    student: str
    category: str
    status: str
    score: float
    max_score: float
    wall_seconds: float
    trusted_cpu_seconds: float
    worker_cpu_seconds: float
    worker_starts: int

    @property
    def cpu_seconds(self) -> float:
        """Trusted side and worker together: the submission's CPU cost."""
        return self.trusted_cpu_seconds + self.worker_cpu_seconds


def submission_path(folder: Path, submission: SyntheticSubmission) -> Path:
    """Where `write_class` put `submission` inside `folder`."""
    suffix = ".ipynb" if submission.form == "notebook" else ""
    return folder / f"{submission.student}{suffix}"


def pick_sample(
    submissions: Sequence[SyntheticSubmission], size: int, *, skip: Sequence[str] = ("timeout",)
) -> list[SyntheticSubmission]:
    """The first `size` submissions not in the categories `skip` (timeouts take seconds each)."""
    return [s for s in submissions if s.category not in skip][:size]


def grade_in_process(
    folder: Path,
    sample: Sequence[SyntheticSubmission],
    *,
    warm_up: SyntheticSubmission | None = None,
    on_graded: Callable[[GradedSample], None] | None = None,
) -> list[GradedSample]:
    """Grade `sample` (written in `folder`) one after the other with one `Sandbox` and one
    grading session of the hidden suites, as a batch's grading process does.

    `warm_up` is graded first and not measured: the first grading of a process pays for
    imports and first-use costs that a batch pays once per grading process.
    """
    from grader.engine import SuiteRunner, grade_submission, with_hidden_suites
    from grader.sandbox import Sandbox

    graded: list[GradedSample] = []

    def grade_sample(runner: SuiteRunner) -> None:
        if warm_up is not None:
            grade_submission(submission_path(folder, warm_up), sandbox=sandbox, runner=runner)
        for submission in sample:
            cpu, clock = time.process_time(), time.perf_counter()
            document = grade_submission(
                submission_path(folder, submission),
                student_id=submission.student,
                sandbox=sandbox,
                runner=runner,
            )
            wall = time.perf_counter() - clock
            trusted = time.process_time() - cpu
            timing = document.get("timing") or {}
            sample_result = GradedSample(
                student=submission.student,
                category=submission.category,
                status=str(document.get("status")),
                score=float(document.get("score") or 0.0),
                max_score=float(document.get("max_score") or 0.0),
                wall_seconds=wall,
                trusted_cpu_seconds=trusted,
                worker_cpu_seconds=float(timing.get("cpu_seconds") or 0.0),
                worker_starts=int(timing.get("worker_starts") or 0),
            )
            graded.append(sample_result)
            if on_graded is not None:
                on_graded(sample_result)

    with Sandbox(hidden_paths=(folder.resolve(),)) as sandbox:
        with_hidden_suites(grade_sample)
    return graded


def summarise(graded: Sequence[GradedSample]) -> dict[str, Any]:
    """Medians of the in-process figures, and every sample for the JSON."""
    if not graded:
        return {"n": 0}
    return {
        "n": len(graded),
        "median_cpu_seconds": statistics.median(g.cpu_seconds for g in graded),
        "median_trusted_cpu_seconds": statistics.median(g.trusted_cpu_seconds for g in graded),
        "median_worker_cpu_seconds": statistics.median(g.worker_cpu_seconds for g in graded),
        "median_wall_seconds": statistics.median(g.wall_seconds for g in graded),
        "max_cpu_seconds": max(g.cpu_seconds for g in graded),
        "samples": [asdict(g) | {"cpu_seconds": g.cpu_seconds} for g in graded],
    }
