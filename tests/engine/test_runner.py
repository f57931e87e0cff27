"""One runner for the hidden suites: a pytest session collects them once and grades any
number of submissions through pytest's own protocol, so a suite may use all of pytest.
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

from grader.engine import SuiteRunner, dumps, grade_loaded, with_hidden_suites
from grader.engine.availability import ModuleAvailability
from grader.engine.recording import SubmissionGrading, TestRecord
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
    student: str = "alice",
    runner: SuiteRunner | None = None,
) -> dict[str, Any]:
    return grade_loaded(
        load_submission(submission),
        student=student,
        lang="en",
        sandbox=FakeSandbox(functions),
        suite=suite,
        proxy_factory=FakeProxy,
        runner=runner,
    )


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


# --- one session, many submissions --------------------------------------------------------


def test_a_session_runs_the_tests_in_the_catalogs_exercise_order(suite: Path) -> None:
    """A function's tests run before those of the functions that call it (a bug costs once:
    `grader.engine.substitution`), whatever the order of the suite's files."""
    assert with_hidden_suites(lambda runner: runner.tests, suite) == tuple(TEST_IDS)


def test_a_session_grades_each_submission_as_its_own_session_would(
    submission: Path, suite: Path
) -> None:
    """Nothing of one grading leaks into the next: fixtures, seeds, failures, records."""
    order = [*sorted(STUDENTS), *sorted(STUDENTS)]
    alone = {
        name: without_timing(grade(submission, suite, STUDENTS[name], student=name))
        for name in STUDENTS
    }

    def grade_all(runner: SuiteRunner) -> list[str]:
        return [
            without_timing(grade(submission, suite, STUDENTS[name], student=name, runner=runner))
            for name in order
        ]

    together = with_hidden_suites(grade_all, suite)
    assert together == [alone[name] for name in order]
    assert len(set(alone.values())) == len(STUDENTS)  # the students really differ


def test_parameters_reach_the_test(grade_fake, submission: Path) -> None:
    """A relu clipped at 100 passes the unit-scale case and fails the large one."""
    document = grade_fake(submission, correct_functions() | {"relu": lambda Z: np.clip(Z, 0, 100)})
    tests = graded_tests(document)
    assert tests["test_fake::test_relu_scaled[unit]"]["outcome"] == "passed"
    assert tests["test_fake::test_relu_scaled[large]"]["outcome"] == "failed"
    assert tests["test_fake::test_relu_scaled[large]"]["message"] == "relu gives wrong values."


def test_what_the_session_body_raises_is_raised_once_pytest_has_ended(suite: Path) -> None:
    def body(runner: SuiteRunner) -> None:
        raise SystemExit(143)  # as a grading process leaving on SIGTERM

    with pytest.raises(SystemExit) as stopped:
        with_hidden_suites(body, suite)
    assert stopped.value.code == 143


def counting_clock() -> Callable[[], float]:
    ticks = itertools.count()
    return lambda: float(next(ticks))


def test_a_budget_spent_mid_run_skips_the_remaining_tests(submission: Path, suite: Path) -> None:
    loaded = load_submission(submission)
    session = FakeSandbox(correct_functions()).open_session(
        loaded.sources, function_modules=loaded.function_modules
    )
    grading = SubmissionGrading(
        proxy=FakeProxy(session),
        seed=7,
        availability=ModuleAvailability(session.module_status, [], loaded.function_modules),
        has_function=session.has_function,
        budget_seconds=3.5,  # the clock ticks once when the budget starts, once per test
        clock=counting_clock(),
    )
    assert with_hidden_suites(lambda runner: runner.grade(grading), suite) == 1
    records: list[TestRecord] = grading.records
    assert [record.outcome for record in records] == ["passed"] * 3 + ["skipped"] * 6
    assert "time budget (3.5 s)" in records[-1].messages["en"]


# --- a suite may use the rest of pytest --------------------------------------------------

MORE_OF_PYTEST = (
    HEADER
    + """
def probe(**evidence):
    raise CheckFailure({"en": "probe", "fr": "sonde"}, {"kind": "property", **evidence})


@pytest.fixture
def doubled(request):
    return request.param * 2


@pytest.fixture(autouse=True)
def prepared():
    prepared.calls = getattr(prepared, "calls", 0) + 1


@pytest.mark.graded(exercise="update", points=1, title="writes a file")
def test_with_tmp_path(student, tmp_path):
    (tmp_path / "note.txt").write_text("written")
    probe(written=(tmp_path / "note.txt").read_text())


@pytest.mark.graded(exercise="update", points=1)
@pytest.mark.parametrize("doubled", [21], indirect=True)
def test_indirect(student, doubled):
    probe(doubled=doubled, prepared=prepared.calls)


@pytest.mark.skipif(True, reason="not today")
@pytest.mark.graded(exercise="update", points=1)
def test_skipped_by_marker(student):
    raise AssertionError("never run")


class TestInAClass:
    @pytest.mark.graded(exercise="relu", points=1)
    def test_method(self, student):
        assert student.call("relu", 2.0) == 2.0
"""
)

OWN_RNG = (
    HEADER
    + """
@pytest.fixture
def rng():
    return 4


@pytest.mark.graded(exercise="relu", points=1)
def test_own_rng(student, rng):
    raise CheckFailure({"en": "probe", "fr": "sonde"}, {"kind": "property", "rng": rng})
"""
)


def test_a_suite_may_use_any_fixture_marker_or_class(
    grade_fake, submission: Path, make_suite
) -> None:
    folder = make_suite(test_fake=SUITE, test_more=MORE_OF_PYTEST, test_own=OWN_RNG)
    for _ in range(2):  # a second grading gets fresh fixtures
        document = grade_fake(submission, suite_folder=folder)
        assert document["status"] == "graded"
        tests = graded_tests(document)
        assert tests["test_more::test_with_tmp_path"]["evidence"]["written"] == "written"
        indirect = tests["test_more::test_indirect[21]"]["evidence"]
        assert indirect["doubled"] == 42
        assert tests["test_more::test_skipped_by_marker"]["outcome"] == "skipped"
        assert tests["test_more::test_skipped_by_marker"]["points"] == 0
        assert tests["test_more::TestInAClass::test_method"]["outcome"] == "passed"
        assert tests["test_own::test_own_rng"]["evidence"]["rng"] == 4
        assert tests["test_fake::test_relu_values"]["outcome"] == "passed"
    assert indirect["prepared"] > 1  # the autouse fixture ran before each test


def test_conftest_hooks_and_fixtures_of_the_suite_are_honoured(
    grade_fake, submission: Path, make_suite
) -> None:
    conftest = """
import pytest


@pytest.fixture
def scale():
    return 3.0


def pytest_collection_modifyitems(items):
    items.reverse()
"""
    test = (
        HEADER
        + """
@pytest.mark.graded(exercise="relu", points=1)
def test_a(student, scale):
    assert student.call("relu", scale) == 3.0


@pytest.mark.graded(exercise="relu", points=1)
def test_b(student):
    pass
"""
    )
    document = grade_fake(submission, suite_folder=make_suite(test_x=test, conftest=conftest))
    tests = graded_tests(document)
    assert list(tests) == ["test_x::test_b", "test_x::test_a"]
    assert {test["outcome"] for test in tests.values()} == {"passed"}


# --- faults of the suite -----------------------------------------------------------------

UNMARKED = (
    HEADER
    + """
def test_without_marker(student):
    pass


@pytest.mark.graded(exercise="no_such_exercise", points=1)
def test_unknown_exercise(student):
    pass


@pytest.mark.graded(exercise="relu", points=1, en="relu: values", fr="relu : valeurs")
def test_translated_beside_the_code(student):
    pass
"""
)


@pytest.mark.internal_error
def test_unmarked_tests_and_unknown_exercises_are_internal_errors(
    submission: Path, make_suite, caplog: pytest.LogCaptureFixture
) -> None:
    folder = make_suite(test_fake=SUITE, test_unmarked=UNMARKED)

    def grade_twice(runner: SuiteRunner) -> None:
        for _ in range(2):  # every grading, not only the first of the session
            caplog.clear()
            with caplog.at_level(logging.ERROR, logger="grader.engine"):
                document = grade(submission, folder, correct_functions(), runner=runner)
            assert document["status"] == "internal_error"
            assert set(graded_tests(document)) == set(TEST_IDS)  # the faulty tests did not run
            assert "test_unmarked.py::test_without_marker has no graded marker" in caplog.text
            assert (
                "test_unmarked.py::test_unknown_exercise names an unknown exercise" in caplog.text
            )
            # A title must be a message of the catalog, never a translation of its own.
            assert "test_translated_beside_the_code gives its title as en=/fr=" in caplog.text

    with_hidden_suites(grade_twice, folder)


@pytest.mark.internal_error
def test_a_module_that_cannot_be_collected_fails_every_grading(
    grade_fake, submission: Path, make_suite, caplog: pytest.LogCaptureFixture
) -> None:
    """pytest keeps a module that failed to import; every session still reports it."""
    folder = make_suite(test_fake=SUITE, test_broken="import a_module_that_does_not_exist\n")
    for _ in range(2):
        caplog.clear()
        with caplog.at_level(logging.ERROR, logger="grader.engine"):
            document = grade_fake(submission, suite_folder=folder)
        assert document["status"] == "internal_error"
        assert set(graded_tests(document)) == set(TEST_IDS)
        assert "could not be collected (test_broken.py)" in caplog.text
        assert "a_module_that_does_not_exist" in caplog.text


@pytest.mark.internal_error
def test_a_suite_pytest_cannot_even_start_fails_every_grading(
    submission: Path, make_suite, caplog: pytest.LogCaptureFixture
) -> None:
    folder = make_suite(test_fake=SUITE, conftest="raise RuntimeError('broken conftest')\n")

    def grade_twice(runner: SuiteRunner) -> list[dict[str, Any]]:
        return [grade(submission, folder, correct_functions(), runner=runner) for _ in range(2)]

    with caplog.at_level(logging.ERROR, logger="grader.engine"):
        documents = with_hidden_suites(grade_twice, folder)
    assert [document["status"] for document in documents] == ["internal_error"] * 2
    assert all(graded_tests(document) == {} for document in documents)
    assert "broken conftest" in caplog.text


@pytest.mark.internal_error
def test_an_empty_suite_is_an_internal_error(grade_fake, submission: Path, make_suite) -> None:
    document = grade_fake(submission, suite_folder=make_suite(helpers="X = 1\n"))
    assert document["status"] == "internal_error"
    assert graded_tests(document) == {}


STOPS = (
    HEADER
    + """
@pytest.fixture(scope="module")
def shared():
    return []


@pytest.mark.graded(exercise="relu", points=1)
def test_first(student, shared):
    shared.append(1)


@pytest.mark.graded(exercise="relu", points=1)
def test_stops(student, shared):
    if len(shared) == 1:
        pytest.exit("a hidden test asked to stop")


@pytest.mark.graded(exercise="relu", points=1)
def test_never_reached(student):
    pass
"""
)


STOPS_PLAINLY = (
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


@pytest.mark.internal_error
@pytest.mark.parametrize(
    ("stops", "direct"),
    [(STOPS, False), (STOPS_PLAINLY, True)],
    ids=["through pytest's protocol", "called directly"],
)
def test_pytest_exit_in_a_hidden_test_ends_that_grading_as_an_internal_error(
    submission: Path, make_suite, stops: str, direct: bool
) -> None:
    """The next grading of the session starts afresh, its fixtures set up again."""
    folder = make_suite(test_stops=stops)

    def grade_twice(runner: SuiteRunner) -> list[dict[str, Any]]:
        assert runner.direct is direct
        return [grade(submission, folder, correct_functions(), runner=runner) for _ in range(2)]

    for document in with_hidden_suites(grade_twice, folder):
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


# --- tests called directly, or through pytest's protocol ---------------------------------


def test_the_shipped_and_the_fake_suites_are_called_without_pytests_protocol(
    suite: Path,
) -> None:
    """Their tests take only the grading fixtures and parameters: nothing needs pytest's
    per-test protocol, which costs about as much as the checks."""
    assert with_hidden_suites(lambda runner: runner.direct)
    assert with_hidden_suites(lambda runner: runner.direct, suite)
    assert not with_hidden_suites(lambda runner: runner.direct, suite, protocol=True)


CONFTEST_HOOK = """
def pytest_runtest_call(item):
    item.user_properties.append("seen")
"""

ONE_TEST = (
    HEADER
    + """
@pytest.mark.graded(exercise="relu", points=1)
def test_plain(student):
    pass
"""
)


@pytest.mark.parametrize(
    "files",
    [
        {"test_own": OWN_RNG},
        {"test_more": MORE_OF_PYTEST},
        {"test_plain": ONE_TEST, "conftest": CONFTEST_HOOK},
        {
            "test_plain": ONE_TEST.replace(
                "def test_plain(student)", "def test_plain(student, tmp_path)"
            )
        },
    ],
    ids=["own rng fixture", "fixtures, markers, a class", "conftest hook", "pytest fixture"],
)
def test_a_suite_using_more_of_pytest_runs_every_test_through_the_protocol(
    make_suite, files: dict[str, str]
) -> None:
    """One such test is enough: pytest's fixture caches stay coherent only if it runs all."""
    folder = make_suite(test_fake=SUITE, **files)
    assert not with_hidden_suites(lambda runner: runner.direct, folder)


def test_called_directly_or_through_the_protocol_each_student_gets_the_same_document(
    submission: Path, suite: Path
) -> None:
    def grade_all(runner: SuiteRunner) -> list[str]:
        return [
            without_timing(grade(submission, suite, STUDENTS[name], student=name, runner=runner))
            for name in sorted(STUDENTS)
        ]

    direct = with_hidden_suites(grade_all, suite)
    assert direct == with_hidden_suites(grade_all, suite, protocol=True)
    assert len(set(direct)) == len(STUDENTS)
