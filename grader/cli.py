"""The `nngrade` command: a thin click shell over the library.

Each subcommand lives in its own module under `grader.commands` and only parses
arguments, calls one library function, and prints; domain errors (`NngradeError`) become
a one-line message and exit code 2. Heavy libraries (nbformat, nbgrader, matplotlib) are
imported by the commands that need them, so that `nngrade --help` answers at once.
"""

from __future__ import annotations

import click

from grader import __version__
from grader.commands.batch import batch
from grader.commands.demo import demo
from grader.commands.grade import grade
from grader.commands.nbgrader import nbgrader
from grader.commands.release import release
from grader.commands.report import report


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
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

    Run `nngrade COMMAND --help` for the details of a command.
    """


for command in (demo, release, grade, batch, report, nbgrader):
    main.add_command(command)
