"""Gradebook tables: points as cells, and CSV text the standard `csv` module (and Excel,
Moodle, Canvas) reads back."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence


def csv_text(header: Sequence[str], rows: Iterable[Sequence[str]]) -> str:
    """RFC 4180 CSV: comma separated, quoted where needed, CRLF line ends, UTF-8 by the caller."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(header)
    writer.writerows(rows)
    return buffer.getvalue()


def format_points(value: float | None) -> str:
    """Points as a gradebook cell: ``4``, ``3.5``, ``0.3333``; ``""`` for no score."""
    if value is None:
        return ""
    text = f"{round(value, 4):.4f}".rstrip("0").rstrip(".")
    return "0" if text in {"-0", ""} else text
