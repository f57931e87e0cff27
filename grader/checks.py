"""Assertions the hidden suites make about what a student's function returned.

Each `expect_*` helper checks one returned value, in a fixed order (type, dtype, shape,
finiteness, values) and, at the first problem, raises `CheckFailure`: bilingual messages
written for the student and an `evidence` object as documented in docs/result-schema.md.
Messages say what is wrong and what to do; they quote the call with argument shapes and at
most the few worst entries, never the hidden inputs themselves.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

import numpy as np

from grader.errors import NngradeError
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

Evidence = dict[str, Any]
CurveBuilder = Callable[[], "dict[str, Any] | None"]
"""Builds the `curve` evidence on demand (it costs one more call into the student's code)."""


class CheckFailure(NngradeError):
    """A student's result is wrong; the grading plugin turns it into outcome `failed`.

    Attributes:
        messages: ``{"en": str, "fr": str}``, what is wrong and what to do.
        evidence: the `evidence` object of docs/result-schema.md (always has `kind`).
    """

    def __init__(self, messages: dict[str, str], evidence: Evidence) -> None:
        super().__init__(messages["en"])
        self.messages = messages
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


def _shape(value: np.ndarray) -> list[int]:
    return [int(n) for n in np.shape(value)]


def _type_name(value: object) -> str:
    """The type to name in a message. A sandbox handle (a value that was not plain data and
    stayed in the worker) is named by the type it stands for when it says so."""
    name = type(value).__name__
    if name.endswith("Handle"):
        return str(getattr(value, "type_name", "") or "object (not plain data)")
    return name


def _fail(en: str, fr: str, **evidence: Any) -> CheckFailure:
    return CheckFailure({"en": en, "fr": fr}, {k: v for k, v in evidence.items() if v is not None})


def _format_index(index: Sequence[int]) -> str:
    return "(" + ", ".join(str(i) for i in index) + ")"


def _diagnosis_evidence(diagnosis: Diagnosis | None) -> dict[str, str] | None:
    if diagnosis is None:
        return None
    return {"code": diagnosis.code, "en": diagnosis.text["en"], "fr": diagnosis.text["fr"]}


def _dtype_ok(got: np.ndarray, dtype: type) -> bool:
    # The exact scalar type (float64 nearly always) needs no np.issubdtype, which is slow.
    return got.dtype.type is dtype or bool(np.issubdtype(got.dtype, dtype))


def _dtype_label(dtype: type) -> tuple[str, str]:
    if dtype is np.integer:
        return "an integer dtype", "un type entier"
    name = np.dtype(dtype).name
    return name, name


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
            f"{call} must return a numpy array for {name}, but returned a value of type "
            f"{_type_name(got)}. Return a plain np.ndarray (not a list, a number or a "
            "subclass of ndarray).",
            f"{call} doit renvoyer un tableau numpy pour {name}, mais a renvoyé une valeur "
            f"de type {_type_name(got)}. Renvoyez un np.ndarray ordinaire (pas une liste, "
            "un nombre ni une sous-classe de ndarray).",
            kind="type_mismatch",
            function=function,
            array=name,
            call=call,
            got_type=_type_name(got),
        )
    if not _dtype_ok(got, dtype):
        label_en, label_fr = _dtype_label(dtype)
        raise _fail(
            f"{call} returned {name} with dtype {got.dtype.name}, but {label_en} is expected. "
            "Do not convert the result to another type.",
            f"{call} a renvoyé {name} de type {got.dtype.name}, mais {label_fr} est attendu. "
            "Ne convertissez pas le résultat en un autre type.",
            kind="dtype_mismatch",
            function=function,
            array=name,
            call=call,
            expected_dtype=label_en if dtype is np.integer else np.dtype(dtype).name,
            got_dtype=got.dtype.name,
        )
    if got.shape != tuple(shape):
        diagnosis = diagnose(np.zeros(got.shape), np.zeros(shape), name=name)
        advice_en = f" {diagnosis.text['en']}" if diagnosis else ""
        advice_fr = f" {diagnosis.text['fr']}" if diagnosis else ""
        raise _fail(
            f"{call} returned {name} of shape {got.shape}, but shape {tuple(shape)} is "
            f"expected.{advice_en}",
            f"{call} a renvoyé {name} de forme {got.shape}, mais la forme {tuple(shape)} est "
            f"attendue.{advice_fr}",
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
        where_en = f", e.g. at index {_format_index(bad[0])}" if got.ndim else ""
        where_fr = f", par exemple à l'indice {_format_index(bad[0])}" if got.ndim else ""
        raise _fail(
            f"{call} returned NaN or infinite values in {name}{where_en}. Look for an "
            "overflow (exp of a large number), a division by zero or a log of 0.",
            f"{call} a renvoyé des valeurs NaN ou infinies dans {name}{where_fr}. Cherchez un "
            "dépassement (exp d'un grand nombre), une division par zéro ou un log de 0.",
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
    against_en: str,
    against_fr: str,
    diagnosis: Diagnosis | None,
    curve: CurveBuilder | None,
) -> CheckFailure:
    first = comparison.worst[0]
    where_en = f" at index {_format_index(first.index)}" if first.index else ""
    where_fr = f" à l'indice {_format_index(first.index)}" if first.index else ""
    advice_en = f" {diagnosis.text['en']}" if diagnosis else ""
    advice_fr = f" {diagnosis.text['fr']}" if diagnosis else ""
    return _fail(
        f"{call} returned wrong values in {name}:{where_en} you return "
        f"{first.got:.6g} where {against_en} gives {first.expected:.6g} (tolerance "
        f"rtol={comparison.rtol:g}, atol={comparison.atol:g}).{advice_en}",
        f"{call} a renvoyé des valeurs fausses dans {name} :{where_fr} vous "
        f"renvoyez {first.got:.6g} là où {against_fr} donne {first.expected:.6g} "
        f"(tolérance rtol={comparison.rtol:g}, atol={comparison.atol:g}).{advice_fr}",
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
            failure.messages = {
                "en": f"{failure.messages['en']} {not_finite.text['en']}",
                "fr": f"{failure.messages['fr']} {not_finite.text['fr']}",
            }
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
        against_en="the correct implementation",
        against_fr="l'implémentation correcte",
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
    source_en: str,
    source_fr: str,
    rtol: float = GRADIENT_RTOL,
    atol: float = GRADIENT_ATOL,
    m: int | None = None,
    dA: np.ndarray | None = None,
    alternatives: Sequence[Alternative] = (),
    curve: CurveBuilder | None = None,
) -> np.ndarray:
    """Check an analytic gradient against central finite differences (`numerical`).

    `source_en` / `source_fr` name the function that was differentiated, e.g.
    ``"finite differences of your own sigmoid"``. Evidence kind: ``gradient_mismatch``.
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
        against_en=source_en,
        against_fr=source_fr,
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
        shape_note_en = f" of shape {got.shape}" if isinstance(got, np.ndarray) else ""
        shape_note_fr = f" de forme {got.shape}" if isinstance(got, np.ndarray) else ""
        raise _fail(
            f"{call} must return the cost as a float, but returned a value of type "
            f"{_type_name(got)}{shape_note_en}. Convert it with float(...), e.g. "
            "return float(cost).",
            f"{call} doit renvoyer le coût sous forme de float, mais a renvoyé une valeur de "
            f"type {_type_name(got)}{shape_note_fr}. Convertissez-le avec float(...), par "
            "exemple return float(cost).",
            kind="type_mismatch",
            function=function,
            array="cost",
            call=call,
            got_type=_type_name(got),
            got_shape=_shape(got) if isinstance(got, np.ndarray) else None,
        )
    if isinstance(got, np.floating) and not isinstance(got, np.float64):
        raise _fail(
            f"{call} returned the cost as {type(got).__name__}; float64 is expected. Do not "
            "convert to a lower precision.",
            f"{call} a renvoyé le coût en {type(got).__name__} ; float64 est attendu. Ne "
            "convertissez pas vers une précision plus faible.",
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
        f"{call} modified its argument {name}. Never write into an argument: work on a "
        "copy (e.g. Z = Z.copy()) or build a new array.",
        f"{call} a modifié son argument {name}. N'écrivez jamais dans un argument : "
        "travaillez sur une copie (par exemple Z = Z.copy()) ou construisez un nouveau "
        "tableau.",
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
        f"{call} wrote into its arguments ({where}). Never modify an argument: work on a "
        "copy (e.g. Z = Z.copy()) or build a new array; the caller may still need it.",
        f"{call} a écrit dans ses arguments ({where}). Ne modifiez jamais un argument : "
        "travaillez sur une copie (par exemple Z = Z.copy()) ou construisez un nouveau "
        "tableau ; l'appelant peut encore en avoir besoin.",
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
    described = (
        f"{_type_name(got)} of length {len(got)}"
        if isinstance(got, tuple | list)
        else _type_name(got)
    )
    raise _fail(
        f"{call} must return a tuple {names} of {length} values, but returned a {described}.",
        f"{call} doit renvoyer un tuple {names} de {length} valeurs, mais a renvoyé "
        f"un {described}.",
        kind="type_mismatch",
        function=function,
        array="return value",
        call=call,
        got_type=_type_name(got),
    )


def expect_keys(
    got: object, required: Sequence[str], *, function: str, call: str, what: str
) -> Mapping[str, Any]:
    """Check that `got` is a dict holding every key of `required` (extra keys are allowed)."""
    if not isinstance(got, dict):
        raise _fail(
            f"{call} must return {what} as a dict, but returned a {_type_name(got)}.",
            f"{call} doit renvoyer {what} sous forme de dict, mais a renvoyé un {_type_name(got)}.",
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
            f"{call} returned {what} without the keys {listed}. Use the names "
            "W1, b1, ..., WL, bL (gradients: dW1, db1, ...) for every layer 1 to L.",
            f"{call} a renvoyé {what} sans les clés {listed}. Utilisez les noms "
            "W1, b1, ..., WL, bL (gradients : dW1, db1, ...) pour chaque couche de 1 à L.",
            kind="property",
            function=function,
            array="return value",
            call=call,
        )
    return got


def fail_property(en: str, fr: str, *, function: str, call: str, **evidence: Any) -> CheckFailure:
    """A failure of a property the reference cannot express as values (kind ``property``)."""
    return _fail(en, fr, kind="property", function=function, call=call, **evidence)


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
