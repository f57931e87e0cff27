"""Reading result documents: tolerant of optional fields, strict about the schema."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from grader.report import ResultDocumentError, load_result, render_student_feedback
from grader.report.documents import read_class

from .conftest import CLASS, FIXTURES, READABLE


def test_reads_every_hand_written_fixture() -> None:
    """Each readable fixture follows schema nngrade.result/1."""
    for student in READABLE:
        document = load_result(CLASS / student / "result.json")
        assert document["schema"] == "nngrade.result/1"
        assert len(document["exercises"]) == 12


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
    path = tmp_path / "result.json"
    path.write_text(json.dumps({"schema": "nngrade.result/1.1"}), encoding="utf-8")
    assert load_result(path)["schema"] == "nngrade.result/1.1"


@pytest.mark.parametrize("text", ["[]", '{"student": "x"}', '{"schema": "other/1"}'])
def test_documents_that_are_not_results_are_refused(tmp_path: Path, text: str) -> None:
    """A JSON value without our schema is refused, naming the file."""
    path = tmp_path / "result.json"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ResultDocumentError, match=r"result\.json"):
        load_result(path)


def test_missing_and_corrupt_documents_become_entries_with_a_reason() -> None:
    """read_class never raises on a bad student folder: it records why."""
    entries = {entry.folder: entry for entry in read_class(CLASS)}
    assert set(entries) == {*READABLE, "yann", "zoe"}
    assert entries["yann"].missing and entries["yann"].result is None
    assert entries["yann"].problem == "yann/result.json does not exist."
    assert entries["zoe"].result is None and not entries["zoe"].missing
    assert "zoe/result.json is not valid JSON" in (entries["zoe"].problem or "")


def test_minimal_document_renders() -> None:
    """Every field but `schema` is optional for the report."""
    html = render_student_feedback({"schema": "nngrade.result/1"}, lang="en")
    assert "<h1>" in html and "0 / 0" in html
