"""What to read again in the lecture, for a diagnosis code or a student function.

The texts are gettext message ids (English), marked with `N_` so the catalog test finds
them; the page translates them when it renders. A diagnosis says what kind of mistake it
looks like, so its pointer wins over the function's, which is only about the topic.
"""

from __future__ import annotations

from collections.abc import Iterable

from grader.i18n import N_

# Lecture sections (the headings of docs/lecture.md and the slides).
VANISHING = N_("Vanishing gradients")
DEAD_NEURONS = N_("Dead neurons")
SATURATION = N_("Saturated neurons")
SOFTMAX_STABILITY = N_("Softmax stability")
BACKWARD = N_("Backward propagation")
FORWARD = N_("Forward propagation")
COST = N_("Cost")
DESCENT = N_("Gradient descent")

# diagnosis code -> (lecture section, what to look at again)
BY_DIAGNOSIS: dict[str, tuple[str, str]] = {
    "factor_m_missing": (
        BACKWARD,
        N_(
            "Averaged over the m examples, dW[l] = (1/m) dZ[l]·A[l-1]^T and "
            "db[l] = (1/m) Σ dZ[l]: without the 1/m the gradient grows with the batch size."
        ),
    ),
    "factor_m_twice": (
        BACKWARD,
        N_(
            "The 1/m is applied once, in linear_backward; the derivative of the cost with "
            "respect to A[L] is per example."
        ),
    ),
    "sign": (
        DESCENT,
        N_(
            "The gradient points uphill: descent subtracts η dW. A flipped sign makes the "
            "cost grow instead of shrink."
        ),
    ),
    "transpose": (
        BACKWARD,
        N_(
            "Check the shapes: W[l] is (n_l, n_{l-1}), so dA[l-1] = W[l]^T·dZ[l] and "
            "dW[l] = dZ[l]·A[l-1]^T."
        ),
    ),
    "missing_dA": (
        BACKWARD,
        N_(
            "Chain rule: dZ = dA * σ'(Z). The derivative of the activation alone is not "
            "the gradient; multiply it by the gradient coming from the layer above."
        ),
    ),
    "wrong_axis": (
        FORWARD,
        N_(
            "One example per column: sums over the examples run over axis 1, sums over the "
            "classes (softmax) over axis 0."
        ),
    ),
    "missing_keepdims": (
        BACKWARD,
        N_(
            "db[l] has the shape of b[l], (n_l, 1): sum over the columns with "
            "keepdims=True so that it broadcasts over the m examples."
        ),
    ),
    "from_Z_not_activation": (
        SATURATION,
        N_(
            "σ'(z) = σ(z)(1-σ(z)) is computed from σ(Z), not from Z. Its maximum is 1/4 and "
            "it goes to 0 when |z| is large: that is why sigmoids saturate."
        ),
    ),
    "unstable_softmax": (
        SOFTMAX_STABILITY,
        N_(
            "e^z overflows for z = 1000. Subtract each column's max from z before exp: the "
            "result is the same and no longer overflows."
        ),
    ),
    "overflow": (
        SATURATION,
        N_(
            "A large |z| makes e^-z overflow. Compute the activation in a way that stays "
            "finite, e.g. with np.exp on -|z| only or by clipping z."
        ),
    ),
}

# student function -> (lecture section, the idea behind it)
_BY_FUNCTION_PREFIX: tuple[tuple[str, tuple[str, str]], ...] = (
    (
        "sigmoid",
        (
            VANISHING,
            N_(
                "The sigmoid's derivative is at most 1/4 and vanishes for large |z|: stacked "
                "sigmoids make the first layers' gradients vanish."
            ),
        ),
    ),
    (
        "tanh",
        (
            SATURATION,
            N_(
                "tanh saturates at -1 and 1 for large |z|, where its derivative "
                "1 - tanh(z)² is nearly 0."
            ),
        ),
    ),
    (
        "leaky_relu",
        (
            DEAD_NEURONS,
            N_(
                "Leaky ReLU keeps a small slope alpha for z < 0, so a unit never dies "
                "completely: it fixes ReLU's dead neurons."
            ),
        ),
    ),
    (
        "relu",
        (
            DEAD_NEURONS,
            N_(
                "ReLU's gradient is 0 where z < 0: a unit whose input is negative for every "
                "example is a dead neuron and stops learning."
            ),
        ),
    ),
    (
        "softmax",
        (
            SOFTMAX_STABILITY,
            N_(
                "Softmax outputs are in (0, 1) and each column sums to 1; subtract the "
                "column's max before exp to avoid overflow."
            ),
        ),
    ),
    (
        "binary_cross_entropy",
        (
            COST,
            N_("The cost is the mean over the m examples of -y log ŷ - (1-y) log(1-ŷ)."),
        ),
    ),
    (
        "categorical_cross_entropy",
        (
            COST,
            N_("Sum over the classes, mean over the examples; with softmax, dZ[L] = A[L] - Y."),
        ),
    ),
    (
        "initialize",
        (FORWARD, N_("W[l] has shape (n_l, n_{l-1}) and b[l] has shape (n_l, 1).")),
    ),
    (
        "update",
        (DESCENT, N_("W[l] ← W[l] - η dW[l] and b[l] ← b[l] - η db[l], for every layer.")),
    ),
    (
        "train",
        (DESCENT, N_("Each iteration: forward, cost, backward, then one update of every layer.")),
    ),
    (
        "predict",
        (FORWARD, N_("Predict runs the forward pass, then thresholds or takes the argmax.")),
    ),
)

_BACKWARD_FUNCTIONS = ("linear_backward", "linear_activation_backward", "model_backward")
_FORWARD_FUNCTIONS = ("linear_forward", "linear_activation_forward", "model_forward")


def pointer_for_function(function: str) -> tuple[str, str] | None:
    """The lecture section and idea for a student function, or None if we have none."""
    if function in _BACKWARD_FUNCTIONS:
        return (
            BACKWARD,
            N_(
                "dZ[l] = (W[l+1]^T·dZ[l+1]) * σ'(Z[l]), then dW[l], db[l] and dA[l-1] from "
                "dZ[l]. Many sigmoid layers make the gradient reaching the first layers vanish."
            ),
        )
    if function in _FORWARD_FUNCTIONS:
        return (
            FORWARD,
            N_("Z[l] = W[l]·A[l-1] + b[l] and A[l] = σ(Z[l]), with one example per column."),
        )
    for prefix, pointer in _BY_FUNCTION_PREFIX:
        if function.startswith(prefix):
            return pointer
    return None


def pointers(diagnosis_codes: Iterable[str], functions: Iterable[str]) -> list[tuple[str, str]]:
    """Lecture pointers for a set of mistakes: diagnoses first, then functions, no repeats."""
    found: list[tuple[str, str]] = []
    for code in diagnosis_codes:
        pointer = BY_DIAGNOSIS.get(code)
        if pointer and pointer not in found:
            found.append(pointer)
    for function in functions:
        pointer = pointer_for_function(function)
        if pointer and pointer not in found:
            found.append(pointer)
    return found
