"""The exercise specs: one per exercise, consistent with the code and with each other."""

from __future__ import annotations

import ast
import importlib
import inspect
from pathlib import Path

import numpy as np
import pytest

from grader import lecture
from grader.catalog import (
    EXERCISES,
    MODULES,
    activations,
    all_functions,
    depends_on,
    exercise_of,
    get_exercise,
    known_mistakes,
    max_score,
    module_of,
    output_costs,
)
from grader.errors import UsageError
from grader.report.explanations import DIAGNOSIS_LABELS
from grader.report.lecture import pointer_for_diagnosis, pointer_for_function
from grader.spec import CHECK_KINDS, parse_signature

ROOT = Path(__file__).resolve().parents[1]
SECTIONS = {value for name, value in vars(lecture).items() if name.isupper()}


def test_every_spec_file_is_one_exercise_named_after_it() -> None:
    """grader/specs/<id>.py defines the exercise <id>; the catalog lists them in order."""
    files = sorted(p.stem for p in (ROOT / "grader" / "specs").glob("[!_]*.py"))
    assert sorted(exercise.id for exercise in EXERCISES) == files
    orders = [exercise.order for exercise in EXERCISES]
    assert orders == sorted(orders) and len(set(orders)) == len(orders)
    assert max_score() == sum(exercise.points for exercise in EXERCISES)


def test_an_unknown_exercise_fails_by_listing_the_valid_ones() -> None:
    with pytest.raises(UsageError, match=r"Unknown exercise 'sigmoidd'.*: backward, "):
        get_exercise("sigmoidd")
    with pytest.raises(ValueError, match=r"softmax.*knows: unstable_softmax, wrong_axis"):
        get_exercise("softmax").mistake("nope")


def test_modules_follow_the_exercises_and_exist_in_the_code() -> None:
    """Each exercise's module is a file of solutions/, reference/ and exercises/."""
    assert tuple(dict.fromkeys(exercise.module for exercise in EXERCISES)) == MODULES
    for module in MODULES:
        for folder in ("solutions", "reference", "exercises"):
            assert (ROOT / folder / f"{module}.py").is_file(), (folder, module)


@pytest.mark.parametrize("package", ["reference", "solutions", "exercises"])
def test_signatures_of_the_specs_are_those_of_the_code(package: str) -> None:
    """Names, order and defaults of every parameter, as the contract states them."""
    for function in all_functions():
        spec = exercise_of(function).function(function).parameters
        code = getattr(importlib.import_module(f"{package}.{module_of(function)}"), function)
        actual = [(p.name, p.default) for p in inspect.signature(code).parameters.values()]
        assert actual == [(p.name, p.default) for p in spec.parameters.values()], function


def test_a_signature_is_a_parameter_list() -> None:
    assert list(parse_signature("(dA, Z, alpha=0.01)").parameters) == ["dA", "Z", "alpha"]
    assert parse_signature("(Z, alpha=0.01)").parameters["alpha"].default == 0.01
    with pytest.raises(ValueError, match="is not a parameter list"):
        parse_signature("Z, alpha")


def test_functions_depend_only_on_earlier_contract_functions() -> None:
    """What a function builds on is taught before it (the self-check's waiting states)."""
    order = {name: index for index, name in enumerate(all_functions())}
    for function in all_functions():
        for called in depends_on(function):
            assert order[called] < order[function], (function, called)
    assert "relu_backward" in depends_on("linear_activation_backward")


def test_activations_come_from_the_activation_exercises() -> None:
    """The network functions accept exactly the activations the specs declare."""
    from reference.activations import ACTIVATIONS

    assert [activation.name for activation in activations()] == list(ACTIVATIONS)
    assert output_costs() == {
        "sigmoid": "binary_cross_entropy",
        "softmax": "categorical_cross_entropy",
    }
    for cost in output_costs().values():
        assert cost in all_functions()


def test_every_check_is_of_a_known_kind() -> None:
    for exercise in EXERCISES:
        for function in exercise.contract:
            assert function.check.kind in CHECK_KINDS, function.name


def test_every_function_has_public_cases_that_repeat() -> None:
    """Cases come from the generator they are given: the same seed, the same inputs."""
    for exercise in EXERCISES:
        for function in exercise.contract:
            first = function.cases(np.random.default_rng(1))
            again = function.cases(np.random.default_rng(1))
            assert first, function.name
            parameters = list(function.parameters.parameters)
            for case, twin in zip(first, again, strict=True):
                np.testing.assert_equal(dict(case.args), dict(twin.args))
                if function.check.kind in ("values", "forward_pair"):
                    # Arguments in call order: a prefix of the signature (defaults may follow).
                    assert list(case.args) == parameters[: len(case.args)], function.name


def test_every_mistake_and_function_leads_to_the_lecture() -> None:
    """The report can name each known mistake and send every failing function somewhere."""
    for code in known_mistakes():
        assert code in DIAGNOSIS_LABELS, code
        pointer = pointer_for_diagnosis(code)
        assert pointer is not None and pointer.section in SECTIONS, code
    for function in all_functions():
        pointer = pointer_for_function(function)
        assert pointer is not None and pointer.section in SECTIONS, function
    assert pointer_for_function("not_a_function") is None


def test_texts_read_in_every_language() -> None:
    """Titles, statements and hints are translated (French differs from English)."""
    for exercise in EXERCISES:
        for text in (exercise.title, exercise.statement, exercise.hint):
            assert set(text) == {"en", "fr"}
            if len(text["en"]) > 20:
                assert text["fr"] != text["en"], text.message


def test_every_part_that_checks_a_function_knows_every_family() -> None:
    """The self-check, the expected values and the notebook's cells implement exactly the
    families of the specs.

    grader/public runs only from a handout (it imports the shipped gradcheck), so its table
    of families is read from the source.
    """
    from grader.authoring.expected import EXPECTED
    from grader.nbgrader_bridge.checks import WRITERS

    source = (ROOT / "grader" / "public" / "functions.py").read_text(encoding="utf-8")
    table = next(
        node.value
        for node in ast.parse(source).body
        if isinstance(node, ast.AnnAssign) and getattr(node.target, "id", "") == "FAMILIES"
    )
    assert isinstance(table, ast.Dict)
    assert tuple(ast.literal_eval(key) for key in table.keys if key is not None) == CHECK_KINDS
    assert tuple(EXPECTED) == CHECK_KINDS
    assert tuple(WRITERS) == CHECK_KINDS
