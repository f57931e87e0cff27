"""The subcommands of `nngrade`, one module each: parse arguments, call the library, print."""

from __future__ import annotations

from collections.abc import Callable
from typing import IO, Any

import click

from grader.errors import NngradeError
from grader.i18n import N_, SOURCE_LANGUAGE, in_language, translator


class DomainError(click.ClickException):
    """A domain error (`NngradeError`) shown as one line, ``Error: ...``, with exit code 2.

    Click's own usage errors also exit with 2; a crash (a bug of ours) exits with 1.
    """

    exit_code = 2

    def __init__(self, message: str, lang: str | None = None) -> None:
        super().__init__(message)
        self.lang = lang or SOURCE_LANGUAGE

    @classmethod
    def of(cls, error: NngradeError, lang: str | None = None) -> DomainError:
        """`error` as the command shows it, in `lang` when it was raised in every language."""
        return cls(in_language(error.text, lang or SOURCE_LANGUAGE), lang)

    def show(self, file: IO[Any] | None = None) -> None:
        """``Error: ...`` on stderr, in the command's language."""
        _ = translator(self.lang)
        click.echo(
            _("Error: %(message)s", message=self.format_message()), file=file, err=file is None
        )


UNSAFE_WARNING = N_(
    "WARNING: --unsafe-no-sandbox: student code runs WITHOUT isolation, as you. It can read "
    "and change your files (the answer key included), reach the network and outlive the "
    "grading. Every result and page will say so. Grade this way only code you trust."
)
"""What a command that runs student code says first when given --unsafe-no-sandbox (a
message: translate it to show it)."""


def unsafe_option(function: Callable[..., Any]) -> Callable[..., Any]:
    """The `--unsafe-no-sandbox` flag of the commands that run student code."""
    return click.option(
        "--unsafe-no-sandbox",
        "unsafe",
        is_flag=True,
        help=N_(
            "Run student code without isolation where this machine cannot isolate it "
            "(see `nngrade doctor`). Every result and page then says so."
        ),
    )(function)


def require_isolation(unsafe: bool, lang: str) -> None:
    """Refuse, in `lang`, to run student code where it cannot be isolated; warn, in `lang`,
    when told to go on."""
    if unsafe:
        click.echo(translator(lang)(UNSAFE_WARNING), err=True)
        return
    from grader.sandbox.platform import missing_layers, unavailable_message

    missing = missing_layers()
    if missing:
        raise DomainError(unavailable_message(missing)[lang], lang)
