"""He initialisation of the parameters."""

import numpy as np

from grader import lecture
from grader.i18n import N_, Text
from grader.spec import Case, Exercise, Function, Pointer, values
from grader.specs._cases import RANDOM


def _cases(rng: np.random.Generator) -> list[Case]:
    return [
        Case(RANDOM, {"layer_dims": dims, "seed": seed})
        for dims, seed in (([3, 4, 2], 0), ([5, 1], 7), ([2, 3, 3, 1], 11))
    ]


EXERCISE = Exercise(
    id="initialization",
    order=80,
    module="network",
    points=2,
    title=Text("Parameter initialisation"),
    statement=Text(
        "Write the initialisation of every layer's parameters: W[l] drawn at random and "
        "scaled by sqrt(2 / n_{l-1}), b[l] zeros."
    ),
    hint=Text(
        "W[l] has shape (n_l, n_{l-1}), drawn in layer order from default_rng(seed) and "
        "scaled by sqrt(2 / n_{l-1}); b[l] is zeros (n_l, 1)."
    ),
    lecture=Pointer(
        lecture.FORWARD, N_("W[l] has shape (n_l, n_{l-1}) and b[l] has shape (n_l, 1).")
    ),
    contract=(
        Function("initialize_parameters", "(layer_dims, seed=0)", values("parameters"), _cases),
    ),
)
