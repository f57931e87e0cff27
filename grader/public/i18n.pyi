# For the type checker only. At release, grader/i18n.py is copied beside the public checks
# as i18n.py, which they import relatively; this stub gives mypy the same names.
from grader.i18n import *  # noqa: F403 (the whole module, as copied)
