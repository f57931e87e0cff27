"""Numbers and indices written the way a reader of `lang` expects (37,5 in French)."""

from __future__ import annotations

import functools
import math
from collections.abc import Sequence
from typing import Any

from babel.numbers import format_decimal, format_percent

from grader.i18n import format_number

# Result documents write non-finite student values as strings (JSON has no NaN).
NON_FINITE = {"nan": math.nan, "inf": math.inf, "-inf": -math.inf}


def as_float(value: Any) -> float | None:
    """A JSON number or one of the strings "nan", "inf", "-inf" as a float; else None."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        return float(value)
    if isinstance(value, str):
        return NON_FINITE.get(value.strip().lower())
    return None


def points(value: Any, lang: str) -> str:
    """Points with at most two decimals: 37.5 -> "37.5" (en) / "37,5" (fr)."""
    number = as_float(value)
    if number is None or not math.isfinite(number):
        return "?"
    return _decimal(round(number, 2), "#,##0.##", lang)


def percent(fraction: float, lang: str) -> str:
    """A fraction in [0, 1] as a whole percentage: 0.75 -> "75%" (en) / "75 %" (fr)."""
    return format_percent(fraction, locale=lang)


def value(raw: Any, lang: str) -> str:
    """An array entry as the messages write it (`grader.i18n.format_number`), or nan/inf
    spelled out."""
    number = as_float(raw)
    if number is None:
        return str(raw)
    return format_number(number, lang)


def _decimal(number: float, pattern: str, lang: str) -> str:
    """`number` formatted by babel with `pattern` in `lang`, memoised: a class's pages write
    the same few numbers tens of thousands of times, and babel is slow at it."""
    # -0.0 == 0.0 (one hash, one cache entry) but babel writes "-0": the sign is in the key.
    return _cached_decimal(number, math.copysign(1.0, number), pattern, lang)


@functools.lru_cache(maxsize=512)  # a class's pages use a few dozen numbers
def _cached_decimal(number: float, sign: float, pattern: str, lang: str) -> str:
    return format_decimal(number, format=pattern, locale=lang)


def index(raw: Any) -> str:
    """An array index as numpy prints it: [0, 2] -> "[0, 2]"."""
    if isinstance(raw, Sequence) and not isinstance(raw, str):
        return "[" + ", ".join(str(part) for part in raw) + "]"
    return f"[{raw}]"


def shape(raw: Any) -> str:
    """A shape as numpy prints it: [3] -> "(3,)", [3, 4] -> "(3, 4)"."""
    if isinstance(raw, Sequence) and not isinstance(raw, str):
        parts = [str(part) for part in raw]
        return "(" + parts[0] + ",)" if len(parts) == 1 else "(" + ", ".join(parts) + ")"
    return str(raw)
