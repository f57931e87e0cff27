"""The hyperbolic tangent and its derivative."""

from grader import lecture
from grader.i18n import N_, Text
from grader.spec import Activation, Exercise, Pointer
from grader.specs._activations import DERIVATIVE_FROM_Z, backward, forward

# The statements of its functions: their docstrings in the handout.
TANH_STATEMENT = Text(
    """\
The hyperbolic tangent tanh(z) = (e^z - e^(-z)) / (e^z + e^(-z)), entry by entry.

Args:
    Z: pre-activations, any shape.

Returns:
    A: ``tanh(Z)``, same shape as ``Z``, every entry in [-1, 1]."""
)
TANH_BACKWARD_STATEMENT = Text(
    """\
Backward of tanh: dZ = dA * (1 - tanh(Z)²).

Args:
    dA: gradient of the cost with respect to ``A = tanh(Z)``, same shape as ``Z``.
    Z: the input the forward received.

Returns:
    dZ: same shape as ``Z``."""
)

EXERCISE = Exercise(
    id="tanh",
    order=20,
    module="activations",
    points=3,
    title=Text("Hyperbolic tangent"),
    statement=Text("Write tanh(Z), entry by entry, and its backward dZ = dA * (1 - tanh(Z)²)."),
    hint=Text("tanh'(z) = 1 - tanh(z)²; multiply by the upstream gradient dA."),
    lecture=Pointer(
        lecture.SATURATION,
        N_(
            "tanh saturates at -1 and 1 for large |z|, where its derivative 1 - tanh(z)² is "
            "nearly 0."
        ),
    ),
    contract=(
        forward("tanh", statement=TANH_STATEMENT),
        backward("tanh", statement=TANH_BACKWARD_STATEMENT),
    ),
    mistakes=(DERIVATIVE_FROM_Z,),
    activation=Activation("tanh", hidden=True),
)
