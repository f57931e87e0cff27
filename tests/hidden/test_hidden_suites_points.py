"""The hidden suites against the catalog: every test graded, points adding up, titles."""

from __future__ import annotations

from collections import defaultdict

from grader.catalog import EXERCISES, get_exercise
from grader.i18n import Text
from grader.locale import translations


def test_every_hidden_test_carries_a_graded_marker(collected_markers):
    """A test without points would run but never count: each one names its exercise."""
    assert collected_markers, "the hidden suites collected no test"
    unmarked = [nodeid for nodeid, marker in collected_markers.items() if not marker]
    assert unmarked == []


def test_points_of_each_exercise_add_up_to_the_catalog(collected_markers):
    """The score of an exercise can reach exactly its catalog points, no more, no less."""
    totals: dict[str, float] = defaultdict(float)
    for marker in collected_markers.values():
        get_exercise(marker["exercise"])  # an unknown id fails here, listing the valid ones
        totals[marker["exercise"]] += marker["points"]
    assert dict(totals) == {exercise.id: exercise.points for exercise in EXERCISES}


def test_every_test_has_a_title_in_english_and_french(collected_markers):
    """The report shows one line per test, in the student's language: the title is a
    message of the catalog, translated into French."""
    french = translations("fr")
    for nodeid, marker in collected_markers.items():
        title = marker["title"]
        assert title.strip(), nodeid
        assert french.get(title, ("",))[0].strip(), f"{nodeid}: {title!r} has no French"
        assert Text(title)["fr"] != title, nodeid


def test_every_contract_function_is_called_by_its_exercise(grade, reference_functions):
    """Each function of STUDENT_API.md is exercised by at least one test of its exercise."""
    report = grade(reference_functions)
    called: dict[str, set[str]] = defaultdict(set)
    for outcome in report.outcomes.values():
        called[outcome.exercise] |= outcome.functions
    for exercise in EXERCISES:
        missing = set(exercise.functions) - called[exercise.id]
        assert missing == set(), f"{exercise.id} never calls {sorted(missing)}"
