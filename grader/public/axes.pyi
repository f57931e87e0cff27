# For the type checker only. At release, grader/report/axes.py is copied beside the public
# checks as axes.py, which they import relatively; this stub gives mypy the same names.
from grader.report.axes import *  # noqa: F403 (the whole module, as copied)
