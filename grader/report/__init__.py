"""HTML feedback per student and a class summary, rendered from result documents only."""

from grader.report.documents import ResultDocumentError, load_result
from grader.report.render import (
    ReportPaths,
    render_class_summary,
    render_reports,
    render_student_feedback,
)

__all__ = [
    "ReportPaths",
    "ResultDocumentError",
    "load_result",
    "render_class_summary",
    "render_reports",
    "render_student_feedback",
]
