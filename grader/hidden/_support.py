"""Helpers shared by the hidden suites: inputs, finite differences through the proxy, curves.

The `student` these helpers take is the grading plugin's proxy: ``student.call(name, ...)``
runs one student function in the sandbox, ``student.call_batch(name, calls, pick=k)`` runs
many in one round trip, and ``student.call_perturbed(name, args, kwargs, targets=...,
step=...)`` runs the 2·n evaluations of central differences around one call in one round
trip, sending the arguments once. Student errors (grader.errors) propagate; the plugin
scores them.

A bug costs once: ``student.known_wrong(name)`` says whether an earlier test of the
submission found `name` wrong (a check that would judge another function through it uses
the reference instead: `ReferenceCalls`, `corrected_pair`), and ``student.found_wrong(name)``
tells the grader that this test found `name` wrong besides the function its failure blames.
"""

from __future__ import annotations

import copy
from collections.abc import Callable, Iterator, Mapping, Sequence
from types import ModuleType
from typing import TYPE_CHECKING, Any, Protocol

import numpy as np

import reference.losses as ref_losses
from grader.catalog import activations, function_spec
from grader.checks import (
    CheckFailure,
    CurveBuilder,
    activation_curve,
    describe_call,
    expect_ndarray,
    expect_pure,
    expect_sequence,
    fail_property,
)
from grader.errors import StudentCallError
from grader.gradcheck import (
    DEFAULT_STEP,
    central_difference_from_values,
    central_difference_gradient,
    perturbed_inputs,
)
from grader.i18n import N_, Text, sentences
from grader.sandbox.codec import array_at, float_array_at

if TYPE_CHECKING:
    from grader.sandbox.session import WatchedCalls

Parameters = dict[str, np.ndarray]
Call = tuple[tuple[Any, ...], dict[str, Any]]
"""``(args, kwargs)`` of one call of a student function."""

# The activations the network functions accept, from the activation exercises' specs.
ALL_ACTIVATIONS: tuple[str, ...] = tuple(activation.name for activation in activations())
HIDDEN_ACTIVATIONS: tuple[str, ...] = tuple(a.name for a in activations() if a.hidden)
OUTPUT_ACTIVATIONS: tuple[str, ...] = tuple(a.name for a in activations() if a.output_cost)

# The 41 points of [-5, 5] on which an activation's curve is drawn for the report.
CURVE_Z = np.linspace(-5.0, 5.0, 41).reshape(1, 41)

# Where the expected gradient of a backward comes from, as its failure says it.
OWN_FORWARD = N_("finite differences of your own %(forward)s")
CORRECT_FORWARD = N_("finite differences of the correct %(forward)s")


class Differenced(Protocol):
    """What finite differences use of a `Student`: many calls in one round trip. A
    `ReferenceCalls` answers them too, with the reference implementations."""

    def call_batch(
        self,
        name: str,
        calls: Sequence[tuple[tuple[Any, ...], dict[str, Any]]],
        *,
        pick: int | None = None,
    ) -> list[Any]: ...

    def call_perturbed(
        self,
        name: str,
        args: Sequence[Any],
        kwargs: Mapping[str, Any],
        *,
        targets: Sequence[Sequence[str | int]],
        step: float,
        pick: int | None = None,
        stacked: bool = False,
    ) -> list[Any] | np.ndarray: ...


class Student(Differenced, Protocol):
    """What the hidden suites use of the plugin's `student` proxy."""

    def call(self, name: str, *args: Any, **kwargs: Any) -> Any: ...

    def known_wrong(self, name: str) -> bool: ...

    def found_wrong(self, name: str) -> None: ...

    def call_watched(self, name: str, *args: Any, **kwargs: Any) -> tuple[Any, list[str]]: ...

    def call_watched_each(
        self, name: str, calls: Sequence[tuple[tuple[Any, ...], dict[str, Any]]]
    ) -> WatchedCalls: ...


class ReferenceCalls:
    """The reference implementations of a module, answering on the trusted side the calls
    that finite differences make through a `Student` (`call_batch`, `call_perturbed`).

    A check that would difference a forward an earlier test found wrong
    (`Student.known_wrong`) differences the reference's instead: the backward it judges is
    then held to the correct forward, not to the bug, which costs its points once, in the
    forward's own tests. Each call gets fresh copies of its arguments, as the sandbox's do.
    """

    def __init__(self, module: ModuleType) -> None:
        self._module = module

    def call(self, name: str, *args: Any, **kwargs: Any) -> Any:
        function: Callable[..., Any] = getattr(self._module, name)
        return function(*copy.deepcopy(args), **copy.deepcopy(kwargs))

    def call_batch(
        self,
        name: str,
        calls: Sequence[tuple[tuple[Any, ...], dict[str, Any]]],
        *,
        pick: int | None = None,
    ) -> list[Any]:
        values = [self.call(name, *args, **kwargs) for args, kwargs in calls]
        return values if pick is None else [value[pick] for value in values]

    def call_perturbed(
        self,
        name: str,
        args: Sequence[Any],
        kwargs: Mapping[str, Any],
        *,
        targets: Sequence[Sequence[str | int]],
        step: float,
        pick: int | None = None,
        stacked: bool = False,
    ) -> list[Any] | np.ndarray:
        """The calls and order of `StudentSession.call_perturbed`: for each target in turn,
        the inputs of `grader.gradcheck.perturbed_inputs` at its place."""
        base = (tuple(args), dict(kwargs))
        calls: list[Call] = []
        for path in targets:
            point = float_array_at(base, list(path))
            if point is None:
                raise ValueError(f"{list(path)!r} does not name a float64 array of the call")
            for moved_point in perturbed_inputs(point, step=step):
                moved = copy.deepcopy(base)
                array = array_at(moved, list(path))
                assert array is not None  # the copy has the structure of `base`
                array[...] = moved_point
                calls.append(moved)
        values = self.call_batch(name, calls, pick=pick)
        shapes = {value.shape if type(value) is np.ndarray else None for value in values}
        if stacked and values and None not in shapes and len(shapes) == 1:
            return np.stack(values)
        return values


def same_form(own: Any, reference: Any) -> bool:
    """Whether `own` is built like `reference`: tuples or lists of the same lengths, dicts
    with the same keys, arrays of the same shapes in the same places, other values of the
    same types. A list, such as model_forward's caches, may also hold another number of
    items (none, too), each built like one of the reference's: one cache per layer, for a
    forward whose bug left some out.
    """
    if type(reference) is np.ndarray:
        return type(own) is np.ndarray and own.shape == reference.shape
    if type(reference) in (tuple, list):
        if type(own) not in (tuple, list):
            return False
        if len(own) == len(reference):
            return all(same_form(a, b) for a, b in zip(own, reference, strict=True))
        return (
            type(reference) is list
            and type(own) is list
            and all(any(same_form(a, b) for b in reference) for a in own)
        )
    if type(reference) is dict:
        return (
            type(own) is dict
            and own.keys() == reference.keys()
            and all(same_form(own[key], reference[key]) for key in reference)
        )
    return type(own) is type(reference)


def corrected_pair(
    student: Student,
    forward: str,
    reference: Callable[..., tuple[Any, Any]] | None,
    call: Call,
    pair: tuple[Any, Any],
    *,
    correct_caches: bool = False,
) -> tuple[Any, Any]:
    """The student's ``(value, cache)`` from `forward` on `call`, or the reference's when an
    earlier test found `forward` wrong (or `correct_caches` asks for it) and the student's
    cache has the reference's form.

    A backward test judges the backward on what it is given: on a wrong forward's value and
    cache, a correct backward would fail and the forward's bug would cost twice. A cache of
    another form is the student's own convention, which only their backward knows: it
    stays, as with no `reference`. (A forward known wrong that raised gives way to the
    reference whatever its form: `forward_pair`, `chained_calls`.)
    """
    if reference is None or not (correct_caches or student.known_wrong(forward)):
        return pair
    correct = reference_pair(reference, call)
    return correct if same_form(pair[1], correct[1]) else pair


def reference_pair(reference: Callable[..., tuple[Any, Any]], call: Call) -> tuple[Any, Any]:
    """``(value, cache)`` of the reference forward on `call`, on copies of its arguments."""
    args, kwargs = call
    return reference(*copy.deepcopy(args), **copy.deepcopy(kwargs))


CACHES_AT_FAULT = N_(
    "%(backward)s gives the right answer on the caches of the correct %(forward)s, but not on "
    "the caches your %(forward)s returns: those caches are at fault, not %(backward)s. "
    "Check what your %(forward)s keeps in them (one cache per layer, the output layer "
    "included): %(backward)s needs exactly that."
)
CACHE_AT_FAULT = N_(
    "%(backward)s gives the right answer on the cache of the correct %(forward)s, but not on "
    "the cache your %(forward)s returns: that cache is at fault, not %(backward)s. Check "
    "what your %(forward)s keeps in it: %(backward)s needs exactly that."
)


CACHES_WRONG_TOO = N_(
    "The caches your %(forward)s returns are wrong too: the correct %(backward)s does not get "
    "the right answer from them. Check what your %(forward)s keeps in them (one cache per "
    "layer, the output layer included)."
)


def judged_on_correct_caches(
    student: Student,
    forward: str,
    backward: str,
    check: Callable[[bool], None],
    caches_wrong: Callable[[], bool] | None = None,
) -> None:
    """Run a backward's `check` (``check(correct_caches)``) on the caches of the student's
    own `forward`; when it fails, find out whether those caches are to blame.

    A forward can return the right value with a wrong cache (one cache too few, A kept for
    Z): its own tests, which never grade a cache, pass, and every backward handed that
    cache fails, as does every function above it. So a failed check runs again on the
    correct forward's caches, wherever the student's have their form (`corrected_pair`): if
    the backward passes then, the failure is the forward's, and the test fails blaming the
    forward, which later tests then treat as known wrong. Otherwise the first failure
    stands; when `caches_wrong` says the student's caches are wrong as well (the correct
    backward does not get the right answer from them), the forward is reported found wrong
    (`Student.found_wrong`), and a check that failed on the correct caches is the failure,
    saying the caches are wrong too. That costs nothing here, where the backward fails
    anyway, and the tests after this one go on as for a forward found wrong. A forward
    already known wrong has its caches corrected from the start.
    """
    try:
        check(False)
    except (CheckFailure, StudentCallError) as failure:
        blamed = failure.function if isinstance(failure, StudentCallError) else None
        if isinstance(failure, CheckFailure):
            blamed = failure.evidence.get("function")
        if blamed == forward or student.known_wrong(forward):
            raise  # the forward is at fault already, or its caches were corrected
        try:
            check(True)
        except (CheckFailure, StudentCallError) as on_correct_caches:
            if caches_wrong is None or not caches_wrong():
                raise failure from None
            # Both are wrong: a check that fails on correct caches shows the backward's own
            # mistake. One that raises (a stub, an endless loop) says it best the first time.
            student.found_wrong(forward)
            if not isinstance(on_correct_caches, CheckFailure):
                raise failure from None
            extra = Text(CACHES_WRONG_TOO, forward=forward, backward=backward)
            on_correct_caches.messages = sentences(on_correct_caches.messages, extra)
            on_correct_caches.args = (on_correct_caches.messages["en"],)
            raise on_correct_caches from None
        message = CACHES_AT_FAULT if forward == "model_forward" else CACHE_AT_FAULT
        call = failure.evidence.get("call") if isinstance(failure, CheckFailure) else None
        raise fail_property(
            Text(message, backward=backward, forward=forward),
            function=forward,
            call=call if isinstance(call, str) else None,
        ) from None


def curve_of(
    student: Student,
    function: str,
    reference: Callable[..., np.ndarray],
    *,
    backward: bool = False,
    **kwargs: Any,
) -> CurveBuilder:
    """A builder of the `curve` evidence of an activation (or of its derivative, dA = 1).

    The curve only illustrates a failure already found: if the student's function fails on
    the grid as well, the evidence simply has no curve.
    """

    def build() -> dict[str, Any] | None:
        args = (np.ones_like(CURVE_Z), CURVE_Z) if backward else (CURVE_Z,)
        try:
            got = student.call(function, *args, **kwargs)
        except StudentCallError:
            return None
        return activation_curve(function, got, reference(*args, **kwargs), CURVE_Z)

    return build


def projected_gradient(
    student: Student,
    forward: str,
    dA: np.ndarray,
    Z: np.ndarray,
    **kwargs: Any,
) -> np.ndarray:
    """Finite differences of ``Σ dA · forward(Z)`` with respect to Z, forward run by the student.

    That scalar's gradient is exactly what the matching backward must return, dA · σ'(Z)
    (softmax: the Jacobian-vector product). All 2·Z.size evaluations go in one round trip.

    Shapes: dA and Z (n, m); returns (n, m).
    """
    call = describe_call(forward, {"Z": Z})
    point = np.asarray(Z, dtype=np.float64)
    outputs = student.call_perturbed(
        forward, (point,), dict(kwargs), targets=[("args", 0)], step=DEFAULT_STEP, stacked=True
    )
    values = projected_values(
        outputs, dA, count=2 * point.size, shape=Z.shape, function=forward, name="A", call=call
    )
    return central_difference_from_values(values, point.shape, step=DEFAULT_STEP)


def checked_stack(outputs: object, count: int, shape: tuple[int, ...]) -> np.ndarray | None:
    """`outputs` itself when it is a stack that `expect_ndarray` would pass row by row.

    That is an exact float64 ndarray of shape (count, *shape) with only finite entries;
    then every row, checked alone, is an ndarray of `shape` and dtype float64 with finite
    values. Anything else (a list, another dtype or shape, one NaN) returns None: the
    caller checks the outputs one by one, so that the first failure and its message stay
    those of the per-output checks.
    """
    if (
        type(outputs) is np.ndarray
        and outputs.dtype.type is np.float64
        and outputs.shape == (count, *shape)
        and bool(np.isfinite(outputs).all())
    ):
        return outputs
    return None


def each_output(outputs: list[Any] | np.ndarray) -> list[Any]:
    """The outputs one by one, as `call_perturbed` returns them without `stacked`: row i
    of a stack as an ndarray (0-d too), never a numpy scalar."""
    if type(outputs) is np.ndarray:
        return [outputs[index, ...] for index in range(outputs.shape[0])]
    return list(outputs)


def row_sums(stack: np.ndarray) -> np.ndarray:
    """``np.sum(stack[k])`` for every k, shape (k,): each row summed as one contiguous
    block, the order np.sum gives one output alone, so the values are the same bits."""
    stack = np.ascontiguousarray(stack)
    return stack.reshape(stack.shape[0], -1).sum(axis=1)


def projected_values(
    outputs: list[Any] | np.ndarray,
    weights: np.ndarray,
    *,
    count: int,
    shape: tuple[int, ...],
    function: str,
    name: str,
    call: str,
) -> np.ndarray:
    """``Σ weights · output`` for each of the `count` outputs of a perturbed call, each
    output checked first as a float64 ndarray of `shape` (named `name` in messages).

    Shapes: weights and each output S (`shape`); outputs a list of `count` values or a stack
    (count, *S); returns (count,). A stack that passes `checked_stack` is used at once;
    otherwise each output goes through `expect_ndarray` in order, which raises at the first
    bad one.
    """
    stack = checked_stack(outputs, count, shape)
    if stack is not None:
        return row_sums(weights * stack)
    values = []
    for output in each_output(outputs):
        checked = expect_ndarray(output, function=function, name=name, call=call, shape=shape)
        values.append(float(np.sum(weights * checked)))
    return np.asarray(values, dtype=np.float64)


def reference_projected_gradient(
    forward: Callable[..., np.ndarray], dA: np.ndarray, Z: np.ndarray, **kwargs: Any
) -> np.ndarray:
    """The same finite differences as `projected_gradient`, of a trusted forward."""

    def evaluate_many(points: list[np.ndarray]) -> list[float]:
        return [float(np.sum(dA * forward(point, **kwargs))) for point in points]

    return central_difference_gradient(evaluate_many, Z)


def one_hot(rng: np.random.Generator, classes: int, m: int) -> np.ndarray:
    """Random one-hot labels of shape (classes, m), every class present when m >= classes."""
    labels = rng.permutation(np.arange(m) % classes)
    Y = np.zeros((classes, m))
    Y[labels, np.arange(m)] = 1.0
    return Y


def binary_labels(rng: np.random.Generator, m: int) -> np.ndarray:
    """Random 0/1 labels of shape (1, m), both present when m >= 2."""
    return rng.permutation(np.arange(m) % 2).astype(np.float64).reshape(1, m)


def random_parameters(rng: np.random.Generator, layer_dims: Sequence[int]) -> Parameters:
    """Parameters with W[l] ~ N(0, 1/n_{l-1}) and small non-zero b[l] (so that b matters)."""
    parameters: Parameters = {}
    for layer in range(1, len(layer_dims)):
        n, n_prev = layer_dims[layer], layer_dims[layer - 1]
        parameters[f"W{layer}"] = rng.standard_normal((n, n_prev)) / np.sqrt(n_prev)
        parameters[f"b{layer}"] = rng.uniform(-0.5, 0.5, size=(n, 1))
    return parameters


def copy_parameters(parameters: Mapping[str, np.ndarray]) -> Parameters:
    """A deep copy, so that the reference can never alter what a test compares against."""
    return {key: np.array(value, copy=True) for key, value in parameters.items()}


def parameter_keys(layers: int) -> list[str]:
    """``["W1", "b1", ..., "WL", "bL"]``."""
    return [f"{letter}{layer}" for layer in range(1, layers + 1) for letter in ("W", "b")]


def flatten_parameters(parameters: Mapping[str, np.ndarray], keys: Sequence[str]) -> np.ndarray:
    """All parameter entries in one vector, in the order of `keys`."""
    return np.concatenate([parameters[key].ravel() for key in keys])


def unflatten_parameters(
    vector: np.ndarray, like: Mapping[str, np.ndarray], keys: Sequence[str]
) -> Parameters:
    """The inverse of `flatten_parameters`: arrays shaped as in `like`."""
    parameters: Parameters = {}
    start = 0
    for key in keys:
        size = like[key].size
        parameters[key] = vector[start : start + size].reshape(like[key].shape).copy()
        start += size
    return parameters


def model_cost_gradient(
    student: Differenced,
    X: np.ndarray,
    Y: np.ndarray,
    parameters: Parameters,
    cost: Callable[[np.ndarray, np.ndarray], float],
    *,
    hidden_activation: str,
    output_activation: str,
) -> Parameters:
    """Finite differences of the mean cost through the student's `model_forward`.

    The cost is computed on the trusted side (the reference loss) from the AL the student's
    forward returns; every perturbation of every parameter goes in one round trip, in the
    order of `flatten_parameters` (W1, b1, W2, ..., each in C order).

    Returns a dict with ``dW1, db1, ...`` of the parameters' shapes.
    """
    layers = len(parameters) // 2
    keys = parameter_keys(layers)
    kwargs = {"hidden_activation": hidden_activation, "output_activation": output_activation}
    call = describe_call("model_forward", {"X": X, "parameters": parameters, **kwargs})
    expected_shape = (parameters[f"W{layers}"].shape[0], X.shape[1])
    flat = np.asarray(flatten_parameters(parameters, keys), dtype=np.float64)
    # float64 copies in the order of `keys`: the base every perturbed dict differs from.
    base = unflatten_parameters(flat, parameters, keys)
    outputs = student.call_perturbed(
        "model_forward",
        (X, base),
        dict(kwargs),
        targets=[("args", 1, key) for key in keys],
        step=DEFAULT_STEP,
        pick=0,
        stacked=True,
    )
    stack = checked_stack(outputs, 2 * flat.size, expected_shape)
    batched = STACKED_COSTS.get(cost)
    if stack is not None and batched is not None:
        values = batched(stack, Y)
    else:
        values = []
        for output in each_output(outputs):
            AL = expect_ndarray(
                output, function="model_forward", name="AL", call=call, shape=expected_shape
            )
            values.append(float(cost(AL, Y)))
    gradient = central_difference_from_values(values, flat.shape, step=DEFAULT_STEP)
    shaped = unflatten_parameters(gradient, parameters, keys)
    return {f"d{key}": value for key, value in shaped.items()}


def stacked_binary_cross_entropy(AL: np.ndarray, Y: np.ndarray) -> np.ndarray:
    """`reference.losses.binary_cross_entropy` of each AL[k] at once: the reference's own
    per-entry formula (0·log 0 = 0), each row summed as it sums one AL, the same mean over m.

    Shapes: AL (k, 1, m), Y (1, m); returns (k,).
    """
    AL = np.asarray(AL, dtype=np.float64)
    Y = np.asarray(Y, dtype=np.float64)
    per_entry = -(ref_losses.weighted_log(Y, AL) + ref_losses.weighted_log(1.0 - Y, 1.0 - AL))
    return row_sums(per_entry) / AL.shape[2]


def stacked_categorical_cross_entropy(AL: np.ndarray, Y: np.ndarray) -> np.ndarray:
    """`reference.losses.categorical_cross_entropy` of each AL[k] at once (as above).

    Shapes: AL (k, C, m), Y (C, m); returns (k,).
    """
    AL = np.asarray(AL, dtype=np.float64)
    return -row_sums(ref_losses.weighted_log(Y, AL)) / AL.shape[2]


STACKED_COSTS: dict[Callable[..., Any], Callable[[np.ndarray, np.ndarray], np.ndarray]] = {
    ref_losses.binary_cross_entropy: stacked_binary_cross_entropy,
    ref_losses.categorical_cross_entropy: stacked_categorical_cross_entropy,
}
"""The reference costs `model_cost_gradient` can evaluate on a whole stack of outputs; any
other cost is evaluated output by output."""


def call_pure(student: Student, function: str, *args: Any, **kwargs: Any) -> Any:
    """Call the student's function; fail the test if it wrote into an array argument.

    The contract forbids every function but `update_parameters` to modify its arguments;
    the sandbox compares the worker's copies of the arguments before and after the call.
    """
    got, mutated = student.call_watched(function, *args, **kwargs)
    _expect_unchanged(function, args, kwargs, mutated)
    return got


def calls_pure(
    student: Student, function: str, calls: Sequence[tuple[tuple[Any, ...], dict[str, Any]]]
) -> Iterator[Any]:
    """`call_pure` of each ``(args, kwargs)`` of `calls`, in order, from one round trip.

    The values come one by one, each checked for purity as it comes, and the error of a
    call that raised (or timed out) is raised when its turn comes: a test that checks each
    value before taking the next fails where a loop of `call_pure` would have failed.
    """
    watched = student.call_watched_each(function, calls)
    for (args, kwargs), (got, mutated) in zip(calls, watched.done, strict=False):
        _expect_unchanged(function, args, kwargs, mutated)
        yield got
    if watched.error is not None:
        raise watched.error


def _expect_unchanged(
    function: str, args: tuple[Any, ...], kwargs: Mapping[str, Any], mutated: list[str]
) -> None:
    """Fail the test if the call `function(*args, **kwargs)` wrote into the arrays `mutated`."""
    if mutated:
        # Name the arguments as the contract does.
        named = function_spec(function).parameters.bind_partial(*args, **kwargs).arguments
        expect_pure(mutated, function=function, call=describe_call(function, named))


def forward_pairs(
    student: Student,
    function: str,
    calls: Sequence[Call],
    described: Sequence[str],
) -> Iterator[tuple[Any, Any]]:
    """`forward_pair` of each call, in order, from one round trip (see `calls_pure`);
    `described` writes each call for a person."""
    for got, call in zip(calls_pure(student, function, calls), described, strict=False):
        yield expect_sequence(got, length=2, function=function, call=call, names="(value, cache)")


def chained_calls(
    student: Student,
    forward: str,
    forward_calls: Sequence[Call],
    forward_described: Sequence[str],
    backward: str,
    backward_of: Callable[[int, Any, Any], tuple[Call, str]],
    *,
    reference: Callable[..., tuple[Any, Any]] | None = None,
    correct_caches: bool = False,
) -> Iterator[tuple[Any, str]]:
    """For each forward call in turn, the student's backward on what their own forward
    returned: ``(value, described call)``. Every forward goes in one round trip, then
    every backward in another. With the `reference` forward, a forward found wrong by an
    earlier test (any forward, with `correct_caches`) gives way to it where its cache has
    the reference's form (`corrected_pair`).

    ``backward_of(k, value, cache)`` gives the backward call of case k (on the value and
    cache of forward k) and its description. A failure (a call that raised, a value of
    the wrong form, an argument written into) surfaces when its case's turn comes, as in a
    loop that calls the forward, then the backward, case by case.
    """
    pairs: list[tuple[Any, Any]] = []
    stopped: Exception | None = None
    try:
        pairs.extend(forward_pairs(student, forward, forward_calls, forward_described))
    except Exception as error:  # the case that failed comes after those that did not
        stopped = error
    if stopped is not None and reference is not None and student.known_wrong(forward):
        # A forward known wrong that raised: from its failed case on, the correct one answers.
        pairs += [reference_pair(reference, call) for call in forward_calls[len(pairs) :]]
        stopped = None
    pairs = [
        corrected_pair(
            student, forward, reference, forward_calls[case], pair, correct_caches=correct_caches
        )
        for case, pair in enumerate(pairs)
    ]
    backwards = [backward_of(case, value, cache) for case, (value, cache) in enumerate(pairs)]
    values = calls_pure(student, backward, [call for call, _ in backwards])
    for (_, described), got in zip(backwards, values, strict=False):
        yield got, described
    if stopped is not None:
        raise stopped


def forward_pair(
    student: Student,
    function: str,
    args: tuple[Any, ...],
    kwargs: Mapping[str, Any],
    call: str,
    *,
    reference: Callable[..., tuple[Any, Any]] | None = None,
    correct_caches: bool = False,
) -> tuple[Any, Any]:
    """Call a forward that must return ``(value, cache)`` and check it is a pair; with the
    `reference` forward, the pair a backward test uses (`corrected_pair`)."""
    call_made = (args, dict(kwargs))
    try:
        result = call_pure(student, function, *args, **kwargs)
        value, cache = expect_sequence(
            result, length=2, function=function, call=call, names="(value, cache)"
        )
    except (StudentCallError, CheckFailure):
        if reference is None or not student.known_wrong(function):
            raise
        return reference_pair(reference, call_made)  # a forward known wrong that raised
    pair = (value, cache)
    return corrected_pair(
        student, function, reference, call_made, pair, correct_caches=correct_caches
    )
