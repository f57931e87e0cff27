"""The plots: SVG written from the data, with axes a reader can trust."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET

import pytest

from grader.report import plots
from grader.report.axes import data_range, ticks

LABELS = {"yours": "yours", "expected": "expected", "z": "z", "title": "relu: yours and expected"}
Z = [-5 + 0.25 * i for i in range(41)]


def svg_tree(markup: object) -> ET.Element:
    """The plot as XML (it is well-formed: inline SVG written by us)."""
    assert markup is not None
    return ET.fromstring(str(markup))


def path_points(d: str) -> list[tuple[float, float]]:
    return [(float(x), float(y)) for x, y in re.findall(r"[ML](-?[\d.]+) (-?[\d.]+)", d)]


def curve_paths(tree: ET.Element) -> tuple[list[tuple[float, float]], list[tuple[float, float]]]:
    """The points of the expected (solid) and the student's (dashed) curves."""
    paths = [p for p in tree.iter("path") if p.get("stroke-width") != "4.5"]
    solid = [p for p in paths if p.get("stroke-dasharray") is None]
    dashed = [p for p in paths if p.get("stroke-dasharray") is not None]
    return (
        path_points(solid[0].get("d", "")) if solid else [],
        path_points(dashed[0].get("d", "")) if dashed else [],
    )


def texts(tree: ET.Element) -> dict[str, tuple[float, float]]:
    """Each text of the plot and where it is drawn."""
    return {
        t.text or "": (float(t.get("x", "nan")), float(t.get("y", "nan")))
        for t in tree.iter("text")
        if t.get("x") is not None
    }


def tick_labels(tree: ET.Element, axis: str) -> list[tuple[str, float]]:
    """The tick labels of the x axis (centred under it) or the y axis (ended left of it),
    with their x or y position."""
    anchor, coordinate = {"x": ("middle", "x"), "y": ("end", "y")}[axis]
    group = next(g for g in tree.iter("g") if g.get("text-anchor") == anchor)
    return [(t.text or "", float(t.get(coordinate, "nan"))) for t in group.iter("text")]


def lines(tree: ET.Element, direction: str) -> set[float]:
    """The x of every vertical line, or the y of every horizontal one."""
    a, b = ("x1", "x2") if direction == "vertical" else ("y1", "y2")
    return {float(line.get(a, "nan")) for line in tree.iter("line") if line.get(a) == line.get(b)}


@pytest.mark.parametrize(
    ("low", "high", "most", "integer", "expected"),
    [
        (-5.5, 5.5, 8, False, ["−4", "−2", "0", "2", "4"]),
        (-0.0125, 0.2625, 8, False, ["0.00", "0.05", "0.10", "0.15", "0.20", "0.25"]),
        (0.0, 10.0, 4, False, ["0.0", "2.5", "5.0", "7.5", "10.0"]),
        (0.0, 3.15, 5, True, ["0", "1", "2", "3"]),
        (0.0, 0.5, 5, True, ["0"]),
        (0.0, 210.0, 5, True, ["0", "50", "100", "150", "200"]),
        (-3.2e7, 1.1e7, 6, False, ["−3e7", "−2e7", "−1e7", "0", "1e7"]),
    ],
)
def test_ticks_are_round_values_written_with_the_decimals_of_their_step(
    low: float, high: float, most: int, integer: bool, expected: list[str]
) -> None:
    found = ticks(low, high, most, integer=integer)
    assert [label for _, label in found] == expected
    assert all(low <= value <= high for value, _ in found)


def test_a_flat_curve_gets_a_range_around_its_value() -> None:
    low, high = data_range([2.0, 2.0, 2.0])
    assert low < 2.0 < high
    assert "2.0" in [label for _, label in ticks(low, high, 8)]
    assert data_range([], include=()) == (-1.0, 1.0)


def test_the_curves_are_drawn_where_the_axes_say() -> None:
    """relu's expected curve goes through the origin, where the zero lines cross, and the
    tick labelled 0 on each axis sits on that line."""
    curve = {"z": Z, "expected": [max(z, 0.0) for z in Z], "got": [abs(z) for z in Z]}
    tree = svg_tree(plots.curve_plot(curve, key="relu/0", labels=LABELS))
    expected, got = curve_paths(tree)
    assert len(expected) == len(got) == 41
    origin = expected[20]  # z = 0
    assert origin[0] in lines(tree, "vertical") and origin[1] in lines(tree, "horizontal")
    assert dict(tick_labels(tree, "x"))["0"] == pytest.approx(origin[0])
    # A y label's baseline sits under its tick by less than half a line: centred on it.
    assert 0 < dict(tick_labels(tree, "y"))["0"] - origin[1] < plots.FONT_SIZE / 2
    assert [label for label, _ in tick_labels(tree, "x")] == ["−4", "−2", "0", "2", "4"]
    # Student and expected agree for z >= 0: the same pixels.
    assert got[20:] == expected[20:]
    assert got[0][1] < origin[1]  # |-5| is drawn above zero (SVG's y grows downwards)
    assert texts(tree)["z"][1] > origin[1]  # the axis's name under it


def test_values_that_are_not_finite_are_left_out() -> None:
    got = [*Z[:-3], "nan", "inf", None]
    curve = {"z": Z, "expected": Z, "got": got}
    _, dashed = curve_paths(svg_tree(plots.curve_plot(curve, key="k", labels=LABELS)))
    assert len(dashed) == 38
    nothing = {"z": Z, "expected": ["nan"] * 41, "got": [None] * 41}
    assert plots.curve_plot(nothing, key="k", labels=LABELS) is None
    huge = {"z": [-1, 0, 1], "expected": [0, 0, 0], "got": [-1.7e308, 0, 1.7e308]}
    assert "nan" not in str(plots.curve_plot(huge, key="k", labels=LABELS))


def test_the_legend_goes_where_it_hides_no_point() -> None:
    """Upper right first, as plotting libraries do, unless the curves pass there."""
    rising = {"z": Z, "expected": [max(z, 0.0) for z in Z], "got": Z}
    tree = svg_tree(plots.curve_plot(rising, key="k", labels=LABELS))
    assert texts(tree)["expected"][0] < 260  # the upper right is taken: left half
    assert texts(tree)["expected"][1] < 150  # ...and the top
    bowl = {"z": Z, "expected": [z * z for z in Z], "got": [z * z + 1 for z in Z]}
    tree = svg_tree(plots.curve_plot(bowl, key="k", labels=LABELS))
    assert texts(tree)["expected"][1] > 150  # both upper corners are taken: bottom
    falling = {"z": Z, "expected": [-z for z in Z], "got": [-z for z in Z]}
    tree = svg_tree(plots.curve_plot(falling, key="k", labels=LABELS))
    x, y = texts(tree)["expected"]
    assert x > 260 and y < 150  # free upper right


def test_labels_are_text_never_markup() -> None:
    hostile = {**LABELS, "yours": "<b>yours</b>", "title": '"><script>alert(1)</script>'}
    markup = str(plots.curve_plot({"z": Z, "expected": Z, "got": Z}, key="k", labels=hostile))
    assert "<b>" not in markup and "<script" not in markup
    assert "&lt;b&gt;yours&lt;/b&gt;" in markup
    assert svg_tree(markup).get("aria-label") == hostile["title"]


def test_plots_are_deterministic_and_their_ids_differ_by_key() -> None:
    curve = {"z": Z, "expected": Z, "got": [2 * z for z in Z]}
    first = str(plots.curve_plot(curve, key="sigmoid/0", labels=LABELS))
    assert first == str(plots.curve_plot(dict(curve), key="sigmoid/0", labels=dict(LABELS)))
    other = str(plots.curve_plot(curve, key="sigmoid/1", labels=LABELS))
    ids = set(re.findall(r'\bid="([^"]+)"', first))
    assert ids and ids.isdisjoint(re.findall(r'\bid="([^"]+)"', other))
    for found in ids:  # every reference points inside the same plot
        assert f"url(#{found})" in first


def test_histogram_bands_of_ten_points_hold_100_in_the_last() -> None:
    counts = plots.histogram_counts([0, 9.99, -5, 10, 55, 89.9, 90, 100, 120])
    assert counts == [3, 1, 0, 0, 0, 1, 0, 0, 1, 3]


def test_histogram_draws_a_bar_per_band_with_students_and_whole_counts() -> None:
    labels = {"x": "score (%)", "y": "students", "title": "Distribution of the scores"}
    percentages = [95.0] * 7 + [45.0] * 2 + [12.5]
    tree = svg_tree(plots.score_histogram(percentages, key="histogram", labels=labels))
    data = next(g for g in tree.iter("g") if g.get("clip-path"))
    bars = list(data.iter("rect"))
    assert len(bars) == 3
    heights = sorted(float(bar.get("height", "nan")) for bar in bars)
    assert heights[2] == pytest.approx(7 * heights[0], abs=0.05)  # drawn to 0.01 units
    assert heights[1] == pytest.approx(2 * heights[0], abs=0.05)
    assert [label for label, _ in tick_labels(tree, "x")] == [str(e) for e in range(0, 101, 10)]
    # Whole numbers of students, round steps up to the tallest bar (7).
    assert [label for label, _ in tick_labels(tree, "y")] == ["0", "2", "4", "6"]
    assert {"score (%)", "students"} <= {t.text for t in tree.iter("text")}
    assert plots.score_histogram([], key="histogram", labels=labels) is None


ENTRY_LABELS = {
    "expected": "expected",
    "yours": "yours",
    "right": "yours = expected",
    "entries": "your entries",
    "title": "dW: your entries against the expected ones",
}


def entry_marks(tree: ET.Element) -> tuple[list[tuple[float, float]], list[tuple[float, float]]]:
    """The line where right entries lie (two points) and the dots of the entries."""
    paths = [p for p in tree.iter("path") if p.get("stroke-linecap") != "round"]
    dots = next(p for p in tree.iter("path") if p.get("stroke-linecap") == "round")
    found = re.findall(r"M(-?[\d.]+) (-?[\d.]+)h0", dots.get("d", ""))
    return path_points(paths[0].get("d", "")), [(float(x), float(y)) for x, y in found]


def test_entries_m_times_too_large_lie_on_a_line_m_times_steeper() -> None:
    """A dW 7 times too large: its entries lie on a line through the origin 7 times as steep
    as the line where right entries lie, and above it where the expected value is positive."""
    expected = [-1.08, -0.79, 0.75, -0.69, 0.62]
    tree = svg_tree(
        plots.entries_plot([(e, 7 * e) for e in expected], key="k", labels=ENTRY_LABELS)
    )
    (x0, y0), (x1, y1) = right = entry_marks(tree)[0]
    dots = entry_marks(tree)[1]
    assert len(right) == 2 and len(dots) == 5
    right_slope = (y1 - y0) / (x1 - x0)
    zero_lines = next(g for g in tree.iter("g") if g.get("stroke") == "#999999")
    zero_x = next(float(v.get("x1", "nan")) for v in zero_lines if v.get("x1") == v.get("x2"))
    zero_y = next(float(h.get("y1", "nan")) for h in zero_lines if h.get("y1") == h.get("y2"))
    assert y0 + right_slope * (zero_x - x0) == pytest.approx(zero_y, abs=0.05)  # through 0
    for x, y in dots:
        assert (y - zero_y) / (x - zero_x) == pytest.approx(7 * right_slope, rel=0.01)


def test_entries_need_two_finite_pairs_to_show_a_pattern() -> None:
    assert plots.entries_plot([(1.0, 7.0)], key="k", labels=ENTRY_LABELS) is None
    assert plots.entries_plot([(1.0, "nan"), (2.0, 14.0)], key="k", labels=ENTRY_LABELS) is None
    assert plots.entries_plot(
        [(1.0, "inf"), (2.0, 14.0), (3.0, 21.0)], key="k", labels=ENTRY_LABELS
    )
