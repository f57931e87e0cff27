"""The plot of a failed check, as SVG written from its data (no plotting library).

Two plots, from the `plot` data a failure carries (``Failure.plot``):

- ``{"kind": "curve", "function", "z", "expected", "got"}``: an activation (or its
  derivative) over z, the expected curve solid and the student's dashed with a dot at
  each point, as the feedback page draws it;
- ``{"kind": "scatter", "what", "expected", "got"}``: each entry of a wrong array, the
  student's value against the expected one; the right answer is the diagonal, so a
  factor shows as a steeper or flatter line and a sign error as the other diagonal.

The axes (round ticks, labels) are the feedback page's own: ``axes.py`` is a copy of
`grader.report.axes` that release puts beside this module. Every text is escaped; the
numbers are the only thing drawn from the student's values. Standard library only: the
notebook's kernel draws these without numpy.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from html import escape
from typing import Any

from .axes import Axis, axis, data_range
from .i18n import translator

EXPECTED_COLOUR = "#1b6e3a"
GOT_COLOUR = "#b3261e"
SIZE = (460.0, 280.0)
MARGINS = (56.0, 12.0, 12.0, 46.0)  # left, right, top, bottom
FONT_SIZE = 13.0
LARGEST = 1e300


def plot_svg(plot: Mapping[str, Any] | None, lang: str) -> str | None:
    """The SVG of `plot` with its labels in `lang`, or None when there is nothing to draw."""
    if not plot:
        return None
    _ = translator(lang)
    if plot.get("kind") == "curve":
        title = _(
            "%(function)s: yours and expected, over z in [-5, 5]", function=plot.get("function")
        )
        return _draw(
            [
                (plot.get("z", []), plot.get("expected", []), EXPECTED_COLOUR, "line"),
                (plot.get("z", []), plot.get("got", []), GOT_COLOUR, "dashed"),
            ],
            title=title,
            x_label="z",
            y_label="",
            legend=[(_("expected"), EXPECTED_COLOUR, "line"), (_("yours"), GOT_COLOUR, "dashed")],
        )
    if plot.get("kind") == "scatter":
        what = str(plot.get("what", ""))
        expected = plot.get("expected", [])
        return _draw(
            [(expected, plot.get("got", []), GOT_COLOUR, "dots")],
            title=_("%(what)s: each entry, yours against the expected value", what=what),
            x_label=_("expected"),
            y_label=_("yours"),
            legend=[(_("the right answer"), EXPECTED_COLOUR, "diagonal")],
            diagonal=True,
        )
    return None


def _finite(xs: Sequence[Any], ys: Sequence[Any]) -> list[tuple[float, float]]:
    points = []
    for x, y in zip(xs, ys, strict=False):
        if isinstance(x, bool) or isinstance(y, bool):
            continue
        if not isinstance(x, int | float) or not isinstance(y, int | float):
            continue
        fx, fy = float(x), float(y)
        if math.isfinite(fx) and math.isfinite(fy):
            points.append((min(max(fx, -LARGEST), LARGEST), min(max(fy, -LARGEST), LARGEST)))
    return points


def _draw(
    series: list[tuple[Sequence[Any], Sequence[Any], str, str]],
    *,
    title: str,
    x_label: str,
    y_label: str,
    legend: list[tuple[str, str, str]],
    diagonal: bool = False,
) -> str | None:
    drawn = [(_finite(xs, ys), colour, style) for xs, ys, colour, style in series]
    every = [point for points, _, _ in drawn for point in points]
    if not every:
        return None
    width, height = SIZE
    left, right, top, bottom = MARGINS
    x_values = [x for x, _ in every]
    y_values = [y for _, y in every]
    if diagonal:  # the same range on both axes, so that the diagonal is at 45 degrees
        x_values = y_values = x_values + y_values
    y = axis(*data_range(y_values, include=(0.0,)), height - bottom, top, most=6)
    left = max(left, max((len(label) for _, label in y.ticks), default=0) * 7.5 + 16)
    x = axis(*data_range(x_values, include=(0.0,)), left, width - right, most=7)
    area = (left, top, width - right, height - bottom)
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width:g} {height:g}" '
        f'width="{width:g}" height="{height:g}" role="img" aria-label="{escape(title)}" '
        'style="max-width:100%;height:auto;font-family:sans-serif">',
        f"<title>{escape(title)}</title>",
        *_grid(x, y, area),
    ]
    if diagonal:
        low, high = max(x.low, y.low), min(x.high, y.high)
        parts.append(
            f'<line x1="{x.at(low):.2f}" y1="{y.at(low):.2f}" x2="{x.at(high):.2f}" '
            f'y2="{y.at(high):.2f}" stroke="{EXPECTED_COLOUR}" stroke-width="2.5"/>'
        )
    for points, colour, style in drawn:
        parts.extend(_series([(x.at(a), y.at(b)) for a, b in points], colour, style))
    parts.extend(_frame(x, y, area, x_label, y_label))
    parts.extend(_legend(legend, area))
    parts.append("</svg>")
    return "\n".join(parts)


def _series(points: list[tuple[float, float]], colour: str, style: str) -> list[str]:
    if not points:
        return []
    path = " ".join(f"{'M' if i == 0 else 'L'}{a:.2f} {b:.2f}" for i, (a, b) in enumerate(points))
    dots = " ".join(f"M{a:.2f} {b:.2f}h0" for a, b in points)
    if style == "line":
        return [f'<path d="{path}" fill="none" stroke="{colour}" stroke-width="3.4"/>']
    dotted = (
        f'<path d="{dots}" fill="none" stroke="{colour}" stroke-width="5" stroke-linecap="round"/>'
    )
    if style == "dots":
        return [dotted]
    return [
        f'<path d="{path}" fill="none" stroke="{colour}" stroke-width="2.2" '
        'stroke-dasharray="8 3.5"/>',
        dotted,
    ]


def _grid(x: Axis, y: Axis, area: tuple[float, float, float, float]) -> list[str]:
    left, top, right, bottom = area
    lines = ['<g stroke="#e4e4e4" stroke-width="0.8">']
    for value, _ in y.ticks:
        at = y.at(value)
        lines.append(f'<line x1="{left:.2f}" x2="{right:.2f}" y1="{at:.2f}" y2="{at:.2f}"/>')
    for value, _ in x.ticks:
        at = x.at(value)
        lines.append(f'<line x1="{at:.2f}" x2="{at:.2f}" y1="{top:.2f}" y2="{bottom:.2f}"/>')
    lines.append("</g>")
    return lines


def _frame(
    x: Axis, y: Axis, area: tuple[float, float, float, float], x_label: str, y_label: str
) -> list[str]:
    left, top, right, bottom = area
    parts = [
        '<g stroke="#1d1d1f" stroke-width="1">',
        f'<line x1="{left:.2f}" x2="{left:.2f}" y1="{top:.2f}" y2="{bottom:.2f}"/>',
        f'<line x1="{left:.2f}" x2="{right:.2f}" y1="{bottom:.2f}" y2="{bottom:.2f}"/>',
        "</g>",
        f'<g fill="#1d1d1f" font-size="{FONT_SIZE:g}">',
    ]
    for value, label in x.ticks:
        parts.append(
            f'<text x="{x.at(value):.2f}" y="{bottom + 7 + FONT_SIZE:.2f}" '
            f'text-anchor="middle">{escape(label)}</text>'
        )
    for value, label in y.ticks:
        parts.append(
            f'<text x="{left - 8:.2f}" y="{y.at(value) + FONT_SIZE * 0.35:.2f}" '
            f'text-anchor="end">{escape(label)}</text>'
        )
    parts.append(
        f'<text x="{(left + right) / 2:.2f}" y="{bottom + 12 + 2 * FONT_SIZE:.2f}" '
        f'text-anchor="middle">{escape(x_label)}</text>'
    )
    if y_label:
        parts.append(
            f'<text transform="translate({FONT_SIZE + 2:.2f} {(top + bottom) / 2:.2f}) '
            f'rotate(-90)" text-anchor="middle">{escape(y_label)}</text>'
        )
    parts.append("</g>")
    return parts


def _legend(
    entries: list[tuple[str, str, str]], area: tuple[float, float, float, float]
) -> list[str]:
    left, top, _, _ = area
    parts = [f'<g font-size="{FONT_SIZE:g}" fill="#1d1d1f">']
    for row, (label, colour, style) in enumerate(entries):
        y0 = top + 8 + 19 * (row + 0.5)
        x0 = left + 10
        dashes = ' stroke-dasharray="8 3.5"' if style == "dashed" else ""
        width = 2.2 if style == "dashed" else 3.4
        parts.append(
            f'<line x1="{x0:.2f}" x2="{x0 + 28:.2f}" y1="{y0:.2f}" y2="{y0:.2f}" '
            f'stroke="{colour}" stroke-width="{width}"{dashes}/>'
        )
        parts.append(
            f'<text x="{x0 + 36:.2f}" y="{y0 + FONT_SIZE * 0.35:.2f}">{escape(label)}</text>'
        )
    parts.append("</g>")
    return parts
