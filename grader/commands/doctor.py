"""`nngrade doctor`: what this machine offers the sandbox, layer by layer, and why not."""

from __future__ import annotations

import sys

import click

from grader.commands.language import Command
from grader.errors import NngradeError


@click.command(cls=Command)
def doctor() -> None:
    """Check whether student code can be isolated on this machine.

    Tries every kernel feature the sandbox uses (namespaces, seccomp, Landlock) in a
    short-lived process, then starts a real sandboxed worker and lists the layers it got.
    Exits 0 when student code can be graded fully isolated, 1 when it cannot (then
    `nngrade grade` and `nngrade batch` refuse to run it without --unsafe-no-sandbox).
    """
    from grader.sandbox.platform import diagnose, unavailable_message

    checks = diagnose()
    click.echo("What this machine offers the sandbox:")
    width = max(len(check.name) for check in checks)
    for check in checks:
        state = "yes" if check.available else ("NO " if check.essential else "no ")
        click.echo(f"  {check.name:<{width}}  {state}  {check.detail}")
    missing = [check for check in checks if check.essential and not check.available]
    if missing:
        click.echo("")
        click.echo(unavailable_message(missing))
        sys.exit(1)

    from grader.sandbox import Sandbox

    try:
        with Sandbox() as sandbox:
            isolation = sandbox.isolation()
    except NngradeError as error:
        click.echo(f"\nA sandboxed worker could not start: {error}")
        sys.exit(1)
    click.echo("\nThe layers of a worker started just now:")
    layers = isolation["layers"]
    width = max(len(name) for name in layers)
    for name, active in layers.items():
        click.echo(f"  {name:<{width}}  {'active' if active else 'UNAVAILABLE'}")
    for note in isolation["notes"]:
        click.echo(f"  note: {note}")
    inactive = [name for name, active in layers.items() if not active]
    if inactive:
        click.echo(f"\nStudent code is isolated, without: {', '.join(inactive)}.")
    else:
        click.echo("\nStudent code is fully isolated on this machine.")
