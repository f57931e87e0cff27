"""The checks of each exported test cell, with expected values computed from `reference/`.

One test cell per contract function. Its visible part mirrors the public checks (values
on small fixed inputs, shapes, and gradient checks against finite differences of the
student's *own* forward); its hidden part, between nbgrader's hidden-test delimiters, adds
seeded random inputs compared with `reference/`, edge and stability inputs, and purity.
Every expected value is computed here, at export time, and written into the cell as a
literal: the notebook needs neither `reference/` nor nngrade.
"""

from __future__ import annotations

import zlib
from collections.abc import Callable

import numpy as np

import reference
from grader.nbgrader_bridge.literals import literal

BEGIN_HIDDEN = "### BEGIN HIDDEN TESTS"
END_HIDDEN = "### END HIDDEN TESTS"


class CheckWriter:
    """Collects the statements of one test cell, visible first, then hidden."""

    def __init__(self, function: str) -> None:
        self.function = function
        # Seeded by the function's name: the export is the same on every run.
        self.rng = np.random.default_rng(zlib.crc32(function.encode()))
        self.visible: list[str] = []
        self.hidden: list[str] = []
        self._target = self.visible

    def start_hidden(self) -> None:
        self._target = self.hidden

    def line(self, code: str) -> None:
        self._target.append(code)

    def let(self, name: str, value: object) -> None:
        self.line(f"{name} = {literal(value)}")

    def check(self, call: str, expected: object, what: str) -> None:
        self.line(f"_check({call}, {literal(expected)}, {what!r})")

    def normal(self, *shape: int) -> np.ndarray:
        return self.rng.standard_normal(shape)

    def away_from_zero(self, *shape: int) -> np.ndarray:
        """Inputs at least 0.1 away from a ReLU-like kink, where finite differences hold."""
        magnitude = 0.1 + np.abs(self.rng.standard_normal(shape))
        return np.where(self.rng.random(shape) < 0.5, -magnitude, magnitude)

    def probabilities(self, *shape: int) -> np.ndarray:
        return self.rng.uniform(0.05, 0.95, shape)

    def binary_labels(self, m: int) -> np.ndarray:
        return (self.rng.random((1, m)) < 0.5).astype(float)

    def one_hot(self, C: int, m: int) -> np.ndarray:
        labels = self.rng.integers(0, C, m)
        return np.eye(C)[:, labels]

    def softmax_columns(self, C: int, m: int) -> np.ndarray:
        return reference.softmax(self.normal(C, m))


Spec = Callable[[CheckWriter], None]

ELEMENTWISE = ("sigmoid", "tanh", "relu", "leaky_relu")
FIXED_Z = np.array([[-2.0, -0.5, 0.25], [0.5, 1.0, 3.0]])
EXTREME_Z = np.array([[-1000.0, -30.0, 0.0, 30.0, 1000.0]])


def _activation_forward(name: str) -> Spec:
    def spec(w: CheckWriter) -> None:
        forward = getattr(reference, name)
        fixed = FIXED_Z if name != "softmax" else FIXED_Z.T
        w.let("Z", fixed)
        w.check(f"{name}(Z)", forward(fixed), f"{name}(Z) for the matrix Z above")
        w.start_hidden()
        Z = w.normal(4, 6) * 3
        w.let("Z", Z)
        w.line("Z_before = Z.copy()")
        w.check(f"{name}(Z)", forward(Z), f"{name}(Z) on a random (4, 6) input")
        w.line(f"_check_unchanged(Z, Z_before, {name!r})")
        if name == "softmax":
            for Z in (np.array([[1000.0], [5000.0], [6000.0]]), w.normal(1, 4), w.normal(3, 1)):
                w.let("Z", Z)
                w.check("softmax(Z)", forward(Z), f"softmax(Z) for a {Z.shape} input")
        else:
            w.let("Z", EXTREME_Z)
            w.check(f"{name}(Z)", forward(EXTREME_Z), f"{name}(Z) for |Z| up to 1000")
        if name == "leaky_relu":
            w.let("Z", Z)
            w.check("leaky_relu(Z, alpha=0.2)", forward(Z, alpha=0.2), "leaky_relu with alpha=0.2")

    return spec


def _activation_backward(name: str) -> Spec:
    def spec(w: CheckWriter) -> None:
        backward = getattr(reference, f"{name}_backward")
        Z, dA = w.away_from_zero(3, 4), w.normal(3, 4)
        w.let("Z", Z)
        w.let("dA", dA)
        w.line(
            f"_check_gradient({name}_backward(dA, Z), lambda Z_: np.sum(dA * {name}(Z_)), Z, "
            f"'{name}_backward(dA, Z)')"
        )
        w.start_hidden()
        Z, dA = w.away_from_zero(4, 6) * 2, w.normal(4, 6)
        w.let("Z", Z)
        w.let("dA", dA)
        w.line("Z_before, dA_before = Z.copy(), dA.copy()")
        w.check(f"{name}_backward(dA, Z)", backward(dA, Z), f"{name}_backward on (4, 6) inputs")
        w.line(f"_check_unchanged(Z, Z_before, '{name}_backward')")
        w.line(f"_check_unchanged(dA, dA_before, '{name}_backward')")
        if name == "leaky_relu":
            w.check(
                "leaky_relu_backward(dA, Z, alpha=0.2)",
                backward(dA, Z, alpha=0.2),
                "leaky_relu_backward with alpha=0.2",
            )

    return spec


def _cost(name: str, binary: bool) -> Spec:
    def spec(w: CheckWriter) -> None:
        cost = getattr(reference, name)
        if binary:
            AL, Y = np.array([[0.9, 0.2, 0.6, 0.35]]), np.array([[1.0, 0.0, 1.0, 0.0]])
        else:
            AL, Y = w.softmax_columns(3, 4), w.one_hot(3, 4)
        w.let("AL", AL)
        w.let("Y", Y)
        w.check(f"{name}(AL, Y)", cost(AL, Y), f"{name}(AL, Y) for AL and Y above")
        w.start_hidden()
        if binary:
            AL, Y = w.probabilities(1, 7), w.binary_labels(7)
            extreme_AL = np.array([[1e-12, 1 - 1e-12, 1e-12, 1 - 1e-12]])
            extreme_Y = np.array([[1.0, 0.0, 0.0, 1.0]])
        else:
            AL, Y = w.softmax_columns(4, 7), w.one_hot(4, 7)
            extreme_AL = np.array([[1e-12, 1 - 1e-12], [1 - 1e-12, 1e-12]])
            extreme_Y = np.array([[1.0, 1.0], [0.0, 0.0]])
        w.let("AL", AL)
        w.let("Y", Y)
        w.check(f"{name}(AL, Y)", cost(AL, Y), f"{name} on {AL.shape} inputs")
        w.let("AL", extreme_AL)
        w.let("Y", extreme_Y)
        w.check(f"{name}(AL, Y)", cost(extreme_AL, extreme_Y), f"{name} at AL = 1e-12 or 1 - 1e-12")

    return spec


def _cost_backward(name: str, cost_name: str, binary: bool) -> Spec:
    def spec(w: CheckWriter) -> None:
        backward = getattr(reference, name)
        if binary:
            AL, Y = w.probabilities(1, 5), w.binary_labels(5)
        else:
            AL, Y = w.softmax_columns(3, 4), w.one_hot(3, 4)
        w.let("AL", AL)
        w.let("Y", Y)
        # The backward is per example (no 1/m), so it is the gradient of m times the mean cost.
        w.line(
            f"_check_gradient({name}(AL, Y), lambda AL_: AL.shape[1] * {cost_name}(AL_, Y), AL, "
            f"'{name}(AL, Y)')"
        )
        w.start_hidden()
        if binary:
            AL, Y = w.probabilities(1, 7), w.binary_labels(7)
        else:
            AL, Y = w.softmax_columns(4, 7), w.one_hot(4, 7)
        w.let("AL", AL)
        w.let("Y", Y)
        w.line("AL_before = AL.copy()")
        w.check(f"{name}(AL, Y)", backward(AL, Y), f"{name} on {AL.shape} inputs")
        w.line(f"_check_unchanged(AL, AL_before, {name!r})")

    return spec


def _softmax_cross_entropy_backward(w: CheckWriter) -> None:
    Z, Y = w.normal(3, 4), w.one_hot(3, 4)
    w.let("Z", Z)
    w.let("Y", Y)
    w.line(
        "_check_gradient(softmax_cross_entropy_backward(softmax(Z), Y), "
        "lambda Z_: Z.shape[1] * categorical_cross_entropy(softmax(Z_), Y), Z, "
        "'softmax_cross_entropy_backward(softmax(Z), Y)')"
    )
    w.start_hidden()
    AL, Y = w.softmax_columns(4, 7), w.one_hot(4, 7)
    w.let("AL", AL)
    w.let("Y", Y)
    w.check(
        "softmax_cross_entropy_backward(AL, Y)",
        reference.softmax_cross_entropy_backward(AL, Y),
        "softmax_cross_entropy_backward on (4, 7) inputs",
    )


def _initialize_parameters(w: CheckWriter) -> None:
    w.check(
        "initialize_parameters([3, 4, 1], seed=0)",
        reference.initialize_parameters([3, 4, 1], seed=0),
        "initialize_parameters([3, 4, 1], seed=0)",
    )
    w.start_hidden()
    w.check(
        "initialize_parameters([5, 4, 3, 2], seed=7)",
        reference.initialize_parameters([5, 4, 3, 2], seed=7),
        "initialize_parameters([5, 4, 3, 2], seed=7)",
    )
    w.check("initialize_parameters([2, 1])", reference.initialize_parameters([2, 1]), "seed=0")


def _layer(w: CheckWriter, n_prev: int, n: int, m: int) -> tuple[np.ndarray, ...]:
    A_prev, W, b = w.normal(n_prev, m), w.normal(n, n_prev), w.normal(n, 1)
    w.let("A_prev", A_prev)
    w.let("W", W)
    w.let("b", b)
    return A_prev, W, b


def _linear_forward(w: CheckWriter) -> None:
    call = "_output(linear_forward(A_prev, W, b), 2, 'linear_forward')[0]"
    A_prev, W, b = _layer(w, 3, 2, 2)
    w.check(call, reference.linear_forward(A_prev, W, b)[0], "Z of linear_forward")
    w.start_hidden()
    for m in (7, 1):
        A_prev, W, b = _layer(w, 5, 4, m)
        w.line("A_prev_before = A_prev.copy()")
        w.check(call, reference.linear_forward(A_prev, W, b)[0], f"Z of linear_forward, m = {m}")
        w.line("_check_unchanged(A_prev, A_prev_before, 'linear_forward')")


def _linear_activation_forward(w: CheckWriter) -> None:
    for activation in ("relu", "sigmoid", "tanh", "leaky_relu", "softmax"):
        if activation == "tanh":
            w.start_hidden()
        A_prev, W, b = _layer(w, 3, 4, 5)
        expected = reference.linear_activation_forward(A_prev, W, b, activation)[0]
        w.check(
            f"_output(linear_activation_forward(A_prev, W, b, {activation!r}), 2, "
            "'linear_activation_forward')[0]",
            expected,
            f"A of linear_activation_forward with {activation!r}",
        )


_NETWORKS = (
    ([3, 4, 1], "relu", "sigmoid", 5),
    ([4, 5, 3, 3], "tanh", "softmax", 6),
    ([4, 5, 3, 1], "leaky_relu", "sigmoid", 6),
)


def _network(w: CheckWriter, dims: list[int], output: str, m: int) -> tuple[np.ndarray, ...]:
    parameters = {
        key: value + (0.1 * w.normal(*value.shape) if key.startswith("b") else 0.0)
        for key, value in reference.initialize_parameters(dims, seed=len(dims)).items()
    }
    X = w.normal(dims[0], m)
    Y = w.binary_labels(m) if output == "sigmoid" else w.one_hot(dims[-1], m)
    w.let("parameters", parameters)
    w.let("X", X)
    w.let("Y", Y)
    return parameters, X, Y


def _model_forward(w: CheckWriter) -> None:
    for number, (dims, hidden, output, m) in enumerate(_NETWORKS):
        if number == 1:
            w.start_hidden()
        parameters, X, _ = _network(w, dims, output, m)
        expected = reference.model_forward(X, parameters, hidden, output)[0]
        w.check(
            f"_output(model_forward(X, parameters, {hidden!r}, {output!r}), 2, 'model_forward')[0]",
            expected,
            f"AL of model_forward with {hidden!r} hidden layers and a {output!r} output",
        )


def _linear_backward(w: CheckWriter) -> None:
    for m in (4, 6, 1):
        if m == 6:
            w.start_hidden()
        A_prev, W, b = _layer(w, 3, 2, m)
        dZ = w.normal(2, m)
        w.let("dZ", dZ)
        _, cache = reference.linear_forward(A_prev, W, b)
        w.line("_, cache = _output(linear_forward(A_prev, W, b), 2, 'linear_forward')")
        w.check(
            "linear_backward(dZ, cache)",
            reference.linear_backward(dZ, cache),
            f"(dA_prev, dW, db) of linear_backward, m = {m}",
        )


def _linear_activation_backward(w: CheckWriter) -> None:
    for activation in ("relu", "sigmoid", "tanh", "leaky_relu", "softmax"):
        if activation == "sigmoid":
            w.start_hidden()
        A_prev, W, b = _layer(w, 3, 4, 5)
        dA = w.normal(4, 5)
        w.let("dA", dA)
        _, cache = reference.linear_activation_forward(A_prev, W, b, activation)
        w.line(
            f"_, cache = _output(linear_activation_forward(A_prev, W, b, {activation!r}), 2, "
            "'linear_activation_forward')"
        )
        w.check(
            f"linear_activation_backward(dA, cache, {activation!r})",
            reference.linear_activation_backward(dA, cache, activation),
            f"(dA_prev, dW, db) of linear_activation_backward with {activation!r}",
        )


def _model_backward(w: CheckWriter) -> None:
    dims, hidden, output, m = _NETWORKS[0]
    _network(w, dims, output, m)
    w.line("AL, caches = _output(model_forward(X, parameters), 2, 'model_forward')")
    w.line("grads = model_backward(AL, Y, caches)")
    w.line("for key in sorted(parameters):")
    w.line("    def cost(value, key=key):")
    w.line(
        "        return binary_cross_entropy(model_forward(X, {**parameters, key: value})[0], Y)"
    )
    w.line(
        "    _check_gradient(grads['d' + key], cost, parameters[key], 'model_backward: d' + key)"
    )
    w.start_hidden()
    for dims, hidden, output, m in _NETWORKS[1:]:
        parameters, X, Y = _network(w, dims, output, m)
        AL, caches = reference.model_forward(X, parameters, hidden, output)
        w.line(
            f"AL, caches = _output(model_forward(X, parameters, {hidden!r}, {output!r}), 2, "
            "'model_forward')"
        )
        w.check(
            f"model_backward(AL, Y, caches, {hidden!r}, {output!r})",
            reference.model_backward(AL, Y, caches, hidden, output),
            f"grads of model_backward with {hidden!r} hidden layers and a {output!r} output",
        )


def _update_parameters(w: CheckWriter) -> None:
    for dims, rate in (([3, 2, 1], 0.1), ([4, 5, 3, 2], 0.5)):
        if rate == 0.5:
            w.start_hidden()
        parameters = reference.initialize_parameters(dims, seed=2)
        grads = {f"d{key}": w.normal(*value.shape) for key, value in parameters.items()}
        w.let("parameters", parameters)
        w.let("grads", grads)
        copied = {key: value.copy() for key, value in parameters.items()}
        w.check(
            f"update_parameters({{k: v.copy() for k, v in parameters.items()}}, grads, {rate})",
            reference.update_parameters(copied, grads, rate),
            f"update_parameters with learning_rate={rate}",
        )


def _train(w: CheckWriter) -> None:
    for dims, hidden, output, m, rate, iterations in (
        ([2, 3, 1], "relu", "sigmoid", 8, 0.5, 5),
        ([2, 4, 3], "tanh", "softmax", 9, 0.3, 10),
    ):
        if output == "softmax":
            w.start_hidden()
        parameters, X, Y = _network(w, dims, output, m)
        trained, costs = reference.train(X, Y, dict(parameters), rate, iterations, hidden, output)
        w.line(
            f"trained, costs = _output(train(X, Y, dict(parameters), {rate}, {iterations}, "
            f"{hidden!r}, {output!r}), 2, 'train')"
        )
        w.check("np.asarray(costs, dtype=float)", np.asarray(costs), f"costs of train ({output})")
        w.check("trained", trained, f"parameters returned by train ({output})")


def _predict(w: CheckWriter) -> None:
    for dims, hidden, output, m in (
        ([2, 3, 1], "relu", "sigmoid", 8),
        ([2, 4, 3], "tanh", "softmax", 9),
    ):
        if output == "softmax":
            w.start_hidden()
        parameters, X, _ = _network(w, dims, output, m)
        w.check(
            f"predict(X, parameters, {hidden!r}, {output!r})",
            reference.predict(X, parameters, hidden, output).astype(np.int64),
            f"predict with a {output!r} output",
        )


SPECS: dict[str, Spec] = {
    **{name: _activation_forward(name) for name in (*ELEMENTWISE, "softmax")},
    **{f"{name}_backward": _activation_backward(name) for name in (*ELEMENTWISE, "softmax")},
    "binary_cross_entropy": _cost("binary_cross_entropy", binary=True),
    "binary_cross_entropy_backward": _cost_backward(
        "binary_cross_entropy_backward", "binary_cross_entropy", binary=True
    ),
    "categorical_cross_entropy": _cost("categorical_cross_entropy", binary=False),
    "categorical_cross_entropy_backward": _cost_backward(
        "categorical_cross_entropy_backward", "categorical_cross_entropy", binary=False
    ),
    "softmax_cross_entropy_backward": _softmax_cross_entropy_backward,
    "initialize_parameters": _initialize_parameters,
    "linear_forward": _linear_forward,
    "linear_activation_forward": _linear_activation_forward,
    "model_forward": _model_forward,
    "linear_backward": _linear_backward,
    "linear_activation_backward": _linear_activation_backward,
    "model_backward": _model_backward,
    "update_parameters": _update_parameters,
    "train": _train,
    "predict": _predict,
}


def test_cell_source(function: str) -> str:
    """The source of the test cell of `function`: visible checks, then hidden ones."""
    writer = CheckWriter(function)
    SPECS[function](writer)
    body = [f"    {line}" for line in writer.visible]
    body += [f"    {BEGIN_HIDDEN}", *(f"    {line}" for line in writer.hidden), f"    {END_HIDDEN}"]
    header = f"def _test_{function}():"
    return "\n".join([header, *body, "", "", f"_run_test(_test_{function})"])
