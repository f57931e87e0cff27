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
from grader.batch.worker import Finished
from grader.report import load_result, render_reports, render_student_feedback
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
    # bob's page is rendered by the parent as soon as his process reports it failed; dave's
    # process died without a word, so the report's end renders his.
    assert report.grading.rendered == set(STUDENTS) - {"dave"}
    assert sorted(parent_renders) == ["bob", "dave"]
    _assert_pages_match(results, "en")
    assert not [p for p in results.rglob("*") if "nngrade-tmp" in p.name]


def test_a_page_with_a_plot_is_left_to_the_parent(
    tmp_path: Path, parent_renders: list[str]
) -> None:
    """Loading matplotlib costs a grading process more than a few pages: the parent, which
    loads it for the summary's histogram anyway, renders the pages that show a curve, each
    once, as soon as their grading process reports it left them."""
    submissions = _class(tmp_path / "class", carol=("CURVE",), erin=("CURVE",))
    results = tmp_path / "out"
    report = _grade(submissions, results, lang="en")
    assert report.grading.rendered == set(STUDENTS)
    assert sorted(parent_renders) == ["carol", "erin"]
    _assert_pages_match(results, "en")
    assert "<svg" in (results / "carol" / "feedback.html").read_text(encoding="utf-8")
    assert "<svg" not in (results / "alice" / "feedback.html").read_text(encoding="utf-8")


def test_a_page_left_by_a_grading_process_is_rendered_while_the_others_are_graded(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The parent renders a page with a plot as soon as its grading process reports it left
    it, not after the whole class: the end of the batch has that much less to do."""
    timeline: list[str] = []
    original = render.render_student_feedback

    def recording(result: Result, *, lang: str = "en") -> str:
        timeline.append(f"page {result.student}")
        return original(result, lang=lang)

    class Recorder:
        def start(self, total: int, kept: int, regrading: object) -> None:
            pass

        def update(self, event: object) -> None:
            if isinstance(event, Finished):
                timeline.append(f"finished {event.student}")

        def finish(self) -> None:
            pass

    monkeypatch.setattr(render, "render_student_feedback", recording)
    submissions = tmp_path / "class"
    folder_submission(submissions, "a_curve", "CURVE")
    for student in ("b_slow", "c_slow", "d_slow"):
        folder_submission(submissions, student, "SLEEP 0.6")
    report = _grade(submissions, tmp_path / "out", progress=Recorder())
    assert report.grading.rendered == {"a_curve", "b_slow", "c_slow", "d_slow"}
    assert timeline.count("page a_curve") == 1
    assert timeline.index("page a_curve") < timeline.index("finished d_slow"), timeline
    document = load_result(tmp_path / "out" / "a_curve" / "result.json")
    page = (tmp_path / "out" / "a_curve" / "feedback.html").read_text(encoding="utf-8")
    assert page == original(document, lang="en") and "<svg" in page


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


def test_render_reports_renders_a_page_said_rendered_that_is_missing(tmp_path: Path) -> None:
    results = tmp_path / "out"
    _grade(_class(tmp_path / "class"), results, render=False)
    paths = render_reports(results, lang="en", rendered={"alice"})
    assert sorted(paths.feedback) == sorted(STUDENTS)
    document = load_result(results / "alice" / "result.json")
    assert paths.feedback["alice"].read_text(encoding="utf-8") == render_student_feedback(
        document, lang="en"
    )
