"""`nngrade doctor`: what this machine offers the sandbox, layer by layer, and why not."""

from __future__ import annotations

import sys

import click

from grader.commands.language import Command, language_option, spoken
from grader.errors import NngradeError
from grader.i18n import N_, in_language, translator

OFFERED = {True: N_("yes"), False: N_("no")}
"""Whether this machine offers a layer (a message: translate it to show it)."""
ESSENTIAL_MISSING = N_("NO")
"""A layer this machine does not offer and student code cannot be graded without."""
IN_FORCE = {True: N_("active"), False: N_("UNAVAILABLE")}
"""Whether a layer is in force in a worker started just now."""


@click.command(cls=Command)
@language_option(
    N_(
        "Language of what this command prints.  [default: the command line's, from LC_ALL, "
        "LC_MESSAGES or LANG, else en]"
    )
)
def doctor(lang: str | None) -> None:
    """Check whether student code can be isolated on this machine.

    Tries every kernel feature the sandbox uses (namespaces, seccomp, Landlock) in a
    short-lived process, then starts a real sandboxed worker and lists the layers it got.
    Exits 0 when student code can be graded fully isolated, 1 when it cannot (then
    `nngrade grade` and `nngrade batch` refuse to run it without --unsafe-no-sandbox).
    """
    from grader.sandbox.platform import diagnose, unavailable_message

    lang = lang or spoken()
    _ = translator(lang)
    checks = diagnose()
    click.echo(_("What this machine offers the sandbox:"))
    states = {
        check.name: _(ESSENTIAL_MISSING)
        if check.essential and not check.available
        else _(OFFERED[check.available])
        for check in checks
    }
    width = max(len(check.name) for check in checks)
    state_width = max(len(state) for state in states.values())
    for check in checks:
        state = states[check.name]
        click.echo(f"  {check.name:<{width}}  {state:<{state_width}}  {check.detail[lang]}")
    missing = [check for check in checks if check.essential and not check.available]
    if missing:
        click.echo("")
        click.echo(unavailable_message(missing)[lang])
        sys.exit(1)

    from grader.sandbox import Sandbox

    try:
        with Sandbox() as sandbox:
            isolation = sandbox.isolation()
    except NngradeError as error:
        message = in_language(error.text, lang)
        click.echo("\n" + _("A sandboxed worker could not start: %(error)s", error=message))
        sys.exit(1)
    click.echo("\n" + _("The layers of a worker started just now:"))
    layers = isolation["layers"]
    width = max(len(name) for name in layers)
    for name, active in layers.items():
        click.echo(f"  {name:<{width}}  {_(IN_FORCE[bool(active)])}")
    for note in isolation["note_messages"]:  # a worker's own note is the same in every language
        click.echo("  " + _("note: %(note)s", note=note[lang]))
    inactive = [name for name, active in layers.items() if not active]
    if inactive:
        click.echo(
            "\n" + _("Student code is isolated, without: %(layers)s.", layers=", ".join(inactive))
        )
    else:
        click.echo("\n" + _("Student code is fully isolated on this machine."))
