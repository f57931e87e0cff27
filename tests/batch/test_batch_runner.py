"""The parallel, resumable runner, driven by the fake grader (fast, countable)."""

from __future__ import annotations

import csv
import fcntl
import io
import json
import os
from collections.abc import Mapping
from pathlib import Path

import pytest

from grader.batch import LineProgress, grade_class
from grader.batch.summary_text import summary_lines
from grader.batch.worker import lane_cpus
from grader.catalog import max_score
from grader.errors import UsageError
from grader.i18n import Text
from grader.sandbox import SandboxLimits

from .fake_backend import (
    fake_backend,
    folder_submission,
    notebook_submission,
    read_lines,
    zip_submission,
)


@pytest.fixture
def counters(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> tuple[Path, Path]:
    calls, sandboxes = tmp_path / "calls.log", tmp_path / "sandboxes.log"
    monkeypatch.setenv("NNGRADE_FAKE_CALLS", str(calls))
    monkeypatch.setenv("NNGRADE_FAKE_SANDBOXES", str(sandboxes))
    return calls, sandboxes


def _class(root: Path) -> Path:
    root.mkdir()
    folder_submission(root, "alice", "sigmoid", "tanh", "relu")
    zip_submission(root, "bob", "softmax")
    notebook_submission(root, "carol")
    folder_submission(root, "dave", "sigmoid", "update", "training")
    (root / "README.txt").write_text("not a submission")
    return root


def _grade(submissions: Path, results: Path, **options: object):
    options.setdefault("backend", fake_backend())
    return grade_class(submissions, results, render=False, **options)  # type: ignore[arg-type]


def _reasons(regrading: Mapping[Text, int]) -> dict[str, int]:
    """Why results were graded again, in English."""
    return {str(why): count for why, count in regrading.items()}


def _files(folder: Path) -> dict[str, bytes]:
    return {
        path.relative_to(folder).as_posix(): path.read_bytes()
        for path in sorted(folder.rglob("*"))
        if path.is_file() and not path.name.startswith(".")
    }


def test_each_grading_process_opens_one_sandbox_on_its_own_slot(
    tmp_path: Path, counters: tuple[Path, Path]
) -> None:
    """Two workers: two sandboxes, slots 0 and 1, in two processes; each student once."""
    calls, sandboxes = counters
    report = _grade(_class(tmp_path / "class"), tmp_path / "out", workers=2)
    assert sorted(read_lines(calls)) == ["alice", "bob", "carol", "dave"]
    opened = [line.split() for line in sandboxes.read_text().splitlines()]
    assert sorted(slot for _, slot, _ in opened) == ["0", "1"]
    assert len({pid for pid, _, _ in opened}) == 2
    if len(os.sched_getaffinity(0)) >= 2:  # one CPU each, so that each keeps its own
        kept = [cpus.split(",") for _, _, cpus in opened]
        assert all(len(cpu) == 1 for cpu in kept)
        assert len({cpu[0] for cpu in kept}) == 2
    assert report.graded == ("alice", "bob", "carol", "dave")
    for student in report.graded:
        document = json.loads((tmp_path / "out" / student / "result.json").read_text())
        assert document["student"] == student


def test_more_grading_processes_than_cores_are_capped_to_the_cores_with_a_note(
    tmp_path: Path, counters: tuple[Path, Path]
) -> None:
    """More processes than cores would only compete for them: a batch starts one per core
    (the class has 4 students), each keeping a CPU of its own, and says why."""
    _, sandboxes = counters
    cores = len(os.sched_getaffinity(0))
    report = _grade(_class(tmp_path / "class"), tmp_path / "out", workers=cores + 5)
    opened = [line.split() for line in sandboxes.read_text().splitlines()]
    assert len(opened) == report.workers == min(cores, 4)
    assert len({cpus for _, _, cpus in opened}) == len(opened)  # a CPU each
    [note] = [note for note in report.notes if note.startswith("--workers")]
    core_word = "core" if cores == 1 else "cores"
    assert note.startswith(f"--workers {cores + 5} is more than the {cores} {core_word} of")
    assert f"graded with {cores} process" in note
    assert report.graded == ("alice", "bob", "carol", "dave")


def test_lane_cpus_gives_each_process_its_own_allowed_cpu() -> None:
    allowed = sorted(os.sched_getaffinity(0))
    assert lane_cpus(len(allowed)) == dict(enumerate(allowed))
    assert lane_cpus(1) == {0: allowed[0]}
    assert lane_cpus(len(allowed) + 1) == {}


def test_results_and_class_files_do_not_depend_on_the_number_of_workers(
    tmp_path: Path, counters: tuple[Path, Path]
) -> None:
    submissions = _class(tmp_path / "class")
    _grade(submissions, tmp_path / "one", workers=1)
    _grade(submissions, tmp_path / "three", workers=3)
    one, three = _files(tmp_path / "one"), _files(tmp_path / "three")
    assert "summary.json" in one and "alice/result.json" in one
    assert one == three


def test_grades_csv_has_one_row_per_student_with_the_points_of_each_exercise(
    tmp_path: Path, counters: tuple[Path, Path]
) -> None:
    _grade(_class(tmp_path / "class"), tmp_path / "out", workers=2)
    with open(tmp_path / "out" / "grades.csv", newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert [row["student"] for row in rows] == ["alice", "bob", "carol", "dave"]
    alice = rows[0]
    # sigmoid 4 + tanh 3 + relu 3 in the catalog: 10 of them all.
    assert (alice["score"], alice["max_score"], alice["status"]) == (
        "10",
        f"{max_score():g}",
        "graded",
    )
    assert (alice["sigmoid"], alice["tanh"], alice["softmax"]) == ("4", "3", "0")


def test_a_rerun_with_nothing_changed_grades_nothing(
    tmp_path: Path, counters: tuple[Path, Path]
) -> None:
    calls, _ = counters
    submissions, results = _class(tmp_path / "class"), tmp_path / "out"
    _grade(submissions, results, workers=2)
    first = _files(results)
    report = _grade(submissions, results, workers=2)
    assert len(read_lines(calls)) == 4
    assert report.graded == () and report.kept == ("alice", "bob", "carol", "dave")
    assert _files(results) == first


def test_only_a_changed_submission_is_graded_again(
    tmp_path: Path, counters: tuple[Path, Path]
) -> None:
    calls, _ = counters
    submissions, results = _class(tmp_path / "class"), tmp_path / "out"
    _grade(submissions, results, workers=2)
    (submissions / "alice" / "passes.txt").write_text("sigmoid\n")
    report = _grade(submissions, results, workers=2)
    assert report.graded == ("alice",)
    assert read_lines(calls).count("alice") == 2 and len(read_lines(calls)) == 5
    assert json.loads((results / "alice" / "result.json").read_text())["score"] == 4


@pytest.mark.slow
def test_a_new_grader_version_or_force_grades_everything_again(
    tmp_path: Path, counters: tuple[Path, Path]
) -> None:
    calls, _ = counters
    submissions, results = _class(tmp_path / "class"), tmp_path / "out"
    _grade(submissions, results, workers=2)
    assert _grade(submissions, results, backend=fake_backend("fake-2")).graded == (
        "alice",
        "bob",
        "carol",
        "dave",
    )
    assert len(_grade(submissions, results, backend=fake_backend("fake-2"), force=True).graded) == 4
    assert len(read_lines(calls)) == 12


def test_an_edited_hidden_suite_regrades_every_result_and_says_why(
    tmp_path: Path, counters: tuple[Path, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    """A result records what decided it; once the hidden suites differ, none is kept."""
    calls, _ = counters
    submissions, results = _class(tmp_path / "class"), tmp_path / "out"
    first = _grade(submissions, results, workers=2)
    assert first.regrading == {}  # first gradings are not regradings
    monkeypatch.setenv("NNGRADE_FAKE_SUITES", "2")
    shown = io.StringIO()
    report = _grade(submissions, results, workers=2, progress=LineProgress(shown))
    assert report.graded == ("alice", "bob", "carol", "dave") and report.kept == ()
    assert _reasons(report.regrading) == {"the hidden suites changed": 4}
    assert "4 results graded again: the hidden suites changed." in shown.getvalue().splitlines()
    assert "  4 results graded again: the hidden suites changed." in summary_lines(report)
    assert _grade(submissions, results, workers=2).graded == ()  # the new grades are kept
    assert len(read_lines(calls)) == 8


def test_other_limits_regrade_every_result_naming_the_figures_that_changed(
    tmp_path: Path, counters: tuple[Path, Path]
) -> None:
    submissions, results = _class(tmp_path / "class"), tmp_path / "out"
    _grade(submissions, results, workers=2, limits=SandboxLimits())
    assert _grade(submissions, results, workers=2, limits=SandboxLimits()).graded == ()
    longer = SandboxLimits(wall_seconds_per_call=2.5, memory_bytes=2 << 30)
    report = _grade(submissions, results, workers=2, limits=longer)
    assert len(report.graded) == 4
    assert _reasons(report.regrading) == {
        "the limits changed (memory_bytes 1073741824 -> 2147483648, "
        "wall_seconds_per_call 1.0 -> 2.5)": 4
    }
    recorded = json.loads((results / "bob" / "result.json").read_text())["isolation"]["limits"]
    assert recorded["wall_seconds_per_call"] == 2.5


def test_a_result_without_a_fingerprint_is_graded_again(
    tmp_path: Path, counters: tuple[Path, Path]
) -> None:
    """Results written before nngrade recorded what decided them cannot be trusted."""
    submissions, results = _class(tmp_path / "class"), tmp_path / "out"
    _grade(submissions, results, workers=2)
    document = json.loads((results / "dave" / "result.json").read_text())
    del document["fingerprint"]
    (results / "dave" / "result.json").write_text(json.dumps(document))
    report = _grade(submissions, results, workers=2)
    assert report.graded == ("dave",)
    assert _reasons(report.regrading) == {
        "its result does not record what decided its grade (an older nngrade)": 1
    }


def test_a_truncated_or_foreign_result_is_graded_again(
    tmp_path: Path, counters: tuple[Path, Path]
) -> None:
    submissions, results = _class(tmp_path / "class"), tmp_path / "out"
    _grade(submissions, results, workers=2)
    text = (results / "bob" / "result.json").read_text()
    (results / "bob" / "result.json").write_text(text[: len(text) // 2])
    document = json.loads((results / "carol" / "result.json").read_text())
    document["student"] = "mallory"
    (results / "carol" / "result.json").write_text(json.dumps(document))
    assert _grade(submissions, results, workers=2).graded == ("bob", "carol")


def test_stale_temporary_files_of_a_killed_run_are_removed(
    tmp_path: Path, counters: tuple[Path, Path]
) -> None:
    submissions, results = _class(tmp_path / "class"), tmp_path / "out"
    (results / "alice").mkdir(parents=True)
    stale = [
        results / "alice" / ".result.json.nngrade-tmp-k3j4",  # a result document
        results / ".grades.csv.nngrade-tmp-abcd",  # a class file
    ]
    for path in stale:
        path.write_text("half")
    report = _grade(submissions, results, workers=1)
    assert not any(path.exists() for path in stale)
    assert any("Removed 2 unfinished files" in note for note in report.notes)


def test_a_grading_that_raises_is_reported_and_the_others_are_graded(
    tmp_path: Path, counters: tuple[Path, Path]
) -> None:
    submissions = _class(tmp_path / "class")
    folder_submission(submissions, "erin", "RAISE")
    report = _grade(submissions, tmp_path / "out", workers=2)
    rows = {row.student: row for row in report.rows}
    assert rows["erin"].status == "not_graded"
    assert "the fake grader was asked to fail" in rows["erin"].message
    assert not (tmp_path / "out" / "erin" / "result.json").exists()
    assert all(rows[s].status == "graded" for s in ("alice", "bob", "carol", "dave"))


def test_a_grading_process_that_dies_loses_only_its_submission(
    tmp_path: Path, counters: tuple[Path, Path]
) -> None:
    """With one worker, the dead process is replaced and the class is still graded."""
    submissions = _class(tmp_path / "class")
    folder_submission(submissions, "aaron", "DIE")
    report = _grade(submissions, tmp_path / "out", workers=1)
    rows = {row.student: row for row in report.rows}
    assert rows["aaron"].status == "not_graded"
    assert "grading process stopped (exit code 3)" in rows["aaron"].message
    assert [s for s, row in rows.items() if row.status == "graded"] == [
        "alice",
        "bob",
        "carol",
        "dave",
    ]


def test_duplicates_and_unreadable_entries_get_a_row_and_a_status(
    tmp_path: Path, counters: tuple[Path, Path]
) -> None:
    submissions = _class(tmp_path / "class")
    zip_submission(submissions, "alice", "sigmoid")
    (submissions / "zoe.zip").symlink_to(submissions / "missing.zip")
    report = _grade(submissions, tmp_path / "out", workers=2)
    with open(tmp_path / "out" / "grades.csv", newline="") as handle:
        statuses = {row["student"]: (row["status"], row["score"]) for row in csv.DictReader(handle)}
    assert statuses["alice"] == ("duplicate", "")
    assert statuses["zoe"] == ("unreadable", "")
    assert statuses["bob"][0] == "graded"
    summary = json.loads((tmp_path / "out" / "summary.json").read_text())
    assert summary["counts"]["duplicate"] == 1 and summary["counts"]["unreadable"] == 1
    assert summary["ignored"] == [
        {"entry": "README.txt", "reason": "not a submission: expected a folder, a .zip or a .ipynb"}
    ]
    assert not (tmp_path / "out" / "alice").exists()
    assert report.graded == ("bob", "carol", "dave")


def test_two_batches_never_write_into_the_same_results_together(
    tmp_path: Path, counters: tuple[Path, Path]
) -> None:
    results = tmp_path / "out"
    results.mkdir()
    with open(results / ".nngrade-batch.lock", "w") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        with pytest.raises(UsageError, match="Another nngrade batch is writing into"):
            _grade(_class(tmp_path / "class"), results, workers=1)


@pytest.mark.parametrize(
    ("lang", "words"),
    [("en", "its grading took more than 1 s"), ("fr", "sa notation a pris plus de 1 s")],
)
def test_the_watchdog_stops_a_grading_that_never_ends(
    tmp_path: Path, counters: tuple[Path, Path], lang: str, words: str
) -> None:
    """A submission that holds its grading process past the watchdog is reported in the
    batch's language, its process replaced, and the rest of the class graded."""
    submissions = _class(tmp_path / "class")
    folder_submission(submissions, "aaron", "SLEEP 120")
    report = _grade(submissions, tmp_path / "out", workers=1, watchdog_seconds=1.0, lang=lang)
    rows = {row.student: row for row in report.rows}
    assert rows["aaron"].status == "not_graded"
    assert words in rows["aaron"].message
    assert [s for s, row in rows.items() if row.status == "graded"] == [
        "alice",
        "bob",
        "carol",
        "dave",
    ]
    assert report.wall_seconds < 60
