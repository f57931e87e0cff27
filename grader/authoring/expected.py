"""The handout's expected values: fixed inputs, and the oracle's outputs on them, as data.

`build_expected(oracle)` calls the oracle (the `reference` package at release) on seeded
inputs and returns a JSON-ready document that the public checks read:

    {"format": 1, "oracle": "reference", "functions": [...], "hints": {f: {"en", "fr"}},
     "cases": {f: [{"label": {"en", "fr"}, "args": {...}, "expected": ...,
                    "gradient": bool, "stability": bool}, ...]}}

Arrays are stored as ``{"__ndarray__": dtype, "shape", "data"}`` (see
`grader.public.numerics.encode`). Inputs of gradient cases sit away from kinks (|Z| >= 0.05
before a ReLU), so the checks' central differences are accurate.
"""

from __future__ import annotations

import importlib
from types import ModuleType, SimpleNamespace
from typing import Any

import numpy as np

from grader.catalog import EXERCISES, all_functions
from grader.errors import UsageError
from grader.gradcheck import sample_away_from_kinks
from grader.public.numerics import encode

FORMAT = 1
SEED = 20240917
KINK_MARGIN = 0.05

Label = dict[str, str]

RANDOM: Label = {"en": "random inputs", "fr": "entrées aléatoires"}
ONE_EXAMPLE: Label = {"en": "one example (m = 1)", "fr": "un seul exemple (m = 1)"}
EDGES: Label = {"en": "exact zeros and one example", "fr": "zéros exacts et un seul exemple"}
LARGE: Label = {"en": "large |Z|: ±1000", "fr": "|Z| grand : ±1000"}
SOFTMAX_LARGE: Label = {"en": "Z = [[1000], [5000], [6000]]", "fr": "Z = [[1000], [5000], [6000]]"}
ONE_CLASS: Label = {"en": "a single class row", "fr": "une seule ligne de classe"}
ALPHA: Label = {"en": "alpha = 0.2", "fr": "alpha = 0,2"}
SATURATED: Label = {
    "en": "AL at 1e-12 and 1 - 1e-12",
    "fr": "AL à 1e-12 et 1 - 1e-12",
}


def load_oracle(package: str = "reference") -> SimpleNamespace:
    """The four modules of the oracle package (``reference`` or ``solutions``)."""
    try:
        modules = {
            name: importlib.import_module(f"{package}.{name}")
            for name in ("activations", "losses", "network", "model")
        }
    except ImportError as error:
        raise UsageError(
            f"The oracle package {package!r} cannot be imported ({error}); install nngrade "
            f"from its repository (pip install -e .) so that it is available."
        ) from None
    return SimpleNamespace(name=package, **modules)


def _case(
    label: Label,
    args: dict[str, Any],
    expected: Any,
    *,
    gradient: bool = False,
    stability: bool = False,
    **extra: Any,
) -> dict[str, Any]:
    return {
        "label": label,
        "args": encode(args),
        "expected": encode(expected),
        "gradient": gradient,
        "stability": stability,
        **{key: encode(value) for key, value in extra.items()},
    }


def _away_from_zero(rng: np.random.Generator, shape: tuple[int, ...]) -> np.ndarray:
    """Random entries with |z| in [0.1, 2]: no kink of ReLU within finite-difference reach."""
    return sample_away_from_kinks(rng, shape, margin=0.1, scale=2.0)


def _one_hot(rng: np.random.Generator, classes: int, m: int) -> np.ndarray:
    return np.eye(classes)[:, rng.integers(0, classes, size=m)]


def _activation_cases(oracle: SimpleNamespace, rng: np.random.Generator) -> dict[str, list]:
    act: ModuleType = oracle.activations
    cases: dict[str, list] = {}
    for name in ("sigmoid", "tanh", "relu", "leaky_relu", "softmax"):
        forward, backward = getattr(act, name), getattr(act, f"{name}_backward")
        Z = rng.standard_normal((4, 3)) * 2.0
        edges = np.array([[-2.0], [0.0], [3.0]])
        forward_cases = [
            _case(RANDOM, {"Z": Z}, forward(Z)),
            _case(EDGES, {"Z": edges}, forward(edges)),
        ]
        if name == "softmax":
            large = np.array([[1000.0], [5000.0], [6000.0]])
            one_row = rng.standard_normal((1, 3))
            forward_cases.append(_case(SOFTMAX_LARGE, {"Z": large}, forward(large), stability=True))
            forward_cases.append(_case(ONE_CLASS, {"Z": one_row}, forward(one_row)))
        else:
            large = np.array([[-1000.0, 1000.0]])
            forward_cases.append(_case(LARGE, {"Z": large}, forward(large), stability=True))
        if name == "leaky_relu":
            forward_cases.append(_case(ALPHA, {"Z": Z, "alpha": 0.2}, forward(Z, 0.2)))
        cases[name] = forward_cases

        Z, dA = _away_from_zero(rng, (3, 4)), rng.standard_normal((3, 4))
        backward_cases = [_case(RANDOM, {"dA": dA, "Z": Z}, backward(dA, Z), gradient=True)]
        z1, dA1 = _away_from_zero(rng, (3, 1)), rng.standard_normal((3, 1))
        backward_cases.append(_case(ONE_EXAMPLE, {"dA": dA1, "Z": z1}, backward(dA1, z1)))
        if name == "leaky_relu":
            args = {"dA": dA, "Z": Z, "alpha": 0.2}
            backward_cases.append(_case(ALPHA, args, backward(dA, Z, 0.2), gradient=True))
        cases[f"{name}_backward"] = backward_cases
    return cases


def _loss_cases(oracle: SimpleNamespace, rng: np.random.Generator) -> dict[str, list]:
    loss: ModuleType = oracle.losses
    AL = rng.uniform(0.05, 0.95, size=(1, 5))
    Y = rng.integers(0, 2, size=(1, 5)).astype(np.float64)
    saturated = np.array([[1e-12, 1.0 - 1e-12, 1e-12, 1.0 - 1e-12]])
    Y_saturated = np.array([[0.0, 1.0, 1.0, 0.0]])
    Z = rng.standard_normal((3, 5))
    probabilities = oracle.activations.softmax(Z)
    Y_hot = _one_hot(rng, 3, 5)
    cce_saturated = np.array([[1e-12, 1.0 - 2e-12], [1.0 - 2e-12, 1e-12], [1e-12, 1e-12]])
    Y_hot_saturated = np.array([[1.0, 0.0], [0.0, 1.0], [0.0, 0.0]])

    def pair(AL: np.ndarray, Y: np.ndarray) -> dict[str, np.ndarray]:
        return {"AL": AL, "Y": Y}

    bce, cce = loss.binary_cross_entropy, loss.categorical_cross_entropy
    return {
        "binary_cross_entropy": [
            _case(RANDOM, pair(AL, Y), bce(AL, Y)),
            _case(
                SATURATED, pair(saturated, Y_saturated), bce(saturated, Y_saturated), stability=True
            ),
        ],
        "binary_cross_entropy_backward": [
            _case(RANDOM, pair(AL, Y), loss.binary_cross_entropy_backward(AL, Y), gradient=True)
        ],
        "categorical_cross_entropy": [
            _case(RANDOM, pair(probabilities, Y_hot), cce(probabilities, Y_hot)),
            _case(
                SATURATED,
                pair(cce_saturated, Y_hot_saturated),
                cce(cce_saturated, Y_hot_saturated),
                stability=True,
            ),
        ],
        "categorical_cross_entropy_backward": [
            _case(
                RANDOM,
                pair(probabilities, Y_hot),
                loss.categorical_cross_entropy_backward(probabilities, Y_hot),
                gradient=True,
            )
        ],
        "softmax_cross_entropy_backward": [
            _case(
                RANDOM,
                pair(probabilities, Y_hot),
                loss.softmax_cross_entropy_backward(probabilities, Y_hot),
                gradient=True,
                Z=Z,
            )
        ],
    }


def _layer_inputs(
    rng: np.random.Generator, n_prev: int, n: int, m: int
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """A_prev, W, b whose Z = W·A_prev + b stays at least KINK_MARGIN away from 0."""
    while True:
        A_prev = rng.standard_normal((n_prev, m))
        W = rng.standard_normal((n, n_prev))
        b = rng.standard_normal((n, 1)) * 0.5
        if np.min(np.abs(W @ A_prev + b)) >= KINK_MARGIN:
            return A_prev, W, b


def _network_inputs(
    oracle: SimpleNamespace,
    rng: np.random.Generator,
    layer_dims: list[int],
    m: int,
    seed: int,
) -> tuple[np.ndarray, dict[str, np.ndarray]]:
    """X and parameters whose hidden pre-activations all stay away from 0."""
    while True:
        X = rng.standard_normal((layer_dims[0], m))
        parameters = oracle.network.initialize_parameters(layer_dims, seed)
        for l in range(1, len(layer_dims)):  # noqa: E741 (the lecture's layer index)
            parameters[f"b{l}"] = rng.standard_normal((layer_dims[l], 1)) * 0.1
        A, far_from_kinks = X, True
        for l in range(1, len(layer_dims)):  # noqa: E741
            Z = parameters[f"W{l}"] @ A + parameters[f"b{l}"]
            far_from_kinks &= bool(np.min(np.abs(Z)) >= KINK_MARGIN)
            A = np.tanh(Z)  # any activation: only the margin of Z matters
        if far_from_kinks:
            return X, parameters


def _network_cases(oracle: SimpleNamespace, rng: np.random.Generator) -> dict[str, list]:
    net: ModuleType = oracle.network
    cases: dict[str, list] = {}
    cases["initialize_parameters"] = [
        _case(RANDOM, {"layer_dims": dims, "seed": seed}, net.initialize_parameters(dims, seed))
        for dims, seed in (([3, 4, 2], 0), ([5, 1], 7), ([2, 3, 3, 1], 11))
    ]

    A_prev, W, b = _layer_inputs(rng, 3, 2, 4)
    a1, w1, b1 = _layer_inputs(rng, 3, 2, 1)
    cases["linear_forward"] = [
        _case(RANDOM, {"A_prev": A_prev, "W": W, "b": b}, net.linear_forward(A_prev, W, b)[0]),
        _case(ONE_EXAMPLE, {"A_prev": a1, "W": w1, "b": b1}, net.linear_forward(a1, w1, b1)[0]),
    ]
    dZ = rng.standard_normal((2, 4))
    dZ1 = rng.standard_normal((2, 1))
    cases["linear_backward"] = [
        _linear_backward_case(net, RANDOM, A_prev, W, b, dZ, gradient=True),
        _linear_backward_case(net, ONE_EXAMPLE, a1, w1, b1, dZ1, gradient=False),
    ]

    forward_cases, backward_cases = [], []
    for activation in ("sigmoid", "tanh", "relu", "leaky_relu", "softmax"):
        A_prev, W, b = _layer_inputs(rng, 3, 3, 4)
        label = {"en": f"activation {activation!r}", "fr": f"activation {activation!r}"}
        args = {"A_prev": A_prev, "W": W, "b": b, "activation": activation}
        A, cache = net.linear_activation_forward(A_prev, W, b, activation)
        forward_cases.append(_case(label, args, A))
        dA = rng.standard_normal(A.shape)
        dA_prev, dW, db = net.linear_activation_backward(dA, cache, activation)
        expected = {"dA_prev": dA_prev, "dW": dW, "db": db}
        backward_cases.append(_case(label, {**args, "dA": dA}, expected, gradient=True))
    cases["linear_activation_forward"] = forward_cases
    cases["linear_activation_backward"] = backward_cases

    model_forward_cases, model_backward_cases = [], []
    for dims, hidden, output, m in (
        ([3, 4, 1], "relu", "sigmoid", 5),
        ([3, 4, 3], "leaky_relu", "softmax", 5),
        ([3, 3, 2, 1], "tanh", "sigmoid", 4),
        ([4, 1], "relu", "sigmoid", 3),
    ):
        X, parameters = _network_inputs(oracle, rng, dims, m, seed=len(model_forward_cases))
        label = {
            "en": f"layers {dims}, {hidden} then {output}",
            "fr": f"couches {dims}, {hidden} puis {output}",
        }
        forward_args = {
            "X": X,
            "parameters": parameters,
            "hidden_activation": hidden,
            "output_activation": output,
        }
        AL, caches = net.model_forward(X, parameters, hidden, output)
        model_forward_cases.append(_case(label, forward_args, AL))
        Y = _one_hot(rng, dims[-1], m) if output == "softmax" else _binary(rng, m)
        grads = net.model_backward(AL, Y, caches, hidden, output)
        model_backward_cases.append(_case(label, {**forward_args, "Y": Y}, grads, gradient=True))
    cases["model_forward"] = model_forward_cases
    cases["model_backward"] = model_backward_cases

    parameters = net.initialize_parameters([3, 4, 1], 3)
    grads = {f"d{key}": rng.standard_normal(value.shape) for key, value in parameters.items()}
    args = {"parameters": parameters, "grads": grads, "learning_rate": 0.1}
    updated = net.update_parameters(_copy(parameters), grads, 0.1)
    cases["update_parameters"] = [_case(RANDOM, args, updated)]
    return cases


def _linear_backward_case(
    net: ModuleType,
    label: Label,
    A_prev: np.ndarray,
    W: np.ndarray,
    b: np.ndarray,
    dZ: np.ndarray,
    *,
    gradient: bool,
) -> dict[str, Any]:
    _, cache = net.linear_forward(A_prev, W, b)
    dA_prev, dW, db = net.linear_backward(dZ, cache)
    args = {"A_prev": A_prev, "W": W, "b": b, "dZ": dZ}
    return _case(label, args, {"dA_prev": dA_prev, "dW": dW, "db": db}, gradient=gradient)


def _binary(rng: np.random.Generator, m: int) -> np.ndarray:
    return rng.integers(0, 2, size=(1, m)).astype(np.float64)


def _copy(parameters: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
    return {key: value.copy() for key, value in parameters.items()}


def _model_cases(oracle: SimpleNamespace, rng: np.random.Generator) -> dict[str, list]:
    model: ModuleType = oracle.model
    train_cases, predict_cases = [], []
    for dims, hidden, output, iterations in (
        ([2, 3, 1], "relu", "sigmoid", 5),
        ([2, 4, 3], "tanh", "softmax", 4),
    ):
        m = 6
        X = rng.standard_normal((2, m))
        Y = _one_hot(rng, dims[-1], m) if output == "softmax" else _binary(rng, m)
        parameters = oracle.network.initialize_parameters(dims, 1)
        label = {
            "en": f"layers {dims}, {hidden} then {output}",
            "fr": f"couches {dims}, {hidden} puis {output}",
        }
        args = {
            "X": X,
            "Y": Y,
            "parameters": parameters,
            "learning_rate": 0.5,
            "num_iterations": iterations,
            "hidden_activation": hidden,
            "output_activation": output,
        }
        trained, costs = model.train(X, Y, _copy(parameters), 0.5, iterations, hidden, output)
        expected = {"parameters": trained, "costs": [float(cost) for cost in costs]}
        train_cases.append(_case(label, args, expected))
        predict_args = {
            "X": X,
            "parameters": trained,
            "hidden_activation": hidden,
            "output_activation": output,
        }
        predicted = np.asarray(model.predict(X, trained, hidden, output)).astype(np.int64)
        predict_cases.append(_case(label, predict_args, predicted))
    return {"train": train_cases, "predict": predict_cases}


def function_hints() -> dict[str, dict[str, str]]:
    """Each function's hint, from the catalog of exercises."""
    return {
        function: dict(exercise.hint) for exercise in EXERCISES for function in exercise.functions
    }


def build_expected(oracle: SimpleNamespace) -> dict[str, Any]:
    """The expected-values document for the handout, computed with `oracle`."""
    rng = np.random.default_rng(SEED)
    with np.errstate(over="ignore"):  # the textbook sigmoid may warn at ±1000: tolerated
        cases = {
            **_activation_cases(oracle, rng),
            **_loss_cases(oracle, rng),
            **_network_cases(oracle, rng),
            **_model_cases(oracle, rng),
        }
    functions = list(all_functions())
    missing = sorted(set(functions) - set(cases))
    if missing:
        raise UsageError(f"No public cases are defined for {', '.join(missing)}; add them here.")
    return {
        "format": FORMAT,
        "oracle": oracle.name,
        "functions": functions,
        "hints": function_hints(),
        "cases": {function: cases[function] for function in functions},
    }
