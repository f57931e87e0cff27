"""The planted edits a synthetic class is made of, as data.

Every edit is an exact textual replacement on the answer key in `solutions/`: `old` must
occur exactly `count` times in the module, or building the class fails with a message that
names the edit (the answer key changed and the edit must follow it). A `Mutation` is a
named set of edits, plus modules to drop (a partial submission) or to leave as the
untouched stubs of `exercises/`.

Categories, in the proportions of `synthetic.CLASS_MIX` (and of `synthetic.BUG_HEAVY_MIX`
for a class as full of mistakes as a real one):

- ``variant``: correct code written another way (another formula, a loop, a print at import);
- ``bug``: one common mistake, the kind the hidden suites must catch and explain;
- ``bugs``: two or three of those mistakes in one submission;
- ``partial``: a module missing from the submission;
- ``timeout``: a function that never returns;
- ``broken``: a module that cannot be imported (syntax error, crash at import).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from grader.catalog import MODULES

Category = Literal["variant", "bug", "bugs", "partial", "timeout", "broken"]
CATEGORIES: tuple[Category, ...] = ("variant", "bug", "bugs", "partial", "timeout", "broken")


@dataclass(frozen=True)
class Edit:
    """Replace `old` by `new` in ``solutions/<module>.py``; `old` occurs exactly `count` times."""

    module: str
    old: str
    new: str
    count: int = 1


@dataclass(frozen=True)
class Mutation:
    """A named change to the answer key.

    Attributes:
        name: a stable identifier, recorded in the class manifest.
        category: one of `CATEGORIES`.
        description: what a student did, in one sentence.
        edits: the textual replacements, applied in order.
        drop: modules left out of the submission.
        stubs: modules handed in as the untouched stubs of `exercises/`.
    """

    name: str
    category: Category
    description: str
    edits: tuple[Edit, ...] = ()
    drop: tuple[str, ...] = ()
    stubs: tuple[str, ...] = ()


# How a submission's modules import each other; all three must grade (docs/student-api.md).
IMPORT_STYLES: dict[str, tuple[Edit, ...]] = {
    "relative": (),
    "package": (
        Edit("network", "from .activations import (", "from exercises.activations import ("),
        Edit("network", "from .losses import", "from exercises.losses import"),
        Edit("model", "from .losses import", "from exercises.losses import"),
        Edit("model", "from .network import", "from exercises.network import"),
    ),
    "flat": (
        Edit("network", "from .activations import (", "from activations import ("),
        Edit("network", "from .losses import", "from losses import"),
        Edit("model", "from .losses import", "from losses import"),
        Edit("model", "from .network import", "from network import"),
    ),
}

_SIGMOID_BODY = """    E = np.exp(-np.abs(Z))  # e^(-|z|) is in (0, 1]: it never overflows
    A = np.where(Z >= 0, 1.0 / (1.0 + E), E / (1.0 + E))
    return A"""

_SOFTMAX_BACKWARD_BODY = (
    "    weighted = np.sum(dA * S, axis=0, keepdims=True)  # shape (1, m), one number per column\n"
    "    dZ = S * (dA - weighted)\n"
    "    return dZ"
)

_UPDATE_BODY = (
    '    return {name: value - learning_rate * grads[f"d{name}"] '
    "for name, value in parameters.items()}"
)

_TRAIN_LOOP = "    for _ in range(num_iterations):"

VARIANTS: tuple[Mutation, ...] = (
    Mutation("as_is", "variant", "The answer key as it is."),
    Mutation(
        "sigmoid_two_branches",
        "variant",
        "The sigmoid computed with a mask per sign instead of np.where.",
        (
            Edit(
                "activations",
                _SIGMOID_BODY,
                """    A = np.empty_like(Z, dtype=float)
    positive = Z >= 0
    A[positive] = 1.0 / (1.0 + np.exp(-Z[positive]))
    E = np.exp(Z[~positive])
    A[~positive] = E / (1.0 + E)
    return A""",
            ),
        ),
    ),
    Mutation(
        "relu_backward_mask_copy",
        "variant",
        "relu_backward copies dA and zeroes the masked entries (cs231n style).",
        (
            Edit(
                "activations",
                "    dZ = dA * (Z > 0)\n",
                "    dZ = np.array(dA, dtype=float, copy=True)\n    dZ[Z <= 0] = 0.0\n",
            ),
        ),
    ),
    Mutation(
        "softmax_backward_jacobian_loop",
        "variant",
        "softmax_backward builds each column's Jacobian explicitly.",
        (
            Edit(
                "activations",
                _SOFTMAX_BACKWARD_BODY,
                """    dZ = np.empty_like(S)
    for j in range(S.shape[1]):
        s = S[:, j : j + 1]
        jacobian = np.diagflat(s) - s @ s.T
        dZ[:, j : j + 1] = jacobian @ dA[:, j : j + 1]
    return dZ""",
            ),
        ),
    ),
    Mutation(
        "np_dot_everywhere",
        "variant",
        "np.dot instead of the @ operator in the linear layer.",
        (
            Edit("network", "    Z = W @ A_prev + b", "    Z = np.dot(W, A_prev) + b"),
            Edit("network", "    dW = (dZ @ A_prev.T) / m", "    dW = np.dot(dZ, A_prev.T) / m"),
            Edit("network", "    dA_prev = W.T @ dZ", "    dA_prev = np.dot(W.T, dZ)"),
        ),
    ),
    Mutation(
        "update_loop_over_layers",
        "variant",
        "update_parameters loops over the layers instead of a dict comprehension.",
        (
            Edit(
                "network",
                _UPDATE_BODY,
                """    L = len(parameters) // 2
    updated = {}
    for l in range(1, L + 1):  # noqa: E741
        updated[f"W{l}"] = parameters[f"W{l}"] - learning_rate * grads[f"dW{l}"]
        updated[f"b{l}"] = parameters[f"b{l}"] - learning_rate * grads[f"db{l}"]
    return updated""",
            ),
        ),
    ),
    Mutation(
        "costs_with_np_mean",
        "variant",
        "Both costs averaged with np.mean.",
        (
            Edit(
                "losses",
                "    return float(np.sum(per_example) / m)",
                "    return float(np.mean(per_example))",
                count=2,
            ),
        ),
    ),
    Mutation(
        "print_at_import",
        "variant",
        "A module prints a line when it is imported.",
        (
            Edit(
                "activations",
                "import numpy as np\n",
                'import numpy as np\n\nprint("activations.py loaded")\n',
            ),
        ),
    ),
)

BUGS: tuple[Mutation, ...] = (
    Mutation(
        "sigmoid_backward_from_Z",
        "bug",
        "sigmoid_backward uses Z where it needs sigmoid(Z).",
        (
            Edit(
                "activations",
                "    dZ = dA * s * (1.0 - s)",
                "    dZ = dA * Z * (1.0 - Z)",
            ),
        ),
    ),
    Mutation(
        "relu_backward_without_dA",
        "bug",
        "relu_backward returns the derivative of ReLU, forgetting to multiply by dA.",
        (Edit("activations", "    dZ = dA * (Z > 0)\n", "    dZ = (Z > 0).astype(float)\n"),),
    ),
    Mutation(
        "relu_backward_in_place",
        "bug",
        "relu_backward zeroes entries of dA itself (it modifies its argument).",
        (Edit("activations", "    dZ = dA * (Z > 0)\n", "    dZ = dA\n    dZ[Z <= 0] = 0.0\n"),),
    ),
    Mutation(
        "softmax_without_max",
        "bug",
        "softmax does not subtract the column maximum, so it overflows.",
        (
            Edit(
                "activations",
                "    shifted = Z - np.max(Z, axis=0, keepdims=True)",
                "    shifted = Z",
            ),
        ),
    ),
    Mutation(
        "softmax_sum_wrong_axis",
        "bug",
        "softmax normalises over the rows instead of the columns.",
        (
            Edit(
                "activations",
                "    A = E / np.sum(E, axis=0, keepdims=True)",
                "    A = E / np.sum(E, axis=1, keepdims=True)",
            ),
        ),
    ),
    Mutation(
        "softmax_backward_like_sigmoid",
        "bug",
        "softmax_backward keeps only the Jacobian's diagonal, S (1 - S).",
        (Edit("activations", "    dZ = S * (dA - weighted)", "    dZ = S * (1.0 - S) * dA"),),
    ),
    Mutation(
        "tanh_backward_no_square",
        "bug",
        "tanh_backward uses 1 - tanh(Z) instead of 1 - tanh(Z)².",
        (Edit("activations", "    dZ = dA * (1.0 - T**2)", "    dZ = dA * (1.0 - T)"),),
    ),
    Mutation(
        "tanh_by_hand_overflows",
        "bug",
        "tanh written with exponentials: NaN for large |Z|.",
        (
            Edit(
                "activations",
                "    return np.tanh(Z)",
                "    return (np.exp(Z) - np.exp(-Z)) / (np.exp(Z) + np.exp(-Z))",
            ),
        ),
    ),
    Mutation(
        "leaky_relu_backward_zero_slope",
        "bug",
        "leaky_relu_backward forgets alpha on the negative side.",
        (
            Edit(
                "activations",
                "    slope = np.where(Z > 0, 1.0, alpha)",
                "    slope = np.where(Z > 0, 1.0, 0.0)",
            ),
        ),
    ),
    Mutation(
        "bce_backward_sign",
        "bug",
        "binary_cross_entropy_backward has the opposite sign.",
        (
            Edit(
                "losses",
                "    dAL = -(Y / AL) + (1.0 - Y) / (1.0 - AL)",
                "    dAL = (Y / AL) - (1.0 - Y) / (1.0 - AL)",
            ),
        ),
    ),
    Mutation(
        "categorical_cost_wrong_axis",
        "bug",
        "categorical_cross_entropy divides by the number of classes, not of examples.",
        (
            Edit(
                "losses",
                "    m = Y.shape[1]\n    per_example = -np.sum(Y * np.log(AL), axis=0)",
                "    m = Y.shape[0]\n    per_example = -np.sum(Y * np.log(AL), axis=0)",
            ),
        ),
    ),
    Mutation(
        "linear_backward_missing_1_over_m",
        "bug",
        "linear_backward forgets the 1/m in dW and db.",
        (
            Edit("network", "    dW = (dZ @ A_prev.T) / m", "    dW = dZ @ A_prev.T"),
            Edit(
                "network",
                "    db = np.sum(dZ, axis=1, keepdims=True) / m",
                "    db = np.sum(dZ, axis=1, keepdims=True)",
            ),
        ),
    ),
    Mutation(
        "db_without_keepdims",
        "bug",
        "db loses its second axis: shape (n_l,) instead of (n_l, 1).",
        (
            Edit(
                "network",
                "    db = np.sum(dZ, axis=1, keepdims=True) / m",
                "    db = np.sum(dZ, axis=1) / m",
            ),
        ),
    ),
    Mutation(
        "dW_transposed",
        "bug",
        "dW computed as A_prev·dZ^T: the transpose of the right answer.",
        (Edit("network", "    dW = (dZ @ A_prev.T) / m", "    dW = (A_prev @ dZ.T) / m"),),
    ),
    Mutation(
        "init_wrong_scale",
        "bug",
        "initialize_parameters uses sqrt(1/n) instead of He's sqrt(2/n).",
        (Edit("network", "np.sqrt(2.0 / n_prev)", "np.sqrt(1.0 / n_prev)"),),
    ),
    Mutation(
        "model_backward_skips_first_layer",
        "bug",
        "model_backward stops before layer 1, so dW1 and db1 are missing.",
        (
            Edit(
                "network", "    for l in range(L - 1, 0, -1):", "    for l in range(L - 1, 1, -1):"
            ),
        ),
    ),
    Mutation(
        "update_sign_error",
        "bug",
        "update_parameters climbs the gradient instead of descending it.",
        (
            Edit(
                "network",
                "value - learning_rate * grads",
                "value + learning_rate * grads",
            ),
        ),
    ),
    Mutation(
        "predict_returns_floats",
        "bug",
        "predict returns floats instead of integers.",
        (Edit("model", "    return (AL > 0.5).astype(np.int64)", "    return (AL > 0.5) * 1.0"),),
    ),
    Mutation("model_untouched", "bug", "model.py handed in as the stub.", stubs=("model",)),
    Mutation(
        "network_and_model_untouched",
        "bug",
        "network.py and model.py handed in as the stubs.",
        stubs=("network", "model"),
    ),
)

PARTIALS: tuple[Mutation, ...] = (
    Mutation("missing_model", "partial", "model.py is not in the submission.", drop=("model",)),
    Mutation(
        "missing_losses",
        "partial",
        "losses.py is not in the submission (network.py imports it, so it fails too).",
        drop=("losses",),
    ),
    Mutation(
        "only_activations",
        "partial",
        "Only activations.py was handed in.",
        drop=tuple(module for module in MODULES if module != "activations"),
    ),
)

TIMEOUTS: tuple[Mutation, ...] = (
    Mutation(
        "train_while_without_increment",
        "timeout",
        "train loops with `while i < num_iterations` and never increments i.",
        (
            Edit(
                "model",
                _TRAIN_LOOP,
                "    i = 0\n    while i < num_iterations:  # i is never incremented",
            ),
        ),
    ),
    Mutation(
        "relu_backward_while_without_increment",
        "timeout",
        "relu_backward walks the entries with a while loop that never advances.",
        (
            Edit(
                "activations",
                "    dZ = dA * (Z > 0)\n",
                """    dZ = np.array(dA, dtype=float, copy=True)
    i = 0
    while i < Z.size:  # i is never incremented
        if Z.flat[i] <= 0:
            dZ.flat[i] = 0.0
""",
            ),
        ),
    ),
)

BROKEN: tuple[Mutation, ...] = (
    Mutation(
        "syntax_error_in_network",
        "broken",
        "network.py has a syntax error (a missing colon).",
        (
            Edit(
                "network",
                "def linear_forward(A_prev: np.ndarray, W: np.ndarray, b: np.ndarray) "
                "-> tuple[np.ndarray, object]:",
                "def linear_forward(A_prev: np.ndarray, W: np.ndarray, b: np.ndarray) "
                "-> tuple[np.ndarray, object]",
            ),
        ),
    ),
    Mutation(
        "crash_at_import",
        "broken",
        "activations.py loads a data file that does not exist when it is imported.",
        (
            Edit(
                "activations",
                "import numpy as np\n",
                'import numpy as np\n\nDEMO_Z = np.load("demo_inputs.npy")  # a leftover demo\n',
            ),
        ),
    ),
)

# A submission with several mistakes starts from one of these (by turn) and adds one or two
# others; handing in untouched stubs is a mistake of its own, not one to combine.
SEVERAL_BUGS: tuple[Mutation, ...] = tuple(bug for bug in BUGS if not bug.stubs)

MUTATIONS: dict[Category, tuple[Mutation, ...]] = {
    "variant": VARIANTS,
    "bug": BUGS,
    "bugs": SEVERAL_BUGS,
    "partial": PARTIALS,
    "timeout": TIMEOUTS,
    "broken": BROKEN,
}
