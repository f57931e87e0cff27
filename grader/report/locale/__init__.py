"""The report's gettext catalogs: `<lang>/LC_MESSAGES/nngrade.po`, compiled to `.mo`.

After editing a `.po` file, recompile with ``python -m grader.report.locale``; a test fails
while a `.mo` file is out of date with its `.po`.
"""

from __future__ import annotations

import io
from pathlib import Path

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po

LOCALE_DIR = Path(__file__).parent
DOMAIN = "nngrade"
LANGUAGES: tuple[str, ...] = ("en", "fr")


def po_path(lang: str) -> Path:
    """The editable catalog of `lang`."""
    return LOCALE_DIR / lang / "LC_MESSAGES" / f"{DOMAIN}.po"


def mo_path(lang: str) -> Path:
    """The compiled catalog of `lang`, the one the pages load."""
    return po_path(lang).with_suffix(".mo")


def compiled_catalog(lang: str) -> bytes:
    """The `.mo` bytes that `lang`'s `.po` compiles to (deterministic)."""
    with po_path(lang).open("rb") as source:
        catalog = read_po(source, locale=lang, domain=DOMAIN)
    buffer = io.BytesIO()
    write_mo(buffer, catalog, use_fuzzy=False)
    return buffer.getvalue()


def compile_catalogs() -> list[Path]:
    """Write every language's `.mo` from its `.po`; return the files written."""
    written = []
    for lang in LANGUAGES:
        path = mo_path(lang)
        path.write_bytes(compiled_catalog(lang))
        written.append(path)
    return written
