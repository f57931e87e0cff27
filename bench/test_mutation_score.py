"""Tests of the mutation score's mutants (no grading: `python -m bench.mutation_score` grades)."""

from __future__ import annotations

import ast
import difflib
import types

import numpy as np
import pytest

from bench.mutation_score import EQUIVALENT, SOLUTIONS, Mutant, all_mutants, fenced_lines
from bench.synthetic import read_modules

KEY = read_modules(SOLUTIONS)
MUTANTS = all_mutants(KEY)


def _function_lines(text: str) -> dict[str, range]:
    return {
        node.name: range(node.lineno, (node.end_lineno or node.lineno) + 1)
        for node in ast.parse(text).body
        if isinstance(node, ast.FunctionDef)
    }


def test_every_mutant_parses_and_changes_only_the_fenced_code_of_its_function() -> None:
    assert len(MUTANTS) > 150
    for mutant, text in MUTANTS:
        key = KEY[mutant.module]
        assert text != key, mutant.key
        ast.parse(text)
        matcher = difflib.SequenceMatcher(a=key.splitlines(), b=text.splitlines(), autojunk=False)
        changed = [
            line
            for tag, start, end, _, _ in matcher.get_opcodes()
            if tag != "equal"
            for line in range(start + 1, end + 1)
        ]
        assert changed, mutant.key
        assert set(changed) <= fenced_lines(key), mutant.key
        assert set(changed) <= set(_function_lines(key)[mutant.function]), mutant.key


def test_every_kind_of_slip_is_made_and_keys_are_unique() -> None:
    operators = {mutant.operator for mutant, _ in MUTANTS}
    assert operators == {
        "binary", "compare", "number", "boolean", "keyword", "negation", "numpy", "statement"
    }  # fmt: skip
    keys = [mutant.key for mutant, _ in MUTANTS]
    assert len(keys) == len(set(keys))


def test_the_column_max_left_out_is_a_mutant() -> None:
    """The slip real batches expose (the batch's max, not each column's) is generated."""
    keys = {mutant.key for mutant, _ in MUTANTS}
    assert "softmax: np.max(Z, axis=0, keepdims=True) -> (np.max(Z, keepdims=True))" in keys


def test_every_listed_equivalent_is_still_a_mutant() -> None:
    keys = {mutant.key for mutant, _ in MUTANTS}
    assert set(EQUIVALENT) <= keys, set(EQUIVALENT) - keys


def _load(text: str) -> types.ModuleType:
    module = types.ModuleType("mutant")
    exec(compile(text, "mutant.py", "exec"), module.__dict__)  # our own answer key, mutated
    return module


NUMERIC = [
    (mutant, text)
    for mutant, text in MUTANTS
    if mutant.key in EQUIVALENT and mutant.module in ("activations", "losses")
    and "contract" not in EQUIVALENT[mutant.key]
]  # fmt: skip


@pytest.mark.parametrize(("mutant", "text"), NUMERIC, ids=[m.key for m, _ in NUMERIC])
def test_an_equivalent_mutant_computes_what_the_key_computes(mutant: Mutant, text: str) -> None:
    rng = np.random.default_rng(0)
    Z = rng.uniform(-3.0, 3.0, size=(4, 6))
    Z[0, :3] = 0.0  # the points where a comparison's side matters
    AL = _load(KEY["activations"]).softmax(Z)
    Y = np.eye(4)[:, rng.integers(0, 4, size=6)]
    arguments = {
        "sigmoid": (Z,),
        "leaky_relu": (Z,),
        "softmax": (Z,),
        "softmax_backward": (rng.standard_normal((4, 6)), Z),
        "categorical_cross_entropy": (AL, Y),
    }[mutant.function]
    original = getattr(_load(KEY[mutant.module]), mutant.function)(*arguments)
    mutated = getattr(_load(text), mutant.function)(*arguments)
    np.testing.assert_allclose(mutated, original, rtol=1e-12, atol=0.0)
