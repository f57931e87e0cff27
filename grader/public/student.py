"""The student's code as the checks see it: find a function, call it, explain what it did.

`Student` holds what every kind of submission shares: a call into the student's code is
watched (the process that runs the checks can tell how long it has been running, see
``worker.py``), and whatever it raises becomes a sentence for the student. `StudentCode`
is the `exercises/` package of the handout, loaded module by module; the notebook's
functions are in ``namespace.py``.

Loading never raises: a module that cannot be imported (syntax error, error or exit at
import, a top level that does not finish) or a function that is missing becomes a
`Problem` with a sentence naming the file and line. A function whose body is still the
stub (only ``raise NotImplementedError``) is recognised without calling it.
"""

from __future__ import annotations

import ast
import importlib
import importlib.util
import inspect
import sys
import textwrap
import traceback
from collections.abc import Callable, Iterable
from pathlib import Path
from types import ModuleType, TracebackType
from typing import Any, Protocol

from .i18n import translator
from .verdicts import did_not_return, import_did_not_finish

PACKAGE = "exercises"

CALL, IMPORT = 0, 1
"""What a watched piece of student code is: a call of a function, or a module's import."""


class Problem(Exception):
    """A student function cannot be checked; `message` says why, for the student.

    `stopped` is True when the student's code did not return in time: what builds on it
    is not checked.
    """

    def __init__(self, message: str, *, stopped: bool = False) -> None:
        super().__init__(message)
        self.message = message
        self.stopped = stopped


class NotStarted(Exception):
    """A call reached a ``NotImplementedError``; `function` is where it was raised."""

    def __init__(self, function: str) -> None:
        super().__init__(function)
        self.function = function


class CallTimeout(BaseException):
    """Raised inside the student's code when a watched call ran past its deadline.

    A BaseException, so that the student's own ``except Exception`` does not swallow it.
    """


class Watch(Protocol):
    """Where the process running the checks records which student code is running."""

    def enter(self, label: str, kind: int) -> None: ...

    def leave(self) -> None: ...


class Unwatched:
    """A `Watch` that records nothing (the checks run without a supervisor)."""

    def enter(self, label: str, kind: int) -> None:
        pass

    def leave(self) -> None:
        pass


class Student:
    """What the checks use of the student's code, whatever holds it.

    Subclasses find functions (`function`), recognise untouched stubs
    (`is_untouched_stub`) and say which frames of a traceback are the student's
    (`_is_student_frame`) and where they are (`_place`).
    """

    def __init__(self, lang: str, watch: Watch | None = None, call_timeout: float = 2.0) -> None:
        self.lang = lang
        self._ = translator(lang)
        self.watch = watch or Unwatched()
        self.call_timeout = call_timeout

    def function(self, module: str, name: str) -> Callable[..., Any]:
        """The student's function `name` (from `module`); raise `Problem` if missing."""
        raise NotImplementedError

    def is_untouched_stub(self, function: Callable[..., Any]) -> bool:
        """True if the body of `function` is only a docstring and ``raise NotImplementedError``."""
        return stub_source(_source_of(function))

    def where_to_write(self, module: str) -> str:
        """Where the student writes the functions of `module`, e.g. ``exercises/losses.py``."""
        return module_file(module)

    def call(self, name: str, function: Callable[..., Any], *args: Any) -> Any:
        """Call the student's `function` (the contract's `name`), watched; translate what it
        raises for the student.

        Raises:
            NotStarted: a ``NotImplementedError`` came out of the student's code.
            Problem: any other exception, a call that did not return in time (`stopped`),
                or a call of ``exit()``, described with the student's file and line.
        """
        self.watch.enter(name, CALL)
        try:
            return function(*args)
        except CallTimeout as stop:
            where = self._student_line(stop.__traceback__)
            message = did_not_return(self.lang, name, self.call_timeout, where)
            raise Problem(message, stopped=True) from None
        except NotImplementedError as error:
            raise NotStarted(self._innermost_function(error.__traceback__)) from None
        except SystemExit as stop:
            raise Problem(
                self._(
                    "it called exit() (SystemExit: %(detail)s)%(where)s: a function returns "
                    "its result and never ends the program.",
                    detail=stop.code,
                    where=self._student_line(stop.__traceback__),
                )
            ) from None
        except Exception as error:  # the student's code may raise anything
            raise Problem(
                self._(
                    "it raised %(kind)s: %(detail)s%(where)s.",
                    kind=type(error).__name__,
                    detail=str(error) or self._("(no message)"),
                    where=self._student_line(error.__traceback__),
                )
            ) from None
        finally:
            self.watch.leave()

    # Tracebacks --------------------------------------------------------------------------

    def _is_student_frame(self, frame: traceback.FrameSummary) -> bool:
        raise NotImplementedError

    def _place(self, frame: traceback.FrameSummary) -> str:
        raise NotImplementedError

    def _frames(self, trace: TracebackType | None) -> list[traceback.FrameSummary]:
        return [frame for frame in traceback.extract_tb(trace) if self._is_student_frame(frame)]

    def _innermost_function(self, trace: TracebackType | None) -> str:
        frames = self._frames(trace)
        return frames[-1].name if frames else "?"

    def _student_line(self, trace: TracebackType | None) -> str:
        frames = self._frames(trace)
        return f" ({self._place(frames[-1])})" if frames else ""


class StudentCode(Student):
    """The student's `exercises/` package under `root`, loaded lazily, module by module.

    `import_timeout` bounds each module's top-level code; modules listed in `hung` did not
    finish importing in an earlier process and are not imported again.
    """

    def __init__(
        self,
        root: Path,
        lang: str,
        watch: Watch | None = None,
        *,
        call_timeout: float = 2.0,
        import_timeout: float = 10.0,
        hung: Iterable[str] = (),
    ) -> None:
        super().__init__(lang, watch, call_timeout)
        self.root = root
        self.folder = root / PACKAGE
        self.import_timeout = import_timeout
        self._modules: dict[str, ModuleType | Problem] = {
            name: self._did_not_finish(name) for name in hung
        }
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
        found = getattr(self.module(module), name, None)
        if not callable(found):
            raise Problem(
                self._(
                    "%(file)s does not define `%(function)s`: keep the stub's name and signature.",
                    file=module_file(module),
                    function=name,
                )
            )
        return found

    def _did_not_finish(self, name: str) -> Problem:
        message = import_did_not_finish(self.lang, module_file(name), self.import_timeout)
        return Problem(message, stopped=True)

    def _import(self, name: str) -> ModuleType | Problem:
        file = module_file(name)
        if not (self.folder / f"{name}.py").is_file():
            return Problem(
                self._(
                    "%(file)s is missing: the handout's exercises/ folder should contain it.",
                    file=file,
                )
            )
        self.watch.enter(file, IMPORT)
        try:
            self._import_package()
            return importlib.import_module(f"{PACKAGE}.{name}")
        except CallTimeout:
            return self._did_not_finish(name)
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
        except SystemExit as stop:
            return Problem(
                self._(
                    "%(file)s called exit() at import (SystemExit: %(detail)s)%(where)s: "
                    "remove that call, or move it into a function.",
                    file=file,
                    detail=stop.code,
                    where=self._student_line(stop.__traceback__),
                )
            )
        except Exception as error:  # an error in the student's top-level code
            return Problem(
                self._(
                    "%(file)s could not be imported: %(kind)s: %(detail)s%(where)s.",
                    file=file,
                    kind=type(error).__name__,
                    detail=str(error) or self._("(no message)"),
                    where=self._student_line(error.__traceback__),
                )
            )
        finally:
            self.watch.leave()

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

    def _is_student_frame(self, frame: traceback.FrameSummary) -> bool:
        return str(Path(frame.filename).resolve()).startswith(str(self.folder.resolve()))

    def _place(self, frame: traceback.FrameSummary) -> str:
        return self._(
            "at %(file)s, line %(line)s", file=self.relative(frame.filename), line=frame.lineno
        )


def module_file(module: str) -> str:
    """The file of a student module, as the student sees it: ``exercises/<module>.py``."""
    return f"{PACKAGE}/{module}.py"


def _source_of(function: Callable[..., Any]) -> str | None:
    try:
        return inspect.getsource(function)
    except (OSError, TypeError):
        return None


def stub_source(source: str | None) -> bool:
    """True if `source` defines a function whose body is only a docstring and
    ``raise NotImplementedError`` (or ``raise NotImplementedError(...)``)."""
    if source is None:
        return False
    try:
        tree = ast.parse(textwrap.dedent(source))
    except SyntaxError:
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


def _forget_package() -> None:
    """Drop any earlier `exercises` modules, so that the folder given is the one loaded."""
    for name in [name for name in sys.modules if name == PACKAGE or name.startswith(PACKAGE + ".")]:
        del sys.modules[name]
