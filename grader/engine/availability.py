"""Which student modules could be imported, and what to tell the student when one could not.

A test of an exercise whose module is missing, refused, unreadable or failed to import is
not run: it fails with the module's own problem as its message (e.g. the syntax error and
its line), so the student sees the one thing to fix.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from grader.catalog import Exercise
from grader.engine.outcomes import ModuleUnavailable
from grader.i18n import Text
from grader.loading import NOTEBOOK_MODULE, Problem


@dataclass(frozen=True)
class ModuleAvailability:
    """Module statuses and problems of one submission, as the plugin consults them.

    Attributes:
        status: module -> ``loaded``, ``missing``, ``refused``, ``syntax_error``,
            ``import_error``, ``import_timeout`` or ``import_crashed``.
        problems: the loader's and the sandbox's problems (docs/result-schema.md).
        function_modules: student function -> the module expected to define it.
    """

    status: Mapping[str, str]
    problems: Sequence[Problem]
    function_modules: Mapping[str, str]

    def unavailable(self, function: str) -> ModuleUnavailable | None:
        """Why `function`'s module cannot be used, or None when it was imported."""
        module = self.function_modules.get(function)
        if module is None:
            return None
        status = self.status.get(module, "missing")
        if status == "loaded":
            return None
        evidence: dict[str, Any] = {
            "kind": "missing_function",
            "function": function,
            "module": module,
            "module_status": status,
        }
        return ModuleUnavailable(self._messages(module, status, function), evidence)

    def for_exercise(self, exercise: Exercise) -> ModuleUnavailable | None:
        """The first unavailable module among the exercise's functions, if any."""
        for function in exercise.functions:
            found = self.unavailable(function)
            if found is not None:
                return found
        return None

    def _messages(self, module: str, status: str, function: str) -> dict[str, str]:
        related = [p for p in self.problems if _concerns(p, module)] or [
            p for p in self.problems if not str(p.get("path") or "").endswith(".py")
        ]
        if related:
            first = related[0]
            messages = first.get("messages") or Text(str(first["message"]))
            return dict(
                Text(
                    "`%(function)s` could not be graded. %(problem)s",
                    function=function,
                    problem=messages,
                )
            )
        if module == NOTEBOOK_MODULE:
            return dict(
                Text(
                    "`%(function)s` could not be graded: your notebook has no code the grader "
                    "can run. Define your functions in its code cells and submit it again.",
                    function=function,
                )
            )
        if status == "missing":
            return dict(
                Text(
                    "`%(function)s` could not be graded: %(module)s.py is missing from your "
                    "submission. Add it (start from the handout's exercises/%(module)s.py) and "
                    "submit again.",
                    function=function,
                    module=module,
                )
            )
        return dict(
            Text(
                "`%(function)s` could not be graded: %(module)s.py could not be imported "
                "(%(status)s). Check that `python -c 'import %(module)s'` works in your folder.",
                function=function,
                module=module,
                status=status,
            )
        )


def _concerns(problem: Problem, module: str) -> bool:
    if problem.get("module") == module:
        return True
    path = str(problem.get("path") or "")
    if module == NOTEBOOK_MODULE:
        return True
    return path == f"{module}.py" or path.endswith(f"/{module}.py")
