"""The `nngrade` command: a thin click shell over the library.

Each subcommand lives in its own module under `grader.commands` and only parses
arguments, calls one library function, and prints; domain errors (`NngradeError`) become
a one-line message and exit code 2. A subcommand's module is imported only when that
subcommand runs (or when the help lists them): `nngrade batch` then starts without the
grading engine, the report or nbformat, and so do the grading processes it spawns, which
import the command line's main module again.
"""

from __future__ import annotations

import importlib

import click

from grader import __version__
from grader.commands.language import Group

# Subcommand name -> module of grader.commands defining a click command of that name.
COMMANDS: tuple[str, ...] = (
    "demo",
    "release",
    "grade",
    "batch",
    "report",
    "nbgrader",
    "gradescope",
    "doctor",
)


class LazyGroup(Group):
    """A group whose subcommands are imported on first use."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted(COMMANDS)

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        if cmd_name not in COMMANDS:
            return None
        module = importlib.import_module(f"grader.commands.{cmd_name}")
        command: click.Command = getattr(module, cmd_name)
        return command


@click.group(cls=LazyGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="nngrade")
def main() -> None:
    """nngrade: auto-graded numpy exercises for a neural-network course.

    \b
    Typical use:
      nngrade demo                              grade the bundled sample class
      nngrade release --out handout/            write the student handout
      nngrade grade alice.zip                   grade one submission
      nngrade batch submissions/ --out results/ grade a class, write the gradebooks
      nngrade report results/ --lang fr         render the feedback pages again
      nngrade nbgrader export course/           export the assignment to nbgrader
      nngrade gradescope build --out ag.zip     build Gradescope's autograder
      nngrade doctor                            check that student code can be isolated here

    Run `nngrade COMMAND --help` for the details of a command.
    """


if __name__ == "__main__":  # `python -m grader.cli`, as the Gradescope autograder runs it
    main()
