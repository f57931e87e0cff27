"""Binary cross-entropy and its derivative."""

import numpy as np

from grader import lecture
from grader.i18n import N_, Text
from grader.spec import Case, Exercise, Function, Pointer, cost_backward, values
from grader.specs._cases import RANDOM, binary_labels

SATURATED = Text("AL at 1e-12 and 1 - 1e-12")


def _cost_cases(rng: np.random.Generator) -> list[Case]:
    AL, Y = rng.uniform(0.05, 0.95, size=(1, 5)), binary_labels(rng, 5)
    saturated = np.array([[1e-12, 1.0 - 1e-12, 1e-12, 1.0 - 1e-12]])
    return [
        Case(RANDOM, {"AL": AL, "Y": Y}),
        Case(SATURATED, {"AL": saturated, "Y": np.array([[0.0, 1.0, 1.0, 0.0]])}, stability=True),
    ]


def _derivative_cases(rng: np.random.Generator) -> list[Case]:
    AL, Y = rng.uniform(0.05, 0.95, size=(1, 5)), binary_labels(rng, 5)
    return [Case(RANDOM, {"AL": AL, "Y": Y}, gradient=True)]


# The statements of its functions: their docstrings in the handout.
BINARY_CROSS_ENTROPY_STATEMENT = Text(
    """\
Binary cross-entropy, averaged over the m examples.

    C = (1/m) Σ_columns -(y log(a) + (1 - y) log(1 - a))

Args:
    AL: predicted probabilities, shape ``(1, m)``, entries in (0, 1).
    Y: true labels (0 or 1), shape ``(1, m)``.

Returns:
    The cost, a Python float."""
)
BINARY_CROSS_ENTROPY_BACKWARD_STATEMENT = Text(
    """\
Derivative of the per-example binary cross-entropy with respect to AL.

    dAL = -(y / a) + (1 - y) / (1 - a)

Args:
    AL: predicted probabilities, shape ``(1, m)``.
    Y: true labels, shape ``(1, m)``.

Returns:
    dAL: shape ``(1, m)`` (no 1/m here)."""
)

EXERCISE = Exercise(
    id="binary_cross_entropy",
    order=60,
    module="losses",
    points=4,
    title=Text("Binary cross-entropy"),
    statement=Text(
        "Write the binary cross-entropy of AL against the 0/1 labels Y, averaged over the m "
        "examples, and its derivative with respect to AL, example by example."
    ),
    hint=Text(
        "The cost is the mean over the m columns; its derivative is per example (no 1/m: "
        "linear_backward applies it)."
    ),
    lecture=Pointer(
        lecture.COST,
        N_("The cost is the mean over the m examples of -y log ŷ - (1-y) log(1-ŷ)."),
    ),
    contract=(
        Function(
            "binary_cross_entropy",
            "(AL, Y)",
            values("cost", m_from="Y"),
            _cost_cases,
            statement=BINARY_CROSS_ENTROPY_STATEMENT,
        ),
        Function(
            "binary_cross_entropy_backward",
            "(AL, Y)",
            cost_backward("binary_cross_entropy"),
            _derivative_cases,
            depends_on=("binary_cross_entropy",),
            statement=BINARY_CROSS_ENTROPY_BACKWARD_STATEMENT,
        ),
    ),
)
