"""Neural networks in numpy, written one step at a time: the course's exercises.

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
``update_parameters``, which may update the dictionary it is given).
"""
