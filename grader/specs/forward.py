"""Forward propagation: one linear step, one layer, the whole network."""

import numpy as np

from grader import lecture
from grader.i18n import N_, Text
from grader.spec import Case, Exercise, Function, Pointer, forward_pair
from grader.specs._cases import ONE_EXAMPLE, RANDOM, layer_inputs, network_inputs, network_label

# (layer sizes, hidden activation, output activation, m) of the model_forward cases.
NETWORKS = (
    ([3, 4, 1], "relu", "sigmoid", 5),
    ([3, 4, 3], "leaky_relu", "softmax", 5),
    ([3, 3, 2, 1], "tanh", "sigmoid", 4),
    ([4, 1], "relu", "sigmoid", 3),
)


def activation_label(activation: str) -> Text:
    return Text("activation %(name)s", name=repr(activation))


def _linear_cases(rng: np.random.Generator) -> list[Case]:
    return [
        Case(label, dict(zip(("A_prev", "W", "b"), layer_inputs(rng, 3, 2, m), strict=True)))
        for label, m in ((RANDOM, 4), (ONE_EXAMPLE, 1))
    ]


def _layer_cases(rng: np.random.Generator) -> list[Case]:
    from grader.catalog import activations  # the activation exercises, whichever they are

    cases = []
    for activation in activations():
        A_prev, W, b = layer_inputs(rng, 3, 3, 4)
        args = {"A_prev": A_prev, "W": W, "b": b, "activation": activation.name}
        cases.append(Case(activation_label(activation.name), args))
    return cases


def _model_cases(rng: np.random.Generator) -> list[Case]:
    cases = []
    for number, (dims, hidden, output, m) in enumerate(NETWORKS):
        X, parameters = network_inputs(rng, dims, m, seed=number)
        args = {
            "X": X,
            "parameters": parameters,
            "hidden_activation": hidden,
            "output_activation": output,
        }
        cases.append(Case(network_label(dims, hidden, output), args))
    return cases


# The statements of its functions: their docstrings in the handout.
LINEAR_FORWARD_STATEMENT = Text(
    """\
The linear part of a layer: Z[l] = W[l]·A[l-1] + b[l].

Args:
    A_prev: activations of the previous layer ``A[l-1]``, shape ``(n_{l-1}, m)``.
    W: weights ``W[l]``, shape ``(n_l, n_{l-1})``.
    b: biases ``b[l]``, shape ``(n_l, 1)``, added to every column.

Returns:
    Z: shape ``(n_l, m)``.
    cache: what ``linear_backward`` will need."""
)
LINEAR_ACTIVATION_FORWARD_STATEMENT = Text(
    """\
One whole layer: Z[l] = W[l]·A[l-1] + b[l], then A[l] = g(Z[l]).

Args:
    A_prev: ``A[l-1]``, shape ``(n_{l-1}, m)``.
    W: ``W[l]``, shape ``(n_l, n_{l-1})``.
    b: ``b[l]``, shape ``(n_l, 1)``.
    activation: the name of g, e.g. ``"relu"``.

Returns:
    A: ``A[l]``, shape ``(n_l, m)``.
    cache: what ``linear_activation_backward`` will need."""
)
MODEL_FORWARD_STATEMENT = Text(
    """\
Forward propagation through the L layers.

A[0] = X; for l = 1, ..., L-1: A[l] = hidden_activation(W[l]·A[l-1] + b[l]);
then ŷ = A[L] = output_activation(W[L]·A[L-1] + b[L]).

Args:
    X: inputs, shape ``(n_x, m)``.
    parameters: ``{"W1", "b1", ..., "WL", "bL"}``; L is ``len(parameters) // 2``.
    hidden_activation: the activation of layers 1 to L-1.
    output_activation: the activation of layer L (``"sigmoid"`` or ``"softmax"``).

Returns:
    AL: the output ``A[L]``, shape ``(n_L, m)``.
    caches: the L caches of ``linear_activation_forward``, layer 1 first."""
)

EXERCISE = Exercise(
    id="forward",
    order=90,
    module="network",
    points=6,
    title=Text("Forward propagation"),
    statement=Text(
        "Write the linear step Z = W·A_prev + b, one whole layer (the linear step, then the "
        "activation), and the forward pass through the L layers of a network."
    ),
    hint=Text(
        "Z[l] = W[l]·A[l-1] + b[l] with one example per column; hidden layers use the hidden "
        "activation, the last layer the output activation."
    ),
    lecture=Pointer(
        lecture.FORWARD,
        N_("Z[l] = W[l]·A[l-1] + b[l] and A[l] = σ(Z[l]), with one example per column."),
    ),
    contract=(
        Function(
            "linear_forward",
            "(A_prev, W, b)",
            forward_pair(("Z", "cache")),
            _linear_cases,
            statement=LINEAR_FORWARD_STATEMENT,
        ),
        Function(
            "linear_activation_forward",
            "(A_prev, W, b, activation)",
            forward_pair(("A", "cache")),
            _layer_cases,
            depends_on=("linear_forward",),
            uses_activations="forward",
            statement=LINEAR_ACTIVATION_FORWARD_STATEMENT,
        ),
        Function(
            "model_forward",
            "(X, parameters, hidden_activation='relu', output_activation='sigmoid')",
            forward_pair(("AL", "caches")),
            _model_cases,
            depends_on=("linear_activation_forward",),
            statement=MODEL_FORWARD_STATEMENT,
        ),
    ),
)
