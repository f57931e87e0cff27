"""The class summary's view: scores, pass rates, frequent mistakes, who needs attention."""

from __future__ import annotations

import statistics
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field

from markupsafe import Markup

from grader.catalog import EXERCISES
from grader.report import explanations, formatting
from grader.report.causes import unloaded_module
from grader.report.plots import score_histogram
from grader.result import Result, TestResult

Gettext = Callable[[str], str]


@dataclass(frozen=True)
class SummaryEntry:
    """One student of the summary.

    Attributes:
        name: the name shown.
        result: the result, or None when it could not be read.
        problem: why it could not be read.
        missing: whether the student folder has no result at all.
        feedback_href, gradescope_href: links to the student's files, relative to the page.
    """

    name: str
    result: Result | None
    problem: str | None = None
    missing: bool = False
    feedback_href: str | None = None
    gradescope_href: str | None = None


@dataclass
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


class _ClassTally:
    """The class's counters, fed one result at a time."""

    def __init__(self, lang: str, gettext: Gettext) -> None:
        self.lang = lang
        self.gettext = gettext
        self.percentages: list[float] = []
        self.exercises: dict[str, _Counts] = {}
        self.tests: dict[str, _Counts] = {}
        self.diagnoses: dict[tuple[str, str], list[str]] = {}
        self.outcomes: dict[tuple[str, str], list[str]] = {}

    def add(self, name: str, result: Result) -> dict[str, int]:
        """Count `result`; the number of failed tests per outcome."""
        self.percentages.append(100 * result.fraction)
        failed: dict[str, int] = {}
        for exercise in result.exercises:
            known = _CATALOG.get(exercise.id)
            counts = self.exercises.setdefault(
                exercise.id,
                _Counts(
                    title=known.title.get(self.lang, known.title["en"]) if known else exercise.id
                ),
            )
            counts.scores.append(exercise.score)
            counts.max_score = max(counts.max_score, exercise.max_score)
            for test in exercise.tests:
                per_test = self.tests.setdefault(test.id, _Counts(title=test.title_in(self.lang)))
                for tally in (counts, per_test):
                    tally.total += 1
                    tally.passed += test.passed
                if not test.passed:
                    failed[test.outcome] = failed.get(test.outcome, 0) + 1
                    self._group_failure(name, test, result.submission.modules)
        return failed

    def _group_failure(self, name: str, test: TestResult, modules: Mapping[str, str]) -> None:
        evidence = test.evidence
        module = unloaded_module(test, modules)
        if module is not None:
            # Not a mistake in a function: its file could not be loaded. Named for that.
            status = modules[module]
            label = explanations.MODULE_OUTCOME_LABELS.get(status)
            _group(self.outcomes, name, (self.gettext(label) if label else status, f"{module}.py"))
            return
        function = (evidence.function if evidence else None) or ", ".join(test.functions)
        diagnosis = evidence.diagnosis if evidence else None
        if diagnosis is not None and diagnosis.code:
            # One row per kind of mistake and function, whatever the numbers in each
            # student's own sentence (m = 5, m = 7...).
            label = explanations.DIAGNOSIS_LABELS.get(diagnosis.code)
            text = self.gettext(label) if label is not None else diagnosis.text(self.lang)
            _group(self.diagnoses, name, (diagnosis.code, f"{function}: {text or diagnosis.code}"))
        else:
            kind = evidence.kind if evidence else ""
            label = explanations.EVIDENCE_LABELS.get(kind) or explanations.OUTCOME_LABELS.get(
                test.outcome, test.outcome
            )
            _group(self.outcomes, name, (self.gettext(label), function))


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
    entry: SummaryEntry, result: Result, failed: dict[str, int], *, lang: str, gettext: Gettext
) -> StudentRow:
    remarks = [
        f"{gettext(explanations.OUTCOME_LABELS[outcome])} × {failed[outcome]}"
        for outcome in ("timeout", "crashed", "error")
        if failed.get(outcome)
    ]
    label = explanations.STATUS_LABELS.get(result.status)
    return StudentRow(
        name=entry.name,
        status=result.status,
        status_label=gettext(label) if label else result.status,
        score=formatting.points(result.score, lang),
        max_score=formatting.points(result.max_score, lang),
        percent=formatting.percent(result.fraction, lang),
        feedback_href=entry.feedback_href,
        gradescope_href=entry.gradescope_href,
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
    entries: Sequence[SummaryEntry],
    *,
    lang: str,
    gettext: Gettext,
    links: list[tuple[str, str]],
) -> ClassView:
    """Build the summary's view of `entries`, one per student."""
    tally = _ClassTally(lang, gettext)
    rows: list[StudentRow] = []
    unsafe: list[str] = []  # graded with --unsafe-no-sandbox
    for entry in entries:
        if entry.result is not None and entry.result.isolation.unsafe is True:
            unsafe.append(entry.name)
        if entry.result is None:
            rows.append(_unread_row(entry, gettext))
        else:
            failed = tally.add(entry.name, entry.result)
            rows.append(_graded_row(entry, entry.result, failed, lang=lang, gettext=gettext))
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
