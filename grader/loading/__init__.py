"""Loading a submission: a folder, a zip or a notebook, normalised to module sources."""

from grader.loading.problems import CODES, LoadLimits, Problem
from grader.loading.submission import NOTEBOOK_MODULE, LoadedSubmission, load_submission

__all__ = [
    "CODES",
    "NOTEBOOK_MODULE",
    "LoadLimits",
    "LoadedSubmission",
    "Problem",
    "load_submission",
]
