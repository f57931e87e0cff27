"""The student page's view: a `Result` turned into what a person reads.

Everything here is plain strings and numbers (escaped by the template) except the plots,
which are our own SVG. Messages from the document are already localised; our own words
go through `gettext`.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from markupsafe import Markup

from grader.catalog import EXERCISES, all_functions
from grader.report import explanations, formatting, lecture
from grader.report.plots import curve_plot
from grader.result import Evidence, ExerciseResult, Result, TestResult

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
    diagnosis: str | None = None
    exception_type: str | None = None
    exception_message: str | None = None
    traceback: str | None = None
    plot: Markup | None = None


@dataclass
class TestView:
    id: str
    title: str
    outcome: str
    outcome_label: str
    points: str
    max_points: str
    message: str
    explanation: str | None
    evidence: EvidenceView | None

    @property
    def passed(self) -> bool:
        return self.outcome == "passed"


@dataclass
class ExerciseView:
    id: str
    title: str
    hint: str | None
    score: str
    max_score: str
    state: str  # "full", "partial" or "zero": the colour of the heading's badge
    functions: list[tuple[str, str]]  # (name, "passed" | "failed" | "untested")
    tests: list[TestView]
    pointers: list[tuple[str, str]]  # (lecture section, idea), translated

    @property
    def failures(self) -> list[TestView]:
        return [test for test in self.tests if not test.passed]


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
    exercises: list[ExerciseView]
    problems: list[dict[str, str]]
    modules: list[tuple[str, str, bool]]  # (module, state label, loaded)
    stdout: str
    stderr: str
    output_truncated: bool
    isolation: list[tuple[str, bool]]
    isolation_notes: list[str]
    grader_version: str
    unsafe: bool = False  # graded with --unsafe-no-sandbox


def _cap(text: str, limit: int = OUTPUT_DISPLAY_CHARS) -> tuple[str, bool]:
    return (text, False) if len(text) <= limit else (text[:limit], True)


def _evidence_view(evidence: Evidence, *, lang: str, gettext: Gettext, key: str) -> EvidenceView:
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
    if evidence.diagnosis is not None:
        view.diagnosis = evidence.diagnosis.text(lang) or None
    if evidence.exception is not None:
        view.exception_type = evidence.exception.type or None
        view.exception_message = evidence.exception.message or None
        view.traceback = evidence.exception.traceback or None
    if evidence.curve is not None:
        # Only catalog names go into the accessible label: never a string from the student.
        known = all_functions()
        name = evidence.curve.function
        name = name if name in known else (view.function or "")
        name = name if name in known else gettext("your function")
        labels = {
            "yours": gettext("yours"),
            "expected": gettext("expected"),
            "z": "z",
            "title": gettext("%(function)s: yours and expected, over z in [-5, 5]")
            % {"function": name},
        }
        view.plot = curve_plot(evidence.curve.to_json(), key=key, labels=labels)
    return view


def _shape(shape: tuple[int, ...] | None) -> str:
    return formatting.shape(shape) if shape is not None else "?"


def _shown_evidence(test: TestResult) -> Evidence | None:
    """The evidence the page shows for `test`: that of a test that did not pass."""
    return None if test.passed else test.evidence


def _test_view(
    test: TestResult, *, lang: str, gettext: Gettext, seconds: float | None, key: str
) -> TestView:
    shown = _shown_evidence(test)
    evidence_view = (
        _evidence_view(shown, lang=lang, gettext=gettext, key=key) if shown is not None else None
    )
    explanation = explanations.OUTCOME_EXPLANATIONS.get(test.outcome)
    if explanation and test.outcome == "timeout":
        found = test.evidence.seconds if test.evidence is not None else None
        limit = found if found is not None else seconds
        limit_text = formatting.points(limit, lang) if limit is not None else "?"
        explanation = gettext(explanation) % {"seconds": limit_text}
    elif explanation:
        explanation = gettext(explanation)
    label = explanations.OUTCOME_LABELS.get(test.outcome)
    return TestView(
        id=test.id,
        title=test.title_in(lang) or test.id,
        outcome=test.outcome,
        outcome_label=gettext(label) if label else test.outcome,
        points=formatting.points(test.points, lang),
        max_points=formatting.points(test.max_points, lang),
        message="" if test.passed else test.message_in(lang),
        explanation=explanation,
        evidence=evidence_view,
    )


def _at_fault(test: TestResult, function: str) -> bool:
    """Whether the failure of `test` is `function`'s: the evidence names it, or names no
    function and the test called it."""
    if test.passed:
        return False
    named = test.evidence.function if test.evidence is not None else None
    return named == function or (not named and function in test.functions)


def _function_states(
    functions: Sequence[str], tests: Sequence[TestResult]
) -> list[tuple[str, str]]:
    """Each function passed, failed, or untested (no test called it)."""
    states = []
    for name in functions:
        if any(_at_fault(test, name) for test in tests):
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
    exercise: ExerciseResult, *, lang: str, gettext: Gettext, seconds: float | None
) -> ExerciseView:
    known = _CATALOG.get(exercise.id)
    failing = exercise.failures
    codes = [
        test.evidence.diagnosis.code
        if test.evidence is not None and test.evidence.diagnosis is not None
        else ""
        for test in failing
    ]
    failing_functions = [
        name
        for test in failing
        for name in ([test.evidence.function] if test.evidence and test.evidence.function else [])
        + list(test.functions)
    ]
    pointers = [
        (gettext(section), gettext(idea))
        for section, idea in lecture.pointers(codes, failing_functions)
    ]
    functions = list(exercise.functions or (known.functions if known else []))
    return ExerciseView(
        id=exercise.id,
        title=known.title.get(lang, known.title["en"]) if known else exercise.id,
        hint=known.hint.get(lang, known.hint["en"]) if known and failing else None,
        score=formatting.points(exercise.score, lang),
        max_score=formatting.points(exercise.max_score, lang),
        state=_state(exercise.score, exercise.max_score),
        functions=_function_states(functions, exercise.tests),
        tests=[
            _test_view(test, lang=lang, gettext=gettext, seconds=seconds, key=f"{exercise.id}/{i}")
            for i, test in enumerate(exercise.tests)
        ],
        pointers=pointers,
    )


_CATALOG = {exercise.id: exercise for exercise in EXERCISES}


def student_view(result: Result, *, lang: str, gettext: Gettext) -> StudentView:
    """Build the student page's view of one result document."""
    seconds = result.isolation.limits.get("wall_seconds_per_call")
    problems = []
    for problem in result.submission.problems:
        explanation = explanations.PROBLEM_EXPLANATIONS.get(problem.code)
        problems.append(
            {
                "path": problem.path,
                "line": str(problem.line) if problem.line is not None else "",
                "message": problem.message,
                "explanation": gettext(explanation) if explanation else "",
            }
        )
    modules = []
    for module, state in sorted(result.submission.modules.items()):
        label = explanations.MODULE_STATES.get(state)
        modules.append((module, gettext(label) if label else state, state == "loaded"))
    stdout, cut_out = _cap(result.output.stdout)
    stderr, cut_err = _cap(result.output.stderr)
    status_explanation = explanations.STATUS_EXPLANATIONS.get(result.status)
    return StudentView(
        student=result.student,
        lang=lang,
        status=result.status,
        status_explanation=gettext(status_explanation) if status_explanation else None,
        score=formatting.points(result.score, lang),
        max_score=formatting.points(result.max_score, lang),
        percent=formatting.percent(result.fraction, lang),
        fraction=result.fraction,
        exercises=[
            _exercise_view(exercise, lang=lang, gettext=gettext, seconds=seconds)
            for exercise in result.exercises
        ],
        problems=problems,
        modules=modules,
        stdout=stdout,
        stderr=stderr,
        output_truncated=result.output.truncated or cut_out or cut_err,
        isolation=sorted(result.isolation.layers.items()),
        isolation_notes=list(result.isolation.notes),
        unsafe=result.isolation.unsafe is True,
        grader_version=result.grader_version,
    )
