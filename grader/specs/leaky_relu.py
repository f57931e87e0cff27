"""Leaky ReLU and its derivative."""

from grader import lecture
from grader.i18n import N_, Text
from grader.spec import Activation, Exercise, Pointer
from grader.specs._activations import backward, forward

# The statements of its functions: their docstrings in the handout.
LEAKY_RELU_STATEMENT = Text(
    """\
Leaky ReLU: z where z > 0, alpha * z elsewhere.

The small slope ``alpha`` for negative inputs keeps a gradient flowing, so the unit
never dies completely.

Args:
    Z: pre-activations, any shape.
    alpha: the slope for negative inputs.

Returns:
    A: same shape as ``Z``."""
)
LEAKY_RELU_BACKWARD_STATEMENT = Text(
    """\
Backward of Leaky ReLU: dZ = dA where Z > 0, alpha * dA where Z < 0.

Args:
    dA: gradient of the cost with respect to ``A = leaky_relu(Z)``, same shape as ``Z``.
    Z: the input the forward received.
    alpha: the slope for negative inputs (the same as in the forward).

Returns:
    dZ: same shape as ``Z``."""
)

EXERCISE = Exercise(
    id="leaky_relu",
    order=40,
    module="activations",
    points=3,
    title=Text("Leaky ReLU"),
    statement=Text(
        "Write Leaky ReLU, Z where Z > 0 and alpha·Z elsewhere, and its backward, for any "
        "alpha (0.01 by default)."
    ),
    hint=Text(
        "For Z < 0 Leaky ReLU returns alpha·Z and its derivative is alpha: the unit never dies "
        "completely. Respect the `alpha` argument."
    ),
    lecture=Pointer(
        lecture.DEAD_NEURONS,
        N_(
            "Leaky ReLU keeps a small slope alpha for z < 0, so a unit never dies completely: "
            "it fixes ReLU's dead neurons."
        ),
    ),
    contract=(
        forward("leaky_relu", alpha=True, statement=LEAKY_RELU_STATEMENT),
        backward("leaky_relu", alpha=True, statement=LEAKY_RELU_BACKWARD_STATEMENT),
    ),
    activation=Activation("leaky_relu", hidden=True, kink=True),
)
