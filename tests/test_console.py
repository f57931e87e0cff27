"""Text shown on the instructor's terminal: a student's text never drives it."""

from __future__ import annotations

from grader.console import ELLIPSIS, number, printable, seconds


def test_escape_sequences_bidi_overrides_and_line_breaks_are_neutralised() -> None:
    """An ANSI sequence (clear the screen), a right-to-left override and a newline that
    would forge a line of the summary are shown as visible, inert characters."""
    shown = printable("alice\x1b[2J\u202eevil\nalice: graded, 55/55")
    assert shown == "alice?[2J?evil alice: graded, 55/55"
    assert all(character.isprintable() for character in shown)


def test_a_long_text_is_cut_at_a_word_with_an_ellipsis() -> None:
    text = " ".join(["gradient"] * 100)
    shown = printable(text, limit=50)
    assert len(shown) <= 51 and shown.endswith(f"gradient{ELLIPSIS}")
    assert printable("x" * 80, limit=50) == "x" * 50 + ELLIPSIS
    assert printable(text, limit=None) == text


def test_numbers_are_written_as_each_language_writes_them() -> None:
    assert (number(41.5, "en"), number(41.5, "fr"), number(55.0, "en")) == ("41.5", "41,5", "55")
    assert number(1889.544, "fr") == "1889,54"
    assert (seconds(3.24, "en"), seconds(3.24, "fr"), seconds(0.04, "en")) == ("3.2", "3,2", "0.0")
