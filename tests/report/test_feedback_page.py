"""The student page shows each failure the way a person reads it."""

from __future__ import annotations

import itertools
import re
from html.parser import HTMLParser

import pytest

from grader.report import render_student_feedback
from grader.report.render import write_student_feedback

from .conftest import READABLE, copy_class, load_fixture, page, visible_text


def section(html: str, anchor: str) -> str:
    """The block of the page whose id is `anchor`, up to its closing tag."""
    start = html.index(f'id="{anchor}"')
    start = html.rindex("<section", 0, start)
    depth, at = 0, start
    while True:
        opening, closing = html.find("<section", at + 1), html.find("</section>", at + 1)
        if opening != -1 and opening < closing:
            depth, at = depth + 1, opening
        elif depth:
            depth, at = depth - 1, closing
        else:
            return html[start : closing + len("</section>")]


def test_full_marks(rendered) -> None:
    """Alice sees her score, that every test passes, each exercise at full marks with its
    tests folded away, and no hint, lecture pointer or failure."""
    html = page(rendered["en"], "alice")
    assert "50 / 50" in html
    assert "Every test passes" in html and "Fix this first" not in html
    assert html.count('class="badge badge-full"') == 12  # one per exercise
    assert "Read again in the lecture" not in html
    assert 'class="outcome outcome-failed"' not in html


def test_passed_tests_are_folded_by_exercise(rendered) -> None:
    """Each exercise lists its passed tests inside one closed <details>, counted in its
    summary; no passed test has a line of its own."""
    html = page(rendered["en"], "bob")
    folded = re.findall(
        r'<details class="passed">\s*<summary>(\d+) passed</summary>(.*?)</details>', html, re.S
    )
    exercises = load_fixture("bob")["exercises"]
    passed = [sum(t["outcome"] == "passed" for t in e["tests"]) for e in exercises]
    assert [int(count) for count, _ in folded] == [n for n in passed if n]
    for count, listing in folded:
        assert listing.count("<li") == int(count)
    assert "outcome-passed" not in html  # no line of its own for a passed test


def test_fix_first_names_the_root_with_its_diagnosis_plot_and_lecture(rendered) -> None:
    """Bob's missing 1/m in linear_backward also breaks model_backward: the page opens on
    linear_backward, says what is wrong once, plots it, and says what to read."""
    html = page(rendered["en"], "bob")
    first = section(html, "cause-1")
    heading = first[: first.index("</h2>")]
    assert "Fix this first:" in heading and "<code>linear_backward</code>" in heading
    assert html.count("Your dW is m times too large: the 1/m is missing.") == 1
    assert "Your dW1 is m times" not in html  # the same mistake in a caller: said once
    assert (
        "These fail too, because they call it:" in first and "<code>model_backward</code>" in first
    )
    assert "<svg" in first  # the worst entries against the expected ones
    assert 'aria-label="linear_backward: your entries that differ most' in first
    assert "Backward propagation" in first  # the lecture section of factor_m_missing
    assert "without the 1/m the gradient grows" in first
    assert "dW[l] = (1/m) dZ[l]·A[l-1]^T, db[l]" in first  # the catalog hint of `backward`
    # The evidence of the test that shows it best, in full.
    table = first[first.index('class="worst"') :]
    table = table[: table.index("</table>")]
    assert re.search(
        r"<code>\[2, 1\]</code></td><td class=\"num got\">1\.6128</td>"
        r"<td class=\"num\">0\.2016</td>",
        table,
    )
    assert "linear_backward(dZ (3, 8), cache=(A_prev (4, 8), W (3, 4), b (3, 1)))" in first
    # Both failed tests under the one cause, and no other cause.
    assert first.count('class="test test-failed"') == 2
    assert 'id="cause-2"' not in html


def test_the_first_screen_comes_before_the_rest(rendered) -> None:
    """Read from the top: the score, then what to fix first with its diagnosis, plot and
    lecture, and only then the facts, the failed tests and the exercises."""
    html = page(rendered["en"], "bob")
    order = [
        html.index('class="score-value"'),
        html.index("Fix this first:"),
        html.index('class="diagnosis"'),
        html.index("<svg"),
        html.index("Read again in the lecture"),
        html.index('class="worst"'),
        html.index('class="tests-heading"'),
        html.index('id="exercises-heading"'),
    ]
    assert order == sorted(order)


def test_causes_after_the_first_are_listed_and_linked(rendered) -> None:
    """Chloe has two independent mistakes: sigmoid_backward first (earlier in the course),
    then relu, each with its own curve; the first block links to the next."""
    html = page(rendered["en"], "chloe")
    first, then = section(html, "cause-1"), section(html, "then-heading")
    assert "<code>sigmoid_backward</code>" in first[: first.index("</h2>")]
    assert 'aria-label="sigmoid_backward: yours and expected, over z in [-5, 5]"' in first
    assert "Saturated neurons" in first and "Vanishing gradients" in first
    assert '<a href="#cause-2"><code>relu</code></a>' in first
    relu = section(html, "cause-2")
    assert "<svg" in relu and "Dead neurons" in relu
    assert relu in then
    ids = re.findall(r'\bid="([^"]+)"', html)
    assert len(ids) == len(set(ids)), "two plots on one page must not share element ids"


def test_one_page_written_alone_is_the_page_of_the_whole_report(rendered, tmp_path) -> None:
    """`write_student_feedback` (a grading process's way) writes the page `render_reports`
    writes, plots included, and nothing for a result that cannot be read."""
    folder = copy_class(tmp_path / "class")
    for student in ("alice", "chloe"):  # chloe's page holds plots
        written = write_student_feedback(folder / student, lang="en")
        assert written == folder / student / "feedback.html"
        assert written.read_text(encoding="utf-8") == page(rendered["en"], student)
    assert write_student_feedback(folder / "zoe", lang="en") is None  # not valid JSON
    assert not (folder / "zoe" / "feedback.html").exists()


def test_shape_and_dtype_are_shown_expected_against_yours(rendered) -> None:
    """David sees (3, 1) expected against his (3,), and int64 against float64."""
    html = page(rendered["en"], "david")
    assert "<td><code>(3, 1)</code></td><td><code>(3,)</code></td>" in html
    assert "<td><code>int64</code></td><td><code>float64</code></td>" in html
    assert "keepdims=True so that it broadcasts" in html


def test_timeout_is_explained_in_plain_words(rendered) -> None:
    """Emma's timeout says the deadline and what to look for; the test that did not run
    comes after it; cut output is flagged."""
    html = page(rendered["en"], "emma")
    first = section(html, "cause-1")
    assert "Your code did not finish within 5 s: look for an infinite loop" in first
    not_run = section(html, "cause-2")
    assert "Tests that did not run" in not_run
    assert "Not run: the time allowed for your submission ran out" in not_run
    assert "The output was cut" in html
    french = page(rendered["fr"], "emma")
    assert "Votre code ne s&#39;est pas terminé en 5 s" in french


def test_crash_and_exception_are_explained(rendered) -> None:
    """Farid's crash and exception: plain words, the exception type and the traceback;
    softmax_backward, crashing through softmax, is filed under softmax."""
    html = page(rendered["en"], "farid")
    softmax = section(html, "cause-2")
    assert "<code>softmax</code>" in softmax and "<code>softmax_backward</code>" in softmax
    assert "The process running your code stopped during this test" in html
    assert "Your code raised an exception." in html
    assert "<code>ValueError</code>" in html
    assert "line 48, in tanh_backward" in html
    assert "Crashed" in html


def test_load_failure_lists_problems_file_by_file(rendered) -> None:
    """Gaston's submission did not load: the page says so, and each file that could not be
    loaded is a cause of its own, with its problem and line, in the course's order."""
    html = page(rendered["en"], "gaston")
    assert "Your submission could not be graded" in html
    assert "Nothing could be graded" in html
    first = section(html, "cause-1")
    assert "Fix this first:" in first and "<code>activations.py</code>" in first
    assert "Python cannot read this file: fix the syntax error at the line shown." in first
    assert "line 12" in first and "invalid syntax: def sigmoid(Z)" in first
    assert "The file is not UTF-8 text" in section(html, "cause-2")
    assert "ModuleNotFoundError: No module named &#39;torch&#39;" in section(html, "cause-3")
    assert "<code>model.py</code>: missing" in html  # no test of it in this document
    assert "0 / 50" in html


def test_french_document_in_french(rendered) -> None:
    """Léa's page in French: French words, French numbers, French messages and diagnoses."""
    html = page(rendered["fr"], "lea")
    assert '<html lang="fr">' in html
    assert "Retour pour léa" in html
    assert "Stabilité de softmax" in html
    assert "Softmax est calculée sans soustraire le max" in html
    assert "0,0134" in html  # a decimal comma
    assert "Neurones morts" in html


def test_messages_follow_the_page_language_not_the_document() -> None:
    """An English document rendered in French shows `messages.fr`; English shows `messages.en`."""
    bob = load_fixture("bob")
    assert "il manque le 1/m" in render_student_feedback(bob, lang="fr")
    lea = load_fixture("lea")
    assert "the slope alpha is missing" in render_student_feedback(lea, lang="en")


def test_captured_output_is_capped() -> None:
    """A huge stdout is shown only up to the display cap, and flagged as cut."""
    result = load_fixture("alice")
    result["output"] = {"stdout": "x" * 20_000, "stderr": "", "truncated": False}
    text = visible_text(render_student_feedback(result, lang="en"))
    assert "The output was cut" in text
    html = render_student_feedback(result, lang="en")
    assert "x" * 4000 in html and "x" * 4001 not in html


def test_unknown_lang_is_refused() -> None:
    """Asking for a language we have no catalog for lists the valid ones."""
    from grader.errors import UsageError

    with pytest.raises(UsageError, match="en, fr"):
        render_student_feedback(load_fixture("alice"), lang="de")


def test_entries_that_are_not_finite_show_no_expected_value() -> None:
    """A NaN where any finite number was expected: the page shows the NaN, and no "None"."""
    document = load_fixture("alice")
    test = document["exercises"][0]["tests"][0]
    test["outcome"], test["points"] = "failed", 0
    test["evidence"] = {
        "kind": "not_finite",
        "function": "sigmoid",
        "worst": [{"index": [3, 0], "got": "nan"}, {"index": [3, 1], "got": "-inf"}],
    }
    html = render_student_feedback(document, lang="en")
    row = '<tr><td><code>[3, 0]</code></td><td class="num got">nan</td><td class="num"></td></tr>'
    assert row in html and "-inf" in html and "None" not in html


class Outline(HTMLParser):
    """The headings of a page in order, the ids on it, and what its sections are named by."""

    def __init__(self) -> None:
        super().__init__()
        self.levels: list[int] = []
        self.ids: set[str] = set()
        self.labelled_by: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = dict(attrs)
        if re.fullmatch(r"h[1-6]", tag):
            self.levels.append(int(tag[1]))
        if found.get("id"):
            self.ids.add(found["id"] or "")
        if tag == "section":
            self.labelled_by.append(found.get("aria-labelledby") or "")


@pytest.mark.parametrize("lang", ["en", "fr"])
@pytest.mark.parametrize("student", READABLE)
def test_headings_never_skip_a_level_and_sections_are_named(
    rendered, lang: str, student: str
) -> None:
    """One h1, then headings that go down one level at a time (screen readers navigate by
    them); every section is named by a heading of the page."""
    outline = Outline()
    outline.feed(page(rendered[lang], student))
    assert outline.levels[0] == 1 and outline.levels.count(1) == 1
    for before, after in itertools.pairwise(outline.levels):
        assert after <= before + 1, outline.levels
    assert outline.labelled_by and all(name in outline.ids for name in outline.labelled_by)


def failing(document: dict, name: str, evidence: dict | None, outcome: str = "failed") -> None:
    """Make the test `name` of `document` fail with `evidence`."""
    for exercise in document["exercises"]:
        for test in exercise["tests"]:
            if test["id"].endswith(f"::{name}"):
                test.update(outcome=outcome, points=0, evidence=evidence)
                test["message"] = test["messages"]["en"] = f"`{name}` did not pass."


def test_stubs_are_one_block_that_names_them_all() -> None:
    """Two functions left as stubs: one block, headed by the first, naming the other; the
    tests it explains folded away, all saying the same thing."""
    document = load_fixture("alice")
    failing(document, "test_relu_values", {"kind": "not_implemented", "function": "relu"})
    failing(document, "test_predict_values", {"kind": "not_implemented", "function": "predict"})
    html = render_student_feedback(document, lang="en")
    first = section(html, "cause-1")
    assert "Fix this first: <code>relu</code>" in first
    assert "1 more function is still a stub: <code>predict</code>" in first
    assert re.search(r'<details class="all-tests">\s*<summary>2 failed tests</summary>', first)
    assert 'id="cause-2"' not in html
    french = render_student_feedback(document, lang="fr")
    assert "1 autre fonction est encore un squelette" in french


def test_a_failure_of_the_grader_is_not_put_on_the_student() -> None:
    """A test the grader itself could not run: no "fix this first", and the page says it is
    not the student's fault."""
    document = load_fixture("alice")
    failing(document, "test_tanh_values", {"kind": "internal_error"}, outcome="error")
    html = render_student_feedback(document, lang="en")
    first = section(html, "cause-1")
    assert "Fix this first" not in html
    assert "Tests the grader could not run" in first
    assert "This is not your fault" in first
    assert "Your code raised an exception" not in html
