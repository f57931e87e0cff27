"""Hidden suite: network.py (initialisation, forward and backward propagation, update).

Caches are opaque: every backward gets the cache the student's own forward returned, unless
an earlier test found that forward wrong and the reference's cache has the same form
(`corrected_pair`). Gradients are checked against the reference and against finite
differences of the student's own forwards (of the reference's, for a forward found wrong),
on networks drawn so that no hidden pre-activation is near a kink.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from typing import Any

import numpy as np
import pytest

import reference.losses as ref_losses
import reference.network as ref
from grader.catalog import output_costs
from grader.checks import CheckFailure, describe_call, expect_array, expect_sequence
from grader.errors import StudentCallError
from grader.hidden._directions import layer_gradients_agree, model_gradients_agree
from grader.hidden._network_checks import (
    THE_PARAMETERS,
    check_grads_against,
    check_layer_gradients,
    check_parameter_dict,
    differenced_forward,
    gradient_keys,
    layer_forward_gradients,
    screened_layer,
    screened_network,
)
from grader.hidden._support import (
    ALL_ACTIVATIONS,
    HIDDEN_ACTIVATIONS,
    OUTPUT_ACTIVATIONS,
    Call,
    Differenced,
    Parameters,
    ReferenceCalls,
    Student,
    binary_labels,
    call_pure,
    chained_calls,
    copy_parameters,
    forward_pair,
    forward_pairs,
    judged_on_correct_caches,
    model_cost_gradient,
    one_hot,
    random_parameters,
    same_form,
)
from grader.i18n import N_, Text

# Each output activation's cost, as the activation exercises' specs pair them.
COSTS = {activation: getattr(ref_losses, cost) for activation, cost in output_costs().items()}


def _labels(rng: np.random.Generator, output_activation: str, classes: int, m: int) -> np.ndarray:
    if output_activation == "softmax":
        return one_hot(rng, classes, m)
    return binary_labels(rng, m)


def _check_initialization(student: Student, layer_dims: list[int], seed: int | None) -> None:
    kwargs = {} if seed is None else {"seed": seed}
    call = describe_call("initialize_parameters", {"layer_dims": layer_dims, **kwargs})
    check_parameter_dict(
        student.call("initialize_parameters", layer_dims, **kwargs),
        ref.initialize_parameters(layer_dims, **kwargs),
        function="initialize_parameters",
        call=call,
        what=Text(THE_PARAMETERS),
    )


# --- initialization --------------------------------------------------------------------


@pytest.mark.graded(
    exercise="initialization",
    points=1,
    title=N_(
        "initialize_parameters: keys, shapes and values for a given seed and the default seed"
    ),
)
def test_initialize_parameters_values(student, student_seed):
    _check_initialization(student, [5, 4, 3], student_seed % 10_000)
    _check_initialization(student, [5, 4, 3], None)


@pytest.mark.graded(
    exercise="initialization",
    points=1,
    title=N_("initialize_parameters: logistic regression and a deeper network"),
)
def test_initialize_parameters_depths(student, student_seed):
    _check_initialization(student, [7, 1], student_seed % 997)
    _check_initialization(student, [3, 6, 5, 2], student_seed % 991 + 1)


# --- forward ---------------------------------------------------------------------------


def _check_linear_forward(
    student: Student, A_prev: np.ndarray, W: np.ndarray, b: np.ndarray
) -> None:
    call = describe_call("linear_forward", {"A_prev": A_prev, "W": W, "b": b})
    Z, _ = forward_pair(student, "linear_forward", (A_prev, W, b), {}, call)
    expected, _ = ref.linear_forward(A_prev, W, b)
    expect_array(Z, expected, function="linear_forward", name="Z", call=call)


@pytest.mark.graded(
    exercise="forward",
    points=1,
    title=N_("linear_forward: Z = W·A_prev + b on random inputs"),
)
def test_linear_forward_values(student, rng):
    A_prev, W, b = (
        rng.standard_normal((5, 7)),
        rng.standard_normal((3, 5)),
        rng.standard_normal((3, 1)),
    )
    _check_linear_forward(student, A_prev, W, b)


@pytest.mark.graded(
    exercise="forward",
    points=1,
    title=N_("linear_forward: a single example, and columns of very different scales"),
)
def test_linear_forward_edge_cases(student, rng):
    W, b = rng.standard_normal((4, 6)), rng.standard_normal((4, 1))
    _check_linear_forward(student, rng.standard_normal((6, 1)), W, b)
    scales = np.array([[1e-6, 1e-3, 1.0, 1e3, 1e6]])
    _check_linear_forward(student, rng.standard_normal((6, 5)) * scales, W, b)


@pytest.mark.graded(
    exercise="forward",
    points=1,
    title=N_("linear_activation_forward: A for each activation"),
)
def test_linear_activation_forward(student, rng):
    A_prev, W, b = (
        rng.standard_normal((4, 6)),
        rng.standard_normal((3, 4)),
        rng.standard_normal((3, 1)),
    )
    calls: list[Call] = [((A_prev, W, b, activation), {}) for activation in ALL_ACTIVATIONS]
    described = [
        describe_call(
            "linear_activation_forward",
            {"A_prev": A_prev, "W": W, "b": b, "activation": activation},
        )
        for activation in ALL_ACTIVATIONS
    ]
    pairs = forward_pairs(student, "linear_activation_forward", calls, described)
    for activation, call, (A, _) in zip(ALL_ACTIVATIONS, described, pairs, strict=False):
        expected, _ = ref.linear_activation_forward(A_prev, W, b, activation)
        expect_array(A, expected, function="linear_activation_forward", name="A", call=call)


ForwardCase = tuple[np.ndarray, Parameters, dict[str, str]]
"""``(X, parameters, kwargs)`` of one call of model_forward."""


def _check_model_forwards(student: Student, cases: Sequence[ForwardCase]) -> None:
    """model_forward's AL on each case equals the reference's, checked in order, the calls
    made in one round trip."""
    calls = [((X, parameters), kwargs) for X, parameters, kwargs in cases]
    described = [
        describe_call("model_forward", {"X": X, "parameters": parameters, **kwargs})
        for X, parameters, kwargs in cases
    ]
    pairs = forward_pairs(student, "model_forward", calls, described)
    for (X, parameters, kwargs), call, (AL, _) in zip(cases, described, pairs, strict=False):
        expected, _ = ref.model_forward(X, copy_parameters(parameters), **kwargs)
        expect_array(AL, expected, function="model_forward", name="AL", call=call)


@pytest.mark.graded(
    exercise="forward",
    points=1,
    title=N_("model_forward: ReLU hidden layers and a sigmoid output by default"),
)
def test_model_forward_default(student, rng):
    X = rng.standard_normal((5, 8))
    _check_model_forwards(student, [(X, random_parameters(rng, [5, 4, 3, 1]), {})])


@pytest.mark.graded(
    exercise="forward",
    points=1,
    title=N_("model_forward: every hidden activation with a sigmoid and a softmax output"),
)
def test_model_forward_activations(student, rng):
    X = rng.standard_normal((4, 6))
    cases: list[ForwardCase] = []
    for output_activation, classes in (("sigmoid", 1), ("softmax", 3)):
        parameters = random_parameters(rng, [4, 5, 2, classes])
        cases.extend(
            (X, parameters, {"hidden_activation": hidden, "output_activation": output_activation})
            for hidden in HIDDEN_ACTIVATIONS
        )
    _check_model_forwards(student, cases)


@pytest.mark.graded(
    exercise="forward",
    points=1,
    title=N_("model_forward: logistic regression (no hidden layer) and a single example"),
)
def test_model_forward_edge_cases(student, rng):
    logistic: ForwardCase = (rng.standard_normal((6, 7)), random_parameters(rng, [6, 1]), {})
    single: ForwardCase = (rng.standard_normal((3, 1)), random_parameters(rng, [3, 5, 4, 1]), {})
    _check_model_forwards(student, [logistic, single])


# --- backward: linear layers -----------------------------------------------------------


def _check_linear_backward(
    student: Student, A_prev: np.ndarray, W: np.ndarray, b: np.ndarray, dZ: np.ndarray
) -> None:
    judged_on_correct_caches(
        student,
        "linear_forward",
        "linear_backward",
        lambda correct: _check_linear_backward_on(student, A_prev, W, b, dZ, correct),
    )


def _check_linear_backward_on(
    student: Student,
    A_prev: np.ndarray,
    W: np.ndarray,
    b: np.ndarray,
    dZ: np.ndarray,
    correct_caches: bool,
) -> None:
    forward_call = describe_call("linear_forward", {"A_prev": A_prev, "W": W, "b": b})
    _, cache = forward_pair(
        student,
        "linear_forward",
        (A_prev, W, b),
        {},
        forward_call,
        reference=ref.linear_forward,
        correct_caches=correct_caches,
    )
    call = describe_call("linear_backward", {"dZ": dZ, "cache": cache})
    got = expect_sequence(
        call_pure(student, "linear_backward", dZ, cache),
        length=3,
        function="linear_backward",
        call=call,
        names="(dA_prev, dW, db)",
    )
    expected = ref.linear_backward(dZ, (A_prev, W, b))
    m = A_prev.shape[1]
    for value, wanted, name in zip(got, expected, ("dA_prev", "dW", "db"), strict=True):
        expect_array(
            value,
            wanted,
            function="linear_backward",
            name=name,
            call=call,
            m=m if name != "dA_prev" else None,
        )


@pytest.mark.graded(
    exercise="backward",
    points=1,
    title=N_("linear_backward: dA_prev, dW and db on random inputs"),
)
def test_linear_backward_values(student, rng):
    A_prev, W, b = (
        rng.standard_normal((5, 7)),
        rng.standard_normal((3, 5)),
        rng.standard_normal((3, 1)),
    )
    _check_linear_backward(student, A_prev, W, b, rng.standard_normal((3, 7)))


@pytest.mark.graded(
    exercise="backward",
    points=1,
    title=N_("linear_backward: a single example, a square W, columns of very different scales"),
)
def test_linear_backward_edge_cases(student, rng):
    W, b = rng.standard_normal((4, 6)), rng.standard_normal((4, 1))
    _check_linear_backward(student, rng.standard_normal((6, 1)), W, b, rng.standard_normal((4, 1)))
    square = rng.standard_normal((4, 4))
    scales = np.array([[1e-3, 1.0, 1e3, 10.0, 0.5]])
    A_prev = rng.standard_normal((4, 5)) * scales
    _check_linear_backward(student, A_prev, square, b, rng.standard_normal((4, 5)))


@pytest.mark.graded(
    exercise="backward",
    points=1,
    title=N_("linear_backward: agrees with finite differences of your linear_forward"),
)
def test_linear_backward_gradient(student, rng):
    args = (rng.standard_normal((4, 6)), rng.standard_normal((3, 4)), rng.standard_normal((3, 1)))
    dZ = rng.standard_normal((3, 6))
    judged_on_correct_caches(
        student,
        "linear_forward",
        "linear_backward",
        lambda correct: _check_linear_backward_gradient(student, rng, args, dZ, correct),
    )


def _check_linear_backward_gradient(
    student: Student,
    rng: np.random.Generator,
    args: tuple[np.ndarray, np.ndarray, np.ndarray],
    dZ: np.ndarray,
    correct_caches: bool,
) -> None:
    forward_call = describe_call(
        "linear_forward", dict(zip(("A_prev", "W", "b"), args, strict=True))
    )
    _, cache = forward_pair(
        student,
        "linear_forward",
        args,
        {},
        forward_call,
        reference=ref.linear_forward,
        correct_caches=correct_caches,
    )
    call = describe_call("linear_backward", {"dZ": dZ, "cache": cache})
    got = expect_sequence(
        call_pure(student, "linear_backward", dZ, cache),
        length=3,
        function="linear_backward",
        call=call,
        names="(dA_prev, dW, db)",
    )
    judge, source = differenced_forward(student, "linear_forward")
    if layer_gradients_agree(judge, "linear_forward", args, dZ, got, rng):
        return
    check_layer_gradients(
        got,
        layer_forward_gradients(judge, "linear_forward", args, dZ),
        function="linear_backward",
        call=call,
        source=Text(source, forward="linear_forward"),
        m=6,
    )


Layer = tuple[tuple[np.ndarray, np.ndarray, np.ndarray], np.ndarray, str]
"""``((A_prev, W, b), dA, activation)``: one layer's inputs and the gradient sent back."""


def _draw_activation_layers(rng: np.random.Generator) -> list[Layer]:
    """One layer per activation, drawn away from kinks, with the gradient sent back."""
    layers: list[Layer] = []
    for activation in ALL_ACTIVATIONS:
        A_prev, W, b = screened_layer(rng, 3, 4, 5)
        layers.append(((A_prev, W, b), rng.standard_normal((3, 5)), activation))
    return layers


def _activation_layers(
    student: Student, layers: Sequence[Layer], correct_caches: bool
) -> Iterator[tuple[Layer, Sequence[Any], str]]:
    """For each layer in turn: the layer, the student's ``(dA_prev, dW, db)`` from
    linear_activation_backward on the cache of their own linear_activation_forward (see
    `corrected_pair` for `correct_caches`), and that backward call described."""
    forward_calls: list[Call] = [((*args, activation), {}) for args, _, activation in layers]
    described = [
        describe_call(
            "linear_activation_forward",
            {"A_prev": A_prev, "W": W, "b": b, "activation": activation},
        )
        for (A_prev, W, b), _, activation in layers
    ]

    def backward_of(case: int, _: Any, cache: Any) -> tuple[Call, str]:
        _, dA, activation = layers[case]
        call = describe_call(
            "linear_activation_backward", {"dA": dA, "cache": cache, "activation": activation}
        )
        return ((dA, cache, activation), {}), call

    chained = chained_calls(
        student,
        "linear_activation_forward",
        forward_calls,
        described,
        "linear_activation_backward",
        backward_of,
        reference=ref.linear_activation_forward,
        correct_caches=correct_caches,
    )
    for layer, (got, call) in zip(layers, chained, strict=False):
        grads = expect_sequence(
            got,
            length=3,
            function="linear_activation_backward",
            call=call,
            names="(dA_prev, dW, db)",
        )
        yield layer, grads, call


@pytest.mark.graded(
    exercise="backward",
    points=1,
    title=N_("linear_activation_backward: dA_prev, dW and db for each activation"),
)
def test_linear_activation_backward_values(student, rng):
    layers = _draw_activation_layers(rng)
    judged_on_correct_caches(
        student,
        "linear_activation_forward",
        "linear_activation_backward",
        lambda correct: _check_activation_layer_values(student, layers, correct),
    )


def _check_activation_layer_values(
    student: Student, layers: Sequence[Layer], correct_caches: bool
) -> None:
    chained = _activation_layers(student, layers, correct_caches)
    for ((A_prev, W, b), dA, activation), got, call in chained:
        Z, _ = ref.linear_forward(A_prev, W, b)
        expected = ref.linear_activation_backward(dA, ((A_prev, W, b), Z), activation)
        for value, wanted, name in zip(got, expected, ("dA_prev", "dW", "db"), strict=True):
            expect_array(
                value,
                wanted,
                function="linear_activation_backward",
                name=name,
                call=call,
                m=A_prev.shape[1] if name != "dA_prev" else None,
            )


@pytest.mark.graded(
    exercise="backward",
    points=1,
    title=N_("linear_activation_backward: agrees with finite differences of your forward"),
)
def test_linear_activation_backward_gradient(student, rng):
    layers = _draw_activation_layers(rng)
    judged_on_correct_caches(
        student,
        "linear_activation_forward",
        "linear_activation_backward",
        lambda correct: _check_activation_layer_gradients(student, rng, layers, correct),
    )


def _check_activation_layer_gradients(
    student: Student, rng: np.random.Generator, layers: Sequence[Layer], correct_caches: bool
) -> None:
    forward = "linear_activation_forward"
    judge, source = differenced_forward(student, forward)
    for (args, dA, activation), got, call in _activation_layers(student, layers, correct_caches):
        if layer_gradients_agree(judge, forward, args, dA, got, rng, extra=(activation,)):
            continue
        check_layer_gradients(
            got,
            layer_forward_gradients(judge, forward, args, dA, extra=(activation,)),
            function="linear_activation_backward",
            call=call,
            source=Text(source, forward=forward),
            m=args[0].shape[1],
        )


# --- backward: the whole model ---------------------------------------------------------


NetworkCase = tuple[np.ndarray, np.ndarray, Parameters, dict[str, str]]
"""``(X, Y, parameters, kwargs)``: a network's inputs, labels, parameters and activations."""


def _student_grads(
    student: Student, cases: Sequence[NetworkCase], correct_caches: bool
) -> Iterator[tuple[Any, str]]:
    """For each case in turn, the student's model_backward on the caches of their own
    model_forward (see `corrected_pair` for `correct_caches`), and that backward call
    described."""
    forward_calls = [((X, parameters), kwargs) for X, _, parameters, kwargs in cases]
    described = [
        describe_call("model_forward", {"X": X, "parameters": parameters, **kwargs})
        for X, _, parameters, kwargs in cases
    ]

    def backward_of(case: int, AL: Any, caches: Any) -> tuple[Call, str]:
        _, Y, _, kwargs = cases[case]
        call = describe_call("model_backward", {"AL": AL, "Y": Y, "caches": caches, **kwargs})
        return ((AL, Y, caches), kwargs), call

    return chained_calls(
        student,
        "model_forward",
        forward_calls,
        described,
        "model_backward",
        backward_of,
        reference=ref.model_forward,
        correct_caches=correct_caches,
    )


def _check_model_backward_values(student: Student, cases: Sequence[NetworkCase]) -> None:
    judged_on_correct_caches(
        student,
        "model_forward",
        "model_backward",
        lambda correct: _model_backward_values_on(student, cases, correct),
        lambda: _model_caches_wrong(student, cases),
    )


def _model_caches_wrong(student: Student, cases: Sequence[NetworkCase]) -> bool:
    """Whether the correct model_backward gets wrong grads (or raises) from the caches of
    the student's model_forward, on a case where they have the correct caches' form. A
    forward that raises, or caches of the student's own design, are not judged here."""
    calls = [((X, parameters), kwargs) for X, _, parameters, kwargs in cases]
    described = [describe_call("model_forward", {"X": X}) for X, _, _, _ in cases]
    try:
        pairs = list(forward_pairs(student, "model_forward", calls, described))
    except (CheckFailure, StudentCallError):
        return False
    for (X, Y, parameters, kwargs), (_, caches) in zip(cases, pairs, strict=False):
        AL, correct = ref.model_forward(X, copy_parameters(parameters), **kwargs)
        if not same_form(caches, correct):
            continue
        expected = ref.model_backward(AL, Y, correct, **kwargs)
        try:
            got = ref.model_backward(AL, Y, caches, **kwargs)
            if any(not np.allclose(got[key], value) for key, value in expected.items()):
                return True
        except Exception:  # the student's caches, not ours to trust: they are wrong
            return True
    return False


def _model_backward_values_on(
    student: Student, cases: Sequence[NetworkCase], correct_caches: bool
) -> None:
    for (X, Y, parameters, kwargs), (got, call) in zip(
        cases, _student_grads(student, cases, correct_caches), strict=False
    ):
        AL, caches = ref.model_forward(X, copy_parameters(parameters), **kwargs)
        expected = ref.model_backward(AL, Y, caches, **kwargs)
        layers = len(parameters) // 2
        check_parameter_dict(
            got,
            {key: expected[key] for key in gradient_keys(layers)},
            function="model_backward",
            call=call,
            what="grads",
            m=X.shape[1],
        )


def _check_model_backward_gradient(
    student: Student, rng: np.random.Generator, output_activation: str
) -> None:
    classes = 3 if output_activation == "softmax" else 1
    m = 4
    # Half the hidden activations with each output, every one of them with one of the two:
    # the values test compares every pair with the reference already, and each finite
    # difference costs some eighty calls of the student's model_forward.
    half = OUTPUT_ACTIVATIONS.index(output_activation) % 2
    cases: list[NetworkCase] = []
    for hidden_activation in HIDDEN_ACTIVATIONS[half::2]:
        X, parameters = screened_network(rng, [3, 4, 3, classes], m, hidden_activation)
        Y = _labels(rng, output_activation, classes, m)
        kwargs = {"hidden_activation": hidden_activation, "output_activation": output_activation}
        cases.append((X, Y, parameters, kwargs))
    judged_on_correct_caches(
        student,
        "model_forward",
        "model_backward",
        lambda correct: _model_backward_gradients_on(
            student, rng, cases, COSTS[output_activation], correct
        ),
        lambda: _model_caches_wrong(student, cases),
    )


def _model_backward_gradients_on(
    student: Student,
    rng: np.random.Generator,
    cases: Sequence[NetworkCase],
    cost: Callable[[np.ndarray, np.ndarray], float],
    correct_caches: bool,
) -> None:
    # A model_forward found wrong by an earlier test is not held against model_backward.
    judge: Differenced = student
    source = N_("finite differences of the mean cost through your own model_forward")
    if student.known_wrong("model_forward"):
        judge = ReferenceCalls(ref)
        source = N_("finite differences of the mean cost through the correct model_forward")
    for (X, Y, parameters, kwargs), (got, call) in zip(
        cases, _student_grads(student, cases, correct_caches), strict=False
    ):
        m = X.shape[1]
        if model_gradients_agree(judge, X, Y, parameters, cost, got, rng, **kwargs):
            continue
        numerical = model_cost_gradient(judge, X, Y, parameters, cost, **kwargs)
        check_grads_against(
            got,
            numerical,
            function="model_backward",
            call=call,
            source=Text(source),
            m=m,
        )


@pytest.mark.graded(
    exercise="backward",
    points=1,
    title=N_("model_backward: grads of a ReLU network with a sigmoid output, by default"),
)
def test_model_backward_default(student, rng):
    X, parameters = screened_network(rng, [5, 4, 3, 1], 6, "relu")
    _check_model_backward_values(student, [(X, binary_labels(rng, 6), parameters, {})])


@pytest.mark.graded(
    exercise="backward",
    points=1,
    title=N_("model_backward: grads for every hidden activation and both outputs"),
)
def test_model_backward_activations(student, rng):
    cases: list[NetworkCase] = []
    for output_activation in OUTPUT_ACTIVATIONS:
        classes = 3 if output_activation == "softmax" else 1
        for hidden_activation in HIDDEN_ACTIVATIONS:
            X, parameters = screened_network(rng, [4, 5, 3, classes], 5, hidden_activation)
            Y = _labels(rng, output_activation, classes, 5)
            kwargs = {
                "hidden_activation": hidden_activation,
                "output_activation": output_activation,
            }
            cases.append((X, Y, parameters, kwargs))
    _check_model_backward_values(student, cases)


@pytest.mark.graded(
    exercise="backward",
    points=1,
    title=N_("model_backward: agrees with finite differences of the cost (sigmoid output)"),
)
def test_model_backward_gradient_sigmoid_output(student, rng):
    _check_model_backward_gradient(student, rng, "sigmoid")


@pytest.mark.graded(
    exercise="backward",
    points=1,
    title=N_("model_backward: agrees with finite differences of the cost (softmax output)"),
)
def test_model_backward_gradient_softmax_output(student, rng):
    _check_model_backward_gradient(student, rng, "softmax")


@pytest.mark.graded(
    exercise="backward",
    points=1,
    title=N_("model_backward: logistic regression, a single example, a deep sigmoid network"),
)
def test_model_backward_edge_cases(student, rng):
    cases: list[NetworkCase] = []
    X, parameters = screened_network(rng, [6, 1], 5, "relu")
    cases.append((X, binary_labels(rng, 5), parameters, {}))
    X, parameters = screened_network(rng, [3, 4, 2, 1], 1, "relu")
    cases.append((X, np.ones((1, 1)), parameters, {}))
    X, parameters = screened_network(rng, [4, 5, 5, 5, 5, 1], 6, "sigmoid")
    cases.append((X, binary_labels(rng, 6), parameters, {"hidden_activation": "sigmoid"}))
    _check_model_backward_values(student, cases)


# --- update ----------------------------------------------------------------------------


def _check_update(
    student: Student, rng: np.random.Generator, layer_dims: list[int], learning_rate: float
) -> None:
    parameters = random_parameters(rng, layer_dims)
    grads = {f"d{key}": rng.standard_normal(value.shape) for key, value in parameters.items()}
    call = describe_call(
        "update_parameters",
        {"parameters": parameters, "grads": grads, "learning_rate": learning_rate},
    )
    check_parameter_dict(
        student.call("update_parameters", parameters, grads, learning_rate),
        ref.update_parameters(copy_parameters(parameters), grads, learning_rate),
        function="update_parameters",
        call=call,
        what=Text(THE_PARAMETERS),
    )


@pytest.mark.graded(
    exercise="update",
    points=1,
    title=N_("update_parameters: one gradient-descent step"),
)
def test_update_parameters_values(student, rng):
    _check_update(student, rng, [4, 3, 2], 0.05)


@pytest.mark.graded(
    exercise="update",
    points=1,
    title=N_("update_parameters: every layer updated, with the given learning rate"),
)
def test_update_parameters_layers_and_rate(student, rng):
    _check_update(student, rng, [3, 5, 4, 2], float(rng.uniform(0.5, 2.0)))
    _check_update(student, rng, [6, 1], float(rng.uniform(0.001, 0.01)))
