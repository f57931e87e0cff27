"""The language of the command line itself: its help pages, its usage errors, click's words.

The command line speaks the language named by the ``--lang X`` (or ``--lang=X``) of the
command, if nngrade speaks it, else the language of the user's locale (``LC_ALL``,
``LC_MESSAGES``, ``LANG``: ``LANG=fr_FR.UTF-8`` gives French), else English. It is
decided from the arguments before click parses them, so that a usage error or a help page
is in that language too. What a command prints once it runs keeps following its own
``--lang`` and defaults (a class's report remembers its language).

Every command of `nngrade` is a `Command` or a `Group` of this module. Their help is
written in English, as gettext message ids: a command's docstring (the catalog tools take
the docstrings of click commands, one message per paragraph, see `help_messages`), an
option's ``help=N_("...")``, an epilog marked with `N_`. They are translated when the help
is shown; click's own words are routed to nngrade's catalog by
`grader.click_messages.click_speaks`.
"""

from __future__ import annotations

import copy
import inspect
import os
import re
import sys
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any, TypeVar

import click

from grader.click_messages import HELP_OPTION_HELP, click_speaks
from grader.i18n import LANGUAGES, SOURCE_LANGUAGE, detect_language, translator

LANG_OPTION = "--lang"
"""The option that chooses a command's language."""


def language_option(help_text: str, *, default: str | None = None) -> Callable[[F], F]:
    """The `LANG_OPTION` of a command: one of the languages nngrade speaks, `default` when
    left out (None: the command decides, e.g. from what a results folder remembers).
    `help_text` is marked with `N_` where the command is defined."""
    return click.option(
        LANG_OPTION,
        "lang",
        type=click.Choice(LANGUAGES),
        default=default,
        show_default=default is not None,
        help=help_text,
    )


NO_REWRAP = "\b\n"
"""What starts a paragraph of help that click prints as it is written, without rewrapping
it (examples, tables); the mark is not part of the paragraph's message."""

F = TypeVar("F", bound=Callable[..., Any])

_SPOKEN: ContextVar[str] = ContextVar("nngrade_command_line_language", default=SOURCE_LANGUAGE)


def command_line_language(args: Sequence[str], environ: Mapping[str, str]) -> str:
    """The language the command line speaks for `args` (see the module's docstring).

    The last ``--lang X`` or ``--lang=X`` before a ``--`` counts, as click counts it; a
    language nngrade does not speak leaves it to the locale (click then says the value is
    invalid, in that language).
    """
    requested = None
    for index, arg in enumerate(args):
        if arg == "--":
            break
        if arg == LANG_OPTION and index + 1 < len(args):
            requested = args[index + 1]
        elif arg.startswith(LANG_OPTION + "="):
            requested = arg.partition("=")[2]
    if requested in LANGUAGES:
        return requested
    return detect_language(None, environ)


def spoken() -> str:
    """The language the command line speaks in this run (English outside a run)."""
    return _SPOKEN.get()


@contextmanager
def speaking(lang: str) -> Iterator[None]:
    """While inside, the command line (help, usage errors, click's words) speaks `lang`."""
    token = _SPOKEN.set(lang)
    try:
        with click_speaks(lang):
            yield
    finally:
        _SPOKEN.reset(token)


def help_messages(text: str) -> list[str]:
    """The messages of a help text, one per paragraph, as the catalog holds them.

    A paragraph that click rewraps is one line (its line breaks do not matter); one that
    starts with click's no-rewrap mark (``\\b``) keeps its lines, without the mark.
    """
    return [message for _mark, message in _paragraphs(text)]


def translate_help(text: str, lang: str) -> str:
    """A help text (a command's docstring, an epilog) in `lang`, paragraph by paragraph,
    with click's no-rewrap marks where they were."""
    _ = translator(lang)
    return "\n\n".join(mark + _(message) for mark, message in _paragraphs(text))


def _paragraphs(text: str) -> Iterator[tuple[str, str]]:
    shown = inspect.cleandoc(text).partition("\f")[0]  # click hides what follows a \f
    for paragraph in re.split(r"\n[ \t]*\n", shown.strip()):
        if paragraph.startswith(NO_REWRAP):
            yield NO_REWRAP, paragraph[len(NO_REWRAP) :]
        elif paragraph:
            yield "", " ".join(line.strip() for line in paragraph.splitlines())


def _translated_param(param: click.Parameter, lang: str) -> click.Parameter:
    """`param` with its help, and the description of its default if it has one, in `lang`
    (a copy: the command keeps its English)."""
    if lang == SOURCE_LANGUAGE:
        return param
    _ = translator(lang)
    translated = copy.copy(param)
    help_text = getattr(param, "help", None)
    if help_text:
        translated.help = _(help_text)
    show_default = getattr(param, "show_default", None)
    if isinstance(show_default, str):
        translated.show_default = _(show_default)  # type: ignore[attr-defined]
    return translated


class _Translated(click.Command):
    """What `Command` and `Group` share: deciding the language, and help in that language."""

    def main(self, args: Sequence[str] | None = None, *rest: Any, **extra: Any) -> Any:
        """Run the command line in its language (see the module's docstring)."""
        given = sys.argv[1:] if args is None else list(args)
        with speaking(command_line_language(given, os.environ)):
            return super().main(args, *rest, **extra)

    def get_help_option(self, ctx: click.Context) -> click.Option | None:
        option = super().get_help_option(ctx)
        if option is not None:
            # click words it when it first makes it, in the language of that run: keep the
            # message id, translated when the help is shown.
            option.help = HELP_OPTION_HELP
        return option

    def get_short_help_str(self, limit: int = 45) -> str:
        """The summary of the command in a group's list, in the command line's language."""
        if self.short_help or not self.help:
            return super().get_short_help_str(limit)
        summary = click.Command(self.name, help=translate_help(self.help, spoken()))
        return summary.get_short_help_str(limit)

    def format_help_text(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        if self.help is None:
            return
        text = translate_help(self.help, spoken())
        if text:
            formatter.write_paragraph()
            with formatter.indentation():
                formatter.write_text(text)

    def format_options(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        lang = spoken()
        records = [
            record
            for param in self.get_params(ctx)
            if not isinstance(param, click.Argument)
            and (record := _translated_param(param, lang).get_help_record(ctx)) is not None
        ]
        if records:
            with formatter.section(translator(lang)("Options")):
                formatter.write_dl(records)

    def format_epilog(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        if self.epilog:
            formatter.write_paragraph()
            with formatter.indentation():
                formatter.write_text(translate_help(self.epilog, spoken()))


class Command(_Translated, click.Command):
    """A command of `nngrade` whose help and usage errors speak the command line's language."""


class Group(_Translated, click.Group):
    """A group of `nngrade` commands, speaking the command line's language like `Command`;
    its subcommands are `Command` and `Group` too."""

    command_class = Command

    def format_options(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        _Translated.format_options(self, ctx, formatter)
        self.format_commands(ctx, formatter)


Group.group_class = Group  # not the class of a subclass, such as the lazy `nngrade` group
