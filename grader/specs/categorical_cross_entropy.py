"""Categorical cross-entropy, its derivative, and the simplified gradient under softmax."""

import numpy as np

import reference.activations as ref_activations
from grader import lecture
from grader.i18n import N_, Text
from grader.spec import (
    Case,
    Exercise,
    Function,
    Pointer,
    cost_backward,
    output_backward,
    values,
)
from grader.specs._cases import RANDOM, one_hot


def _probabilities(rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Scores Z (3, 5), their softmax AL and one-hot labels Y."""
    Z = rng.standard_normal((3, 5))
    return Z, ref_activations.softmax(Z), one_hot(rng, 3, 5)


def _cost_cases(rng: np.random.Generator) -> list[Case]:
    _, AL, Y = _probabilities(rng)
    saturated = np.array([[1e-12, 1.0 - 2e-12], [1.0 - 2e-12, 1e-12], [1e-12, 1e-12]])
    labels = np.array([[1.0, 0.0], [0.0, 1.0], [0.0, 0.0]])
    return [
        Case(RANDOM, {"AL": AL, "Y": Y}),
        Case(Text("AL at 1e-12 and 1 - 1e-12"), {"AL": saturated, "Y": labels}, stability=True),
    ]


def _derivative_cases(rng: np.random.Generator) -> list[Case]:
    _, AL, Y = _probabilities(rng)
    return [Case(RANDOM, {"AL": AL, "Y": Y}, gradient=True)]


def _softmax_cases(rng: np.random.Generator) -> list[Case]:
    Z, AL, Y = _probabilities(rng)
    return [Case(RANDOM, {"AL": AL, "Y": Y}, gradient=True, extra={"Z": Z})]


# The statements of its functions: their docstrings in the handout.
CATEGORICAL_CROSS_ENTROPY_STATEMENT = Text(
    """\
Categorical cross-entropy, averaged over the m examples.

    C = (1/m) Σ_columns -Σ_rows y log(a)

Args:
    AL: predicted class probabilities (softmax output), shape ``(C, m)``.
    Y: one-hot labels, shape ``(C, m)``.

Returns:
    The cost, a Python float."""
)
CATEGORICAL_CROSS_ENTROPY_BACKWARD_STATEMENT = Text(
    """\
Derivative of the per-example categorical cross-entropy with respect to AL.

    dAL = -Y / AL

Args:
    AL: predicted class probabilities, shape ``(C, m)``.
    Y: one-hot labels, shape ``(C, m)``.

Returns:
    dAL: shape ``(C, m)`` (no 1/m here)."""
)
SOFTMAX_CROSS_ENTROPY_BACKWARD_STATEMENT = Text(
    """\
Gradient with respect to Z[L] of the categorical cross-entropy of a softmax output.

Chaining the softmax backward with ``categorical_cross_entropy_backward`` simplifies,
as the lecture shows, to

    dZL = AL - Y

Args:
    AL: the softmax output ``softmax(Z[L])``, shape ``(C, m)``.
    Y: one-hot labels, shape ``(C, m)``.

Returns:
    dZL: shape ``(C, m)`` (no 1/m here)."""
)

EXERCISE = Exercise(
    id="categorical_cross_entropy",
    order=70,
    module="losses",
    points=4,
    title=Text("Categorical cross-entropy"),
    statement=Text(
        "Write the categorical cross-entropy of AL against one-hot labels Y, averaged over the "
        "m examples, its derivative with respect to AL, and the gradient with respect to the "
        "scores when AL is their softmax."
    ),
    hint=Text("Sum over the class rows, mean over the m columns. With softmax, dZ[L] = A[L] - Y."),
    lecture=Pointer(
        lecture.COST,
        N_("Sum over the classes, mean over the examples; with softmax, dZ[L] = A[L] - Y."),
    ),
    contract=(
        Function(
            "categorical_cross_entropy",
            "(AL, Y)",
            values("cost", m_from="Y"),
            _cost_cases,
            statement=CATEGORICAL_CROSS_ENTROPY_STATEMENT,
        ),
        Function(
            "categorical_cross_entropy_backward",
            "(AL, Y)",
            cost_backward("categorical_cross_entropy"),
            _derivative_cases,
            depends_on=("categorical_cross_entropy",),
            statement=CATEGORICAL_CROSS_ENTROPY_BACKWARD_STATEMENT,
        ),
        Function(
            "softmax_cross_entropy_backward",
            "(AL, Y)",
            output_backward("softmax", "categorical_cross_entropy"),
            _softmax_cases,
            depends_on=("softmax", "categorical_cross_entropy"),
            statement=SOFTMAX_CROSS_ENTROPY_BACKWARD_STATEMENT,
        ),
    ),
)
