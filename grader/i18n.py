"""One translation system for everything nngrade says to a person: gettext, one catalog.

Code writes each message in English, which is its gettext message id, with ``%(name)s``
placeholders, and translates it where it is shown, with `translator` from here::

    _ = translator(lang)
    print(_("%(file)s does not define `%(function)s`.", file=path, function=name))

A message defined in one place and shown in another (an exercise's title, a lecture
pointer) is marked where it is defined, with `N_` (the message alone) or `Text` (the message
and its fields, readable in every language: ``text["fr"]``), and translated where it is
shown; ``dict(Text(...))`` is the ``{language: sentence}`` that result documents store.
``python -m grader.locale`` finds every marked message in the sources, updates the catalogs
and compiles them; a test fails while one has no French translation.

A field that is a real number but not an integer (a value, a tolerance, seconds) is
written as a reader of the language writes numbers, by Babel (`format_number`): "1889.54"
in English, "1889,54" in French, the figures of the report's tables.

The compiled catalogs are ``locale/<lang>/LC_MESSAGES/nngrade.mo`` beside this module
(``grader/locale/``); English, the language of the message ids, needs none. This module
imports only the standard library (Babel when it is installed): the handout ships a copy
of it and of the compiled catalogs beside its self-check, which then speaks the student's
language on its own.
"""

from __future__ import annotations

import functools
import gettext
import math
import numbers
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Protocol

LANGUAGES: tuple[str, ...] = ("en", "fr")
"""Every language nngrade speaks. The first one is the language of the message ids."""

DECIMAL_COMMA: frozenset[str] = frozenset({"fr"})
"""The languages that write a decimal comma (the others a point), for a handout without
Babel (Babel knows it otherwise); a test keeps it equal to Babel's."""

SOURCE_LANGUAGE = LANGUAGES[0]
DOMAIN = "nngrade"
LOCALE_DIR = Path(__file__).resolve().with_name("locale")

# The locale variables that name the user's language, most specific first (as gettext).
LOCALE_VARIABLES: tuple[str, ...] = ("LC_ALL", "LC_MESSAGES", "LANG")


class Translator(Protocol):
    """Translates a message id, then fills its ``%(name)s`` placeholders with `fields`."""

    def __call__(self, message: str, /, **fields: object) -> str: ...


class UnknownLanguage(ValueError):
    """A language nngrade does not speak; the message lists the ones it does."""


def check_language(lang: str) -> str:
    """`lang` itself if nngrade speaks it; otherwise `UnknownLanguage`, listing the languages."""
    if lang not in LANGUAGES:
        raise UnknownLanguage(
            f"nngrade does not speak {lang!r}; choose one of: {', '.join(LANGUAGES)}."
        )
    return lang


def catalog_path(lang: str) -> Path:
    """The compiled catalog of `lang` (there is none for the source language)."""
    return LOCALE_DIR / lang / "LC_MESSAGES" / f"{DOMAIN}.mo"


@functools.cache
def translations(lang: str) -> gettext.NullTranslations:
    """The gettext translations of `lang`, loaded once.

    Raises:
        UnknownLanguage: nngrade does not speak `lang`.
        FileNotFoundError: the compiled catalog of `lang` is missing (it says how to build it).
    """
    if check_language(lang) == SOURCE_LANGUAGE:
        return gettext.NullTranslations()
    path = catalog_path(lang)
    try:
        with path.open("rb") as stream:
            return gettext.GNUTranslations(stream)
    except FileNotFoundError:
        raise FileNotFoundError(
            f"The {lang!r} catalog {path} is missing: compile it with "
            "`python -m grader.locale` from the project (a handout gets it at release)."
        ) from None


def translator(lang: str) -> Translator:
    """The translating function of `lang` (see the module's docstring)."""
    lookup = translations(lang).gettext

    def translate(message: str, /, **fields: object) -> str:
        text = lookup(message)
        if not fields:
            return text
        return text % {key: _in(value, lang) for key, value in fields.items()}

    return translate


class PluralTranslator(Protocol):
    """Picks the form of `singular`/`plural` that `count` takes, translates it, then fills
    its ``%(name)s`` placeholders with `fields` and ``count``."""

    def __call__(self, singular: str, plural: str, count: int, /, **fields: object) -> str: ...


def plural_translator(lang: str) -> PluralTranslator:
    """The translating function of `lang` for messages that hold a count.

    Bind it to the name ``ngettext`` so that the catalog tools find its messages::

        ngettext = plural_translator(lang)
        ngettext("Wrote %(count)s page.", "Wrote %(count)s pages.", n)

    Each language has its own rule (French: 0 and 1 take the singular).
    """
    lookup = translations(lang).ngettext

    def translate(singular: str, plural: str, count: int, /, **fields: object) -> str:
        text = lookup(singular, plural, count)
        values = {"count": count, **fields}
        return text % {key: _in(value, lang) for key, value in values.items()}

    return translate


def N_(message: str) -> str:
    """Mark `message` for the catalog where it is defined; translate it where it is shown."""
    return message


LANGUAGE_NAMES: Mapping[str, str] = {"en": N_("English"), "fr": N_("French")}
"""Each language of `LANGUAGES` by its English name (a message: translate it to show it)."""


class Text(Mapping[str, str]):
    """A message and its fields, readable in every language of `LANGUAGES`.

    ``Text("%(n)s layers", n=3)["fr"]`` translates, then fills the fields (a field that is a
    `Text` itself is translated too). As a mapping it holds one entry per language, which
    is what the result documents and the handout store: ``dict(text)`` is
    ``{"en": ..., "fr": ...}``.
    """

    __slots__ = ("fields", "message")

    def __init__(self, message: str, /, **fields: object) -> None:
        self.message = message
        self.fields = dict(fields)

    def __getitem__(self, lang: str) -> str:
        if lang not in LANGUAGES:
            raise KeyError(lang)
        return translator(lang)(self.message, **self.fields)

    def __iter__(self) -> Iterator[str]:
        return iter(LANGUAGES)

    def __len__(self) -> int:
        return len(LANGUAGES)

    def __eq__(self, other: object) -> bool:
        if isinstance(other, Text):
            return (self.message, self.fields) == (other.message, other.fields)
        return super().__eq__(other)

    def __hash__(self) -> int:
        return hash(self.message)  # fields may be lists; equal texts share their message

    def __repr__(self) -> str:
        fields = "".join(f", {key}={value!r}" for key, value in self.fields.items())
        return f"Text({self.message!r}{fields})"

    def __str__(self) -> str:
        """The text in the source language: how an error raised with a `Text` reads in a log."""
        return self[SOURCE_LANGUAGE]


def sentences(*parts: Mapping[str, str] | None) -> dict[str, str]:
    """Sentences one after the other, in every language: ``{"en": ..., "fr": ...}``.

    Each part is a `Text` or a ``{language: sentence}`` dict (a diagnosis, a hint); a part
    that is None or empty is left out.
    """
    return {
        lang: " ".join(text for part in parts if part and (text := part.get(lang, "")))
        for lang in LANGUAGES
    }


def _in(value: object, lang: str) -> object:
    if isinstance(value, Text):
        return value[lang]
    if isinstance(value, Mapping) and lang in value:  # {language: sentence}
        return value[lang]
    if isinstance(value, numbers.Real) and not isinstance(value, numbers.Integral):
        return format_number(float(value), lang)
    return value


SIGNIFICANT_DIGITS = 6
"""A number written plainly has up to this many significant digits, without grouping."""
SCIENTIFIC = "0.###E0"
"""Babel's pattern of a number too large or too small to write plainly: four significant
digits and a power of ten."""


def format_number(number: float, lang: str, digits: int = SIGNIFICANT_DIGITS) -> str:
    """`number` as a reader of `lang` writes it: 1889.54 -> "1889.54" (en), "1889,54" (fr).

    Up to `digits` significant digits (more to show two close values apart), without
    grouping; below 1e-4 or from 1e6 on, four digits and a power of ten ("1,5E-7"); NaN and
    infinities as numpy prints them. Without Babel (a handout on its own), Python's
    notation with the language's decimal separator.
    """
    if math.isnan(number):
        return "nan"
    if math.isinf(number):
        return "inf" if number > 0 else "-inf"
    if number == 0:
        return "0"
    plain = 1e-4 <= abs(number) < 1e6
    pattern = "@" + "#" * (digits - 1) if plain else SCIENTIFIC
    return _formatted(number, pattern, check_language(lang))


@functools.lru_cache(maxsize=512)
def _formatted(number: float, pattern: str, lang: str) -> str:
    # Memoised: a class's pages write the same few numbers tens of thousands of times, and
    # Babel is slow at it. The rest are a student's own values, about 14 a page, seldom
    # seen again: 512 entries hit as often as 8192 on a class of 200, and stay small
    # (8192 took about 2 MB, in every process that renders pages).
    try:
        from babel.numbers import format_decimal, format_scientific
    except ImportError:
        plain = pattern.startswith("@")
        text = format(number, f".{len(pattern)}g" if plain else ".4g")
        return text.replace(".", ",") if lang in DECIMAL_COMMA else text
    if pattern.startswith("@"):
        return str(format_decimal(number, format=pattern, locale=lang))
    return str(format_scientific(number, format=pattern, locale=lang))


def in_language(message: str | Mapping[str, str], lang: str) -> str:
    """`message` in `lang`: a `Text`, or the ``{language: sentence}`` a document stores
    (in English where it lacks `lang`); a plain string is a sentence that exists in one
    language only, such as an exception's own message, and is returned as it is."""
    if isinstance(message, str):
        return message
    return message.get(lang) or message.get(SOURCE_LANGUAGE) or ""


def detect_language(requested: str | None, environ: Mapping[str, str]) -> str:
    """`requested` if given, else the language of the first locale variable that is set.

    ``fr_FR.UTF-8`` gives ``"fr"``; an unset locale, or one nngrade does not speak, gives
    the source language (English).
    """
    if requested:
        return requested if requested in LANGUAGES else SOURCE_LANGUAGE
    for variable in LOCALE_VARIABLES:
        value = environ.get(variable, "")
        if value:
            code = value.split("_")[0].split(".")[0].lower()
            return code if code in LANGUAGES else SOURCE_LANGUAGE
    return SOURCE_LANGUAGE
