"""The exercises, as data.

Each `Exercise` names the functions of STUDENT_API.md it covers, the module they live
in, its points, and what a student reads about it (titles and hints in French and
English). The hidden suites tag every test with its exercise and points
(``@pytest.mark.graded(exercise="sigmoid", points=1, en=..., fr=...)``); a test in the
project checks that the points of an exercise's tests add up to its `points`.

Adding an exercise: write it in `solutions/` and `reference/`, add its tests to a hidden
suite, add an entry here. Nothing else changes.
"""

from __future__ import annotations

from dataclasses import dataclass

from grader.errors import UsageError

MODULES: tuple[str, ...] = ("activations", "losses", "network", "model")


@dataclass(frozen=True)
class Exercise:
    """One graded exercise.

    Attributes:
        id: stable identifier used in result documents and gradebook columns.
        module: the student module that holds the functions (one of `MODULES`).
        functions: the student functions this exercise grades, in the order taught.
        points: the exercise's maximum score.
        title: ``{"en": ..., "fr": ...}``.
        hint: what to read again when it fails, ``{"en": ..., "fr": ...}``.
        depends_on: exercise ids whose functions this one calls (for the report).
    """

    id: str
    module: str
    functions: tuple[str, ...]
    points: float
    title: dict[str, str]
    hint: dict[str, str]
    depends_on: tuple[str, ...] = ()


EXERCISES: tuple[Exercise, ...] = (
    Exercise(
        id="sigmoid",
        module="activations",
        functions=("sigmoid", "sigmoid_backward"),
        points=4,
        title={"en": "Sigmoid and its derivative", "fr": "Sigmoïde et sa dérivée"},
        hint={
            "en": "σ(z) = 1/(1+e^-z) and σ'(z) = σ(z)(1-σ(z)): the derivative uses σ(Z), "
            "not Z. For large |z| the sigmoid saturates; compute it without overflow.",
            "fr": "σ(z) = 1/(1+e^-z) et σ'(z) = σ(z)(1-σ(z)) : la dérivée utilise σ(Z), "
            "pas Z. Pour |z| grand la sigmoïde sature ; calculez-la sans dépassement.",
        },
    ),
    Exercise(
        id="tanh",
        module="activations",
        functions=("tanh", "tanh_backward"),
        points=3,
        title={"en": "Hyperbolic tangent", "fr": "Tangente hyperbolique"},
        hint={
            "en": "tanh'(z) = 1 - tanh(z)²; multiply by the upstream gradient dA.",
            "fr": "tanh'(z) = 1 - tanh(z)² ; multipliez par le gradient amont dA.",
        },
    ),
    Exercise(
        id="relu",
        module="activations",
        functions=("relu", "relu_backward"),
        points=3,
        title={"en": "ReLU", "fr": "ReLU"},
        hint={
            "en": "ReLU passes dA where Z > 0 and blocks it where Z < 0. A unit whose Z is "
            "negative for every example is a dead neuron: it no longer learns.",
            "fr": "ReLU laisse passer dA là où Z > 0 et le bloque là où Z < 0. Une unité dont "
            "Z est négatif pour tous les exemples est un neurone mort : il n'apprend plus.",
        },
    ),
    Exercise(
        id="leaky_relu",
        module="activations",
        functions=("leaky_relu", "leaky_relu_backward"),
        points=3,
        title={"en": "Leaky ReLU", "fr": "Leaky ReLU"},
        hint={
            "en": "For Z < 0 Leaky ReLU returns alpha·Z and its derivative is alpha: the unit "
            "never dies completely. Respect the `alpha` argument.",
            "fr": "Pour Z < 0, Leaky ReLU renvoie alpha·Z et sa dérivée vaut alpha : l'unité "
            "ne meurt jamais complètement. Respectez l'argument `alpha`.",
        },
    ),
    Exercise(
        id="softmax",
        module="activations",
        functions=("softmax", "softmax_backward"),
        points=5,
        title={"en": "Softmax", "fr": "Softmax"},
        hint={
            "en": "Softmax works per column (axis 0). Subtract each column's max before exp "
            "to avoid overflow; the backward is S * (dA - Σ_rows(dA * S)).",
            "fr": "Softmax agit par colonne (axe 0). Soustrayez le max de chaque colonne avant "
            "exp pour éviter le dépassement ; la rétropropagation vaut "
            "S * (dA - Σ_lignes(dA * S)).",
        },
        depends_on=(),
    ),
    Exercise(
        id="binary_cross_entropy",
        module="losses",
        functions=("binary_cross_entropy", "binary_cross_entropy_backward"),
        points=4,
        title={"en": "Binary cross-entropy", "fr": "Entropie croisée binaire"},
        hint={
            "en": "The cost is the mean over the m columns; its derivative is per example "
            "(no 1/m: linear_backward applies it).",
            "fr": "Le coût est la moyenne sur les m colonnes ; sa dérivée est par exemple "
            "(pas de 1/m : linear_backward l'applique).",
        },
    ),
    Exercise(
        id="categorical_cross_entropy",
        module="losses",
        functions=(
            "categorical_cross_entropy",
            "categorical_cross_entropy_backward",
            "softmax_cross_entropy_backward",
        ),
        points=4,
        title={"en": "Categorical cross-entropy", "fr": "Entropie croisée catégorielle"},
        hint={
            "en": "Sum over the class rows, mean over the m columns. With softmax, "
            "dZ[L] = A[L] - Y.",
            "fr": "Somme sur les lignes de classes, moyenne sur les m colonnes. Avec softmax, "
            "dZ[L] = A[L] - Y.",
        },
    ),
    Exercise(
        id="initialization",
        module="network",
        functions=("initialize_parameters",),
        points=2,
        title={"en": "Parameter initialisation", "fr": "Initialisation des paramètres"},
        hint={
            "en": "W[l] has shape (n_l, n_{l-1}), drawn in layer order from "
            "default_rng(seed) and scaled by sqrt(2 / n_{l-1}); b[l] is zeros (n_l, 1).",
            "fr": "W[l] a la forme (n_l, n_{l-1}), tiré dans l'ordre des couches avec "
            "default_rng(seed) et multiplié par sqrt(2 / n_{l-1}) ; b[l] vaut zéro (n_l, 1).",
        },
    ),
    Exercise(
        id="forward",
        module="network",
        functions=("linear_forward", "linear_activation_forward", "model_forward"),
        points=6,
        title={"en": "Forward propagation", "fr": "Propagation avant"},
        hint={
            "en": "Z[l] = W[l]·A[l-1] + b[l] with one example per column; hidden layers use "
            "the hidden activation, the last layer the output activation.",
            "fr": "Z[l] = W[l]·A[l-1] + b[l] avec un exemple par colonne ; les couches cachées "
            "utilisent l'activation cachée, la dernière l'activation de sortie.",
        },
        depends_on=("sigmoid", "tanh", "relu", "leaky_relu", "softmax"),
    ),
    Exercise(
        id="backward",
        module="network",
        functions=("linear_backward", "linear_activation_backward", "model_backward"),
        points=10,
        title={"en": "Backward propagation", "fr": "Rétropropagation"},
        hint={
            "en": "dW[l] = (1/m) dZ[l]·A[l-1]^T, db[l] = (1/m) Σ_columns dZ[l] with shape "
            "(n_l, 1), dA[l-1] = W[l]^T·dZ[l]. Many layers of sigmoid make the first "
            "layers' gradients vanish.",
            "fr": "dW[l] = (1/m) dZ[l]·A[l-1]^T, db[l] = (1/m) Σ_colonnes dZ[l] de forme "
            "(n_l, 1), dA[l-1] = W[l]^T·dZ[l]. Beaucoup de couches sigmoïdes font "
            "disparaître le gradient des premières couches.",
        },
        depends_on=("forward", "binary_cross_entropy", "categorical_cross_entropy"),
    ),
    Exercise(
        id="update",
        module="network",
        functions=("update_parameters",),
        points=2,
        title={"en": "Gradient descent step", "fr": "Pas de descente de gradient"},
        hint={
            "en": "W ← W - η dW and b ← b - η db, for every layer; return the parameters.",
            "fr": "W ← W - η dW et b ← b - η db, pour chaque couche ; renvoyez les paramètres.",
        },
    ),
    Exercise(
        id="training",
        module="model",
        functions=("train", "predict"),
        points=4,
        title={"en": "Training and prediction", "fr": "Entraînement et prédiction"},
        hint={
            "en": "costs[i] is the cost before update i. predict thresholds a sigmoid output "
            "at 0.5 and takes the argmax over rows for softmax; it returns ints of shape (1, m).",
            "fr": "costs[i] est le coût avant la mise à jour i. predict seuille une sortie "
            "sigmoïde à 0,5 et prend l'argmax sur les lignes pour softmax ; il renvoie des "
            "entiers de forme (1, m).",
        },
        depends_on=("forward", "backward", "update"),
    ),
)

_BY_ID = {exercise.id: exercise for exercise in EXERCISES}


def get_exercise(exercise_id: str) -> Exercise:
    """Return the exercise called `exercise_id`, or fail by listing the valid ids."""
    try:
        return _BY_ID[exercise_id]
    except KeyError:
        valid = ", ".join(sorted(_BY_ID))
        raise UsageError(f"Unknown exercise {exercise_id!r}; the exercises are: {valid}.") from None


def all_functions() -> tuple[str, ...]:
    """Every student function of STUDENT_API.md, in catalog order."""
    return tuple(name for exercise in EXERCISES for name in exercise.functions)


def module_of(function: str) -> str:
    """The student module that defines `function`, e.g. ``"relu"`` -> ``"activations"``."""
    for exercise in EXERCISES:
        if function in exercise.functions:
            return exercise.module
    raise UsageError(f"{function!r} is not a function of the exercise contract.")


def max_score() -> float:
    """The assignment's total points."""
    return float(sum(exercise.points for exercise in EXERCISES))
