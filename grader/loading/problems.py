"""Problems found while loading a submission, as the result document records them.

A problem is a plain dict ``{"path", "line", "code", "message", "messages"}``: `message`
is English, `messages` holds every language (``{"en": ..., "fr": ...}``, from a `Text` of
the translation catalog); the engine picks the document's language. `code` is one of
`CODES` (docs/result-schema.md).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

Problem = dict[str, Any]

CODES: frozenset[str] = frozenset(
    {
        "symlink",
        "zip_escape",
        "too_large",
        "not_utf8",
        "syntax_error",
        "not_json",
        "not_a_notebook",
        "not_a_submission",
        "empty",
        "unreadable",
        "duplicate",
        "shadowing",
        "ndarray_subclass",
        "import_error",
        "import_timeout",
        "import_crashed",
    }
)


@dataclass(frozen=True)
class LoadLimits:
    """Caps that keep a hostile or broken submission from exhausting the trusted side.

    Attributes:
        file_bytes: largest accepted source file.
        total_bytes: largest accepted sum of source files.
        notebook_bytes: largest accepted notebook file (outputs make notebooks bigger).
        entries: most files or zip entries looked at in one submission.
        zip_uncompressed_bytes: largest declared uncompressed size of a whole zip.
        helper_modules: most extra top-level `.py` files carried along with the modules.
    """

    file_bytes: int = 256 * 1024
    total_bytes: int = 2 * 1024 * 1024
    notebook_bytes: int = 8 * 1024 * 1024
    entries: int = 500
    zip_uncompressed_bytes: int = 64 * 1024 * 1024
    helper_modules: int = 8


def problem(path: str, code: str, message: Mapping[str, str], line: int | None = None) -> Problem:
    """Build one problem dict; `code` must be one of `CODES`, `message` a `Text`."""
    if code not in CODES:
        raise ValueError(f"Unknown problem code {code!r}; the codes are: {sorted(CODES)}.")
    messages = dict(message)
    return {
        "path": path,
        "line": line,
        "code": code,
        "message": messages["en"],
        "messages": messages,
    }
