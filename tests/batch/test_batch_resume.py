"""A rerun loads only the submissions whose files changed: content hashes are remembered."""

from __future__ import annotations

import gc
import json
import time
import weakref
from pathlib import Path

import pytest

from grader.atomic import write_text_atomic
from grader.batch import grade_class, resume
from grader.batch.resume import HASHES_FILE, entry_signature
from grader.result import Result, ResultDocumentError, ResultReader, parsing

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


def test_the_remembered_hashes_are_a_json_document_kept_as_it_is_when_unchanged(
    tmp_path: Path, hashed: Path
) -> None:
    """The file names each student's signature and hash; a rerun that changes nothing
    leaves it alone (same inode and times), and it reads back as what was remembered."""
    submissions, results = _class(tmp_path / "class"), tmp_path / "out"
    _grade(submissions, results)
    path = results / HASHES_FILE
    document = json.loads(path.read_text(encoding="utf-8"))
    assert sorted(document["students"]) == ["alice", "bob", "carol"]
    for entry in document["students"].values():
        assert sorted(entry) == ["sha256", "signature"]
        assert all(isinstance(value, str) and len(value) == 64 for value in entry.values())
    before = path.stat()
    _grade(submissions, results)
    after = path.stat()
    assert (after.st_ino, after.st_mtime_ns) == (before.st_ino, before.st_mtime_ns)
    loaded = resume.ContentHashes.load(results, fake_backend())
    assert loaded.known == {
        student: (entry["signature"], entry["sha256"])
        for student, entry in document["students"].items()
    }


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


def _count_parses(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """From now on, the source of every document this process parses, in order."""
    parsed: list[str] = []
    original = parsing.parse_result

    def counted(data: object, source: str) -> object:
        parsed.append(source)
        return original(data, source)  # type: ignore[arg-type]

    monkeypatch.setattr(parsing, "parse_result", counted)
    return parsed


def test_a_rerun_parses_each_result_once(
    tmp_path: Path, hashed: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The plan, the class files and the summary read the same documents: one parse each."""
    submissions, results = _class(tmp_path / "class"), tmp_path / "out"
    grade_class(submissions, results, backend=fake_backend(), workers=1)
    parsed = _count_parses(monkeypatch)
    report = grade_class(submissions, results, backend=fake_backend(), workers=1)
    assert report.kept == ("alice", "bob", "carol")
    assert sorted(parsed) == sorted(str(results / s / "result.json") for s in report.kept)
    assert (results / "index.html").is_file()


def test_a_first_run_parses_each_new_result_once_in_the_batch(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The grading processes write the results and their pages; the batch reads each
    result once, for the class files and the summary together."""
    submissions, results = _class(tmp_path / "class"), tmp_path / "out"
    parsed = _count_parses(monkeypatch)
    report = grade_class(submissions, results, backend=fake_backend(), workers=1)
    assert report.graded == ("alice", "bob", "carol") and report.report is not None
    assert sorted(parsed) == sorted(str(results / s / "result.json") for s in report.graded)
    assert all((results / s / "results.json").is_file() for s in report.graded)


def test_a_first_run_reads_each_result_while_the_next_is_graded(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The batch reads a result as soon as its grading process reports it written, not all
    of them once the last is graded: the class files follow the last grading at once."""
    submissions, results = _class(tmp_path / "class"), tmp_path / "out"
    timeline: list[str] = []
    parsed = _count_parses(monkeypatch)

    class Recorder:
        def start(self, total: int, kept: int, regrading: object, **options: object) -> None:
            pass

        def update(self, event: object) -> None:
            student = getattr(event, "student", "?")
            timeline.append(f"{type(event).__name__} {student} ({len(parsed)} parsed)")

        def finish(self) -> None:
            timeline.append(f"finish ({len(parsed)} parsed)")

    report = grade_class(
        submissions, results, backend=fake_backend(), workers=1, progress=Recorder()
    )
    assert report.graded == ("alice", "bob", "carol")
    # One process grades them in turn: each result is read before the next is finished.
    finished = [entry for entry in timeline if entry.startswith("Finished")]
    assert [entry.split()[1] for entry in finished] == ["alice", "bob", "carol"]
    assert [entry.split("(")[1] for entry in finished] == ["0 parsed)", "1 parsed)", "2 parsed)"]
    assert timeline[-1] == "finish (3 parsed)" and len(parsed) == 3


def test_a_result_rewritten_during_a_run_is_read_again(tmp_path: Path) -> None:
    submissions, results = _class(tmp_path / "class"), tmp_path / "out"
    _grade(submissions, results)
    path = results / "alice" / "result.json"
    parses: list[float] = []

    def score(result: Result) -> float:
        parses.append(result.score)
        return result.score

    reader = ResultReader()
    first = reader.read(path, score)
    again = reader.read(path, score)
    assert (again.facts, again.digest) == (first.facts, first.digest) and len(parses) == 1
    assert again.document() == first.document()  # the whole document, parsed on demand
    document = json.loads(path.read_text())
    document["score"] = 0.0
    _tick()
    write_text_atomic(path, json.dumps(document))
    changed = reader.read(path, score)
    assert changed.facts == 0.0 and changed.digest != first.digest and len(parses) == 2
    path.write_text('{"broken": ')
    with pytest.raises(ResultDocumentError, match="not valid JSON"):
        reader.read(path, score)
    path.unlink()
    with pytest.raises(ResultDocumentError, match="does not exist"):
        reader.read(path, score)


def test_a_reader_keeps_what_its_extractors_take_and_never_the_document(tmp_path: Path) -> None:
    """A class of 50,000 must fit in memory: a parsed document is dropped once read."""
    submissions, results = _class(tmp_path / "class"), tmp_path / "out"
    _grade(submissions, results)
    path = results / "bob" / "result.json"
    reader = ResultReader([lambda result: result.student])
    document, _ = reader.load(path)
    dropped = weakref.ref(document)
    del document
    gc.collect()
    assert dropped() is None
    assert reader.read(path, lambda result: result.status).facts == "graded"


def test_a_batch_holds_no_whole_result_once_it_has_read_them(tmp_path: Path) -> None:
    """What a batch returns, and keeps while it writes the class files and the report, is a
    few facts per student: no parsed document outlives its reading."""
    submissions, results = _class(tmp_path / "class"), tmp_path / "out"
    grade_class(submissions, results, backend=fake_backend(), workers=1)  # graded
    for run in range(2):  # a rerun, then one whose pages are all rendered in this process
        gc.collect()
        before = _results_alive()
        report = grade_class(
            submissions, results, backend=fake_backend(), workers=1, lang=("en", "fr")[run]
        )
        gc.collect()
        assert len(report.rows) == 3 and report.report is not None
        assert all(row.facts is not None for row in report.rows)
        assert _results_alive() == before


def _results_alive() -> int:
    return sum(1 for thing in gc.get_objects() if isinstance(thing, Result))
