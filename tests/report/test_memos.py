"""The rendering's memos (number formatting, curve plots) never change what is written."""

from __future__ import annotations

from babel.numbers import format_decimal

from grader.report import formatting, plots

LABELS = {"yours": "yours", "expected": "expected", "z": "z", "title": "sigmoid"}
CURVE = {"z": [-1.0, 0.0, 1.0], "got": [0.1, 0.5, 0.9], "expected": [0.27, 0.5, 0.73]}


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


def test_a_memoised_curve_is_the_curve_drawn_afresh() -> None:
    plots._CURVE_MEMO.clear()
    first = plots.curve_plot(CURVE, key="sigmoid/0", labels=LABELS)
    again = plots.curve_plot(dict(CURVE), key="sigmoid/0", labels=dict(LABELS))
    fresh = plots._draw_curve(CURVE, key="sigmoid/0", labels=LABELS)
    assert first is not None and first is again
    assert str(first) == str(fresh)


def test_the_curve_memo_tells_keys_labels_and_values_apart() -> None:
    plots._CURVE_MEMO.clear()
    base = plots.curve_plot(CURVE, key="sigmoid/0", labels=LABELS)
    other_key = plots.curve_plot(CURVE, key="sigmoid/1", labels=LABELS)
    other_label = plots.curve_plot(CURVE, key="sigmoid/0", labels={**LABELS, "title": "tanh"})
    other_values = plots.curve_plot(
        {**CURVE, "got": [0.1, 0.6, 0.9]}, key="sigmoid/0", labels=LABELS
    )
    assert len({str(base), str(other_key), str(other_label), str(other_values)}) == 4
    assert plots.curve_plot({"z": [], "got": [], "expected": []}, key="k", labels=LABELS) is None


def test_a_curve_that_is_not_json_is_drawn_without_the_memo() -> None:
    plots._CURVE_MEMO.clear()
    curve = {"z": (-1.0, 1.0), "got": (0.0, 1.0), "expected": (0.0, 1.0), "note": object()}
    assert plots.curve_plot(curve, key="k", labels=LABELS) is not None
    assert plots._CURVE_MEMO == {}
