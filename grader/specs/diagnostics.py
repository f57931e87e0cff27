"""Diagnosing the pitfalls: vanishing and exploding gradients, dead and saturated units."""

import numpy as np

import reference.activations as ref_activations
import reference.datasets as ref_datasets
import reference.network as ref_network
from grader import lecture
from grader.i18n import N_, Text
from grader.spec import Case, Exercise, Function, KnownMistake, Pointer, values

DEEP = [2, 6, 6, 6, 6, 6, 6, 1]
"""Seven layers: with sigmoid hidden layers ||dW1|| is about 1/1000 of ||dW7||, not with ReLU."""

NORMS = Pointer(
    lecture.VANISHING,
    N_(
        "Compare the gradient norms layer by layer: with many sigmoid layers ||dW[1]|| is "
        "hundreds of times smaller than ||dW[L]||, so the first layers barely learn."
    ),
)
DEAD = Pointer(
    lecture.DEAD_NEURONS,
    N_(
        "A dead unit never activates, on any example: that is why it gets no gradient at all "
        "and cannot come back."
    ),
)

SIGMOID_NETWORK = Text("the gradients of a deep sigmoid network")
RELU_NETWORK = Text("the gradients of a deep ReLU network")


def deep_network_grads(hidden: str, seed: int = 0) -> dict[str, np.ndarray]:
    """The gradients of the seven-layer network `DEEP` on 40 examples of two moons."""
    X, Y = ref_datasets.two_moons(40, noise=0.1, seed=seed)
    parameters = ref_network.initialize_parameters(DEEP, seed=seed)
    AL, caches = ref_network.model_forward(X, parameters, hidden)
    return ref_network.model_backward(AL, Y, caches, hidden)


def random_grads(rng: np.random.Generator, layer_dims: list[int]) -> dict[str, np.ndarray]:
    """Gradients of the shapes of a network with `layer_dims`, last layer's keys first."""
    grads = {}
    for layer in reversed(range(1, len(layer_dims))):
        grads[f"dW{layer}"] = rng.standard_normal((layer_dims[layer], layer_dims[layer - 1]))
        grads[f"db{layer}"] = rng.standard_normal((layer_dims[layer], 1))
    return grads


def _norm_cases(rng: np.random.Generator) -> list[Case]:
    return [
        Case(
            Text("random gradients, keys in any order"), {"grads": random_grads(rng, [3, 5, 4, 2])}
        ),
        Case(SIGMOID_NETWORK, {"grads": deep_network_grads("sigmoid")}),
    ]


def _vanish_cases(rng: np.random.Generator) -> list[Case]:
    sigmoid, relu = deep_network_grads("sigmoid"), deep_network_grads("relu")
    return [
        Case(SIGMOID_NETWORK, {"grads": sigmoid}),
        Case(RELU_NETWORK, {"grads": relu}),
        Case(Text("factor = 10000"), {"grads": sigmoid, "factor": 10000.0}),
    ]


def _explode_cases(rng: np.random.Generator) -> list[Case]:
    relu = deep_network_grads("relu")
    scaled = {**relu, "dW1": relu["dW1"] * 1000.0}
    broken = {**relu, "db2": np.where(np.arange(6).reshape(6, 1) == 3, np.nan, relu["db2"])}
    return [
        Case(RELU_NETWORK, {"grads": relu}),
        Case(Text("||dW1|| a thousand times larger"), {"grads": scaled}),
        Case(Text("a NaN in db2"), {"grads": broken}),
        Case(Text("factor = 10000"), {"grads": scaled, "factor": 10000.0}),
    ]


def _dead_cases(rng: np.random.Generator) -> list[Case]:
    Z = rng.uniform(0.1, 2.0, size=(5, 6)) * rng.choice([-1.0, 1.0], size=(5, 6))
    Z[0] = -np.abs(Z[0])  # dead
    Z[1] = -np.abs(Z[1])
    Z[1, 2] = 0.0  # dead too: z = 0 is not active
    Z[2] = -np.abs(Z[2])
    Z[2, 4] = 0.5  # alive for one example only
    Z[3] = np.abs(Z[3])
    return [
        Case(Text("dead units, living ones, one alive for a single example"), {"Z": Z}),
        Case(Text("one example (m = 1)"), {"Z": np.array([[-1.0], [0.0], [2.0], [-0.5]])}),
    ]


def _saturation_cases(rng: np.random.Generator) -> list[Case]:
    Z = rng.standard_normal((4, 6)) * 4.0
    return [
        Case(Text("sigmoid"), {"A": ref_activations.sigmoid(Z * 2.0), "activation": "sigmoid"}),
        Case(Text("tanh"), {"A": np.tanh(Z), "activation": "tanh"}),
        Case(
            Text("threshold = 0.1"),
            {"A": ref_activations.sigmoid(Z), "activation": "sigmoid", "threshold": 0.1},
        ),
    ]


# The statements of its functions: their docstrings in the handout.
GRADIENT_NORMS_STATEMENT = Text(
    """\
The size of every layer's weight gradient: ||dW[l]||_F = sqrt(Σ dW[l]²).

Args:
    grads: ``{"dW1": ..., "db1": ..., ..., "dWL": ..., "dbL": ...}``, in any order. The
        bias gradients are not counted.

Returns:
    norms: float64 array of shape ``(L,)``; ``norms[l - 1]`` is ||dW[l]||_F, so layer 1
    comes first."""
)
GRADIENTS_VANISH_STATEMENT = Text(
    """\
Whether the first layer's gradient has all but vanished: factor · ||dW[1]|| <= ||dW[L]||.

Args:
    grads: as for ``gradient_norms``.
    factor: how many times smaller ||dW[1]||_F must be than ||dW[L]||_F.

Returns:
    A bool."""
)
GRADIENTS_EXPLODE_STATEMENT = Text(
    """\
Whether the gradients explode: some entry is NaN or ±inf, or
||dW[1]|| >= factor · ||dW[L]||.

Args:
    grads: as for ``gradient_norms``; every entry counts, the ``db`` too.
    factor: how many times larger ||dW[1]||_F must be than ||dW[L]||_F.

Returns:
    A bool."""
)
DEAD_RELU_FRACTION_STATEMENT = Text(
    """\
The fraction of dead units of a ReLU layer: units whose Z is <= 0 for every example.

Args:
    Z: the layer's pre-activations, shape ``(n_l, m)``: one row per unit, one column per
        example.

Returns:
    A float in [0, 1]: the number of dead units divided by n_l."""
)
SATURATED_FRACTION_STATEMENT = Text(
    """\
The fraction of saturated entries of a sigmoid or tanh layer's output.

An entry is saturated when it lies within ``threshold`` of one of the activation's two
asymptotes: 0 and 1 for ``"sigmoid"``, -1 and 1 for ``"tanh"``.

Args:
    A: the layer's activations, shape ``(n_l, m)``.
    activation: ``"sigmoid"`` or ``"tanh"``.
    threshold: the distance to an asymptote that counts as saturated.

Returns:
    A float in [0, 1], over every unit and every example."""
)

EXERCISE = Exercise(
    id="diagnostics",
    order=130,
    module="diagnostics",
    points=5,
    title=Text("Diagnosing the pitfalls"),
    statement=Text(
        "Write the measures that diagnose a network's training: the norm of each layer's "
        "gradient, whether the gradients vanish or explode, the fraction of dead ReLU units "
        "and the fraction of saturated sigmoid or tanh units."
    ),
    hint=Text(
        "||dW[l]||_F = sqrt(Σ dW[l]²), layer 1 first, whatever the order of the keys. A ReLU "
        "unit is a row of Z, dead when Z <= 0 on every column; a sigmoid or tanh entry is "
        "saturated within the threshold of either asymptote."
    ),
    lecture=NORMS,
    contract=(
        Function(
            "gradient_norms",
            "(grads)",
            values("norms"),
            _norm_cases,
            statement=GRADIENT_NORMS_STATEMENT,
        ),
        Function(
            "gradients_vanish",
            "(grads, factor=100.0)",
            values("gradients_vanish"),
            _vanish_cases,
            depends_on=("gradient_norms",),
            statement=GRADIENTS_VANISH_STATEMENT,
        ),
        Function(
            "gradients_explode",
            "(grads, factor=100.0)",
            values("gradients_explode"),
            _explode_cases,
            depends_on=("gradient_norms",),
            lecture=Pointer(
                lecture.EXPLODING,
                N_(
                    "Large gradients add up from layer to layer until the updates blow up "
                    "into NaN: a NaN or an inf in the gradients is the sign."
                ),
            ),
            statement=GRADIENTS_EXPLODE_STATEMENT,
        ),
        Function(
            "dead_relu_fraction",
            "(Z)",
            values("fraction"),
            _dead_cases,
            lecture=Pointer(
                lecture.DEAD_NEURONS,
                N_(
                    "A ReLU unit whose Z is <= 0 for every example outputs 0 and gets no "
                    "gradient: it never learns again. Leaky ReLU avoids it."
                ),
            ),
            statement=DEAD_RELU_FRACTION_STATEMENT,
        ),
        Function(
            "saturated_fraction",
            "(A, activation, threshold=0.01)",
            values("fraction"),
            _saturation_cases,
            lecture=Pointer(
                lecture.SATURATION,
                N_(
                    "Sigmoid and tanh outputs near their asymptotes have a derivative near 0: "
                    "the unit learns almost nothing."
                ),
            ),
            statement=SATURATED_FRACTION_STATEMENT,
        ),
    ),
    mistakes=(
        KnownMistake(
            "squared_norms",
            N_(
                "Your norms are squared: ||dW||_F is the square root of the sum of the squares "
                "(np.linalg.norm(dW), or np.sqrt(np.sum(dW ** 2)))."
            ),
            label=N_("the norms are squared (no square root)"),
            lecture=NORMS,
        ),
        KnownMistake(
            "layers_in_dict_order",
            N_(
                "Your norms follow the order of the dictionary's keys (model_backward fills it "
                "from the last layer): norms[0] must be layer 1's, where vanishing gradients "
                "show. Go through dW1, dW2, ... by number."
            ),
            label=N_("the layers in the order of the dictionary, not by number"),
            lecture=NORMS,
        ),
        KnownMistake(
            "dead_any_example",
            N_(
                "Your fraction counts a unit as dead as soon as one example gives Z <= 0: a "
                "unit is dead only when Z <= 0 for every example (np.all(Z <= 0, axis=1))."
            ),
            label=N_("a unit counted as dead when one example leaves it inactive"),
            lecture=DEAD,
        ),
        KnownMistake(
            "dead_entries",
            N_(
                "Your fraction counts entries of Z, not units: a unit is a row of Z, dead when "
                "all of its entries are <= 0; divide the dead rows by the number of rows."
            ),
            label=N_("entries counted instead of units"),
            lecture=DEAD,
        ),
        KnownMistake(
            "one_asymptote",
            N_(
                "Your fraction counts only one asymptote: a %(activation)s unit also saturates "
                "near %(low)s, not only near %(high)s."
            ),
            label=N_("saturation counted at one asymptote only"),
            lecture=Pointer(
                lecture.SATURATION,
                N_(
                    "Sigmoid and tanh saturate at both ends: near 0 and 1 for sigmoid, near -1 "
                    "and 1 for tanh, the derivative is nearly 0."
                ),
            ),
        ),
    ),
)
