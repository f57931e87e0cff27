"""The subcommands of `nngrade`, one module each: parse arguments, call the library, print."""

from __future__ import annotations

import click


class DomainError(click.ClickException):
    """A domain error (`NngradeError`) shown as one line, ``Error: ...``, with exit code 2.

    Click's own usage errors also exit with 2; a crash (a bug of ours) exits with 1.
    """

    exit_code = 2
