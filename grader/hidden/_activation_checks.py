"""The checks every activation exercise makes: forward values, backward values, gradients.

An activation is a forward ``f(Z, **kw) -> A`` and a backward ``f_backward(dA, Z, **kw) ->
dZ``, both elementwise (softmax: per column), all arrays of Z's shape ``(n, m)``.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from grader.catalog import known_mistakes
from grader.checks import describe_call, expect_array, expect_gradient
from grader.gradcheck import Alternative, Diagnosis
from grader.hidden._support import (
    Student,
    call_pure,
    curve_of,
    projected_gradient,
    reference_projected_gradient,
)
from grader.i18n import Text

Forward = Callable[..., np.ndarray]


def from_Z_alternative(function: str, wrong: np.ndarray) -> Alternative:
    """The derivative computed from Z where it needs the activation's output."""
    return known_mistakes()["from_Z_not_activation"].diagnosis(function=function), wrong


def check_forward_values(
    student: Student,
    function: str,
    reference: Forward,
    Z: np.ndarray,
    *,
    alternatives: Sequence[Alternative] = (),
    not_finite: Diagnosis | None = None,
    curve: bool = True,
    **kwargs: Any,
) -> np.ndarray:
    """The student's forward on Z equals the reference's; returns what the student gave."""
    got = call_pure(student, function, Z, **kwargs)
    return expect_array(
        got,
        reference(Z, **kwargs),
        function=function,
        name="A",
        call=describe_call(function, {"Z": Z, **kwargs}),
        alternatives=alternatives,
        not_finite=not_finite,
        curve=curve_of(student, function, reference, **kwargs) if curve else None,
    )


def check_backward_values(
    student: Student,
    function: str,
    reference: Forward,
    dA: np.ndarray,
    Z: np.ndarray,
    *,
    alternatives: Sequence[Alternative] = (),
    curve: bool = True,
    **kwargs: Any,
) -> np.ndarray:
    """The student's backward on (dA, Z) equals the reference's backward."""
    got = call_pure(student, function, dA, Z, **kwargs)
    return expect_array(
        got,
        reference(dA, Z, **kwargs),
        function=function,
        name="dZ",
        call=describe_call(function, {"dA": dA, "Z": Z, **kwargs}),
        dA=dA,
        alternatives=alternatives,
        curve=curve_of(student, function, reference, backward=True, **kwargs) if curve else None,
    )


def check_backward_gradient(
    student: Student,
    forward: str,
    backward: str,
    reference_forward: Forward,
    dA: np.ndarray,
    Z: np.ndarray,
    *,
    alternatives: Sequence[Alternative] = (),
    **kwargs: Any,
) -> None:
    """The student's backward agrees with finite differences of their own forward and of
    the reference forward (Z must be sampled where the activation is smooth).

    A forward an earlier test found wrong is not held against the backward: only the
    reference forward's differences judge it then (a bug costs once).
    """
    analytic = student.call(backward, dA, Z, **kwargs)
    call = describe_call(backward, {"dA": dA, "Z": Z, **kwargs})
    if not student.known_wrong(forward):
        expect_gradient(
            analytic,
            projected_gradient(student, forward, dA, Z, **kwargs),
            function=backward,
            name="dZ",
            call=call,
            source=Text("finite differences of your own %(forward)s", forward=forward),
            dA=dA,
            alternatives=alternatives,
        )
    expect_gradient(
        analytic,
        reference_projected_gradient(reference_forward, dA, Z, **kwargs),
        function=backward,
        name="dZ",
        call=call,
        source=Text("finite differences of the correct %(forward)s", forward=forward),
        dA=dA,
        alternatives=alternatives,
    )
