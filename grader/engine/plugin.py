"""The pytest plugin that grades one submission: fixtures, the `graded` marker, the verdicts.

Hidden tests are ordinary pytest tests. They take the fixtures

- `student`: the sandbox proxy (``student.call("relu", Z)``), its record of called
  functions reset before every test;
- `student_seed`: an int, stable for a student and different between students;
- `rng`: ``np.random.default_rng`` seeded from `student_seed` and the test's id;

and carry ``@pytest.mark.graded(exercise=..., points=..., en=..., fr=...)`` (`en`/`fr`
say in one line what the test checks). The plugin turns each test into a `TestRecord`.
It also holds what both ways of running a suite share (`grader.engine.direct` runs the
collected tests without pytest's protocol): the fixture values, the checks before a test
and the verdict after it, so that both give the same records.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import PurePosixPath
from typing import Any

import numpy as np
import pytest

from grader.catalog import EXERCISES, Exercise
from grader.checks import CheckFailure
from grader.engine.availability import ModuleAvailability
from grader.engine.outcomes import (
    PASSED,
    BudgetExhausted,
    FunctionFacts,
    ModuleUnavailable,
    classify,
)
from grader.engine.seeds import rng_seed
from grader.errors import StudentCallError

LOG = logging.getLogger("grader.engine")

GRADED_MARKER = (
    "graded(exercise, points, en, fr): the catalog exercise a hidden test belongs to, its "
    "points, and what it checks in English and French."
)

GRADING_FIXTURES = frozenset({"student", "rng", "student_seed"})
"""The fixtures a hidden test may take from the grader."""

_EXERCISES = {exercise.id: exercise for exercise in EXERCISES}

# What a hidden test may fail with by design: the student's answer or a stop of ours.
_EXPECTED = (CheckFailure, StudentCallError, ModuleUnavailable, BudgetExhausted, AssertionError)


@dataclass
class TestRecord:
    """One hidden test's result, in the terms of the result document's `tests[]`."""

    __test__ = False  # not a pytest test class, despite its name

    id: str
    exercise: str
    title: dict[str, str]
    outcome: str
    points: float
    max_points: float
    functions: list[str]
    messages: dict[str, str]
    evidence: dict[str, Any] | None


@dataclass(frozen=True)
class Graded:
    """The `graded` marker of one collected test, checked."""

    exercise: Exercise
    points: float
    title: dict[str, str]


@dataclass(frozen=True)
class SuiteError:
    """A fault of a hidden suite itself: the grading is an internal error, never the student's.

    Attributes:
        text: the one line kept in `GradingPlugin.suite_errors`.
        log: what the log says about it (a collection error's report included).
    """

    text: str
    log: str

    def report(self) -> None:
        LOG.error("%s", self.log)


def test_id(nodeid: str) -> str:
    """``test_activations.py::test_relu[big]`` -> ``test_activations::test_relu[big]``."""
    path, _, rest = nodeid.partition("::")
    return f"{PurePosixPath(path).stem}::{rest}"


def collection_error(report: pytest.CollectReport) -> SuiteError:
    """The suite error of a module or folder pytest could not collect."""
    return SuiteError(
        f"could not collect {report.nodeid}",
        f"A hidden suite could not be collected ({report.nodeid}):\n{report.longrepr}",
    )


def read_marker(item: pytest.Item) -> Graded | SuiteError:
    """The checked `graded` marker of `item`, or why the test cannot be graded."""
    marker = item.get_closest_marker("graded")
    if marker is None:
        return _marker_error(f"{item.nodeid} has no graded marker; it was not run")
    exercise = _EXERCISES.get(marker.kwargs.get("exercise", ""))
    if exercise is None:
        return _marker_error(f"{item.nodeid} names an unknown exercise; it was not run")
    title = {
        "en": str(marker.kwargs.get("en") or item.name),
        "fr": str(marker.kwargs.get("fr") or marker.kwargs.get("en") or item.name),
    }
    return Graded(exercise, float(marker.kwargs.get("points", 0)), title)


def _marker_error(text: str) -> SuiteError:
    return SuiteError(text, f"Hidden suite: {text}.")


@dataclass
class GradingPlugin:
    """Grades one submission while pytest runs the hidden suites in this process.

    Attributes:
        proxy: the `student` object (a `StudentProxy`), or None when nothing was loaded.
        seed: the student's seed (`student_seed` fixture).
        availability: which modules were imported; tests of the others fail unrun.
        has_function: whether the loaded submission defines a function.
        budget_seconds: wall time after which the remaining tests are skipped.
        clock: the monotonic clock measuring the budget.
        records: the graded tests, in the order they ran.
        suite_errors: faults of the suite itself (see `SuiteError`).
        interrupted: whether Ctrl-C stopped pytest (it returns instead of raising).
    """

    proxy: Any
    seed: int
    availability: ModuleAvailability
    has_function: Callable[[str], bool]
    budget_seconds: float | None = None
    clock: Callable[[], float] = time.monotonic
    records: list[TestRecord] = field(default_factory=list)
    suite_errors: list[str] = field(default_factory=list)
    interrupted: bool = False
    _graded: dict[str, Graded] = field(default_factory=dict)
    _errors: dict[str, BaseException] = field(default_factory=dict)
    _deadline: float | None = None

    # --- what both ways of running a suite share -------------------------------------------

    def student_value(self) -> Any:
        if self.proxy is None:  # `before_test` fails such tests first; never reached
            raise RuntimeError("No student session is open.")
        return self.proxy

    def rng_value(self, test: str) -> np.random.Generator:
        """The `rng` of the test whose id (`test_id`) is `test`."""
        return np.random.default_rng(rng_seed(self.seed, test))

    def report_suite_error(self, error: SuiteError) -> None:
        self.suite_errors.append(error.text)
        error.report()

    def start_budget(self) -> None:
        """Start the submission's time budget: called once, before the first test."""
        if self.budget_seconds is not None:
            self._deadline = self.clock() + self.budget_seconds

    def before_test(self, graded: Graded) -> None:
        """Reset the record of calls; raise when the test must not run (budget, module)."""
        if self.proxy is not None:
            self.proxy.reset_calls()
        if self._deadline is not None and self.clock() > self._deadline:
            raise BudgetExhausted(self.budget_seconds or 0.0)
        unavailable = self.availability.for_exercise(graded.exercise)
        if unavailable is not None:
            raise unavailable

    def record(self, test: str, graded: Graded, error: BaseException | None) -> None:
        """Record the verdict of the test `test`, which raised `error` (None: it passed)."""
        facts = FunctionFacts(self.has_function, self.availability.unavailable)
        verdict = PASSED if error is None else classify(error, graded.exercise, facts)
        calls = sorted(self.proxy.calls) if self.proxy is not None else []
        self.records.append(
            TestRecord(
                id=test,
                exercise=graded.exercise.id,
                title=graded.title,
                outcome=verdict.outcome,
                points=graded.points if verdict.passed else 0.0,
                max_points=graded.points,
                functions=calls,
                messages=verdict.messages,
                evidence=verdict.evidence,
            )
        )

    # --- fixtures ------------------------------------------------------------------------

    @pytest.fixture
    def student(self) -> Any:
        return self.student_value()

    @pytest.fixture
    def student_seed(self) -> int:
        return self.seed

    @pytest.fixture
    def rng(self, request: pytest.FixtureRequest) -> np.random.Generator:
        return self.rng_value(test_id(request.node.nodeid))

    # --- hooks ---------------------------------------------------------------------------

    def pytest_configure(self, config: pytest.Config) -> None:
        config.addinivalue_line("markers", GRADED_MARKER)

    def pytest_collectreport(self, report: pytest.CollectReport) -> None:
        if report.failed:
            self.report_suite_error(collection_error(report))

    def pytest_collection_modifyitems(self, items: list[pytest.Item]) -> None:
        kept = []
        for item in items:
            graded = read_marker(item)
            if isinstance(graded, SuiteError):
                self.report_suite_error(graded)
            else:
                self._graded[item.nodeid] = graded
                kept.append(item)
        items[:] = kept
        self.start_budget()

    @pytest.hookimpl(tryfirst=True)
    def pytest_runtest_setup(self, item: pytest.Item) -> None:
        self.before_test(self._graded[item.nodeid])

    @pytest.hookimpl(tryfirst=True)
    def pytest_runtest_makereport(
        self, item: pytest.Item, call: pytest.CallInfo[None]
    ) -> pytest.TestReport | None:
        error = call.excinfo.value if call.excinfo is not None else None
        if item.nodeid in self._graded and error is not None:
            self._errors.setdefault(item.nodeid, error)  # the first phase's error decides
        if error is not None and not isinstance(error, _EXPECTED):
            return None  # a bug of ours: pytest's full report, traceback included, for the log
        # The verdict comes from `_errors`; pytest's own report of an expected failure
        # (a formatted traceback) is never shown and cost a third of a grading's CPU time.
        return pytest.TestReport(
            item.nodeid,
            item.location,
            dict.fromkeys(item.keywords, 1),
            "passed" if error is None else "failed",
            None if error is None else f"{type(error).__name__}: see the result document",
            call.when,  # type: ignore[arg-type]
            duration=call.duration,
            start=call.start,
            stop=call.stop,
        )

    def pytest_runtest_logfinish(self, nodeid: str) -> None:
        graded = self._graded.get(nodeid)
        if graded is not None:
            # popped: the traceback and the frames it keeps alive go with it
            self.record(test_id(nodeid), graded, self._errors.pop(nodeid, None))

    def pytest_keyboard_interrupt(self, excinfo: pytest.ExceptionInfo[BaseException]) -> None:
        if isinstance(excinfo.value, KeyboardInterrupt):
            self.interrupted = True
