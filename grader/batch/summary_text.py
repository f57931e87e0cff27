"""The end-of-batch summary: lines of text for the terminal or a log, or JSON for scripts.

Both name every entry that could not be graded, or not wholly (`not_graded`): the
commands exit with 1 when there is one.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from grader.batch.pipeline import BatchReport
from grader.batch.progress import regrading_lines
from grader.console import STATUS_WORDS, number, printable, seconds
from grader.exports.rows import StudentRow
from grader.exports.summary import score_statistics, status_counts
from grader.i18n import Text, in_language, plural_translator, translator

MESSAGE_LIMIT = 500
"""Characters of a reason shown on one line (a student's text inside it is capped already)."""

REJECTION_WORDS = {
    "duplicate": Text("duplicate"),
    "unreadable": Text("unreadable"),
    "missing": Text("missing"),
    "not_graded": Text("not graded"),
}


@dataclass(frozen=True)
class NotGraded:
    """An entry of the class that could not be graded, or not wholly.

    Attributes:
        student: its student id.
        status: the row's status (``load_failed``, ``duplicate``, ``not_graded``...), or
            ``graded`` for a submission graded without the files it could not read.
        reason: why, and what to do, in the language asked for where it has one.
        unreadable_files: the files that could not be read (graded as absent).
    """

    student: str
    status: str
    reason: str
    unreadable_files: tuple[str, ...] = ()


def not_graded(report: BatchReport, lang: str = "en") -> list[NotGraded]:
    """Every student of the class whose entry could not be graded, or not wholly: nothing
    of it could be loaded, a file of it could not be read, it was rejected (duplicate,
    unreadable), or its grading failed; in student order, each with why in `lang`."""
    ngettext = plural_translator(lang)
    rejections = {rejection.student: rejection for rejection in report.discovery.rejected}
    found = []
    for row in report.rows:
        if row.status == "graded" and row.facts is not None:
            unreadable = row.facts.unreadable_files
            if unreadable:
                reason = ngettext(
                    "%(files)s could not be read and was graded as absent: make it readable "
                    "(chmod a+r) and run the batch again.",
                    "%(files)s could not be read and were graded as absent: make them readable "
                    "(chmod a+r) and run the batch again.",
                    len(unreadable),
                    files=", ".join(unreadable),
                )
                found.append(NotGraded(row.student, row.status, reason, unreadable))
            continue
        reason = in_language(_reason(row, report, rejections), lang)
        found.append(NotGraded(row.student, row.status, reason))
    return found


def _reason(
    row: StudentRow, report: BatchReport, rejections: dict[str, Any]
) -> str | Mapping[str, str]:
    if row.student in rejections:
        message: str | Mapping[str, str] = rejections[row.student].message
        return message
    if row.student in report.grading.failed:
        return Text(
            "grading it failed (%(error)s); run the batch again to retry it, and report it "
            "if it happens again.",
            error=report.grading.failed[row.student],
        )
    if row.facts is not None:
        return row.facts.reason
    return Text("no valid result.json; run the batch again to grade it.")


def summary_lines(report: BatchReport, *, resume_command: str = "", lang: str = "en") -> list[str]:
    """What a batch did, what went wrong and where the files are, one sentence a line."""
    _ = translator(lang)
    ngettext = plural_translator(lang)
    if report.interrupted:
        return _interrupted_lines(report, resume_command, lang)
    counts = status_counts(report.rows)
    graded = len(report.graded)
    wall = seconds(report.wall_seconds, lang)
    if report.scheduler is None:
        where = ngettext("%(count)s grading process", "%(count)s grading processes", report.workers)
    else:
        where = ngettext(
            "the Dask cluster at %(scheduler)s (%(count)s worker)",
            "the Dask cluster at %(scheduler)s (%(count)s workers)",
            report.workers,
            scheduler=report.scheduler,
        )
    kept = ngettext(
        "%(count)s up-to-date result kept", "%(count)s up-to-date results kept", len(report.kept)
    )
    lines = [
        ngettext(
            "Graded %(count)s submission in %(seconds)s s with %(where)s; %(kept)s.",
            "Graded %(count)s submissions in %(seconds)s s with %(where)s; %(kept)s.",
            graded,
            seconds=wall,
            where=where,
            kept=kept,
        ),
        "  "
        + _(
            "graded: %(graded)s, failed to load: %(load_failed)s, with timeouts: "
            "%(timeouts)s, internal errors: %(internal)s",
            graded=counts.get("graded", 0),
            load_failed=counts.get("load_failed", 0),
            timeouts=counts["with_timeouts"],
            internal=counts.get("internal_error", 0),
        ),
    ]
    statistics = score_statistics(report.rows)
    if statistics is not None:
        total = number(report.rows[0].max_score, lang)
        lines.append(
            "  "
            + _(
                "score: mean %(mean)s/%(total)s, median %(median)s/%(total)s",
                mean=number(statistics["mean"], lang),
                median=number(statistics["median"], lang),
                total=total,
            )
        )
    missing = not_graded(report, lang)
    if missing:
        lines.append(
            ngettext(
                "%(count)s student could not be graded, or not wholly:",
                "%(count)s students could not be graded, or not wholly:",
                len(missing),
            )
        )
        for entry in missing:
            lines.append(
                "  "
                + _(
                    "%(student)s: %(status)s. %(reason)s",
                    student=printable(entry.student),
                    status=_status_word(entry.status, lang),
                    reason=printable(entry.reason, MESSAGE_LIMIT),
                )
            )
    for item in report.discovery.ignored:
        lines.append(
            "  "
            + _(
                "ignored %(entry)s: %(reason)s.",
                entry=printable(item.entry),
                reason=in_language(item.reason, lang),
            )
        )
    if report.written is not None:
        left_out = {**report.written.canvas_left_out, **report.written.moodle_left_out}
        for student, why in sorted(left_out.items()):
            lines.append(
                "  "
                + _(
                    "left out of moodle.csv and canvas.csv: %(student)s (%(why)s).",
                    student=printable(student),
                    why=why,
                )
            )
    lines.extend(f"  {line}" for line in regrading_lines(report.regrading, lang))
    lines.extend(f"  {in_language(note, lang)}" for note in report.notes)
    lines.append(_("Results: %(folder)s", folder=report.results))
    lines.append(_("Class files: grades.csv, moodle.csv, canvas.csv, summary.json"))
    if report.report is not None:
        lines.append(_("Report: %(page)s", page=report.report))
    return lines


def _status_word(status: str, lang: str) -> str:
    _ = translator(lang)
    if status in STATUS_WORDS:
        return _(STATUS_WORDS[status])
    if status in REJECTION_WORDS:
        return REJECTION_WORDS[status][lang]
    return printable(status.replace("_", " "))


def _interrupted_lines(report: BatchReport, resume_command: str, lang: str) -> list[str]:
    _ = translator(lang)
    ngettext = plural_translator(lang)
    run = report.grading
    lines = [
        ngettext(
            "Interrupted after %(seconds)s s: %(count)s submission graded and saved in "
            "%(folder)s, %(left)s left.",
            "Interrupted after %(seconds)s s: %(count)s submissions graded and saved in "
            "%(folder)s, %(left)s left.",
            len(run.finished),
            seconds=seconds(report.wall_seconds, lang),
            folder=report.results,
            left=len(run.not_done),
        ),
        _("The class files were not updated."),
    ]
    if resume_command:
        lines.append(
            _(
                "To finish, run the same command again (%(command)s): what is already graded "
                "is kept.",
                command=resume_command,
            )
        )
    else:
        lines.append(_("To finish, run the same command again: what is already graded is kept."))
    return lines


def summary_document(report: BatchReport, *, lang: str = "en") -> dict[str, Any]:
    """What `nngrade batch --json` prints: the batch in figures, every student's status and
    score, and those that could not be graded with why (in `lang`)."""
    missing = {entry.student: entry for entry in not_graded(report, lang)}
    students = []
    for row in report.rows:
        entry = missing.get(row.student)
        students.append(
            {
                "student": row.student,
                "status": row.status,
                "graded": entry is None,
                "score": row.score,
                "max_score": row.max_score,
                "graded_now": row.student in report.graded,
                "reason": entry.reason if entry is not None else None,
                "unreadable_files": list(entry.unreadable_files) if entry is not None else [],
            }
        )
    return {
        "results": str(report.results),
        "interrupted": report.interrupted,
        "graded_now": list(report.graded),
        "kept": list(report.kept),
        "not_done": list(report.grading.not_done),
        "not_graded": sorted(missing),
        "counts": status_counts(report.rows) if report.rows else {},
        "score": score_statistics(report.rows),
        "students": students,
        "ignored": [
            {"entry": item.entry, "reason": in_language(item.reason, lang)}
            for item in report.discovery.ignored
        ],
        "regrading": [
            {"reason": why[lang], "count": count} for why, count in report.regrading.items()
        ],
        "notes": [in_language(note, lang) for note in report.notes],
        "workers": report.workers,
        "scheduler": report.scheduler,
        "wall_seconds": round(report.wall_seconds, 3),
        "report": str(report.report) if report.report is not None else None,
    }
