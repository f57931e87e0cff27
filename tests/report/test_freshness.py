"""A page is rendered only when its result, its language or the renderer changed."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from grader.cli import main
from grader.report import freshness, render_reports

from .conftest import READABLE, copy_class


def identities(folder: Path) -> dict[Path, tuple[int, int]]:
    """Each page's inode and modification time: an atomic rewrite changes both."""
    return {
        page: (page.stat().st_ino, page.stat().st_mtime_ns)
        for page in sorted(folder.glob("**/*.html"))
    }


@pytest.fixture
def results(tmp_path: Path) -> Path:
    """The sample class, rendered once in English."""
    folder = copy_class(tmp_path / "results")
    first = render_reports(folder, lang="en")
    assert first.rendered == set(READABLE) and first.index_rendered
    return folder


def test_a_second_report_in_the_same_language_writes_nothing(results: Path) -> None:
    before = identities(results)
    again = render_reports(results, lang="en")
    assert again.rendered == set() and not again.index_rendered
    assert sorted(again.feedback) == sorted(READABLE)  # still listed and linked
    assert identities(results) == before


def test_another_language_renders_every_page(results: Path) -> None:
    french = render_reports(results, lang="fr")
    assert french.rendered == set(READABLE) and french.index_rendered
    assert '<html lang="fr">' in (results / "bob" / "feedback.html").read_text(encoding="utf-8")
    assert render_reports(results, lang="fr").rendered == set()


def test_a_changed_result_renders_its_page_and_the_summary_only(results: Path) -> None:
    path = results / "bob" / "result.json"
    document = json.loads(path.read_text(encoding="utf-8"))
    document["score"] = 44
    path.write_text(json.dumps(document), encoding="utf-8")
    before = identities(results)
    again = render_reports(results, lang="en")
    assert again.rendered == {"bob"} and again.index_rendered
    assert "44 / 50" in (results / "bob" / "feedback.html").read_text(encoding="utf-8")
    changed = {page for page, identity in identities(results).items() if before[page] != identity}
    assert changed == {results / "bob" / "feedback.html", results / "index.html"}


def test_a_deleted_or_edited_page_is_rendered_again(results: Path) -> None:
    original = (results / "chloe" / "feedback.html").read_text(encoding="utf-8")
    (results / "alice" / "feedback.html").unlink()
    (results / "chloe" / "feedback.html").write_text(original + "<!-- edited -->")
    again = render_reports(results, lang="en")
    assert again.rendered == {"alice", "chloe"} and not again.index_rendered
    assert (results / "alice" / "feedback.html").is_file()
    assert (results / "chloe" / "feedback.html").read_text(encoding="utf-8") == original


@pytest.mark.parametrize("stamp", ["", '{"fingerprint": ', "[]", '{"page_sha256": "0"}'])
def test_a_stamp_that_is_missing_or_cut_short_means_render(results: Path, stamp: str) -> None:
    freshness.stamp_path(results / "david" / "feedback.html").write_text(stamp)
    freshness.stamp_path(results / "emma" / "feedback.html").unlink()
    assert render_reports(results, lang="en").rendered == {"david", "emma"}


def test_another_renderer_renders_everything(
    results: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(freshness, "renderer_fingerprint", lambda: "another version")
    again = render_reports(results, lang="en")
    assert again.rendered == set(READABLE) and again.index_rendered


def test_the_summary_follows_the_class_files_beside_it(results: Path) -> None:
    (results / "grades.csv").write_text("student,score\n", encoding="utf-8")
    again = render_reports(results, lang="en")
    assert again.index_rendered and again.rendered == set()
    assert 'href="grades.csv"' in (results / "index.html").read_text(encoding="utf-8")
    (results / "bob" / "results.json").write_text('{"score": 43}', encoding="utf-8")
    assert render_reports(results, lang="en").index_rendered


def test_the_command_says_what_it_wrote_and_what_was_current(results: Path) -> None:
    again = CliRunner().invoke(main, ["report", str(results)])
    assert again.exit_code == 0, again.output
    assert "Wrote 0 feedback pages (9 up to date); the class summary" in again.stdout
    assert "is up to date" in again.stdout
    (results / "alice" / "feedback.html").unlink()
    once = CliRunner().invoke(main, ["report", str(results)])
    assert "Wrote 1 feedback page (8 up to date); the class summary" in once.stdout
