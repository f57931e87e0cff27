"""The canonical numpy implementation of the course: the grader's oracle and a small library.

Every function of the student contract (STUDENT_API.md in the design notes) lives here under
the same name and signature, in the module of the same name: ``activations``, ``losses``,
``network``, ``model``. Beside them, ``datasets`` (seeded toy problems) and ``diagnostics``
(the lecture's pitfalls: vanishing/exploding gradients, dead ReLUs, saturated units).

Notation (the lecture's, used in every docstring of this package):

- one example per **column**; ``m`` is the number of examples (columns) in a batch;
- ``n_x`` is the number of input features, so ``X`` and ``A0`` have shape ``(n_x, m)``;
- ``L`` is the number of layers with parameters; layer ``l`` has ``n_l`` units, so
  ``W{l}`` is ``(n_l, n_{l-1})``, ``b{l}`` is ``(n_l, 1)``, ``Z{l}`` and ``A{l}`` are ``(n_l, m)``;
- ``C`` is the number of classes; a one-hot label matrix ``Y`` is ``(C, m)``, a binary one
  ``(1, m)``;
- ``dX`` is the gradient of the mean cost with respect to ``X`` (same shape as ``X``).

All arrays are float64. No function writes into its arguments.
"""

from reference.activations import (
    leaky_relu,
    leaky_relu_backward,
    relu,
    relu_backward,
    sigmoid,
    sigmoid_backward,
    softmax,
    softmax_backward,
    tanh,
    tanh_backward,
)
from reference.losses import (
    binary_cross_entropy,
    binary_cross_entropy_backward,
    categorical_cross_entropy,
    categorical_cross_entropy_backward,
    softmax_cross_entropy_backward,
)
from reference.model import predict, train
from reference.network import (
    initialize_parameters,
    linear_activation_backward,
    linear_activation_forward,
    linear_backward,
    linear_forward,
    model_backward,
    model_forward,
    update_parameters,
)

__all__ = [
    "binary_cross_entropy",
    "binary_cross_entropy_backward",
    "categorical_cross_entropy",
    "categorical_cross_entropy_backward",
    "initialize_parameters",
    "leaky_relu",
    "leaky_relu_backward",
    "linear_activation_backward",
    "linear_activation_forward",
    "linear_backward",
    "linear_forward",
    "model_backward",
    "model_forward",
    "predict",
    "relu",
    "relu_backward",
    "sigmoid",
    "sigmoid_backward",
    "softmax",
    "softmax_backward",
    "softmax_cross_entropy_backward",
    "tanh",
    "tanh_backward",
    "train",
    "update_parameters",
]
