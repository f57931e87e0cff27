"""Softmax and its Jacobian-vector product."""

import numpy as np

from grader import lecture
from grader.i18n import N_, Text
from grader.spec import Activation, Case, Exercise, KnownMistake, Pointer
from grader.specs._activations import backward, forward

STABILITY_LECTURE = Pointer(
    lecture.SOFTMAX_STABILITY,
    N_(
        "e^z overflows for z = 1000. Subtract each column's max from z before exp: the result "
        "is the same and no longer overflows."
    ),
)


def _stability_cases(rng: np.random.Generator) -> list[Case]:
    """The lecture's overflowing column, and a single class row."""
    return [
        Case(
            Text("Z = [[1000], [5000], [6000]]"),
            {"Z": np.array([[1000.0], [5000.0], [6000.0]])},
            stability=True,
        ),
        Case(Text("a single class row"), {"Z": rng.standard_normal((1, 3))}),
    ]


# The statements of its functions: their docstrings in the handout.
SOFTMAX_STATEMENT = Text(
    """\
Softmax over the classes, column by column: a_i = e^(z_i) / Σ_k e^(z_k).

The classes are the rows, so each column of the result is a probability
distribution: entries in (0, 1) that sum to 1.

Written as above it overflows for a column like [1000, 5000, 6000]: subtract the
column's maximum from every z_i first (it multiplies the numerator and the
denominator by the same constant, so the result does not change).

Args:
    Z: scores, shape ``(C, m)``.

Returns:
    A: shape ``(C, m)``; every column sums to 1."""
)
SOFTMAX_BACKWARD_STATEMENT = Text(
    """\
Backward of softmax, column by column.

With S = softmax(Z), the lecture's derivatives are ∂a_i/∂z_i = a_i (1 - a_i) and
∂a_i/∂z_j = -a_i a_j for i ≠ j. Multiplying that Jacobian by dA, column by column, gives

    dZ = S * (dA - Σ_rows(dA * S))

where the sum runs over the rows (the classes) of each column.

Args:
    dA: gradient of the cost with respect to ``A = softmax(Z)``, shape ``(C, m)``.
    Z: the input the forward received, shape ``(C, m)``.

Returns:
    dZ: shape ``(C, m)``."""
)

EXERCISE = Exercise(
    id="softmax",
    order=50,
    module="activations",
    points=5,
    title=Text("Softmax"),
    statement=Text(
        "Write the softmax of every column of Z (the classes are the rows), stable for large "
        "scores, and its backward, the product of dA with the softmax's Jacobian."
    ),
    hint=Text(
        "Softmax works per column (axis 0). Subtract each column's max before exp to avoid "
        "overflow; the backward is S * (dA - Σ_rows(dA * S))."
    ),
    lecture=Pointer(
        lecture.SOFTMAX_STABILITY,
        N_(
            "Softmax outputs are in (0, 1) and each column sums to 1; subtract the column's "
            "max before exp to avoid overflow."
        ),
    ),
    contract=(
        forward("softmax", stability=_stability_cases, statement=SOFTMAX_STATEMENT),
        backward("softmax", statement=SOFTMAX_BACKWARD_STATEMENT),
    ),
    mistakes=(
        KnownMistake(
            "unstable_softmax",
            N_(
                "exp overflows for large Z: subtract each column's maximum from Z before np.exp "
                "(the result does not change, the overflow disappears)."
            ),
            label=N_("softmax overflows: the column max is not subtracted"),
            lecture=STABILITY_LECTURE,
        ),
        KnownMistake(
            "wrong_axis",
            N_(
                "Your %(name)s normalises along the wrong axis: the classes are the rows, so "
                "each column must sum to 1 (use axis=0 and keepdims=True)."
            ),
        ),
    ),
    activation=Activation(
        "softmax", hidden=False, output_cost="categorical_cross_entropy", elementwise=False
    ),
)
