"""Every submission of examples/class/ gets exactly the outcome it was built for.

The class is graded once, with one sandbox and one session of the hidden suites reused
across submissions, as a batch's grading process does.
examples/class-expected.json (written by examples/make_class.py) is the contract.
"""

from __future__ import annotations

import importlib.util
import json
import re
from pathlib import Path
from typing import Any

import jsonschema
import pytest

from grader.engine import SuiteRunner, dumps, grade_submission, with_hidden_suites
from grader.locale import translations
from grader.result import parse_result
from grader.sandbox import Sandbox, SandboxLimits

CLASS = Path(__file__).resolve().parents[2] / "examples" / "class"
EXPECTED: dict[str, dict[str, Any]] = json.loads(CLASS.with_name("class-expected.json").read_text())
# A shorter per-call deadline keeps the infinite loop's cost down; nothing else needs more.
LIMITS = SandboxLimits(wall_seconds_per_call=2.0)


@pytest.fixture(scope="module")
def graded() -> dict[str, dict[str, Any]]:
    def grade_class(runner: SuiteRunner) -> dict[str, dict[str, Any]]:
        return {
            name: grade_submission(CLASS / name, sandbox=sandbox, runner=runner)
            for name in EXPECTED
        }

    with Sandbox(LIMITS, hidden_paths=(CLASS,)) as sandbox:
        return with_hidden_suites(grade_class)


def test_the_class_has_at_least_twelve_submissions_in_every_form() -> None:
    assert len(EXPECTED) >= 12
    assert {path.name for path in CLASS.iterdir()} >= set(EXPECTED)
    assert any(name.endswith(".zip") for name in EXPECTED)
    assert any(name.endswith(".ipynb") for name in EXPECTED)


@pytest.mark.slow
@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_submission_gets_the_outcome_it_was_built_for(
    graded: dict[str, dict[str, Any]], name: str
) -> None:
    expected, document = EXPECTED[name], graded[name]
    assert document["status"] == "graded"
    by_exercise = {exercise["id"]: exercise for exercise in document["exercises"]}
    lose = set(by_exercise) if expected["lose"] == "all" else set(expected["lose"])
    for exercise_id, exercise in by_exercise.items():
        if exercise_id in lose:
            assert exercise["score"] < exercise["max_score"], f"{exercise_id} should lose points"
        else:
            assert exercise["score"] == exercise["max_score"], (
                f"{exercise_id} should keep full marks: "
                + "; ".join(t["message"] for t in exercise["tests"] if t["outcome"] != "passed")
            )
    if "score" in expected:
        assert document["score"] == expected["score"]
    for module, status in expected.get("modules", {}).items():
        assert document["submission"]["modules"][module] == status
    outcomes = {
        test["id"].split("::")[1]: test["outcome"]
        for exercise in document["exercises"]
        for test in exercise["tests"]
    }
    for test_name, accepted in expected.get("outcomes", {}).items():
        assert outcomes[test_name] in accepted


@pytest.mark.slow
def test_untouched_stubs_say_not_implemented(graded: dict[str, dict[str, Any]]) -> None:
    tests = [t for e in graded["jules_untouched_stubs"]["exercises"] for t in e["tests"]]
    assert tests and all(t["outcome"] == "failed" for t in tests)
    assert all(t["evidence"]["kind"] == "not_implemented" for t in tests)
    assert all("not implemented yet" in t["message"] for t in tests)


@pytest.mark.slow
def test_syntax_error_message_names_file_and_line(graded: dict[str, dict[str, Any]]) -> None:
    document = graded["kim_syntax_error"]
    (problem,) = document["submission"]["problems"]
    assert problem["code"] == "syntax_error" and problem["path"] == "model.py"
    assert problem["line"] == 11
    training = next(e for e in document["exercises"] if e["id"] == "training")
    assert all("model.py has a syntax error on line 11" in t["message"] for t in training["tests"])


@pytest.mark.slow
def test_notebook_output_is_captured_and_cell_magic_dropped(
    graded: dict[str, dict[str, Any]],
) -> None:
    output = graded["dan_notebook.ipynb"]["output"]
    assert output["stdout"] == "[[0.5]]\n"  # the last cell ran; the %%time cell did not


@pytest.mark.slow
def test_a_submission_graded_alone_gets_the_document_of_the_class_session(
    graded: dict[str, dict[str, Any]],
) -> None:
    """A full score, a wrong gradient, untouched stubs and an infinite loop, each graded in
    a session of its own, give the documents they got in the class's session: nothing of
    one grading carries over to the next."""
    names = [
        "ada_package_imports",
        "gina_missing_one_over_m",
        "jules_untouched_stubs",
        "leo_infinite_loop",
    ]
    outcomes = set()
    with Sandbox(LIMITS, hidden_paths=(CLASS,)) as sandbox:
        for name in names:
            alone = grade_submission(CLASS / name, sandbox=sandbox)
            in_class = dict(graded[name])
            del alone["timing"], in_class["timing"]
            assert dumps(alone) == dumps(in_class), name
            outcomes |= {t["outcome"] for e in alone["exercises"] for t in e["tests"]}
    assert outcomes == {"passed", "failed", "timeout"}


def test_the_committed_class_is_what_make_class_builds(tmp_path: Path) -> None:
    """examples/class follows solutions/: rebuild it with `python examples/make_class.py`
    when this fails (for instance after editing an answer)."""
    spec = importlib.util.spec_from_file_location("make_class", CLASS.parent / "make_class.py")
    assert spec is not None and spec.loader is not None
    make_class = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(make_class)
    make_class.write_class(tmp_path)

    def tree(root: Path) -> dict[str, bytes]:
        return {
            str(path.relative_to(root)): path.read_bytes()
            for path in sorted(root.rglob("*"))
            if path.is_file() and "__pycache__" not in path.parts
        }

    built, committed = tree(tmp_path), tree(CLASS)
    stale = sorted(
        name for name in built.keys() | committed.keys() if built.get(name) != committed.get(name)
    )
    assert not stale, (
        f"examples/class is out of date ({', '.join(stale)}): run python examples/make_class.py"
    )
    assert CLASS.with_name("class-expected.json").read_text() == make_class.expected_text()


@pytest.mark.slow
def test_every_document_follows_the_json_schema_and_reads_back_to_itself(
    graded: dict[str, dict[str, Any]],
) -> None:
    """docs/result-schema.json accepts every document of the sample class, and the typed
    model reads each one back to exactly the JSON that was written."""
    schema = json.loads((CLASS.parents[1] / "docs" / "result-schema.json").read_text())
    validator = jsonschema.Draft202012Validator(schema)
    for name, document in graded.items():
        errors = [f"{list(e.absolute_path)}: {e.message}" for e in validator.iter_errors(document)]
        assert errors == [], name
        assert dumps(parse_result(document).to_json()) == dumps(document), name


def _english_phrases() -> list[str]:
    """Our English phrases that a French message must not show: each catalog message's
    text between placeholders, of two words at least (not code such as ``alpha = 0.2``),
    unless French uses the same words."""
    phrases = set()
    for message, strings in translations("fr").items():
        french = " ".join(strings)
        for chunk in re.split(r"%\(\w+\)[sd]", message):
            chunk = chunk.strip(" :.,;()`'\"")
            if len(re.findall(r"[A-Za-z]{2,}", chunk)) >= 2 and chunk not in french:
                phrases.add(chunk)
    return sorted(phrases)


def _french_texts(document: dict[str, Any]) -> list[str]:
    texts = [problem["messages"]["fr"] for problem in document["submission"]["problems"]]
    for exercise in document["exercises"]:
        for test in exercise["tests"]:
            texts += [test["titles"]["fr"], test["messages"]["fr"]]
    return [text for text in texts if text]


def test_the_french_of_every_message_has_no_english_phrase_of_ours(
    graded: dict[str, dict[str, Any]],
) -> None:
    """Load problems, crashes, timeouts, exceptions and check failures of the whole class
    read French in French: none of our English phrases is left in them."""
    phrases = _english_phrases()
    assert len(phrases) > 150
    english = [text for document in graded.values() for text in _english_texts(document)]
    assert sum(any(phrase in text for phrase in phrases) for text in english) > 20
    for name, document in graded.items():
        for text in _french_texts(document):
            left = [phrase for phrase in phrases if phrase in text]
            assert left == [], f"{name}: English {left} in {text!r}"


def _english_texts(document: dict[str, Any]) -> list[str]:
    return [
        test["messages"]["en"]
        for exercise in document["exercises"]
        for test in exercise["tests"]
        if test["messages"]["en"]
    ]
