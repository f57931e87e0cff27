"""The class summary's view: scores, pass rates, frequent mistakes, who needs attention."""

from __future__ import annotations

import statistics
import sys
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field, replace

from markupsafe import Markup

from grader.catalog import EXERCISES
from grader.report import explanations, formatting
from grader.report.causes import unloaded_module
from grader.report.plots import score_histogram
from grader.result import Result, TestResult, shared, shared_number

Gettext = Callable[[str], str]


@dataclass(frozen=True, slots=True)
class SummaryEntry:
    """One student of the summary.

    Attributes:
        name: the name shown.
        result: the result, or None when it could not be read.
        problem: why it could not be read.
        missing: whether the student folder has no result at all.
        feedback_href, gradescope_href: links to the student's files, relative to the page.
        summary: what the summary takes from the result (`student_summary`), given instead
            of the result, which may then be None.
    """

    name: str
    result: Result | None
    problem: str | None = None
    missing: bool = False
    feedback_href: str | None = None
    gradescope_href: str | None = None
    summary: StudentSummary | None = None


@dataclass(slots=True)
class StudentRow:
    """One student of the summary.

    Attributes:
        remarks: the failed tests that are not plain mistakes, counted by outcome.
        problem: why the result could not be read, or why the submission was not graded
            (the document's message).
        attention: why the submission needs a look before the grades go out, one reason
            each (a score of 0, a file that could not be loaded, a crash, a timeout...);
            empty when it does not.
    """

    name: str
    status: str
    status_label: str
    score: str
    max_score: str
    percent: str
    feedback_href: str | None
    gradescope_href: str | None
    remarks: list[str]
    problem: str | None
    attention: list[str] = field(default_factory=list)

    @property
    def needs_attention(self) -> bool:
        return bool(self.attention)


@dataclass
class RateRow:
    id: str
    title: str
    passed: int
    total: int
    rate: float
    rate_text: str
    mean: str = ""


@dataclass
class FailureGroup:
    label: str
    detail: str
    count: int
    students: list[str]


@dataclass
class ClassView:
    lang: str
    students: list[StudentRow]
    graded: int
    total: int
    mean: str
    median: str
    histogram: Markup | None
    exercises: list[RateRow]
    tests: list[RateRow]
    by_diagnosis: list[FailureGroup]
    by_outcome: list[FailureGroup]
    attention: list[StudentRow]
    links: list[tuple[str, str]]  # (label, relative href)
    notes: list[str] = field(default_factory=list)
    unsafe: list[str] = field(default_factory=list)  # graded with --unsafe-no-sandbox


def _rate(passed: int, total: int, lang: str) -> tuple[float, str]:
    rate = passed / total if total else 0.0
    return rate, formatting.percent(rate, lang)


@dataclass
class _Counts:
    """How many tests of an exercise or of a test id passed, and the scores behind it."""

    title: str = ""
    passed: int = 0
    total: int = 0
    scores: list[float] = field(default_factory=list)
    max_score: float = 0.0

    def rate_row(self, id: str, lang: str, *, with_mean: bool) -> RateRow:
        rate, rate_text = _rate(self.passed, self.total, lang)
        mean = ""
        if with_mean:
            mean = (
                f"{formatting.points(statistics.fmean(self.scores), lang)}"
                f" / {formatting.points(self.max_score, lang)}"
            )
        return RateRow(id, self.title, self.passed, self.total, rate, rate_text, mean)


@dataclass(frozen=True, slots=True)
class StudentSummary:
    """What the class summary takes from one result, in one language.

    Kept instead of the result, which takes about 90 KiB parsed: a class of any size is
    summarised in little memory (the tuple of tests is one object for every result with
    the same tests).

    Attributes:
        student: the document's student.
        row: the student's row, named and linked when it is shown (`SummaryEntry`).
        fraction: the score as a fraction of the maximum.
        exercises: (id, title, max_score) of each exercise, in document order.
        scores: the points of each exercise, in the same order.
        tests: (exercise id, test id, title) of each test, in document order.
        passed: bit i is set when ``tests[i]`` passed.
        failures: (group, label, detail) of each failed test: how the summary groups it,
            ``diagnoses`` (a kind of mistake) or ``outcomes`` (how the test ended).
        unsafe: graded with --unsafe-no-sandbox.
    """

    student: str
    row: StudentRow
    fraction: float
    exercises: tuple[tuple[str, str, float], ...]
    scores: tuple[float, ...]
    tests: tuple[tuple[str, str, str], ...]
    passed: int
    failures: tuple[tuple[str, str, str], ...]
    unsafe: bool


def student_summary(result: Result, *, lang: str, gettext: Gettext) -> StudentSummary:
    """What the class summary in `lang` takes from `result`."""
    failed: dict[str, int] = {}
    failures = []
    passed = 0
    for index, test in enumerate(result.tests):
        passed |= test.passed << index
        if not test.passed:
            failed[test.outcome] = failed.get(test.outcome, 0) + 1
            failures.append(shared(_failure_key(test, result.submission.modules, lang, gettext)))
    exercises = []
    for exercise in result.exercises:
        known = _CATALOG.get(exercise.id)
        title = known.title.get(lang, known.title["en"]) if known else exercise.id
        exercises.append((exercise.id, title, exercise.max_score))
    tests = tuple(
        (exercise.id, test.id, test.title_in(lang))
        for exercise in result.exercises
        for test in exercise.tests
    )
    return StudentSummary(
        student=result.student,
        row=_graded_row(result, failed, lang=lang, gettext=gettext),
        fraction=result.fraction,
        exercises=shared(tuple(exercises)),
        scores=tuple(shared_number(exercise.score) for exercise in result.exercises),
        tests=shared(tests),
        passed=passed,
        failures=tuple(failures),
        unsafe=result.isolation.unsafe is True,
    )


class _ClassTally:
    """The class's counters, fed one student at a time."""

    def __init__(self) -> None:
        self.percentages: list[float] = []
        self.exercises: dict[str, _Counts] = {}
        self.tests: dict[str, _Counts] = {}
        self.diagnoses: dict[tuple[str, str], list[str]] = {}
        self.outcomes: dict[tuple[str, str], list[str]] = {}

    def add(self, name: str, summary: StudentSummary) -> None:
        """Count the student `name`, whose result `summary` summarises."""
        self.percentages.append(100 * summary.fraction)
        for (id, title, max_score), score in zip(summary.exercises, summary.scores, strict=True):
            counts = self.exercises.setdefault(id, _Counts(title=title))
            counts.scores.append(score)
            counts.max_score = max(counts.max_score, max_score)
        for index, (exercise, test, title) in enumerate(summary.tests):
            passed = summary.passed >> index & 1
            per_test = self.tests.setdefault(test, _Counts(title=title))
            for tally in (self.exercises[exercise], per_test):
                tally.total += 1
                tally.passed += passed
        for group, label, detail in summary.failures:
            _group(self.diagnoses if group == "diagnoses" else self.outcomes, name, (label, detail))


def _failure_key(
    test: TestResult, modules: Mapping[str, str], lang: str, gettext: Gettext
) -> tuple[str, str, str]:
    """How the summary groups the failed `test`: (group, label, detail)."""
    evidence = test.evidence
    module = unloaded_module(test, modules)
    if module is not None:
        # Not a mistake in a function: its file could not be loaded. Named for that.
        status = modules[module]
        label = explanations.MODULE_OUTCOME_LABELS.get(status)
        return "outcomes", gettext(label) if label else status, f"{module}.py"
    function = (evidence.function if evidence else None) or ", ".join(test.functions)
    diagnosis = evidence.diagnosis if evidence else None
    if diagnosis is not None and diagnosis.code:
        # One row per kind of mistake and function, whatever the numbers in each
        # student's own sentence (m = 5, m = 7...).
        label = explanations.DIAGNOSIS_LABELS.get(diagnosis.code)
        text = gettext(label) if label is not None else diagnosis.text(lang)
        return "diagnoses", diagnosis.code, f"{function}: {text or diagnosis.code}"
    kind = evidence.kind if evidence else ""
    label = explanations.EVIDENCE_LABELS.get(kind) or explanations.OUTCOME_LABELS.get(
        test.outcome, test.outcome
    )
    return "outcomes", gettext(label), function


_CATALOG = {exercise.id: exercise for exercise in EXERCISES}


def _group(groups: dict[tuple[str, str], list[str]], name: str, key: tuple[str, str]) -> None:
    students = groups.setdefault(key, [])
    if name not in students:
        students.append(name)


def _failure_groups(found: dict[tuple[str, str], list[str]]) -> list[FailureGroup]:
    listed = [FailureGroup(k[0], k[1], len(v), sorted(v)) for k, v in found.items()]
    return sorted(listed, key=lambda g: (-g.count, g.label, g.detail))


def _unread_row(entry: SummaryEntry, gettext: Gettext) -> StudentRow:
    status = "missing" if entry.missing else "unreadable"
    label = gettext(explanations.STATUS_LABELS[status])
    return StudentRow(
        name=entry.name,
        status=status,
        status_label=label,
        score="",
        max_score="",
        percent="",
        feedback_href=None,
        gradescope_href=entry.gradescope_href,
        remarks=[],
        problem=entry.problem,
        attention=[label],
    )


def _graded_row(
    result: Result, failed: dict[str, int], *, lang: str, gettext: Gettext
) -> StudentRow:
    """The row of `result`, to be named and linked (`class_view`)."""
    remarks = [
        f"{gettext(explanations.OUTCOME_LABELS[outcome])} × {failed[outcome]}"
        for outcome in ("timeout", "crashed", "error")
        if failed.get(outcome)
    ]
    label = explanations.STATUS_LABELS.get(result.status)
    return StudentRow(
        name=result.student,
        status=sys.intern(result.status),  # one of a few: kept once for the class
        status_label=gettext(label) if label else result.status,
        score=formatting.points(result.score, lang),
        max_score=sys.intern(formatting.points(result.max_score, lang)),
        percent=formatting.percent(result.fraction, lang),
        feedback_href=None,
        gradescope_href=None,
        remarks=remarks,
        problem=result.message if result.status != "graded" and result.message else None,
        attention=_attention(result, gettext),
    )


def _attention(result: Result, gettext: Gettext) -> list[str]:
    """Why `result` needs a look before the grades go out; empty when it does not."""
    reasons = []
    if result.status != "graded":  # its message is the row's `problem`
        label = explanations.STATUS_LABELS.get(result.status)
        reasons.append(gettext(label) if label else result.status)
    elif result.score <= 0:
        reasons.append(gettext("a score of 0"))
    told: set[str] = set()  # files already named
    for problem in result.submission.problems:
        label = explanations.LOAD_PROBLEM_LABELS.get(problem.code)
        if label is None or problem.path in told:
            continue
        told.add(problem.path)
        reasons.append(_file_reason(problem.path, problem.line, gettext(label), gettext))
    for module, status in sorted(result.submission.modules.items()):
        label = explanations.LOAD_PROBLEM_LABELS.get(status)
        if label is not None and not any(_is_file_of(path, module) for path in told):
            reasons.append(_file_reason(f"{module}.py", None, gettext(label), gettext))
    counted = (
        (explanations.OUTCOME_LABELS["timeout"], "timeout"),
        (explanations.OUTCOME_LABELS["crashed"], "crashed"),
        (explanations.EVIDENCE_LABELS["internal_error"], "internal_error"),
    )
    for label, kind in counted:
        tests = [test for test in result.tests if test.evidence and test.evidence.kind == kind]
        if not tests:
            continue
        reason = f"{gettext(label)} × {len(tests)}"
        functions = sorted({test.evidence.function or "" for test in tests if test.evidence})
        functions = [name for name in functions if name]
        reasons.append(f"{reason} ({', '.join(functions)})" if functions else reason)
    return reasons


def _file_reason(path: str, line: int | None, what: str, gettext: Gettext) -> str:
    if line is None:
        return gettext("%(file)s: %(what)s") % {"file": path, "what": what}
    return gettext("%(file)s, line %(line)s: %(what)s") % {"file": path, "line": line, "what": what}


def _is_file_of(path: str, module: str) -> bool:
    return path.replace("\\", "/").rsplit("/", 1)[-1] == f"{module}.py"


def class_view(
    entries: Iterable[SummaryEntry],
    *,
    lang: str,
    gettext: Gettext,
    links: list[tuple[str, str]],
) -> ClassView:
    """Build the summary's view of `entries`, one per student (read one at a time: an entry
    with a result is summarised, and the result not kept)."""
    tally = _ClassTally()
    rows: list[StudentRow] = []
    unsafe: list[str] = []  # graded with --unsafe-no-sandbox
    for entry in entries:
        summary = entry.summary
        if summary is None and entry.result is not None:
            summary = student_summary(entry.result, lang=lang, gettext=gettext)
        if summary is None:
            rows.append(_unread_row(entry, gettext))
            continue
        if summary.unsafe:
            unsafe.append(entry.name)
        tally.add(entry.name, summary)
        rows.append(
            replace(
                summary.row,
                name=entry.name,
                feedback_href=entry.feedback_href,
                gradescope_href=entry.gradescope_href,
            )
        )
    percentages = tally.percentages
    histogram = score_histogram(
        percentages,
        key="histogram",
        labels={
            "x": gettext("score (%)"),
            "y": gettext("students"),
            "title": gettext("Distribution of the scores"),
        },
    )
    return ClassView(
        lang=lang,
        students=rows,
        graded=len(percentages),
        total=len(rows),
        mean=formatting.percent(statistics.fmean(percentages) / 100, lang) if percentages else "",
        median=formatting.percent(statistics.median(percentages) / 100, lang)
        if percentages
        else "",
        histogram=histogram,
        exercises=[
            counts.rate_row(id, lang, with_mean=True) for id, counts in tally.exercises.items()
        ],
        tests=[counts.rate_row(id, lang, with_mean=False) for id, counts in tally.tests.items()],
        by_diagnosis=_failure_groups(tally.diagnoses),
        by_outcome=_failure_groups(tally.outcomes),
        attention=[row for row in rows if row.needs_attention],
        links=links,
        unsafe=unsafe,
    )
