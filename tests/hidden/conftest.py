"""An in-process stand-in for the grading plugin, to test the hidden suites.

Grading never runs student code in-process; these tests do, on purpose, with trusted code
(`reference/`, `solutions/`, and planted bugs written here). `StandInStudent` mimics the
sandbox proxy: arguments and results are copied, only plain data comes back (anything else
becomes an opaque `StandInHandle`), and NotImplementedError becomes StudentNotImplemented.
`StandInPlugin` provides the fixtures the real plugin provides (`student`, `rng`,
`student_seed`), registers the `graded` marker and records every test's outcome.
"""

from __future__ import annotations

import importlib
import warnings
import zlib
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from grader.catalog import EXERCISES, MODULES
from grader.checks import CheckFailure
from grader.errors import SandboxError, StudentCallError, StudentNotImplemented, StudentRaised
from grader.gradcheck import perturbed_inputs
from grader.sandbox import codec
from grader.sandbox.session import WatchedCalls

ROOT = Path(__file__).resolve().parents[2]
SUITES = sorted((ROOT / "grader" / "hidden").glob("test_*.py"))


class StandInHandle:
    """An opaque reference to a value that stayed on the student's side (e.g. a cache)."""

    def __init__(self, key: int, type_name: str) -> None:
        self.key = key
        self.type_name = type_name


class StandInStudent:
    """Calls functions from a name -> callable table the way the sandbox proxy would."""

    def __init__(
        self, functions: Mapping[str, Callable[..., Any]], known_wrong: Sequence[str] = ()
    ) -> None:
        self.functions = dict(functions)
        self.called: set[str] = set()
        self.found: set[str] = set()  # what the tests reported with `found_wrong`
        self._kept: dict[int, Any] = {}
        self._known_wrong = frozenset(known_wrong)

    def _encode(self, value: Any) -> Any:
        if isinstance(value, StandInHandle):
            return self._kept[value.key]
        if isinstance(value, np.ndarray):
            return np.array(value, copy=True)
        if isinstance(value, tuple | list):
            return type(value)(self._encode(v) for v in value)
        if isinstance(value, dict):
            return {k: self._encode(v) for k, v in value.items()}
        return value

    def _decode(self, value: Any) -> Any:
        if type(value) is np.ndarray and value.dtype != object:
            return np.array(value, copy=True)
        if value is None or isinstance(value, bool | int | float | str | np.number | np.bool_):
            return value
        if type(value) in (tuple, list):
            return type(value)(self._decode(v) for v in value)
        if type(value) is dict and all(isinstance(k, str) for k in value):
            return {k: self._decode(v) for k, v in value.items()}
        key = len(self._kept)
        self._kept[key] = value
        return StandInHandle(key, type(value).__name__)

    def has_function(self, name: str) -> bool:
        return name in self.functions

    def known_wrong(self, name: str) -> bool:
        return name in self._known_wrong

    def found_wrong(self, name: str) -> None:
        self.found.add(name)

    def call(self, name: str, *args: Any, **kwargs: Any) -> Any:
        self.called.add(name)
        if name not in self.functions:
            raise StudentNotImplemented(name, f"`{name}` is not defined.")
        args, kwargs = self._encode(args), self._encode(kwargs)
        try:
            with warnings.catch_warnings(), np.errstate(all="ignore"):
                warnings.simplefilter("ignore")
                result = self.functions[name](*args, **kwargs)
        except NotImplementedError:
            raise StudentNotImplemented(name, f"`{name}` is not implemented yet.") from None
        except Exception as error:
            raise StudentRaised(name, type(error).__name__, str(error)) from None
        return self._decode(result)

    def call_watched(self, name: str, *args: Any, **kwargs: Any) -> tuple[Any, list[str]]:
        """Like the sandbox: the function gets copies, compared with the originals after."""
        self.called.add(name)
        if name not in self.functions:
            raise StudentNotImplemented(name, f"`{name}` is not defined.")
        sent_args, sent_kwargs = self._encode(args), self._encode(kwargs)
        result = self.call(name, *args, **kwargs)  # same outcome on fresh copies
        with warnings.catch_warnings(), np.errstate(all="ignore"):
            warnings.simplefilter("ignore")
            self.functions[name](*sent_args, **sent_kwargs)
        mutated = [
            f"args[{index}]"
            for index, (before, after) in enumerate(zip(args, sent_args, strict=True))
            if isinstance(before, np.ndarray) and not np.array_equal(before, after, equal_nan=True)
        ] + [
            f"kwargs[{key!r}]"
            for key, before in kwargs.items()
            if isinstance(before, np.ndarray)
            and not np.array_equal(before, sent_kwargs[key], equal_nan=True)
        ]
        return result, mutated

    def call_watched_each(
        self, name: str, calls: list[tuple[tuple[Any, ...], dict[str, Any]]]
    ) -> WatchedCalls:
        """Like the sandbox: each call in turn until one fails; its error is given back."""
        done: list[tuple[Any, list[str]]] = []
        for args, kwargs in calls:
            try:
                done.append(self.call_watched(name, *args, **kwargs))
            except StudentCallError as error:
                return WatchedCalls(done, error)
        return WatchedCalls(done, None)

    def call_batch(
        self,
        name: str,
        calls: list[tuple[tuple[Any, ...], dict[str, Any]]],
        pick: int | None = None,
    ) -> list[Any]:
        results = [self.call(name, *args, **kwargs) for args, kwargs in calls]
        if pick is None:
            return results
        return [r[pick] if isinstance(r, tuple | list) else r for r in results]

    def call_perturbed(
        self,
        name: str,
        args: Sequence[Any],
        kwargs: Mapping[str, Any],
        *,
        targets: Sequence[Sequence[str | int]],
        step: float,
        pick: int | None = None,
        stacked: bool = False,
    ) -> list[Any] | np.ndarray:
        """Like the sandbox, the slow way: the perturbed copies, then `call_batch`; with
        `stacked`, results that the worker would stack come back as their stack."""
        base = (tuple(args), dict(kwargs))
        calls = []
        for path in targets:
            array = codec.float_array_at(base, list(path))
            if array is None:
                # As the sandbox does: a hidden suite that works here must work there.
                raise SandboxError(f"The perturbation target {path!r} is not a float64 ndarray.")
            position = ["args", "kwargs"].index(path[0])
            calls += [
                _replaced(base, [position, *path[1:]], point)
                for point in perturbed_inputs(array, step=step)
            ]
        results = self.call_batch(name, calls, pick=pick)
        return _stacked(results) if stacked else results

    def __getattr__(self, name: str) -> Callable[..., Any]:
        if name.startswith("_"):
            raise AttributeError(name)
        return lambda *args, **kwargs: self.call(name, *args, **kwargs)


def _stacked(results: list[Any]) -> list[Any] | np.ndarray:
    """As the worker does: results that are all ndarrays of one codec dtype and one shape
    as one stacked array, anything else as the list."""
    first = results[0] if results else None
    if type(first) is not np.ndarray or first.dtype.str not in codec.DTYPES:
        return results
    same = all(
        type(r) is np.ndarray and r.dtype == first.dtype and r.shape == first.shape for r in results
    )
    return np.stack(results) if same else results


def _replaced(value: Any, path: Sequence[Any], new: Any) -> Any:
    """`value` (nested tuples, lists and dicts) with the item at `path` replaced by `new`."""
    if not path:
        return new
    head, rest = path[0], path[1:]
    if type(value) is dict:
        return {**value, head: _replaced(value[head], rest, new)}
    items = list(value)
    items[head] = _replaced(items[head], rest, new)
    return type(value)(items)


@dataclass
class HiddenTestOutcome:
    """What the stand-in recorded about one hidden test."""

    nodeid: str
    exercise: str
    points: float
    passed: bool
    error: BaseException | None = None
    functions: frozenset[str] = frozenset()


@dataclass
class GradeReport:
    """All outcomes of one run of the hidden suites."""

    outcomes: dict[str, HiddenTestOutcome] = field(default_factory=dict)

    def score(self, exercise: str | None = None) -> float:
        return sum(
            o.points for o in self.outcomes.values() if o.passed and exercise in (None, o.exercise)
        )

    def failures(self) -> dict[str, BaseException | None]:
        return {name: o.error for name, o in self.outcomes.items() if not o.passed}

    def outcome(self, test_name: str) -> HiddenTestOutcome:
        return self.outcomes[test_name]

    def evidence(self, test_name: str) -> dict[str, Any]:
        error = self.outcomes[test_name].error
        if not isinstance(error, CheckFailure):
            raise AssertionError(f"{test_name} did not fail with a CheckFailure: {error!r}")
        return error.evidence


class StandInPlugin:
    """The fixtures and bookkeeping of the real grading plugin, minus the sandbox."""

    def __init__(self, student: StandInStudent, student_seed: int) -> None:
        self._student = student
        self._seed = student_seed
        self.report = GradeReport()
        self.markers: dict[str, dict[str, Any]] = {}

    def pytest_collection_modifyitems(self, items: list[pytest.Item]) -> None:
        for item in items:
            marker = item.get_closest_marker("graded")
            self.markers[item.nodeid] = dict(marker.kwargs) if marker else {}

    def pytest_configure(self, config: pytest.Config) -> None:
        config.addinivalue_line("markers", "graded(exercise, points, title): a graded test")

    @pytest.fixture
    def student(self) -> StandInStudent:
        return self._student

    @pytest.fixture
    def student_seed(self) -> int:
        return self._seed

    @pytest.fixture
    def rng(self, request: pytest.FixtureRequest, student_seed: int) -> np.random.Generator:
        node = zlib.crc32(request.node.nodeid.encode("utf-8"))
        return np.random.default_rng([student_seed, node])

    def pytest_runtest_setup(self, item: pytest.Item) -> None:
        self._student.called = set()

    @pytest.hookimpl(hookwrapper=True)
    def pytest_runtest_makereport(
        self, item: pytest.Item, call: pytest.CallInfo[None]
    ) -> Iterator[None]:
        yield
        marker = item.get_closest_marker("graded")
        if marker is None:
            return
        name = item.name
        if call.when == "setup" and call.excinfo is not None:
            self.report.outcomes[name] = HiddenTestOutcome(
                name, marker.kwargs["exercise"], marker.kwargs["points"], False, call.excinfo.value
            )
        if call.when == "call":
            error = call.excinfo.value if call.excinfo is not None else None
            self.report.outcomes[name] = HiddenTestOutcome(
                name,
                marker.kwargs["exercise"],
                marker.kwargs["points"],
                error is None,
                error,
                frozenset(self._student.called),
            )


def module_functions(package: str) -> dict[str, Callable[..., Any]]:
    """Every public function of the student modules of `package` (e.g. ``"reference"``)."""
    functions: dict[str, Callable[..., Any]] = {}
    for module_name in MODULES:
        module = importlib.import_module(f"{package}.{module_name}")
        for name in dir(module):
            value = getattr(module, name)
            if callable(value) and not name.startswith("_") and not isinstance(value, type):
                functions[name] = value
    return functions


def run_suites(
    functions: Mapping[str, Callable[..., Any]],
    *,
    student_seed: int = 20260101,
    select: str | None = None,
    collect_only: bool = False,
    known_wrong: Sequence[str] = (),
) -> StandInPlugin:
    """Run the hidden suites against `functions`; `select` is a pytest ``-k`` expression;
    `known_wrong` the functions the proxy says an earlier test found wrong.

    Returns the plugin: its `report` holds the outcomes, its `markers` every collected
    test's `graded` marker arguments.
    """
    plugin = StandInPlugin(StandInStudent(functions, known_wrong), student_seed)
    args = [str(path) for path in SUITES]
    args += ["-q", "--tb=no", "-p", "no:cacheprovider", "--no-header"]
    args += ["-o", "addopts=--strict-markers"]
    if select:
        args += ["-k", select]
    if collect_only:
        args.append("--collect-only")
    pytest.main(args, plugins=[plugin])
    return plugin


@pytest.fixture(scope="session")
def exercise_points() -> dict[str, float]:
    return {exercise.id: exercise.points for exercise in EXERCISES}


@pytest.fixture(scope="session")
def grade() -> Callable[..., GradeReport]:
    """Runs the hidden suites against a name -> function table and returns the report."""

    def run(functions: Mapping[str, Callable[..., Any]], **options: Any) -> GradeReport:
        return run_suites(functions, **options).report

    return run


@pytest.fixture(scope="session")
def collected_markers() -> dict[str, dict[str, Any]]:
    """Every hidden test's node id -> its `graded` marker arguments ({} if it has none)."""
    return run_suites({}, collect_only=True).markers


@pytest.fixture(scope="session")
def reference_functions() -> dict[str, Callable[..., Any]]:
    return module_functions("reference")


@pytest.fixture(scope="session")
def solution_functions() -> dict[str, Callable[..., Any]]:
    return module_functions("solutions")


@pytest.fixture
def stand_in() -> Callable[[Mapping[str, Callable[..., Any]]], StandInStudent]:
    """Makes the stand-in proxy over a table of functions."""
    return StandInStudent


@pytest.fixture
def reference_student(reference_functions: dict[str, Callable[..., Any]]) -> StandInStudent:
    """The stand-in proxy over the reference implementation (stacks perturbed results)."""
    return StandInStudent(reference_functions)


@pytest.fixture(scope="session")
def stack_as_worker() -> Callable[[list[Any]], list[Any] | np.ndarray]:
    """The worker's stacking of results: one array when all are ndarrays of one dtype and
    shape, else the list."""
    return _stacked
