"""Collect and run the hidden suites in this (trusted) process, with a fixed, isolated pytest.

pytest sees only the configuration shipped beside this file (`suite.cfg`), no cache, no
third-party plugins, no conftest above the suite folder; its terminal output is kept for
the log and never shown to a student.

A suite is collected once per process (`hidden_suite`): each test becomes a `HiddenTest`,
a plain record that `grader.engine.direct` calls without pytest's per-test protocol. A
suite that needs more of pytest than the grading fixtures (another fixture, a marker
such as ``skipif``, a conftest hook...) runs under `pytest.main` for every submission
(`run_suite`), as every suite once did.
"""

from __future__ import annotations

import contextlib
import functools
import inspect
import io
import logging
import os
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

from grader.engine.plugin import (
    GRADED_MARKER,
    GRADING_FIXTURES,
    Graded,
    GradingPlugin,
    SuiteError,
    collection_error,
    read_marker,
    test_id,
)

LOG = logging.getLogger("grader.engine")

CONFIG = Path(__file__).with_name("suite.cfg")
HIDDEN_SUITES = Path(__file__).resolve().parent.parent / "hidden"


def _has_autoload_flag() -> bool:
    major, minor = (int(part) for part in pytest.__version__.split(".")[:2])
    return (major, minor) >= (8, 4)


def pytest_arguments(suite: Path) -> list[str]:
    """The command line of a grading run over the suite folder `suite`."""
    arguments = [
        str(suite),
        "-c",
        str(CONFIG),
        "--rootdir",
        str(suite),
        "--confcutdir",
        str(suite),
        # Built-in plugins a grading run does not use; each costs time on every test.
        *("-p", "no:cacheprovider"),
        *("-p", "no:unraisableexception"),
        *("-p", "no:threadexception"),
        *("-p", "no:faulthandler"),
        *("-p", "no:doctest"),
        *("-p", "no:junitxml"),
        *("-p", "no:pastebin"),
        *("-p", "no:stepwise"),
        *("-p", "no:logging"),
        "--import-mode=importlib",
        "--strict-markers",
        "--capture=no",
        "--continue-on-collection-errors",
        "-q",
        "--no-header",
        "-o",
        "console_output_style=classic",
    ]
    if _has_autoload_flag():
        arguments.append("--disable-plugin-autoload")
    return arguments


@contextlib.contextmanager
def _isolated_pytest(terminal: io.StringIO) -> Iterator[None]:
    """pytest's output into `terminal`, and no plugin autoloading on old pytest versions."""
    previous = os.environ.get("PYTEST_DISABLE_PLUGIN_AUTOLOAD")
    if not _has_autoload_flag():
        os.environ["PYTEST_DISABLE_PLUGIN_AUTOLOAD"] = "1"
    try:
        with contextlib.redirect_stdout(terminal), contextlib.redirect_stderr(terminal):
            yield
    finally:
        if not _has_autoload_flag():
            if previous is None:
                os.environ.pop("PYTEST_DISABLE_PLUGIN_AUTOLOAD", None)
            else:
                os.environ["PYTEST_DISABLE_PLUGIN_AUTOLOAD"] = previous


def run_suite(plugin: GradingPlugin, suite: Path = HIDDEN_SUITES) -> int:
    """Run every hidden test of `suite` through `plugin`; returns pytest's exit code.

    Raises KeyboardInterrupt when Ctrl-C stopped the run (pytest.main returns instead).
    """
    terminal = io.StringIO()
    with _isolated_pytest(terminal):
        code = int(pytest.main(pytest_arguments(suite), plugins=[plugin]))
    if plugin.interrupted:
        raise KeyboardInterrupt
    LOG.debug("pytest exited with %s:\n%s", code, terminal.getvalue())
    if code not in (pytest.ExitCode.OK, pytest.ExitCode.TESTS_FAILED):
        LOG.error(
            "The hidden suites did not run cleanly (pytest exit %s):\n%s", code, terminal.getvalue()
        )
    return code


# --- collecting once -----------------------------------------------------------------------

DIRECT_WARNING_FILTERS = ["default"]
"""The `filterwarnings` of suite.cfg that `grader.engine.direct` applies itself; a suite
collected with other filters runs under pytest, which applies them."""

# The markers whose effect the direct run reproduces: the grade, and the parameters it passes.
_DIRECT_MARKERS = frozenset({"graded", "parametrize"})


@dataclass(frozen=True)
class HiddenTest:
    """One collected hidden test, as the direct run calls it.

    Attributes:
        id: its id in the result document (`test_id` of its node id).
        function: the test function.
        params: its parametrized arguments' values (empty when not parametrized).
        argnames: the names of its arguments, each a grading fixture or in `params`.
        graded: its checked `graded` marker.
    """

    id: str
    function: Callable[..., object]
    params: Mapping[str, object]
    argnames: tuple[str, ...]
    graded: Graded


@dataclass(frozen=True)
class HiddenSuite:
    """A hidden suite folder as collected once, in the order pytest runs its tests.

    Attributes:
        path: the suite folder.
        tests: the tests with a valid `graded` marker.
        errors: collection errors and tests without a valid marker, as the plugin reports
            them; any of them makes every grading with the suite an internal error.
        exit_code: pytest's exit code of the collection.
        needs_pytest: why the suite must run under pytest's protocol; empty when the direct
            run can grade it.
    """

    path: Path
    tests: tuple[HiddenTest, ...]
    errors: tuple[SuiteError, ...]
    exit_code: int
    needs_pytest: tuple[str, ...]

    @property
    def direct(self) -> bool:
        return not self.needs_pytest


def hidden_suite(suite: Path = HIDDEN_SUITES) -> HiddenSuite:
    """The suite folder `suite`, collected on first use and kept for the process's life.

    A batch process grades hundreds of submissions with one collection; an edited suite
    is seen by the next process.
    """
    return _collected(Path(suite).resolve())


@functools.cache
def _collected(suite: Path) -> HiddenSuite:
    return collect_suite(suite)


def forget_suites() -> None:
    """Drop every collected suite: the next grading collects again."""
    _collected.cache_clear()


def collect_suite(suite: Path) -> HiddenSuite:
    """Collect `suite` with the configuration of a grading run, without running a test."""
    collector = _Collector(suite)
    terminal = io.StringIO()
    with _isolated_pytest(terminal):
        code = int(pytest.main([*pytest_arguments(suite), "--collect-only"], plugins=[collector]))
    if collector.interrupted:
        raise KeyboardInterrupt
    LOG.debug("pytest collected %s (exit %s):\n%s", suite, code, terminal.getvalue())
    reasons = list(collector.needs_pytest)
    if code not in (
        pytest.ExitCode.OK,
        pytest.ExitCode.TESTS_FAILED,
        pytest.ExitCode.NO_TESTS_COLLECTED,
    ):
        reasons.append(f"its collection ended with pytest exit code {code}")
    collected = HiddenSuite(
        suite, tuple(collector.tests), tuple(collector.errors), code, tuple(reasons)
    )
    if reasons:
        LOG.info("The hidden suite %s runs under pytest: %s.", suite, "; ".join(reasons))
    return collected


class _Collector:
    """The pytest plugin of a collection: the grading run's fixtures and marker checks.

    Its fixtures are never run; they make pytest resolve the grading fixtures as in a
    grading run, so that a test overriding one of them is noticed.
    """

    def __init__(self, suite: Path) -> None:
        self.suite = suite
        self.tests: list[HiddenTest] = []
        self.errors: list[SuiteError] = []
        self.needs_pytest: list[str] = []
        self.interrupted = False
        self._graded: dict[str, Graded] = {}

    @pytest.fixture
    def student(self) -> Any:
        raise RuntimeError("A collection runs no test.")

    @pytest.fixture
    def student_seed(self) -> int:
        raise RuntimeError("A collection runs no test.")

    @pytest.fixture
    def rng(self, request: pytest.FixtureRequest) -> Any:
        raise RuntimeError("A collection runs no test.")

    def pytest_configure(self, config: pytest.Config) -> None:
        config.addinivalue_line("markers", GRADED_MARKER)

    def pytest_collectreport(self, report: pytest.CollectReport) -> None:
        if report.failed:
            self.errors.append(collection_error(report))

    def pytest_collection_modifyitems(self, items: list[pytest.Item]) -> None:
        # The same filter, at the same point, as `GradingPlugin`: the run order is the same.
        kept = []
        for item in items:
            graded = read_marker(item)
            if isinstance(graded, SuiteError):
                self.errors.append(graded)
            else:
                self._graded[item.nodeid] = graded
                kept.append(item)
        items[:] = kept

    def pytest_collection_finish(self, session: pytest.Session) -> None:
        filters = list(session.config.getini("filterwarnings"))
        if filters != DIRECT_WARNING_FILTERS:
            self.needs_pytest.append(f"its warning filters are {filters}")
        self.needs_pytest += [
            f"{name} implements pytest hooks" for name in _conftest_hooks(session, self.suite)
        ]
        for item in session.items:
            reason = self._needs_pytest(item)
            if reason is not None:
                self.needs_pytest.append(f"{item.nodeid} {reason}")
                continue
            callspec = getattr(item, "callspec", None)
            info = item._fixtureinfo  # type: ignore[attr-defined]
            self.tests.append(
                HiddenTest(
                    id=test_id(item.nodeid),
                    function=item.obj,  # type: ignore[attr-defined]
                    params=dict(callspec.params) if callspec is not None else {},
                    argnames=tuple(info.argnames),
                    graded=self._graded[item.nodeid],
                )
            )

    def pytest_keyboard_interrupt(self, excinfo: pytest.ExceptionInfo[BaseException]) -> None:
        if isinstance(excinfo.value, KeyboardInterrupt):
            self.interrupted = True

    def _needs_pytest(self, item: pytest.Item) -> str | None:
        """Why `item` cannot be called directly, or None when it can."""
        if type(item) is not pytest.Function or not isinstance(item.parent, pytest.Module):
            return "is not a test function at module level"
        function = item.obj
        if inspect.iscoroutinefunction(function) or inspect.isgeneratorfunction(function):
            return "is a coroutine or a generator"
        if inspect.isasyncgenfunction(function):
            return "is an asynchronous generator"
        markers = sorted({marker.name for marker in item.iter_markers()} - _DIRECT_MARKERS)
        if markers:
            return f"carries the marker(s) {', '.join(markers)}"
        info = getattr(item, "_fixtureinfo", None)  # pytest's, stable since pytest 3
        if info is None:
            return "has no fixture information this pytest version exposes"
        callspec = getattr(item, "callspec", None)
        params = callspec.params if callspec is not None else {}
        for name in info.initialnames:
            if name not in info.argnames:
                return f"uses the fixture {name!r} (autouse or usefixtures)"
        for name in info.argnames:
            definitions = info.name2fixturedefs.get(name, ())
            if name in params:
                if not definitions or not _is_direct_parameter(definitions[-1].func):
                    return f"parametrizes the fixture {name!r} indirectly"
            elif name not in GRADING_FIXTURES:
                return f"needs the fixture {name!r}"
            elif (
                len(definitions) != 1 or getattr(definitions[0].func, "__self__", None) is not self
            ):
                return f"defines its own {name!r} fixture"
        return None


def _is_direct_parameter(function: Callable[..., Any]) -> bool:
    # pytest (7.4 to 9) turns a direct parameter into a pseudo-fixture returning request.param.
    return getattr(function, "__name__", "") == "get_direct_param_fixture_func" and getattr(
        function, "__module__", ""
    ).startswith("_pytest.")


def _conftest_hooks(session: pytest.Session, suite: Path) -> list[str]:
    """The conftest files of `suite` that define pytest hooks (a direct run skips them)."""
    found = []
    for _, plugin in session.config.pluginmanager.list_name_plugin():
        if not isinstance(plugin, ModuleType):
            continue
        location = getattr(plugin, "__file__", None)
        path = Path(location).resolve() if location is not None else None
        if path is None or not path.is_relative_to(suite):
            continue
        if any(name.startswith("pytest_") for name in vars(plugin)):
            found.append(str(path.relative_to(suite)))
    return found
