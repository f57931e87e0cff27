"""The student page shows each failure the way a person reads it."""

from __future__ import annotations

import re

from grader.report import render_student_feedback
from grader.report.render import write_student_feedback

from .conftest import copy_class, load_fixture, page, visible_text


def test_full_marks(rendered) -> None:
    """Alice sees her score, every exercise at full marks, and no hint or lecture pointer."""
    html = page(rendered["en"], "alice")
    assert "50 / 50" in html
    assert html.count('class="badge badge-full"') == 24  # overview and heading of 12 exercises
    assert "Read again in the lecture" not in html
    assert 'class="outcome outcome-failed"' not in html


def test_gradient_mismatch_shows_worst_entries_and_diagnosis(rendered) -> None:
    """Bob's 1/m mistake: a table of yours/expected/index, the diagnosis and the lecture."""
    html = page(rendered["en"], "bob")
    assert "43 / 50" in html
    table = html[html.index('class="worst"') :]
    table = table[: table.index("</table>")]
    assert re.search(
        r"<code>\[2, 1\]</code></td><td class=\"num got\">1\.6128</td>"
        r"<td class=\"num\">0\.2016</td>",
        table,
    )
    assert "Your dW is m times too large: the 1/m is missing." in html
    assert "Backward propagation" in html  # the lecture section of factor_m_missing
    assert "without the 1/m the gradient grows" in html
    assert "dW[l] = (1/m) dZ[l]·A[l-1]^T, db[l]" in html  # the catalog hint of `backward`
    assert "linear_backward(dZ (3, 8), cache=(A_prev (4, 8), W (3, 4), b (3, 1)))" in html


def test_activation_curve_is_plotted(rendered) -> None:
    """Chloe's sigmoid_backward mistake comes with an inline SVG plot and saturation pointer."""
    html = page(rendered["en"], "chloe")
    section = html[html.index('id="ex-sigmoid"') : html.index('id="ex-tanh"')]
    assert "<svg" in section and "<path" in section
    assert 'aria-label="sigmoid_backward: yours and expected, over z in [-5, 5]"' in section
    assert "Saturated neurons" in section and "Vanishing gradients" in section
    relu = html[html.index('id="ex-relu"') : html.index('id="ex-leaky_relu"')]
    assert "<svg" in relu and "Dead neurons" in relu
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
    """Emma's timeout says the deadline and what to look for; cut output is flagged."""
    html = page(rendered["en"], "emma")
    assert "Your code did not finish within 5 s: look for an infinite loop" in html
    assert "Not run: the time allowed for your submission ran out" in html
    assert "The output was cut" in html
    french = page(rendered["fr"], "emma")
    assert "Votre code ne s&#39;est pas terminé en 5 s" in french


def test_crash_and_exception_are_explained(rendered) -> None:
    """Farid's crash and exception: plain words, the exception type and the traceback."""
    html = page(rendered["en"], "farid")
    assert "The process running your code stopped during this test" in html
    assert "Your code raised an exception." in html
    assert "<code>ValueError</code>" in html
    assert "line 48, in tanh_backward" in html
    assert "Crashed" in html


def test_load_failure_lists_problems_file_by_file(rendered) -> None:
    """Gaston's submission did not load: the page says so and lists each file's problem."""
    html = page(rendered["en"], "gaston")
    assert "Your submission could not be graded" in html
    assert "Nothing could be graded" in html
    assert "Python cannot read this file: fix the syntax error at the line shown." in html
    assert "<td>12</td>" in html  # the line of the syntax error
    assert "ModuleNotFoundError: No module named &#39;torch&#39;" in html
    assert "<code>model.py</code>: missing" in html
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
    import pytest

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
