"""Grading one submission: the pytest plugin, the grading run and the result document."""

from grader.engine.document import SCHEMA, build_result, dumps, write_result
from grader.engine.grading import default_student_id, grade_loaded, grade_submission
from grader.engine.recording import SubmissionGrading, TestRecord
from grader.engine.runner import SuiteRunner, with_hidden_suites
from grader.engine.seeds import rng_seed, student_seed

__all__ = [
    "SCHEMA",
    "SubmissionGrading",
    "SuiteRunner",
    "TestRecord",
    "build_result",
    "default_student_id",
    "dumps",
    "grade_loaded",
    "grade_submission",
    "rng_seed",
    "student_seed",
    "with_hidden_suites",
    "write_result",
]
