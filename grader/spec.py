"""What an exercise spec says: the one description of an exercise that every part reads.

An exercise lives in one file, ``grader/specs/<id>.py``, which defines ``EXERCISE``: an
`Exercise` with its student functions (`Function`: name, signature, what it calls, how the
public checks test it and on which cases), its points, what a student reads (title,
statement, hint: `grader.i18n.Text`, translated in the project's catalog), where the lecture
covers it (`Pointer`), and the mistakes the grader recognises in it (`KnownMistake`).

Every part derives from the specs (`grader.catalog` collects them): the hidden suites'
shared checks, the handout's self-check and its expected values, the nbgrader notebook,
the report's titles, hints, diagnoses and lecture pointers, and the gradebook columns.

How a function is checked is a `Check`: a family of checks (``kind``) and its options. The
families are shared by every exercise, and each part implements all of them: the
handout's self-check (``grader/public/functions.py``), the expected values it compares
with (``grader/authoring/expected.py``) and the notebook's test cells
(``grader/nbgrader_bridge/checks.py``). A test keeps the three in step with `CHECK_KINDS`.
"""

from __future__ import annotations

import ast
import inspect
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, Literal, NamedTuple

import numpy as np

from grader.gradcheck import Diagnosis
from grader.i18n import Text


class Pointer(NamedTuple):
    """What to read again in the lecture: a section (one of `grader.lecture`) and the idea
    to look at there, both message ids."""

    section: str
    idea: str


@dataclass(frozen=True)
class KnownMistake:
    """A mistake the grader recognises in an exercise's functions, and what to say about it.

    Attributes:
        code: the diagnosis code of the result document, e.g. ``"unstable_softmax"``.
        message: the sentence for the student (message id, ``%(name)s`` fields filled by
            `diagnosis`).
        label: one line for the class summary, which groups students by mistake (message
            id); None when a generic diagnosis of the same code already has one.
        lecture: what to read again; None to use the generic diagnosis's pointer.
    """

    code: str
    message: str
    label: str | None = None
    lecture: Pointer | None = None

    def diagnosis(self, **fields: object) -> Diagnosis:
        """The diagnosis to attach to a failed check, its sentence filled with `fields`."""
        return Diagnosis(self.code, Text(self.message, **fields))


@dataclass(frozen=True)
class Check:
    """How the public self-check and the notebook's test cell check one function.

    Attributes:
        kind: the family of checks, one of `CHECK_KINDS`.
        options: the family's options, JSON-ready (function names, output names...).
    """

    kind: str
    options: tuple[tuple[str, Any], ...] = ()

    def as_dict(self) -> dict[str, Any]:
        """``{"kind": ..., **options}``, as the handout's expected values store it."""
        return {"kind": self.kind, **dict(self.options)}

    def option(self, name: str) -> Any:
        return dict(self.options)[name]


def values(
    what: str, *, m_from: str | None = None, outputs: tuple[str, ...] | None = None
) -> Check:
    """Call the function on each case and compare what it returns with the expected value.

    Arrays, numbers, booleans, lists and dicts of them are compared entry by entry. `what`
    names the result in messages; `m_from` names the argument whose columns are the m
    examples (so that a result m times off is diagnosed); `outputs` names the values of a
    function that returns a tuple.
    """
    return Check("values", _options(what=what, m_from=m_from, outputs=outputs))


def forward_pair(outputs: tuple[str, str]) -> Check:
    """A forward that returns ``(value, cache)``: the value is compared, the cache is opaque."""
    return Check("forward_pair", _options(outputs=outputs))


def activation_backward(forward: str) -> Check:
    """An activation's backward ``(dA, Z) -> dZ``: its values, then (gradient cases) against
    finite differences of Σ dA · forward(Z) through the student's own `forward`."""
    return Check("activation_backward", _options(forward=forward))


def cost_backward(cost: str) -> Check:
    """A cost's derivative ``(AL, Y) -> dAL``: its values, then (gradient cases) against
    finite differences of m · cost(AL, Y) through the student's own `cost`."""
    return Check("cost_backward", _options(cost=cost))


def output_backward(activation: str, cost: str) -> Check:
    """The simplified gradient ``(AL, Y) -> dZL`` of an output layer: its values, then (cases
    with a ``Z`` extra) against finite differences of m · cost(activation(Z), Y)."""
    return Check("output_backward", _options(activation=activation, cost=cost))


def layer_backward(forward: str, upstream: str) -> Check:
    """A layer's backward ``(upstream, cache, ...) -> (dA_prev, dW, db)``, the cache from the
    student's own `forward`: its values, then against finite differences of that forward."""
    return Check("layer_backward", _options(forward=forward, upstream=upstream))


def model_backward(forward: str) -> Check:
    """The network's backward ``(AL, Y, caches, ...) -> grads`` after the student's own
    `forward`: every gradient, then against finite differences of the mean cost (each
    output activation's cost, from the activation exercises)."""
    return Check("model_backward", _options(forward=forward))


CHECK_KINDS: tuple[str, ...] = (
    "values",
    "forward_pair",
    "activation_backward",
    "cost_backward",
    "output_backward",
    "layer_backward",
    "model_backward",
)
"""Every family of checks; each part that checks a function implements all of them."""


def _options(**options: Any) -> tuple[tuple[str, Any], ...]:
    return tuple((key, value) for key, value in options.items() if value is not None)


@dataclass(frozen=True)
class Case:
    """One public case: the arguments of a call, in call order, and what it tests.

    Attributes:
        label: what the case is, for the student (e.g. "random inputs").
        args: argument name -> value, in the order of the signature.
        gradient: also check the result against finite differences (inputs must sit where
            the function is smooth).
        stability: a numerical-stability input (the report says so on failure).
        extra: inputs a check needs beside the call's (e.g. the scores Z of which AL is the
            softmax, for `output_backward`).
    """

    label: Text
    args: Mapping[str, Any]
    gradient: bool = False
    stability: bool = False
    extra: Mapping[str, Any] = field(default_factory=dict)


CaseBuilder = Callable[[np.random.Generator], list[Case]]
"""Builds a function's public cases from a seeded generator (the same seed, the same cases)."""


@dataclass(frozen=True)
class Function:
    """One student function of the exercise contract (docs/student-api.md).

    Attributes:
        name: its name, the same in exercises/, solutions/ and reference/.
        signature: its parameters as written in the contract, e.g. ``"(dA, Z, alpha=0.01)"``.
        check: how the public self-check and the notebook test it.
        cases: its public cases.
        depends_on: the contract functions it calls in the taught solution: when it fails
            while one of them fails, the self-check says to fix that one first.
        uses_activations: it also calls every activation's ``"forward"`` or ``"backward"``
            (the activation exercises, whichever they are).
        modifies_arguments: it may write into its arguments (``update_parameters``).
        lecture: what to read again when it fails, if not its exercise's pointer.
        statement: its docstring in the handout: what it takes, the shapes, the formula
            (a message of the catalog, translated for a handout in another language).
            Every function of the contract has one (`grader.catalog` checks it).
    """

    name: str
    signature: str
    check: Check
    cases: CaseBuilder
    depends_on: tuple[str, ...] = ()
    uses_activations: Literal["forward", "backward"] | None = None
    modifies_arguments: bool = False
    lecture: Pointer | None = None
    statement: Text | None = None

    @property
    def parameters(self) -> inspect.Signature:
        """The signature as an `inspect.Signature` (names and defaults, no annotations)."""
        return parse_signature(self.signature)


def parse_signature(signature: str) -> inspect.Signature:
    """``"(dA, Z, alpha=0.01)"`` as an `inspect.Signature`; defaults must be literals."""
    try:
        definition = ast.parse(f"def f{signature}: pass").body[0]
    except SyntaxError:
        definition = None
    if not isinstance(definition, ast.FunctionDef):
        raise ValueError(f"{signature!r} is not a parameter list like '(Z, alpha=0.01)'.")
    arguments = definition.args
    positional = arguments.args
    defaults = [None] * (len(positional) - len(arguments.defaults)) + list(arguments.defaults)
    return inspect.Signature(
        [
            inspect.Parameter(
                argument.arg,
                inspect.Parameter.POSITIONAL_OR_KEYWORD,
                default=inspect.Parameter.empty if default is None else ast.literal_eval(default),
            )
            for argument, default in zip(positional, defaults, strict=True)
        ]
    )


@dataclass(frozen=True)
class Activation:
    """What the network functions need to know of an activation exercise.

    Attributes:
        name: the name the network functions accept, e.g. ``"relu"``.
        hidden: it may be the activation of hidden layers.
        output_cost: the cost function it is trained with as the output layer's activation,
            or None when it is not an output activation.
        kink: it is not differentiable at z = 0, so finite differences keep away from 0.
        elementwise: it maps each entry on its own, so that it (and its derivative) can be
            drawn as a curve over z; softmax, computed per column, is not.
    """

    name: str
    hidden: bool
    output_cost: str | None = None
    kink: bool = False
    elementwise: bool = True


@dataclass(frozen=True)
class Exercise:
    """One graded exercise.

    Attributes:
        id: stable identifier, used in result documents and gradebook columns; the name of
            its spec file.
        order: its place in the course (exercises are taught, listed and exported by it).
        module: the student module that holds its functions (``exercises/<module>.py``).
        points: its maximum score; the points of its hidden tests add up to it.
        title: its title.
        statement: what the student writes, in a sentence or two.
        hint: what to read again when it fails.
        lecture: where the lecture covers it.
        contract: its student functions, in the order taught.
        mistakes: the mistakes the grader recognises in it.
        activation: for an activation exercise, how the network functions use it.
    """

    id: str
    order: int
    module: str
    points: float
    title: Text
    statement: Text
    hint: Text
    lecture: Pointer
    contract: tuple[Function, ...]
    mistakes: tuple[KnownMistake, ...] = ()
    activation: Activation | None = None

    @property
    def functions(self) -> tuple[str, ...]:
        """The names of its student functions, in the order taught."""
        return tuple(function.name for function in self.contract)

    def function(self, name: str) -> Function:
        """Its function `name`, or a ValueError listing its functions."""
        for function in self.contract:
            if function.name == name:
                return function
        raise ValueError(
            f"The exercise {self.id!r} has no function {name!r}; it has: "
            f"{', '.join(self.functions)}."
        )

    def mistake(self, code: str) -> KnownMistake:
        """Its known mistake `code`, or a ValueError listing the ones it knows."""
        for mistake in self.mistakes:
            if mistake.code == code:
                return mistake
        known = ", ".join(mistake.code for mistake in self.mistakes) or "none"
        raise ValueError(f"The exercise {self.id!r} knows no mistake {code!r}; it knows: {known}.")
