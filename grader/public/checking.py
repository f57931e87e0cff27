"""The `Checker`: calls a student function on a case and compares what comes back.

A failed comparison raises `Failure`, which carries everything the report prints: the call
with the shapes of its arguments, the problem in one sentence, what was expected, what came
back, the worst entries, and the known mistake the result looks like, if any. Comparisons,
finite differences and diagnoses are the grader's own (``gradcheck.py``, copied beside this
module at release), so a function passes here on the same criterion as at grading.
"""

from __future__ import annotations

import numbers
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, NoReturn

import numpy as np

from .gradcheck import (
    GRADIENT_ATOL,
    GRADIENT_RTOL,
    VALUE_ATOL,
    VALUE_RTOL,
    Comparison,
    Diagnosis,
    central_difference_gradient,
    compare,
    diagnose,
)
from .messages import say
from .student import Problem, StudentCode

# The report shows this many of the worst entries; more would drown the problem line.
WORST_SHOWN = 3

# Which module of exercises/ defines each function (the exercise contract).
MODULE_OF: dict[str, str] = {
    **dict.fromkeys(
        (
            "sigmoid",
            "sigmoid_backward",
            "tanh",
            "tanh_backward",
            "relu",
            "relu_backward",
            "leaky_relu",
            "leaky_relu_backward",
            "softmax",
            "softmax_backward",
        ),
        "activations",
    ),
    **dict.fromkeys(
        (
            "binary_cross_entropy",
            "binary_cross_entropy_backward",
            "categorical_cross_entropy",
            "categorical_cross_entropy_backward",
            "softmax_cross_entropy_backward",
        ),
        "losses",
    ),
    **dict.fromkeys(
        (
            "initialize_parameters",
            "linear_forward",
            "linear_activation_forward",
            "model_forward",
            "linear_backward",
            "linear_activation_backward",
            "model_backward",
            "update_parameters",
        ),
        "network",
    ),
    "train": "model",
    "predict": "model",
}

# The only function allowed to write into its arguments.
MAY_MODIFY_ARGUMENTS = frozenset({"update_parameters"})


@dataclass
class Failure(Exception):
    """One failed check, described for the student."""

    problem: str
    call: str = ""
    case: str = ""
    expected: str = ""
    got: str = ""
    worst: list[str] = field(default_factory=list)
    diagnosis: str = ""  # the known mistake it looks like, in the student's language

    def __str__(self) -> str:
        return self.problem


def describe(value: Any) -> str:
    """A short description of a value: shapes and dtypes for arrays, not their contents."""
    if isinstance(value, np.ndarray):
        return f"{value.shape} {value.dtype}"
    if isinstance(value, dict):
        inner = ", ".join(f"{key}: {describe(item)}" for key, item in value.items())
        return "{" + inner + "}"
    if isinstance(value, (list, tuple)):
        kind = type(value).__name__
        if len(value) <= 6 and all(isinstance(item, numbers.Number) for item in value):
            return repr(value)
        return f"{kind} of {len(value)}"
    if isinstance(value, (str, numbers.Number, type(None))):
        return repr(value)
    return type(value).__name__


def _format_index(index: tuple[int, ...]) -> str:
    return "[" + ", ".join(str(i) for i in index) + "]"


class Checker:
    """Calls the student's functions for one function's checks and compares the results."""

    def __init__(self, student: StudentCode, lang: str) -> None:
        self.student = student
        self.lang = lang
        self.case = ""
        self.stability = False
        self._call = ""

    # Calling ------------------------------------------------------------------------------

    def function(self, name: str) -> Callable[..., Any]:
        """The student's function `name` (a `Failure` if it cannot be found)."""
        try:
            return self.student.function(MODULE_OF[name], name)
        except Problem as problem:
            raise Failure(problem.message, call=self._call, case=self.case) from None

    def call(self, name: str, arguments: dict[str, Any]) -> Any:
        """Call `name` with `arguments` (in order), checking that it leaves them unchanged."""
        self._call = f"{name}({', '.join(f'{k}: {describe(v)}' for k, v in arguments.items())})"
        function = self.function(name)
        before = {key: _snapshot(value) for key, value in arguments.items()}
        try:
            result = self.student.call(function, *arguments.values())
        except Problem as problem:
            raise Failure(problem.message, call=self._call, case=self.case) from None
        if name not in MAY_MODIFY_ARGUMENTS:
            for key, value in arguments.items():
                if not _same(before[key], value):
                    self.fail(say("modified_argument", self.lang, name=key))
        return result

    def quiet_call(self, name: str, *arguments: Any) -> Any:
        """Call `name` inside a finite-difference loop: no purity check, no description."""
        try:
            return self.student.call(self.function(name), *arguments)
        except Problem as problem:
            raise Failure(problem.message, call=self._call, case=self.case) from None

    def fail(
        self,
        problem: str,
        expected: str = "",
        got: str = "",
        worst: list[str] | None = None,
        diagnosis: Diagnosis | None = None,
    ) -> NoReturn:
        """Raise a `Failure` for the current call and case."""
        if self.stability:
            problem += say("stability_note", self.lang)
        sentence = ""
        if diagnosis is not None:
            sentence = diagnosis.fr if self.lang == "fr" else diagnosis.en
        raise Failure(problem, self._call, self.case, expected, got, worst or [], sentence)

    # Comparing ----------------------------------------------------------------------------

    def array(
        self,
        got: Any,
        expected: np.ndarray,
        what: str,
        *,
        integer: bool = False,
        m: int | None = None,
        dA: np.ndarray | None = None,
    ) -> np.ndarray:
        """Check that `got` is an array of `expected`'s shape, dtype kind and values.

        `m` (the number of examples, where a 1/m belongs in the result) and `dA` (the
        upstream gradient of an activation's backward) let a wrong result be diagnosed.
        """
        wanted = say("array", self.lang, shape=expected.shape, dtype=expected.dtype)
        if not isinstance(got, np.ndarray):
            self.fail(say("wrong_type", self.lang, got=describe(got), expected=wanted), wanted)
        if got.shape != expected.shape:
            self.fail(
                say("wrong_shape", self.lang, what=what, got=got.shape, expected=expected.shape),
                wanted,
                say("array", self.lang, shape=got.shape, dtype=got.dtype),
                diagnosis=_diagnose_shape(got.shape, expected.shape, what),
            )
        if integer and got.dtype.kind not in "iu":
            self.fail(say("wrong_dtype", self.lang, what=what, got=got.dtype, expected="int"))
        if not integer and got.dtype != np.float64:
            self.fail(say("wrong_dtype", self.lang, what=what, got=got.dtype, expected="float64"))
        if integer:
            comparison = _compare_all(got, expected, rtol=0.0, atol=0.0)
        else:
            comparison = _compare_all(got, expected, rtol=VALUE_RTOL, atol=VALUE_ATOL)
            finite = np.isfinite(got)
            if not finite.all():
                count, total = int((~finite).sum()), got.size
                self.fail(
                    say("not_finite", self.lang, what=what, count=count, total=total),
                    wanted,
                    worst=self._worst(comparison),
                )
        if not comparison.ok:
            self.fail(
                say(
                    "values_differ",
                    self.lang,
                    what=what,
                    count=len(comparison.worst),
                    total=got.size,
                ),
                worst=self._worst(comparison),
                diagnosis=diagnose(got, expected, m=m, dA=dA, name=what),
            )
        return got

    def float_array(self, got: Any, shape: tuple[int, ...], what: str) -> np.ndarray:
        """Check that `got` is a finite float64 array of `shape` (values not compared)."""
        wanted = say("array", self.lang, shape=shape, dtype="float64")
        if not isinstance(got, np.ndarray):
            self.fail(say("wrong_type", self.lang, got=describe(got), expected=wanted), wanted)
        if got.shape != shape:
            self.fail(
                say("wrong_shape", self.lang, what=what, got=got.shape, expected=shape),
                diagnosis=_diagnose_shape(got.shape, shape, what),
            )
        if got.dtype != np.float64:
            self.fail(say("wrong_dtype", self.lang, what=what, got=got.dtype, expected="float64"))
        if not np.isfinite(got).all():
            count = int((~np.isfinite(got)).sum())
            self.fail(say("not_finite", self.lang, what=what, count=count, total=got.size))
        return got

    def number(self, got: Any, expected: float, what: str, *, m: int | None = None) -> float:
        """Check that `got` is a real number close to `expected` (`m`: see `array`)."""
        if isinstance(got, np.ndarray) and got.ndim == 0:
            got = got.item()
        if not isinstance(got, numbers.Real) or isinstance(got, bool):
            self.fail(say("wrong_type", self.lang, got=describe(got), expected="float"))
        value = float(got)
        if not np.isfinite(value):
            self.fail(say("value_differs", self.lang, what=what, got=value, expected=expected))
        have, want = np.array(value), np.array(float(expected))
        if not compare(have, want, rtol=VALUE_RTOL, atol=VALUE_ATOL).ok:
            self.fail(
                say("value_differs", self.lang, what=what, got=repr(value), expected=expected),
                diagnosis=diagnose(have, want, m=m, name=what),
            )
        return value

    def tuple_of(self, got: Any, names: tuple[str, ...]) -> tuple[Any, ...]:
        """Check that `got` is a tuple (or list) of ``len(names)`` values."""
        if not isinstance(got, (tuple, list)) or len(got) != len(names):
            self.fail(
                say(
                    "wrong_tuple",
                    self.lang,
                    count=len(names),
                    names=", ".join(names),
                    got=describe(got),
                )
            )
        return tuple(got)

    def arrays(
        self, got: Any, expected: dict[str, np.ndarray], what: str, *, m: int | None = None
    ) -> dict[str, Any]:
        """Check a dictionary of arrays key by key (extra keys are allowed; `m`: see `array`)."""
        if not isinstance(got, dict):
            self.fail(say("wrong_type", self.lang, got=describe(got), expected="dict"))
        for key, value in expected.items():
            if key not in got:
                keys = ", ".join(map(str, got)) or "-"
                self.fail(say("missing_key", self.lang, key=key, keys=keys))
            self.array(got[key], value, f"{what}[{key!r}]", m=m)
        return got

    def gradient(
        self,
        analytic: np.ndarray,
        function: Callable[[np.ndarray], float],
        point: np.ndarray,
        what: str,
        forward: str,
        *,
        m: int | None = None,
        dA: np.ndarray | None = None,
    ) -> None:
        """Check `analytic` against central differences of the scalar `function` at `point`.

        `m` and `dA` let a wrong gradient be diagnosed (see `array`).
        """

        def evaluate_many(points: list[np.ndarray]) -> list[float]:
            return [function(each) for each in points]

        numeric = central_difference_gradient(evaluate_many, point)
        self.float_array(analytic, numeric.shape, what)
        comparison = _compare_all(analytic, numeric, rtol=GRADIENT_RTOL, atol=GRADIENT_ATOL)
        if not comparison.ok:
            self.fail(
                say(
                    "gradient_differs",
                    self.lang,
                    what=what,
                    forward=forward,
                    count=len(comparison.worst),
                    total=analytic.size,
                ),
                expected=say("finite_differences", self.lang),
                worst=self._worst(comparison),
                diagnosis=diagnose(analytic, numeric, m=m, dA=dA, name=what),
            )

    def _worst(self, comparison: Comparison) -> list[str]:
        return [
            say(
                "worst_entry",
                self.lang,
                where=_format_index(entry.index),
                expected=f"{entry.expected:.8g}",
                got=f"{entry.got:.8g}",
            )
            for entry in comparison.worst[:WORST_SHOWN]
        ]


def _compare_all(got: np.ndarray, expected: np.ndarray, *, rtol: float, atol: float) -> Comparison:
    """`compare` keeping every failing entry, worst first, so that they can be counted."""
    return compare(got, expected, rtol=rtol, atol=atol, worst_count=max(got.size, 1))


def _diagnose_shape(got: tuple[int, ...], expected: tuple[int, ...], what: str) -> Diagnosis | None:
    """A missing keepdims, a transpose or a sum over the wrong axis, from the shapes alone."""
    # Only the shapes matter here, and the student's array may hold anything.
    return diagnose(np.zeros(got), np.zeros(expected), name=what)


def _snapshot(value: Any) -> Any:
    """A deep copy of the arrays inside `value`, to detect writes into arguments."""
    if isinstance(value, np.ndarray):
        return value.copy()
    if isinstance(value, dict):
        return {key: _snapshot(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_snapshot(item) for item in value]
    return value


def _same(before: Any, after: Any) -> bool:
    if isinstance(before, np.ndarray):
        return (
            isinstance(after, np.ndarray)
            and before.shape == after.shape
            and bool(np.array_equal(before, after, equal_nan=True))
        )
    if isinstance(before, dict):
        return (
            isinstance(after, dict)
            and before.keys() == after.keys()
            and all(_same(before[key], after[key]) for key in before)
        )
    if isinstance(before, list):
        return isinstance(after, list) and all(map(_same, before, after))
    return True
