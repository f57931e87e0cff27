"""Python source for plain data, so that expected values can be written into test cells.

The text is deterministic (``repr`` of every float round-trips exactly), which keeps the
export byte-identical from one run to the next.
"""

from __future__ import annotations

import math

import numpy as np


def _float(value: float) -> str:
    if math.isnan(value):
        return "float('nan')"
    if math.isinf(value):
        return "float('inf')" if value > 0 else "-float('inf')"
    return repr(float(value))


def _nested(value: object) -> str:
    if isinstance(value, list):
        return "[" + ", ".join(_nested(item) for item in value) + "]"
    if isinstance(value, float):
        return _float(value)
    return repr(value)


def literal(value: object) -> str:
    """Source text that evaluates (with ``numpy`` imported as ``np``) to `value`.

    Handles float/int/bool ndarrays, Python and numpy scalars, strings, None, and
    tuples/lists/dicts of those.
    """
    if isinstance(value, np.ndarray):
        dtype = {"f": "float", "i": "int", "u": "int", "b": "bool"}.get(value.dtype.kind)
        if dtype is None:
            raise TypeError(f"Cannot write an array of dtype {value.dtype} as a literal.")
        return f"np.array({_nested(value.tolist())}, dtype={dtype})"
    if isinstance(value, bool | np.bool_):
        return repr(bool(value))
    if isinstance(value, int | np.integer):
        return repr(int(value))
    if isinstance(value, float | np.floating):
        return _float(float(value))
    if value is None or isinstance(value, str):
        return repr(value)
    if isinstance(value, tuple):
        items = [literal(item) for item in value]
        return "(" + ", ".join(items) + ("," if len(items) == 1 else "") + ")"
    if isinstance(value, list):
        return "[" + ", ".join(literal(item) for item in value) + "]"
    if isinstance(value, dict):
        return "{" + ", ".join(f"{literal(k)}: {literal(v)}" for k, v in value.items()) + "}"
    raise TypeError(f"Cannot write a {type(value).__name__} as a literal.")
