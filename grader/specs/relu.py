"""ReLU and its derivative."""

from grader import lecture
from grader.i18n import N_, Text
from grader.spec import Activation, Exercise, Pointer
from grader.specs._activations import backward, forward

# The statements of its functions: their docstrings in the handout.
RELU_STATEMENT = Text(
    """\
The rectified linear unit ReLU(z) = max(0, z), entry by entry.

Args:
    Z: pre-activations, any shape.

Returns:
    A: same shape as ``Z``: ``Z`` where it is positive, 0 elsewhere."""
)
RELU_BACKWARD_STATEMENT = Text(
    """\
Backward of ReLU: dZ = dA where Z > 0, and 0 where Z < 0.

ReLU'(z) is 1 for z > 0 and 0 for z < 0 (at exactly z = 0 it is undefined: 0 or dA
are both accepted). A unit whose Z is negative for every example gets no gradient at
all: a dead neuron.

Args:
    dA: gradient of the cost with respect to ``A = ReLU(Z)``, same shape as ``Z``.
    Z: the input the forward received.

Returns:
    dZ: same shape as ``Z``."""
)

EXERCISE = Exercise(
    id="relu",
    order=30,
    module="activations",
    points=3,
    title=Text("ReLU"),
    statement=Text(
        "Write ReLU(Z) = max(0, Z), entry by entry, and its backward: dA where Z > 0, 0 where "
        "Z < 0."
    ),
    hint=Text(
        "ReLU passes dA where Z > 0 and blocks it where Z < 0. A unit whose Z is negative for "
        "every example is a dead neuron: it no longer learns."
    ),
    lecture=Pointer(
        lecture.DEAD_NEURONS,
        N_(
            "ReLU's gradient is 0 where z < 0: a unit whose input is negative for every "
            "example is a dead neuron and stops learning."
        ),
    ),
    contract=(
        forward("relu", statement=RELU_STATEMENT),
        backward("relu", statement=RELU_BACKWARD_STATEMENT),
    ),
    activation=Activation("relu", hidden=True, kink=True),
)
