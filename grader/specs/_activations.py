"""What the five activation exercises share: their two functions, their cases, their mistakes.

An activation is a forward ``g(Z, ...) -> A`` and a backward ``g_backward(dA, Z, ...) -> dZ``,
both elementwise (softmax: per column), every array of Z's shape (n, m).
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from grader import lecture
from grader.i18n import N_, Text
from grader.spec import Case, Function, KnownMistake, Pointer, activation_backward, values
from grader.specs._cases import ONE_EXAMPLE, RANDOM, away_from_zero

EDGES = Text("exact zeros and one example")
LARGE = Text("large |Z|: ±1000")

DERIVATIVE_FROM_Z = KnownMistake(
    "from_Z_not_activation",
    N_(
        "Your dZ applies the derivative formula to Z itself: %(function)s's derivative is "
        "written with A = %(function)s(Z). Compute A = %(function)s(Z) first, then use A in "
        "the formula."
    ),
    label=N_("the derivative computed from Z instead of the activation"),
    lecture=Pointer(
        lecture.SATURATION,
        N_(
            "σ'(z) = σ(z)(1-σ(z)) is computed from σ(Z), not from Z. Its maximum is 1/4 and "
            "it goes to 0 when |z| is large: that is why sigmoids saturate."
        ),
    ),
)
"""The derivative of sigmoid or tanh evaluated at Z where it is written with A = g(Z)."""

OVERFLOW = KnownMistake(
    "overflow",
    N_(
        "For large |z| the formula overflows: write it so that exp only receives non-positive "
        "numbers, or rely on np.exp returning inf and 1/(1+inf) = 0."
    ),
    label=N_("overflow for large inputs"),
    lecture=Pointer(
        lecture.SATURATION,
        N_(
            "A large |z| makes e^-z overflow. Compute the activation in a way that stays "
            "finite, e.g. with np.exp on -|z| only or by clipping z."
        ),
    ),
)
"""NaN or inf from an exponential that overflows at large |z|."""

StabilityCases = Callable[[np.random.Generator], list[Case]]


def _large_inputs(rng: np.random.Generator) -> list[Case]:
    return [Case(LARGE, {"Z": np.array([[-1000.0, 1000.0]])}, stability=True)]


def forward(
    name: str,
    *,
    statement: Text,
    stability: StabilityCases = _large_inputs,
    alpha: bool = False,
) -> Function:
    """An activation's forward ``name(Z)`` (``name(Z, alpha=0.01)`` with `alpha`), with its
    `statement` (its docstring).

    Its cases: random inputs, exact zeros, the `stability` inputs (by default ±1000) and,
    with `alpha`, a non-default alpha.
    """

    def cases(rng: np.random.Generator) -> list[Case]:
        Z = rng.standard_normal((4, 3)) * 2.0
        found = [
            Case(RANDOM, {"Z": Z}),
            Case(EDGES, {"Z": np.array([[-2.0], [0.0], [3.0]])}),
            *stability(rng),
        ]
        if alpha:
            found.append(Case(Text("alpha = 0.2"), {"Z": Z, "alpha": 0.2}))
        return found

    return Function(
        name,
        "(Z, alpha=0.01)" if alpha else "(Z)",
        values("A"),
        cases,
        statement=statement,
    )


def backward(name: str, *, statement: Text, alpha: bool = False) -> Function:
    """An activation's backward ``name_backward(dA, Z)``, with its `statement` (its
    docstring), checked against finite differences of the student's own forward on inputs
    away from kinks."""

    def cases(rng: np.random.Generator) -> list[Case]:
        Z, dA = away_from_zero(rng, (3, 4)), rng.standard_normal((3, 4))
        z1, dA1 = away_from_zero(rng, (3, 1)), rng.standard_normal((3, 1))
        found = [
            Case(RANDOM, {"dA": dA, "Z": Z}, gradient=True),
            Case(ONE_EXAMPLE, {"dA": dA1, "Z": z1}),
        ]
        if alpha:
            label = Text("alpha = 0.2")
            found.append(Case(label, {"dA": dA, "Z": Z, "alpha": 0.2}, gradient=True))
        return found

    return Function(
        f"{name}_backward",
        "(dA, Z, alpha=0.01)" if alpha else "(dA, Z)",
        activation_backward(name),
        cases,
        depends_on=(name,),
        statement=statement,
    )
