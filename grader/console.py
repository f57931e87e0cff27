"""Text for the terminal or a log: one safe line per value, numbers as `lang` writes them.

Student ids (file names), test messages and exception texts reach the terminal, and a
student controls them: an escape sequence in a file name or an exception message would
otherwise move the cursor, rewrite earlier lines or retitle the window, and a bidirectional
override would show other text than the one printed. `printable` keeps such text on one
line of visible characters.
"""

from __future__ import annotations

import math
import unicodedata

from babel.numbers import format_decimal

from grader.i18n import N_

STATUS_WORDS = {
    "graded": N_("graded"),
    "load_failed": N_("failed to load"),
    "internal_error": N_("internal error"),
}
"""A result's status as a person reads it (a message: translate it to show it)."""

LINE_LIMIT = 240
"""Characters kept of one value on one line; the pages and the result hold the rest."""

ELLIPSIS = "…"


def printable(text: str, limit: int | None = LINE_LIMIT) -> str:
    """`text` on one line, every control or format character (escape sequences, bidi
    overrides, zero-width characters) shown as ``?``, white space collapsed, cut at a word
    boundary after `limit` characters with an ellipsis (None: never cut)."""
    shown = []
    for character in text:
        if character in "\t\n\r\f\v":
            shown.append(" ")
        elif unicodedata.category(character).startswith("C"):
            shown.append("?")
        else:
            shown.append(character)
    line = " ".join("".join(shown).split())
    if limit is None or len(line) <= limit:
        return line
    cut = line[:limit]
    space = cut.rfind(" ")
    if space >= limit // 2:  # else one very long word: cut inside it
        cut = cut[:space]
    return cut.rstrip(" ,;:") + ELLIPSIS


def number(value: float, lang: str) -> str:
    """A score or a count of seconds with at most two decimals: 41.5 (en), 41,5 (fr)."""
    if not math.isfinite(value):
        return "?"
    return format_decimal(round(value, 2), format="0.##", locale=lang)


def seconds(value: float, lang: str) -> str:
    """A duration in seconds with one decimal: 3.2 (en), 3,2 (fr)."""
    if not math.isfinite(value):
        return "?"
    return format_decimal(round(value, 1), format="0.0", locale=lang)
