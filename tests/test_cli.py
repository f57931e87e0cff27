"""The `nngrade` group: every subcommand reachable, none imported before it is used."""

from __future__ import annotations

import subprocess
import sys

import click
from click.testing import CliRunner

from grader.cli import COMMANDS, main


def test_every_subcommand_resolves_to_a_command_of_its_name() -> None:
    context = click.Context(main)
    for name in COMMANDS:
        command = main.get_command(context, name)
        assert isinstance(command, click.Command), name
        assert command.name == name


def test_help_lists_every_subcommand_with_its_summary() -> None:
    result = CliRunner().invoke(main, ["--help"])
    assert result.exit_code == 0
    commands = result.output.split("Commands:")[1].split()
    for name in COMMANDS:
        assert name in commands


def test_an_unknown_subcommand_is_a_usage_error_naming_it() -> None:
    result = CliRunner().invoke(main, ["gradde"])
    assert result.exit_code == 2
    assert "No such command 'gradde'" in result.output


def test_starting_the_command_line_imports_no_subcommand() -> None:
    # `nngrade batch` re-imports this module in every grading process it spawns: the
    # engine, the report and nbformat must not come with it, only what decides the command
    # line's language and translates its help.
    probe = (
        "import sys, grader.cli; "
        "print(sorted(m for m in sys.modules if m.startswith(('grader.', 'pytest', 'jinja2', "
        "'nbformat', 'matplotlib', 'numpy', 'babel')) and m != 'grader.cli'))"
    )
    output = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, check=True
    ).stdout
    assert output.strip() == repr(
        [
            "grader.click_messages",
            "grader.commands",
            "grader.commands.language",
            "grader.errors",
            "grader.i18n",
        ]
    )
