"""The command line in French: help pages, usage errors and click's own words.

The English texts the French must not contain are taken from the commands themselves
(their docstrings, their options' help, their epilogs), and from the same command run in
English.
"""

from __future__ import annotations

import ast
import gettext
import importlib
import inspect
import os
import re
import string
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import click
import pytest
from click.testing import CliRunner

from grader.cli import main
from grader.click_messages import (
    CLICK_MODULES,
    MESSAGES,
    PLURAL_MESSAGES,
    click_speaks,
)
from grader.commands.language import Command, Group, command_line_language
from grader.exports.canvas import DEFAULT_ASSIGNMENT
from grader.i18n import LOCALE_VARIABLES, translations
from grader.locale import translations as catalog

FRENCH = {"LANG": "fr_FR.UTF-8", "LC_ALL": None, "LC_MESSAGES": None}
ENGLISH = {"LANG": "C", "LC_ALL": None, "LC_MESSAGES": None}
NNGRADE = Path(sys.executable).with_name("nngrade")


def every_command() -> Iterator[tuple[list[str], click.Command]]:
    """Each command of `nngrade`, the group itself first, with the words that name it."""
    pending: list[tuple[list[str], click.Command]] = [([], main)]
    while pending:
        path, command = pending.pop(0)
        yield path, command
        if isinstance(command, click.Group):
            context = click.Context(command)
            for name in command.list_commands(context):
                sub = command.get_command(context, name)
                assert sub is not None
                pending.append(([*path, name], sub))


def english_texts(command: click.Command) -> list[str]:
    """The help texts of `command`, as its code writes them."""
    texts = [command.help or "", command.epilog or ""]
    texts += [getattr(param, "help", None) or "" for param in command.params]
    return [text for text in texts if text]


def phrases(text: str) -> set[str]:
    """The phrases of a text of four words or more (sentences, parts of sentences, the
    descriptions in an aligned table), whitespace collapsed; examples of commands left out,
    they read the same in every language."""
    found = set()
    for chunk in re.split(r"\n|\s{2,}|[.;:?!]\s|\[|\]|\(|\)", inspect.cleandoc(text)):
        phrase = " ".join(chunk.replace("\b", " ").split()).strip(" .,;:")
        if len(phrase.split()) >= 4 and not re.match(r"(nngrade|nbgrader|cd|python) ", phrase):
            found.add(phrase)
    return found


def flat(text: str) -> str:
    return " ".join(text.split())


def invoke(args: list[str], env: dict[str, str | None]) -> click.testing.Result:
    return CliRunner().invoke(main, args, env=env, prog_name="nngrade")


SAME_IN_FRENCH = {"argument", "arguments", "option", "options", "version"}
"""Words that French writes as English does."""


def words(text: str) -> set[str]:
    """The lower-case words of a sentence, without what is quoted, options, metavars, file
    extensions, command names and the words French shares with English."""
    text = re.sub(r"'[^']*'|--?[\w-]+|\b[A-Z_]{2,}\b|\.\w+", " ", text)
    names = {name for path, _ in every_command() for name in path} | {"nngrade"}
    found = {word.lower() for word in re.findall(r"[A-Za-zÀ-ÿ]+", text) if len(word) > 3}
    return found - names - SAME_IN_FRENCH


# ----- the language of the command line -----------------------------------------------


@pytest.mark.parametrize(
    ("args", "environ", "lang"),
    [
        (["grade", "--lang", "fr", "x"], {}, "fr"),
        (["grade", "--lang=fr", "x"], {"LANG": "C"}, "fr"),
        (["grade", "--lang", "en", "x"], {"LANG": "fr_FR.UTF-8"}, "en"),
        (["grade", "--lang", "fr", "--lang", "en"], {}, "en"),
        (["grade", "--lang", "de"], {"LANG": "fr_FR.UTF-8"}, "fr"),
        (["grade", "--lang", "de"], {}, "en"),
        (["--help"], {"LC_ALL": "fr_CA.UTF-8", "LANG": "en_US.UTF-8"}, "fr"),
        (["--help"], {"LANG": "C"}, "en"),
        (["grade", "--", "--lang", "fr"], {}, "en"),
        (["grade", "--lang"], {}, "en"),
    ],
)
def test_the_command_line_speaks_its_lang_option_else_the_locale(args, environ, lang) -> None:
    assert command_line_language(args, environ) == lang


def test_every_command_speaks_the_command_line_language() -> None:
    for path, command in every_command():
        kind = Group if isinstance(command, click.Group) else Command
        assert isinstance(command, kind), path


# ----- usage errors ---------------------------------------------------------------------


def test_a_missing_submission_is_a_french_error_with_exit_2(tmp_path: Path) -> None:
    nobody = str(tmp_path / "nobody.zip")
    english = invoke(["grade", "--lang", "en", nobody], ENGLISH)
    french = invoke(["grade", "--lang", "fr", nobody], ENGLISH)
    assert english.exit_code == french.exit_code == 2
    assert "does not exist" in english.output and "Try 'nngrade grade --help'" in english.output
    assert "n'existe pas" in french.output and "Erreur" in french.output
    assert "Essayez" in french.output and "nngrade grade --help" in french.output
    assert nobody in french.output
    assert words(english.output) & words(french.output) == set()
    assert not (tmp_path / "result.json").exists()


def test_the_lang_option_wins_over_a_french_locale() -> None:
    english = invoke(["grade", "--lang", "en", "/nonexistent/x.zip"], FRENCH)
    assert english.exit_code == 2
    assert "Usage:" in english.output and "does not exist" in english.output


def test_a_missing_argument_is_a_french_usage_error() -> None:
    english = invoke(["grade", "--lang", "en"], ENGLISH)
    french = invoke(["grade", "--lang", "fr"], ENGLISH)
    assert english.exit_code == french.exit_code == 2
    assert "Missing argument 'SUBMISSION'" in english.output
    assert "'SUBMISSION'" in french.output and "manquant" in french.output
    lines = french.output.splitlines()
    assert lines[0].startswith("Utilisation") and "nngrade grade" in lines[0]
    assert lines[1].startswith("Essayez") and "nngrade grade --help" in lines[1]
    assert words(english.output) & words(french.output) == set()


@pytest.mark.parametrize(
    "args",
    [
        ["batch", "--no-such-option"],
        ["batch", "--out"],
        ["batch", "--workers", "zero", "--out", "r"],
        ["batch", "--workers", "0", "--out", "r"],
        ["batch", "--force=yes", "--out", "r"],
        ["batch", "/nonexistent/class", "--out", "r"],
        ["report", "--lang", "de", "results"],
        ["grade", "a", "b"],
        ["release", "--forc"],
        ["batch", "--out", "r"],  # our own check: SUBMISSIONS or --nbgrader
        ["batch", "--out", "r", "--workers", "2", "--scheduler", "tcp://h:1", "s"],
    ],
)
def test_usage_errors_speak_french(args: list[str], tmp_path: Path) -> None:
    """click's errors (unknown option, missing value, invalid number, range, path, choice,
    extra argument) and our own, in French, exit 2, with no word of the English error."""
    english = invoke([*args, "--lang", "en"] if "--lang" not in args else args, ENGLISH)
    french = invoke([*args, "--lang", "fr"] if "--lang" not in args else args, FRENCH)
    assert english.exit_code == french.exit_code == 2, french.output
    assert "Error:" in english.output and "Erreur" in french.output
    english_error = english.output.split("Error:")[1]
    french_error = french.output.split("Erreur")[1]
    assert words(english_error) & words(french_error) == set(), (english_error, french_error)


def test_an_unknown_command_or_option_is_a_french_error_with_a_suggestion() -> None:
    command = invoke(["gradde"], FRENCH)
    assert command.exit_code == 2
    assert "'gradde'" in command.output and "No such command" not in command.output
    english = invoke(["release", "--forc"], ENGLISH)
    option = invoke(["release", "--forc"], FRENCH)
    assert "Did you mean '--force'?" in english.output
    assert option.exit_code == 2 and "--force" in option.output
    assert "Did you mean" not in option.output and "Vouliez-vous" in option.output


# ----- help -----------------------------------------------------------------------------


def test_every_help_page_in_french_has_none_of_its_english() -> None:
    """Each command's help, options and epilog: every English phrase of them is on its
    English page, and none on its French one."""
    checked = 0
    for path, command in every_command():
        english = invoke([*path, "--help"], ENGLISH)
        french = invoke([*path, "--help"], FRENCH)
        assert english.exit_code == french.exit_code == 0, path
        expected = set().union(*map(phrases, english_texts(command)))
        assert expected, path
        for phrase in expected:
            assert phrase in flat(english.output), (path, phrase)
            assert phrase not in flat(french.output), (path, phrase)
            checked += 1
        for heading in ("Usage:", "Show this message and exit."):
            assert heading in english.output and heading not in french.output, (path, heading)
    assert checked > 150


def test_the_help_of_a_french_run_is_french_and_english_otherwise() -> None:
    french = invoke(["grade", "--help", "--lang", "fr"], ENGLISH)
    english = invoke(["grade", "--help"], ENGLISH)
    assert french.exit_code == english.exit_code == 0
    assert french.output.startswith("Utilisation") and "Options:" in french.output
    assert "soumission" in french.output and "[par défaut" in french.output
    assert "Code de sortie" in french.output
    assert english.output.startswith("Usage:") and "[default: en]" in english.output
    # The help option was made in a French run: it still reads English in an English one.
    assert "Show this message and exit." in english.output
    assert english.output == invoke(["grade", "--help"], {"LANG": None, **ENGLISH}).output


def test_the_installed_command_speaks_the_locale() -> None:
    environ = {k: v for k, v in os.environ.items() if k not in LOCALE_VARIABLES}
    french = subprocess.run(
        [NNGRADE, "--help"], env={**environ, "LANG": "fr_FR.UTF-8"}, capture_output=True, text=True
    )
    plain = subprocess.run([NNGRADE, "--help"], env=environ, capture_output=True, text=True)
    c_locale = subprocess.run(
        [NNGRADE, "--help"], env={**environ, "LANG": "C"}, capture_output=True, text=True
    )
    assert french.returncode == plain.returncode == c_locale.returncode == 0
    assert french.stdout.startswith("Utilisation") and "Commandes:" in french.stdout
    assert "Commands:" not in french.stdout and "Show the version" not in french.stdout
    assert plain.stdout == c_locale.stdout
    assert plain.stdout.startswith("Usage:") and "Show the version and exit." in plain.stdout
    version = subprocess.run(
        [NNGRADE, "--version"], env={**environ, "LANG": "fr_FR.UTF-8"}, capture_output=True
    )
    assert version.returncode == 0 and version.stdout.startswith(b"nngrade, version ")
    usage = subprocess.run(
        [NNGRADE, "grade", "-h", "--lang", "fr"], env=environ, capture_output=True, text=True
    )
    assert usage.returncode == 0 and usage.stdout.startswith("Utilisation")


def test_the_output_language_does_not_follow_the_command_line(tmp_path: Path) -> None:
    """A French locale translates the command line, not what `grade` writes: that is still
    chosen by --lang (English by default)."""
    (tmp_path / "nothing").mkdir()
    out = tmp_path / "result.json"
    result = invoke(["grade", str(tmp_path / "nothing"), "--out", str(out), "-q"], FRENCH)
    assert result.exit_code == 1, result.output
    assert '"lang": "en"' in out.read_text()


def test_the_default_assignment_name_in_the_help_is_the_one_used() -> None:
    batch = main.get_command(click.Context(main), "batch")
    assert batch is not None
    (option,) = [p for p in batch.params if p.name == "assignment_name"]
    assert repr(DEFAULT_ASSIGNMENT) in (getattr(option, "help", None) or "")


# ----- click's messages in the catalog --------------------------------------------------


def _click_strings() -> set[str]:
    strings = set()
    for name in CLICK_MODULES:
        source = inspect.getsource(importlib.import_module(name))
        for node in ast.walk(ast.parse(source)):
            if isinstance(node, ast.Constant) and isinstance(node.value, str):
                strings.add(node.value)
    return strings


def test_every_click_message_of_the_catalog_is_still_clicks() -> None:
    """Each message of click that the catalog translates is written, verbatim, by the
    installed click: a click that rewords one fails here, not silently in English."""
    written = _click_strings()
    ours = [*MESSAGES, *(form for pair in PLURAL_MESSAGES for form in pair)]
    assert len(ours) > 25
    assert [message for message in ours if message not in written] == []


def test_click_translates_through_gettext_in_the_modules_that_are_routed() -> None:
    for name in CLICK_MODULES:
        module = importlib.import_module(name)
        assert module._ is gettext.gettext, name  # type: ignore[attr-defined]
    assert importlib.import_module("click.exceptions").ngettext is gettext.ngettext


def test_click_speaks_french_inside_and_english_again_outside() -> None:
    core = importlib.import_module("click.core")
    parser = importlib.import_module("click.parser")
    french = translations("fr")
    with click_speaks("fr"):
        assert core._("Usage:") == french.gettext("Usage:") != "Usage:"
        singular, plural = PLURAL_MESSAGES[2]
        assert parser.ngettext(singular, plural, 2) == french.ngettext(singular, plural, 2)
        assert parser.ngettext(singular, plural, 2) not in (singular, plural)
    assert core._ is gettext.gettext and parser.ngettext is gettext.ngettext
    with pytest.raises(RuntimeError), click_speaks("fr"):
        raise RuntimeError
    assert core._ is gettext.gettext


def test_click_translations_fill_only_the_fields_click_gives() -> None:
    """click formats its messages with str.format: a translation may leave out a field but
    not name one the message does not have."""
    translated = catalog("fr")
    for message in [*MESSAGES, *(pair[0] for pair in PLURAL_MESSAGES)]:
        plural = dict(PLURAL_MESSAGES).get(message, "")
        fields = _fields(message) | _fields(plural)
        for form in translated[message]:
            assert form and _fields(form) <= fields, (message, form)


def _fields(text: str) -> set[str]:
    return {field for _, field, _, _ in string.Formatter().parse(text) if field}


def test_a_batch_errs_in_the_language_its_results_folder_remembers(tmp_path: Path) -> None:
    """Without --lang, a batch on a folder whose report is French says what went wrong in
    French, as the English run on a folder that remembers nothing says it in English."""
    from grader.report.language import remember_language

    empty = tmp_path / "submissions"
    empty.mkdir()
    english = CliRunner().invoke(main, ["batch", str(empty), "--out", str(tmp_path / "new")])
    results = tmp_path / "results"
    results.mkdir()
    remember_language(results, "fr")
    french = CliRunner().invoke(main, ["batch", str(empty), "--out", str(results)])
    assert english.exit_code == french.exit_code == 2
    assert "is empty" in english.output
    assert english.output.splitlines()[-1] not in french.output
    assert "est vide" in french.output
