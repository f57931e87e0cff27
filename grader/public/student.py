"""Load the student's `exercises/` package and call its functions safely.

Loading never raises: a module that cannot be imported (syntax error, error at import)
or a function that is missing becomes a `Problem` with a sentence naming the file and
line. A function whose body is still the stub (only ``raise NotImplementedError``) is
recognised without calling it.
"""

from __future__ import annotations

import ast
import importlib
import importlib.util
import inspect
import sys
import textwrap
import traceback
from collections.abc import Callable
from pathlib import Path
from types import ModuleType, TracebackType
from typing import Any

from .i18n import translator

PACKAGE = "exercises"


class Problem(Exception):
    """A student function cannot be checked; `message` says why, for the student."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class NotStarted(Exception):
    """A call reached a ``NotImplementedError``; `function` is where it was raised."""

    def __init__(self, function: str) -> None:
        super().__init__(function)
        self.function = function


class StudentCode:
    """The student's `exercises/` package under `root`, loaded lazily, module by module."""

    def __init__(self, root: Path, lang: str) -> None:
        self.root = root
        self.folder = root / PACKAGE
        self.lang = lang
        self._ = translator(lang)
        self._modules: dict[str, ModuleType | Problem] = {}
        _forget_package()
        if str(self.folder) not in sys.path:
            # Lets a student write `from activations import relu` as well as the
            # package-relative `from .activations import relu`.
            sys.path.append(str(self.folder))

    def relative(self, path: str | Path) -> str:
        """`path` as the student sees it, e.g. ``exercises/activations.py``."""
        try:
            return Path(path).resolve().relative_to(self.root.resolve()).as_posix()
        except ValueError:
            return str(path)

    def module(self, name: str) -> ModuleType:
        """The module ``exercises.<name>``; raise `Problem` if it cannot be imported."""
        if name not in self._modules:
            self._modules[name] = self._import(name)
        loaded = self._modules[name]
        if isinstance(loaded, Problem):
            raise loaded
        return loaded

    def function(self, module: str, name: str) -> Callable[..., Any]:
        """The student's function `name` from `module`; raise `Problem` if missing."""
        found = getattr(self.module(module), name, None)
        if not callable(found):
            file = f"{PACKAGE}/{module}.py"
            raise Problem(
                self._(
                    "%(file)s does not define `%(function)s`: keep the stub's name and signature.",
                    file=file,
                    function=name,
                )
            )
        return found

    def is_untouched_stub(self, function: Callable[..., Any]) -> bool:
        """True if the body of `function` is only a docstring and ``raise NotImplementedError``."""
        try:
            tree = ast.parse(textwrap.dedent(inspect.getsource(function)))
        except (OSError, TypeError, SyntaxError):
            return False
        definition = tree.body[0] if tree.body else None
        if not isinstance(definition, ast.FunctionDef):
            return False
        body = list(definition.body)
        if body and isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant):
            body = body[1:]  # the docstring
        if len(body) != 1 or not isinstance(body[0], ast.Raise) or body[0].exc is None:
            return False
        raised = body[0].exc
        target = raised.func if isinstance(raised, ast.Call) else raised
        return isinstance(target, ast.Name) and target.id == "NotImplementedError"

    def call(self, function: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
        """Call the student's `function`; translate what it raises for the student.

        Raises:
            NotStarted: a ``NotImplementedError`` came out of the student's code.
            Problem: any other exception, described with the student's file and line.
        """
        try:
            return function(*args, **kwargs)
        except NotImplementedError as error:
            raise NotStarted(self._innermost_function(error.__traceback__)) from None
        except Exception as error:  # the student's code may raise anything
            where = self._student_line(error.__traceback__)
            detail = str(error) or "(no message)"
            raise Problem(
                self._(
                    "it raised %(kind)s: %(detail)s%(where)s.",
                    kind=type(error).__name__,
                    detail=detail,
                    where=where,
                )
            ) from None

    def _import(self, name: str) -> ModuleType | Problem:
        file = f"{PACKAGE}/{name}.py"
        if not (self.folder / f"{name}.py").is_file():
            return Problem(
                self._(
                    "%(file)s is missing: the handout's exercises/ folder should contain it.",
                    file=file,
                )
            )
        try:
            self._import_package()
            return importlib.import_module(f"{PACKAGE}.{name}")
        except SyntaxError as error:
            return Problem(
                self._(
                    "%(file)s, line %(line)s: SyntaxError: %(detail)s. Fix this line, then run "
                    "again.",
                    file=self.relative(error.filename or file),
                    line=error.lineno,
                    detail=error.msg,
                )
            )
        except Exception as error:  # an error in the student's top-level code
            return Problem(
                self._(
                    "%(file)s could not be imported: %(kind)s: %(detail)s%(where)s.",
                    file=file,
                    kind=type(error).__name__,
                    detail=str(error),
                    where=self._student_line(error.__traceback__),
                )
            )

    def _import_package(self) -> None:
        """Import `exercises` from `self.folder`, whatever else is on ``sys.path``."""
        if PACKAGE in sys.modules:
            return
        init = self.folder / "__init__.py"
        spec = importlib.util.spec_from_file_location(
            PACKAGE,
            init if init.is_file() else None,
            submodule_search_locations=[str(self.folder)],
        )
        if spec is None or spec.loader is None:
            raise ImportError(f"cannot load the package in {self.folder}")
        package = importlib.util.module_from_spec(spec)
        sys.modules[PACKAGE] = package
        try:
            spec.loader.exec_module(package)
        except BaseException:
            del sys.modules[PACKAGE]
            raise

    def _frames_in_exercises(self, trace: TracebackType | None) -> list[traceback.FrameSummary]:
        folder = str(self.folder.resolve())
        return [
            frame
            for frame in traceback.extract_tb(trace)
            if str(Path(frame.filename).resolve()).startswith(folder)
        ]

    def _innermost_function(self, trace: TracebackType | None) -> str:
        frames = self._frames_in_exercises(trace)
        return frames[-1].name if frames else "?"

    def _student_line(self, trace: TracebackType | None) -> str:
        frames = self._frames_in_exercises(trace)
        if not frames:
            return ""
        last = frames[-1]
        place = self._(
            "at %(file)s, line %(line)s", file=self.relative(last.filename), line=last.lineno
        )
        return f" ({place})"


def _forget_package() -> None:
    """Drop any earlier `exercises` modules, so that the folder given is the one loaded."""
    for name in [name for name in sys.modules if name == PACKAGE or name.startswith(PACKAGE + ".")]:
        del sys.modules[name]
