"""What grading one submission records: the fixture values, the checks before a test, the
verdict after it.

Hidden tests are ordinary pytest tests. They take the fixtures

- `student`: the sandbox proxy (``student.call("relu", Z)``), its record of called
  functions reset before every test;
- `student_seed`: an int, stable for a student and different between students;
- `rng`: ``np.random.default_rng`` seeded from `student_seed` and the test's id;

and carry ``@pytest.mark.graded(exercise=..., points=..., title=N_("..."))`` (`title` says
in one line, in English, what the test checks; the catalog of `grader.i18n` translates it).
`SubmissionGrading` holds one submission's side of this: the pytest plugin of a grading
session (`grader.engine.runner`) asks it for the fixture values and turns each test into a
`TestRecord` through it.
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
from grader.engine.availability import ModuleAvailability
from grader.engine.outcomes import PASSED, BudgetExhausted, FunctionFacts, classify
from grader.engine.seeds import rng_seed
from grader.engine.substitution import Substitutions
from grader.errors import INTERNAL
from grader.i18n import Text

LOG = logging.getLogger("grader.engine")

GRADED_MARKER = (
    "graded(exercise, points, title): the catalog exercise a hidden test belongs to, its "
    "points, and what it checks (an English message of the translation catalog)."
)

_EXERCISES = {exercise.id: exercise for exercise in EXERCISES}


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
    substituted: list[str] = field(default_factory=list)


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
        text: the one line kept in `SubmissionGrading.suite_errors`.
        log: what the log says about it (a collection error's report included).
    """

    text: str
    log: str

    def report(self) -> None:
        INTERNAL.error("%s", self.log)


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
    if {"en", "fr"} & set(marker.kwargs):
        return _marker_error(
            f"{item.nodeid} gives its title as en=/fr=; give it as title=N_(...), an English "
            "message that the catalog translates; it was not run"
        )
    title = marker.kwargs.get("title") or item.name
    if not isinstance(title, str):
        return _marker_error(f"{item.nodeid} has a title that is not a message; it was not run")
    return Graded(exercise, float(marker.kwargs.get("points", 0)), dict(Text(title)))


def _marker_error(text: str) -> SuiteError:
    return SuiteError(text, f"Hidden suite: {text}.")


@dataclass
class SubmissionGrading:
    """One submission's grading while the hidden suites run.

    Attributes:
        proxy: the `student` object (a `StudentProxy`), or None when nothing was loaded.
        seed: the student's seed (`student_seed` fixture).
        availability: which modules were imported; tests of the others fail unrun.
        has_function: whether the loaded submission defines a function.
        budget_seconds: wall time after which the remaining tests are skipped.
        clock: the monotonic clock measuring the budget.
        records: the graded tests, in the order they ran.
        suite_errors: faults of the suite itself (see `SuiteError`).
        substitutions: the functions known wrong so far, answered with the reference in the
            tests that follow (a bug costs once: `grader.engine.substitution`).
    """

    proxy: Any
    seed: int
    availability: ModuleAvailability
    has_function: Callable[[str], bool]
    budget_seconds: float | None = None
    clock: Callable[[], float] = time.monotonic
    records: list[TestRecord] = field(default_factory=list)
    suite_errors: list[str] = field(default_factory=list)
    substitutions: Substitutions = field(default_factory=Substitutions)
    _deadline: float | None = None

    def student_value(self) -> Any:
        """The `student` fixture's value."""
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
            self.proxy.substitute(self.substitutions.for_next_test())
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
        answered = sorted(self.proxy.answered) if self.proxy is not None else []
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
                substituted=answered,
            )
        )
        self.substitutions.learn(verdict.outcome, verdict.evidence)
        for function in sorted(self.proxy.found) if self.proxy is not None else ():
            self.substitutions.learn_wrong(function)
