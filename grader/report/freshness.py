"""Whether a page on disk is current, so that a page is rendered only when its inputs changed.

Beside each page, a hidden stamp (``.<page>.fingerprint``) records the fingerprint of what
the page was rendered from, and the SHA-256 of the page as it was written. The fingerprint
covers the renderer (every file of the `grader` package, templates, translations and exercise
catalog included, and the versions of the libraries that write the pages), the language and
the page's own inputs (for a feedback page: its result document, as text). A page is current
when its stamp holds the same fingerprint and the page still has the bytes it was written
with; anything else (no stamp, a stamp that cannot be read, a page deleted, edited or cut
short) means render it again. The page is written before its stamp, so a run killed between
the two leaves a page that the next run renders again, never a stale page taken for current.
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import json
from collections.abc import Iterable, Iterator
from importlib import metadata
from pathlib import Path

from grader.atomic import text_blocks, write_chunks_atomic, write_text_atomic
from grader.fingerprint import package_fingerprint

STAMP_SUFFIX = ".fingerprint"
# The libraries whose output is part of a page: templates, escaping, numbers and plurals.
RENDERING_LIBRARIES = ("jinja2", "markupsafe", "babel")


def sha256_text(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


@functools.cache
def renderer_fingerprint() -> str:
    """What the pages are made with: the `grader` package's files and the rendering libraries.

    Computed once per process (a few milliseconds). Any file of the package counts, not
    only the report's: a page also shows the exercise catalog, the lecture pointers and
    the messages of the hidden suites' diagnoses, wherever they live.
    """
    versions = []
    for name in RENDERING_LIBRARIES:
        with contextlib.suppress(metadata.PackageNotFoundError):
            versions.append(f"{name}=={metadata.version(name)}")
    return sha256_text(" ".join([*versions, package_fingerprint()]))


def fingerprint(lang: str, inputs: object) -> str:
    """The fingerprint of a page in `lang` made from `inputs` (JSON data) by this renderer."""
    key = json.dumps([renderer_fingerprint(), lang, inputs], sort_keys=True)
    return sha256_text(key)


def stamp_path(page: Path) -> Path:
    """Where the stamp of `page` lives: ``.<name>.fingerprint`` beside it."""
    return page.with_name(f".{page.name}{STAMP_SUFFIX}")


def is_current(page: Path, fingerprint: str) -> bool:
    """Whether `page` was rendered with `fingerprint` and has not changed since."""
    try:
        stamp = json.loads(stamp_path(page).read_text(encoding="utf-8"))
        if not isinstance(stamp, dict) or stamp.get("fingerprint") != fingerprint:
            return False
        return stamp.get("page_sha256") == hashlib.sha256(page.read_bytes()).hexdigest()
    except (OSError, ValueError):  # no stamp or no page, or a stamp cut short: render
        return False


def write_page(page: Path, html: str | Iterable[str], fingerprint: str) -> None:
    """Write `page` atomically, then its stamp; `html` is the page's text, or its pieces
    (written as they come, never held whole).

    Neither is synced to the disk: a page is made again from its result, which is, and
    `is_current` checks the page's bytes against its stamp, so a page a power cut left
    empty or old is rendered again by the next run, never taken for current.
    """
    digest = hashlib.sha256()

    def pieces() -> Iterator[str]:
        for piece in text_blocks(html) if isinstance(html, str) else html:
            digest.update(piece.encode("utf-8"))
            yield piece

    write_chunks_atomic(page, pieces, durable=False)
    stamp = {"fingerprint": fingerprint, "page_sha256": digest.hexdigest()}
    write_text_atomic(stamp_path(page), json.dumps(stamp, sort_keys=True) + "\n", durable=False)
