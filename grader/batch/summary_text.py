"""The end-of-batch summary, as lines of text for the terminal or a log."""

from __future__ import annotations

from grader.batch.pipeline import BatchReport
from grader.batch.progress import regrading_lines
from grader.exports.rows import format_points
from grader.exports.summary import score_statistics, status_counts


def summary_lines(report: BatchReport, *, resume_command: str = "") -> list[str]:
    """What a batch did, what went wrong and where the files are, one sentence a line."""
    if report.interrupted:
        return _interrupted_lines(report, resume_command)
    counts = status_counts(report.rows)
    where = (
        f"{report.workers} grading process(es)"
        if report.scheduler is None
        else f"the Dask cluster at {report.scheduler} ({report.workers} worker(s))"
    )
    lines = [
        f"Graded {len(report.graded)} submission(s) in {report.wall_seconds:.1f} s with "
        f"{where}; {len(report.kept)} up-to-date result(s) kept.",
        f"  graded: {counts.get('graded', 0)}, failed to load: {counts.get('load_failed', 0)}, "
        f"with timeouts: {counts['with_timeouts']}, "
        f"internal errors: {counts.get('internal_error', 0)}",
    ]
    statistics = score_statistics(report.rows)
    if statistics is not None:
        total = format_points(report.rows[0].max_score)
        lines.append(
            f"  score: mean {format_points(round(statistics['mean'], 2))}/{total}, "
            f"median {format_points(round(statistics['median'], 2))}/{total}"
        )
    for row in report.rows:
        if not row.scored:
            lines.append(f"  {row.student}: {row.status.replace('_', ' ')}. {row.message}")
    for item in report.discovery.ignored:
        lines.append(f"  ignored {item.entry}: {item.reason}.")
    if report.written is not None:
        left_out = {**report.written.canvas_left_out, **report.written.moodle_left_out}
        for student, reason in sorted(left_out.items()):
            lines.append(f"  left out of moodle.csv and canvas.csv: {student} ({reason}).")
    lines.extend(f"  {line}" for line in regrading_lines(report.regrading))
    lines.extend(f"  {note}" for note in report.notes)
    lines.append(f"Results: {report.results}")
    lines.append("Class files: grades.csv, moodle.csv, canvas.csv, summary.json")
    if report.report is not None:
        lines.append(f"Report: {report.report}")
    return lines


def _interrupted_lines(report: BatchReport, resume_command: str) -> list[str]:
    run = report.grading
    lines = [
        f"Interrupted after {report.wall_seconds:.1f} s: {len(run.finished)} submission(s) "
        f"graded and saved in {report.results}, {len(run.not_done)} left.",
        "The class files were not updated.",
    ]
    if resume_command:
        lines.append(
            f"To finish, run the same command again ({resume_command}): "
            "what is already graded is kept."
        )
    else:
        lines.append("To finish, run the same command again: what is already graded is kept.")
    return lines
