"""ReLU and its derivative."""

from grader import lecture
from grader.i18n import N_, Text
from grader.spec import Activation, Exercise, Pointer
from grader.specs._activations import backward, forward

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
    contract=(forward("relu"), backward("relu")),
    activation=Activation("relu", hidden=True, kink=True),
)
