"""`nngrade release`: write the student handout."""

from __future__ import annotations

from pathlib import Path

import click

from grader.authoring.release import release as write_handout
from grader.commands import DomainError
from grader.commands.language import Command, language_option
from grader.errors import NngradeError
from grader.i18n import N_, translator


@click.command(cls=Command)
@click.option(
    "--out",
    "out_dir",
    required=True,
    type=click.Path(file_okay=False, dir_okay=True, path_type=Path),
    help=N_("Folder to write the handout into; it must be new or empty (see --force)."),
)
@language_option(
    N_(
        "Language of the README, the notebook, the exercise statements, the stubs' "
        "docstrings and this command's output (the self-check speaks both: "
        "python selfcheck.py --lang fr|en)."
    ),
    default="en",
)
@click.option("--force", is_flag=True, help=N_("Replace the contents of a non-empty --out folder."))
def release(out_dir: Path, lang: str, force: bool) -> None:
    """Write the student handout into OUT: the stubs, as modules and as a notebook, the
    public checks, a README.

    The stubs are generated from the fenced answer key in solutions/ (the answers are
    replaced by `raise NotImplementedError`), and the expected values of the public checks
    are computed by reference/ on fixed inputs. The handout contains neither: it needs
    only numpy and pytest (and Jupyter, for the notebook). Students work in the modules
    or in the notebook, and hand in either.

    \b
    What OUT contains:
      README.md              what to do and how to self-check, in --lang
      requirements.txt       numpy, pytest
      exercises/             the modules to fill in
      exercises.ipynb        the same, as a notebook: a cell per function, then a check
                             cell, check("sigmoid"), that shows the verdict below it
      selfcheck.py           python selfcheck.py [--lang fr|en] [--call-timeout SECONDS]
      test_public_checks.py  the same checks for plain `pytest`
      checks/                the public checks and their expected values

    \b
    Example:
      nngrade release --out handout/ --lang fr
      cd handout && python selfcheck.py     # every function "not started"
    """
    try:
        written = write_handout(out_dir, lang=lang, force=force)
    except NngradeError as error:
        raise DomainError.of(error, lang) from error
    _ = translator(lang)
    click.echo(
        _("Wrote the student handout (%(lang)s) into %(folder)s.", lang=lang, folder=written)
    )
    click.echo(_("Check it: cd %(folder)s && python selfcheck.py", folder=written))
