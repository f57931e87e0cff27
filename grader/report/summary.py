"""The class summary's view: scores, pass rates, frequent mistakes, who needs attention."""

from __future__ import annotations

import statistics
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from markupsafe import Markup

from grader.catalog import EXERCISES
from grader.report import explanations, formatting
from grader.report.feedback import localised
from grader.report.plots import score_histogram

Gettext = Callable[[str], str]


@dataclass
class StudentRow:
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
    needs_attention: bool = False


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


def _rate(passed: int, total: int, lang: str) -> tuple[float, str]:
    rate = passed / total if total else 0.0
    return rate, formatting.percent(rate, lang)


def _group(groups: dict[tuple[str, str], list[str]], name: str, key: tuple[str, str]) -> None:
    students = groups.setdefault(key, [])
    if name not in students:
        students.append(name)


def class_view(
    entries: list[dict[str, Any]],
    *,
    lang: str,
    gettext: Gettext,
    links: list[tuple[str, str]],
) -> ClassView:
    """Build the summary's view.

    `entries` are dicts with `name` (display name), `result` (document or None), `problem`
    (why it is unreadable), `missing`, `feedback_href` and `gradescope_href` (or None).
    """
    rows: list[StudentRow] = []
    percentages: list[float] = []
    exercise_stats: dict[str, dict[str, Any]] = {}
    test_stats: dict[str, dict[str, Any]] = {}
    diagnoses: dict[tuple[str, str], list[str]] = {}
    outcomes: dict[tuple[str, str], list[str]] = {}
    for entry in entries:
        name = entry["name"]
        result = entry.get("result")
        if result is None:
            status = "missing" if entry.get("missing") else "unreadable"
            rows.append(
                StudentRow(
                    name=name,
                    status=status,
                    status_label=gettext(explanations.STATUS_LABELS[status]),
                    score="",
                    max_score="",
                    percent="",
                    feedback_href=None,
                    gradescope_href=entry.get("gradescope_href"),
                    remarks=[],
                    problem=entry.get("problem"),
                    needs_attention=True,
                )
            )
            continue
        status = str(result.get("status", "graded"))
        score = formatting.as_float(result.get("score")) or 0.0
        max_score = formatting.as_float(result.get("max_score")) or 0.0
        fraction = score / max_score if max_score > 0 else 0.0
        percentages.append(100 * fraction)
        outcome_counts: dict[str, int] = {}
        for exercise in result.get("exercises") or []:
            ex_id = str(exercise.get("id", ""))
            stats = exercise_stats.setdefault(
                ex_id, {"scores": [], "max": 0.0, "passed": 0, "total": 0}
            )
            stats["scores"].append(formatting.as_float(exercise.get("score")) or 0.0)
            stats["max"] = max(stats["max"], formatting.as_float(exercise.get("max_score")) or 0)
            for test in exercise.get("tests") or []:
                outcome = str(test.get("outcome", "failed"))
                passed = outcome == "passed"
                stats["total"] += 1
                stats["passed"] += passed
                t_stats = test_stats.setdefault(
                    str(test.get("id", "")),
                    {
                        "title": localised(test, lang, "title"),
                        "passed": 0,
                        "total": 0,
                    },
                )
                t_stats["total"] += 1
                t_stats["passed"] += passed
                if passed:
                    continue
                outcome_counts[outcome] = outcome_counts.get(outcome, 0) + 1
                evidence = test.get("evidence") or {}
                function = str(evidence.get("function") or ", ".join(test.get("functions") or []))
                diagnosis = evidence.get("diagnosis")
                if isinstance(diagnosis, dict) and diagnosis.get("code"):
                    # One row per kind of mistake and function, whatever the numbers in
                    # each student's own sentence (m = 5, m = 7...).
                    code = str(diagnosis["code"])
                    label = explanations.DIAGNOSIS_LABELS.get(code)
                    if label is not None:
                        text = gettext(label)
                    else:
                        text = diagnosis.get(lang) or diagnosis.get("en") or code
                    _group(diagnoses, name, (code, f"{function}: {text}"))
                else:
                    kind = str(evidence.get("kind") or "")
                    label = explanations.EVIDENCE_LABELS.get(
                        kind
                    ) or explanations.OUTCOME_LABELS.get(outcome, outcome)
                    _group(outcomes, name, (gettext(label), function))
        remarks = []
        for outcome in ("timeout", "crashed", "error"):
            if outcome_counts.get(outcome):
                remarks.append(
                    f"{gettext(explanations.OUTCOME_LABELS[outcome])} × {outcome_counts[outcome]}"
                )
        label = explanations.STATUS_LABELS.get(status)
        rows.append(
            StudentRow(
                name=name,
                status=status,
                status_label=gettext(label) if label else status,
                score=formatting.points(score, lang),
                max_score=formatting.points(max_score, lang),
                percent=formatting.percent(fraction, lang),
                feedback_href=entry.get("feedback_href"),
                gradescope_href=entry.get("gradescope_href"),
                remarks=remarks,
                problem=None,
                needs_attention=status != "graded"
                or bool(outcome_counts.get("timeout") or outcome_counts.get("crashed")),
            )
        )
    catalog = {exercise.id: exercise for exercise in EXERCISES}
    exercise_rows = []
    for ex_id, stats in exercise_stats.items():
        rate, rate_text = _rate(stats["passed"], stats["total"], lang)
        known = catalog.get(ex_id)
        exercise_rows.append(
            RateRow(
                id=ex_id,
                title=known.title.get(lang, known.title["en"]) if known else ex_id,
                passed=stats["passed"],
                total=stats["total"],
                rate=rate,
                rate_text=rate_text,
                mean=f"{formatting.points(statistics.fmean(stats['scores']), lang)}"
                f" / {formatting.points(stats['max'], lang)}",
            )
        )
    test_rows = []
    for test_id, stats in test_stats.items():
        rate, rate_text = _rate(stats["passed"], stats["total"], lang)
        test_rows.append(
            RateRow(test_id, stats["title"], stats["passed"], stats["total"], rate, rate_text)
        )

    def groups(found: dict[tuple[str, str], list[str]]) -> list[FailureGroup]:
        listed = [FailureGroup(k[0], k[1], len(v), sorted(v)) for k, v in found.items()]
        return sorted(listed, key=lambda g: (-g.count, g.label, g.detail))

    histogram = score_histogram(
        percentages,
        key="histogram",
        labels={
            "x": gettext("score (%)"),
            "y": gettext("students"),
            "title": gettext("Distribution of the scores"),
        },
    )
    attention = [row for row in rows if row.needs_attention]
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
        exercises=exercise_rows,
        tests=test_rows,
        by_diagnosis=groups(diagnoses),
        by_outcome=groups(outcomes),
        attention=attention,
        links=links,
    )
