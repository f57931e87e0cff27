"""nbgrader is an optional extra: import it on demand, or say how to install it."""

from __future__ import annotations

import importlib
import warnings
from types import ModuleType

from grader.errors import UsageError

INSTALL_HINT = "pip install 'nngrade[nbgrader]'"


class NbgraderMissing(UsageError):
    """nbgrader is not installed, and the command needs it."""


def require_nbgrader(module: str = "nbgrader") -> ModuleType:
    """Import `module` of nbgrader, or raise `NbgraderMissing` saying how to install it."""
    try:
        # nbgrader's dependencies (jupyter, traitlets) warn about their own deprecations
        # at import; those are not ours to act on.
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", DeprecationWarning)
            return importlib.import_module(module)
    except ImportError as error:
        raise NbgraderMissing(
            f"This command needs nbgrader, which is not installed ({error}); "
            f"install it with: {INSTALL_HINT}"
        ) from None
