"""The rendering's memos (number formatting) never change what is written."""

from __future__ import annotations

from babel.numbers import format_decimal

from grader.report import formatting


def test_points_keep_the_sign_of_zero_whichever_comes_first() -> None:
    # -0.0 == 0.0 with one hash: a memo keyed on the number alone would mix them up.
    formatting._cached_decimal.cache_clear()
    assert formatting.points(0.0, "en") == "0"
    assert formatting.points(-0.0, "en") == "-0"
    assert formatting.points(-0.001, "en") == "-0"  # rounds to -0.0, as babel always wrote
    formatting._cached_decimal.cache_clear()
    assert formatting.points(-0.0, "fr") == "-0"
    assert formatting.points(0.0, "fr") == "0"


def test_points_do_not_confuse_booleans_strings_and_languages() -> None:
    assert formatting.points(1, "en") == "1"
    assert formatting.points(True, "en") == "?"
    assert formatting.points("1", "en") == "?"
    assert formatting.points(1234.5, "en") == "1,234.5"
    assert formatting.points(1234.5, "fr") == format_decimal(1234.5, "#,##0.##", locale="fr")
    assert formatting.points(1234.5, "en") == "1,234.5"


def test_values_are_what_babel_writes() -> None:
    for raw in (0.123456789, -2.5, 12345.678, 0.5, 0.5):
        for lang in ("en", "fr"):
            expected = format_decimal(raw, format="@#####", locale=lang)
            assert formatting.value(raw, lang) == expected
