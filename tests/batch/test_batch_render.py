"""Feedback pages rendered by the grading processes, driven by the fake grader.

Each graded student's page is rendered by the process that graded it; the parent renders the
summary and the pages it was not told about. The parent's own renders are counted by
wrapping `render_student_feedback` in this (the parent) process: the grading processes are
spawned, so the wrapper never reaches them.
"""

from __future__ import annotations

from pathlib import Path

import pytest

import grader.report.render as render
from grader.batch import grade_class
from grader.batch.resume import HASHES_FILE
from grader.report import load_result, render_reports
from grader.result import Result

from .fake_backend import fake_backend, folder_submission

STUDENTS = ("alice", "bob", "carol", "dave", "erin")


@pytest.fixture
def parent_renders(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The students whose feedback page the parent process rendered, in order."""
    calls: list[str] = []
    original = render.render_student_feedback

    def counting(result: Result, *, lang: str = "en") -> str:
        calls.append(result.student)
        return original(result, lang=lang)

    monkeypatch.setattr(render, "render_student_feedback", counting)
    return calls


def _class(root: Path, **extra: tuple[str, ...]) -> Path:
    root.mkdir()
    for number, student in enumerate(STUDENTS):
        lines = ("sigmoid", "tanh")[: number % 3] + extra.get(student, ())
        folder_submission(root, student, *lines)
    return root


def _grade(submissions: Path, results: Path, **options: object):
    options.setdefault("backend", fake_backend())
    options.setdefault("workers", 2)
    return grade_class(submissions, results, **options)  # type: ignore[arg-type]


def _assert_pages_match(results: Path, lang: str) -> None:
    """Every page is the one `render_student_feedback` makes of the result on disk."""
    for student in STUDENTS:
        document = load_result(results / student / "result.json")
        page = (results / student / "feedback.html").read_text(encoding="utf-8")
        assert page == render.render_student_feedback(document, lang=lang), student


@pytest.mark.parametrize("lang", ["en", "fr"])
def test_the_grading_processes_render_the_pages_the_parent_would(
    tmp_path: Path, parent_renders: list[str], lang: str
) -> None:
    results = tmp_path / "out"
    report = _grade(_class(tmp_path / "class"), results, lang=lang)
    assert report.grading.rendered == set(STUDENTS)
    assert parent_renders == []  # the parent rendered no page, only the summary
    _assert_pages_match(results, lang)
    # The same folder rendered by the parent alone, as before: byte-identical files.
    pages = {p: p.read_bytes() for p in sorted(results.glob("**/*.html"))}
    render_reports(results, lang=lang)
    assert {p: p.read_bytes() for p in sorted(results.glob("**/*.html"))} == pages
    assert report.report == results / "index.html"


def test_kept_results_get_their_page_from_the_parent_in_the_runs_language(
    tmp_path: Path, parent_renders: list[str]
) -> None:
    submissions, results = _class(tmp_path / "class"), tmp_path / "out"
    _grade(submissions, results, lang="en")
    (submissions / "bob" / "passes.txt").write_text("relu\n")  # bob changed: graded again
    report = _grade(submissions, results, lang="fr")
    assert report.graded == ("bob",)
    assert report.grading.rendered == {"bob"}
    assert sorted(parent_renders) == sorted(set(STUDENTS) - {"bob"})
    _assert_pages_match(results, "fr")


def test_a_page_the_grading_process_fails_to_render_is_rendered_by_the_parent(
    tmp_path: Path, parent_renders: list[str]
) -> None:
    submissions = _class(tmp_path / "class", bob=("RENDER_RAISES",), dave=("RENDER_DIES",))
    results = tmp_path / "out"
    report = _grade(submissions, results, lang="en")
    # The results count: bob's process raised while rendering, dave's died.
    assert report.graded == STUDENTS
    assert report.grading.failed == {}
    assert all(row.scored for row in report.rows)
    # Neither page was written by its grading process: the report's end renders both.
    assert report.grading.rendered == set(STUDENTS) - {"bob", "dave"}
    assert sorted(parent_renders) == ["bob", "dave"]
    _assert_pages_match(results, "en")
    assert not [p for p in results.rglob("*") if "nngrade-tmp" in p.name]


def test_a_page_with_a_plot_is_rendered_by_its_grading_process(
    tmp_path: Path, parent_renders: list[str]
) -> None:
    """A plot costs a grading process about a millisecond: the pages that show a curve are
    rendered where their result was written, like the others, and never again."""
    submissions = _class(tmp_path / "class", carol=("CURVE",), erin=("CURVE",))
    results = tmp_path / "out"
    report = _grade(submissions, results, lang="en")
    assert report.grading.rendered == set(STUDENTS)
    assert parent_renders == []
    _assert_pages_match(results, "en")
    assert "<svg" in (results / "carol" / "feedback.html").read_text(encoding="utf-8")
    assert "<svg" not in (results / "alice" / "feedback.html").read_text(encoding="utf-8")


def test_without_render_no_page_is_written_anywhere(
    tmp_path: Path, parent_renders: list[str]
) -> None:
    results = tmp_path / "out"
    report = _grade(_class(tmp_path / "class"), results, render=False)
    assert report.graded == STUDENTS
    assert report.grading.rendered == set()
    assert report.report is None
    assert list(results.rglob("*.html")) == []
    assert parent_renders == []


def test_a_rerun_with_nothing_changed_renders_nothing(
    tmp_path: Path, parent_renders: list[str]
) -> None:
    submissions, results = _class(tmp_path / "class", carol=("CURVE",)), tmp_path / "out"
    _grade(submissions, results)

    def files() -> dict[Path, tuple[int, int]]:
        # Not the lock, nor the memory of content hashes: files just written are too recent
        # for it to vouch for, so a rerun may remember more of them.
        return {
            path: (path.stat().st_ino, path.stat().st_mtime_ns)
            for path in results.rglob("*")
            if path.is_file() and path.name not in (".nngrade-batch.lock", HASHES_FILE)
        }

    before = files()
    assert {path.name for path in before} >= {"feedback.html", "results.json", "summary.json"}
    report = _grade(submissions, results)
    assert report.graded == () and report.grading.rendered == set()
    assert parent_renders == []
    assert files() == before  # no page, class file or stamp was written again


def test_a_rerun_after_one_change_renders_that_page_and_the_summary(
    tmp_path: Path, parent_renders: list[str]
) -> None:
    submissions, results = _class(tmp_path / "class"), tmp_path / "out"
    _grade(submissions, results)
    pages = {page: page.stat().st_ino for page in results.glob("**/*.html")}
    (submissions / "carol" / "passes.txt").write_text("relu\n")
    report = _grade(submissions, results)
    assert report.graded == ("carol",) and report.grading.rendered == {"carol"}
    assert parent_renders == []  # carol's grading process wrote her page
    changed = {page for page in pages if page.stat().st_ino != pages[page]}
    assert changed == {results / "carol" / "feedback.html", results / "index.html"}
    _assert_pages_match(results, "en")
