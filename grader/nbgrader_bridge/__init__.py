"""nbgrader, both ways: export the assignment as an nbgrader course, grade its submissions."""

from grader.nbgrader_bridge.course import DEFAULT_ASSIGNMENT, read_settings
from grader.nbgrader_bridge.export import ExportResult, export_course
from grader.nbgrader_bridge.feedback import feedback_layout
from grader.nbgrader_bridge.requirement import INSTALL_HINT, NbgraderMissing, require_nbgrader

__all__ = [
    "DEFAULT_ASSIGNMENT",
    "INSTALL_HINT",
    "ExportResult",
    "NbgraderMissing",
    "export_course",
    "feedback_layout",
    "read_settings",
    "require_nbgrader",
]
