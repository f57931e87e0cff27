"""The student page's view: a result document turned into what a person reads.

Everything here is plain strings and numbers (escaped by the template) except the plots,
which are our own SVG. Messages from the document are already localised; our own words
go through `gettext`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from markupsafe import Markup

from grader.catalog import EXERCISES, all_functions
from grader.report import explanations, formatting, lecture
from grader.report.plots import curve_plot

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


def localised(document: dict[str, Any], lang: str, field: str = "message") -> str:
    """A test's `field` (``message`` or ``title``) in `lang`, from its ``<field>s`` object,
    falling back to the document's own `field` (written in the grading's language)."""
    versions = document.get(f"{field}s")
    if isinstance(versions, dict) and isinstance(versions.get(lang), str):
        return versions[lang]
    value = document.get(field)
    return value if isinstance(value, str) else ""


def _text(value: Any) -> str | None:
    return value if isinstance(value, str) and value else None


def _cap(text: Any, limit: int = OUTPUT_DISPLAY_CHARS) -> tuple[str, bool]:
    text = text if isinstance(text, str) else ""
    return (text, False) if len(text) <= limit else (text[:limit], True)


def _evidence_view(
    evidence: dict[str, Any], *, lang: str, gettext: Gettext, key: str
) -> EvidenceView:
    kind = str(evidence.get("kind", ""))
    label = explanations.EVIDENCE_LABELS.get(kind)
    view = EvidenceView(kind=kind, label=gettext(label) if label else kind)
    explanation = explanations.EVIDENCE_EXPLANATIONS.get(kind)
    view.explanation = gettext(explanation) if explanation else None
    view.function = _text(evidence.get("function"))
    view.array = _text(evidence.get("array"))
    view.call = _text(evidence.get("call"))
    for entry in evidence.get("worst") or []:
        if isinstance(entry, dict):
            view.worst.append(
                (
                    formatting.index(entry.get("index", [])),
                    formatting.value(entry.get("got"), lang),
                    formatting.value(entry.get("expected"), lang),
                )
            )
    if "max_abs_error" in evidence:
        view.max_abs_error = formatting.value(evidence["max_abs_error"], lang)
    if "max_rel_error" in evidence:
        view.max_rel_error = formatting.value(evidence["max_rel_error"], lang)
    tolerance = evidence.get("tolerance")
    if isinstance(tolerance, dict):
        view.tolerance = (
            f"rtol = {formatting.value(tolerance.get('rtol'), lang)}, "
            f"atol = {formatting.value(tolerance.get('atol'), lang)}"
        )
    if "expected_shape" in evidence or "got_shape" in evidence:
        view.expected_shape = formatting.shape(evidence.get("expected_shape", "?"))
        view.got_shape = formatting.shape(evidence.get("got_shape", "?"))
    if "expected_dtype" in evidence or "got_dtype" in evidence or "got_type" in evidence:
        view.expected_type = _text(evidence.get("expected_dtype"))
        view.got_type = _text(evidence.get("got_dtype")) or _text(evidence.get("got_type"))
    diagnosis = evidence.get("diagnosis")
    if isinstance(diagnosis, dict):
        view.diagnosis = _text(diagnosis.get(lang)) or _text(diagnosis.get("en"))
    exception = evidence.get("exception")
    if isinstance(exception, dict):
        view.exception_type = _text(exception.get("type"))
        view.exception_message = _text(exception.get("message"))
        view.traceback = _text(exception.get("traceback"))
    curve = evidence.get("curve")
    if isinstance(curve, dict):
        # Only catalog names go into the accessible label: never a string from the student.
        name = curve.get("function")
        name = name if name in all_functions() else (view.function or "")
        name = name if name in all_functions() else gettext("your function")
        labels = {
            "yours": gettext("yours"),
            "expected": gettext("expected"),
            "z": "z",
            "title": gettext("%(function)s: yours and expected, over z in [-5, 5]")
            % {"function": name},
        }
        view.plot = curve_plot(curve, key=key, labels=labels)
    return view


def _shown_evidence(test: dict[str, Any]) -> dict[str, Any] | None:
    """The evidence the page shows for `test`: that of a test that did not pass."""
    evidence = test.get("evidence")
    if isinstance(evidence, dict) and str(test.get("outcome", "failed")) != "passed":
        return evidence
    return None


def _test_view(
    test: dict[str, Any], *, lang: str, gettext: Gettext, seconds: Any, key: str
) -> TestView:
    outcome = str(test.get("outcome", "failed"))
    evidence = test.get("evidence")
    shown = _shown_evidence(test)
    evidence_view = (
        _evidence_view(shown, lang=lang, gettext=gettext, key=key) if shown is not None else None
    )
    explanation = explanations.OUTCOME_EXPLANATIONS.get(outcome)
    if explanation and outcome == "timeout":
        limit = (evidence or {}).get("seconds", seconds)
        limit_text = formatting.points(limit, lang) if limit is not None else "?"
        explanation = gettext(explanation) % {"seconds": limit_text}
    elif explanation:
        explanation = gettext(explanation)
    label = explanations.OUTCOME_LABELS.get(outcome)
    return TestView(
        id=str(test.get("id", "")),
        title=localised(test, lang, "title") or str(test.get("id") or ""),
        outcome=outcome,
        outcome_label=gettext(label) if label else outcome,
        points=formatting.points(test.get("points", 0), lang),
        max_points=formatting.points(test.get("max_points", 0), lang),
        message="" if outcome == "passed" else localised(test, lang),
        explanation=explanation,
        evidence=evidence_view,
    )


def _function_states(functions: list[str], tests: list[dict[str, Any]]) -> list[tuple[str, str]]:
    """Each function passed, failed, or untested (no test called it)."""
    states = []
    for name in functions:
        calling = [t for t in tests if name in (t.get("functions") or [])]
        at_fault = [
            t
            for t in tests
            if t.get("outcome") != "passed"
            and (
                (t.get("evidence") or {}).get("function") == name
                or (
                    not (t.get("evidence") or {}).get("function")
                    and name in (t.get("functions") or [])
                )
            )
        ]
        if at_fault:
            states.append((name, "failed"))
        elif calling:
            states.append((name, "passed"))
        else:
            states.append((name, "untested"))
    return states


def _state(score: float, max_score: float) -> str:
    if max_score > 0 and score >= max_score:
        return "full"
    return "partial" if score > 0 else "zero"


def student_view(result: dict[str, Any], *, lang: str, gettext: Gettext) -> StudentView:
    """Build the student page's view of one result document."""
    catalog = {exercise.id: exercise for exercise in EXERCISES}
    limits = (result.get("isolation") or {}).get("limits") or {}
    seconds = limits.get("wall_seconds_per_call")
    exercises = []
    for exercise in result.get("exercises") or []:
        entry = catalog.get(exercise.get("id"))
        tests = [t for t in exercise.get("tests") or [] if isinstance(t, dict)]
        test_views = [
            _test_view(
                t, lang=lang, gettext=gettext, seconds=seconds, key=f"{exercise.get('id')}/{i}"
            )
            for i, t in enumerate(tests)
        ]
        failing = [t for t in tests if t.get("outcome") != "passed"]
        codes = [
            ((t.get("evidence") or {}).get("diagnosis") or {}).get("code", "") for t in failing
        ]
        failing_functions = [
            name
            for t in failing
            for name in ([(t.get("evidence") or {}).get("function")] + (t.get("functions") or []))
            if isinstance(name, str)
        ]
        pointers = [
            (gettext(section), gettext(idea))
            for section, idea in lecture.pointers(codes, failing_functions)
        ]
        functions = list(exercise.get("functions") or (entry.functions if entry else []))
        score = formatting.as_float(exercise.get("score")) or 0.0
        max_score = formatting.as_float(exercise.get("max_score")) or 0.0
        exercises.append(
            ExerciseView(
                id=str(exercise.get("id", "")),
                title=entry.title.get(lang, entry.title["en"]) if entry else str(exercise["id"]),
                hint=entry.hint.get(lang, entry.hint["en"]) if entry and failing else None,
                score=formatting.points(score, lang),
                max_score=formatting.points(max_score, lang),
                state=_state(score, max_score),
                functions=_function_states(functions, tests),
                tests=test_views,
                pointers=pointers,
            )
        )
    submission = result.get("submission") or {}
    problems = []
    for problem in submission.get("problems") or []:
        if not isinstance(problem, dict):
            continue
        explanation = explanations.PROBLEM_EXPLANATIONS.get(str(problem.get("code")))
        line = problem.get("line")
        problems.append(
            {
                "path": str(problem.get("path", "")),
                "line": str(line) if isinstance(line, int) else "",
                "message": str(problem.get("message", "")),
                "explanation": gettext(explanation) if explanation else "",
            }
        )
    modules = []
    for module, state in sorted((submission.get("modules") or {}).items()):
        label = explanations.MODULE_STATES.get(state)
        modules.append((module, gettext(label) if label else str(state), state == "loaded"))
    output = result.get("output") or {}
    stdout, cut_out = _cap(output.get("stdout"))
    stderr, cut_err = _cap(output.get("stderr"))
    status = str(result.get("status", "graded"))
    status_explanation = explanations.STATUS_EXPLANATIONS.get(status)
    score = formatting.as_float(result.get("score")) or 0.0
    max_score = formatting.as_float(result.get("max_score")) or 0.0
    fraction = score / max_score if max_score > 0 else 0.0
    isolation = result.get("isolation") or {}
    return StudentView(
        student=str(result.get("student", "")),
        lang=lang,
        status=status,
        status_explanation=gettext(status_explanation) if status_explanation else None,
        score=formatting.points(score, lang),
        max_score=formatting.points(max_score, lang),
        percent=formatting.percent(fraction, lang),
        fraction=fraction,
        exercises=exercises,
        problems=problems,
        modules=modules,
        stdout=stdout,
        stderr=stderr,
        output_truncated=bool(output.get("truncated")) or cut_out or cut_err,
        isolation=sorted((str(k), bool(v)) for k, v in (isolation.get("layers") or {}).items()),
        isolation_notes=[str(note) for note in isolation.get("notes") or []],
        unsafe=isolation.get("unsafe") is True,
        grader_version=str(result.get("grader_version", "")),
    )
