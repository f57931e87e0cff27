"""The test cell of each exported function, written from its spec.

A cell has a visible part, the function's public cases (the handout's: values on small
inputs, and each backward against finite differences of the student's *own* forward), and
a hidden part, between nbgrader's hidden-test delimiters: the same kinds of cases drawn
from another generator, and purity (array arguments unchanged after the call). Each family
of checks (`grader.spec.CHECK_KINDS`) has its writer here. Every expected value is computed
at export time from `reference/`, as the handout's are (`expected_value`), and written into
the cell as a literal: the notebook needs neither `reference/` nor nngrade.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

import numpy as np

from grader.authoring.expected import (
    SEED,
    OracleModules,
    case_generator,
    expected_value,
    load_oracle,
)
from grader.catalog import function_spec, output_costs
from grader.nbgrader_bridge.literals import literal
from grader.spec import Case, Function

BEGIN_HIDDEN = "### BEGIN HIDDEN TESTS"
END_HIDDEN = "### END HIDDEN TESTS"
HIDDEN_SEED = SEED + 1
"""Seeds the generator of the hidden cases (the visible ones are the handout's)."""


class CellWriter:
    """The statements of one case in a test cell: its arguments as variables, then checks."""

    def __init__(self, function: Function, case: Case, expected: Any, label: str) -> None:
        self.function = function
        self.case = case
        self.expected = expected
        self.label = label
        self.inputs: list[str] = []  # the assignments of the inputs, before any call
        self.lines: list[str] = []  # the calls and checks

    def line(self, code: str) -> None:
        self.lines.append(code)

    def let(self, name: str, value: object) -> None:
        self.inputs.append(f"{name} = {literal(value)}")

    def arguments(self, names: list[str] | None = None) -> str:
        """Assign the case's arguments `names` (all by default) to variables; return them as
        the arguments of a call, in order."""
        names = list(self.case.args) if names is None else names
        for name in names:
            self.let(name, self.case.args[name])
        return ", ".join(names)

    def check(self, call: str, expected: object, what: str) -> None:
        self.line(f"_check({call}, {literal(expected)}, {what!r})")

    def gradient(self, got: str, cost: str, point: str, what: str) -> None:
        self.line(f"_check_gradient({got}, {cost}, {point}, {what!r})")


Writer = Callable[[CellWriter], None]


def _write_values(w: CellWriter) -> None:
    # A tuple expected (train's parameters and costs) is compared output by output.
    w.check(f"{w.function.name}({w.arguments()})", w.expected, w.label)


def _write_forward_pair(w: CellWriter) -> None:
    name = w.function.name
    w.check(f"_output({name}({w.arguments()}), 2, {name!r})[0]", w.expected, w.label)


def _write_activation_backward(w: CellWriter) -> None:
    name, forward = w.function.name, w.function.check.option("forward")
    arguments = w.arguments()
    w.check(f"{name}({arguments})", w.expected, w.label)
    if w.case.gradient:
        extra = "".join(f", {key}" for key in w.case.args if key not in ("dA", "Z"))
        w.gradient(
            f"{name}({arguments})",
            f"lambda Z_: np.sum(dA * {forward}(Z_{extra}))",
            "Z",
            f"{w.label} (dZ)",
        )


def _write_cost_backward(w: CellWriter) -> None:
    name, cost = w.function.name, w.function.check.option("cost")
    w.check(f"{name}({w.arguments()})", w.expected, w.label)
    if w.case.gradient:
        w.gradient(
            f"{name}(AL, Y)", f"lambda AL_: Y.shape[1] * {cost}(AL_, Y)", "AL", f"{w.label} (dAL)"
        )


def _write_output_backward(w: CellWriter) -> None:
    name = w.function.name
    activation, cost = w.function.check.option("activation"), w.function.check.option("cost")
    w.check(f"{name}({w.arguments()})", w.expected, w.label)
    if w.case.gradient and "Z" in w.case.extra:
        w.let("Z", w.case.extra["Z"])
        w.gradient(
            f"{name}({activation}(Z), Y)",
            f"lambda Z_: Y.shape[1] * {cost}({activation}(Z_), Y)",
            "Z",
            f"{w.label} (dZL)",
        )


def _write_layer_backward(w: CellWriter) -> None:
    """The cache from the student's own forward ``(A_prev, W, b, *rest)``; the backward is
    ``(upstream, cache, *rest)``; finite differences of Σ upstream · forward(...)[0]."""
    name, forward = w.function.name, w.function.check.option("forward")
    upstream = w.function.check.option("upstream")
    names = [key for key in w.case.args if key != upstream]
    arguments = w.arguments(names)
    w.let(upstream, w.case.args[upstream])
    rest = "".join(f", {key}" for key in names[3:])
    w.line(f"_, cache = _output({forward}({arguments}), 2, {forward!r})")
    w.line(f"grads = _output({name}({upstream}, cache{rest}), 3, {name!r})")
    expected = (w.expected["dA_prev"], w.expected["dW"], w.expected["db"])
    w.check("grads", expected, w.label)
    if w.case.gradient:
        w.line("m = A_prev.shape[1]")
        for index, (key, scale) in enumerate((("A_prev", ""), ("W", " / m"), ("b", " / m"))):
            varied = ", ".join(f"{k}_" if k == key else k for k in names)
            w.gradient(
                f"grads[{index}]",
                f"lambda {key}_: np.sum({upstream} * {forward}({varied})[0]){scale}",
                key,
                f"{w.label} (d{key})",
            )


def _write_model_backward(w: CellWriter) -> None:
    """grads after the student's own forward, then each against the mean cost's finite
    differences through that forward."""
    name, forward = w.function.name, w.function.check.option("forward")
    names = [key for key in w.case.args if key != "Y"]
    arguments = w.arguments(names)
    w.let("Y", w.case.args["Y"])
    settings = "hidden_activation, output_activation"
    w.line(f"AL, caches = _output({forward}({arguments}), 2, {forward!r})")
    w.line(f"grads = {name}(AL, Y, caches, {settings})")
    w.check("grads", w.expected, w.label)
    if w.case.gradient:
        cost = output_costs()[w.case.args["output_activation"]]
        w.line("for key in sorted(parameters):")
        w.line(
            f"    _check_gradient(grads['d' + key], lambda value, key=key: {cost}("
            f"{forward}(X, {{**parameters, key: value}}, {settings})[0], Y), "
            f"parameters[key], {w.label!r} + ' (d' + key + ')')"
        )


WRITERS: dict[str, Writer] = {
    "values": _write_values,
    "forward_pair": _write_forward_pair,
    "activation_backward": _write_activation_backward,
    "cost_backward": _write_cost_backward,
    "output_backward": _write_output_backward,
    "layer_backward": _write_layer_backward,
    "model_backward": _write_model_backward,
}
"""The writer of each family of checks, by the kind name the specs give it."""


def _purity(w: CellWriter) -> tuple[list[str], list[str]]:
    """Copies of the case's array arguments before the call, and the checks after it."""
    if w.function.modifies_arguments:
        return [], []
    arrays = [key for key, value in w.case.args.items() if isinstance(value, np.ndarray)]
    before = [f"{key}_before = {key}.copy()" for key in arrays]
    after = [f"_check_unchanged({key}, {key}_before, {w.function.name!r})" for key in arrays]
    return before, after


@functools.cache
def _reference() -> OracleModules:
    return load_oracle("reference")


def case_lines(function: Function, case: Case, lang: str, *, hidden: bool = False) -> list[str]:
    """The statements that check `function` on `case`, in `lang` (with purity if hidden)."""
    expected = expected_value(_reference(), function, case)
    writer = CellWriter(function, case, expected, f"{function.name} — {case.label[lang]}")
    WRITERS[function.check.kind](writer)
    before, after = _purity(writer) if hidden else ([], [])
    return [*writer.inputs, *before, *writer.lines, *after]


def test_cell_source(function: str, lang: str = "en") -> str:
    """The source of the test cell of `function`: visible checks, then hidden ones."""
    spec = function_spec(function)
    visible_cases = spec.cases(case_generator(function))
    shown = {literal(dict(case.args)) for case in visible_cases}
    hidden_cases = [
        case
        for case in spec.cases(case_generator(function, HIDDEN_SEED))
        if literal(dict(case.args)) not in shown  # fixed inputs are already visible
    ]
    visible = [line for case in visible_cases for line in case_lines(spec, case, lang)]
    hidden = [line for case in hidden_cases for line in case_lines(spec, case, lang, hidden=True)]
    body = [f"    {line}" for line in visible]
    body += [f"    {BEGIN_HIDDEN}", *(f"    {line}" for line in hidden), f"    {END_HIDDEN}"]
    header = f"def _test_{function}():"
    return "\n".join([header, *body, "", "", f"_run_test(_test_{function})"])
