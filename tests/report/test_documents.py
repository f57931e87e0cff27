"""Reading result documents: strict about the schema and about every field, naming it."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from grader.report import ResultDocumentError, load_result, render_student_feedback
from grader.report.documents import read_class
from grader.result import Result

from .conftest import CLASS, FIXTURES, READABLE, load_fixture


def whole(result: Result) -> Result:
    """An extractor that keeps the whole document."""
    return result


def test_reads_every_hand_written_fixture() -> None:
    """Each readable fixture follows schema nngrade.result/1."""
    for student in READABLE:
        result = load_result(CLASS / student / "result.json")
        assert result.schema == "nngrade.result/1"
        assert len(result.exercises) == 12


def test_unknown_major_version_is_refused_naming_the_file() -> None:
    """A document of schema nngrade.result/2 is refused with the file and versions named."""
    path = FIXTURES / "schema2" / "result.json"
    with pytest.raises(ResultDocumentError) as caught:
        load_result(path)
    message = str(caught.value)
    assert str(path) in message
    assert "nngrade.result/2" in message and "nngrade.result/1" in message


def test_minor_versions_of_the_same_major_are_read(tmp_path: Path) -> None:
    """nngrade.result/1.1 is the same major version: readable."""
    document = load_fixture("alice") | {"schema": "nngrade.result/1.1", "added_later": 1}
    path = tmp_path / "result.json"
    path.write_text(json.dumps(document), encoding="utf-8")
    assert load_result(path).schema == "nngrade.result/1.1"


@pytest.mark.parametrize("text", ["[]", '{"student": "x"}', '{"schema": "other/1"}'])
def test_documents_that_are_not_results_are_refused(tmp_path: Path, text: str) -> None:
    """A JSON value without our schema is refused, naming the file."""
    path = tmp_path / "result.json"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ResultDocumentError, match=r"result\.json"):
        load_result(path)


def test_missing_and_corrupt_documents_become_entries_with_a_reason() -> None:
    """read_class never raises on a bad student folder: it records why."""
    entries = {entry.folder: entry for entry in read_class(CLASS, whole)}
    assert set(entries) == {*READABLE, "yann", "zoe"}
    assert entries["yann"].missing and entries["yann"].reading is None
    assert entries["yann"].problem == "yann/result.json does not exist."
    assert entries["zoe"].reading is None and not entries["zoe"].missing
    assert "zoe/result.json is not valid JSON" in (entries["zoe"].problem or "")


BROKEN_FIELDS = {
    "a missing field": (
        lambda d: d.pop("student"),
        "student is missing.",
    ),
    "a number that is text": (
        lambda d: d["exercises"][2]["tests"][1].update(points="2"),
        "exercises[2].tests[1].points must be a number, not '2'.",
    ),
    "an unknown outcome": (
        lambda d: d["exercises"][0]["tests"][0].update(outcome="ok"),
        "exercises[0].tests[0].outcome must be one of passed, failed, error, timeout, crashed, "
        "skipped, not 'ok'.",
    ),
    "evidence that is a list": (
        lambda d: d["exercises"][0]["tests"][0].update(evidence=[1]),
        "exercises[0].tests[0].evidence must be an object, not [1].",
    ),
    "more note messages than notes": (
        lambda d: d["isolation"].update(
            note_messages=[{"en": "one", "fr": "un"}, {"en": "two", "fr": "deux"}]
        ),
        "isolation.note_messages must hold one entry per note of isolation.notes (1), not 2.",
    ),
    "note messages but no notes": (
        lambda d: d["isolation"].update(notes=[], note_messages=[{"en": "one", "fr": "un"}]),
        "isolation.note_messages must hold one entry per note of isolation.notes (0), not 1.",
    ),
    "a note message that is a sentence": (
        lambda d: d["isolation"].update(note_messages=["pas de sandbox"]),
        "isolation.note_messages[0] must be an object, not 'pas de sandbox'.",
    ),
    "a note message in a language that is not text": (
        lambda d: d["isolation"].update(note_messages=[{"en": "no root", "fr": 3}]),
        "isolation.note_messages[0].fr must be a string, not 3.",
    ),
    "note messages that are not a list": (
        lambda d: d["isolation"].update(note_messages={"en": "no root", "fr": "pas root"}),
        "isolation.note_messages must be a list, not {'en': 'no root', 'fr': 'pas root'}.",
    ),
}


@pytest.mark.parametrize("case", sorted(BROKEN_FIELDS))
def test_a_document_with_a_wrong_field_is_refused_naming_file_and_field(
    case: str, tmp_path: Path
) -> None:
    """A report built from a wrong document would be wrong: the reason names the field."""
    break_it, reason = BROKEN_FIELDS[case]
    document = load_fixture("bob")
    break_it(document)
    folder = tmp_path / "results"
    (folder / "bob").mkdir(parents=True)
    (folder / "bob" / "result.json").write_text(json.dumps(document), encoding="utf-8")
    with pytest.raises(ResultDocumentError) as caught:
        render_student_feedback(document, lang="en")
    assert str(caught.value) == f"the result document: {reason}"
    (entry,) = read_class(folder, whole)
    assert entry.reading is None and entry.problem == f"bob/result.json: {reason}"
