"""The self-check's verdicts as HTML, shown by the notebook's check cells.

The same verdict as the text report (``selfcheck.py``), laid out for a notebook: the
status and the function first, then, for a failure, the known mistake it looks like (the
most useful line, so it comes first and stands out), the problem, the call and the case,
what was expected and what came back, the worst entries, the plot (``plots.py``) and the
hint. Every text is escaped: the student's own strings (an exception's message, a value
they returned) reach the page only as text. Inline styles only, which every notebook
front end keeps.
"""

from __future__ import annotations

from collections.abc import Sequence
from html import escape

from .i18n import N_, translator
from .plots import plot_svg
from .selfcheck import hint_of, lowered, summary_lines, waiting_sentence
from .verdicts import FAILED, NOT_STARTED, PASSED, STATUS_WORDS, WAITING, Outcome

COLOURS = {PASSED: "#1b6e3a", FAILED: "#b3261e", NOT_STARTED: "#5f6368", WAITING: "#8a5a00"}
MARKS = {PASSED: "\u2713", FAILED: "\u2717", NOT_STARTED: "\u25cb", WAITING: "\u25d0"}
_SLOT = "\ue000"  # a private-use character: where the value goes in a translated label


def _labelled(message: str, value: str, lang: str, *, code: bool = False) -> str:
    """The label `message` ("call: %(value)s") translated, `value` escaped in its place."""
    before, _, after = translator(lang)(message, value=_SLOT).partition(_SLOT)
    inner = f"<code>{escape(value)}</code>" if code else escape(value)
    return f"{escape(before)}{inner}{escape(after)}"


def _paragraph(content: str, style: str = "") -> str:
    return f'<p style="margin:0.25em 0;{style}">{content}</p>'


def outcome_html(outcome: Outcome, lang: str, hints: dict[str, dict[str, str]]) -> str:
    """One function's verdict as an HTML block."""
    _ = translator(lang)
    colour = COLOURS[outcome.status]
    head = (
        f'<div style="font-weight:bold"><span style="color:{colour}">'
        f"{MARKS[outcome.status]} {escape(_(STATUS_WORDS[outcome.status]))}</span> "
        f"<code>{escape(outcome.function)}</code></div>"
    )
    parts = [head]
    if outcome.status == NOT_STARTED:
        parts.append(_paragraph(escape(outcome.message)))
    elif outcome.status == WAITING:
        parts.append(_paragraph(escape(waiting_sentence(outcome, lang))))
    elif outcome.status == FAILED:
        parts.extend(_failure_html(outcome, lang, hints))
    return (
        f'<div class="selfcheck-verdict" style="border-left:4px solid {colour};'
        f'padding:0.3em 0.8em;margin:0.4em 0">{"".join(parts)}</div>'
    )


def _failure_html(outcome: Outcome, lang: str, hints: dict[str, dict[str, str]]) -> list[str]:
    _ = translator(lang)
    failure = outcome.failure
    if failure is None:
        return [_paragraph(_labelled(N_("problem: %(value)s"), outcome.message, lang))]
    parts = []
    if failure.diagnosis:
        parts.append(
            _paragraph(
                escape(_("looks like: %(diagnosis)s", diagnosis=lowered(failure))),
                "background:#fff4e5;padding:0.3em 0.5em;font-weight:bold",
            )
        )
    parts.append(_paragraph(_labelled(N_("problem: %(value)s"), failure.problem, lang)))
    for label, value, code in (
        (N_("call: %(value)s"), failure.call, True),
        (N_("case: %(value)s"), failure.case, False),
        (N_("expected: %(value)s"), failure.expected, False),
        (N_("got: %(value)s"), failure.got, False),
    ):
        if value:
            parts.append(_paragraph(_labelled(label, value, lang, code=code)))
    if failure.worst:
        entries = "".join(f"<li><code>{escape(entry)}</code></li>" for entry in failure.worst)
        parts.append(_paragraph(escape(_("worst entries:"))))
        parts.append(f'<ul style="margin:0.1em 0 0.3em 0">{entries}</ul>')
    svg = plot_svg(failure.plot, lang)
    if svg is not None:
        parts.append(f'<div style="margin:0.4em 0">{svg}</div>')
    hint = hint_of(outcome, lang, hints)
    if hint:
        parts.append(_paragraph(escape(_("hint: %(hint)s", hint=hint)), "font-style:italic"))
    return parts


def report_html(
    outcomes: Sequence[Outcome],
    lang: str,
    hints: dict[str, dict[str, str]],
    *,
    total: int | None = None,
    note: str = "",
) -> str:
    """Several verdicts; with `total`, the summary lines of the whole self-check after
    them; `note` (already translated) closes the block, e.g. after an interruption."""
    blocks = [outcome_html(outcome, lang, hints) for outcome in outcomes]
    if total is not None:
        blocks.extend(_paragraph(escape(line)) for line in summary_lines(outcomes, total, lang))
    if note:
        blocks.append(_paragraph(escape(note), "font-weight:bold"))
    return f'<div class="selfcheck">{"".join(blocks)}</div>'
