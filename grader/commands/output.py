"""What the grading commands (`grade`, `batch`, `demo`) print, and how they exit.

Each prints sentences for a person by default, nothing with ``--quiet`` (errors and
warnings still go to stderr), or one JSON object with ``--json`` (for scripts: its progress,
if any, goes to stderr). The exit status says whether every entry was graded.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, TypeVar

import click

from grader.i18n import N_

if TYPE_CHECKING:
    from grader.batch.progress import Progress

EXIT_GRADED = 0
"""Every entry was graded (whatever the scores)."""
EXIT_NOT_GRADED = 1
"""At least one entry could not be graded, or not wholly (see `EXIT_STATUS_HELP`)."""
EXIT_USAGE = 2
"""The command could not run: a usage error, a configuration it cannot use, a machine that
cannot isolate student code (click's own usage errors exit with 2 too)."""
EXIT_INTERRUPTED = 130
"""Ctrl-C or SIGTERM: what was graded is kept; the same command finishes the job."""

EXIT_STATUS_HELP = "\b\n" + N_(
    """Exit status:
  0    every entry was graded, whatever its score
  1    some could not be graded, or not wholly: nothing of it could be
       loaded, a file of it could not be read, a duplicate or unreadable
       entry, or grading it failed; the summary names each
  2    usage error: a bad option or path, an unusable configuration, or
       a machine that cannot isolate student code (`nngrade doctor`)
  130  interrupted (Ctrl-C): what was graded is kept; run it again"""
)

F = TypeVar("F", bound=Callable[..., Any])


def output_options(command: F) -> F:
    """Add --quiet and --json."""
    command = click.option(
        "--json",
        "as_json",
        is_flag=True,
        help=N_("Print one JSON object (the summary, for scripts) on stdout and nothing else."),
    )(command)
    return click.option(
        "--quiet",
        "-q",
        is_flag=True,
        help=N_("Print nothing but errors and warnings; the exit status tells the outcome."),
    )(command)


@dataclass(frozen=True)
class Output:
    """Where the command's words go, given --quiet and --json.

    Attributes:
        quiet: print no sentence and no progress.
        as_json: stdout holds only the JSON summary; sentences are not printed and progress
            goes to stderr.
    """

    quiet: bool = False
    as_json: bool = False

    @property
    def sentences(self) -> bool:
        """Whether the summary is printed as sentences."""
        return not self.quiet and not self.as_json

    @property
    def progress(self) -> bool:
        """Whether progress is shown while grading (on stderr with --json)."""
        return not self.quiet

    @property
    def progress_to_stderr(self) -> bool:
        return self.as_json

    def lines(self, lines: Iterable[str]) -> None:
        """Print the summary's sentences, unless --quiet or --json."""
        if self.sentences:
            for line in lines:
                click.echo(line)

    def document(self, summary: dict[str, Any]) -> None:
        """Print the JSON summary, with --json only."""
        if self.as_json:
            click.echo(json.dumps(summary, indent=2, ensure_ascii=False, sort_keys=False))

    @staticmethod
    def warning(line: str) -> None:
        """A warning, on stderr, whatever the options."""
        click.echo(line, err=True)


def progress_for(output: Output, lang: str) -> Progress | None:
    """How a batch shows its progress: a bar on a terminal, a line per submission in a log
    (a bar redrawn with carriage returns is unreadable there), nothing with --quiet."""
    from grader.batch.progress import BarProgress, LineProgress

    if not output.progress:
        return None
    stream = sys.stderr if output.progress_to_stderr else sys.stdout
    if stream.isatty():
        return BarProgress(stream, lang=lang)
    return LineProgress(stream, lang=lang)
