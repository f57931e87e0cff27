"""Training by gradient descent, and prediction."""

import numpy as np

import reference.model as ref_model
import reference.network as ref_network
from grader import lecture
from grader.i18n import N_, Text
from grader.spec import Case, Exercise, Function, Pointer, values
from grader.specs._cases import labels_for, network_label

# (layer sizes, hidden activation, output activation, iterations), on m = 6 examples.
RUNS = (([2, 3, 1], "relu", "sigmoid", 5), ([2, 4, 3], "tanh", "softmax", 4))
M = 6
LEARNING_RATE = 0.5


def _training_args(
    rng: np.random.Generator, dims: list[int], hidden: str, output: str, iterations: int
) -> dict:
    return {
        "X": rng.standard_normal((dims[0], M)),
        "Y": labels_for(rng, output, dims[-1], M),
        "parameters": ref_network.initialize_parameters(dims, 1),
        "learning_rate": LEARNING_RATE,
        "num_iterations": iterations,
        "hidden_activation": hidden,
        "output_activation": output,
    }


def _train_cases(rng: np.random.Generator) -> list[Case]:
    return [
        Case(network_label(dims, hidden, output), _training_args(rng, dims, hidden, output, runs))
        for dims, hidden, output, runs in RUNS
    ]


def _predict_cases(rng: np.random.Generator) -> list[Case]:
    cases = []
    for dims, hidden, output, iterations in RUNS:
        args = _training_args(rng, dims, hidden, output, iterations)
        trained, _ = ref_model.train(**args)  # parameters that predict something
        predict_args = {
            "X": args["X"],
            "parameters": trained,
            "hidden_activation": hidden,
            "output_activation": output,
        }
        cases.append(Case(network_label(dims, hidden, output), predict_args))
    return cases


# The statements of its functions: their docstrings in the handout.
TRAIN_STATEMENT = Text(
    """\
Full-batch gradient descent, starting from ``parameters``.

Each iteration: forward propagation, cost, backward propagation, one update.
The cost is the binary cross-entropy for a sigmoid output and the categorical
cross-entropy for a softmax output.

Args:
    X: inputs, shape ``(n_x, m)``.
    Y: labels, shape ``(1, m)`` (0/1) or ``(C, m)`` (one-hot).
    parameters: the starting parameters, e.g. from ``initialize_parameters``.
    learning_rate: η.
    num_iterations: how many updates to make.
    hidden_activation, output_activation: as in ``model_forward``.

Returns:
    parameters: the parameters after ``num_iterations`` updates.
    costs: a list of ``num_iterations`` floats; ``costs[i]`` is the cost *before*
    update i."""
)
PREDICT_STATEMENT = Text(
    """\
The predicted class of every example.

A sigmoid output gives the probability of class 1: predict 1 where it is above 0.5,
0 elsewhere. A softmax output gives one probability per class (row): predict the
row index of the largest one.

Args:
    X: inputs, shape ``(n_x, m)``.
    parameters: trained parameters.
    hidden_activation, output_activation: as in ``model_forward``.

Returns:
    An integer array of shape ``(1, m)``."""
)

EXERCISE = Exercise(
    id="training",
    order=120,
    module="model",
    points=4,
    title=Text("Training and prediction"),
    statement=Text(
        "Write full-batch gradient descent from given parameters, recording the cost before "
        "each update, and the predictions of a trained network."
    ),
    hint=Text(
        "costs[i] is the cost before update i. predict thresholds a sigmoid output at 0.5 and "
        "takes the argmax over rows for softmax; it returns ints of shape (1, m)."
    ),
    lecture=Pointer(
        lecture.DESCENT,
        N_("Each iteration: forward, cost, backward, then one update of every layer."),
    ),
    contract=(
        Function(
            "train",
            "(X, Y, parameters, learning_rate=0.1, num_iterations=1000, "
            "hidden_activation='relu', output_activation='sigmoid')",
            values("training", outputs=("parameters", "costs")),
            _train_cases,
            depends_on=(
                "model_forward",
                "model_backward",
                "update_parameters",
                "binary_cross_entropy",
                "categorical_cross_entropy",
            ),
            statement=TRAIN_STATEMENT,
        ),
        Function(
            "predict",
            "(X, parameters, hidden_activation='relu', output_activation='sigmoid')",
            values("predictions"),
            _predict_cases,
            depends_on=("model_forward",),
            lecture=Pointer(
                lecture.FORWARD,
                N_("Predict runs the forward pass, then thresholds or takes the argmax."),
            ),
            statement=PREDICT_STATEMENT,
        ),
    ),
)
