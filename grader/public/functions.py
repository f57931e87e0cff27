"""The public checks of each student function, and what each function builds on.

A check receives a `Checker` and the function's cases from ``expected.json`` (decoded:
``{"label", "args", "expected", "gradient"?, "stability"?}``) and raises `Failure` at the
first problem. Every backward is checked against central differences of the student's
**own** forward; `model_backward` against the mean cost through their `model_forward`.
Where a 1/m belongs in a result (costs, their derivatives, dW and db) the checks pass m,
the number of columns, and activation backwards pass dA, so that a wrong result can be
named: m times too large, the local derivative without dA, and so on.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from .checking import Checker

Case = dict[str, Any]
Check = Callable[[Checker, list[Case]], None]

ACTIVATIONS = ("sigmoid", "tanh", "relu", "leaky_relu", "softmax")
LOSSES = ("binary_cross_entropy", "categorical_cross_entropy")

# What a function calls (directly) in the taught solution: when it fails while one of
# these does not pass, the report tells the student to fix that one first.
DEPENDS_ON: dict[str, tuple[str, ...]] = {
    **{f"{name}_backward": (name,) for name in ACTIVATIONS},
    **{f"{name}_backward": (name,) for name in LOSSES},
    "softmax_cross_entropy_backward": ("softmax", "categorical_cross_entropy"),
    "linear_activation_forward": ("linear_forward", *ACTIVATIONS),
    "model_forward": ("linear_activation_forward",),
    "linear_backward": ("linear_forward",),
    "linear_activation_backward": (
        "linear_backward",
        "linear_activation_forward",
        *(f"{name}_backward" for name in ACTIVATIONS),
    ),
    "model_backward": (
        "model_forward",
        "linear_activation_backward",
        *LOSSES,
        *(f"{name}_backward" for name in LOSSES),
        "softmax_cross_entropy_backward",
    ),
    "train": ("model_forward", "model_backward", "update_parameters", *LOSSES),
    "predict": ("model_forward",),
}


def _cost_of(output_activation: str) -> str:
    return "categorical_cross_entropy" if output_activation == "softmax" else "binary_cross_entropy"


def _cases(checker: Checker, cases: list[Case]):
    """Iterate over the cases, telling the checker which one is running."""
    for case in cases:
        checker.case = case["label"].get(checker.lang, case["label"]["en"])
        checker.stability = bool(case.get("stability"))
        yield case


def check_activation(name: str) -> Check:
    """The check of an activation's forward: values, shape, dtype, stability."""

    def check(checker: Checker, cases: list[Case]) -> None:
        for case in _cases(checker, cases):
            checker.array(checker.call(name, case["args"]), case["expected"], "A")

    return check


def check_activation_backward(forward: str) -> Check:
    """The check of an activation's backward: values, then dA·g'(Z) by finite differences."""
    name = f"{forward}_backward"

    def check(checker: Checker, cases: list[Case]) -> None:
        for case in _cases(checker, cases):
            args = case["args"]
            dZ = checker.array(checker.call(name, args), case["expected"], "dZ", dA=args["dA"])
            if case.get("gradient"):
                dA, extra = args["dA"], [v for k, v in args.items() if k not in ("dA", "Z")]

                _check_activation_gradient(checker, forward, dZ, args["Z"], dA, extra)

    return check


def _check_activation_gradient(
    checker: Checker,
    forward: str,
    dZ: np.ndarray,
    Z: np.ndarray,
    dA: np.ndarray,
    extra: list[Any],
) -> None:
    """dZ = ∂/∂Z Σ dA * forward(Z): the chain rule, entry by entry (softmax: per column)."""

    def weighted_output(point: np.ndarray) -> float:
        return float(np.sum(dA * checker.quiet_call(forward, point, *extra)))

    checker.gradient(dZ, weighted_output, Z, "dZ", forward, dA=dA)


def check_cost(name: str) -> Check:
    """The check of a cost: a float, the mean over the examples."""

    def check(checker: Checker, cases: list[Case]) -> None:
        for case in _cases(checker, cases):
            m = case["args"]["Y"].shape[1]
            checker.number(checker.call(name, case["args"]), case["expected"], "cost", m=m)

    return check


def check_cost_backward(cost: str) -> Check:
    """The check of a cost's derivative: values, then m times the gradient of the mean cost."""
    name = f"{cost}_backward"

    def check(checker: Checker, cases: list[Case]) -> None:
        for case in _cases(checker, cases):
            m = case["args"]["Y"].shape[1]
            dAL = checker.array(checker.call(name, case["args"]), case["expected"], "dAL", m=m)
            if case.get("gradient"):
                _check_cost_gradient(checker, cost, dAL, case["args"]["AL"], case["args"]["Y"])

    return check


def _check_cost_gradient(
    checker: Checker, cost: str, dAL: np.ndarray, AL: np.ndarray, Y: np.ndarray
) -> None:
    m = Y.shape[1]  # the cost is a mean; its derivative is per example
    checker.gradient(dAL, lambda A: m * checker.quiet_call(cost, A, Y), AL, "dAL", cost, m=m)


def check_softmax_cross_entropy_backward(checker: Checker, cases: list[Case]) -> None:
    """Values of AL - Y, then the gradient of the cost of softmax(Z) with respect to Z."""
    name = "softmax_cross_entropy_backward"
    for case in _cases(checker, cases):
        m = case["args"]["Y"].shape[1]
        checker.array(checker.call(name, case["args"]), case["expected"], "dZL", m=m)
        if "Z" in case:
            _check_softmax_cross_entropy_gradient(checker, case["Z"], case["args"]["Y"])


def _check_softmax_cross_entropy_gradient(checker: Checker, Z: np.ndarray, Y: np.ndarray) -> None:
    m = Y.shape[1]
    dZL = checker.call(
        "softmax_cross_entropy_backward", {"AL": checker.quiet_call("softmax", Z), "Y": Y}
    )

    def cost_of_scores(scores: np.ndarray) -> float:
        probabilities = checker.quiet_call("softmax", scores)
        return m * checker.quiet_call("categorical_cross_entropy", probabilities, Y)

    checker.gradient(dZL, cost_of_scores, Z, "dZL", "softmax + categorical_cross_entropy", m=m)


def check_initialize_parameters(checker: Checker, cases: list[Case]) -> None:
    """Shapes and values of every W[l] and b[l]."""
    for case in _cases(checker, cases):
        got = checker.call("initialize_parameters", case["args"])
        checker.arrays(got, case["expected"], "parameters")


def check_layer_forward(name: str, outputs: tuple[str, str]) -> Check:
    """The check of a forward returning ``(output, cache)``: the output's values."""

    def check(checker: Checker, cases: list[Case]) -> None:
        for case in _cases(checker, cases):
            output, _ = checker.tuple_of(checker.call(name, case["args"]), outputs)
            checker.array(output, case["expected"], outputs[0])

    return check


def check_layer_backward(name: str, forward: str, upstream: str) -> Check:
    """The check of `linear_backward` or `linear_activation_backward`.

    The cache comes from the student's own forward. Finite differences of
    Σ upstream * forward(A_prev, W, b) give dA_prev directly and m·dW, m·db.
    """

    def check(checker: Checker, cases: list[Case]) -> None:
        for case in _cases(checker, cases):
            args = dict(case["args"])
            gradient_in = args.pop(upstream)
            forward_args = args  # A_prev, W, b (and activation)
            _, cache = checker.tuple_of(checker.call(forward, forward_args), ("output", "cache"))
            got = checker.call(name, {upstream: gradient_in, "cache": cache, **_extra(args)})
            dA_prev, dW, db = checker.tuple_of(got, ("dA_prev", "dW", "db"))
            expected, m = case["expected"], args["A_prev"].shape[1]
            checker.array(dA_prev, expected["dA_prev"], "dA_prev")  # no 1/m in dA_prev
            checker.array(dW, expected["dW"], "dW", m=m)
            checker.array(db, expected["db"], "db", m=m)
            if case.get("gradient"):
                grads = {"A_prev": dA_prev, "W": dW, "b": db}
                _check_layer_gradient(checker, forward, forward_args, gradient_in, grads)

    return check


def _check_layer_gradient(
    checker: Checker,
    forward: str,
    forward_args: dict[str, Any],
    upstream: np.ndarray,
    grads: dict[str, np.ndarray],
) -> None:
    """dA_prev = ∂/∂A_prev Σ upstream * output; dW and db carry the 1/m of the mean."""
    m = forward_args["A_prev"].shape[1]
    for key, scale in (("A_prev", 1.0), ("W", m), ("b", m)):

        def weighted_output(value: np.ndarray, key: str = key, scale: float = scale) -> float:
            varied = {**forward_args, key: value}
            output, _ = checker.quiet_call(forward, *varied.values())
            return float(np.sum(upstream * output)) / scale

        checker.gradient(
            grads[key],
            weighted_output,
            forward_args[key],
            f"d{key}",
            forward,
            m=None if key == "A_prev" else m,
        )


def _extra(args: dict[str, Any]) -> dict[str, Any]:
    """The arguments after the cache (the activation name of linear_activation_backward)."""
    return {key: value for key, value in args.items() if key == "activation"}


def check_model_backward(checker: Checker, cases: list[Case]) -> None:
    """Values of every gradient, then each against the mean cost through `model_forward`."""
    for case in _cases(checker, cases):
        args = case["args"]
        X, Y, parameters = args["X"], args["Y"], args["parameters"]
        hidden, output = args["hidden_activation"], args["output_activation"]
        forward_args = {
            "X": X,
            "parameters": parameters,
            "hidden_activation": hidden,
            "output_activation": output,
        }
        AL, caches = checker.tuple_of(checker.call("model_forward", forward_args), ("AL", "caches"))
        grads = checker.call(
            "model_backward",
            {
                "AL": AL,
                "Y": Y,
                "caches": caches,
                "hidden_activation": hidden,
                "output_activation": output,
            },
        )
        checker.arrays(grads, case["expected"], "grads", m=X.shape[1])
        if case.get("gradient"):
            _check_model_gradient(checker, forward_args, Y, grads)


def _check_model_gradient(
    checker: Checker, forward_args: dict[str, Any], Y: np.ndarray, grads: dict[str, Any]
) -> None:
    """Every dW[l], db[l] against central differences of the mean cost."""
    X, parameters = forward_args["X"], forward_args["parameters"]
    hidden, output = forward_args["hidden_activation"], forward_args["output_activation"]
    cost, m = _cost_of(output), X.shape[1]
    for key, value in parameters.items():

        def mean_cost(varied: np.ndarray, key: str = key) -> float:
            trial = {**parameters, key: varied}
            trial_AL, _ = checker.quiet_call("model_forward", X, trial, hidden, output)
            return checker.quiet_call(cost, trial_AL, Y)

        checker.gradient(grads[f"d{key}"], mean_cost, value, f"grads['d{key}']", cost, m=m)


def check_update_parameters(checker: Checker, cases: list[Case]) -> None:
    """Values of the parameters after one step (updating in place is allowed)."""
    for case in _cases(checker, cases):
        got = checker.call("update_parameters", case["args"])
        checker.arrays(got, case["expected"], "parameters")


def check_train(checker: Checker, cases: list[Case]) -> None:
    """The costs before each update and the final parameters, on a few iterations."""
    for case in _cases(checker, cases):
        got = checker.call("train", case["args"])
        parameters, costs = checker.tuple_of(got, ("parameters", "costs"))
        expected = case["expected"]
        wanted = len(expected["costs"])
        if not isinstance(costs, (list, tuple, np.ndarray)) or len(costs) != wanted:
            length = len(costs) if hasattr(costs, "__len__") else "?"
            checker.fail(
                checker._(
                    "%(what)s has %(got)s items; %(expected)s were expected.",
                    what="costs",
                    got=length,
                    expected=wanted,
                )
            )
        for index, (have, want) in enumerate(zip(costs, expected["costs"], strict=True)):
            checker.number(have, want, f"costs[{index}]")
        checker.arrays(parameters, expected["parameters"], "parameters")


def check_predict(checker: Checker, cases: list[Case]) -> None:
    """Integer predictions of shape (1, m)."""
    for case in _cases(checker, cases):
        got = checker.call("predict", case["args"])
        checker.array(got, case["expected"], "predictions", integer=True)


CHECKS: dict[str, Check] = {
    **{name: check_activation(name) for name in ACTIVATIONS},
    **{f"{name}_backward": check_activation_backward(name) for name in ACTIVATIONS},
    **{name: check_cost(name) for name in LOSSES},
    **{f"{name}_backward": check_cost_backward(name) for name in LOSSES},
    "softmax_cross_entropy_backward": check_softmax_cross_entropy_backward,
    "initialize_parameters": check_initialize_parameters,
    "linear_forward": check_layer_forward("linear_forward", ("Z", "cache")),
    "linear_activation_forward": check_layer_forward("linear_activation_forward", ("A", "cache")),
    "model_forward": check_layer_forward("model_forward", ("AL", "caches")),
    "linear_backward": check_layer_backward("linear_backward", "linear_forward", "dZ"),
    "linear_activation_backward": check_layer_backward(
        "linear_activation_backward", "linear_activation_forward", "dA"
    ),
    "model_backward": check_model_backward,
    "update_parameters": check_update_parameters,
    "train": check_train,
    "predict": check_predict,
}


def depends_on(function: str) -> tuple[str, ...]:
    """Every function `function` builds on, directly or not (without itself)."""
    seen: list[str] = []
    pending = list(DEPENDS_ON.get(function, ()))
    while pending:
        name = pending.pop(0)
        if name not in seen and name != function:
            seen.append(name)
            pending.extend(DEPENDS_ON.get(name, ()))
    return tuple(seen)
