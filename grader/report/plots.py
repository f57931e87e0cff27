"""Plots inlined in the pages as SVG: activation curves, wrong entries against the expected
ones, and the score histogram.

The SVG is written from the data through small templates (`templates/plots/`): axes with
round ticks, grid, labels and a legend, in under a millisecond, with no plotting
library to load. Deterministic, so that two renders of the same results are byte-identical.
Autoescaped like the pages; labels are ours anyway, passed in already translated: a plot
never shows a student string. Each plot's element ids get a prefix made from its `key`, so
that several plots can share one page.
"""

from __future__ import annotations

import functools
import hashlib
import math
from collections.abc import Sequence
from typing import Any

from jinja2 import Environment, PackageLoader, StrictUndefined
from markupsafe import Markup

from grader.report.axes import Axis, axis, data_range
from grader.report.formatting import as_float

EXPECTED_COLOUR = "#1b6e3a"
GOT_COLOUR = "#b3261e"
BAR_COLOUR = "#2f5d9a"

# Sizes in SVG units; the pages scale the plots to their width (style.css), so that a font
# size of 13 units reads as the page's small print on a desktop screen.
FONT_SIZE = 13.0
CURVE_SIZE = (520.0, 300.0)
CURVE_MARGINS = (56.0, 12.0, 12.0, 46.0)  # left, right, top, bottom
HISTOGRAM_SIZE = (600.0, 280.0)
HISTOGRAM_MARGINS = (62.0, 12.0, 12.0, 46.0)
HISTOGRAM_BINS = tuple(range(0, 101, 10))
LEGEND_LINE = 28.0  # the sample of a line in the legend
LEGEND_ROW = 19.0
LARGEST = 1e300


@functools.cache
def _environment() -> Environment:
    return Environment(
        loader=PackageLoader("grader.report", "templates/plots"),
        autoescape=True,
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )


def _prefix(key: str) -> str:
    return "p" + hashlib.sha256(key.encode("utf-8")).hexdigest()[:8] + "-"


def _svg(template: str, **context: Any) -> Markup:
    # Our own plot: numbers, path data and escaped labels, no student text.
    return Markup(_environment().get_template(template).render(**context).strip())


def _finite_points(z: Sequence[Any], values: Sequence[Any]) -> tuple[list[float], list[float]]:
    """Pairs (z, value) where both are finite numbers (nan and inf are left out), clipped to
    ±1e300 so that the axes' arithmetic cannot overflow."""
    xs, ys = [], []
    for x, y in zip(z, values, strict=False):
        fx, fy = as_float(x), as_float(y)
        if fx is None or fy is None or not math.isfinite(fx) or not math.isfinite(fy):
            continue
        xs.append(min(max(fx, -LARGEST), LARGEST))
        ys.append(min(max(fy, -LARGEST), LARGEST))
    return xs, ys


def _path(points: Sequence[tuple[float, float]]) -> str:
    """SVG path data through `points`, in order."""
    return " ".join(f"{'M' if i == 0 else 'L'}{x:.2f} {y:.2f}" for i, (x, y) in enumerate(points))


def _dots(points: Sequence[tuple[float, float]]) -> str:
    """Path data of a dot at each point (zero-length segments drawn with round caps)."""
    return " ".join(f"M{x:.2f} {y:.2f}h0" for x, y in points)


def _text_width(text: str) -> float:
    """An estimate of the width of `text` at `FONT_SIZE`, enough to place a legend."""
    return 0.58 * FONT_SIZE * len(text)


def _label_room(y: Axis) -> float:
    """The left margin the y tick labels need: their width, the tick and some space."""
    return max((_text_width(label) for _, label in y.ticks), default=0.0) + 16.0


def _legend_corner(
    box: tuple[float, float],
    area: tuple[float, float, float, float],
    points: list[tuple[float, float]],
) -> tuple[float, float]:
    """The top-left corner of the legend: the corner of the plotting area whose box covers
    the fewest points (upper right first, as plotting libraries do)."""
    width, height = box
    left, top, right, bottom = area
    pad = 6.0
    corners = (
        (right - width - pad, top + pad),
        (left + pad, top + pad),
        (left + pad, bottom - height - pad),
        (right - width - pad, bottom - height - pad),
    )

    def covered(corner: tuple[float, float]) -> int:
        x0, y0 = corner
        return sum(x0 <= x <= x0 + width and y0 <= y <= y0 + height for x, y in points)

    return min(corners, key=covered)  # min keeps the first of equal counts


def curve_plot(curve: dict[str, Any], *, key: str, labels: dict[str, str]) -> Markup | None:
    """The student's function against the expected one over z, or None if nothing to draw.

    `curve` holds the lists "z", "got" and "expected" of a result document (41 points over
    [-5, 5]; non-finite values are left out); `labels` the translated "yours", "expected",
    "z" and "title" (an accessible name); `key` is unique within the page.
    """
    z = curve.get("z") or []
    xs_got, ys_got = _finite_points(z, curve.get("got") or [])
    xs_exp, ys_exp = _finite_points(z, curve.get("expected") or [])
    if not xs_exp and not xs_got:
        return None
    width, height = CURVE_SIZE
    left, right, top, bottom = CURVE_MARGINS
    y_low, y_high = data_range(ys_exp + ys_got, include=(0.0,))
    y = axis(y_low, y_high, height - bottom, top, most=8)
    left = max(left, _label_room(y))
    x_low, x_high = data_range(xs_exp + xs_got, include=(0.0,))
    x = axis(x_low, x_high, left, width - right, most=8)
    expected = [(x.at(a), y.at(b)) for a, b in zip(xs_exp, ys_exp, strict=True)]
    got = [(x.at(a), y.at(b)) for a, b in zip(xs_got, ys_got, strict=True)]
    entries = [labels["expected"], labels["yours"]]
    box = (LEGEND_LINE + 8 + max(map(_text_width, entries)), LEGEND_ROW * len(entries))
    area = (left, top, width - right, height - bottom)
    legend = _legend_corner(box, area, expected + got)
    return _svg(
        "curve.svg.j2",
        width=width,
        height=height,
        x=x,
        y=y,
        area=area,
        prefix=_prefix(key),
        font_size=FONT_SIZE,
        expected=_path(expected),
        got=_path(got),
        dots=_dots(got),
        expected_colour=EXPECTED_COLOUR,
        got_colour=GOT_COLOUR,
        legend=legend,
        legend_line=LEGEND_LINE,
        legend_row=LEGEND_ROW,
        labels=labels,
    )


def entries_plot(
    entries: Sequence[tuple[float, float]], *, key: str, labels: dict[str, str]
) -> Markup | None:
    """A wrong array's entries as dots at (expected, yours), against the line where right
    entries lie; None with fewer than two finite entries (nothing to see a pattern in).

    `entries` are (expected, got) pairs: the worst entries of a result document's evidence.
    `labels` holds the translated "expected" and "yours" (the axes), "right" and "entries"
    (the legend) and "title" (an accessible name); `key` is unique within the page.
    """
    xs, ys = _finite_points([e for e, _ in entries], [g for _, g in entries])
    if len(xs) < 2:
        return None
    width, height = CURVE_SIZE
    left, right, top, bottom = CURVE_MARGINS
    y_low, y_high = data_range(ys + xs, include=(0.0,))
    y = axis(y_low, y_high, height - bottom, top, most=8)
    left = max(left, _label_room(y) + FONT_SIZE + 4)  # the axis's name beside its labels
    x_low, x_high = data_range(xs, include=(0.0,))
    x = axis(x_low, x_high, left, width - right, most=8)
    dots = [(x.at(a), y.at(b)) for a, b in zip(xs, ys, strict=True)]
    box = (
        LEGEND_LINE + 8 + max(map(_text_width, (labels["right"], labels["entries"]))),
        2 * LEGEND_ROW,
    )
    area = (left, top, width - right, height - bottom)
    diagonal = [(x.at(x.low), y.at(x.low)), (x.at(x.high), y.at(x.high))]
    # The legend keeps clear of the dots and of the line (sampled along it).
    line = [(x.at(v), y.at(v)) for v in (x.low + (x.high - x.low) * k / 20 for k in range(21))]
    return _svg(
        "entries.svg.j2",
        width=width,
        height=height,
        x=x,
        y=y,
        area=area,
        prefix=_prefix(key),
        font_size=FONT_SIZE,
        diagonal=_path(diagonal),
        dots=_dots(dots),
        expected_colour=EXPECTED_COLOUR,
        got_colour=GOT_COLOUR,
        legend=_legend_corner(box, area, dots + line),
        legend_line=LEGEND_LINE,
        legend_row=LEGEND_ROW,
        labels=labels,
    )


def histogram_counts(percentages: Sequence[float]) -> list[int]:
    """Students per band of 10 points: [0, 10), [10, 20)... [90, 100], scores clipped to
    [0, 100]."""
    counts = [0] * (len(HISTOGRAM_BINS) - 1)
    for value in percentages:
        band = int(min(max(value, 0.0), 100.0) // 10)
        counts[min(band, len(counts) - 1)] += 1
    return counts


def score_histogram(
    percentages: Sequence[float], *, key: str, labels: dict[str, str]
) -> Markup | None:
    """Histogram of scores in percent, bins of 10 points; None when there is no score.

    `labels` holds the translated "x", "y" and "title"; `key` is unique within the page.
    """
    if not percentages:
        return None
    counts = histogram_counts(percentages)
    width, height = HISTOGRAM_SIZE
    left, right, top, bottom = HISTOGRAM_MARGINS
    y = axis(0.0, max(counts) * 1.05, height - bottom, top, most=5, integer=True)
    left = max(left, _label_room(y) + FONT_SIZE + 4)  # the axis's name beside its labels
    edges = tuple((float(edge), str(edge)) for edge in HISTOGRAM_BINS)
    x = Axis(0.0, 100.0, left, width - right, edges)
    bars = [
        (x.at(low), y.at(count), x.at(high) - x.at(low), y.at(0.0) - y.at(count))
        for low, high, count in zip(HISTOGRAM_BINS, HISTOGRAM_BINS[1:], counts, strict=False)
        if count
    ]
    return _svg(
        "histogram.svg.j2",
        width=width,
        height=height,
        x=x,
        y=y,
        area=(left, top, width - right, height - bottom),
        prefix=_prefix(key),
        font_size=FONT_SIZE,
        bars=bars,
        bar_colour=BAR_COLOUR,
        labels=labels,
    )
