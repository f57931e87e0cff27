"""The pages of the bundled sample class (examples/class/), graded by the real grader.

Slow: the class is graded once for the session (a few seconds).
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from .conftest import page

pytestmark = pytest.mark.slow

# What each submission was built with (examples/class-expected.json), as the thing to fix.
FIX_FIRST = {
    "gina_missing_one_over_m": "linear_backward",
    "farid_sigmoid_backward_from_Z": "sigmoid_backward",
    "hugo_db_without_keepdims": "linear_backward",
    "ines_unstable_softmax": "softmax",
    "leo_infinite_loop": "binary_cross_entropy_backward",
    "pia_dead_entries": "dead_relu_fraction",
    "kim_syntax_error": "model.py",
    "mia_exit_at_import": "model.py",
    "olga_missing_module": "model.py",
    "quinn_before_diagnostics": "diagnostics.py",
    "jules_untouched_stubs": "sigmoid",
}
ALL_CORRECT = ("ada_package_imports", "ben_relative_imports", "chloe_plain_imports")


def fix_first(html: str) -> str | None:
    found = re.search(r'<h2 id="cause-1-heading">Fix this first: <code>(.*?)</code></h2>', html)
    return found.group(1) if found else None


@pytest.mark.parametrize("student", sorted(FIX_FIRST))
def test_each_page_opens_on_the_mistake_it_was_built_with(sample_class: Path, student: str) -> None:
    """The one bug of each submission is the one thing to fix, and its page has no other
    cause: the failures of the functions that call it are filed under it."""
    html = page(sample_class, student)
    assert fix_first(html) == FIX_FIRST[student]
    assert 'id="cause-2"' not in html


@pytest.mark.parametrize("student", ALL_CORRECT)
def test_a_correct_submission_has_nothing_to_fix(sample_class: Path, student: str) -> None:
    html = page(sample_class, student)
    assert fix_first(html) is None and "Every test passes" in html


def test_a_missing_one_over_m_costs_once_and_is_said_once(sample_class: Path) -> None:
    """Gina's 1/m fails the 3 tests of linear_backward alone: the functions that call it
    are right when given a correct one, and the page says so under the cause, once."""
    html = page(sample_class, "gina_missing_one_over_m")
    assert html.count("the 1/m factor is missing") == 1
    assert re.search(r"Your dW is m = \d+ times too large: the 1/m factor is missing\.", html)
    assert html.count('class="test test-failed"') == 3
    assert "3 failed tests, 3 pt lost" in html
    assert 'class="downstream"' not in html
    spared = html[html.index('class="spared"') :]
    spared = spared[: spared.index("</p>")]
    assert "Right when given a correct <code>linear_backward</code>" in spared
    assert re.findall(r"<code>(\w+)</code>", spared) == [
        "linear_backward",
        "linear_activation_backward",
        "model_backward",
        "train",
    ]


def test_the_class_page_lists_who_needs_attention_and_why(sample_class: Path) -> None:
    """The 0, the syntax error, the crash at import, the line that raised at import and the
    infinite loop, each with its reason; no submission that only has a plain mistake."""
    html = page(sample_class)
    section = html[html.index('id="attention-heading"') :]
    section = section[: section.index("</section>")]
    rows = dict(re.findall(r"<li><strong>(\w+)</strong>(.*?)</li>", section, re.S))
    reasons = {name: re.sub(r"<[^>]+>", "", text) for name, text in rows.items()}
    assert set(reasons) == {
        "jules_untouched_stubs",
        "kim_syntax_error",
        "mia_exit_at_import",
        "noah_raises_at_import",
        "leo_infinite_loop",
    }
    assert "a score of 0" in reasons["jules_untouched_stubs"]
    assert "model.py, line 11: syntax error" in reasons["kim_syntax_error"]
    assert "model.py: crashed on import" in reasons["mia_exit_at_import"]
    assert "model.py, line 11: error on import" in reasons["noah_raises_at_import"]
    assert "Timed out × 2 (binary_cross_entropy_backward)" in reasons["leo_infinite_loop"]


def test_the_class_page_names_outcomes_for_what_happened(sample_class: Path) -> None:
    """A syntax error, a crash at import and a missing file are not "Function missing"."""
    html = page(sample_class)
    section = html[html.index('id="by-outcome-heading"') :]
    section = section[: section.index("</table>")]
    rows = re.findall(r"<td>([^<]*)</td><td><code>([^<]*)</code></td><td>([^<]*)</td>", section)
    by_student = {who: (what, where) for what, where, who in rows if "," not in who}
    assert by_student["kim_syntax_error"] == ("Syntax error", "model.py")
    assert by_student["mia_exit_at_import"] == ("Crash on import", "model.py")
    assert by_student["olga_missing_module"] == ("File missing", "model.py")
    assert by_student["quinn_before_diagnostics"] == ("File missing", "diagnostics.py")
    assert "Function missing" not in section


def test_the_class_page_keeps_its_figures_first(sample_class: Path) -> None:
    """The counts and the score histogram come before any list."""
    html = page(sample_class)
    order = [
        html.index('class="stats"'),
        html.index('id="dist-heading"'),
        html.index('id="attention-heading"'),
        html.index('id="exercises-heading"'),
        html.index('id="students-heading"'),
    ]
    assert order == sorted(order)
