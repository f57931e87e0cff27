"""The class summary: distribution, pass rates, frequent mistakes, who needs attention."""

from __future__ import annotations

import copy
import shutil
from pathlib import Path

import pytest

from grader.errors import UsageError
from grader.report import render_class_summary, render_reports

from .conftest import CLASS, FIXTURES, READABLE, copy_class, load_fixture, page


def test_every_page_is_produced(rendered) -> None:
    """A feedback page per readable result and the summary, in both languages."""
    for lang in ("en", "fr"):
        folder = rendered[lang]
        assert (folder / "index.html").is_file()
        for student in READABLE:
            assert (folder / student / "feedback.html").is_file()
        assert not (folder / "zoe" / "feedback.html").exists()
        assert not (folder / "yann" / "feedback.html").exists()
        assert not list(folder.rglob("*.tmp")), "no temporary file is left behind"


def test_corrupt_and_missing_results_are_listed(rendered) -> None:
    """zoe's corrupt document and yann's missing one are in the summary, with the reason."""
    html = page(rendered["en"])
    attention = html[html.index('id="attention-heading"') :]
    attention = attention[: attention.index("</section>")]
    assert "zoe/result.json is not valid JSON" in attention
    assert "result unreadable" in attention
    assert "yann/result.json does not exist." in attention and "no result" in attention
    assert "failed to load" in attention  # gaston
    assert "<strong>emma</strong>: graded, Timed out × 1" in attention
    assert "<strong>farid</strong>: graded, Crashed × 2, Error × 1" in attention
    assert "<strong>alice</strong>" not in attention


def test_summary_statistics_and_histogram(rendered) -> None:
    """Counts, mean and median, and an inline SVG histogram."""
    html = page(rendered["en"])
    assert "<dt>Students</dt><dd>11</dd>" in html
    assert "<dt>Graded</dt><dd>9</dd>" in html
    dist = html[html.index('id="dist-heading"') :]
    assert "<svg" in dist[: dist.index("</section>")]


def test_pass_rates_per_exercise_and_test(rendered) -> None:
    """Pass rates count every graded student's tests."""
    html = page(rendered["en"])
    assert "Pass rate per exercise" in html and "Pass rate per test" in html
    # test_model::test_train_values: 8 students ran it (gaston's load failure lists no test
    # for training) and all but emma (timeout) passed.
    at = html.index("test_model::test_train_values")
    row = html[html.rindex("<tr>", 0, at) : html.index("</tr>", at)]
    assert "7 / 8" in row and "88%" in row


def test_frequent_mistakes_grouped_by_diagnosis_and_outcome(rendered) -> None:
    """bob's factor_m_missing, chloe's from_Z_not_activation, and outcomes without diagnosis."""
    html = page(rendered["en"])
    section = html[html.index('id="mistakes-heading"') :]
    section = section[: section.index("</section>")]
    assert "<code>factor_m_missing</code> linear_backward: the 1/m factor is missing" in section
    assert "<code>from_Z_not_activation</code>" in section
    assert "Time limit exceeded" in section and "The process stopped" in section


def test_one_mistake_made_by_two_students_is_one_row() -> None:
    """The same kind of mistake in the same function counts its students together, even when
    each student's own sentence quotes a different m."""
    bob = load_fixture("bob")
    other = copy.deepcopy(bob)
    other["student"] = "bob_again"
    for exercise in other["exercises"]:
        for test in exercise["tests"]:
            diagnosis = (test.get("evidence") or {}).get("diagnosis")
            if diagnosis and diagnosis["code"] == "factor_m_missing":
                diagnosis["en"] = diagnosis["en"].replace("m times", "m = 9 times")
    html = render_class_summary([bob, other], lang="fr")
    section = html[html.index('id="mistakes-heading"') :]
    row = section[section.index("<code>factor_m_missing</code>") :]
    row = row[: row.index("</tr>")]
    assert "le facteur 1/m manque" in row and "bob, bob_again" in row
    assert section.count("<code>factor_m_missing</code> linear_backward") == 1


def test_links_to_feedback_and_present_gradebook_files_only(rendered) -> None:
    """Links go to each feedback page, the gradebook files present, and Gradescope documents."""
    html = page(rendered["en"])
    for student in READABLE:
        assert f'href="{student}/feedback.html"' in html
    assert 'href="grades.csv"' in html and 'href="canvas.csv"' in html
    assert 'href="moodle.csv"' not in html and 'href="summary.json"' not in html
    assert 'href="bob/results.json"' in html
    assert 'href="alice/results.json"' not in html


def test_rendering_is_deterministic(tmp_path: Path) -> None:
    """Two renders of the same results are byte-identical, wherever the folder lives."""
    first = copy_class(tmp_path / "one")
    second = copy_class(tmp_path / "two")
    render_reports(first, lang="fr")
    render_reports(second, lang="fr")
    render_reports(second, lang="fr")
    for path in [first / "index.html", *first.glob("*/feedback.html")]:
        twin = second / path.relative_to(first)
        assert path.read_bytes() == twin.read_bytes(), path


def test_no_result_documents_is_a_clear_error(tmp_path: Path) -> None:
    """A folder without any result.json is refused with what to do."""
    (tmp_path / "alice").mkdir()
    with pytest.raises(UsageError, match="holds no result documents"):
        render_reports(tmp_path)


def test_unknown_schema_is_listed_not_fatal(tmp_path: Path) -> None:
    """A document of an unknown major version is listed with the reason; others render."""
    folder = tmp_path / "results"
    shutil.copytree(CLASS / "alice", folder / "alice")
    shutil.copytree(FIXTURES / "schema2", folder / "newer")
    paths = render_reports(folder)
    assert set(paths.feedback) == {"alice"}
    assert "newer/result.json uses schema 'nngrade.result/2'" in paths.problems["newer"]
    assert "newer/result.json uses schema" in page(folder)


def test_render_class_summary_accepts_plain_documents() -> None:
    """The library function takes result documents directly too."""
    html = render_class_summary([load_fixture("alice"), load_fixture("bob")], lang="en")
    assert "<dt>Students</dt><dd>2</dd>" in html
    assert "alice" in html and "bob" in html
