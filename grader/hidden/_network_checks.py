"""Checks shared by the network and model suites: parameter dicts, screened networks,
and finite differences through the student's layer forwards.

Glossary: X (n_x, m), W[l] (n_l, n_{l-1}), b[l] (n_l, 1), A[l] and Z[l] (n_l, m).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np

import reference.activations as ref_activations
import reference.network as ref_network
from grader.catalog import activations
from grader.checks import describe_call, expect_array, expect_gradient, expect_keys
from grader.gradcheck import DEFAULT_STEP, central_difference_from_values
from grader.hidden._support import (
    CORRECT_FORWARD,
    OWN_FORWARD,
    Differenced,
    Parameters,
    ReferenceCalls,
    Student,
    parameter_keys,
    projected_values,
    random_parameters,
)
from grader.i18n import N_, Text

# Hidden pre-activations stay this far from 0, where ReLU-like layers have their kink.
KINK_MARGIN = 0.05
KINKED_ACTIVATIONS = tuple(activation.name for activation in activations() if activation.kink)

THE_PARAMETERS = N_("the parameters")


def differenced_forward(student: Student, forward: str) -> tuple[Differenced, str]:
    """Whose `forward` (a function of reference.network) a backward's finite differences go
    through, with the words that name them: the student's own, or the reference's when an
    earlier test found the student's wrong (its bug costs its points once, there)."""
    if student.known_wrong(forward):
        return ReferenceCalls(ref_network), CORRECT_FORWARD
    return student, OWN_FORWARD


def check_parameter_dict(
    got: object,
    expected: Mapping[str, np.ndarray],
    *,
    function: str,
    call: str,
    what: Text | str,
    m: int | None = None,
) -> Mapping[str, Any]:
    """Check a returned dict of arrays (parameters or grads) key by key against `expected`."""
    checked = expect_keys(got, list(expected), function=function, call=call, what=what)
    for key, value in expected.items():
        expect_array(checked[key], value, function=function, name=key, call=call, m=m)
    return checked


def screened_network(
    rng: np.random.Generator,
    layer_dims: Sequence[int],
    m: int,
    hidden_activation: str,
    *,
    attempts: int = 500,
) -> tuple[np.ndarray, Parameters]:
    """X (n_x, m) and parameters; for ReLU-like hidden layers, every hidden Z[l] satisfies
    |z| >= KINK_MARGIN.

    Finite differences through a ReLU-like layer are only valid where no pre-activation
    crosses 0 under a perturbation; this draws again until that holds for the reference.
    Smooth activations need no screening and take the first draw.
    """
    forward, _ = ref_activations.get_activation(hidden_activation)
    for _ in range(attempts):
        X = rng.uniform(-1.5, 1.5, size=(layer_dims[0], m))
        parameters = random_parameters(rng, layer_dims)
        if hidden_activation not in KINKED_ACTIVATIONS:
            return X, parameters
        A = X
        smallest = np.inf
        for layer in range(1, len(layer_dims) - 1):
            Z, _ = ref_network.linear_forward(A, parameters[f"W{layer}"], parameters[f"b{layer}"])
            smallest = min(smallest, float(np.min(np.abs(Z))))
            A = forward(Z)
        if smallest >= KINK_MARGIN:
            return X, parameters
    raise RuntimeError(f"No network away from the kinks in {attempts} draws for {layer_dims}.")


def screened_layer(
    rng: np.random.Generator, n: int, n_prev: int, m: int
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """A_prev (n_prev, m), W (n, n_prev), b (n, 1) with |W·A_prev + b| >= KINK_MARGIN."""
    X, parameters = screened_network(rng, [n_prev, n, 1], m, "relu")
    return X, parameters["W1"], parameters["b1"]


def layer_forward_gradients(
    student: Differenced,
    function: str,
    args: tuple[np.ndarray, np.ndarray, np.ndarray],
    dOut: np.ndarray,
    *,
    extra: tuple[Any, ...] = (),
) -> dict[str, np.ndarray]:
    """Finite differences of the student's layer forward, as its backward must return them.

    With f = Σ dOut · out(A_prev, W, b): dA_prev = ∂f/∂A_prev, dW = (1/m) ∂f/∂W and
    db = (1/m) ∂f/∂b. `extra` are the positional arguments after b (the activation's
    name). One round trip for the three arguments, picking only the forward's value.

    Returns ``{"dA_prev": (n_prev, m), "dW": (n, n_prev), "db": (n, 1)}``.
    """
    names = ("A_prev", "W", "b")
    call = describe_call(
        function,
        {**dict(zip(names, args, strict=True)), **dict(zip(["activation"], extra, strict=False))},
    )
    m = args[0].shape[1]
    points = [np.asarray(arg, dtype=np.float64) for arg in args]
    count = 2 * sum(point.size for point in points)
    outputs = student.call_perturbed(
        function,
        (*points, *extra),
        {},
        targets=[("args", position) for position in range(len(names))],
        step=DEFAULT_STEP,
        pick=0,
        stacked=True,
    )
    values = projected_values(
        outputs, dOut, count=count, shape=dOut.shape, function=function, name="output", call=call
    )
    gradients: dict[str, np.ndarray] = {}
    start = 0
    for name, point in zip(names, points, strict=True):
        # The values of each target follow those of the one before (call_perturbed).
        end = start + 2 * point.size
        gradient = central_difference_from_values(values[start:end], point.shape, step=DEFAULT_STEP)
        gradients[f"d{name}"] = gradient if name == "A_prev" else gradient / m
        start = end
    return gradients


def check_layer_gradients(
    got: Sequence[object],
    numerical: Mapping[str, np.ndarray],
    *,
    function: str,
    call: str,
    source: Text,
    m: int,
) -> None:
    """Compare (dA_prev, dW, db) returned by a layer backward with their finite differences."""
    for value, name in zip(got, ("dA_prev", "dW", "db"), strict=True):
        expect_gradient(
            value,
            numerical[name],
            function=function,
            name=name,
            call=call,
            source=source,
            m=m if name != "dA_prev" else None,
        )


def check_grads_against(
    got: object,
    expected: Mapping[str, np.ndarray],
    *,
    function: str,
    call: str,
    source: Text,
    m: int,
) -> None:
    """Compare model_backward's grads dict with finite differences, key by key."""
    checked = expect_keys(got, list(expected), function=function, call=call, what="grads")
    for key, value in expected.items():
        expect_gradient(
            checked[key],
            value,
            function=function,
            name=key,
            call=call,
            source=source,
            m=m,
        )


def gradient_keys(layers: int) -> list[str]:
    """``["dW1", "db1", ..., "dWL", "dbL"]``."""
    return [f"d{key}" for key in parameter_keys(layers)]
