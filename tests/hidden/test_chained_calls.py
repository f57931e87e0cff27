"""A forward then its backward, for many cases in two round trips: each case's failure comes
in its turn, as in a loop that calls the forward, then the backward, case by case."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import pytest

from grader.checks import CheckFailure
from grader.errors import StudentRaised
from grader.hidden._support import Call, chained_calls

MakeStudent = Callable[[dict[str, Callable[..., Any]]], Any]


def _student(
    stand_in: MakeStudent, fail_forward_at: float | None, fail_backward_at: float | None
) -> Any:
    """A forward ``x -> (2x, cache x)`` and a backward ``(value, cache) -> value + cache``
    that raise for the case whose input equals the given number."""

    def forward(x: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        if x.item() == fail_forward_at:
            raise ValueError("forward broke")
        return 2.0 * x, x

    def backward(value: np.ndarray, cache: np.ndarray) -> np.ndarray:
        if cache.item() == fail_backward_at:
            raise ValueError("backward broke")
        return value + cache

    return stand_in({"forward": forward, "backward": backward})


def _chain(student: Any, inputs: list[float]) -> Any:
    calls: list[Call] = [((np.array([[x]]),), {}) for x in inputs]

    def backward_of(case: int, value: Any, cache: Any) -> tuple[Call, str]:
        return ((value, cache), {}), f"backward of case {case}"

    described = [f"forward({x})" for x in inputs]
    return chained_calls(student, "forward", calls, described, "backward", backward_of)


def test_every_case_gives_the_backward_on_its_own_forward(stand_in: MakeStudent) -> None:
    values = list(_chain(_student(stand_in, None, None), [1.0, 2.0, 3.0]))
    assert [float(got.item()) for got, _ in values] == [3.0, 6.0, 9.0]
    assert [call for _, call in values] == [f"backward of case {k}" for k in range(3)]


def test_a_forward_that_raises_comes_after_the_cases_before_it(stand_in: MakeStudent) -> None:
    """The third forward raises: the first two cases' backwards still come first."""
    chained = _chain(_student(stand_in, 3.0, None), [1.0, 2.0, 3.0, 4.0])
    assert float(next(chained)[0].item()) == 3.0
    assert float(next(chained)[0].item()) == 6.0
    with pytest.raises(StudentRaised) as caught:
        next(chained)
    assert caught.value.function == "forward"


def test_a_backward_that_raises_comes_before_a_later_forward_error(
    stand_in: MakeStudent,
) -> None:
    """Case 1's backward raises and case 2's forward raises: case 1's error comes first."""
    chained = _chain(_student(stand_in, 3.0, 2.0), [1.0, 2.0, 3.0])
    next(chained)
    with pytest.raises(StudentRaised) as caught:
        next(chained)
    assert caught.value.function == "backward"


def test_a_forward_value_of_the_wrong_form_fails_in_its_turn(stand_in: MakeStudent) -> None:
    """A forward that returns no (value, cache) pair for case 1 fails there, after case 0."""

    def forward(x: np.ndarray) -> Any:
        return x if x.item() == 2.0 else (2.0 * x, x)

    student = stand_in({"forward": forward, "backward": lambda value, cache: value})
    chained = _chain(student, [1.0, 2.0])
    assert float(next(chained)[0].item()) == 2.0
    with pytest.raises(CheckFailure):
        next(chained)
