"""Gradescope's autograder: build the zip an instructor uploads (`build_autograder`), and
grade one submission the way Gradescope runs it (`run_autograder`)."""

from grader.gradescope.config import AutograderConfig
from grader.gradescope.package import AutograderPackage, build_autograder
from grader.gradescope.run import AutograderRun, run_autograder

__all__ = [
    "AutograderConfig",
    "AutograderPackage",
    "AutograderRun",
    "build_autograder",
    "run_autograder",
]
