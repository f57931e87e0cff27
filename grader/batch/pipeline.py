"""Grade a whole class: `grade_class`, the library behind `nngrade batch`.

The steps, in order: check the arguments; lock RESULTS (one batch at a time) and delete the
temporary files a killed run left; discover the submissions; keep the results that are up
to date; grade the others in parallel; read back every result; write the class files;
render the HTML report. Interrupted (Ctrl-C, SIGTERM), it stops after the grading step:
what is graded is kept, and running the same command again finishes the job.
"""

from __future__ import annotations

import contextlib
import difflib
import functools
import time
from collections.abc import Callable, Collection, Iterable, Iterator, Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from grader.atomic import remove_stale_temp_files
from grader.batch.backend import GradingBackend, engine_backend
from grader.batch.discovery import Discovery, discover_submissions
from grader.batch.progress import Progress
from grader.batch.resume import ONLY, ContentHashes, Plan, plan_grading, result_path
from grader.batch.runner import Event, GradingRun, run_grading
from grader.batch.worker import Finished, Task, WorkerSettings, available_cores
from grader.console import printable
from grader.errors import UsageError
from grader.exports.class_files import (
    GRADESCOPE_FILE,
    ExportOptions,
    WrittenFiles,
    gradescope_file_is_current,
    write_class_files,
    write_gradescope_file,
)
from grader.exports.rows import ResultFacts, StudentRow, build_rows, result_facts
from grader.exports.student_map import StudentMap
from grader.i18n import (
    LANGUAGE_NAMES,
    LANGUAGES,
    Text,
    in_language,
    plural_translator,
    translator,
)
from grader.result import ResultDocumentError, ResultReader

if TYPE_CHECKING:
    from grader.distributed.runner import ClusterRun

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
        workers: grading processes used (with a scheduler: the most Dask workers seen).
        wall_seconds: the run's duration.
        scheduler: the Dask scheduler graded on, None for a local batch.
        regrading: why results were graded again -> how many (first gradings aside).
        lang: the language of the students' messages, the report and `notes`.
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
    scheduler: str | None = None
    regrading: Mapping[Text, int] = field(default_factory=dict)
    lang: str = "en"

    @property
    def interrupted(self) -> bool:
        return self.grading.interrupted


def grade_class(
    submissions: Path,
    results: Path,
    *,
    workers: int | None = None,
    force: bool = False,
    only: Collection[str] | None = None,
    lang: str | None = None,
    assignment: str | None = None,
    exports: ExportOptions | None = None,
    backend: GradingBackend | None = None,
    progress: Progress | None = None,
    render: bool = True,
    hidden_paths: tuple[Path, ...] = (),
    unsafe: bool = False,
    watchdog_seconds: float | None = None,
    scheduler: str | None = None,
    limits: Any = None,
) -> BatchReport:
    """Grade every submission of `submissions` into `results`, then write the class files.

    Args:
        submissions: one folder, .zip or .ipynb per student, or nbgrader's ``submitted``.
        results: where ``<student>/result.json`` and the class files go (created if needed).
        workers: grading processes (default, and at most: the cores this process may
            run on; more would only compete for them, and a note says so).
        force: grade again even the submissions whose result is up to date.
        only: grade these students again (ids, or entry names such as ``alice.zip``) and
            no other: every other result is kept as it is, up to date or not (a note
            counts those that are not).
        lang: language of the students' messages and of the report, ``en`` or ``fr``
            (default: the language the report of `results` was last rendered in, else
            ``en``; a note says when it is the remembered one).
        assignment: nbgrader layout: the assignment to grade.
        exports: student map and Canvas assignment for the gradebook files.
        backend: the grader (default: the real engine); tests pass a fake.
        progress: receives progress while grading.
        render: render the HTML report at the end when it is available.
        hidden_paths: more folders the students' code must not see (e.g. an nbgrader
            course, whose ``source/`` holds the answers); `submissions` and `results` are
            always hidden.
        unsafe: grade without isolation (`--unsafe-no-sandbox`); every result says so.
        watchdog_seconds: how long one submission may hold a grading process before the
            batch kills that process (default: five times the sandbox's per-submission
            budget); the sandbox's own deadlines normally end a grading long before.
        scheduler: grade on the Dask cluster of this scheduler (``tcp://host:8786``)
            instead of local processes (`workers` is then unused); needs the ``dask`` extra.
            The results, class files and report are written here all the same.
        limits: the `SandboxLimits` every submission is graded under (default: nngrade's;
            `grader.config.course_limits` reads a course's).

    Raises:
        UsageError: bad arguments, no submission, a student of `only` that is not in
            `submissions` or cannot be graded, or another batch writing into `results`
            (with a scheduler: Dask is not installed, or the cluster cannot grade).
        SandboxError: the sandbox cannot start.
    """
    began = time.monotonic()
    notes: list[str] = []
    lang = _language(results, lang, notes, render=render)
    ngettext = plural_translator(lang)
    workers = _workers(workers, notes, lang, scheduler=scheduler)
    on_cluster = _cluster_runner(scheduler) if scheduler is not None else None
    backend = backend or engine_backend()
    exports = exports or ExportOptions()
    discovery = discover_submissions(submissions, assignment=assignment, exclude=(results,))
    chosen = chosen_students(only, discovery) if only is not None else None
    results.mkdir(parents=True, exist_ok=True)
    with _exclusive(results):
        removed = remove_stale_temp_files(results)
        if removed:
            notes.append(
                ngettext(
                    "Removed %(count)s unfinished file left by an interrupted run.",
                    "Removed %(count)s unfinished files left by an interrupted run.",
                    len(removed),
                )
            )
        hashes = ContentHashes.load(results, backend)
        reader = ResultReader(_extractors(lang, render=render))  # each result parsed once
        if chosen is None:
            plan = plan_grading(
                discovery.submissions,
                results,
                backend,
                force=force,
                limits=limits,
                hashes=hashes,
                reader=reader,
            )
        else:
            plan = _plan_only(chosen, discovery, results, backend, limits, hashes)
            notes.extend(_left_out_of_date(plan, discovery, results, backend, limits, hashes, lang))
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
            unsafe=unsafe,
            watchdog_seconds=watchdog_seconds or default_watchdog_seconds(),
            limits=limits,
        )
        used = min(workers, len(tasks))
        if progress is not None:
            progress.start(len(tasks), len(plan.up_to_date), plan.regrading(), workers=used)

        def on_event(event: Event) -> None:
            if progress is not None:
                progress.update(event)
            if isinstance(event, Finished):
                _read_early(results, event.student, reader)

        try:
            if on_cluster is None:
                grading = run_grading(tasks, settings, workers=workers, on_event=on_event)
            else:
                # A cluster's workers send results only: their pages are rendered here.
                render_page = _page_renderer(results, lang) if render else None
                cluster = on_cluster(tasks, settings, on_event=on_event, render_left=render_page)
                grading, used = cluster.grading, cluster.workers
                notes.extend(cluster.notes)
        finally:
            if progress is not None:
                progress.finish()
        graded = tuple(sorted(grading.finished))
        kept = tuple(s.student for s in plan.up_to_date)
        report = BatchReport(
            discovery,
            results,
            graded,
            kept,
            grading,
            workers=used,
            scheduler=scheduler,
            regrading=plan.regrading(),
            lang=lang,
        )
        if grading.interrupted:
            hashes.save()
            return replace(report, notes=tuple(notes), wall_seconds=time.monotonic() - began)
        rows, gradescope = _class_rows(discovery, results, grading, hashes, reader)
        hashes.save()
        notes.extend(_map_notes(exports.student_map, discovery, lang))
        notes.extend(_orphan_notes(discovery, results, lang))
        written = write_class_files(
            results,
            rows,
            grader_version=backend.version,
            options=exports,
            ignored=[(item.entry, str(item.reason)) for item in discovery.ignored],
        )
    index, render_notes = _render(results, lang, reader) if render else (None, [])
    notes.extend(render_notes)
    # Made last: a class of 50,000 holds its Gradescope files' paths only once rendered.
    gradescope_paths = tuple(results / student / GRADESCOPE_FILE for student in gradescope)
    return replace(
        report,
        rows=tuple(rows),
        written=replace(written, paths=(*gradescope_paths, *written.paths)),
        report=index,
        notes=tuple(notes),
        wall_seconds=time.monotonic() - began,  # the report's rendering included
    )


def _extractors(lang: str, *, render: bool) -> list[Callable[[Any], Any]]:
    """What the run keeps of each result it parses (once, for the plan, the class files and
    the report): the class files' facts, and the summary page's when it is rendered."""
    found: list[Callable[[Any], Any]] = [result_facts]
    if render:
        try:
            from grader.report.render import summary_extractor
        except ImportError:  # no report in this installation: `_render` says so
            return found
        found.append(summary_extractor(lang))
    return found


def _language(results: Path, lang: str | None, notes: list[str], *, render: bool) -> str:
    """`lang` if given, else the language the report of `results` was last rendered in (a
    note says so when a report is rendered), else English."""
    if lang is not None:
        if lang not in LANGUAGES:
            raise UsageError(
                Text(
                    "Unknown language %(lang)r; use one of: %(languages)s.",
                    lang=lang,
                    languages=", ".join(LANGUAGES),
                )
            )
        return lang
    from grader.report.language import report_language

    chosen, remembered = report_language(results, None)
    if remembered and render:
        _ = translator(chosen)
        notes.append(
            _(
                "The report is in %(language)s, the language it was last rendered in; "
                "--lang chooses another.",
                language=_(LANGUAGE_NAMES[chosen]),
            )
        )
    return chosen


def _workers(workers: int | None, notes: list[str], lang: str, *, scheduler: str | None) -> int:
    """The grading processes to start: `workers`, at most the cores (a note says when
    fewer than asked), every core by default."""
    cores = available_cores()
    if workers is None:
        return cores
    if workers < 1:
        raise UsageError(Text("--workers must be at least 1 (got %(workers)s).", workers=workers))
    if workers > cores and scheduler is None:
        ngettext = plural_translator(lang)
        notes.append(
            ngettext(
                "--workers %(workers)s is more than the %(count)s core of this machine: "
                "graded with %(count)s process, as more would only compete for it.",
                "--workers %(workers)s is more than the %(count)s cores of this machine: "
                "graded with %(count)s processes, as more would only compete for them.",
                cores,
                workers=workers,
            )
        )
        return cores
    return workers


def chosen_students(only: Collection[str], discovery: Discovery) -> tuple[str, ...]:
    """The students `only` names (ids, or entry names such as ``alice.zip`` or ``alice/``),
    sorted.

    Raises:
        UsageError: `only` is empty, names no student of `discovery` (with the ids that
            come closest), or names one whose entry cannot be graded (with why).
    """
    if not only:
        raise UsageError(Text("--only needs at least one student id."))
    known = {submission.student for submission in discovery.submissions}
    rejected = {rejection.student: rejection for rejection in discovery.rejected}
    by_fold = {student.casefold(): student for student in (*known, *rejected)}
    chosen: set[str] = set()
    for name in only:
        wanted = name.strip().rstrip("/")
        candidates = [wanted, Path(wanted).name, Path(wanted).stem]
        found = next((by_fold[c.casefold()] for c in candidates if c.casefold() in by_fold), None)
        if found is None:
            close = difflib.get_close_matches(wanted, sorted(known), n=3)
            raise UsageError(
                Text(
                    "--only %(name)s: no submission of that student in %(root)s%(close)s.",
                    name=name,
                    root=discovery.root,
                    close=Text(" (did you mean %(ids)s?)", ids=", ".join(close)) if close else "",
                )
            )
        if found in rejected:
            raise UsageError(
                Text(
                    "--only %(name)s: this entry cannot be graded: %(why)s",
                    name=name,
                    why=rejected[found].message,
                )
            )
        chosen.add(found)
    return tuple(sorted(chosen))


def _plan_only(
    chosen: tuple[str, ...],
    discovery: Discovery,
    results: Path,
    backend: GradingBackend,
    limits: Any,
    hashes: ContentHashes,
) -> Plan:
    """Grade the `chosen` students again, whatever their results, and keep every other."""
    picked = tuple(s for s in discovery.submissions if s.student in chosen)
    plan = plan_grading(picked, results, backend, force=False, limits=limits, hashes=hashes)
    reasons = {s.student: plan.reasons.get(s.student, ONLY) for s in picked}
    rest = tuple(s for s in discovery.submissions if s.student not in chosen)
    return Plan(picked, rest, reasons)


def _left_out_of_date(
    plan: Plan,
    discovery: Discovery,
    results: Path,
    backend: GradingBackend,
    limits: Any,
    hashes: ContentHashes,
    lang: str,
) -> list[str]:
    """A note counting the results that --only keeps although they are not up to date."""
    stale = plan_grading(
        plan.up_to_date, results, backend, force=False, limits=limits, hashes=hashes
    )
    if not stale.to_grade:
        return []
    ngettext = plural_translator(lang)
    return [
        ngettext(
            "%(count)s other result is not up to date (%(students)s) and was kept as it is; "
            "run the batch without --only to grade it.",
            "%(count)s other results are not up to date (%(students)s) and were kept as they "
            "are; run the batch without --only to grade them.",
            len(stale.to_grade),
            students=_listed(s.student for s in stale.to_grade),
        )
    ]


def _listed(students: Iterable[str], shown: int = 10) -> str:
    """The first `shown` student ids, comma-separated, with how many more."""
    names = [printable(student) for student in students]
    if len(names) <= shown:
        return ", ".join(names)
    return f"{', '.join(names[:shown])}, +{len(names) - shown}"


WATCHDOG_FACTOR = 5.0


def default_watchdog_seconds() -> float:
    """Five times the sandbox's per-submission budget: the engine's own backstop is twice."""
    from grader.sandbox.limits import SandboxLimits

    return WATCHDOG_FACTOR * SandboxLimits().wall_seconds_per_submission


def _cluster_runner(scheduler: str) -> Callable[..., ClusterRun]:
    """`grade_on_cluster` for `scheduler`, imported only for a batch with a scheduler:
    without one, nothing of Dask is loaded."""
    if not scheduler.strip():
        raise UsageError(Text("--scheduler needs the scheduler's address, e.g. tcp://HOST:8786."))
    try:
        from grader.distributed.runner import grade_on_cluster
    except ImportError as error:
        raise UsageError(
            Text(
                "Grading on a Dask cluster needs the dask and distributed packages "
                "(%(error)s): pip install 'nngrade[dask]', on this machine and on every worker.",
                error=error,
            )
        ) from None
    return functools.partial(grade_on_cluster, scheduler=scheduler)


def _class_rows(
    discovery: Discovery,
    results: Path,
    grading: GradingRun,
    hashes: ContentHashes,
    reader: ResultReader,
) -> tuple[list[StudentRow], list[str]]:
    """The class's rows from the result documents on disk, and the students whose
    Gradescope file is written.

    Each document is parsed once in the run (the plan's parse is reused) and kept as the
    few facts the class files need, never whole, so that the memory this takes does not
    grow with the documents' size; its Gradescope file is written from it at the same
    time. The content hash of each result graded now is remembered for the next run.
    """
    documents: dict[str, ResultFacts] = {}
    unscored: list[tuple[str, str, str]] = []
    gradescope: list[str] = []
    for submission in discovery.submissions:
        path = result_path(results, submission.student)
        if submission.student in grading.failed:
            message = grading.failed[submission.student]
            unscored.append((submission.student, "not_graded", message))
            continue
        facts = _read_facts(path, submission.student, reader)
        if facts is None:
            message = "no valid result.json; run the batch again to grade it."
            unscored.append((submission.student, "not_graded", message))
            continue
        documents[submission.student] = facts
        gradescope.append(submission.student)
        if submission.student in grading.finished:
            hashes.remember(submission, facts.submission_sha256)
    for rejection in discovery.rejected:  # the class files speak English to scripts
        unscored.append((rejection.student, rejection.status, str(rejection.message)))
    return build_rows(documents, unscored), gradescope


def _read_facts(path: Path, student: str, reader: ResultReader) -> ResultFacts | None:
    """The facts of the result of `student` at `path` if it is a complete document of the
    current schema for that student, else None; its Gradescope file written unless current."""
    try:
        reading = reader.read(path, result_facts)
    except ResultDocumentError:
        return None
    if reading.facts.student != student:
        return None
    if not gradescope_file_is_current(path.parent, reading.facts):
        write_gradescope_file(path.parent, reading.document())
    return reading.facts


def _read_early(results: Path, student: str, reader: ResultReader) -> None:
    """Read the result of `student` as soon as it is written, while the others are being
    graded and this process waits: `_class_rows` then finds its facts in `reader`, and the
    class files are written right after the last grading (about 3 ms a student saved from
    the end of the run). Anything wrong is left to `_class_rows`, which reads it again."""
    with contextlib.suppress(Exception):
        _read_facts(result_path(results, student), student, reader)


def _map_notes(student_map: StudentMap | None, discovery: Discovery, lang: str) -> list[str]:
    if student_map is None:
        return []
    _ = translator(lang)
    ngettext = plural_translator(lang)
    students = set(discovery.students)
    notes = []
    unknown = student_map.unknown(students)
    if unknown:
        notes.append(
            ngettext(
                "The student map lists %(count)s id with no submission: %(ids)s (it gets no "
                "row; check for typos).",
                "The student map lists %(count)s ids with no submission: %(ids)s (they get "
                "no row; check for typos).",
                len(unknown),
                ids=_listed(unknown),
            )
        )
    unmapped = student_map.unmapped(students)
    if unmapped:
        notes.append(
            ngettext(
                "%(count)s submission is not in the student map and is left out of moodle.csv "
                "and canvas.csv: %(ids)s. Add it to %(map)s and run the batch again.",
                "%(count)s submissions are not in the student map and are left out of "
                "moodle.csv and canvas.csv: %(ids)s. Add them to %(map)s and run the batch "
                "again.",
                len(unmapped),
                ids=_listed(unmapped),
                map=student_map.source,
            )
        )
    if student_map.moodle_field is None:
        notes.append(
            _(
                "The student map has no username, idnumber or email column: moodle.csv "
                "identifies students by submission id."
            )
        )
    return notes


def _orphan_notes(discovery: Discovery, results: Path, lang: str) -> list[str]:
    known = set(discovery.students)
    orphans = sorted(
        child.name
        for child in results.iterdir()
        if child.is_dir() and (child / "result.json").exists() and child.name not in known
    )
    if not orphans:
        return []
    ngettext = plural_translator(lang)
    return [
        ngettext(
            "RESULTS holds the results of %(count)s student no longer in SUBMISSIONS, left out "
            "of the class files: %(ids)s.",
            "RESULTS holds the results of %(count)s students no longer in SUBMISSIONS, left "
            "out of the class files: %(ids)s.",
            len(orphans),
            ids=_listed(orphans),
        )
    ]


def _page_renderer(results: Path, lang: str) -> Callable[[str], bool]:
    """Renders in this process the page of a student graded on a cluster (whose workers
    send results only); a page that fails here is rendered, or reported, by `_render`."""

    def render_page(student: str) -> bool:
        try:
            from grader.report.render import write_student_feedback

            return write_student_feedback(results / student, lang=lang) is not None
        except Exception:
            return False

    return render_page


def _render(results: Path, lang: str, reader: ResultReader) -> tuple[Path | None, list[str]]:
    """Render the HTML report if the report package is installed: the summary, and the
    pages that are not current (a result kept from an earlier run in another language, a
    page a grading process could not write); the pages the grading processes wrote are."""
    _ = translator(lang)
    try:
        from grader.report import render_reports
    except ImportError:
        return None, [_("The HTML report is not available in this installation; skipped.")]
    try:
        paths = render_reports(results, lang=lang, reader=reader)
    except UsageError as error:  # e.g. no student has a result document to show
        return None, [_("No HTML report: %(error)s", error=in_language(error.text, lang))]
    notes = [
        _("No feedback page for %(student)s: %(why)s", student=printable(name), why=why)
        for name, why in sorted(paths.problems.items())
    ]
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
                Text(
                    "Another nngrade batch is writing into %(folder)s; wait for it to finish "
                    "or choose another --out folder.",
                    folder=results,
                )
            ) from None
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)
