"""The hyperbolic tangent and its derivative."""

from grader import lecture
from grader.i18n import N_, Text
from grader.spec import Activation, Exercise, Pointer
from grader.specs._activations import DERIVATIVE_FROM_Z, backward, forward

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
    contract=(forward("tanh"), backward("tanh")),
    mistakes=(DERIVATIVE_FROM_Z,),
    activation=Activation("tanh", hidden=True),
)
