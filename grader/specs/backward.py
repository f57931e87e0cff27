"""Backward propagation: one linear step, one layer, the whole network."""

import numpy as np

from grader import lecture
from grader.i18n import N_, Text
from grader.spec import Case, Exercise, Function, Pointer, layer_backward, model_backward
from grader.specs._cases import (
    ONE_EXAMPLE,
    RANDOM,
    labels_for,
    layer_inputs,
    network_inputs,
    network_label,
)
from grader.specs.forward import NETWORKS, activation_label


def _linear_cases(rng: np.random.Generator) -> list[Case]:
    cases = []
    for label, m, gradient in ((RANDOM, 4, True), (ONE_EXAMPLE, 1, False)):
        A_prev, W, b = layer_inputs(rng, 3, 2, m)
        args = {"A_prev": A_prev, "W": W, "b": b, "dZ": rng.standard_normal((2, m))}
        cases.append(Case(label, args, gradient=gradient))
    return cases


def _layer_cases(rng: np.random.Generator) -> list[Case]:
    from grader.catalog import activations  # the activation exercises, whichever they are

    cases = []
    for activation in activations():
        A_prev, W, b = layer_inputs(rng, 3, 3, 4)
        args = {"A_prev": A_prev, "W": W, "b": b, "activation": activation.name}
        args["dA"] = rng.standard_normal((3, 4))
        cases.append(Case(activation_label(activation.name), args, gradient=True))
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
            "Y": labels_for(rng, output, dims[-1], m),
        }
        cases.append(Case(network_label(dims, hidden, output), args, gradient=True))
    return cases


# The statements of its functions: their docstrings in the handout.
LINEAR_BACKWARD_STATEMENT = Text(
    """\
Backward of the linear part, averaged over the m examples.

    dW[l] = (1/m) dZ[l]·A[l-1]^T
    db[l] = (1/m) Σ_columns dZ[l]      (shape (n_l, 1))
    dA[l-1] = W[l]^T·dZ[l]

Args:
    dZ: gradient with respect to ``Z[l]``, per example, shape ``(n_l, m)``.
    cache: the cache ``linear_forward`` returned.

Returns:
    dA_prev: shape ``(n_{l-1}, m)``, like ``A[l-1]``.
    dW: shape ``(n_l, n_{l-1})``, like ``W[l]``.
    db: shape ``(n_l, 1)``, like ``b[l]``."""
)
LINEAR_ACTIVATION_BACKWARD_STATEMENT = Text(
    """\
Backward of one whole layer: dZ[l] = dA[l] * g'(Z[l]), then ``linear_backward``.

Args:
    dA: gradient with respect to ``A[l]``, per example, shape ``(n_l, m)``.
    cache: the cache ``linear_activation_forward`` returned.
    activation: the name of g, the same as in the forward.

Returns:
    dA_prev, dW, db: as ``linear_backward``."""
)
MODEL_BACKWARD_STATEMENT = Text(
    """\
Backward propagation: the gradient of the mean cost for every parameter.

The cost is the binary cross-entropy for a sigmoid output and the categorical
cross-entropy for a softmax output. Start from dA[L] = dC/dA[L], then go down the
layers with ``linear_activation_backward``, from L to 1.

Args:
    AL: the output of ``model_forward``, shape ``(n_L, m)``.
    Y: the labels, shape ``(n_L, m)``.
    caches: the caches of ``model_forward``.
    hidden_activation, output_activation: as in ``model_forward``.

Returns:
    grads: ``{"dW1": ..., "db1": ..., ..., "dWL": ..., "dbL": ...}``, shaped like
    the parameters."""
)

EXERCISE = Exercise(
    id="backward",
    order=100,
    module="network",
    points=10,
    title=Text("Backward propagation"),
    statement=Text(
        "Write the gradients of one linear step, of one whole layer, and of the mean cost with "
        "respect to every parameter of the network, from the caches of the forward pass."
    ),
    hint=Text(
        "dW[l] = (1/m) dZ[l]·A[l-1]^T, db[l] = (1/m) Σ_columns dZ[l] with shape (n_l, 1), "
        "dA[l-1] = W[l]^T·dZ[l]. Many layers of sigmoid make the first layers' gradients "
        "vanish."
    ),
    lecture=Pointer(
        lecture.BACKWARD,
        N_(
            "dZ[l] = (W[l+1]^T·dZ[l+1]) * σ'(Z[l]), then dW[l], db[l] and dA[l-1] from dZ[l]. "
            "Many sigmoid layers make the gradient reaching the first layers vanish."
        ),
    ),
    contract=(
        Function(
            "linear_backward",
            "(dZ, cache)",
            layer_backward("linear_forward", "dZ"),
            _linear_cases,
            depends_on=("linear_forward",),
            statement=LINEAR_BACKWARD_STATEMENT,
        ),
        Function(
            "linear_activation_backward",
            "(dA, cache, activation)",
            layer_backward("linear_activation_forward", "dA"),
            _layer_cases,
            depends_on=("linear_backward", "linear_activation_forward"),
            uses_activations="backward",
            statement=LINEAR_ACTIVATION_BACKWARD_STATEMENT,
        ),
        Function(
            "model_backward",
            "(AL, Y, caches, hidden_activation='relu', output_activation='sigmoid')",
            model_backward("model_forward"),
            _model_cases,
            depends_on=(
                "model_forward",
                "linear_activation_backward",
                "binary_cross_entropy",
                "binary_cross_entropy_backward",
                "categorical_cross_entropy",
                "categorical_cross_entropy_backward",
                "softmax_cross_entropy_backward",
            ),
            statement=MODEL_BACKWARD_STATEMENT,
        ),
    ),
)
