"""The student page's view: a `Result` turned into what a person reads.

The page leads with what to fix first: the failed tests are grouped by cause
(`grader.report.causes`), each cause shown once with its diagnosis, a plot, the lecture
section to read and the tests it explains; passed tests are only counted, by exercise.

Everything here is plain strings and numbers (escaped by the template) except the plots,
which are our own SVG. Messages from the document are already localised; our own words
go through `gettext`.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field

from markupsafe import Markup

from grader.catalog import EXERCISES, all_functions, exercise_of, module_of
from grader.i18n import N_
from grader.report import explanations, formatting, lecture
from grader.report.causes import Cause, find_causes
from grader.report.plots import curve_plot, entries_plot
from grader.result import Evidence, ExerciseResult, Problem, Result, TestResult

Gettext = Callable[[str], str]
OUTPUT_DISPLAY_CHARS = 4000  # the document caps output at 16 KiB; a page needs less


@dataclass
class EvidenceView:
    kind: str
    label: str
    explanation: str | None = None
    function: str | None = None
    array: str | None = None
    call: str | None = None
    worst: list[tuple[str, str, str]] = field(default_factory=list)  # index, got, expected
    max_abs_error: str | None = None
    max_rel_error: str | None = None
    tolerance: str | None = None
    expected_shape: str | None = None
    got_shape: str | None = None
    expected_type: str | None = None
    got_type: str | None = None
    exception_type: str | None = None
    exception_message: str | None = None
    traceback: str | None = None

    @property
    def has_details(self) -> bool:
        """Whether it holds more than its kind and function: facts worth a closer look."""
        return bool(
            self.worst
            or self.expected_shape
            or self.expected_type
            or self.got_type
            or self.exception_type
            or self.max_abs_error
        )


@dataclass
class TestView:
    """A failed test, under its cause: what it checks and what is left to say about it."""

    id: str
    title: str
    outcome: str
    outcome_label: str
    points: str
    max_points: str
    message: str  # what the cause's heading did not already say; may be empty
    evidence: EvidenceView | None  # for a closer look; None when there is nothing more


@dataclass
class CauseView:
    """One cause of failures (`grader.report.causes.Cause`), as the page shows it.

    Attributes:
        anchor: the id of its block on the page.
        kind: the cause's kind (``function``, ``module``, ``not_implemented``...).
        label: what links to it say: its subject, else what kind of cause it is.
        subject: what to fix: a function, or a file (``model.py``); empty when nothing of
            the student's is at fault.
        line: the line of the subject's file at fault, if known (``module``).
        exercise: the title of the exercise it is in (None when it spans several).
        headline: what is wrong, in one sentence shown once: the diagnosis, else the
            message of the test that shows it best.
        diagnoses: the other kinds of mistake its tests show (one sentence each).
        explanation: what the kind of failure means, in plain words.
        evidence: the facts of the test that shows it best, in full.
        plot, plot_caption: the plot that shows it, if the evidence allows one.
        pointers: what to read again in the lecture: (section, idea), translated.
        hint: the exercise's hint.
        downstream: the functions that fail because they call the subject.
        spared: the functions that are right when given a correct subject (their tests
            passed with the grader answering their calls of it).
        stubs: the other functions still left as stubs (``not_implemented``).
        points_lost: the points its tests did not get.
        tests: the failed tests it explains.
    """

    anchor: str
    label: str
    kind: str
    subject: str
    line: str
    exercise: str | None
    headline: str
    diagnoses: list[str]
    explanation: str | None
    evidence: EvidenceView | None
    plot: Markup | None
    plot_caption: str | None
    pointers: list[tuple[str, str]]
    hint: str | None
    downstream: list[str]
    spared: list[str]
    stubs: list[str]
    points_lost: str
    tests: list[TestView]

    @property
    def fixable(self) -> bool:
        """Whether the student can fix it (the grader's own failures and tests that were
        not run are not theirs to fix)."""
        return self.kind in ("function", "module", "not_implemented")


@dataclass
class ExerciseView:
    id: str
    title: str
    score: str
    max_score: str
    state: str  # "full", "partial" or "zero": the colour of the badge
    functions: list[tuple[str, str]]  # (name, "passed" | "failed" | "untested")
    passed: list[str]  # the titles of its passed tests
    failed: int
    # (anchor, label, whether the label is a function or file) of its failures' causes
    causes: list[tuple[str, str, bool]]


@dataclass
class StudentView:
    student: str
    lang: str
    status: str
    status_explanation: str | None
    score: str
    max_score: str
    percent: str
    fraction: float
    causes: list[CauseView]
    exercises: list[ExerciseView]
    problems: list[dict[str, str]]
    modules: list[tuple[str, str, bool]]  # (module, state label, loaded)
    stdout: str
    stderr: str
    output_truncated: bool
    isolation: list[tuple[str, bool]]
    isolation_notes: list[str]  # in the page's language where the document has it
    grader_version: str
    unsafe: bool = False  # graded with --unsafe-no-sandbox


def _cap(text: str, limit: int = OUTPUT_DISPLAY_CHARS) -> tuple[str, bool]:
    return (text, False) if len(text) <= limit else (text[:limit], True)


def _evidence_view(evidence: Evidence, *, lang: str, gettext: Gettext) -> EvidenceView:
    label = explanations.EVIDENCE_LABELS.get(evidence.kind)
    view = EvidenceView(kind=evidence.kind, label=gettext(label) if label else evidence.kind)
    explanation = explanations.EVIDENCE_EXPLANATIONS.get(evidence.kind)
    view.explanation = gettext(explanation) if explanation else None
    view.function = evidence.function or None
    view.array = evidence.array or None
    view.call = evidence.call or None
    for entry in evidence.worst or ():
        expected = formatting.value(entry.expected, lang) if entry.expected is not None else ""
        view.worst.append(
            (formatting.index(entry.index), formatting.value(entry.got, lang), expected)
        )
    if evidence.max_abs_error is not None:
        view.max_abs_error = formatting.value(evidence.max_abs_error, lang)
    if evidence.max_rel_error is not None:
        view.max_rel_error = formatting.value(evidence.max_rel_error, lang)
    if evidence.tolerance is not None:
        view.tolerance = (
            f"rtol = {formatting.value(evidence.tolerance.rtol, lang)}, "
            f"atol = {formatting.value(evidence.tolerance.atol, lang)}"
        )
    if evidence.expected_shape is not None or evidence.got_shape is not None:
        view.expected_shape = _shape(evidence.expected_shape)
        view.got_shape = _shape(evidence.got_shape)
    if evidence.expected_dtype or evidence.got_dtype or evidence.got_type:
        view.expected_type = evidence.expected_dtype or None
        view.got_type = evidence.got_dtype or evidence.got_type or None
    if evidence.exception is not None:
        view.exception_type = evidence.exception.type or None
        view.exception_message = evidence.exception.message or None
        view.traceback = evidence.exception.traceback or None
    return view


def _shape(shape: tuple[int, ...] | None) -> str:
    return formatting.shape(shape) if shape is not None else "?"


def _known_function(name: str | None, gettext: Gettext) -> str:
    """`name` if it is a function of the contract, else a neutral word: a plot's accessible
    label holds only catalog names, never a string from the student."""
    return name if name and name in all_functions() else gettext("your function")


def _plot(test: TestResult, *, key: str, gettext: Gettext) -> tuple[Markup | None, str | None]:
    """The plot that shows what is wrong in `test`, and its caption: the activation's curve
    where the evidence has one, else the worst entries against the expected ones."""
    evidence = test.evidence
    if evidence is None:
        return None, None
    if evidence.curve is not None:
        name = _known_function(evidence.curve.function, gettext)
        if name != evidence.curve.function:
            name = _known_function(evidence.function, gettext)
        labels = {
            "yours": gettext("yours"),
            "expected": gettext("expected"),
            "z": "z",
            "title": gettext("%(function)s: yours and expected, over z in [-5, 5]")
            % {"function": name},
        }
        plot = curve_plot(evidence.curve.to_json(), key=key, labels=labels)
        caption = gettext(
            "Your function (dashed, red) and the expected one (solid, green) over z in [-5, 5]."
        )
        return plot, caption if plot is not None else None
    pairs = [
        (entry.expected, entry.got) for entry in evidence.worst or () if entry.expected is not None
    ]
    if evidence.kind not in ("value_mismatch", "gradient_mismatch") or len(pairs) < 2:
        return None, None
    labels = {
        "expected": gettext("expected"),
        "yours": gettext("yours"),
        "right": gettext("yours = expected"),
        "entries": gettext("your entries that differ most"),
        "title": gettext("%(function)s: your entries that differ most, against the expected ones")
        % {"function": _known_function(evidence.function, gettext)},
    }
    plot = entries_plot(pairs, key=key, labels=labels)
    caption = gettext(
        "Each dot is one of your entries that differ most, at its expected value (across) "
        "and yours (up); right entries lie on the green line."
    )
    return plot, caption if plot is not None else None


def _representative(tests: Sequence[TestResult]) -> TestResult | None:
    """The test that shows a cause best: a diagnosis, then a plot to draw, then facts."""

    def merit(test: TestResult) -> tuple[bool, bool, bool]:
        evidence = test.evidence
        if evidence is None:
            return (False, False, False)
        return (
            evidence.diagnosis is not None,
            evidence.curve is not None or bool(evidence.worst),
            evidence.kind not in ("", "property"),
        )

    return max(tests, key=merit, default=None)  # max keeps the first of equals


def _remaining(message: str, said: Sequence[str]) -> str:
    """`message` without the sentences the page has already shown above it."""
    for sentence in said:
        if sentence:
            message = message.replace(sentence, "")
    return " ".join(message.split())


def _module_problem(module: str, problems: Sequence[Problem]) -> Problem | None:
    """The first problem of the submission about `module`'s file."""
    for problem in problems:
        name = problem.path.replace("\\", "/").rsplit("/", 1)[-1]
        if name == f"{module}.py":
            return problem
    return None


def _test_view(
    test: TestResult,
    *,
    lang: str,
    gettext: Gettext,
    said: Sequence[str],
    details: bool,
    message: bool,
) -> TestView:
    """`test` on its cause's list: its message minus the sentences in `said` and its own
    diagnosis (when `message`), and its evidence for a closer look (when `details`)."""
    label = explanations.OUTCOME_LABELS.get(test.outcome)
    diagnosis = test.evidence.diagnosis if test.evidence is not None else None
    shown = [*said, diagnosis.text(lang) if diagnosis is not None else ""]
    evidence = None
    if details and test.evidence is not None:
        evidence = _evidence_view(test.evidence, lang=lang, gettext=gettext)
        evidence = evidence if evidence.has_details else None
    return TestView(
        id=test.id,
        title=test.title_in(lang) or test.id,
        outcome=test.outcome,
        outcome_label=gettext(label) if label else test.outcome,
        points=formatting.points(test.points, lang),
        max_points=formatting.points(test.max_points, lang),
        message=_remaining(test.message_in(lang), shown) if message else "",
        evidence=evidence,
    )


def _outcome_explanation(
    test: TestResult, *, lang: str, gettext: Gettext, seconds: float | None
) -> str | None:
    explanation = explanations.OUTCOME_EXPLANATIONS.get(test.outcome)
    if explanation and test.outcome == "timeout":
        found = test.evidence.seconds if test.evidence is not None else None
        limit = found if found is not None else seconds
        limit_text = formatting.points(limit, lang) if limit is not None else "?"
        return gettext(explanation) % {"seconds": limit_text}
    return gettext(explanation) if explanation else None


def _cause_view(
    cause: Cause,
    number: int,
    result: Result,
    *,
    lang: str,
    gettext: Gettext,
    seconds: float | None,
) -> CauseView:
    anchor = f"cause-{number}"
    shown = _representative(cause.own or cause.tests)
    evidence = shown.evidence if shown is not None else None
    subject = f"{cause.subject}.py" if cause.kind == "module" else cause.subject
    if cause.kind == "module":
        said = _module_said(cause, subject, result.submission.problems, lang, gettext)
    else:
        said = _failures_said(cause, shown, lang=lang, gettext=gettext, seconds=seconds)
    plot, caption, pointers, hint = None, None, [], None
    if cause.kind in ("function", "not_implemented"):
        pointers = [
            (gettext(section), gettext(idea))
            for section, idea in lecture.pointers(said.codes, [cause.subject])
        ]
    if cause.kind == "function":
        if shown is not None:
            plot, caption = _plot(shown, key=anchor, gettext=gettext)
        known = _CATALOG_FUNCTIONS.get(cause.subject)
        hint = known.hint.get(lang, known.hint["en"]) if known else None
    facts = (
        _evidence_view(evidence, lang=lang, gettext=gettext)
        if evidence is not None and cause.kind == "function"
        else None
    )
    # What the heading block says is not repeated on each test's line, and the facts shown
    # in full are not offered again. A module's or a stub's tests all say the same thing.
    whole = cause.kind in ("module", "not_implemented")
    tests = [
        _test_view(
            test,
            lang=lang,
            gettext=gettext,
            said=[said.headline],
            details=not whole and test is not shown,
            message=not whole,
        )
        for test in cause.tests
    ]
    return CauseView(
        anchor=anchor,
        label=gettext(_CAUSE_LABELS[cause.kind]) if cause.kind in _CAUSE_LABELS else subject,
        kind=cause.kind,
        subject=subject,
        line=said.line,
        exercise=_exercise_title(cause, lang),
        headline=said.headline,
        diagnoses=said.diagnoses,
        explanation=said.explanation,
        evidence=facts if facts is not None and facts.has_details else None,
        plot=plot,
        plot_caption=caption,
        pointers=pointers,
        hint=hint,
        downstream=list(cause.downstream),
        spared=list(cause.spared),
        stubs=list(cause.functions[1:]) if cause.kind == "not_implemented" else [],
        points_lost=formatting.points(cause.points_lost, lang),
        tests=tests,
    )


@dataclass
class _Said:
    """What a cause's block says of it: a headline, the other diagnoses, what it means."""

    headline: str
    diagnoses: list[str] = field(default_factory=list)
    explanation: str | None = None
    line: str = ""  # the line of the file at fault
    codes: list[str] = field(default_factory=list)  # the diagnosis codes, for the lecture


def _module_said(
    cause: Cause, file: str, problems: Sequence[Problem], lang: str, gettext: Gettext
) -> _Said:
    """A module that could not be loaded: the loader's problem, else what its status says."""
    problem = _module_problem(cause.subject, problems)
    status = cause.module_status or ""
    code = problem.code if problem is not None else status
    reason = explanations.PROBLEM_EXPLANATIONS.get(code)
    explanation = gettext(reason) if reason else None
    if problem is not None:
        line = str(problem.line) if problem.line is not None else ""
        return _Said(problem.messages.get(lang) or problem.message, [], explanation, line)
    if status == "missing":
        headline = gettext(
            "%(file)s is not in your submission, so none of its functions could be "
            "graded: add it (start from the handout's copy) and submit again."
        ) % {"file": file}
        return _Said(headline, [], explanation)
    state = explanations.MODULE_STATES.get(status)
    headline = gettext("%(file)s could not be loaded (%(state)s).") % {
        "file": file,
        "state": gettext(state) if state else status,
    }
    return _Said(headline, [], explanation)


def _failures_said(
    cause: Cause,
    shown: TestResult | None,
    *,
    lang: str,
    gettext: Gettext,
    seconds: float | None,
) -> _Said:
    """Failed tests: each kind of mistake diagnosed once (the functions at fault first),
    else the message of the test that shows it best, and what its outcome means."""
    codes: dict[str, str] = {}  # diagnosis code -> its first sentence
    for test in [*cause.own, *cause.tests]:
        found = test.evidence.diagnosis if test.evidence is not None else None
        if found is not None and found.text(lang):
            codes.setdefault(found.code, found.text(lang))
    sentences = list(codes.values())
    said = _Said(
        sentences[0] if sentences else (shown.message_in(lang) if shown else ""),
        sentences[1:],
        codes=list(codes),
    )
    if cause.kind == "internal":
        said.explanation = gettext(explanations.STATUS_EXPLANATIONS["internal_error"])
    elif shown is not None and cause.kind != "not_implemented":  # a stub's message says all
        said.explanation = _outcome_explanation(shown, lang=lang, gettext=gettext, seconds=seconds)
        kind = shown.evidence.kind if shown.evidence is not None else ""
        if not said.explanation and kind in explanations.EVIDENCE_EXPLANATIONS:
            said.explanation = gettext(explanations.EVIDENCE_EXPLANATIONS[kind])
        if shown.outcome == "timeout" and not sentences:
            # Our sentence names the deadline and what to look for; each test's own message
            # stays on its line.
            said.headline, said.explanation = said.explanation or said.headline, None
    return said


def _exercise_title(cause: Cause, lang: str) -> str | None:
    """The title of the exercise the cause is in, or None when it spans several."""
    if cause.kind == "module":
        titles = [e.title for e in EXERCISES if e.module == cause.subject]
    else:
        known = [name for name in cause.functions if name in all_functions()]
        titles = list({exercise_of(name).id: exercise_of(name).title for name in known}.values())
    return titles[0].get(lang, titles[0]["en"]) if len(titles) == 1 else None


def _at_fault(test: TestResult, function: str) -> bool:
    """Whether the failure of `test` is `function`'s: the evidence names it, or names no
    function and the test called it."""
    if test.passed:
        return False
    named = test.evidence.function if test.evidence is not None else None
    return named == function or (not named and function in test.functions)


def _function_states(
    functions: Sequence[str], tests: Sequence[TestResult], modules: Mapping[str, str]
) -> list[tuple[str, str]]:
    """Each function passed, failed (its tests fail, or its module could not be loaded),
    or untested (no test called it)."""
    states = []
    for name in functions:
        unloaded = name in all_functions() and modules.get(module_of(name), "loaded") != "loaded"
        if unloaded or any(_at_fault(test, name) for test in tests):
            states.append((name, "failed"))
        elif any(name in test.functions for test in tests):
            states.append((name, "passed"))
        else:
            states.append((name, "untested"))
    return states


def _state(score: float, max_score: float) -> str:
    if max_score > 0 and score >= max_score:
        return "full"
    return "partial" if score > 0 else "zero"


def _exercise_view(
    exercise: ExerciseResult,
    *,
    lang: str,
    modules: Mapping[str, str],
    causes: Sequence[tuple[Cause, CauseView]],
) -> ExerciseView:
    known = _CATALOG.get(exercise.id)
    functions = list(exercise.functions or (known.functions if known else []))
    failing = {id(test) for test in exercise.failures}
    return ExerciseView(
        id=exercise.id,
        title=known.title.get(lang, known.title["en"]) if known else exercise.id,
        score=formatting.points(exercise.score, lang),
        max_score=formatting.points(exercise.max_score, lang),
        state=_state(exercise.score, exercise.max_score),
        functions=_function_states(functions, exercise.tests, modules),
        passed=[test.title_in(lang) or test.id for test in exercise.tests if test.passed],
        failed=len(failing),
        causes=[
            (view.anchor, view.label, view.kind in ("function", "module"))
            for cause, view in causes
            if any(id(test) in failing for test in cause.tests)
        ],
    )


# What links to a cause say when no one function or file is at fault.
_CAUSE_LABELS = {
    "not_implemented": N_("not implemented yet"),
    "not_run": N_("not run"),
    "internal": N_("grader error"),
}
_CATALOG = {exercise.id: exercise for exercise in EXERCISES}
_CATALOG_FUNCTIONS = {name: exercise for exercise in EXERCISES for name in exercise.functions}


def student_view(result: Result, *, lang: str, gettext: Gettext) -> StudentView:
    """Build the student page's view of one result document."""
    seconds = result.isolation.limits.get("wall_seconds_per_call")
    causes = find_causes(result)
    views = [
        _cause_view(cause, number, result, lang=lang, gettext=gettext, seconds=seconds)
        for number, cause in enumerate(causes, start=1)
    ]
    # A module's problem is the heading of its cause: the table lists the others.
    told = {cause.subject for cause in causes if cause.kind == "module"}
    problems = []
    for problem in result.submission.problems:
        if any(_module_problem(module, [problem]) is problem for module in told):
            continue
        explanation = explanations.PROBLEM_EXPLANATIONS.get(problem.code)
        problems.append(
            {
                "path": problem.path,
                "line": str(problem.line) if problem.line is not None else "",
                "message": problem.messages.get(lang) or problem.message,
                "explanation": gettext(explanation) if explanation else "",
            }
        )
    modules = []
    for module, state in sorted(result.submission.modules.items()):
        if module in told:
            continue
        label = explanations.MODULE_STATES.get(state)
        modules.append((module, gettext(label) if label else state, state == "loaded"))
    stdout, cut_out = _cap(result.output.stdout)
    stderr, cut_err = _cap(result.output.stderr)
    status_explanation = explanations.STATUS_EXPLANATIONS.get(result.status)
    pairs = list(zip(causes, views, strict=True))
    return StudentView(
        student=result.student,
        lang=lang,
        status=result.status,
        status_explanation=gettext(status_explanation) if status_explanation else None,
        score=formatting.points(result.score, lang),
        max_score=formatting.points(result.max_score, lang),
        percent=formatting.percent(result.fraction, lang),
        fraction=result.fraction,
        causes=views,
        exercises=[
            _exercise_view(exercise, lang=lang, modules=result.submission.modules, causes=pairs)
            for exercise in result.exercises
        ],
        problems=problems,
        modules=modules,
        stdout=stdout,
        stderr=stderr,
        output_truncated=result.output.truncated or cut_out or cut_err,
        isolation=sorted(result.isolation.layers.items()),
        isolation_notes=list(result.isolation.notes_in(lang)),
        unsafe=result.isolation.unsafe is True,
        grader_version=result.grader_version,
    )
