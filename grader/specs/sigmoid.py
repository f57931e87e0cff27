"""The sigmoid and its derivative."""

from grader import lecture
from grader.i18n import N_, Text
from grader.spec import Activation, Exercise, Pointer
from grader.specs._activations import DERIVATIVE_FROM_Z, OVERFLOW, backward, forward

# The statements of its functions: their docstrings in the handout.
SIGMOID_STATEMENT = Text(
    """\
The sigmoid σ(z) = 1 / (1 + e^(-z)), entry by entry.

Args:
    Z: pre-activations, any shape, e.g. ``(n_l, m)``.

Returns:
    A: ``σ(Z)``, same shape as ``Z``, every entry in [0, 1].

For large |z| the sigmoid saturates (σ(1000) = 1, σ(-1000) = 0): your function must
return those values, not NaN."""
)
SIGMOID_BACKWARD_STATEMENT = Text(
    """\
Backward of the sigmoid: dZ = dA * σ'(Z), with σ'(z) = σ(z) (1 - σ(z)).

Args:
    dA: gradient of the cost with respect to ``A = σ(Z)``, same shape as ``Z``.
    Z: the input the forward received.

Returns:
    dZ: gradient of the cost with respect to ``Z``, same shape as ``Z``."""
)

EXERCISE = Exercise(
    id="sigmoid",
    order=10,
    module="activations",
    points=4,
    title=Text("Sigmoid and its derivative"),
    statement=Text(
        "Write the sigmoid σ(Z) = 1/(1+e^-Z), entry by entry and without overflow, and its "
        "backward dZ = dA * σ'(Z)."
    ),
    hint=Text(
        "σ(z) = 1/(1+e^-z) and σ'(z) = σ(z)(1-σ(z)): the derivative uses σ(Z), not Z. For "
        "large |z| the sigmoid saturates; compute it without overflow."
    ),
    lecture=Pointer(
        lecture.VANISHING,
        N_(
            "The sigmoid's derivative is at most 1/4 and vanishes for large |z|: stacked "
            "sigmoids make the first layers' gradients vanish."
        ),
    ),
    contract=(
        forward("sigmoid", statement=SIGMOID_STATEMENT),
        backward("sigmoid", statement=SIGMOID_BACKWARD_STATEMENT),
    ),
    mistakes=(DERIVATIVE_FROM_Z, OVERFLOW),
    activation=Activation("sigmoid", hidden=True, output_cost="binary_cross_entropy"),
)
