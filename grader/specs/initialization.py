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


# The statements of its functions: their docstrings in the handout.
INITIALIZE_PARAMETERS_STATEMENT = Text(
    """\
He initialisation of the weights, zero biases.

For l = 1, ..., L (in this order, from one generator ``np.random.default_rng(seed)``):

    W[l] = rng.standard_normal((n_l, n_{l-1})) * sqrt(2 / n_{l-1})
    b[l] = zeros((n_l, 1))

Args:
    layer_dims: ``[n_x, n_1, ..., n_L]``, the size of every layer, input included.
    seed: the seed of the random generator.

Returns:
    parameters: ``{"W1": (n_1, n_x), "b1": (n_1, 1), ..., "WL": ..., "bL": ...}``."""
)

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
        Function(
            "initialize_parameters",
            "(layer_dims, seed=0)",
            values("parameters"),
            _cases,
            statement=INITIALIZE_PARAMETERS_STATEMENT,
        ),
    ),
)
