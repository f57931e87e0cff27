"""The families of public checks, one per kind of function (``grader.spec.CHECK_KINDS``).

Which family checks a function, with which options, on which cases and against which
values is in ``expected.json`` (written at release from the exercise specs); nothing here
names a function of the contract. A family receives a `Checker`, the function's name, its
cases (decoded: ``{"label", "args", "expected", "gradient", "stability", "extra"}``), its
options and the handout's `contract`, and raises `Failure` at the first problem.

Every backward is checked against central differences of the student's **own** forward;
the network's backward against the mean cost through their own forward. Where a 1/m
belongs in a result (costs, their derivatives, dW and db) the checks pass m, the number of
columns, and activation backwards pass dA, so that a wrong result can be named: m times too
large, the local derivative without dA, and so on.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from typing import Any

import numpy as np

from .checking import Checker

Case = dict[str, Any]
Options = Mapping[str, Any]
Family = Callable[[Checker, str, list[Case], Options], None]


def _cases(checker: Checker, cases: list[Case]) -> Iterator[Case]:
    """Iterate over the cases, telling the checker which one is running."""
    for case in cases:
        checker.case = case["label"].get(checker.lang, case["label"]["en"])
        checker.stability = bool(case.get("stability"))
        yield case


def _examples(args: Mapping[str, Any], name: str | None) -> int | None:
    """m, the number of columns of the argument `name` (None without one)."""
    return None if name is None else int(np.shape(args[name])[1])


def check_values(checker: Checker, name: str, cases: list[Case], options: Options) -> None:
    """What the function returns equals the expected value (a tuple: output by output)."""
    outputs = options.get("outputs")
    for case in _cases(checker, cases):
        m = _examples(case["args"], options.get("m_from"))
        got = checker.call(name, case["args"])
        if outputs:
            parts = checker.tuple_of(got, tuple(outputs))
            for part, expected, output in zip(parts, case["expected"], outputs, strict=True):
                checker.value(part, expected, output, m=m)
        else:
            checker.value(got, case["expected"], options["what"], m=m)


def check_forward_pair(checker: Checker, name: str, cases: list[Case], options: Options) -> None:
    """A forward returning ``(value, cache)``: the value's entries (the cache is opaque)."""
    outputs = tuple(options["outputs"])
    for case in _cases(checker, cases):
        value, _ = checker.tuple_of(checker.call(name, case["args"]), outputs)
        checker.array(value, case["expected"], outputs[0])


def check_activation_backward(
    checker: Checker, name: str, cases: list[Case], options: Options
) -> None:
    """dZ's values, then dZ = ∂/∂Z Σ dA * forward(Z) by finite differences (gradient cases)."""
    forward = options["forward"]
    for case in _cases(checker, cases):
        args = case["args"]
        dA, Z = args["dA"], args["Z"]
        dZ = checker.array(checker.call(name, args), case["expected"], "dZ", dA=dA)
        if case.get("gradient"):
            extra = [value for key, value in args.items() if key not in ("dA", "Z")]

            def weighted_output(
                point: np.ndarray, dA: np.ndarray = dA, extra: list[Any] = extra
            ) -> float:
                return float(np.sum(dA * checker.quiet_call(forward, point, *extra)))

            checker.gradient(dZ, weighted_output, Z, "dZ", forward, dA=dA)


def check_cost_backward(checker: Checker, name: str, cases: list[Case], options: Options) -> None:
    """dAL's values, then m times the gradient of the mean cost (gradient cases)."""
    cost = options["cost"]
    for case in _cases(checker, cases):
        AL, Y = case["args"]["AL"], case["args"]["Y"]
        m = Y.shape[1]  # the cost is a mean; its derivative is per example
        dAL = checker.array(checker.call(name, case["args"]), case["expected"], "dAL", m=m)
        if case.get("gradient"):

            def scaled_cost(point: np.ndarray, Y: np.ndarray = Y, m: int = m) -> float:
                return m * checker.quiet_call(cost, point, Y)

            checker.gradient(dAL, scaled_cost, AL, "dAL", cost, m=m)


def check_output_backward(checker: Checker, name: str, cases: list[Case], options: Options) -> None:
    """dZL's values, then the gradient of m · cost(activation(Z), Y) with respect to the
    scores Z of the case's extra inputs."""
    activation, cost = options["activation"], options["cost"]
    for case in _cases(checker, cases):
        Y = case["args"]["Y"]
        m = Y.shape[1]
        checker.array(checker.call(name, case["args"]), case["expected"], "dZL", m=m)
        Z = case.get("extra", {}).get("Z")
        if case.get("gradient") and Z is not None:
            AL = checker.quiet_call(activation, Z)
            dZL = checker.call(name, {"AL": AL, "Y": Y})

            def cost_of_scores(scores: np.ndarray, Y: np.ndarray = Y, m: int = m) -> float:
                return m * checker.quiet_call(cost, checker.quiet_call(activation, scores), Y)

            checker.gradient(dZL, cost_of_scores, Z, "dZL", f"{activation} + {cost}", m=m)


def check_layer_backward(checker: Checker, name: str, cases: list[Case], options: Options) -> None:
    """A layer's backward ``(upstream, cache, *rest)``, the cache from the student's own
    forward ``(A_prev, W, b, *rest)``: the three gradients' values, then finite differences
    of Σ upstream * forward(A_prev, W, b), which give dA_prev directly and m·dW, m·db."""
    forward, upstream = options["forward"], options["upstream"]
    for case in _cases(checker, cases):
        forward_args = {key: value for key, value in case["args"].items() if key != upstream}
        gradient_in = case["args"][upstream]
        _, cache = checker.tuple_of(checker.call(forward, forward_args), ("output", "cache"))
        rest = dict(list(forward_args.items())[3:])
        got = checker.call(name, {upstream: gradient_in, "cache": cache, **rest})
        dA_prev, dW, db = checker.tuple_of(got, ("dA_prev", "dW", "db"))
        expected, m = case["expected"], forward_args["A_prev"].shape[1]
        checker.array(dA_prev, expected["dA_prev"], "dA_prev")  # no 1/m in dA_prev
        checker.array(dW, expected["dW"], "dW", m=m)
        checker.array(db, expected["db"], "db", m=m)
        if case.get("gradient"):
            grads = {"A_prev": dA_prev, "W": dW, "b": db}
            _check_layer_gradient(checker, forward, forward_args, gradient_in, grads)


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


def check_model_backward(checker: Checker, name: str, cases: list[Case], options: Options) -> None:
    """Every gradient's values after the student's own forward, then each against central
    differences of the mean cost (the output activation's cost) through that forward."""
    forward = options["forward"]
    for case in _cases(checker, cases):
        args = case["args"]
        forward_args = {key: value for key, value in args.items() if key != "Y"}
        AL, caches = checker.tuple_of(checker.call(forward, forward_args), ("AL", "caches"))
        hidden, output = args["hidden_activation"], args["output_activation"]
        grads = checker.call(
            name,
            {
                "AL": AL,
                "Y": args["Y"],
                "caches": caches,
                "hidden_activation": hidden,
                "output_activation": output,
            },
        )
        checker.arrays(grads, case["expected"], "grads", m=args["X"].shape[1])
        if case.get("gradient"):
            cost = checker.contract.output_costs[output]
            _check_model_gradient(checker, forward, cost, forward_args, args["Y"], grads)


def _check_model_gradient(
    checker: Checker,
    forward: str,
    cost: str,
    forward_args: dict[str, Any],
    Y: np.ndarray,
    grads: dict[str, Any],
) -> None:
    """Every dW[l], db[l] against central differences of the mean cost."""
    X, parameters = forward_args["X"], forward_args["parameters"]
    hidden, output = forward_args["hidden_activation"], forward_args["output_activation"]
    m = X.shape[1]
    for key, value in parameters.items():

        def mean_cost(varied: np.ndarray, key: str = key) -> float:
            trial = {**parameters, key: varied}
            trial_AL, _ = checker.quiet_call(forward, X, trial, hidden, output)
            return checker.quiet_call(cost, trial_AL, Y)

        checker.gradient(grads[f"d{key}"], mean_cost, value, f"grads['d{key}']", cost, m=m)


FAMILIES: dict[str, Family] = {
    "values": check_values,
    "forward_pair": check_forward_pair,
    "activation_backward": check_activation_backward,
    "cost_backward": check_cost_backward,
    "output_backward": check_output_backward,
    "layer_backward": check_layer_backward,
    "model_backward": check_model_backward,
}
"""Every family of checks, by the kind name the specs give it."""
