"""The checks every activation exercise makes: forward values, backward values, gradients.

An activation is a forward ``f(Z, **kw) -> A`` and a backward ``f_backward(dA, Z, **kw) ->
dZ``, both elementwise (softmax: per column), all arrays of Z's shape ``(n, m)``.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from grader.catalog import known_mistakes
from grader.checks import describe_call, expect_array, expect_gradient
from grader.gradcheck import Alternative, Diagnosis
from grader.hidden._directions import agree_along_directions, finite_arrays, projections
from grader.hidden._support import (
    CORRECT_FORWARD,
    OWN_FORWARD,
    Student,
    calls_pure,
    curve_of,
    projected_gradient,
    reference_projected_gradient,
)
from grader.i18n import Text

Forward = Callable[..., np.ndarray]


def from_Z_alternative(function: str, wrong: np.ndarray) -> Alternative:
    """The derivative computed from Z where it needs the activation's output."""
    return known_mistakes()["from_Z_not_activation"].diagnosis(function=function), wrong


@dataclass(frozen=True)
class ValueCase:
    """One call of an activation whose value is checked against the reference, and how.

    Attributes:
        args: the arrays of the call, ``(Z,)`` for a forward, ``(dA, Z)`` for a backward.
        kwargs: its other arguments (``alpha``).
        alternatives: known mistakes and the values they give, for the diagnosis.
        not_finite: the diagnosis when the value holds NaN or inf where it should not.
        curve: whether the evidence draws the function's curve.
    """

    args: tuple[np.ndarray, ...]
    kwargs: Mapping[str, Any] = field(default_factory=dict)
    alternatives: Sequence[Alternative] = ()
    not_finite: Diagnosis | None = None
    curve: bool = True


def check_values(
    student: Student,
    function: str,
    reference: Forward,
    cases: Sequence[ValueCase],
    *,
    backward: bool = False,
) -> list[np.ndarray]:
    """The student's `function` on each case equals the reference's, checked in order, the
    calls made in one round trip; returns what the student gave.

    A forward's cases hold ``(Z,)`` and its value is A; a backward's hold ``(dA, Z)`` and
    its value is dZ.
    """
    calls = [(case.args, dict(case.kwargs)) for case in cases]
    checked = []
    for case, got in zip(cases, calls_pure(student, function, calls), strict=False):
        names = ("dA", "Z") if backward else ("Z",)
        kwargs = dict(case.kwargs)
        checked.append(
            expect_array(
                got,
                reference(*case.args, **kwargs),
                function=function,
                name="dZ" if backward else "A",
                call=describe_call(
                    function, {**dict(zip(names, case.args, strict=True)), **kwargs}
                ),
                alternatives=case.alternatives,
                not_finite=case.not_finite,
                curve=(
                    curve_of(student, function, reference, backward=backward, **kwargs)
                    if case.curve
                    else None
                ),
                dA=case.args[0] if backward else None,
            )
        )
    return checked


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
    case = ValueCase((Z,), kwargs, alternatives, not_finite, curve)
    return check_values(student, function, reference, [case])[0]


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
    case = ValueCase((dA, Z), kwargs, alternatives, None, curve)
    return check_values(student, function, reference, [case], backward=True)[0]


def check_backward_gradient(
    student: Student,
    forward: str,
    backward: str,
    reference_forward: Forward,
    dA: np.ndarray,
    Z: np.ndarray,
    rng: np.random.Generator,
    *,
    alternatives: Sequence[Alternative] = (),
    **kwargs: Any,
) -> None:
    """The student's backward agrees with finite differences of their own forward and of
    the reference forward (Z must be sampled where the activation is smooth). Their own
    forward is first differenced along random directions drawn from `rng`
    (`grader.hidden._directions`), every entry only when a direction disagrees.

    A forward an earlier test found wrong is not held against the backward: only the
    reference forward's differences judge it then (a bug costs once).
    """
    analytic = student.call(backward, dA, Z, **kwargs)
    call = describe_call(backward, {"dA": dA, "Z": Z, **kwargs})
    if not student.known_wrong(forward) and not _agrees_with_own_forward(
        student, forward, dA, Z, analytic, rng, kwargs
    ):
        expect_gradient(
            analytic,
            projected_gradient(student, forward, dA, Z, **kwargs),
            function=backward,
            name="dZ",
            call=call,
            source=Text(OWN_FORWARD, forward=forward),
            dA=dA,
            alternatives=alternatives,
        )
    expect_gradient(
        analytic,
        reference_projected_gradient(reference_forward, dA, Z, **kwargs),
        function=backward,
        name="dZ",
        call=call,
        source=Text(CORRECT_FORWARD, forward=forward),
        dA=dA,
        alternatives=alternatives,
    )


def _agrees_with_own_forward(
    student: Student,
    forward: str,
    dA: np.ndarray,
    Z: np.ndarray,
    analytic: object,
    rng: np.random.Generator,
    kwargs: Mapping[str, Any],
) -> bool:
    """Whether `analytic` (dZ) agrees with Σ dA · forward(Z) along random directions."""
    claimed = finite_arrays([analytic], [Z.shape])
    if claimed is None:
        return False
    point = np.asarray(Z, dtype=np.float64)
    return agree_along_directions(
        projections(student, forward, dA, pick=None),
        lambda moved: ((moved[0],), dict(kwargs)),
        [point],
        claimed,
        rng,
    )
