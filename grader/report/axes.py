"""Axes for the plots: data ranges, round tick values and their labels, data to SVG units.

What a plotting library's locator and formatter do, for the two plots the pages draw: a
range padded around the data, ticks at round steps (1, 2, 2.5 or 5 times a power of ten)
and labels with as many decimals as the step needs, a true minus sign included.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass

MINUS = "\u2212"  # typographic minus, as printed plots write negative numbers
_STEPS = (1.0, 2.0, 2.5, 5.0, 10.0)


@dataclass(frozen=True)
class Axis:
    """One axis: the data range [low, high] drawn on the pixel range [start, end].

    `start` may be greater than `end` (a y axis grows upwards, SVG's y downwards).
    """

    low: float
    high: float
    start: float
    end: float
    ticks: tuple[tuple[float, str], ...]  # (value, label), inside [low, high]

    def at(self, value: float) -> float:
        """The SVG coordinate of a data value."""
        return self.start + (value - self.low) * (self.end - self.start) / (self.high - self.low)


def data_range(
    values: Iterable[float], *, include: Iterable[float] = (), margin: float = 0.05
) -> tuple[float, float]:
    """[low, high] around the finite `values` and `include`, widened by `margin` of the span
    on each side; a single value gets a unit-wide range around it."""
    finite = [v for v in (*values, *include) if math.isfinite(v)]
    if not finite:
        return -1.0, 1.0
    low, high = min(finite), max(finite)
    span = high - low
    if span <= 1e-9 * max(abs(low), abs(high), 1.0):
        half = max(abs(low) * 0.05, 0.5)
        return low - half, high + half
    return low - margin * span, high + margin * span


def nice_step(span: float, most: int, *, integer: bool = False) -> float:
    """The smallest round step that cuts `span` into at most `most` intervals."""
    raw = span / max(most, 1)
    magnitude = 10.0 ** math.floor(math.log10(raw))
    for factor in _STEPS:
        step = factor * magnitude
        if step >= raw * (1 - 1e-9) and (not integer or step == round(step)):
            return step
    return 10.0 * magnitude


def tick_label(value: float, step: float) -> str:
    """`value` written with the decimals `step` needs: 0.25 steps give "0.25", "0.50"."""
    if abs(value) < step * 1e-6:  # 0, or a rounding error next to it: never "-0.00"
        value = 0.0
    largest = max(abs(value), step)
    if largest >= 1e6 or step < 1e-4:
        text = f"{value:.3g}".replace("e+0", "e").replace("e-0", "e-").replace("e+", "e")
    else:
        decimals = max(0, -math.floor(math.log10(step) + 1e-9))
        if round(step * 10**decimals, 6) % 1:  # 2.5, 0.25...: one more decimal
            decimals += 1
        text = f"{value:.{decimals}f}"
    return text.replace("-", MINUS)


def ticks(low: float, high: float, most: int, *, integer: bool = False) -> list[tuple[float, str]]:
    """Round values inside [low, high], at most `most` + 1 of them, with their labels."""
    step = nice_step(high - low, most, integer=integer)
    first = math.ceil(low / step - 1e-9)
    last = math.floor(high / step + 1e-9)
    return [(k * step, tick_label(k * step, step)) for k in range(first, last + 1)]


def axis(
    low: float, high: float, start: float, end: float, *, most: int, integer: bool = False
) -> Axis:
    """An axis over [low, high] drawn on [start, end], with at most `most` tick intervals."""
    return Axis(low, high, start, end, tuple(ticks(low, high, most, integer=integer)))
