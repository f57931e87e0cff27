"""Plots inlined in the pages as SVG: activation curves and the score histogram.

Deterministic so that two renders of the same results are byte-identical: a fixed
`svg.hashsalt`, no date in the metadata, text drawn as paths (`svg.fonttype = "path"`,
which also means no text of any kind reaches the SVG as markup). Each plot's ids get a
prefix of its own so that several SVGs can share one page. Plots never show student
strings: labels are ours, passed in already translated.
"""

from __future__ import annotations

import hashlib
import io
import json
import math
import re
from collections.abc import Sequence
from typing import Any

from markupsafe import Markup

from grader.report.formatting import as_float

_STYLE = {
    "svg.hashsalt": "nngrade",
    "svg.fonttype": "path",
    "font.family": "DejaVu Sans",
    "font.size": 10,
    "axes.spines.top": False,
    "axes.spines.right": False,
}
EXPECTED_COLOUR = "#1b6e3a"
GOT_COLOUR = "#b3261e"
BAR_COLOUR = "#2f5d9a"

_ID = re.compile(r'\bid="([^"]+)"')
# Drawn curves by their arguments: students who make the same mistake get the same curve, and
# matplotlib takes tens of milliseconds per plot. Plots are deterministic, so a memo is exact.
_CURVE_MEMO: dict[str, Markup | None] = {}
CURVE_MEMO_SIZE = 64


def preload() -> None:
    """Import matplotlib now (about a quarter of a second), e.g. on a thread while there is
    other work to wait for, so that the first plot does not pay for it."""
    _pyplot()


def _pyplot() -> Any:
    """matplotlib's pyplot on the Agg backend, imported on first use (it is slow to load)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt  # after use("Agg"): no display needed

    return plt


def _svg_markup(figure: Any, key: str, label: str) -> Markup:
    """Serialise `figure` as an inline <svg> element, ids prefixed with a hash of `key`."""
    buffer = io.StringIO()
    figure.savefig(buffer, format="svg", metadata={"Date": None}, bbox_inches="tight")
    _pyplot().close(figure)
    svg = buffer.getvalue()
    svg = svg[svg.index("<svg") :]
    # Inline SVG in HTML needs neither the RDF metadata nor the namespace declarations, and
    # without them the page holds no URL at all besides its own links.
    svg = re.sub(r"\s*<metadata>.*?</metadata>", "", svg, count=1, flags=re.DOTALL)
    svg = re.sub(r' xmlns(:xlink)?="[^"]*"', "", svg)
    prefix = "p" + hashlib.sha256(key.encode("utf-8")).hexdigest()[:8] + "-"
    for old in sorted(set(_ID.findall(svg)), key=len, reverse=True):
        svg = svg.replace(f'id="{old}"', f'id="{prefix}{old}"')
        svg = svg.replace(f'"#{old}"', f'"#{prefix}{old}"')
        svg = svg.replace(f"url(#{old})", f"url(#{prefix}{old})")
    # Scale with the page instead of the fixed size matplotlib writes.
    svg = re.sub(r'<svg([^>]*?) width="[^"]*" height="[^"]*"', r"<svg\1", svg, count=1)
    svg = svg.replace("<svg", f'<svg role="img" aria-label="{Markup.escape(label)}"', 1)
    return Markup(svg)  # our own plot: ids, numbers and path data, no student text


def _finite_points(z: Sequence[Any], values: Sequence[Any]) -> tuple[list[float], list[float], int]:
    """Pairs (z, value) with a finite value, and how many were not finite (nan, inf)."""
    xs, ys, dropped = [], [], 0
    for x, y in zip(z, values, strict=False):
        fx, fy = as_float(x), as_float(y)
        if fx is None or fy is None or not math.isfinite(fx) or not math.isfinite(fy):
            dropped += 1
            continue
        xs.append(fx)
        ys.append(fy)
    return xs, ys, dropped


def curve_plot(curve: dict[str, Any], *, key: str, labels: dict[str, str]) -> Markup | None:
    """The student's function against the expected one over z, or None if nothing to draw.

    `curve` holds the lists "z", "got" and "expected" of a result document; `labels` the
    translated "yours", "expected", "z" and "title" (an accessible name). Memoised.
    """
    try:
        signature = json.dumps([curve, key, labels], sort_keys=True)
    except (TypeError, ValueError):  # not JSON data: drawn every time
        return _draw_curve(curve, key=key, labels=labels)
    if signature not in _CURVE_MEMO:
        if len(_CURVE_MEMO) >= CURVE_MEMO_SIZE:
            _CURVE_MEMO.clear()
        _CURVE_MEMO[signature] = _draw_curve(curve, key=key, labels=labels)
    return _CURVE_MEMO[signature]


def _draw_curve(curve: dict[str, Any], *, key: str, labels: dict[str, str]) -> Markup | None:
    z = curve.get("z") or []
    xs_got, ys_got, _ = _finite_points(z, curve.get("got") or [])
    xs_exp, ys_exp, _ = _finite_points(z, curve.get("expected") or [])
    if not xs_exp and not xs_got:
        return None
    plt = _pyplot()
    with plt.rc_context(_STYLE):
        figure, axes = plt.subplots(figsize=(5.2, 3.0))
        axes.plot(xs_exp, ys_exp, color=EXPECTED_COLOUR, linewidth=2.5, label=labels["expected"])
        axes.plot(
            xs_got,
            ys_got,
            color=GOT_COLOUR,
            linewidth=1.6,
            linestyle="--",
            marker="o",
            markersize=2.5,
            label=labels["yours"],
        )
        axes.axhline(0, color="#999999", linewidth=0.6)
        axes.axvline(0, color="#999999", linewidth=0.6)
        axes.set_xlabel(labels["z"])
        axes.grid(True, color="#e4e4e4", linewidth=0.6)
        axes.legend(frameon=False, loc="best")
        return _svg_markup(figure, key, labels["title"])


def score_histogram(
    percentages: Sequence[float], *, key: str, labels: dict[str, str]
) -> Markup | None:
    """Histogram of scores in percent, bins of 10 points; None when there is no score.

    `labels` holds the translated "x", "y" and "title".
    """
    if not percentages:
        return None
    bins = list(range(0, 101, 10))
    plt = _pyplot()
    with plt.rc_context(_STYLE):
        figure, axes = plt.subplots(figsize=(6.0, 2.8))
        clipped = [min(max(p, 0.0), 100.0) for p in percentages]
        axes.hist(clipped, bins=bins, color=BAR_COLOUR, edgecolor="white", linewidth=1)
        axes.set_xticks(bins)
        axes.set_xlim(0, 100)
        axes.yaxis.get_major_locator().set_params(integer=True)
        axes.set_xlabel(labels["x"])
        axes.set_ylabel(labels["y"])
        axes.grid(True, axis="y", color="#e4e4e4", linewidth=0.6)
        axes.set_axisbelow(True)
        return _svg_markup(figure, key, labels["title"])
