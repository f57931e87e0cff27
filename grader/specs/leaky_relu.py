"""Leaky ReLU and its derivative."""

from grader import lecture
from grader.i18n import N_, Text
from grader.spec import Activation, Exercise, Pointer
from grader.specs._activations import backward, forward

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
    contract=(forward("leaky_relu", alpha=True), backward("leaky_relu", alpha=True)),
    activation=Activation("leaky_relu", hidden=True, kink=True),
)
