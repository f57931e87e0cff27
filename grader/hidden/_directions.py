"""Gradient checks along a few random directions first, every entry only when they disagree.

Central differences of every entry cost two calls of the student's forward per entry: some
eighty for a small network, seventy for one layer. A gradient g claimed for a function f of
the points x (the arguments differentiated: A_prev, W and b, or every parameter) is first
checked along random directions v that move all of them at once, two calls each:

    (f(x + h v) - f(x - h v)) / (2h)   against   Σ g · v.

A wrong gradient, g - ∇f = e ≠ 0, passes along a Gaussian v only if Σ e · v falls within
the tolerance. For the errors real bugs make (a missing factor, sign, term or entry, of the
size of the gradient itself) that chance is of the order of the relative tolerance (1e-5)
times the square root of the number of entries, per direction; `DIRECTIONS` directions make
it the product. When every direction agrees, the gradient is accepted; otherwise the caller
runs the entrywise check of every entry as before, which decides the verdict and gives the
evidence (the worst entries, the diagnosis). A correct gradient thus costs six calls, and a
wrong one is reported exactly as the entrywise check reports it.

The tolerance along v is the entrywise one summed along v: Σ |v| (atol + rtol |g|), with the
`grader.gradcheck` gradient tolerances; the finite differences' own error (about 1e-10
relative, see `grader.gradcheck`) stays far below it.

Anything unexpected on the way (a forward that raises, a value of another form, a claimed
gradient that is not a finite float64 array of the right shape) answers "disagrees": the
entrywise check then meets it and reports it as it always has. Only a timeout or a crash of
the sandbox is raised at once, since calling again would report it differently.

Shapes: each point and its claimed gradient alike, any shape.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from grader.errors import StudentCallError, StudentTimeout, WorkerCrashed
from grader.gradcheck import DEFAULT_STEP, GRADIENT_ATOL, GRADIENT_RTOL
from grader.hidden._support import Call, Differenced, Parameters, parameter_keys

DIRECTIONS = 3
"""Random directions per check; each costs two calls of the student's forward."""

ValuesAt = Callable[[list[Call]], np.ndarray | None]
"""The function's value at each call, in order, or None when an output is unusable."""


def finite_arrays(values: object, shapes: Sequence[tuple[int, ...]]) -> list[np.ndarray] | None:
    """`values` as a list when it is a list or tuple of exact float64 ndarrays of `shapes`,
    in order, every entry finite; else None."""
    if type(values) is not list and type(values) is not tuple:
        return None
    arrays = list(values)
    if len(arrays) != len(shapes):
        return None
    for array, shape in zip(arrays, shapes, strict=True):
        if type(array) is not np.ndarray or array.dtype != np.float64 or array.shape != shape:
            return None
        if not np.isfinite(array).all():
            return None
    return arrays


def agree_along_directions(
    values_at: ValuesAt,
    call_with: Callable[[list[np.ndarray]], Call],
    points: Sequence[np.ndarray],
    claimed: Sequence[np.ndarray],
    rng: np.random.Generator,
    *,
    scales: Sequence[float] | None = None,
) -> bool:
    """Whether the `claimed` gradients agree with central differences of the function along
    `DIRECTIONS` random directions, each moving every point at once.

    Args:
        values_at: evaluates the calls (one round trip) or returns None.
        call_with: ``call_with(xs)`` is the call with the points replaced by `xs`.
        points: the arguments the gradients are taken with respect to.
        claimed: the gradients to check, ``scale · ∂f/∂point`` for each point.
        rng: draws the directions (after every input of the test was drawn).
        scales: the factor of each claimed gradient (1/m for a layer's dW, say); 1 if None.
    """
    factors = [1.0] * len(points) if scales is None else [float(s) for s in scales]
    directions = [[rng.standard_normal(p.shape) for p in points] for _ in range(DIRECTIONS)]
    calls = [
        call_with([p + sign * DEFAULT_STEP * v for p, v in zip(points, direction, strict=True)])
        for direction in directions
        for sign in (1.0, -1.0)
    ]
    try:
        values = values_at(calls)
    except (StudentTimeout, WorkerCrashed):
        raise
    except StudentCallError:
        return False
    if values is None or values.shape != (len(calls),) or not np.isfinite(values).all():
        return False
    for index, direction in enumerate(directions):
        along = (values[2 * index] - values[2 * index + 1]) / (2.0 * DEFAULT_STEP)
        # In the function's own units: a claimed gradient is `factor` times ∂f/∂point, and
        # its entrywise tolerance is too.
        claimed_along = 0.0
        allowed = 0.0
        for gradient, factor, v in zip(claimed, factors, direction, strict=True):
            claimed_along += float(np.sum(gradient * v)) / factor
            tolerance = GRADIENT_ATOL + GRADIENT_RTOL * np.abs(gradient)
            allowed += float(np.sum(np.abs(v) * tolerance)) / factor
        if not abs(along - claimed_along) <= allowed:
            return False
    return True


def projections(
    student: Differenced, function: str, weights: np.ndarray, *, pick: int | None = 0
) -> ValuesAt:
    """`ValuesAt` for ``Σ weights · function(...)``: every call in one round trip, each
    output an exact finite float64 array of the weights' shape."""

    def values_at(calls: list[Call]) -> np.ndarray | None:
        outputs: Any = student.call_batch(function, calls, pick=pick)
        arrays = finite_arrays(outputs, [weights.shape] * len(calls))
        if arrays is None:
            return None
        return np.array([float(np.sum(weights * array)) for array in arrays])

    return values_at


def layer_gradients_agree(
    student: Differenced,
    function: str,
    args: tuple[np.ndarray, np.ndarray, np.ndarray],
    dOut: np.ndarray,
    got: object,
    rng: np.random.Generator,
    *,
    extra: tuple[Any, ...] = (),
) -> bool:
    """Whether a layer backward's ``(dA_prev, dW, db)`` agree with the student's layer
    forward along random directions (see `layer_forward_gradients` for what they must be:
    the gradients of Σ dOut · out, dW and db divided by m).

    Shapes: args ``(A_prev (n_prev, m), W (n, n_prev), b (n, 1))``, dOut (n, m).
    """
    points = [np.asarray(arg, dtype=np.float64) for arg in args]
    claimed = finite_arrays(got, [point.shape for point in points])
    if claimed is None:
        return False
    m = points[0].shape[1]

    def call_with(moved: list[np.ndarray]) -> Call:
        return (*moved, *extra), {}

    values_at = projections(student, function, dOut)
    return agree_along_directions(
        values_at, call_with, points, claimed, rng, scales=(1.0, 1.0 / m, 1.0 / m)
    )


def model_gradients_agree(
    student: Differenced,
    X: np.ndarray,
    Y: np.ndarray,
    parameters: Parameters,
    cost: Callable[[np.ndarray, np.ndarray], float],
    got: object,
    rng: np.random.Generator,
    *,
    hidden_activation: str,
    output_activation: str,
) -> bool:
    """Whether model_backward's grads agree with the mean cost through the student's
    model_forward along random directions of each parameter (see `model_cost_gradient`).

    Shapes: X (n_x, m), Y (n_L, m), parameters ``{"W1", "b1", ...}``.
    """
    keys = parameter_keys(len(parameters) // 2)
    if not isinstance(got, dict) or any(f"d{key}" not in got for key in keys):
        return False
    points = [np.asarray(parameters[key], dtype=np.float64) for key in keys]
    claimed = finite_arrays([got[f"d{key}"] for key in keys], [point.shape for point in points])
    if claimed is None:
        return False
    kwargs = {"hidden_activation": hidden_activation, "output_activation": output_activation}
    output_shape = (parameters[keys[-2]].shape[0], X.shape[1])

    def call_with(moved: list[np.ndarray]) -> Call:
        return (X, dict(zip(keys, moved, strict=True))), dict(kwargs)

    def values_at(calls: list[Call]) -> np.ndarray | None:
        outputs: Any = student.call_batch("model_forward", calls, pick=0)
        arrays = finite_arrays(outputs, [output_shape] * len(calls))
        if arrays is None:
            return None
        return np.array([float(cost(AL, Y)) for AL in arrays])

    return agree_along_directions(values_at, call_with, points, claimed, rng)
