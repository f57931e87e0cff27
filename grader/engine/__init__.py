"""Grading one submission: the pytest plugin, the grading run and the result document."""

from grader.engine.document import SCHEMA, build_document, dumps, write_result
from grader.engine.grading import default_student_id, grade_loaded, grade_submission
from grader.engine.plugin import GradingPlugin, TestRecord
from grader.engine.seeds import rng_seed, student_seed

__all__ = [
    "SCHEMA",
    "GradingPlugin",
    "TestRecord",
    "build_document",
    "default_student_id",
    "dumps",
    "grade_loaded",
    "grade_submission",
    "rng_seed",
    "student_seed",
    "write_result",
]
