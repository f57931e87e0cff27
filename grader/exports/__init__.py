"""Gradebook exports of a graded class: grades.csv, Moodle, Canvas, Gradescope, summary.json."""

from grader.atomic import remove_stale_temp_files, write_json_atomic, write_text_atomic
from grader.exports.canvas import canvas_csv
from grader.exports.class_files import ExportOptions, WrittenFiles, write_class_files
from grader.exports.grades_csv import grades_csv
from grader.exports.gradescope import gradescope_results
from grader.exports.moodle import moodle_csv
from grader.exports.rows import StudentRow, build_rows
from grader.exports.student_map import StudentMap, read_student_map
from grader.exports.summary import class_summary

__all__ = [
    "ExportOptions",
    "StudentMap",
    "StudentRow",
    "WrittenFiles",
    "build_rows",
    "canvas_csv",
    "class_summary",
    "grades_csv",
    "gradescope_results",
    "moodle_csv",
    "read_student_map",
    "remove_stale_temp_files",
    "write_class_files",
    "write_json_atomic",
    "write_text_atomic",
]
