"""The result document's three descriptions agree: docs/result-schema.md (the prose),
docs/result-schema.json (for other tools) and grader/result (what nngrade reads and writes);
and what the grader writes follows them."""

from __future__ import annotations

import dataclasses
import json
import re
import typing
from pathlib import Path
from typing import Any

import jsonschema
import pytest

from grader import result as model
from grader.engine import SuiteRunner, grade_submission, with_hidden_suites
from grader.result import Result, parse_result
from grader.sandbox import Sandbox, SandboxLimits

ROOT = Path(__file__).resolve().parents[1]
PROSE = (ROOT / "docs" / "result-schema.md").read_text()
SCHEMA = json.loads((ROOT / "docs" / "result-schema.json").read_text())
VALIDATOR = jsonschema.Draft202012Validator(SCHEMA)


def schema_errors(document: dict[str, Any]) -> list[str]:
    return [f"{list(e.absolute_path)}: {e.message}" for e in VALIDATOR.iter_errors(document)]


def _documented_names(field: str) -> set[str]:
    """The backquoted names in the schema table row of `field`."""
    row = next(line for line in PROSE.splitlines() if line.startswith(f"| `{field}` |"))
    return set(re.findall(r"`([a-z_]+)`", row)) - {field, "true", "false"}


def test_every_limit_is_documented_under_its_name() -> None:
    """Scripts read `isolation.limits` by the names the schema gives."""
    assert set(SandboxLimits().as_dict()) == _documented_names("limits")


def test_every_isolation_layer_is_documented() -> None:
    """Each layer the sandbox reports is named in the schema, and nothing more."""
    with Sandbox() as sandbox:
        layers = set(sandbox.isolation()["layers"])
    assert layers == _documented_names("layers")


def test_the_json_schema_is_a_valid_draft_2020_12_schema() -> None:
    jsonschema.Draft202012Validator.check_schema(SCHEMA)


# Each JSON object of the document: its type in grader/result and its place in the schema.
OBJECTS: dict[type, dict[str, Any]] = {
    model.Result: SCHEMA,
    model.Submission: SCHEMA["$defs"]["submission"],
    model.GradedFile: SCHEMA["$defs"]["file"],
    model.Problem: SCHEMA["$defs"]["problem"],
    model.ExerciseResult: SCHEMA["$defs"]["exercise"],
    model.TestResult: SCHEMA["$defs"]["test"],
    model.Evidence: SCHEMA["$defs"]["evidence"],
    model.WorstEntry: SCHEMA["$defs"]["worst"],
    model.Tolerance: SCHEMA["$defs"]["evidence"]["properties"]["tolerance"],
    model.Curve: SCHEMA["$defs"]["evidence"]["properties"]["curve"],
    model.RaisedException: SCHEMA["$defs"]["evidence"]["properties"]["exception"],
    model.Isolation: SCHEMA["$defs"]["isolation"],
    model.Output: SCHEMA["$defs"]["output"],
    model.Timing: SCHEMA["$defs"]["timing"],
}


@pytest.mark.parametrize("kind", list(OBJECTS), ids=lambda kind: kind.__name__)
def test_the_typed_model_and_the_json_schema_name_the_same_fields(kind: type) -> None:
    """Every field of a type is a property of its schema object and the reverse; a field is
    required in the schema exactly when the type has no default for it."""
    schema = OBJECTS[kind]
    fields = {f.name: f for f in dataclasses.fields(kind) if f.name != "extra"}
    assert set(fields) == set(schema["properties"])
    hints = typing.get_type_hints(kind)
    required = {
        name
        for name, found in fields.items()
        if found.default is dataclasses.MISSING and found.default_factory is dataclasses.MISSING
    }
    assert required == set(schema.get("required", ())), kind.__name__
    optional = set(fields) - required
    assert all(type(None) in typing.get_args(hints[name]) for name in optional)


def test_every_field_of_the_typed_model_is_in_the_prose() -> None:
    """docs/result-schema.md names every field the model knows, in a table row of its own
    or in the description of its object (``{"path": str, ...}``)."""
    named = set(re.findall(r"[`\"]([a-z0-9_]+)[`\"]", PROSE))
    for kind in OBJECTS:
        fields = {f.name for f in dataclasses.fields(kind)} - {"extra"}
        assert fields <= named, (kind.__name__, fields - named)


def _hand_written(student: str) -> dict[str, Any]:
    path = ROOT / "tests" / "report" / "fixtures" / "class" / student / "result.json"
    document: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    return document


def test_note_messages_are_optional_and_read_back_as_written() -> None:
    """A document without `note_messages` (older) stays valid and is written back without
    it; one with them is valid and reads back to itself."""
    older = _hand_written("bob")
    assert "note_messages" not in older["isolation"]
    assert schema_errors(older) == []
    result = parse_result(older)
    assert result.isolation.note_messages is None
    assert result.isolation.notes_in("fr") == ("not running as root: no dedicated user",)
    assert "note_messages" not in result.to_json()["isolation"]

    newer = _hand_written("bob")
    newer["isolation"]["note_messages"] = [
        {"en": "not running as root: no dedicated user", "fr": "pas root : aucun utilisateur"}
    ]
    assert schema_errors(newer) == []
    result = parse_result(newer)
    assert result.to_json() == newer
    assert result.isolation.notes_in("fr") == ("pas root : aucun utilisateur",)
    assert result.isolation.notes_in("en") == ("not running as root: no dedicated user",)


@pytest.mark.parametrize(
    "note_messages",
    [["pas root"], [{"en": "not root"}], [{"en": "not root", "fr": None}], {"en": "x", "fr": "y"}],
)
def test_the_json_schema_refuses_note_messages_that_are_not_sentences_in_every_language(
    note_messages: object,
) -> None:
    document = _hand_written("bob")
    document["isolation"]["note_messages"] = note_messages
    assert schema_errors(document) != []


# --- what the grader writes ---------------------------------------------------------------


def test_the_reports_hand_written_documents_follow_the_schema() -> None:
    folders = sorted((ROOT / "tests" / "report" / "fixtures" / "class").iterdir())
    checked = 0
    for folder in folders:
        path = folder / "result.json"
        try:
            document = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            continue  # the report's tests of missing and corrupt files
        assert schema_errors(document) == [], folder.name
        checked += 1
    assert checked >= 9


@pytest.fixture(scope="module")
def synthetic_documents(tmp_path_factory: pytest.TempPathFactory) -> dict[str, dict[str, Any]]:
    """The benchmark's synthetic class, one submission per planted mutation and per form,
    graded as a batch's grading process does."""
    from bench.synthetic import plan_class, write_class

    chosen: dict[str, Any] = {}
    for submission in plan_class(200, seed=0):
        for key in (*submission.mutations, submission.form):
            chosen.setdefault(key, submission)
    sample = sorted({s.student: s for s in chosen.values()}.values(), key=lambda s: s.student)
    folder = tmp_path_factory.mktemp("synthetic")
    paths = write_class(sample, folder)
    (folder / "nothing_handed_in").mkdir()  # a submission with nothing to grade
    paths.append(folder / "nothing_handed_in")

    def grade_all(runner: SuiteRunner) -> dict[str, dict[str, Any]]:
        return {path.name: grade_submission(path, sandbox=sandbox, runner=runner) for path in paths}

    with Sandbox(SandboxLimits(wall_seconds_per_call=0.5), hidden_paths=(folder,)) as sandbox:
        return with_hidden_suites(grade_all)


@pytest.mark.slow
def test_every_document_of_the_benchmarks_class_follows_the_schema(
    synthetic_documents: dict[str, dict[str, Any]],
) -> None:
    """Correct variants, every planted bug, partial and broken submissions, infinite loops,
    notebooks: each document passes the JSON Schema, and reads back to itself."""
    statuses = set()
    for name, document in synthetic_documents.items():
        assert schema_errors(document) == [], name
        result: Result = parse_result(document, name)
        assert result.to_json() == document, name
        statuses.add(result.status)
    assert len(synthetic_documents) >= 30
    assert statuses == {"graded", "load_failed"}
    outcomes = {
        test.outcome for d in synthetic_documents.values() for test in parse_result(d).tests
    }
    assert {"passed", "failed", "timeout", "error"} <= outcomes
