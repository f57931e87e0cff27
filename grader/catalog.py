"""The exercises: every spec of ``grader/specs/``, collected and checked once.

Each module of ``grader/specs/`` whose name does not start with an underscore defines
``EXERCISE``, the `grader.spec.Exercise` of the same id; they are listed in their `order`.
Everything else asks this module: the hidden suites tag every test with its exercise and
points (``@pytest.mark.graded(exercise="sigmoid", points=1, title=N_(...))``), and a test
checks that the points of an exercise's tests add up to its `points`.

Adding an exercise: its spec in ``grader/specs/``, its code in ``solutions/`` and
``reference/``, its tests in a hidden suite. Nothing else changes.
"""

from __future__ import annotations

import importlib
import pkgutil

from grader import specs
from grader.errors import UsageError
from grader.i18n import Text
from grader.spec import Activation, Exercise, Function, KnownMistake
from grader.specs._modules import STATEMENTS as MODULE_STATEMENTS

__all__ = [
    "EXERCISES",
    "MODULES",
    "Exercise",
    "activations",
    "all_functions",
    "depends_on",
    "function_spec",
    "function_statement",
    "get_exercise",
    "known_mistakes",
    "max_score",
    "module_of",
    "module_statement",
    "output_costs",
]


def _collect() -> tuple[Exercise, ...]:
    found = []
    for module in pkgutil.iter_modules(specs.__path__):
        if module.name.startswith("_"):
            continue
        spec = importlib.import_module(f"{specs.__name__}.{module.name}")
        exercise = getattr(spec, "EXERCISE", None)
        if not isinstance(exercise, Exercise):
            raise TypeError(f"grader/specs/{module.name}.py must define EXERCISE = Exercise(...).")
        if exercise.id != module.name:
            raise ValueError(
                f"grader/specs/{module.name}.py defines the exercise {exercise.id!r}: an "
                "exercise's spec is named after its id."
            )
        for function in exercise.contract:
            if function.statement is None:
                raise ValueError(
                    f"grader/specs/{module.name}.py: {function.name} has no statement; give "
                    "it one (Function(..., statement=Text(...))): it is its docstring."
                )
        found.append(exercise)
    exercises = tuple(sorted(found, key=lambda exercise: exercise.order))
    _check_unique("order", [exercise.order for exercise in exercises])
    _check_unique("function", [name for exercise in exercises for name in exercise.functions])
    return exercises


def _check_unique(what: str, items: list[object]) -> None:
    repeated = sorted({str(item) for item in items if items.count(item) > 1})
    if repeated:
        raise ValueError(f"Two exercises share the same {what}: {', '.join(repeated)}.")


EXERCISES: tuple[Exercise, ...] = _collect()
"""Every exercise, in the order of the course."""

MODULES: tuple[str, ...] = tuple(dict.fromkeys(exercise.module for exercise in EXERCISES))
"""The student modules, in the order of their first exercise."""

_missing = [name for name in ("__init__", *MODULES) if name not in MODULE_STATEMENTS]
if _missing:
    raise ValueError(
        f"grader/specs/_modules.py has no statement for {', '.join(_missing)}: give each "
        "student module (and the package, __init__) its docstring there."
    )

_BY_ID = {exercise.id: exercise for exercise in EXERCISES}
_FUNCTIONS = {
    function.name: (exercise, function) for exercise in EXERCISES for function in exercise.contract
}


def get_exercise(exercise_id: str) -> Exercise:
    """Return the exercise called `exercise_id`, or fail by listing the valid ids."""
    try:
        return _BY_ID[exercise_id]
    except KeyError:
        valid = ", ".join(sorted(_BY_ID))
        raise UsageError(f"Unknown exercise {exercise_id!r}; the exercises are: {valid}.") from None


def all_functions() -> tuple[str, ...]:
    """Every student function of the contract, in the order of the course."""
    return tuple(_FUNCTIONS)


def _lookup(function: str) -> tuple[Exercise, Function]:
    try:
        return _FUNCTIONS[function]
    except KeyError:
        raise UsageError(f"{function!r} is not a function of the exercise contract.") from None


def function_spec(function: str) -> Function:
    """The spec of the student function `function`."""
    return _lookup(function)[1]


def exercise_of(function: str) -> Exercise:
    """The exercise that grades the student function `function`."""
    return _lookup(function)[0]


def function_statement(function: str) -> Text:
    """The statement of the student function `function`: its docstring in the handout."""
    statement = function_spec(function).statement
    assert statement is not None  # every function has one, checked when the specs load
    return statement


def module_statement(module: str) -> Text:
    """The statement of a student module (``"__init__"``: the package): its docstring."""
    try:
        return MODULE_STATEMENTS[module]
    except KeyError:
        raise UsageError(f"{module!r} is not a student module.") from None


def module_of(function: str) -> str:
    """The student module that defines `function`, e.g. ``"relu"`` -> ``"activations"``."""
    return _lookup(function)[0].module


def max_score() -> float:
    """The assignment's total points."""
    return float(sum(exercise.points for exercise in EXERCISES))


def activations() -> tuple[Activation, ...]:
    """Every activation the network functions accept, from the activation exercises."""
    return tuple(exercise.activation for exercise in EXERCISES if exercise.activation)


def output_costs() -> dict[str, str]:
    """Output activation -> the cost it is trained with, e.g. ``{"sigmoid": ...}``."""
    return {a.name: a.output_cost for a in activations() if a.output_cost is not None}


def depends_on(function: str) -> tuple[str, ...]:
    """The contract functions `function` calls directly in the taught solution."""
    spec = function_spec(function)
    called = list(spec.depends_on)
    if spec.uses_activations is not None:
        suffix = "" if spec.uses_activations == "forward" else "_backward"
        called += [f"{activation.name}{suffix}" for activation in activations()]
    return tuple(called)


def known_mistakes() -> dict[str, KnownMistake]:
    """Diagnosis code -> the mistake the specs describe under it (one per code)."""
    found: dict[str, KnownMistake] = {}
    for exercise in EXERCISES:
        for mistake in exercise.mistakes:
            if found.setdefault(mistake.code, mistake) != mistake:
                raise ValueError(
                    f"Two exercises describe the mistake {mistake.code!r} differently: "
                    "share one KnownMistake."
                )
    return found
