"""Gradescope results.json follows the published autograder specification's field rules.

The rules below are written from Gradescope's "Autograder Specifications" page: top-level
`score` (number), optional `execution_time` (seconds), `output` (string), `visibility` and
`stdout_visibility` (one of hidden, after_due_date, after_published, visible), `tests`
(list); each test: `score`, `max_score` (numbers), `name`, `number`, `output` (strings),
`status` ("passed" or "failed"), `tags` (list of strings), `visibility` (as above).
"""

from __future__ import annotations

import json
import numbers
from typing import Any

import pytest

from grader.catalog import EXERCISES
from grader.exports import gradescope_results

from .documents import make_result

VISIBILITY = {"hidden", "after_due_date", "after_published", "visible"}
TOP_LEVEL = {
    "score": numbers.Real,
    "execution_time": numbers.Real,
    "output": str,
    "visibility": str,
    "stdout_visibility": str,
    "extra_data": dict,
    "tests": list,
    "leaderboard": list,
}
TEST_FIELDS = {
    "score": numbers.Real,
    "max_score": numbers.Real,
    "status": str,
    "name": str,
    "name_format": str,
    "number": str,
    "output": str,
    "output_format": str,
    "tags": list,
    "visibility": str,
    "extra_data": dict,
}


def _validate(results: dict[str, Any]) -> None:
    assert set(results) <= set(TOP_LEVEL), set(results) - set(TOP_LEVEL)
    for key, kind in TOP_LEVEL.items():
        if key in results:
            assert isinstance(results[key], kind) and not isinstance(results[key], bool), key
    assert "score" in results or all("score" in test for test in results["tests"])
    for key in ("visibility", "stdout_visibility"):
        if key in results:
            assert results[key] in VISIBILITY
    for test in results.get("tests", []):
        assert set(test) <= set(TEST_FIELDS), set(test) - set(TEST_FIELDS)
        for key, kind in TEST_FIELDS.items():
            if key in test:
                assert isinstance(test[key], kind) and not isinstance(test[key], bool), key
        assert test.get("status", "passed") in {"passed", "failed"}
        assert test.get("visibility", "visible") in VISIBILITY
        assert all(isinstance(tag, str) for tag in test.get("tags", []))


def test_a_graded_document_becomes_a_valid_gradescope_result() -> None:
    document = make_result("bob", {"sigmoid", "relu"}, timeouts=frozenset({"softmax"}))
    results = json.loads(json.dumps(gradescope_results(document)))  # JSON round trip
    _validate(results)
    assert results["score"] == 7
    assert results["execution_time"] == 3
    assert len(results["tests"]) == len(EXERCISES)  # one test per exercise in the document
    first = results["tests"][0]
    assert first["name"] == "sigmoid: sigmoid gives the right values"
    assert (first["score"], first["max_score"], first["status"]) == (4, 4, "passed")
    softmax = next(test for test in results["tests"] if test["tags"] == ["softmax"])
    assert softmax["status"] == "failed"
    assert softmax["output"].startswith("[timeout] `softmax` is wrong")
    assert sum(test["score"] for test in results["tests"]) == results["score"]


def test_a_load_failure_says_why_in_the_overall_output() -> None:
    problem = {
        "path": "network.py",
        "line": 3,
        "code": "syntax_error",
        "message": "bad syntax",
        "messages": {"en": "bad syntax", "fr": "syntaxe incorrecte"},
    }
    document = make_result("carol", set(), status="load_failed", problems=(problem,))
    results = gradescope_results(document)
    _validate(results)
    assert results["score"] == 0
    assert "could not be loaded" in results["output"]
    assert "network.py: bad syntax" in results["output"]


def test_an_unknown_visibility_is_refused() -> None:
    with pytest.raises(ValueError, match="not a Gradescope visibility"):
        gradescope_results(make_result("a", set()), test_visibility="students")
