"""The handout's expected values: every function's public cases, and the oracle's outputs.

`build_expected(oracle)` reads the specs (`grader.catalog`) and returns the JSON-ready
document that the public checks read (``checks/expected.json`` in the handout)::

    {"format": 3, "oracle": "reference", "functions": [f, ...],
     "modules": {f: module}, "depends_on": {f: [g, ...]}, "modifies_arguments": [f, ...],
     "checks": {f: {"kind": ..., **options}}, "output_costs": {activation: cost},
     "hints": {f: {lang: hint}},
     "cases": {f: [{"label": {lang: label}, "args": {...}, "expected": ...,
                    "gradient": bool, "stability": bool, "extra": {...}}, ...]},
     "curves": {f: {"z": [...], "expected": [...], "backward": bool}}}

Texts are written in every language, from the project's catalog. Arrays are stored as
``{"__ndarray__": dtype, "shape", "data"}`` (`grader.public.numerics.encode`), tuples as
lists. A function's cases come from its spec with a generator seeded by `SEED` and the
function's name, so that adding a function changes no other's. The expected value of a case
is what the oracle answers, as its check's family defines it (`expected_value`); the
nbgrader export computes its cells' values the same way. The curves are those the feedback
page draws for an elementwise activation and its derivative (on the hidden suites' grid,
the derivative with dA = 1): a failing check of one of those functions shows the student's
curve against this one.
"""

from __future__ import annotations

import copy
import importlib
import zlib
from collections.abc import Callable, Mapping
from typing import Any

import numpy as np

from grader.catalog import (
    EXERCISES,
    MODULES,
    activations,
    all_functions,
    depends_on,
    module_of,
    output_costs,
)
from grader.errors import UsageError
from grader.hidden._support import CURVE_Z
from grader.public.numerics import encode
from grader.spec import Case, Function

FORMAT = 3
SEED = 20240917

Oracle = Callable[[str], Callable[..., Any]]
"""The oracle's function of a given name (``reference.sigmoid`` for ``"sigmoid"``)."""


class OracleModules:
    """The functions of an oracle package (``reference`` or ``solutions``), by name."""

    def __init__(self, package: str) -> None:
        try:
            self.modules = {name: importlib.import_module(f"{package}.{name}") for name in MODULES}
        except ImportError as error:
            raise UsageError(
                f"The oracle package {package!r} cannot be imported ({error}); install nngrade "
                f"from its repository (pip install -e .) so that it is available."
            ) from None
        self.name = package

    def __call__(self, function: str) -> Callable[..., Any]:
        return getattr(self.modules[module_of(function)], function)


def load_oracle(package: str = "reference") -> OracleModules:
    """The oracle package's functions, by name (`UsageError` if it cannot be imported)."""
    return OracleModules(package)


def case_generator(function: str, seed: int = SEED) -> np.random.Generator:
    """The generator of `function`'s cases: seeded by `seed` and the function's name."""
    return np.random.default_rng([seed, zlib.crc32(function.encode("utf-8"))])


def _call(oracle: Oracle, function: str, args: Mapping[str, Any]) -> Any:
    """The oracle's answer on copies of `args`, so that the case is never changed."""
    return oracle(function)(*copy.deepcopy(list(args.values())))


def _values(oracle: Oracle, function: Function, case: Case) -> Any:
    return _call(oracle, function.name, case.args)


def _forward_pair(oracle: Oracle, function: Function, case: Case) -> Any:
    return _call(oracle, function.name, case.args)[0]


def _layer_backward(oracle: Oracle, function: Function, case: Case) -> Any:
    """(dA_prev, dW, db) from the oracle's backward, given the cache of its own forward.

    The case holds the forward's arguments ``A_prev, W, b, *rest`` and the upstream
    gradient; the backward takes ``(upstream, cache, *rest)``.
    """
    upstream = function.check.option("upstream")
    forward_args = {key: value for key, value in case.args.items() if key != upstream}
    _, cache = _call(oracle, function.check.option("forward"), forward_args)
    rest = list(forward_args.values())[3:]
    dA_prev, dW, db = oracle(function.name)(case.args[upstream], cache, *copy.deepcopy(rest))
    return {"dA_prev": dA_prev, "dW": dW, "db": db}


def _model_backward(oracle: Oracle, function: Function, case: Case) -> Any:
    """The grads of the oracle's backward after its own forward on ``X, parameters, ...``."""
    forward_args = {key: value for key, value in case.args.items() if key != "Y"}
    AL, caches = _call(oracle, function.check.option("forward"), forward_args)
    hidden, output = case.args["hidden_activation"], case.args["output_activation"]
    return oracle(function.name)(AL, case.args["Y"], caches, hidden, output)


EXPECTED: dict[str, Callable[[Oracle, Function, Case], Any]] = {
    "values": _values,
    "forward_pair": _forward_pair,
    "activation_backward": _values,
    "cost_backward": _values,
    "output_backward": _values,
    "layer_backward": _layer_backward,
    "model_backward": _model_backward,
}
"""How each family of checks (`grader.spec.CHECK_KINDS`) computes a case's expected value."""


def expected_value(oracle: Oracle, function: Function, case: Case) -> Any:
    """What the check of `function` compares the student's answer to on `case`."""
    with np.errstate(over="ignore"):  # the textbook sigmoid may warn at ±1000: tolerated
        value = EXPECTED[function.check.kind](oracle, function, case)
    if isinstance(value, np.ndarray) and value.dtype.kind in "iu":
        value = value.astype(np.int64)  # predictions: one integer dtype on every platform
    return value


def encode_case(oracle: Oracle, function: Function, case: Case) -> dict[str, Any]:
    """One case as the handout stores it."""
    return {
        "label": dict(case.label),
        "args": encode(dict(case.args)),
        "expected": encode(expected_value(oracle, function, case)),
        "gradient": case.gradient,
        "stability": case.stability,
        "extra": encode(dict(case.extra)),
    }


def build_expected(oracle: OracleModules) -> dict[str, Any]:
    """The expected-values document of the handout, computed with `oracle`."""
    functions = [function for exercise in EXERCISES for function in exercise.contract]
    return {
        "format": FORMAT,
        "oracle": oracle.name,
        "functions": list(all_functions()),
        "modules": {f.name: e.module for e in EXERCISES for f in e.contract},
        "depends_on": {f.name: list(depends_on(f.name)) for f in functions},
        "modifies_arguments": [f.name for f in functions if f.modifies_arguments],
        "checks": {f.name: f.check.as_dict() for f in functions},
        "output_costs": output_costs(),
        "hints": {f.name: dict(e.hint) for e in EXERCISES for f in e.contract},
        "cases": {
            f.name: [encode_case(oracle, f, case) for case in f.cases(case_generator(f.name))]
            for f in functions
        },
        "curves": curves(oracle),
    }


def curves(oracle: Oracle) -> dict[str, dict[str, Any]]:
    """Each elementwise activation and its backward on the grid z of the feedback page's
    curves: ``{function: {"z": [...], "expected": [...], "backward": bool}}``."""
    z = CURVE_Z
    found = {}
    for activation in activations():
        if not activation.elementwise:
            continue
        for name, backward in ((activation.name, False), (f"{activation.name}_backward", True)):
            args = (np.ones_like(z), z) if backward else (z,)
            with np.errstate(over="ignore"):
                values = np.asarray(oracle(name)(*copy.deepcopy(args)), dtype=np.float64)
            found[name] = {
                "z": z.ravel().tolist(),
                "expected": values.ravel().tolist(),
                "backward": backward,
            }
    return found
