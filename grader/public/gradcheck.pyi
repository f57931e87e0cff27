# For the type checker only. At release, grader/gradcheck.py is copied beside the public
# checks as gradcheck.py, which they import relatively; this stub gives mypy the same names.
from grader.gradcheck import *  # noqa: F403 (the whole module, as copied)
