"""One translation system: every message of the code in the catalog, translated, compiled."""

from __future__ import annotations

import ast
import inspect
import re
from pathlib import Path

import click
import pytest

from grader.commands.language import help_messages
from grader.errors import UsageError
from grader.i18n import (
    LANGUAGES,
    N_,
    Text,
    UnknownLanguage,
    detect_language,
    in_language,
    plural_translator,
    translator,
)
from grader.locale import (
    KEYWORDS,
    TRANSLATED,
    compiled_catalog,
    messages_in,
    mo_path,
    source_files,
    stale,
    translations,
    untranslated,
    used_messages,
)

PLACEHOLDER = re.compile(r"%\((\w+)\)[sdr]")


def test_languages_are_declared_once_and_english_is_the_source() -> None:
    """The catalogs cover every language but the one the code is written in."""
    assert LANGUAGES[0] == "en" and "fr" in LANGUAGES
    assert LANGUAGES[1:] == TRANSLATED


@pytest.mark.parametrize("lang", TRANSLATED)
def test_the_catalog_holds_exactly_the_messages_of_the_code(lang: str) -> None:
    """No message of the code is missing from the .po, none of the .po is unused, and the
    .mo is the compiled .po (otherwise: python -m grader.locale)."""
    assert stale(lang) == []
    assert mo_path(lang).read_bytes() == compiled_catalog(lang)


def test_every_message_has_a_french_translation() -> None:
    """Each message id used in the code or the templates is translated into French."""
    used = used_messages()
    assert len(used) > 150
    assert untranslated("fr") == []
    assert set(translations("fr")) == set(used)


@pytest.mark.parametrize("lang", TRANSLATED)
def test_translations_keep_the_placeholders_of_their_message(lang: str) -> None:
    """A translation fills exactly the fields its message has, or formatting would fail."""
    for message, strings in translations(lang).items():
        fields = sorted(PLACEHOLDER.findall(message))
        for string in strings:
            assert sorted(PLACEHOLDER.findall(string)) == fields, message


def test_translator_translates_then_fills_the_fields() -> None:
    """`translator(lang)` looks the message up, then formats it; English is the message."""
    message = "%(function)s: yours and expected, over z in [-5, 5]"
    assert translator("en")(message, function="relu") == (
        "relu: yours and expected, over z in [-5, 5]"
    )
    assert translator("fr")(message, function="relu") == (
        "relu : la vôtre et celle attendue, pour z dans [-5, 5]"
    )
    with pytest.raises(UnknownLanguage, match="en, fr"):
        translator("de")


def test_text_is_a_message_readable_in_every_language() -> None:
    """A Text holds one entry per language; fields that are Texts are translated too."""
    section = Text(N_("Backward propagation"))
    assert dict(section) == {"en": "Backward propagation", "fr": "Rétropropagation"}
    pointer = Text("%(function)s: yours and expected, over z in [-5, 5]", function=section)
    assert pointer["fr"].startswith("Rétropropagation : ")
    assert pointer.get("de") is None
    # A {language: sentence} field (a stored problem's messages) is read in the language too.
    problem = {"en": "line 3 is wrong", "fr": "la ligne 3 est fausse"}
    assert Text("%(function)s: yours and expected, over z in [-5, 5]", function=problem)["fr"] == (
        "la ligne 3 est fausse : la vôtre et celle attendue, pour z dans [-5, 5]"
    )
    assert Text("Passed") == Text("Passed") and Text("Passed") != Text("Failed")


def test_a_count_takes_the_form_its_language_gives_it() -> None:
    """English says "0 pages", French "0 page": the plural rule is the language's."""
    singular, plural = "Wrote %(count)s feedback page", "Wrote %(count)s feedback pages"
    english, french = plural_translator("en"), plural_translator("fr")
    assert [english(singular, plural, n) for n in (0, 1, 2)] == [
        "Wrote 0 feedback pages",
        "Wrote 1 feedback page",
        "Wrote 2 feedback pages",
    ]
    assert [french(singular, plural, n) for n in (0, 1, 2)] == [
        "0 page de retour écrite",
        "1 page de retour écrite",
        "2 pages de retour écrites",
    ]


def test_an_error_raised_with_a_text_reads_in_english_and_keeps_every_language() -> None:
    """`str(error)` (a log, a traceback) is English; a command shows `error.text` in its own."""
    error = UsageError(Text("--only needs at least one student id."))
    assert str(error) == "--only needs at least one student id."
    assert in_language(error.text, "fr") == "--only demande au moins un identifiant d'étudiant."
    assert UsageError("plain").text == "plain"
    assert in_language({"en": "Hello", "fr": "Bonjour"}, "fr") == "Bonjour"
    assert in_language({"en": "Hello"}, "fr") == "Hello"


@pytest.mark.parametrize(
    ("requested", "environ", "lang"),
    [
        (None, {"LANG": "fr_FR.UTF-8"}, "fr"),
        (None, {"LC_ALL": "en_GB.UTF-8", "LANG": "fr_FR.UTF-8"}, "en"),
        (None, {"LC_MESSAGES": "fr_CA"}, "fr"),
        (None, {"LANG": "de_DE.UTF-8"}, "en"),
        (None, {}, "en"),
        ("fr", {"LANG": "C"}, "fr"),
    ],
)
def test_language_follows_option_then_locale(requested, environ, lang) -> None:
    """--lang wins; else LC_ALL, LC_MESSAGES, LANG in that order; unknown means English."""
    assert detect_language(requested, environ) == lang


def _command_help_by_file() -> dict[Path, set[str]]:
    """The messages of the help of every command of `nngrade` (their docstrings, which the
    help translates paragraph by paragraph), by the file that defines the command."""
    from grader.cli import main

    found: dict[Path, set[str]] = {}
    pending: list[click.Command] = [main]
    while pending:
        command = pending.pop()
        path = Path(inspect.getsourcefile(command.callback) or "").resolve()
        found.setdefault(path, set()).update(help_messages(command.help or ""))
        if isinstance(command, click.Group):
            context = click.Context(command)
            names = command.list_commands(context)
            pending.extend(filter(None, (command.get_command(context, n) for n in names)))
    return found


def test_the_tools_find_every_message_the_code_marks() -> None:
    """Every call that marks a literal message (``_``, ``N_``, ``Text``, ``gettext``...),
    and every paragraph of a command's help, is one the catalog tools find: a call inside
    an f-string, say, would be missed by them and never translated."""
    help_by_file = _command_help_by_file()
    assert len(help_by_file) > 5 and all(help_by_file.values())
    for path in source_files():
        if path.suffix != ".py":
            continue
        marked = set(help_by_file.get(path.resolve(), ()))
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not isinstance(node, ast.Call) or not node.args:
                continue
            function = node.func
            name = function.attr if isinstance(function, ast.Attribute) else None
            name = function.id if isinstance(function, ast.Name) else name
            first = node.args[0]
            if (
                name in KEYWORDS
                and isinstance(first, ast.Constant)
                and isinstance(first.value, str)
            ):
                marked.add(first.value)
        assert marked == messages_in(path), path


def test_numbers_in_sentences_are_written_as_the_language_writes_them() -> None:
    """A real number reads 1889.54 in English and 1889,54 in French, in a sentence as in the
    report's tables; integers (a line, m) and shapes are left as they are."""
    import numpy as np

    from grader.report import formatting

    message = "%(value)s at line %(line)s, shape %(shape)s, tolerance %(tolerance)s"
    fields = {"value": 1889.54, "line": 12000, "shape": (3, 4), "tolerance": 1.5e-7}
    assert translator("en")(message, **fields) == (
        "1889.54 at line 12000, shape (3, 4), tolerance 1.5E-7"
    )
    assert translator("fr")(message, **fields) == (
        "1889,54 at line 12000, shape (3, 4), tolerance 1,5E-7"
    )
    assert Text("%(seconds)s s", seconds=np.float32(0.5))["fr"] == "0,5 s"
    assert Text("%(seconds)s s", seconds=2.0)["en"] == "2 s"
    for number in (1889.54, -0.25, 3e-9, float("nan")):
        assert formatting.value(number, "fr") == translator("fr")("%(v)s", v=number)


def test_a_handout_without_babel_writes_numbers_as_its_language_does(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The handout's copy of this module runs where Babel is not installed: a French
    self-check still writes 0,5 and 1889,54, with the separator Babel would use."""
    import sys

    from babel.numbers import get_decimal_symbol

    from grader import i18n

    for lang in i18n.LANGUAGES:
        assert get_decimal_symbol(lang) == ("," if lang in i18n.DECIMAL_COMMA else ".")
    with_babel = [i18n.format_number(x, "fr", 8) for x in (1889.54, 0.5, 0.123456789)]
    monkeypatch.setitem(sys.modules, "babel.numbers", None)  # `import` raises ImportError
    i18n._formatted.cache_clear()
    try:
        assert i18n.format_number(1889.54, "fr") == "1889,54"
        assert i18n.format_number(0.5, "fr") == "0,5"
        assert i18n.format_number(0.123456789, "fr", 8) == "0,12345679"
        assert i18n.format_number(0.123456789, "en", 8) == "0.12345679"
        assert [i18n.format_number(x, "fr", 8) for x in (1889.54, 0.5, 0.123456789)] == (with_babel)
    finally:
        i18n._formatted.cache_clear()


def _inline_translations(tree: ast.AST) -> list[int]:
    """Lines where the code writes a message and its translation itself: a dict literal
    with "en" and "fr" keys and a literal among its values, or a literal passed as a
    French keyword argument (``fr=``, ``..._fr=``)."""
    literal = (ast.Constant, ast.JoinedStr)
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Dict):
            keys = {key.value for key in node.keys if isinstance(key, ast.Constant)}
            if {"en", "fr"} <= keys and any(isinstance(v, literal) for v in node.values):
                found.append(node.lineno)
        elif (
            isinstance(node, ast.keyword)
            and (node.arg == "fr" or (node.arg or "").endswith("_fr"))
            and isinstance(node.value, literal)
        ):
            found.append(node.value.lineno)
    return found


def test_no_message_is_translated_outside_the_catalog() -> None:
    """One translation system: the code writes English messages and the catalog holds
    their French, so that a missing translation fails the tests above. A French sentence
    written beside its English in the code would escape them."""
    assert _inline_translations(ast.parse('m = {"en": "Passed", "fr": "Réussi"}')) == [1]
    assert _inline_translations(ast.parse('fail(en=f"{x} is wrong", fr=f"{x} est faux")')) == [1]
    offenders = {
        str(path): lines
        for path in source_files()
        if path.suffix == ".py"
        and (lines := _inline_translations(ast.parse(path.read_text(encoding="utf-8"))))
    }
    assert offenders == {}
