"""One step of gradient descent."""

import numpy as np

import reference.network as ref_network
from grader import lecture
from grader.i18n import N_, Text
from grader.spec import Case, Exercise, Function, Pointer, values
from grader.specs._cases import RANDOM


def _cases(rng: np.random.Generator) -> list[Case]:
    parameters = ref_network.initialize_parameters([3, 4, 1], 3)
    grads = {f"d{key}": rng.standard_normal(value.shape) for key, value in parameters.items()}
    return [Case(RANDOM, {"parameters": parameters, "grads": grads, "learning_rate": 0.1})]


# The statements of its functions: their docstrings in the handout.
UPDATE_PARAMETERS_STATEMENT = Text(
    """\
One step of gradient descent on every layer.

    W[l] ← W[l] - η dW[l]
    b[l] ← b[l] - η db[l]

Args:
    parameters: ``{"W1", "b1", ...}``.
    grads: ``{"dW1", "db1", ...}``, shaped like the parameters.
    learning_rate: η.

Returns:
    The updated parameters, a dictionary with the same keys and shapes."""
)

EXERCISE = Exercise(
    id="update",
    order=110,
    module="network",
    points=2,
    title=Text("Gradient descent step"),
    statement=Text(
        "Write one step of gradient descent on every layer's parameters, and return them."
    ),
    hint=Text("W ← W - η dW and b ← b - η db, for every layer; return the parameters."),
    lecture=Pointer(
        lecture.DESCENT, N_("W[l] ← W[l] - η dW[l] and b[l] ← b[l] - η db[l], for every layer.")
    ),
    contract=(
        Function(
            "update_parameters",
            "(parameters, grads, learning_rate)",
            values("parameters"),
            _cases,
            modifies_arguments=True,
            statement=UPDATE_PARAMETERS_STATEMENT,
        ),
    ),
)
