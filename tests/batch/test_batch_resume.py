"""A rerun loads only the submissions whose files changed: content hashes are remembered."""

from __future__ import annotations

import json
import time
from pathlib import Path

import pytest

from grader.atomic import write_text_atomic
from grader.batch import grade_class, resume
from grader.batch.resume import HASHES_FILE, entry_signature
from grader.result import ResultDocumentError, ResultReader, parsing

from .fake_backend import fake_backend, folder_submission, read_lines, zip_submission


@pytest.fixture
def hashed(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The log of content hashes computed; files count as settled as soon as written."""
    log = tmp_path / "hashes.log"
    monkeypatch.setenv("NNGRADE_FAKE_HASHES", str(log))
    monkeypatch.setattr(resume, "RECENT_SECONDS", 0.0)
    return log


def _class(root: Path) -> Path:
    root.mkdir()
    folder_submission(root, "alice", "sigmoid")
    zip_submission(root, "bob", "softmax")
    folder_submission(root, "carol", "tanh")
    return root


def _grade(submissions: Path, results: Path, **options: object):
    options.setdefault("backend", fake_backend())
    return grade_class(submissions, results, render=False, workers=1, **options)  # type: ignore[arg-type]


def _tick() -> None:
    """Let the file system's clock move on, so that the next write gets new times."""
    time.sleep(0.05)


def test_a_rerun_computes_no_content_hash_of_an_unchanged_submission(
    tmp_path: Path, hashed: Path
) -> None:
    submissions, results = _class(tmp_path / "class"), tmp_path / "out"
    _grade(submissions, results)
    assert read_lines(hashed) == []  # nothing to compare with: graded, hashes remembered
    report = _grade(submissions, results)
    assert report.kept == ("alice", "bob", "carol") and read_lines(hashed) == []


def test_a_changed_entry_is_hashed_again_and_regraded(tmp_path: Path, hashed: Path) -> None:
    submissions, results = _class(tmp_path / "class"), tmp_path / "out"
    _grade(submissions, results)
    _tick()
    (submissions / "alice" / "passes.txt").write_text("relu\n\n\n\n")  # same size
    _tick()
    (submissions / "carol" / "notes.md").write_text("a new file, not graded")
    report = _grade(submissions, results)
    assert sorted(read_lines(hashed)) == ["alice", "carol"]
    assert report.graded == ("alice",) and report.kept == ("bob", "carol")
    assert json.loads((results / "alice" / "result.json").read_text())["score"] > 0
    assert _grade(submissions, results).graded == ()
    assert sorted(read_lines(hashed)) == ["alice", "carol"]  # carol's new hash remembered


def test_another_grader_or_a_broken_memory_means_hashing_again(
    tmp_path: Path, hashed: Path
) -> None:
    submissions, results = _class(tmp_path / "class"), tmp_path / "out"
    _grade(submissions, results)
    (results / HASHES_FILE).write_text('{"key": ')
    assert _grade(submissions, results).kept == ("alice", "bob", "carol")
    assert sorted(read_lines(hashed)) == ["alice", "bob.zip", "carol"]
    assert len(_grade(submissions, results, backend=fake_backend("fake-2")).graded) == 3
    _grade(submissions, results, backend=fake_backend("fake-2"))
    assert len(read_lines(hashed)) == 3  # remembered again, under the new grader


def test_a_signature_follows_every_change_of_an_entry(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = folder_submission(tmp_path, "alice", "sigmoid")
    assert entry_signature(folder) is None  # just written: too recent to vouch for
    monkeypatch.setattr(resume, "RECENT_SECONDS", 0.0)
    seen = {entry_signature(folder)}
    assert entry_signature(folder) in seen  # untouched: the same
    for change in (
        lambda: (folder / "passes.txt").write_text("relu\n\n\n\n"),  # same size
        lambda: (folder / "extra.py").write_text(""),
        lambda: (folder / "extra.py").rename(folder / "other.py"),
        lambda: (folder / "sub").mkdir(),
        lambda: (folder / "sub" / "deep.py").write_text("x = 1\n"),
        lambda: (folder / "other.py").unlink(),
    ):
        _tick()
        change()
        signature = entry_signature(folder)
        assert signature is not None and signature not in seen
        seen.add(signature)
    assert entry_signature(tmp_path / "nobody") is None
    monkeypatch.setattr(resume, "MAX_ENTRY_FILES", 3)
    assert entry_signature(folder) is None  # too big to vouch for cheaply


def test_a_rerun_parses_each_result_once(
    tmp_path: Path, hashed: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The plan, the class files and the summary read the same documents: one parse each."""
    submissions, results = _class(tmp_path / "class"), tmp_path / "out"
    grade_class(submissions, results, backend=fake_backend(), workers=1)
    parsed: list[str] = []
    original = parsing.parse_result

    def counted(data: object, source: str) -> object:
        parsed.append(source)
        return original(data, source)  # type: ignore[arg-type]

    monkeypatch.setattr(parsing, "parse_result", counted)
    report = grade_class(submissions, results, backend=fake_backend(), workers=1)
    assert report.kept == ("alice", "bob", "carol")
    assert sorted(parsed) == sorted(str(results / s / "result.json") for s in report.kept)
    assert (results / "index.html").is_file()


def test_a_result_rewritten_during_a_run_is_read_again(tmp_path: Path) -> None:
    submissions, results = _class(tmp_path / "class"), tmp_path / "out"
    _grade(submissions, results)
    path = results / "alice" / "result.json"
    reader = ResultReader()
    first, digest = reader.load(path)
    assert reader.load(path) == (first, digest) and reader.load(path)[0] is first
    document = json.loads(path.read_text())
    document["score"] = 0.0
    _tick()
    write_text_atomic(path, json.dumps(document))
    again, new_digest = reader.load(path)
    assert again.score == 0.0 and new_digest != digest
    path.write_text('{"broken": ')
    with pytest.raises(ResultDocumentError, match="not valid JSON"):
        reader.load(path)
    path.unlink()
    with pytest.raises(ResultDocumentError, match="does not exist"):
        reader.load(path)
