"""The language of a results folder's pages, remembered from one command to the next.

Whoever renders a class report (`nngrade report`, `nngrade batch`) records its language in
``RESULTS/.nngrade-report.json``; a later command on the same folder that is not told a
language uses it again, so that `nngrade report results/ --lang fr` followed by a batch
that grades one late submission leaves the whole report in French.
"""

from __future__ import annotations

import json
from pathlib import Path

from grader.atomic import write_text_atomic
from grader.i18n import LANGUAGES, SOURCE_LANGUAGE

LANGUAGE_FILE = ".nngrade-report.json"


def remembered_language(results: Path) -> str | None:
    """The language the report of `results` was last rendered in; None when it was never
    rendered by an nngrade that remembers it (or the record is unusable)."""
    try:
        record = json.loads((Path(results) / LANGUAGE_FILE).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    lang = record.get("lang") if isinstance(record, dict) else None
    return lang if lang in LANGUAGES else None


def remember_language(results: Path, lang: str) -> None:
    """Record `lang` as the language of the report of `results` (nothing is written when it
    already is)."""
    text = json.dumps({"lang": lang}) + "\n"
    write_text_atomic(Path(results) / LANGUAGE_FILE, text, skip_unchanged=True, durable=False)


def report_language(results: Path, requested: str | None) -> tuple[str, bool]:
    """The language to render `results` in: `requested` if given, else the remembered one,
    else English; and whether it is the remembered one (to say so)."""
    if requested:
        return requested, False
    remembered = remembered_language(results)
    if remembered is not None:
        return remembered, True
    return SOURCE_LANGUAGE, False
