"""A submission travels to a Dask worker as bytes and arrives exactly as it was loaded."""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path

import pytest

from grader.distributed.request import FORMAT, GradingRequest
from grader.errors import UsageError
from grader.loading import load_submission

SAMPLE = Path(__file__).resolve().parents[2] / "examples" / "class"


@pytest.mark.parametrize("entry", sorted(path.name for path in SAMPLE.iterdir()))
def test_every_sample_submission_survives_the_trip(entry: str) -> None:
    """Folders, zips, notebooks, syntax errors, missing modules: the worker gets the very
    submission the client loaded, so it grades what a local batch grades."""
    loaded = load_submission(SAMPLE / entry)
    request = GradingRequest("alice", "fr", "1.2.3", loaded)
    assert GradingRequest.from_bytes(request.to_bytes()) == request


def test_odd_text_survives_the_trip(tmp_path: Path) -> None:
    """Accents and emoji in names, sources and problems, and even a lone surrogate, come
    back as they were; the bytes on the wire are ASCII."""
    notebook = {
        "cells": [
            {
                "cell_type": "code",
                "metadata": {},
                "execution_count": None,
                "outputs": [],
                "source": "x = 'é😀'\ndef sigmoid(Z):\n    return Z +\n",
            }
        ],
        "metadata": {},
        "nbformat": 4,
        "nbformat_minor": 5,
    }
    path = tmp_path / "zoé.ipynb"
    path.write_text(json.dumps(notebook), encoding="utf-8")
    loaded = load_submission(path)
    assert loaded.problems, "the notebook was meant to have a syntax error"
    odd = dataclasses.replace(loaded, sources={"notebook": "x = '\ud800é😀'\n"})
    for submission in (loaded, odd):
        request = GradingRequest("zoé", "en", "1.2.3", submission)
        data = request.to_bytes()
        assert data.isascii()
        assert GradingRequest.from_bytes(data) == request


def test_a_request_from_another_format_says_what_to_do() -> None:
    data = json.dumps({"format": "nngrade.grading-request/9"}).encode()
    with pytest.raises(UsageError, match="install the same nngrade version"):
        GradingRequest.from_bytes(data)


@pytest.mark.parametrize(
    ("data", "why"),
    [
        (b"\xff\xfe", "not valid JSON"),
        (b"[1, 2]", "format None"),
        (json.dumps({"format": FORMAT, "student": "a"}).encode(), "incomplete or malformed"),
    ],
)
def test_a_broken_request_is_refused_with_a_reason(data: bytes, why: str) -> None:
    with pytest.raises(UsageError, match=why):
        GradingRequest.from_bytes(data)


def test_a_request_with_a_wrongly_typed_field_is_refused(tmp_path: Path) -> None:
    loaded = load_submission(SAMPLE / "chloe_plain_imports")
    document = json.loads(GradingRequest("a", "en", "1", loaded).to_bytes())
    document["submission"]["sources"]["activations"] = 3
    with pytest.raises(UsageError, match="expected a string"):
        GradingRequest.from_bytes(json.dumps(document).encode())
