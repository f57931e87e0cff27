"""Assertions the hidden suites make about what a student's function returned.

Each `expect_*` helper checks one returned value, in a fixed order (type, dtype, shape,
finiteness, values) and, at the first problem, raises `CheckFailure`: a message written for
the student in every language (English in the code, translated in the catalog of
`grader.i18n`) and an `evidence` object as documented in docs/result-schema.md.
Messages say what is wrong and what to do; they quote the call with argument shapes and at
most the few worst entries, never the hidden inputs themselves.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

import numpy as np

from grader.catalog import function_spec
from grader.errors import NngradeError, UsageError
from grader.gradcheck import (
    GRADIENT_ATOL,
    GRADIENT_RTOL,
    VALUE_ATOL,
    VALUE_RTOL,
    Alternative,
    Comparison,
    Diagnosis,
    compare,
    diagnose,
    within_tolerance,
)
from grader.i18n import N_, Text, sentences

Evidence = dict[str, Any]
CurveBuilder = Callable[[], "dict[str, Any] | None"]
"""Builds the `curve` evidence on demand (it costs one more call into the student's code)."""


class CheckFailure(NngradeError):
    """A student's result is wrong; the grading plugin turns it into outcome `failed`.

    Attributes:
        messages: ``{"en": str, "fr": str}``, what is wrong and what to do.
        evidence: the `evidence` object of docs/result-schema.md (always has `kind`).
    """

    def __init__(self, messages: Mapping[str, str], evidence: Evidence) -> None:
        self.messages = dict(messages)
        super().__init__(self.messages["en"])
        self.evidence = evidence


def _describe_argument(name: str, value: object) -> str:
    if isinstance(value, np.ndarray):
        return f"{name} {value.shape}"
    if isinstance(value, Mapping):
        return f"{name} ({len(value)} entries)"
    if isinstance(value, list | tuple) and all(isinstance(v, int) for v in value):
        return f"{name}={list(value)!r}"
    if isinstance(value, str | int | float | bool | np.number) or value is None:
        return f"{name}={value!r}"
    return name


def describe_call(function: str, args: Mapping[str, object]) -> str:
    """The call with argument shapes, e.g. ``sigmoid_backward(dA (3, 4), Z (3, 4))``.

    Arrays show their shape, dicts their size, short lists, strings and numbers their
    value; anything else (a cache) only its name.
    """
    inside = ", ".join(_describe_argument(name, value) for name, value in args.items())
    return f"{function}({inside})"


def describe_contract_call(
    function: str, args: Sequence[object], kwargs: Mapping[str, object]
) -> str:
    """`describe_call` of a call of a contract function, its arguments named as the contract
    names them, e.g. ``linear_activation_forward(A_prev (3, 5), W (4, 3), b (4, 1),
    activation='tanh')``. Arguments the signature cannot bind are named by position."""
    try:
        named = dict(function_spec(function).parameters.bind_partial(*args, **kwargs).arguments)
    except (UsageError, TypeError):
        named = {f"arg{index}": value for index, value in enumerate(args)} | dict(kwargs)
    return describe_call(function, named)


def _shape(value: np.ndarray) -> list[int]:
    return [int(n) for n in np.shape(value)]


def _type_name(value: object) -> str:
    """The type to name in a message. A sandbox handle (a value that was not plain data and
    stayed in the worker) is named by the type it stands for when it says so."""
    name = type(value).__name__
    if name.endswith("Handle"):
        return str(getattr(value, "type_name", "") or "object (not plain data)")
    return name


def _fail(message: Mapping[str, str], **evidence: Any) -> CheckFailure:
    return CheckFailure(message, {k: v for k, v in evidence.items() if v is not None})


def _format_index(index: Sequence[int]) -> str:
    return "(" + ", ".join(str(i) for i in index) + ")"


def _diagnosis_evidence(diagnosis: Diagnosis | None) -> dict[str, str] | None:
    if diagnosis is None:
        return None
    return {"code": diagnosis.code, "en": diagnosis.text["en"], "fr": diagnosis.text["fr"]}


def _dtype_ok(got: np.ndarray, dtype: type) -> bool:
    # The exact scalar type (float64 nearly always) needs no np.issubdtype, which is slow.
    return got.dtype.type is dtype or bool(np.issubdtype(got.dtype, dtype))


INTEGER_DTYPE = N_("an integer dtype")


def _dtype_label(dtype: type) -> Text | str:
    return Text(INTEGER_DTYPE) if dtype is np.integer else np.dtype(dtype).name


def expect_ndarray(
    got: object,
    *,
    function: str,
    name: str,
    call: str,
    shape: tuple[int, ...],
    dtype: type = np.float64,
) -> np.ndarray:
    """Check that `got` is exactly an np.ndarray of `shape` and `dtype`, with finite values.

    Returns `got`, now known to be an ndarray. ``(n,)`` is not ``(n, 1)``. `dtype` may be an
    abstract numpy type (``np.integer``) to accept any of its kinds.
    """
    if type(got) is not np.ndarray:
        raise _fail(
            Text(
                "%(call)s must return a numpy array for %(name)s, but returned a value of "
                "type %(type)s. Return a plain np.ndarray (not a list, a number or a subclass "
                "of ndarray).",
                call=call,
                name=name,
                type=_type_name(got),
            ),
            kind="type_mismatch",
            function=function,
            array=name,
            call=call,
            got_type=_type_name(got),
        )
    if not _dtype_ok(got, dtype):
        label = _dtype_label(dtype)
        raise _fail(
            Text(
                "%(call)s returned %(name)s with dtype %(dtype)s, but %(expected)s is "
                "expected. Do not convert the result to another type.",
                call=call,
                name=name,
                dtype=got.dtype.name,
                expected=label,
            ),
            kind="dtype_mismatch",
            function=function,
            array=name,
            call=call,
            expected_dtype=label if isinstance(label, str) else label["en"],
            got_dtype=got.dtype.name,
        )
    if got.shape != tuple(shape):
        diagnosis = diagnose(np.zeros(got.shape), np.zeros(shape), name=name)
        raise _fail(
            sentences(
                Text(
                    "%(call)s returned %(name)s of shape %(got)s, but shape %(expected)s is "
                    "expected.",
                    call=call,
                    name=name,
                    got=got.shape,
                    expected=tuple(shape),
                ),
                diagnosis.text if diagnosis else None,
            ),
            kind="shape_mismatch",
            function=function,
            array=name,
            call=call,
            expected_shape=list(shape),
            got_shape=_shape(got),
            diagnosis=_diagnosis_evidence(diagnosis),
        )
    # issubclass is what np.issubdtype(dtype, np.floating) computes, without its overhead.
    if issubclass(got.dtype.type, np.floating) and not np.isfinite(got).all():
        bad = np.argwhere(~np.isfinite(got))[:5]
        if got.ndim:
            found = Text(
                "%(call)s returned NaN or infinite values in %(name)s, e.g. at index %(index)s.",
                call=call,
                name=name,
                index=_format_index(bad[0]),
            )
        else:
            found = Text(
                "%(call)s returned NaN or infinite values in %(name)s.", call=call, name=name
            )
        raise _fail(
            sentences(
                found,
                Text(
                    N_(
                        "Look for an overflow (exp of a large number), a division by zero or "
                        "a log of 0."
                    )
                ),
            ),
            kind="not_finite",
            function=function,
            array=name,
            call=call,
            worst=[
                {"index": [int(i) for i in index], "got": float(got[tuple(index)])} for index in bad
            ],
        )
    return got


def _value_failure(
    comparison: Comparison,
    *,
    kind: str,
    function: str,
    name: str,
    call: str,
    against: Text,
    diagnosis: Diagnosis | None,
    curve: CurveBuilder | None,
) -> CheckFailure:
    first = comparison.worst[0]
    fields = {
        "call": call,
        "name": name,
        "got": first.got,
        "against": against,
        "expected": first.expected,
        "rtol": comparison.rtol,
        "atol": comparison.atol,
    }
    if first.index:
        wrong = Text(
            "%(call)s returned wrong values in %(name)s: at index %(index)s you return "
            "%(got)s where %(against)s gives %(expected)s (tolerance rtol=%(rtol)s, "
            "atol=%(atol)s).",
            index=_format_index(first.index),
            **fields,
        )
    else:
        wrong = Text(
            "%(call)s returned wrong values in %(name)s: you return %(got)s where "
            "%(against)s gives %(expected)s (tolerance rtol=%(rtol)s, atol=%(atol)s).",
            **fields,
        )
    return _fail(
        sentences(wrong, diagnosis.text if diagnosis else None),
        kind=kind,
        function=function,
        array=name,
        call=call,
        worst=[
            {"index": list(entry.index), "got": entry.got, "expected": entry.expected}
            for entry in comparison.worst
        ],
        max_abs_error=comparison.max_abs_error,
        max_rel_error=comparison.max_rel_error,
        tolerance={"rtol": comparison.rtol, "atol": comparison.atol},
        diagnosis=_diagnosis_evidence(diagnosis),
        curve=curve() if curve is not None else None,
    )


def expect_array(
    got: object,
    expected: np.ndarray,
    *,
    function: str,
    name: str,
    call: str,
    rtol: float = VALUE_RTOL,
    atol: float = VALUE_ATOL,
    dtype: type = np.float64,
    m: int | None = None,
    dA: np.ndarray | None = None,
    alternatives: Sequence[Alternative] = (),
    not_finite: Diagnosis | None = None,
    curve: CurveBuilder | None = None,
) -> np.ndarray:
    """Check a returned array against the reference's `expected` (same shape).

    Checks, in order: exactly np.ndarray, dtype, shape, finite values, then values with
    ``|got - expected| <= atol + rtol |expected|``. On a value mismatch the evidence holds
    the worst entries, the errors, a diagnosis (see `grader.gradcheck.diagnose`, with `m`,
    `dA` and the caller's known wrong `alternatives`) and, if `curve` is given, the
    activation curve. `not_finite` is the diagnosis to attach when NaN/inf come back (e.g.
    ``unstable_softmax``).
    """
    expected = np.asarray(expected)
    try:
        array = expect_ndarray(
            got, function=function, name=name, call=call, shape=expected.shape, dtype=dtype
        )
    except CheckFailure as failure:
        if failure.evidence["kind"] == "not_finite" and not_finite is not None:
            failure.evidence["diagnosis"] = _diagnosis_evidence(not_finite)
            failure.messages = sentences(failure.messages, not_finite.text)
            failure.args = (failure.messages["en"],)
        raise
    if within_tolerance(array, expected, rtol=rtol, atol=atol):
        return array
    comparison = compare(array, expected, rtol=rtol, atol=atol)
    diagnosis = diagnose(array, expected, m=m, dA=dA, name=name, alternatives=alternatives)
    raise _value_failure(
        comparison,
        kind="value_mismatch",
        function=function,
        name=name,
        call=call,
        against=Text(N_("the correct implementation")),
        diagnosis=diagnosis,
        curve=curve,
    )


def expect_gradient(
    analytic: object,
    numerical: np.ndarray,
    *,
    function: str,
    name: str,
    call: str,
    source: Text,
    rtol: float = GRADIENT_RTOL,
    atol: float = GRADIENT_ATOL,
    m: int | None = None,
    dA: np.ndarray | None = None,
    alternatives: Sequence[Alternative] = (),
    curve: CurveBuilder | None = None,
) -> np.ndarray:
    """Check an analytic gradient against central finite differences (`numerical`).

    `source` names the function that was differentiated, e.g.
    ``Text("finite differences of your own %(forward)s", forward="sigmoid")``. Evidence kind:
    ``gradient_mismatch``.
    """
    numerical = np.asarray(numerical, dtype=np.float64)
    array = expect_ndarray(analytic, function=function, name=name, call=call, shape=numerical.shape)
    if within_tolerance(array, numerical, rtol=rtol, atol=atol):
        return array
    comparison = compare(array, numerical, rtol=rtol, atol=atol)
    diagnosis = diagnose(array, numerical, m=m, dA=dA, name=name, alternatives=alternatives)
    raise _value_failure(
        comparison,
        kind="gradient_mismatch",
        function=function,
        name=name,
        call=call,
        against=source,
        diagnosis=diagnosis,
        curve=curve,
    )


def expect_cost_type(got: object, *, function: str, call: str) -> float:
    """Check that a cost is a Python float or np.float64 (not an array, not even 0-d).

    The contract says a cost is a float: an array of shape (1, 1) or () is refused with
    the advice to wrap it in float(...), so that costs can be logged and plotted as numbers.
    Returns the cost as a float.
    """
    if isinstance(got, bool) or not isinstance(got, float | np.floating):
        if isinstance(got, np.ndarray):
            returned = Text(
                "%(call)s must return the cost as a float, but returned a value of type "
                "%(type)s of shape %(shape)s.",
                call=call,
                type=_type_name(got),
                shape=got.shape,
            )
        else:
            returned = Text(
                "%(call)s must return the cost as a float, but returned a value of type %(type)s.",
                call=call,
                type=_type_name(got),
            )
        raise _fail(
            sentences(returned, Text(N_("Convert it with float(...), e.g. return float(cost)."))),
            kind="type_mismatch",
            function=function,
            array="cost",
            call=call,
            got_type=_type_name(got),
            got_shape=_shape(got) if isinstance(got, np.ndarray) else None,
        )
    if isinstance(got, np.floating) and not isinstance(got, np.float64):
        raise _fail(
            Text(
                "%(call)s returned the cost as %(type)s; float64 is expected. Do not convert "
                "to a lower precision.",
                call=call,
                type=type(got).__name__,
            ),
            kind="dtype_mismatch",
            function=function,
            array="cost",
            call=call,
            expected_dtype="float64",
            got_dtype=type(got).__name__,
        )
    return float(got)


def expect_float(
    got: object,
    expected: float,
    *,
    function: str,
    call: str,
    rtol: float = VALUE_RTOL,
    atol: float = VALUE_ATOL,
    m: int | None = None,
    alternatives: Sequence[Alternative] = (),
) -> float:
    """Check a returned cost: its type (see `expect_cost_type`), finiteness, then its value.

    `m` and `alternatives` feed the diagnosis, e.g. a sum where the mean is expected.
    """
    cost = expect_cost_type(got, function=function, call=call)
    array = expect_array(
        np.array(cost),
        np.array(float(expected)),
        function=function,
        name="cost",
        call=call,
        rtol=rtol,
        atol=atol,
        m=m,
        alternatives=alternatives,
    )
    return float(array)


def expect_unchanged(
    before: np.ndarray, after: np.ndarray, *, function: str, name: str, call: str
) -> None:
    """Check that the argument `name` is unchanged after the call (purity).

    The sandbox copies arguments into the worker, so `after` must be the worker-side
    argument as it was once the student's function returned.
    """
    if type(after) is np.ndarray and after.shape == before.shape and np.array_equal(before, after):
        return
    changed: list[dict[str, Any]] = []
    if type(after) is np.ndarray and after.shape == before.shape:
        for index in np.argwhere(before != after)[:5]:
            key = tuple(index)
            changed.append(
                {
                    "index": [int(i) for i in index],
                    "got": float(after[key]),
                    "expected": float(before[key]),
                }
            )
    raise _fail(
        Text(
            "%(call)s modified its argument %(name)s. Never write into an argument: work on a "
            "copy (e.g. Z = Z.copy()) or build a new array.",
            call=call,
            name=name,
        ),
        kind="mutated_input",
        function=function,
        array=name,
        call=call,
        worst=changed or None,
    )


def expect_pure(mutated: Sequence[str], *, function: str, call: str) -> None:
    """Check that the student's function wrote into none of its array arguments.

    `mutated` is what the sandbox observed in the worker: the paths of the arguments that
    changed during the call, e.g. ``["args[1]"]``.
    """
    if not mutated:
        return
    where = ", ".join(mutated[:5])
    raise _fail(
        Text(
            "%(call)s wrote into its arguments (%(where)s). Never modify an argument: work on "
            "a copy (e.g. Z = Z.copy()) or build a new array; the caller may still need it.",
            call=call,
            where=where,
        ),
        kind="mutated_input",
        function=function,
        array=where,
        call=call,
    )


def expect_sequence(
    got: object, *, length: int, function: str, call: str, names: str
) -> tuple[Any, ...]:
    """Check that `got` is a tuple (or list) of `length` values, e.g. ``(Z, cache)``."""
    if isinstance(got, tuple | list) and len(got) == length:
        return tuple(got)
    described: Text | str = (
        Text("%(type)s of length %(length)s", type=_type_name(got), length=len(got))
        if isinstance(got, tuple | list)
        else _type_name(got)
    )
    raise _fail(
        Text(
            "%(call)s must return a tuple %(names)s of %(length)s values, but returned a "
            "%(described)s.",
            call=call,
            names=names,
            length=length,
            described=described,
        ),
        kind="type_mismatch",
        function=function,
        array="return value",
        call=call,
        got_type=_type_name(got),
    )


def expect_keys(
    got: object, required: Sequence[str], *, function: str, call: str, what: Text | str
) -> Mapping[str, Any]:
    """Check that `got` is a dict holding every key of `required` (extra keys are allowed)."""
    if not isinstance(got, dict):
        raise _fail(
            Text(
                "%(call)s must return %(what)s as a dict, but returned a %(type)s.",
                call=call,
                what=what,
                type=_type_name(got),
            ),
            kind="type_mismatch",
            function=function,
            array="return value",
            call=call,
            got_type=_type_name(got),
        )
    missing = [key for key in required if key not in got]
    if missing:
        listed = ", ".join(missing)
        raise _fail(
            Text(
                "%(call)s returned %(what)s without the keys %(keys)s. Use the names W1, b1, "
                "..., WL, bL (gradients: dW1, db1, ...) for every layer 1 to L.",
                call=call,
                what=what,
                keys=listed,
            ),
            kind="property",
            function=function,
            array="return value",
            call=call,
        )
    return got


def fail_property(
    message: Mapping[str, str], *, function: str, call: str, **evidence: Any
) -> CheckFailure:
    """A failure of a property the reference cannot express as values (kind ``property``);
    `message` is a `Text` (or ``{language: sentence}``)."""
    return _fail(message, kind="property", function=function, call=call, **evidence)


def activation_curve(
    function: str, got: object, expected: np.ndarray, z: np.ndarray
) -> dict[str, Any] | None:
    """The `curve` evidence: the student's and the reference's values on the grid `z`.

    Returns None when the student's values are not a usable array of z's size (the
    curve is an illustration; the failure it illustrates was already established).
    """
    if type(got) is not np.ndarray or got.size != z.size or not np.issubdtype(got.dtype, np.number):
        return None
    return {
        "function": function,
        "z": [float(v) for v in z.ravel()],
        "got": [float(v) for v in got.ravel()],
        "expected": [float(v) for v in np.asarray(expected).ravel()],
    }
