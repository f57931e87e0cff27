"""Run the hidden suites: one pytest session collects them, then grades any number of
submissions.

`with_hidden_suites(body)` runs `pytest.main` over the suite folder with a `GradingPlugin`.
pytest collects the suites once and calls the plugin's `pytest_runtestloop`, which hands a
`SuiteRunner` to `body`; each ``runner.grade(grading)`` runs every collected test with that
submission's fixtures. A batch's grading process grades its whole share in one session;
`nngrade grade` opens one for its submission.

How a test runs: when every collected test is a plain function that takes only the grading
fixtures (`GRADING_FIXTURES`, as ours defines them) and direct parameters, carries no marker
but `graded` and `parametrize`, and no plugin or conftest of the session hooks into running
tests, the tests are called directly, as pytest would call them: the same fixture values,
the same order, every exception caught as pytest's protocol catches it. pytest's per-test
protocol (reports, setup and teardown stacks, hooks nobody listens to) costs about as much
as a test's checks. Otherwise, every test goes through the `pytest_runtest_protocol` hook,
so that a suite may use all of pytest.

pytest sees only the configuration shipped beside this file (`suite.cfg`), no cache, no
third-party plugins, no conftest above the suite folder; its output is kept for the log and
never shown to a student. Only pytest's public interface is used (`pytest.main`, its hooks,
`pytest.TestReport`, an item's `fixturenames` and `callspec`), and one attribute that is
not: `Item._fixtureinfo`, which says which definition each fixture name resolves to. A
pytest without it has every test run through the protocol.
"""

from __future__ import annotations

import contextlib
import inspect
import io
import logging
import os
import sys
import types
import warnings
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Generic, TypeVar, cast

import numpy as np
import pytest

from grader.catalog import EXERCISES
from grader.engine.recording import (
    GRADED_MARKER,
    Graded,
    SubmissionGrading,
    SuiteError,
    collection_error,
    read_marker,
    test_id,
)
from grader.errors import INTERNAL
from grader.fingerprint import HIDDEN_SUITES

LOG = logging.getLogger("grader.engine")

CONFIG = Path(__file__).with_name("suite.cfg")

T = TypeVar("T")

GRADING_FIXTURES = ("student", "student_seed", "rng")
"""The fixtures a grading session defines (`grader.engine.recording`)."""

RUN_HOOKS = (
    "pytest_runtest_protocol",
    "pytest_runtest_logstart",
    "pytest_runtest_setup",
    "pytest_runtest_call",
    "pytest_pyfunc_call",
    "pytest_runtest_teardown",
    "pytest_runtest_makereport",
    "pytest_runtest_logreport",
    "pytest_runtest_logfinish",
    "pytest_fixture_setup",
    "pytest_fixture_post_finalizer",
)
"""The hooks around running one test: a suite's own implementation of any of them (in a
conftest) makes the session run every test through pytest's protocol."""


def _pytest_version() -> tuple[int, int]:
    major, minor = (int(part) for part in pytest.__version__.split(".")[:2])
    return major, minor


def _has_autoload_flag() -> bool:
    return _pytest_version() >= (8, 4)


def _runs_without_terminal() -> bool:
    # Before 8.3, pytest reads the terminal reporter's --verbose option without a default
    # (when an assert fails): there, the reporter stays, quiet, its reports kept per session.
    return _pytest_version() >= (8, 3)


def pytest_arguments(suite: Path) -> list[str]:
    """The command line of a grading session over the suite folder `suite`."""
    arguments = [
        str(suite),
        "-c",
        str(CONFIG),
        "--rootdir",
        str(suite),
        "--confcutdir",
        str(suite),
        # Built-in plugins a grading session does not use; each costs time on every test.
        *("-p", "no:cacheprovider"),
        *("-p", "no:unraisableexception"),
        *("-p", "no:threadexception"),
        *("-p", "no:faulthandler"),
        *("-p", "no:doctest"),
        *("-p", "no:junitxml"),
        *("-p", "no:pastebin"),
        *("-p", "no:stepwise"),
        *("-p", "no:logging"),
        *("-p", "no:warnings"),  # `SuiteRunner.grade` sets the filter once per grading
        "--import-mode=importlib",
        "--strict-markers",
        "--capture=no",
        "--continue-on-collection-errors",
    ]
    if _runs_without_terminal():
        # The terminal reporter would also keep every test's report for the session's life.
        arguments += ["-p", "no:terminal"]
    else:
        arguments += ["-q", "--no-header", "-o", "console_output_style=classic"]
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


def with_hidden_suites(
    body: Callable[[SuiteRunner], T], suite: Path = HIDDEN_SUITES, *, protocol: bool = False
) -> T:
    """Collect the hidden suites of the folder `suite` once, and call ``body(runner)``.

    `protocol` runs every test through pytest's protocol even when the tests could be
    called directly (see the module's docstring): the same verdicts, more slowly.

    `body` grades as many submissions as it likes with ``runner.grade(...)``, then returns
    its result, which this returns. What `body` raises is raised here once pytest has
    ended its session (KeyboardInterrupt and SystemExit included). Should pytest stop
    before its run loop (its configuration refused, Ctrl-C during the collection), `body`
    still runs, with a runner whose every grading is an internal error; Ctrl-C during the
    collection raises KeyboardInterrupt instead.
    """
    folder = Path(suite).resolve()
    plugin = GradingPlugin(folder, body, streams=(sys.stdout, sys.stderr), protocol=protocol)
    terminal = io.StringIO()
    try:
        with _isolated_pytest(terminal):
            code = int(pytest.main(pytest_arguments(folder), plugins=[plugin]))
    except Exception as raised:  # pytest 7 raises what it reports from 8 on (a broken conftest)
        print(f"{type(raised).__name__}: {raised}", file=terminal)
        code = int(pytest.ExitCode.USAGE_ERROR)
    finally:
        plugin.forget_failed_modules()
    LOG.debug(
        "pytest ended the grading session of %s (exit %s):\n%s", folder, code, terminal.getvalue()
    )
    if plugin.ran:
        if plugin.raised is not None:
            raise plugin.raised
        return cast(T, plugin.result)  # set when `ran`
    if plugin.interrupted:
        raise KeyboardInterrupt
    unusable = SuiteError(
        f"the hidden suites could not be collected (pytest exit code {code})",
        f"pytest stopped before running the hidden suites of {folder} (exit {code}):\n"
        f"{terminal.getvalue()}",
    )
    return body(SuiteRunner(plugin, errors=(unusable,), exit_code=code))


class SuiteRunner:
    """Grades one submission after another with the collected hidden suites.

    Attributes:
        suite: the suite folder.
        tests: the ids of the tests that a grading runs, in order (`test_id`).
        direct: whether the tests are called directly, without pytest's protocol (see the
            module's docstring).
        errors: faults of the suites, reported to every grading: collection errors and
            tests without a valid `graded` marker.
    """

    def __init__(
        self,
        plugin: GradingPlugin[Any],
        *,
        errors: tuple[SuiteError, ...] | None = None,
        exit_code: int | None = None,
    ) -> None:
        self._plugin = plugin
        self.suite = plugin.suite
        self._items = tuple(plugin.items) if exit_code is None else ()
        self.errors = tuple(plugin.errors) if errors is None else errors
        self._exit_code = exit_code
        self.tests = tuple(plugin.test_ids(self._items))
        self.direct = bool(plugin.direct) and bool(self._items)

    def grade(self, grading: SubmissionGrading) -> int:
        """Run every test for one submission through `grading`; the exit code pytest
        would give for it alone (0 all passed, 1 some failed, others: the suite's fault).

        A test's failure is its verdict; KeyboardInterrupt propagates (Ctrl-C stops a
        batch), and ``pytest.exit`` in a hidden test ends this grading as an internal error.
        """
        for error in self.errors:
            grading.report_suite_error(error)
        if self._exit_code is not None:
            return self._exit_code
        if not self._items:
            return int(pytest.ExitCode.NO_TESTS_COLLECTED)
        printed = io.StringIO()  # what a hidden test prints, for the log only
        grading.start_budget()
        with (
            self._plugin.grading(grading),
            contextlib.redirect_stdout(printed),
            contextlib.redirect_stderr(printed),
            warnings.catch_warnings(record=True) as warned,
        ):
            # A warning on the trusted side is never a student's failure, whatever filter
            # the caller has (the project's tests turn warnings into errors): it is logged.
            warnings.simplefilter("default")
            code = self._run_items()
        if printed.getvalue():
            LOG.debug("The hidden suites printed:\n%s", printed.getvalue())
        for warning in warned:
            LOG.debug(
                "A hidden test warned: %s",
                warnings.formatwarning(
                    warning.message, warning.category, warning.filename, warning.lineno
                ),
            )
        return code

    def _run_items(self) -> int:
        items = self._items
        for index, item in enumerate(items):
            following = items[index + 1] if index + 1 < len(items) else None
            try:
                self._plugin.run_test(item, following)
            except pytest.exit.Exception as stop:
                INTERNAL.error("A hidden test stopped the grading at %s: %s", item.nodeid, stop)
                if not self._plugin.direct:  # nothing of pytest's was set up otherwise
                    _tear_down(item)
                return int(
                    pytest.ExitCode.INTERRUPTED if stop.returncode is None else stop.returncode
                )
        failed = self._plugin.failed or bool(self.errors)
        return int(pytest.ExitCode.TESTS_FAILED if failed else pytest.ExitCode.OK)


def _tear_down(item: pytest.Item) -> None:
    """Tear down what an interrupted test set up, so that the next grading starts clean."""
    try:
        item.ihook.pytest_runtest_teardown(item=item, nextitem=None)
    except (Exception, pytest.exit.Exception):
        LOG.exception("Tearing down the interrupted hidden test %s failed.", item.nodeid)


@dataclass(frozen=True)
class DirectTest:
    """A test called without pytest's protocol.

    Attributes:
        function: the test function (its asserts rewritten by pytest at collection).
        fixtures: the grading fixtures it takes, by name.
        parameters: its values of ``pytest.mark.parametrize``, by argument name.
    """

    function: Callable[..., object]
    fixtures: tuple[str, ...]
    parameters: dict[str, Any]


def _is_direct_parameter(definition: object) -> bool:
    """Whether a fixture definition is pytest's stand-in for a directly parametrized
    argument (its value is the item's ``callspec.params`` entry)."""
    module = getattr(definition, "__module__", None)
    return (
        isinstance(module, str)
        and module.startswith("_pytest.")
        and getattr(definition, "__name__", None) == "get_direct_param_fixture_func"
    )


@dataclass(eq=False)  # pytest keeps its plugins in sets: hashed by identity
class GradingPlugin(Generic[T]):
    """The pytest plugin of a grading session: the grading fixtures, the `graded` marker,
    the collected tests, and the verdicts of the submission being graded.

    Attributes:
        suite: the suite folder.
        body: what runs inside the session (`with_hidden_suites`).
        streams: stdout and stderr outside the session, restored while `body` runs.
        items: the collected tests with a valid marker, in pytest's order.
        errors: faults of the suites found by the collection.
        protocol: run every test through pytest's protocol, even when all can be called
            directly.
        direct: how to call each test, by node id, when every test is called directly.
        ran, result, raised: whether `body` ran, what it returned or raised.
        failed: whether a test of the current grading failed.
        interrupted: whether Ctrl-C stopped pytest (it returns instead of raising).
    """

    suite: Path
    body: Callable[[SuiteRunner], T]
    streams: tuple[Any, Any]
    items: list[pytest.Item] = field(default_factory=list)
    errors: list[SuiteError] = field(default_factory=list)
    protocol: bool = False
    direct: dict[str, DirectTest] = field(default_factory=dict)
    ran: bool = False
    result: T | None = None
    raised: BaseException | None = None
    failed: bool = False
    interrupted: bool = False
    _current: SubmissionGrading | None = None
    _test: str = ""
    _graded: dict[str, tuple[str, Graded]] = field(default_factory=dict)
    _errors: dict[str, BaseException] = field(default_factory=dict)
    _failed_paths: set[Path] = field(default_factory=set)

    @contextlib.contextmanager
    def grading(self, grading: SubmissionGrading) -> Iterator[None]:
        """`grading` is the submission the tests run for, until the block ends."""
        self._current, self.failed = grading, False
        self._errors.clear()
        try:
            yield
        finally:
            self._current = None
            self._errors.clear()

    def _grading_now(self) -> SubmissionGrading:
        if self._current is None:
            raise RuntimeError("A hidden test ran outside the grading of a submission.")
        return self._current

    def forget_failed_modules(self) -> None:
        """Drop the modules that failed to import from `sys.modules`.

        pytest keeps a test module that raised at import, half made, in `sys.modules` and
        would collect it, empty, in the next session of this process: the next session
        imports it again instead, and reports its error again.
        """
        for name, module in list(sys.modules.items()):
            location = getattr(module, "__file__", None)
            if location is not None and Path(location).resolve() in self._failed_paths:
                del sys.modules[name]

    # --- fixtures ------------------------------------------------------------------------

    # A grading tears every fixture down after its last test: a "session" fixture lives for
    # one submission, and pytest sets it up once instead of for every test.

    @pytest.fixture(scope="session")
    def student(self) -> Any:
        return self.fixture_value("student")

    @pytest.fixture(scope="session")
    def student_seed(self) -> int:
        return cast(int, self.fixture_value("student_seed"))

    @pytest.fixture
    def rng(self) -> np.random.Generator:
        return cast(np.random.Generator, self.fixture_value("rng"))

    def fixture_value(self, name: str) -> Any:
        """The value of the grading fixture `name` (`GRADING_FIXTURES`) for the current test."""
        grading = self._grading_now()
        if name == "student":
            return grading.student_value()
        if name == "student_seed":
            return grading.seed
        # The test being run is known from `run_test`: asking pytest for the `request`
        # fixture instead would cost more than the rest of the fixture.
        return grading.rng_value(self._test)

    def _direct_test(self, item: pytest.Item) -> DirectTest | None:
        """How to call `item` directly, or None when it needs pytest's protocol."""
        if type(item) is not pytest.Function or item.cls is not None:
            return None
        if any(marker.name not in ("graded", "parametrize") for marker in item.iter_markers()):
            return None
        function = item.obj
        if not inspect.isfunction(function) or inspect.iscoroutinefunction(function):
            return None
        if inspect.isgeneratorfunction(function) or inspect.isasyncgenfunction(function):
            return None
        # pytest's record of the definition each name resolves to: a suite that defines its
        # own `rng`, or parametrizes a fixture indirectly, is run through the protocol.
        definitions = getattr(getattr(item, "_fixtureinfo", None), "name2fixturedefs", None)
        if not isinstance(definitions, dict):
            return None
        parameters = dict(getattr(getattr(item, "callspec", None), "params", {}))
        fixtures = []
        for name in item.fixturenames:
            found = definitions.get(name, ())
            if len(found) != 1:
                return None
            if name in parameters and _is_direct_parameter(found[0].func):
                continue
            if name not in GRADING_FIXTURES or getattr(found[0].func, "__self__", None) is not self:
                return None
            fixtures.append(name)
        for hook in RUN_HOOKS:
            for implementation in getattr(item.ihook, hook).get_hookimpls():
                if not self._is_pytests_own(implementation.plugin):
                    return None
        return DirectTest(function, tuple(fixtures), parameters)

    def _is_pytests_own(self, plugin: object) -> bool:
        """Whether `plugin` is this plugin or one of pytest's built-in ones."""
        if plugin is self:
            return True
        if isinstance(plugin, types.ModuleType):
            module = plugin.__name__
        else:
            module = type(plugin).__module__
        return module == "_pytest" or module.startswith(("_pytest.", "pytest."))

    # --- hooks ---------------------------------------------------------------------------

    def pytest_configure(self, config: pytest.Config) -> None:
        config.addinivalue_line("markers", GRADED_MARKER)

    def pytest_collectreport(self, report: pytest.CollectReport) -> None:
        if report.failed:
            self.errors.append(collection_error(report))
            self._failed_paths.add((self.suite / report.nodeid.partition("::")[0]).resolve())

    def pytest_collection_modifyitems(self, items: list[pytest.Item]) -> None:
        kept = []
        for item in items:
            graded = read_marker(item)
            if isinstance(graded, SuiteError):
                self.errors.append(graded)
            else:
                self._graded[item.nodeid] = (test_id(item.nodeid), graded)
                kept.append(item)
        # The catalog's order: a function's tests before those of the functions calling it,
        # so that a bug found first is answered correctly afterwards (a bug costs once).
        order = {exercise.id: index for index, exercise in enumerate(EXERCISES)}
        items[:] = sorted(kept, key=lambda item: order[self._graded[item.nodeid][1].exercise.id])

    @pytest.hookimpl(tryfirst=True)
    def pytest_runtestloop(self, session: pytest.Session) -> bool:
        self.items = list(session.items)
        if not self.protocol:
            found = {item.nodeid: self._direct_test(item) for item in self.items}
            # All or none: pytest's fixture caches stay coherent only if it runs every test.
            if all(test is not None for test in found.values()):
                self.direct = cast(dict[str, DirectTest], found)
        out, err = self.streams
        self.ran = True
        try:
            with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
                self.result = self.body(SuiteRunner(self))
        except BaseException as error:  # raised again once pytest has ended the session
            self.raised = error
        return True

    @pytest.hookimpl(tryfirst=True)
    def pytest_runtest_setup(self, item: pytest.Item) -> None:
        self._grading_now().before_test(self._graded[item.nodeid][1])

    @pytest.hookimpl(tryfirst=True)
    def pytest_runtest_makereport(
        self, item: pytest.Item, call: pytest.CallInfo[None]
    ) -> pytest.TestReport:
        when = call.when
        if when == "collect":  # a test's protocol has no collection phase
            raise RuntimeError(f"pytest reported a collection for the test {item.nodeid}.")
        error = call.excinfo.value if call.excinfo is not None else None
        if error is not None:
            self._errors.setdefault(item.nodeid, error)  # the first phase's error decides
        # The verdict comes from `_errors` (a bug of ours is logged with its traceback when
        # classified); pytest's own report, a formatted traceback, would cost more than the
        # test itself and never be shown.
        return pytest.TestReport(
            item.nodeid,
            item.location,
            {},  # keywords: only selecting tests by name reads them, never a grading
            "passed" if error is None else "failed",
            None if error is None else f"{type(error).__name__}: see the result document",
            when,
            duration=call.duration,
            start=call.start,
            stop=call.stop,
        )

    def test_ids(self, items: tuple[pytest.Item, ...]) -> list[str]:
        return [self._graded[item.nodeid][0] for item in items]

    def run_test(self, item: pytest.Item, following: pytest.Item | None) -> None:
        """Run `item` through pytest's protocol and record its verdict; `following` is the
        next test of the grading (None: every fixture is torn down after this one)."""
        grading = self._grading_now()
        self._test, graded = self._graded[item.nodeid]
        direct = self.direct.get(item.nodeid)
        if direct is None:
            item.ihook.pytest_runtest_protocol(item=item, nextitem=following)
            # popped: the traceback and the frames it keeps alive go with it
            error = self._errors.pop(item.nodeid, None)
        else:
            error = self._call(direct, graded)
        self.failed = self.failed or error is not None
        grading.record(self._test, graded, error)

    def _call(self, test: DirectTest, graded: Graded) -> BaseException | None:
        """Set up and call one test as pytest's protocol would; what it raised, or None.

        Like the protocol, this catches every exception but Ctrl-C and ``pytest.exit``,
        and a failed set-up (the budget, a module missing) is the test's error, unrun.
        """
        try:
            self._grading_now().before_test(graded)
            values = {name: self.fixture_value(name) for name in test.fixtures}
            test.function(**test.parameters, **values)
        except (KeyboardInterrupt, pytest.exit.Exception):
            raise
        except BaseException as error:
            return error
        return None

    def pytest_keyboard_interrupt(self, excinfo: pytest.ExceptionInfo[BaseException]) -> None:
        if isinstance(excinfo.value, KeyboardInterrupt):
            self.interrupted = True
