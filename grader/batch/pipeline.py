"""Grade a whole class: `grade_class`, the library behind `nngrade batch`.

The steps, in order: check the arguments; lock RESULTS (one batch at a time) and delete the
temporary files a killed run left; discover the submissions; keep the results that are up
to date; grade the others in parallel; read back every result; write the class files;
render the HTML report. Interrupted (Ctrl-C, SIGTERM), it stops after the grading step:
what is graded is kept, and running the same command again finishes the job.
"""

from __future__ import annotations

import contextlib
import os
import threading
import time
from collections.abc import Callable, Collection, Iterator, Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from grader.atomic import remove_stale_temp_files
from grader.batch.backend import GradingBackend, engine_backend
from grader.batch.discovery import Discovery, discover_submissions
from grader.batch.progress import Progress
from grader.batch.resume import plan_grading, read_result, result_path
from grader.batch.runner import GradingRun, run_grading
from grader.batch.worker import Task, WorkerSettings
from grader.errors import UsageError
from grader.exports.class_files import ExportOptions, WrittenFiles, write_class_files
from grader.exports.rows import StudentRow, build_rows
from grader.exports.student_map import StudentMap
from grader.result import Result

LANGUAGES = ("en", "fr")
LOCK_FILE = ".nngrade-batch.lock"


@dataclass(frozen=True)
class BatchReport:
    """What a batch did, for the command's summary and for scripts.

    Attributes:
        discovery: the submissions found, rejected and ignored.
        results: the RESULTS folder.
        graded: students graded by this run.
        kept: students whose up-to-date result was kept.
        grading: the grading step (failures, interruption).
        rows: one row per student (empty when interrupted).
        written: the class files written (None when interrupted).
        report: the class report's index.html, when it was rendered.
        notes: sentences for the instructor (stale files removed, unmapped students...).
        workers: grading processes used.
        wall_seconds: the run's duration.
        regrading: why results were graded again -> how many (first gradings aside).
    """

    discovery: Discovery
    results: Path
    graded: tuple[str, ...]
    kept: tuple[str, ...]
    grading: GradingRun
    rows: tuple[StudentRow, ...] = ()
    written: WrittenFiles | None = None
    report: Path | None = None
    notes: tuple[str, ...] = field(default=())
    workers: int = 0
    wall_seconds: float = 0.0
    regrading: Mapping[str, int] = field(default_factory=dict)

    @property
    def interrupted(self) -> bool:
        return self.grading.interrupted


def grade_class(
    submissions: Path,
    results: Path,
    *,
    workers: int | None = None,
    force: bool = False,
    lang: str = "en",
    assignment: str | None = None,
    exports: ExportOptions | None = None,
    backend: GradingBackend | None = None,
    progress: Progress | None = None,
    render: bool = True,
    hidden_paths: tuple[Path, ...] = (),
    limits: Any = None,
) -> BatchReport:
    """Grade every submission of `submissions` into `results`, then write the class files.

    Args:
        submissions: one folder, .zip or .ipynb per student, or nbgrader's ``submitted``.
        results: where ``<student>/result.json`` and the class files go (created if needed).
        workers: grading processes (default: every core).
        force: grade again even the submissions whose result is up to date.
        lang: language of the students' messages, ``en`` or ``fr``.
        assignment: nbgrader layout: the assignment to grade.
        exports: student map and Canvas assignment for the gradebook files.
        backend: the grader (default: the real engine); tests pass a fake.
        progress: receives progress while grading.
        render: render the HTML report at the end when it is available.
        hidden_paths: more folders the students' code must not see (e.g. an nbgrader
            course, whose ``source/`` holds the answers); `submissions` and `results` are
            always hidden.
        limits: the `SandboxLimits` every submission is graded under (default: nngrade's;
            `grader.config.course_limits` reads a course's).

    Raises:
        UsageError: bad arguments, no submission, or another batch writing into `results`.
        SandboxError: the sandbox cannot start.
    """
    began = time.monotonic()
    if lang not in LANGUAGES:
        raise UsageError(f"Unknown language {lang!r}; use one of: {', '.join(LANGUAGES)}.")
    workers = workers if workers is not None else (os.cpu_count() or 1)
    if workers < 1:
        raise UsageError(f"--workers must be at least 1 (got {workers}).")
    backend = backend or engine_backend()
    exports = exports or ExportOptions()
    discovery = discover_submissions(submissions, assignment=assignment, exclude=(results,))
    results.mkdir(parents=True, exist_ok=True)
    notes: list[str] = []
    with _exclusive(results):
        removed = remove_stale_temp_files(results)
        if removed:
            notes.append(f"Removed {len(removed)} unfinished file(s) left by an interrupted run.")
        plan = plan_grading(discovery.submissions, results, backend, force=force, limits=limits)
        tasks = [
            Task(s.student, s.path.resolve(), result_path(results, s.student).resolve())
            for s in plan.to_grade
        ]
        settings = WorkerSettings(
            backend=backend,
            hidden_paths=(
                submissions.resolve(),
                results.resolve(),
                *(path.resolve() for path in hidden_paths),
            ),
            lang=lang,
            render=render,  # each page rendered by the process that graded it, in parallel
            limits=limits,
        )
        used = min(workers, len(tasks))
        if render and tasks:
            _preload_report()
        if progress is not None:
            progress.start(len(tasks), len(plan.up_to_date), plan.regrading())
        try:
            on_event = progress.update if progress is not None else None
            grading = run_grading(
                tasks,
                settings,
                workers=workers,
                on_event=on_event,
                render_left=_page_renderer(results, lang) if render else None,
            )
        finally:
            if progress is not None:
                progress.finish()
        graded = tuple(sorted(grading.finished))
        kept = tuple(s.student for s in plan.up_to_date)
        report = BatchReport(
            discovery, results, graded, kept, grading, workers=used, regrading=plan.regrading()
        )
        if grading.interrupted:
            return replace(report, notes=tuple(notes), wall_seconds=time.monotonic() - began)
        rows = _class_rows(discovery, results, grading)
        notes.extend(_map_notes(exports.student_map, discovery))
        notes.extend(_orphan_notes(discovery, results))
        written = write_class_files(
            results,
            rows,
            grader_version=backend.version,
            options=exports,
            ignored=[(item.entry, item.reason) for item in discovery.ignored],
        )
    index, render_notes = _render(results, lang, grading.rendered) if render else (None, [])
    notes.extend(render_notes)
    return replace(
        report,
        rows=tuple(rows),
        written=written,
        report=index,
        notes=tuple(notes),
        wall_seconds=time.monotonic() - began,  # the report's rendering included
    )


def _class_rows(discovery: Discovery, results: Path, grading: GradingRun) -> list[StudentRow]:
    documents: dict[str, Result] = {}
    unscored: list[tuple[str, str, str]] = []
    for submission in discovery.submissions:
        result = read_result(result_path(results, submission.student), submission.student)
        if submission.student in grading.failed:
            message = grading.failed[submission.student]
            unscored.append((submission.student, "not_graded", message))
        elif result is None:
            message = "no valid result.json; run the batch again to grade it."
            unscored.append((submission.student, "not_graded", message))
        else:
            documents[submission.student] = result
    for rejection in discovery.rejected:
        unscored.append((rejection.student, rejection.status, rejection.message))
    return build_rows(documents, unscored)


def _map_notes(student_map: StudentMap | None, discovery: Discovery) -> list[str]:
    if student_map is None:
        return []
    students = set(discovery.students)
    notes = []
    unknown = student_map.unknown(students)
    if unknown:
        notes.append(
            f"The student map lists {len(unknown)} id(s) with no submission: "
            f"{', '.join(unknown)} (they get no row; check for typos)."
        )
    unmapped = student_map.unmapped(students)
    if unmapped:
        notes.append(
            f"{len(unmapped)} submission(s) are not in the student map and are left out of "
            f"moodle.csv and canvas.csv: {', '.join(unmapped)}. Add them to "
            f"{student_map.source} and run the batch again."
        )
    if student_map.moodle_field is None:
        notes.append(
            "The student map has no username, idnumber or email column: moodle.csv "
            "identifies students by submission id."
        )
    return notes


def _orphan_notes(discovery: Discovery, results: Path) -> list[str]:
    known = set(discovery.students)
    orphans = sorted(
        child.name
        for child in results.iterdir()
        if child.is_dir() and (child / "result.json").exists() and child.name not in known
    )
    if not orphans:
        return []
    return [
        f"RESULTS holds results of {len(orphans)} student(s) no longer in SUBMISSIONS, "
        f"left out of the class files: {', '.join(orphans)}."
    ]


def _preload_report() -> None:
    """Load the report's plotting library on a thread while the class is graded: the class
    summary's histogram and the pages with a plot need it at the end, where its import
    would add to the batch's duration. Nothing is lost if it fails: `_render` imports
    again, and reports a missing report as it always did."""

    def load() -> None:
        with contextlib.suppress(Exception):
            from grader.report.plots import preload

            preload()

    threading.Thread(target=load, name="nngrade-report-preload", daemon=True).start()


def _page_renderer(results: Path, lang: str) -> Callable[[str], bool]:
    """Renders in this process, while the class is graded, a page that a grading process
    left (one with a plot): the report's end then has fewer pages to render. A page that
    fails here is rendered, or reported as a problem, by `_render` at the end."""

    def render_left(student: str) -> bool:
        try:
            from grader.report.render import write_student_feedback

            return write_student_feedback(results / student, lang=lang) is not None
        except Exception:
            return False

    return render_left


def _render(
    results: Path, lang: str, rendered: Collection[str] = ()
) -> tuple[Path | None, list[str]]:
    """Render the HTML report if the report package is installed; the pages of `rendered`
    were rendered by the grading processes and are not rendered again."""
    try:
        from grader.report import render_reports
    except ImportError:
        return None, ["The HTML report is not available in this installation; skipped."]
    try:
        paths = render_reports(results, lang=lang, rendered=rendered)
    except UsageError as error:  # e.g. no student has a result document to show
        return None, [f"No HTML report: {error}"]
    notes = [f"No feedback page for {name}: {why}" for name, why in sorted(paths.problems.items())]
    return paths.index, notes


@contextlib.contextmanager
def _exclusive(results: Path) -> Iterator[None]:
    """Hold a lock on `results` so that two batches never write into it together."""
    try:
        import fcntl
    except ImportError:  # not POSIX: no lock, the atomic writes still hold
        yield
        return
    with open(results / LOCK_FILE, "w") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            raise UsageError(
                f"Another nngrade batch is writing into {results}; wait for it to finish "
                "or choose another --out folder."
            ) from None
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)
