"""The `Checker`: calls a student function on a case and compares what comes back.

A failed comparison raises `Failure`, which carries everything the report prints: the call
with the shapes of its arguments, the problem in one sentence, what was expected, what came
back, the worst entries, and the known mistake the result looks like, if any. Comparisons,
finite differences and diagnoses are the grader's own (``gradcheck.py``, copied beside this
module at release), so a function passes here on the same criterion as at grading.
"""

from __future__ import annotations

import numbers
from collections.abc import Callable, Mapping
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
from .i18n import format_number, translator
from .student import Problem, Student
from .verdicts import Failure

# The report shows this many of the worst entries; more would drown the problem line.
WORST_SHOWN = 3
SHOWN_DIGITS = 8
"""Significant digits of a value a check shows: enough to tell two close values apart."""
# A plot of a wrong array shows at most this many of its entries, evenly spaced.
PLOTTED_ENTRIES = 200


@dataclass(frozen=True)
class Contract:
    """What the checks need to know of the exercise contract (from ``expected.json``).

    Attributes:
        modules: student function -> the module of ``exercises/`` that defines it.
        modifies_arguments: the functions allowed to write into their arguments.
        output_costs: output activation -> the cost it is trained with.
    """

    modules: Mapping[str, str]
    modifies_arguments: frozenset[str] = frozenset()
    output_costs: Mapping[str, str] = field(default_factory=dict)

    @classmethod
    def from_expected(cls, expected: Mapping[str, Any]) -> Contract:
        return cls(
            modules=dict(expected["modules"]),
            modifies_arguments=frozenset(expected.get("modifies_arguments", ())),
            output_costs=dict(expected.get("output_costs", {})),
        )


def describe(value: Any, lang: str = "en") -> str:
    """A short description of a value: shapes and dtypes for arrays, not their contents."""
    if isinstance(value, np.ndarray):
        return f"{value.shape} {value.dtype}"
    if isinstance(value, dict):
        inner = ", ".join(f"{key}: {describe(item, lang)}" for key, item in value.items())
        return "{" + inner + "}"
    if isinstance(value, (list, tuple)):
        if len(value) <= 6 and all(isinstance(item, numbers.Number) for item in value):
            return repr(value)
        _ = translator(lang)
        if isinstance(value, tuple):
            return _("tuple of %(count)s", count=len(value))
        return _("list of %(count)s", count=len(value))
    if isinstance(value, (str, numbers.Number, type(None))):
        return repr(value)
    return type(value).__name__


def _format_index(index: tuple[int, ...]) -> str:
    return "[" + ", ".join(str(i) for i in index) + "]"


class Checker:
    """Calls the student's functions for one function's checks and compares the results."""

    def __init__(self, student: Student, lang: str, contract: Contract) -> None:
        self.student = student
        self.lang = lang
        self.contract = contract
        self._ = translator(lang)
        self.case = ""
        self.stability = False
        self._call = ""

    # Calling ------------------------------------------------------------------------------

    def function(self, name: str) -> Callable[..., Any]:
        """The student's function `name` (a `Failure` if it cannot be found)."""
        try:
            return self.student.function(self.contract.modules[name], name)
        except Problem as problem:
            raise self._failure(problem) from None

    def call(self, name: str, arguments: dict[str, Any]) -> Any:
        """Call `name` with `arguments` (in order), checking that it leaves them unchanged."""
        described = ", ".join(f"{k}: {describe(v, self.lang)}" for k, v in arguments.items())
        self._call = f"{name}({described})"
        function = self.function(name)
        before = {key: _snapshot(value) for key, value in arguments.items()}
        try:
            result = self.student.call(name, function, *arguments.values())
        except Problem as problem:
            raise self._failure(problem) from None
        if name not in self.contract.modifies_arguments:
            for key, value in arguments.items():
                if not _same(before[key], value):
                    self.fail(
                        self._(
                            "it changed its argument `%(name)s`; build new arrays instead of "
                            "writing into the inputs (use a copy, or an expression such as "
                            "dA * mask).",
                            name=key,
                        )
                    )
        return result

    def quiet_call(self, name: str, *arguments: Any) -> Any:
        """Call `name` inside a finite-difference loop: no purity check, no description."""
        try:
            return self.student.call(name, self.function(name), *arguments)
        except Problem as problem:
            raise self._failure(problem) from None

    def _failure(self, problem: Problem) -> Failure:
        return Failure(problem.message, self._call, self.case, stopped=problem.stopped)

    def fail(
        self,
        problem: str,
        expected: str = "",
        got: str = "",
        worst: list[str] | None = None,
        diagnosis: Diagnosis | None = None,
        plot: dict[str, Any] | None = None,
    ) -> NoReturn:
        """Raise a `Failure` for the current call and case (`plot`: see ``plots.py``)."""
        if self.stability:
            problem += " " + self._("This input is a numerical-stability test.")
        sentence = ""
        if diagnosis is not None:
            sentence = diagnosis.text[self.lang]
        raise Failure(
            problem, self._call, self.case, expected, got, worst or [], sentence, plot=plot
        )

    # Comparing ----------------------------------------------------------------------------

    def value(self, got: Any, expected: Any, what: str, *, m: int | None = None) -> Any:
        """Check `got` against `expected`, whatever its form: an array (integers compared
        exactly), a number, a boolean, or a list or dict of those, entry by entry.

        `m` is the number of examples where a 1/m belongs in the result (see `array`).
        """
        if isinstance(expected, np.ndarray):
            return self.array(got, expected, what, integer=expected.dtype.kind in "iu", m=m)
        if isinstance(expected, bool):
            return self.boolean(got, expected, what)
        if isinstance(expected, numbers.Real):
            return self.number(got, float(expected), what, m=m)
        if isinstance(expected, dict):
            return self.arrays(got, expected, what, m=m)
        if isinstance(expected, list):
            return self.sequence(got, expected, what, m=m)
        raise TypeError(f"No comparison for an expected {type(expected).__name__} ({what}).")

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
        wanted = self._describe_array(expected.shape, expected.dtype)
        if not isinstance(got, np.ndarray):
            self._wrong_type(got, wanted)
        if got.shape != expected.shape:
            self.fail(
                self._wrong_shape(what, got.shape, expected.shape),
                wanted,
                self._describe_array(got.shape, got.dtype),
                diagnosis=_diagnose_shape(got.shape, expected.shape, what),
            )
        if integer and got.dtype.kind not in "iu":
            self.fail(self._wrong_dtype(what, got.dtype, "int"))
        if not integer and got.dtype != np.float64:
            self.fail(self._wrong_dtype(what, got.dtype, "float64"))
        if integer:
            comparison = _compare_all(got, expected, rtol=0.0, atol=0.0)
        else:
            comparison = _compare_all(got, expected, rtol=VALUE_RTOL, atol=VALUE_ATOL)
            finite = np.isfinite(got)
            if not finite.all():
                count, total = int((~finite).sum()), got.size
                self.fail(
                    self._not_finite(what, count, total), wanted, worst=self._worst(comparison)
                )
        if not comparison.ok:
            self.fail(
                self._(
                    "%(what)s differs from the expected values at %(count)s of %(total)s entries.",
                    what=what,
                    count=len(comparison.worst),
                    total=got.size,
                ),
                worst=self._worst(comparison),
                diagnosis=diagnose(got, expected, m=m, dA=dA, name=what),
                plot=scatter(got, expected, what),
            )
        return got

    def float_array(self, got: Any, shape: tuple[int, ...], what: str) -> np.ndarray:
        """Check that `got` is a finite float64 array of `shape` (values not compared)."""
        wanted = self._describe_array(shape, "float64")
        if not isinstance(got, np.ndarray):
            self._wrong_type(got, wanted)
        if got.shape != shape:
            self.fail(
                self._wrong_shape(what, got.shape, shape),
                diagnosis=_diagnose_shape(got.shape, shape, what),
            )
        if got.dtype != np.float64:
            self.fail(self._wrong_dtype(what, got.dtype, "float64"))
        if not np.isfinite(got).all():
            self.fail(self._not_finite(what, int((~np.isfinite(got)).sum()), got.size))
        return got

    def number(self, got: Any, expected: float, what: str, *, m: int | None = None) -> float:
        """Check that `got` is a real number close to `expected` (`m`: see `array`)."""
        if isinstance(got, np.ndarray) and got.ndim == 0:
            got = got.item()
        if not isinstance(got, numbers.Real) or isinstance(got, bool):
            self._wrong_type(got, "float")
        value = float(got)
        if not np.isfinite(value):
            self.fail(self._value_differs(what, value, expected))
        have, want = np.array(value), np.array(float(expected))
        if not compare(have, want, rtol=VALUE_RTOL, atol=VALUE_ATOL).ok:
            self.fail(
                self._value_differs(
                    what,
                    format_number(value, self.lang, SHOWN_DIGITS),
                    format_number(float(expected), self.lang, SHOWN_DIGITS),
                ),
                diagnosis=diagnose(have, want, m=m, name=what),
            )
        return value

    def boolean(self, got: Any, expected: bool, what: str) -> bool:
        """Check that `got` is a boolean (Python's or numpy's) equal to `expected`."""
        if isinstance(got, np.ndarray) and got.ndim == 0:
            got = got.item()
        if not isinstance(got, bool | np.bool_):
            self._wrong_type(got, "bool")
        if bool(got) != expected:
            self.fail(self._value_differs(what, bool(got), expected))
        return bool(got)

    def sequence(
        self, got: Any, expected: list[Any], what: str, *, m: int | None = None
    ) -> list[Any]:
        """Check that `got` is a list (tuple, 1-d array) of the expected length and values."""
        if not isinstance(got, list | tuple | np.ndarray) or np.ndim(got) == 0:
            self._wrong_type(got, "list")
        if len(got) != len(expected):
            self.fail(
                self._(
                    "%(what)s has %(got)s items; %(expected)s were expected.",
                    what=what,
                    got=len(got),
                    expected=len(expected),
                )
            )
        for index, (have, want) in enumerate(zip(got, expected, strict=True)):
            self.value(have, want, f"{what}[{index}]", m=m)
        return list(got)

    def tuple_of(self, got: Any, names: tuple[str, ...]) -> tuple[Any, ...]:
        """Check that `got` is a tuple (or list) of ``len(names)`` values."""
        if not isinstance(got, (tuple, list)) or len(got) != len(names):
            self.fail(
                self._(
                    "it must return a tuple of %(count)s values (%(names)s); it returned %(got)s.",
                    count=len(names),
                    names=", ".join(names),
                    got=describe(got, self.lang),
                )
            )
        return tuple(got)

    def arrays(
        self, got: Any, expected: dict[str, Any], what: str, *, m: int | None = None
    ) -> dict[str, Any]:
        """Check a dictionary key by key (extra keys are allowed; `m`: see `array`)."""
        if not isinstance(got, dict):
            self._wrong_type(got, "dict")
        for key, value in expected.items():
            if key not in got:
                keys = ", ".join(map(str, got)) or "-"
                self.fail(
                    self._(
                        "the dictionary it returned has no key %(key)s (it has: %(keys)s).",
                        key=repr(key),
                        keys=keys,
                    )
                )
            self.value(got[key], value, f"{what}[{key!r}]", m=m)
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
                self._(
                    "%(what)s does not match the finite differences of your own %(forward)s at "
                    "%(count)s of %(total)s entries.",
                    what=what,
                    forward=forward,
                    count=len(comparison.worst),
                    total=analytic.size,
                ),
                expected=self._("finite differences"),
                worst=self._worst(comparison),
                diagnosis=diagnose(analytic, numeric, m=m, dA=dA, name=what),
                plot=scatter(analytic, numeric, what),
            )

    # Sentences ---------------------------------------------------------------------------

    def _describe_array(self, shape: tuple[int, ...], dtype: object) -> str:
        return self._("an array of shape %(shape)s, %(dtype)s", shape=shape, dtype=dtype)

    def _wrong_type(self, got: Any, expected: str) -> NoReturn:
        self.fail(
            self._(
                "it returned %(got)s where %(expected)s was expected.",
                got=describe(got, self.lang),
                expected=expected,
            ),
            expected,
        )

    def _wrong_shape(self, what: str, got: tuple[int, ...], expected: tuple[int, ...]) -> str:
        return self._(
            "%(what)s has shape %(got)s; the expected shape is %(expected)s.",
            what=what,
            got=got,
            expected=expected,
        )

    def _wrong_dtype(self, what: str, got: object, expected: str) -> str:
        return self._(
            "%(what)s has dtype %(got)s; the expected dtype is %(expected)s.",
            what=what,
            got=got,
            expected=expected,
        )

    def _not_finite(self, what: str, count: int, total: int) -> str:
        return self._(
            "%(what)s has %(count)s NaN or infinite entries out of %(total)s.",
            what=what,
            count=count,
            total=total,
        )

    def _value_differs(self, what: str, got: object, expected: object) -> str:
        return self._(
            "%(what)s is %(got)s; the expected value is %(expected)s.",
            what=what,
            got=got,
            expected=expected,
        )

    def _worst(self, comparison: Comparison) -> list[str]:
        return [
            self._(
                "%(where)s: expected %(expected)s, got %(got)s",
                where=_format_index(entry.index),
                expected=format_number(entry.expected, self.lang, SHOWN_DIGITS),
                got=format_number(entry.got, self.lang, SHOWN_DIGITS),
            )
            for entry in comparison.worst[:WORST_SHOWN]
        ]


def scatter(got: np.ndarray, expected: np.ndarray, what: str) -> dict[str, Any]:
    """The data of a plot of each entry of `got` against the same entry of `expected`
    (arrays of one shape; at most `PLOTTED_ENTRIES`, evenly spaced; plain floats)."""
    have, want = got.ravel().astype(np.float64), expected.ravel().astype(np.float64)
    if have.size > PLOTTED_ENTRIES:
        kept = np.linspace(0, have.size - 1, PLOTTED_ENTRIES).round().astype(np.intp)
        have, want = have[kept], want[kept]
    return {"kind": "scatter", "what": what, "expected": want.tolist(), "got": have.tolist()}


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
