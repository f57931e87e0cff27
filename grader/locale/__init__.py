"""The catalogs of `grader.i18n`: find the messages in the sources, merge, compile.

``<lang>/LC_MESSAGES/nngrade.po`` holds the translations of every language but English
(the message ids are English); ``nngrade.mo`` beside it is what `grader.i18n` loads. After
adding or changing a message in the code, or a translation in a ``.po`` file, run
``python -m grader.locale``: it adds the new messages to every ``.po`` (with an empty
translation to fill in), drops the ones no longer used, and recompiles the ``.mo`` files.
Tests fail while a message has no translation or a ``.mo`` is stale.

The messages are the literal arguments of ``_``, ``N_``, ``ngettext``, ``Text`` (see
`KEYWORDS`) and the templates' ``{% trans %}``, and the docstrings of the command line's
commands, which are their help (`command_help`).

This is the translators' tooling and needs Babel; what runs at grading, or in the
handout, is `grader.i18n` alone.
"""

from __future__ import annotations

import ast
import io
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from babel.messages.catalog import Catalog
from babel.messages.extract import extract
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po, write_po
from jinja2.ext import babel_extract

from grader.commands.language import help_messages
from grader.i18n import DOMAIN, LANGUAGES, LOCALE_DIR, SOURCE_LANGUAGE

GRADER_DIR = LOCALE_DIR.parent

KEYWORDS: dict[str, tuple[int, ...] | None] = {
    "_": None,
    "gettext": None,
    "ngettext": (1, 2),
    "N_": None,
    "Text": None,
}
"""The calls whose first string argument is a message id (``ngettext``: the first two)."""

TRANSLATED: tuple[str, ...] = tuple(lang for lang in LANGUAGES if lang != SOURCE_LANGUAGE)
"""The languages with a catalog: every one but the language of the message ids."""

HEADER = (
    "# {language} messages of nngrade: grading, the reports, the self-check, the exercises,\n"
    "# the notebook and the command line.\n"
    "# Fill in each msgstr, then run: python -m grader.locale\n"
    "#"
)


@dataclass(frozen=True)
class Message:
    """One message found in the sources: its id, its plural (``ngettext``), where it is used."""

    id: str
    plural: str | None
    where: str


def source_files() -> list[Path]:
    """Every file whose messages the catalogs hold: the grader's Python code and templates."""
    files = sorted(GRADER_DIR.rglob("*.py")) + sorted(GRADER_DIR.rglob("*.j2"))
    return [path for path in files if "__pycache__" not in path.parts]


def _messages_of(path: Path) -> Iterator[tuple[int, str | tuple[str, ...]]]:
    # Babel's own extractor for Python, Jinja2's for the templates.
    method: Any = babel_extract if path.suffix == ".j2" else "python"
    options = {"extensions": "jinja2.ext.i18n"} if path.suffix == ".j2" else {}
    with path.open("rb") as source:
        for line, message, _, _ in extract(method, source, keywords=KEYWORDS, options=options):
            if message:
                yield line, message
    if path.suffix == ".py":
        yield from command_help(path.read_text(encoding="utf-8"))


def command_help(source: str) -> Iterator[tuple[int, str]]:
    """The help of each click command (or group) that a Python source defines: its
    docstring, one message per paragraph (`help_messages`), translated when the help is
    shown (`grader.commands.language`)."""
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.FunctionDef) and any(map(_makes_a_command, node.decorator_list)):
            docstring = ast.get_docstring(node, clean=False)
            for message in help_messages(docstring or ""):
                yield node.lineno, message


def _makes_a_command(decorator: ast.expr) -> bool:
    # @click.command(...), @click.group(...), @some_group.command(...)
    return (
        isinstance(decorator, ast.Call)
        and isinstance(decorator.func, ast.Attribute)
        and decorator.func.attr in ("command", "group")
    )


def messages_in(path: Path) -> set[str]:
    """The message ids (singular) that the tools find in one source file."""
    return {
        message[0] if isinstance(message, tuple) else message for _, message in _messages_of(path)
    }


def used_messages() -> dict[str, Message]:
    """Every message the sources mark for translation, by id, in order of appearance."""
    found: dict[str, Message] = {}
    for path in source_files():
        where = path.relative_to(GRADER_DIR.parent).as_posix()
        for line, message in _messages_of(path):
            singular, plural = (
                (message[0], message[1])
                if isinstance(message, tuple)
                else (
                    message,
                    None,
                )
            )
            found.setdefault(singular, Message(singular, plural, f"{where}:{line}"))
    return found


def po_path(lang: str) -> Path:
    """The editable catalog of `lang`."""
    return LOCALE_DIR / lang / "LC_MESSAGES" / f"{DOMAIN}.po"


def mo_path(lang: str) -> Path:
    """The compiled catalog of `lang`, the one `grader.i18n` loads."""
    return po_path(lang).with_suffix(".mo")


def read_catalog(lang: str) -> Catalog:
    """The `.po` catalog of `lang` (an empty one if the file does not exist yet)."""
    path = po_path(lang)
    if not path.exists():
        return Catalog(locale=lang, domain=DOMAIN)
    with path.open("rb") as source:
        return read_po(source, locale=lang, domain=DOMAIN)


def translations(lang: str) -> dict[str, tuple[str, ...]]:
    """message id -> its translation in `lang`: one string, or one per plural form of `lang`
    for an ``ngettext`` message ("" where not translated yet)."""
    found: dict[str, tuple[str, ...]] = {}
    for message in read_catalog(lang):
        if not message.id:
            continue  # the header
        singular = message.id[0] if isinstance(message.id, tuple | list) else message.id
        strings = message.string
        forms = list(strings) if isinstance(strings, tuple | list) else [strings]
        found[str(singular)] = tuple(form or "" for form in forms)
    return found


def plurals(lang: str) -> dict[str, str]:
    """message id -> its plural id, for the ``ngettext`` messages of the `.po` of `lang`."""
    return {
        message.id[0]: message.id[1]
        for message in read_catalog(lang)
        if isinstance(message.id, tuple | list)
    }


def compiled_catalog(lang: str) -> bytes:
    """The `.mo` bytes that `lang`'s `.po` compiles to (deterministic)."""
    buffer = io.BytesIO()
    write_mo(buffer, read_catalog(lang), use_fuzzy=False)
    return buffer.getvalue()


def updated_po(lang: str) -> bytes:
    """The `.po` of `lang` with every used message, its translations kept, unused ones gone."""
    old = read_catalog(lang)
    catalog = Catalog(
        locale=lang,
        domain=DOMAIN,
        header_comment=HEADER.format(language=lang),
        project="nngrade",
        version="1",
        msgid_bugs_address="nngrade developers",
        # Kept from the file, so that an update without new messages changes nothing.
        creation_date=old.creation_date,
        revision_date=old.revision_date,
        last_translator="nngrade developers",
        language_team=f"{lang} <nngrade>",
        fuzzy=False,
    )
    forms = catalog.num_plurals
    for message_id, message in sorted(used_messages().items()):
        key = (message_id, message.plural) if message.plural else message_id
        previous = old.get(key)
        flags = ("python-format",) if "%(" in message_id else ()
        if message.plural:
            before = previous.string if previous is not None else None
            strings = tuple(before) if isinstance(before, tuple | list) else ("",) * forms
            catalog.add(key, strings, flags=flags)
        else:
            catalog.add(key, previous.string if previous is not None else "", flags=flags)
    buffer = io.BytesIO()
    write_po(buffer, catalog, width=100, no_location=True)
    return buffer.getvalue()


def stale(lang: str) -> list[str]:
    """Why the catalog of `lang` is not in line with the sources (empty: it is)."""
    used, translated = set(used_messages()), translations(lang)
    known = plurals(lang)
    problems = []
    missing = sorted(used - set(translated))
    if missing:
        problems.append(f"{len(missing)} messages of the code are not in {po_path(lang)}")
    wrong_plurals = [
        message
        for message in used_messages().values()
        if message.id in translated and message.plural != known.get(message.id)
    ]
    if wrong_plurals:
        problems.append(f"{len(wrong_plurals)} messages of {po_path(lang)} lost their plural")
    unused = sorted(set(translated) - used)
    if unused:
        problems.append(f"{len(unused)} messages of {po_path(lang)} are no longer used")
    if not mo_path(lang).exists() or mo_path(lang).read_bytes() != compiled_catalog(lang):
        problems.append(f"{mo_path(lang)} is not the compiled {po_path(lang).name}")
    return problems


def untranslated(lang: str) -> list[str]:
    """The messages of the `.po` of `lang` whose translation is still empty."""
    return sorted(message for message, strings in translations(lang).items() if not all(strings))


def update_catalogs() -> list[Path]:
    """Bring every `.po` in line with the sources and compile every `.mo`; return what
    changed."""
    written = []
    for lang in TRANSLATED:
        po, text = po_path(lang), updated_po(lang)
        if not po.exists() or po.read_bytes() != text:
            po.parent.mkdir(parents=True, exist_ok=True)
            po.write_bytes(text)
            written.append(po)
        mo, compiled = mo_path(lang), compiled_catalog(lang)
        if not mo.exists() or mo.read_bytes() != compiled:
            mo.write_bytes(compiled)
            written.append(mo)
    return written
