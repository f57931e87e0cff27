"""The `nngrade` command: a thin click shell over the library.

Each subcommand lives in its own module under `grader.commands` and only parses
arguments, calls one library function, and prints; domain errors (`NngradeError`) become
a one-line message and exit code 2.
"""

from __future__ import annotations

import click

from grader import __version__


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="nngrade")
def main() -> None:
    """nngrade: auto-graded numpy exercises for a neural-network course.

    \b
    Typical use:
      nngrade demo                       grade the bundled sample class
      nngrade release --out handout/     write the student handout
      nngrade grade alice.zip            grade one submission
      nngrade batch submissions/ --out results/   grade a class
    """
