"""What the student reads at the top of each module of the handout: its statement.

Each student module's docstring (``"__init__"``: the package's), written into the stubs,
the notebook and the nbgrader export by `grader.authoring.statements`, in the handout's
language. The functions' own statements are in their exercises' specs.
"""

from grader.i18n import Text

STATEMENTS: dict[str, Text] = {
    "__init__": Text(
        """\
Neural networks in numpy, written one step at a time: the course's exercises.

Five modules, to fill in this order:

- ``activations``: sigmoid, tanh, ReLU, Leaky ReLU, softmax and their derivatives;
- ``losses``: binary and categorical cross-entropy and their derivatives;
- ``network``: initialisation, forward propagation, backward propagation, one descent step;
- ``model``: training by gradient descent, and prediction;
- ``diagnostics``: the pitfalls of training, measured: gradient norms per layer (vanishing
  and exploding gradients), dead ReLU units, saturated sigmoid and tanh units.

Notation (the lecture's, used in every docstring):

- one example per **column**; ``m`` is the number of examples (columns);
- ``n_x`` input features, so ``X`` = ``A[0]`` has shape ``(n_x, m)``;
- layer ``l`` has ``n_l`` units: ``W[l]`` is ``(n_l, n_{l-1})``, ``b[l]`` is ``(n_l, 1)``,
  ``Z[l]`` and ``A[l]`` are ``(n_l, m)``; ``L`` is the number of layers with parameters;
- ``C`` classes: one-hot labels ``Y`` are ``(C, m)``, binary labels ``(1, m)``;
- ``dX`` is the gradient of the cost with respect to ``X``, with the shape of ``X``.

All arrays are float64. No function writes into its arguments (except
``update_parameters``, which may update the dictionary it is given)."""
    ),
    "activations": Text(
        """\
Activation functions and their derivatives.

An activation is a pair of functions:

- the forward ``g(Z) -> A`` applies the non-linearity to every entry of ``Z``
  (any shape; ``A`` has the same shape);
- the backward ``g_backward(dA, Z) -> dZ`` takes the upstream gradient ``dA`` (the gradient
  of the cost with respect to ``A``) and the forward's input ``Z``, and returns
  ``dZ = dA * g'(Z)`` by the chain rule (for softmax, the product with its Jacobian,
  column by column).

No function may modify its arguments: build new arrays."""
    ),
    "losses": Text(
        """\
Cost functions and their derivatives.

``AL`` is the network's output ``A[L]`` (predicted probabilities) and ``Y`` the true labels:

- binary classification: ``AL`` and ``Y`` have shape ``(1, m)``, ``Y`` holds 0 or 1;
- ``C`` classes: ``AL`` and ``Y`` have shape ``(C, m)``, each column of ``Y`` is one-hot.

A cost is a single float: the mean over the ``m`` examples (columns) of the per-example
loss. A derivative is per example, with the shape of ``AL``: it does **not** divide by
``m``; ``linear_backward`` applies the 1/m once for the whole network."""
    ),
    "network": Text(
        """\
An L-layer network: initialisation, forward propagation, backward propagation, update.

``parameters`` is a dictionary ``{"W1": W[1], "b1": b[1], ..., "WL": W[L], "bL": b[L]}``
and ``grads`` the dictionary of the same shapes ``{"dW1": ..., "db1": ..., ...}``.
``activation`` names one of the functions of ``activations.py``: ``"sigmoid"``,
``"tanh"``, ``"relu"``, ``"leaky_relu"`` or ``"softmax"``.

A forward returns ``(output, cache)``: the cache is whatever your matching backward
needs later (inputs of the forward, for instance). Nobody else looks inside it."""
    ),
    "model": Text(
        """\
Training by gradient descent, and prediction.

Everything here is built from ``network.py`` and ``losses.py``. Logistic regression is
the network with no hidden layer: ``layer_dims = [n_x, 1]`` with a sigmoid output."""
    ),
    "diagnostics": Text(
        """\
Diagnosing the pitfalls of training deep networks, from the numbers a network produces.

The lecture names four pitfalls. Each one shows in arrays you already compute:

- vanishing gradients: the gradient reaching the first layers is tiny compared with the
  last layer's (many sigmoid layers), so the first layers barely learn;
- exploding gradients: it is huge instead, or NaN/inf has appeared;
- dead ReLU units: a unit whose pre-activation Z is <= 0 for every example outputs 0 and
  gets no gradient: it never learns again;
- saturated sigmoid or tanh units: their output sits on a plateau, near an asymptote,
  where the derivative is nearly 0.

``grads`` is the dictionary ``model_backward`` returns: ``{"dW1": ..., "db1": ..., ...}``.
No function may modify its arguments."""
    ),
}
