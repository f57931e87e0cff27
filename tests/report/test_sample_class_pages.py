"""The pages of the bundled sample class (examples/class/), graded by the real grader.

Slow: the class is graded once for the session (a few seconds).
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from .conftest import page

pytestmark = pytest.mark.slow


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
