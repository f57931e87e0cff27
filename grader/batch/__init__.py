"""Grading a whole class: discovery, the parallel resumable runner, progress, class files."""

from grader.batch.backend import GradingBackend, engine_backend
from grader.batch.discovery import Discovery, Ignored, Rejected, Submission, discover_submissions
from grader.batch.pipeline import BatchReport, grade_class
from grader.batch.progress import BarProgress, LineProgress, Progress
from grader.batch.resume import plan_grading, read_result, result_path

__all__ = [
    "BarProgress",
    "BatchReport",
    "Discovery",
    "GradingBackend",
    "Ignored",
    "LineProgress",
    "Progress",
    "Rejected",
    "Submission",
    "discover_submissions",
    "engine_backend",
    "grade_class",
    "plan_grading",
    "read_result",
    "result_path",
]
