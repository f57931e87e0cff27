"""The class summary: distribution, pass rates, frequent mistakes, who needs attention."""

from __future__ import annotations

import copy
import re
import shutil
from pathlib import Path
from typing import Any

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
    assert "activations.py, line 12: syntax error" in attention
    assert '<strong>emma</strong> (46 / 50): <span class="reason">Timed out × 1 (train)</span>' in (
        attention
    )
    assert (
        '<strong>farid</strong> (44 / 50): <span class="reason">Crashed × 2 (softmax, '
        "softmax_backward)</span>"
    ) in attention
    assert "<strong>alice</strong>" not in attention


def attention_of(html: str) -> dict[str, str]:
    """Each student listed under "Needs attention" and the reasons given."""
    section = html[html.index('id="attention-heading"') :]
    section = section[: section.index("</section>")]
    rows = re.findall(r"<li><strong>(.*?)</strong>(.*?)</li>", section, re.S)
    return {name: re.sub(r"<[^>]+>", "", reasons) for name, reasons in rows}


def outcome_rows(html: str) -> list[tuple[str, str, str]]:
    """The "By outcome" table: (what happened, function or file, who)."""
    section = html[html.index('id="by-outcome-heading"') :]
    section = section[: section.index("</table>")]
    row = r'<tr><td class="num">\d+</td><td>(.*?)</td><td><code>(.*?)</code></td><td>(.*?)</td>'
    return [(what, where, who) for what, where, who in re.findall(row, section)]


def variant(student: str, name: str, **changes: Any) -> dict[str, Any]:
    document = copy.deepcopy(load_fixture(student))
    document["student"] = name
    document.update(changes)
    return document


def test_needs_attention_lists_every_submission_to_look_at_with_its_reason() -> None:
    """A score of 0, a module with a syntax error, a line that raised at import (the rest
    graded in full), a crash at import, a failure of the grader: each is listed with why;
    a plain mistake is not."""
    zero = variant("alice", "zero", score=0)
    for exercise in zero["exercises"]:
        exercise["score"] = 0
    syntax = variant("alice", "syntax")
    syntax["submission"]["modules"]["model"] = "syntax_error"
    syntax["submission"]["problems"] = [problem("syntax_error", "model.py", 11)]
    raised = variant("alice", "raised")
    raised["submission"]["problems"] = [problem("import_error", "exercises/model.py", 11)]
    crashed = variant("alice", "crashed")
    crashed["submission"]["modules"]["model"] = "import_crashed"
    internal = variant("alice", "internal")
    test = internal["exercises"][0]["tests"][0]
    test.update(outcome="error", points=0, evidence={"kind": "internal_error"})
    html = render_class_summary(
        [zero, syntax, raised, crashed, internal, load_fixture("bob")], lang="en"
    )
    assert attention_of(html) == {
        "zero": " (0 / 50): a score of 0",
        "syntax": " (50 / 50): model.py, line 11: syntax error",
        "raised": " (50 / 50): exercises/model.py, line 11: error on import",
        "crashed": " (50 / 50): model.py: crashed on import",
        "internal": " (50 / 50): Grader error × 1",
    }


def problem(code: str, path: str, line: int | None) -> dict[str, Any]:
    return {"code": code, "path": path, "line": line, "message": code, "messages": {}}


def test_by_outcome_names_a_file_that_did_not_load_for_what_happened() -> None:
    """Tests of a module with a syntax error are filed under "Syntax error" and the file,
    those of a missing file under "File missing": never under "Function missing"."""
    evidence = {"kind": "missing_function", "function": "train", "module": "model"}
    documents = []
    for name, status in (("kim", "syntax_error"), ("olga", "missing"), ("mia", "import_crashed")):
        document = variant("alice", name)
        document["submission"]["modules"]["model"] = status
        for test in document["exercises"][-1]["tests"]:
            test.update(outcome="failed", points=0, evidence={**evidence, "module_status": status})
        documents.append(document)
    rows = outcome_rows(render_class_summary(documents, lang="en"))
    assert sorted(rows) == [
        ("Crash on import", "model.py", "mia"),
        ("File missing", "model.py", "olga"),
        ("Syntax error", "model.py", "kim"),
    ]
    french = outcome_rows(render_class_summary(documents, lang="fr"))
    assert ("Erreur de syntaxe", "model.py", "kim") in french


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
    assert paths.feedback["alice"] == folder / "alice" / "feedback.html"
    assert paths.feedback["alice"].is_file() and "newer" not in paths.feedback
    assert "newer/result.json uses schema 'nngrade.result/2'" in paths.problems["newer"]
    assert "newer/result.json uses schema" in page(folder)


def test_render_class_summary_accepts_plain_documents() -> None:
    """The library function takes result documents directly too."""
    html = render_class_summary([load_fixture("alice"), load_fixture("bob")], lang="en")
    assert "<dt>Students</dt><dd>2</dd>" in html
    assert "alice" in html and "bob" in html
