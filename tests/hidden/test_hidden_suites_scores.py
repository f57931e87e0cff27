"""Correct code scores every point, for any student seed; untouched stubs score none."""

from __future__ import annotations

import pytest

from grader.catalog import all_functions, max_score
from grader.errors import StudentNotImplemented


def _raise_not_implemented(*args, **kwargs):
    raise NotImplementedError


@pytest.mark.parametrize("student_seed", [20260101, 7])
def test_reference_scores_full_marks(grade, reference_functions, student_seed):
    """The oracle itself passes every hidden test: no test asks for more than the contract."""
    report = grade(reference_functions, student_seed=student_seed)
    assert report.failures() == {}
    assert report.score() == max_score()


def test_solutions_score_full_marks(grade, solution_functions):
    """The answer key, graded like a student, gets max_score."""
    report = grade(solution_functions)
    assert report.failures() == {}
    assert report.score() == max_score()


def test_untouched_stubs_score_nothing(grade):
    """Every function still raising NotImplementedError: every test fails as not implemented."""
    report = grade({name: _raise_not_implemented for name in all_functions()})
    assert report.score() == 0
    assert report.outcomes
    for name, error in report.failures().items():
        assert isinstance(error, StudentNotImplemented), name


def test_missing_functions_score_nothing(grade):
    """An empty submission fails every test with StudentNotImplemented, never a crash of ours."""
    report = grade({})
    assert report.score() == 0
    assert all(isinstance(e, StudentNotImplemented) for e in report.failures().values())
