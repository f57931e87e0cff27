"""Tests of the bug-cost audit: its bookkeeping, and a small audit of the hidden suites."""

from __future__ import annotations

import random
from typing import Any

import pytest

from bench.bug_costs import (
    Graded,
    audit,
    beyond,
    blamed_elsewhere,
    drawn_pairs,
    failed_tests,
    has_findings,
    merged,
)
from bench.mutation_score import SOLUTIONS, all_mutants
from bench.synthetic import read_modules

BASE = "def f():\n    a = 1\n    b = 2\n    c = 3\n    return a + b + c\n"


def test_two_changes_on_different_lines_are_both_kept() -> None:
    first = BASE.replace("a = 1", "a = 10")
    second = BASE.replace("    c = 3\n", "    pass\n")
    assert merged(BASE, first, second) == (
        "def f():\n    a = 10\n    b = 2\n    pass\n    return a + b + c\n"
    )
    assert merged(BASE, second, first) == merged(BASE, first, second)


def test_changes_that_touch_are_not_merged() -> None:
    first = BASE.replace("a = 1", "a = 10")
    assert merged(BASE, first, BASE.replace("a = 1", "a = 2")) is None  # the same line
    assert merged(BASE, first, BASE.replace("b = 2", "b = 20")) is None  # the next one
    dropped = BASE.replace("    b = 2\n", "")  # a deletion next to the other change
    assert merged(BASE, first, dropped) is None


def test_the_failures_of_a_document_name_what_they_blame() -> None:
    document = {
        "exercises": [
            {
                "tests": [
                    {"id": "t1", "outcome": "passed"},
                    {"id": "t2", "outcome": "failed", "evidence": {"function": "relu"}},
                    {"id": "t3", "outcome": "error", "evidence": None},
                ]
            },
            {"tests": [{"id": "t4", "outcome": "timeout", "evidence": {"function": "train"}}]},
        ]
    }
    assert failed_tests(document) == {"t2": "relu", "t3": None, "t4": "train"}


def test_only_a_test_that_blames_another_function_is_elsewhere() -> None:
    graded = Graded({"t2": "relu", "t3": None, "t4": "train"}, 52.0)
    assert blamed_elsewhere("relu", graded) == ["t4"]
    assert blamed_elsewhere("train", graded) == ["t2"]


def test_beyond_lists_what_no_bug_fails_alone() -> None:
    first = Graded({"t1": "relu"}, 54.0)
    second = Graded({"t2": "train"}, 54.0)
    assert beyond(Graded({"t1": "relu", "t2": "train"}, 53.0), [first, second]) == []
    together = Graded({"t1": "relu", "t2": "train", "t3": "train", "t0": "predict"}, 51.0)
    assert beyond(together, [first, second]) == ["t0", "t3"]


def test_pairs_are_of_both_kinds_and_each_submission_parses() -> None:
    key = read_modules(SOLUTIONS)
    mutants = all_mutants(key)
    pairs = list(drawn_pairs(mutants, key, 20, random.Random(3)))
    across = [p for p in pairs if p[0].module != p[1].module]
    within = [p for p in pairs if p[0].module == p[1].module]
    assert len(across) == 20 and len(within) == 20
    text_of = {mutant.key: text for mutant, text in mutants}
    for first, second, texts in within:
        assert first.function != second.function
        (text,) = texts.values()
        compile(text, first.module, "exec")
        # Both changes are in: the merge is neither mutant alone, nor the answer key.
        assert text not in (key[first.module], text_of[first.key], text_of[second.key])
    # Seeded: the same pairs every run.
    again = list(drawn_pairs(mutants, key, 20, random.Random(3)))
    assert [(a.key, b.key) for a, b, _ in again] == [(a.key, b.key) for a, b, _ in pairs]


@pytest.mark.slow
def test_no_bug_of_the_answer_key_costs_more_than_once() -> None:
    """Every mutant the suites kill fails tests that blame its own function only, ten pairs
    of each kind fail nothing beyond their mutants' own tests, and two students pay the same
    for each bug (`python -m bench.bug_costs --pairs 10 --students 2 --strict`)."""
    findings = audit(pairs=10, seed=0, students=2)
    assert findings["killed"] >= 200 and findings["pairs"] == 20
    assert findings["blamed_elsewhere"] == {}
    assert findings["beyond"] == []
    assert findings["uneven"] == {}
    assert not has_findings(findings)


def test_any_kind_of_finding_counts() -> None:
    clean: dict[str, Any] = {"blamed_elsewhere": {}, "beyond": [], "uneven": {}}
    assert not has_findings(clean)
    assert has_findings({**clean, "blamed_elsewhere": {"relu:1": ["t"]}})
    assert has_findings({**clean, "beyond": [{"mutants": ["a", "b"], "tests": ["t"]}]})
    assert has_findings({**clean, "uneven": {"relu:1": [53.0, 54.0]}})
