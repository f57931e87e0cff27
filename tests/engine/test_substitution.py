"""A bug costs once: the functions found wrong are answered with the reference afterwards."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from grader.catalog import MODULES, all_functions, depends_on
from grader.engine import grade_submission, with_hidden_suites
from grader.engine.substitution import Substitutions, reference_function
from grader.sandbox import Sandbox, SandboxLimits

ROOT = Path(__file__).resolve().parents[2]
LIMITS = SandboxLimits(wall_seconds_per_call=2.0)


@pytest.fixture(scope="module")
def sandbox() -> Any:
    with Sandbox(LIMITS) as box:
        yield box


@pytest.fixture(scope="module")
def answer_key(sandbox: Sandbox) -> dict[str, Any]:
    return grade_submission(ROOT / "solutions", sandbox=sandbox)


def _tests(document: dict[str, Any]) -> list[dict[str, Any]]:
    return [test for exercise in document["exercises"] for test in exercise["tests"]]


def _subject(test_id: str) -> str | None:
    """The function a hidden test is about: the longest contract function its name holds
    (``test_network::test_linear_backward_values`` -> ``linear_backward``)."""
    name = test_id.partition("::test_")[2]
    found = [f for f in all_functions() if name == f or name.startswith(f"{f}_")]
    return max(found, key=len) if found else None


def test_a_functions_tests_run_before_those_of_its_callers() -> None:
    """For every function F and each contract function G it calls, every test about G runs
    before the first test about F: when F is graded, a wrong G is already known."""
    order: dict[str, list[int]] = {}
    for index, test in enumerate(with_hidden_suites(lambda runner: runner.tests)):
        subject = _subject(test)
        if subject is not None:
            order.setdefault(subject, []).append(index)
    checked = 0
    for function, indexes in order.items():
        for callee in depends_on(function):
            if callee in order:
                assert max(order[callee]) < min(indexes), (callee, function)
                checked += 1
    assert checked >= 20 and len(order) >= 25


def test_a_failure_blames_the_function_its_evidence_names() -> None:
    substitutions = Substitutions()
    substitutions.learn("passed", None)
    substitutions.learn("failed", {"kind": "value_mismatch", "function": "linear_backward"})
    substitutions.learn("error", {"kind": "exception", "function": "linear_backward"})
    substitutions.learn("failed", {"kind": "value_mismatch", "function": "not_in_the_contract"})
    substitutions.learn("timeout", {"kind": "timeout", "function": "relu"})
    assert substitutions.failed == ["linear_backward", "relu"]
    # Found wrong by a test that blames another function (a forward's caches).
    substitutions.learn_wrong("model_forward")
    substitutions.learn_wrong("relu")
    substitutions.learn_wrong("not_in_the_contract")
    assert substitutions.failed == ["linear_backward", "relu", "model_forward"]
    answers = substitutions.for_next_test()
    assert answers["linear_backward"] is reference_function("linear_backward")


def _with_bug(folder: Path, module: str, before: str, after: str) -> Path:
    folder.mkdir()
    for name in MODULES:
        text = (ROOT / "solutions" / f"{name}.py").read_text()
        if name == module:
            assert text.count(before) == 1
            text = text.replace(before, after)
        (folder / f"{name}.py").write_text(text)
    return folder


def test_a_missing_one_over_m_costs_the_points_of_linear_backward_alone(
    sandbox: Sandbox, answer_key: dict[str, Any], tmp_path: Path
) -> None:
    """The functions above it keep their points, and their tests say they were graded with
    a correct `linear_backward`."""
    folder = _with_bug(
        tmp_path / "bug", "network", "    dW = (dZ @ A_prev.T) / m", "    dW = dZ @ A_prev.T"
    )
    document = grade_submission(folder, sandbox=sandbox)
    failed = [test for test in _tests(document) if test["outcome"] != "passed"]
    assert failed and {test["evidence"]["function"] for test in failed} == {"linear_backward"}
    lost = sum(test["max_points"] for test in failed)
    assert document["score"] == answer_key["score"] - lost
    helped = {test["id"]: test["substituted"] for test in _tests(document) if test["substituted"]}
    assert any("model_backward" in test_id for test_id in helped)
    assert any("train" in test_id for test_id in helped)
    assert set().union(*helped.values()) == {"linear_backward"}
    assert all(test["substituted"] == [] for test in _tests(answer_key))


def test_a_function_that_is_itself_wrong_still_fails_with_correct_callees(
    sandbox: Sandbox, tmp_path: Path
) -> None:
    """Substitution answers the callee, never the function under test: a model_backward
    that skips layer 1 fails although linear_backward is also wrong."""
    folder = _with_bug(
        tmp_path / "two", "network", "    dW = (dZ @ A_prev.T) / m", "    dW = dZ @ A_prev.T"
    )
    network = (folder / "network.py").read_text()
    loop = "    for l in range(L - 1, 0, -1):  # noqa: E741"
    assert network.count(loop) == 1
    (folder / "network.py").write_text(network.replace(loop, loop.replace(", 0, -1)", ", 1, -1)")))
    document = grade_submission(folder, sandbox=sandbox)
    blamed = {
        test["evidence"]["function"]
        for test in _tests(document)
        if test["outcome"] != "passed" and test["evidence"]
    }
    assert {"linear_backward", "model_backward"} <= blamed


def _failed(document: dict[str, Any]) -> list[dict[str, Any]]:
    return [test for test in _tests(document) if test["outcome"] != "passed"]


def test_a_model_forward_that_ignores_the_hidden_activation_costs_its_own_points_alone(
    sandbox: Sandbox, answer_key: dict[str, Any], tmp_path: Path
) -> None:
    """model_backward takes its caches from model_forward and differences it: once
    model_forward is known wrong, the correct forward's caches and differences stand in."""
    folder = _with_bug(
        tmp_path / "hidden",
        "network",
        'parameters[f"b{l}"], hidden_activation\n',
        'parameters[f"b{l}"], "relu"\n',
    )
    document = grade_submission(folder, sandbox=sandbox)
    failed = _failed(document)
    assert failed and {test["evidence"]["function"] for test in failed} == {"model_forward"}
    exercises = {e["id"] for e in document["exercises"] if any(t in failed for t in e["tests"])}
    assert exercises == {"forward"}
    assert document["score"] == answer_key["score"] - sum(t["max_points"] for t in failed)


@pytest.mark.parametrize(
    ("forward", "before", "after"),
    [
        # The output layer's cache is never kept: AL is right, the caches are one short.
        (
            "model_forward",
            "    caches.append(cache)\n    return AL, caches",
            "    return AL, caches",
        ),
        # A kept for Z: the same shape, and linear_activation_backward needs Z.
        (
            "linear_activation_forward",
            "    cache = (linear_cache, Z)",
            "    cache = (linear_cache, A)",
        ),
    ],
    ids=["output_cache_left_out", "A_kept_for_Z"],
)
def test_a_wrong_cache_costs_one_test_that_blames_the_forward(
    sandbox: Sandbox,
    answer_key: dict[str, Any],
    tmp_path: Path,
    forward: str,
    before: str,
    after: str,
) -> None:
    """The forward's value is right, so its own tests pass; every backward handed its cache
    failed, and every function above them. The first backward test that meets the cache
    finds the backward right on the correct forward's caches and blames the forward; the
    later tests then treat that forward as known wrong."""
    folder = _with_bug(tmp_path / "cache", "network", before, after)
    document = grade_submission(folder, sandbox=sandbox)
    failed = _failed(document)
    assert len(failed) == 1, [(t["id"], t["evidence"]) for t in failed]
    (test,) = failed
    assert test["evidence"]["function"] == forward
    assert f"the caches your {forward} returns" in test["message"] or (
        f"the cache your {forward} returns" in test["message"]
    ), test["message"]
    assert document["score"] == answer_key["score"] - test["max_points"]
    helped = {t["id"] for t in _tests(document) if forward in (t["substituted"] or [])}
    assert any("train" in test_id for test_id in helped), helped


@pytest.mark.parametrize(
    ("forward", "before"),
    [
        ("linear_forward", "    Z = W @ A_prev + b  #"),
        ("model_forward", "    L = len(parameters) // 2\n    caches = []"),
    ],
    ids=["linear_forward", "model_forward"],
)
def test_a_forward_left_undone_costs_its_own_tests_alone(
    sandbox: Sandbox, answer_key: dict[str, Any], tmp_path: Path, forward: str, before: str
) -> None:
    """A backward test needs a cache from the forward: once the forward is known to raise,
    the correct forward's cache stands in, and the student's backward keeps its points."""
    folder = _with_bug(tmp_path / "undone", "network", before, "    raise NotImplementedError\n#")
    document = grade_submission(folder, sandbox=sandbox)
    failed = _failed(document)
    assert failed and {test["evidence"]["function"] for test in failed} == {forward}
    exercises = {e["id"] for e in document["exercises"] if any(t in failed for t in e["tests"])}
    assert exercises == {"forward"}
    assert document["score"] == answer_key["score"] - sum(t["max_points"] for t in failed)


LOOP = "    for l in range(L - 1, 0, -1):  # noqa: E741"


@pytest.mark.parametrize(
    ("backward_bug", "said"),
    [
        # It skips layer 1: its check fails on the correct caches too, and says so.
        ((LOOP, LOOP.replace(", 0, -1)", ", 1, -1)")), True),
        # Still the handout's stub: it raises on any cache, and says only that.
        (("    L = len(caches)\n    grads = {}", "    raise NotImplementedError\n#"), False),
    ],
    ids=["skips_layer_1", "stub"],
)
def test_a_wrong_cache_beside_a_wrong_backward_costs_nothing_more(
    sandbox: Sandbox, tmp_path: Path, backward_bug: tuple[str, str], said: bool
) -> None:
    """model_backward is wrong and model_forward leaves the output layer's cache out:
    model_backward's tests fail as they do for its bug alone, and model_forward is found
    wrong on the way, so that train is graded with the correct model_forward."""
    cache_left_out = ("    caches.append(cache)\n    return AL, caches", "    return AL, caches")
    backward_alone = _with_bug(tmp_path / "backward", "network", *backward_bug)
    alone = _failed(grade_submission(backward_alone, sandbox=sandbox))
    both_folder = _with_bug(tmp_path / "both", "network", *backward_bug)
    network = (both_folder / "network.py").read_text()
    assert network.count(cache_left_out[0]) == 1
    (both_folder / "network.py").write_text(network.replace(*cache_left_out))
    both = grade_submission(both_folder, sandbox=sandbox)
    failed = _failed(both)
    assert {t["id"] for t in failed} == {t["id"] for t in alone}
    assert {t["evidence"]["function"] for t in failed} == {"model_backward"}
    told = any("are wrong too" in t["message"] for t in failed)
    assert told is said, [t["message"] for t in failed]
    trains = [t for t in _tests(both) if "test_train" in t["id"]]
    assert trains and all(t["outcome"] == "passed" for t in trains)
    assert all("model_forward" in t["substituted"] for t in trains)
