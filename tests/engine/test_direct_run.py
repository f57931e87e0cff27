"""A hidden suite is collected once per process and graded without pytest's per-test protocol,
with the same document as under pytest; a suite needing more of pytest still runs under it.
"""

from __future__ import annotations

import itertools
import logging
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from engine_fake_suite import SUITE, TEST_IDS
from engine_fakes import FakeProxy, FakeSandbox, correct_functions

from grader.engine import direct, dumps, grade_loaded
from grader.engine import suite as suite_module
from grader.engine.availability import ModuleAvailability
from grader.engine.plugin import GradingPlugin, TestRecord
from grader.engine.suite import hidden_suite, run_suite
from grader.loading import load_submission

HEADER = """
import pytest

from grader.checks import CheckFailure
"""


def graded_tests(document: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {test["id"]: test for exercise in document["exercises"] for test in exercise["tests"]}


def without_timing(document: dict[str, Any]) -> str:
    return dumps({key: value for key, value in document.items() if key != "timing"})


def grade(
    submission: Path,
    suite: Path,
    functions: Mapping[str, Callable[..., Any]],
    *,
    use_direct: bool,
    monkeypatch: pytest.MonkeyPatch,
) -> dict[str, Any]:
    monkeypatch.setattr(direct, "ENABLED", use_direct)
    return grade_loaded(
        load_submission(submission),
        student="alice",
        lang="en",
        sandbox=FakeSandbox(functions),
        suite=suite,
        proxy_factory=FakeProxy,
    )


# --- collecting once ---------------------------------------------------------------------


def test_a_suite_is_collected_into_plain_records_in_pytest_order(suite: Path) -> None:
    collected = hidden_suite(suite)
    assert collected.direct and collected.needs_pytest == ()
    assert collected.errors == () and collected.exit_code == 0
    assert [test.id for test in collected.tests] == TEST_IDS
    by_id = {test.id: test for test in collected.tests}
    unit, large = by_id["test_fake::test_relu_scaled[unit]"], by_id[TEST_IDS[4]]
    assert (unit.params, large.params) == ({"scale": 1.0}, {"scale": 1000.0})
    assert unit.argnames == ("student", "rng", "scale")
    assert unit.function is large.function and unit.function.__name__ == "test_relu_scaled"
    probe = by_id["test_fake::test_seed_probe"]
    assert probe.params == {} and probe.argnames == ("student", "rng", "student_seed")
    assert (probe.graded.exercise.id, probe.graded.points) == ("initialization", 2.0)
    assert probe.graded.title == {"en": "seed probe", "fr": "sonde"}


def test_a_suite_is_collected_once_for_every_grading(
    grade_fake, submission: Path, suite: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    collections: list[Path] = []
    collect = suite_module.collect_suite

    def counted(folder: Path) -> Any:
        collections.append(folder)
        return collect(folder)

    monkeypatch.setattr(suite_module, "collect_suite", counted)
    first = grade_fake(submission)
    for _ in range(2):
        assert without_timing(grade_fake(submission)) == without_timing(first)
    assert collections == [suite.resolve()]
    assert hidden_suite(suite) is hidden_suite(suite.parent / suite.name)
    suite_module.forget_suites()
    hidden_suite(suite)
    assert len(collections) == 2


# --- the same document both ways -----------------------------------------------------------


def broken(Z: np.ndarray) -> np.ndarray:
    raise ValueError("operands could not be broadcast together")


def stub(*args: Any) -> Any:
    raise NotImplementedError


STUDENTS: dict[str, dict[str, Callable[..., Any]]] = {
    "correct": correct_functions(),
    "wrong sigmoid, failing relu assert": correct_functions()
    | {"sigmoid": lambda Z: Z, "relu": lambda Z: -Z},
    "raising tanh, stub backward": correct_functions() | {"tanh": broken, "sigmoid_backward": stub},
    "nothing": {},
}


@pytest.mark.parametrize("student", sorted(STUDENTS))
def test_direct_and_pytest_runs_give_the_same_document(
    student: str, submission: Path, suite: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    functions = STUDENTS[student]
    fast = grade(submission, suite, functions, use_direct=True, monkeypatch=monkeypatch)
    slow = grade(submission, suite, functions, use_direct=False, monkeypatch=monkeypatch)
    assert without_timing(fast) == without_timing(slow)
    assert set(graded_tests(fast)) == set(TEST_IDS)


def test_parameters_reach_the_test(grade_fake, submission: Path) -> None:
    """A relu clipped at 100 passes the unit-scale case and fails the large one."""
    document = grade_fake(submission, correct_functions() | {"relu": lambda Z: np.clip(Z, 0, 100)})
    tests = graded_tests(document)
    assert tests["test_fake::test_relu_scaled[unit]"]["outcome"] == "passed"
    assert tests["test_fake::test_relu_scaled[large]"]["outcome"] == "failed"
    assert tests["test_fake::test_relu_scaled[large]"]["message"] == "relu gives wrong values."


def counting_clock() -> Callable[[], float]:
    ticks = itertools.count()
    return lambda: float(next(ticks))


def run_with_budget(
    submission: Path, suite: Path, runner: Callable[[GradingPlugin], int]
) -> list[TestRecord]:
    loaded = load_submission(submission)
    session = FakeSandbox(correct_functions()).open_session(
        loaded.sources, function_modules=loaded.function_modules
    )
    plugin = GradingPlugin(
        proxy=FakeProxy(session),
        seed=7,
        availability=ModuleAvailability(session.module_status, [], loaded.function_modules),
        has_function=session.has_function,
        budget_seconds=3.5,  # the clock ticks once when the budget starts, once per test
        clock=counting_clock(),
    )
    assert runner(plugin) == 1
    return plugin.records


def test_a_budget_spent_mid_run_skips_the_same_tests_both_ways(
    submission: Path, suite: Path
) -> None:
    fast = run_with_budget(submission, suite, lambda p: direct.run_direct(hidden_suite(suite), p))
    slow = run_with_budget(submission, suite, lambda p: run_suite(p, suite))
    assert fast == slow
    assert [record.outcome for record in fast] == ["passed"] * 3 + ["skipped"] * 6
    assert "time budget (3.5 s)" in fast[-1].messages["en"]


# --- suites that need pytest -------------------------------------------------------------

NEEDS_TMP_PATH = (
    HEADER
    + """
@pytest.mark.graded(exercise="update", points=1, en="writes a file", fr="écrit un fichier")
def test_with_tmp_path(student, tmp_path):
    (tmp_path / "note.txt").write_text("written")
    raise CheckFailure(
        {"en": "probe", "fr": "sonde"},
        {"kind": "property", "written": (tmp_path / "note.txt").read_text()},
    )
"""
)


def test_a_test_needing_another_fixture_runs_the_suite_under_pytest(
    grade_fake, submission: Path, make_suite
) -> None:
    folder = make_suite(test_fake=SUITE, test_files=NEEDS_TMP_PATH)
    collected = hidden_suite(folder)
    assert not collected.direct
    assert collected.needs_pytest == (
        "test_files.py::test_with_tmp_path needs the fixture 'tmp_path'",
    )
    document = grade_fake(submission, suite_folder=folder)  # asserts the pytest run
    assert document["status"] == "graded"
    tests = graded_tests(document)
    assert set(tests) == {*TEST_IDS, "test_files::test_with_tmp_path"}
    assert tests["test_files::test_with_tmp_path"]["evidence"]["written"] == "written"
    assert tests["test_fake::test_relu_values"]["outcome"] == "passed"


NEEDS_PYTEST = {
    "usefixtures": (
        """
@pytest.mark.usefixtures("tmp_path")
@pytest.mark.graded(exercise="relu", points=1)
def test_x(student):
    pass
""",
        "carries the marker(s) usefixtures",
    ),
    "skipif": (
        """
@pytest.mark.skipif(True, reason="not today")
@pytest.mark.graded(exercise="relu", points=1)
def test_x(student):
    pass
""",
        "carries the marker(s) skipif",
    ),
    "a marked parameter": (
        """
@pytest.mark.graded(exercise="relu", points=1)
@pytest.mark.parametrize("n", [1, pytest.param(2, marks=pytest.mark.xfail)])
def test_x(student, n):
    pass
""",
        "test_x[2] carries the marker(s) xfail",
    ),
    "its own rng": (
        """
@pytest.fixture
def rng():
    return 4


@pytest.mark.graded(exercise="relu", points=1)
def test_x(student, rng):
    pass
""",
        "defines its own 'rng' fixture",
    ),
    "indirect parametrization": (
        """
@pytest.fixture
def size(request):
    return request.param * 2


@pytest.mark.graded(exercise="relu", points=1)
@pytest.mark.parametrize("size", [1], indirect=True)
def test_x(student, size):
    pass
""",
        "parametrizes the fixture 'size' indirectly",
    ),
    "autouse": (
        """
@pytest.fixture(autouse=True)
def prepare():
    pass


@pytest.mark.graded(exercise="relu", points=1)
def test_x(student):
    pass
""",
        "uses the fixture 'prepare' (autouse or usefixtures)",
    ),
    "a class": (
        """
class TestRelu:
    @pytest.mark.graded(exercise="relu", points=1)
    def test_x(self, student):
        pass
""",
        "is not a test function at module level",
    ),
}


@pytest.mark.parametrize("case", sorted(NEEDS_PYTEST))
def test_what_only_pytest_can_run_is_noticed(case: str, make_suite) -> None:
    text, reason = NEEDS_PYTEST[case]
    name = f"test_needs_{case.replace(' ', '_')}"
    collected = hidden_suite(make_suite(**{name: HEADER + text}))
    assert not collected.direct
    assert any(found.endswith(reason) for found in collected.needs_pytest), collected.needs_pytest


def test_a_conftest_with_hooks_runs_the_suite_under_pytest(make_suite) -> None:
    hooks = "def pytest_runtest_setup(item):\n    pass\n"
    collected = hidden_suite(make_suite(test_fake=SUITE, conftest=hooks))
    assert collected.needs_pytest == ("conftest.py implements pytest hooks",)
    fixtures_only = "import pytest\n\n\n@pytest.fixture\ndef unused():\n    return 1\n"
    assert hidden_suite(make_suite(test_fake=SUITE, conftest=fixtures_only)).direct


# --- faults of the suite, whichever way it runs --------------------------------------------

UNMARKED = (
    HEADER
    + """
def test_without_marker(student):
    pass


@pytest.mark.graded(exercise="no_such_exercise", points=1)
def test_unknown_exercise(student):
    pass
"""
)


def test_unmarked_tests_and_unknown_exercises_are_internal_errors(
    grade_fake, submission: Path, make_suite, caplog: pytest.LogCaptureFixture
) -> None:
    folder = make_suite(test_fake=SUITE, test_unmarked=UNMARKED)
    for _ in range(2):  # every grading, not only the one that collected the suite
        caplog.clear()
        with caplog.at_level(logging.ERROR, logger="grader.engine"):
            document = grade_fake(submission, suite_folder=folder)
        assert document["status"] == "internal_error"
        assert set(graded_tests(document)) == set(TEST_IDS)  # the faulty tests were not run
        assert "test_unmarked.py::test_without_marker has no graded marker" in caplog.text
        assert "test_unmarked.py::test_unknown_exercise names an unknown exercise" in caplog.text


def test_a_module_that_cannot_be_collected_fails_every_grading(
    grade_fake, submission: Path, make_suite, caplog: pytest.LogCaptureFixture
) -> None:
    """pytest imports a broken module only once per process; every grading still sees it."""
    folder = make_suite(test_fake=SUITE, test_broken="import a_module_that_does_not_exist\n")
    for _ in range(2):
        caplog.clear()
        with caplog.at_level(logging.ERROR, logger="grader.engine"):
            document = grade_fake(submission, suite_folder=folder)
        assert document["status"] == "internal_error"
        assert set(graded_tests(document)) == set(TEST_IDS)
        assert "could not be collected (test_broken.py)" in caplog.text
        assert "a_module_that_does_not_exist" in caplog.text


def test_an_empty_suite_is_an_internal_error(grade_fake, submission: Path, make_suite) -> None:
    document = grade_fake(submission, suite_folder=make_suite(helpers="X = 1\n"))
    assert document["status"] == "internal_error"
    assert graded_tests(document) == {}


STOPS = (
    HEADER
    + """
@pytest.mark.graded(exercise="relu", points=1)
def test_first(student):
    pass


@pytest.mark.graded(exercise="relu", points=1)
def test_stops(student):
    pytest.exit("a hidden test asked to stop")


@pytest.mark.graded(exercise="relu", points=1)
def test_never_reached(student):
    pass
"""
)


def test_pytest_exit_in_a_hidden_test_is_an_internal_error(
    grade_fake, submission: Path, make_suite
) -> None:
    document = grade_fake(submission, suite_folder=make_suite(test_stops=STOPS))
    assert document["status"] == "internal_error"
    assert list(graded_tests(document)) == ["test_stops::test_first"]


INTERRUPTED = (
    HEADER
    + """
@pytest.mark.graded(exercise="relu", points=1)
def test_interrupted(student):
    raise KeyboardInterrupt
"""
)


def test_ctrl_c_during_a_hidden_test_stops_the_grading(
    grade_fake, submission: Path, make_suite
) -> None:
    with pytest.raises(KeyboardInterrupt):
        grade_fake(submission, suite_folder=make_suite(test_interrupted=INTERRUPTED))
