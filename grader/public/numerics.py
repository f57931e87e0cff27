"""Arrays as JSON data: how ``expected.json`` stores the inputs and expected values.

Finite differences, tolerances and comparisons are not here: they come from
``gradcheck.py``, the grader's own module, which release copies beside this one.
"""

from __future__ import annotations

from typing import Any

import numpy as np

ARRAY_TAG = "__ndarray__"


def encode(value: Any) -> Any:
    """`value` as JSON-ready data; arrays become ``{"__ndarray__": dtype, "shape", "data"}``."""
    if isinstance(value, np.ndarray):
        return {
            ARRAY_TAG: value.dtype.str,
            "shape": list(value.shape),
            "data": value.ravel().tolist(),
        }
    if isinstance(value, dict):
        return {key: encode(item) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return [encode(item) for item in value]
    if isinstance(value, np.generic):
        return value.item()
    return value


def decode(value: Any) -> Any:
    """The inverse of `encode`: a fresh copy every time, so callers may modify it."""
    if isinstance(value, dict):
        if ARRAY_TAG in value:
            data = np.array(value["data"], dtype=np.dtype(value[ARRAY_TAG]))
            return data.reshape(value["shape"])
        return {key: decode(item) for key, item in value.items()}
    if isinstance(value, list):
        return [decode(item) for item in value]
    return value
