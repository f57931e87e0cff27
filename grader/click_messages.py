"""click's own words in the language of the command line: its messages, and how they are routed.

click writes its usage errors, the headings of a help page and the messages of its
parameter types in English, each through gettext (``from gettext import gettext as _`` and
``ngettext`` in its modules). The messages of click that `nngrade` can show are declared
below, marked like every other message of nngrade, so that ``python -m grader.locale``
keeps them in the catalog and a test fails while one has no translation. Their ids are
click's own, character for character; a test checks that the installed click still
writes each of them, so that a click upgrade that rewords one fails a test instead of
leaving the sentence in English.

During one run of the command line, `click_speaks` makes the ``_`` and ``ngettext`` of
click's modules look a message up in nngrade's catalog of the chosen language, and puts
click's own functions back afterwards. A message of click missing from the catalog stays
in English.
"""

from __future__ import annotations

import gettext
import importlib
from collections.abc import Iterator
from contextlib import contextmanager
from types import ModuleType

from grader.i18n import N_, SOURCE_LANGUAGE, translations


def ngettext(singular: str, plural: str, count: int = 1) -> tuple[str, str]:
    """Mark a message of click that has a plural, for the catalog tools (which read this
    name as gettext's ``ngettext``); nothing is translated here."""
    return singular, plural


CLICK_MODULES: tuple[str, ...] = (
    "click.core",
    "click.decorators",
    "click.exceptions",
    "click.formatting",
    "click.parser",
    "click.types",
)
"""The modules of click that write the messages below, each through gettext's ``gettext``
(imported as ``_``) and, some of them, ``ngettext``."""

HELP_OPTION_HELP = N_("Show this message and exit.")
"""The help of ``-h/--help``, as click writes it."""

MESSAGES: tuple[str, ...] = (
    HELP_OPTION_HELP,
    # The help page (formatting.py, core.py, decorators.py).
    N_("Usage:"),
    N_("Options"),
    N_("Commands"),
    N_("Show the version and exit."),
    N_("default: {default}"),
    N_("required"),
    # Usage errors (exceptions.py, core.py, parser.py).
    N_("Error: {message}"),
    N_("Try '{command} {option}' for help."),
    N_("Missing argument"),
    N_("Missing option"),
    N_("Missing command."),
    N_("No such option {name!r}."),
    N_("No such command {name!r}."),
    N_("Option {name!r} does not take a value."),
    N_("Invalid value for {param_hint}: {message}"),
    N_("Aborted!"),
    # The parameter types nngrade uses (types.py): paths, choices, numbers and ranges.
    N_("{name} {filename!r} does not exist."),
    N_("{name} {filename!r} is a file."),
    N_("{name} {filename!r} is a directory."),
    N_("{name} {filename!r} is not readable."),
    N_("{value!r} is not a valid {number_type}."),
    N_("{value} is not in the range {range}."),
)
"""The messages of click that nngrade's commands can show, as click writes them."""

PLURAL_MESSAGES: tuple[tuple[str, str], ...] = (
    ngettext("Did you mean {possibility}?", "(Did you mean one of: {possibilities}?)"),
    ngettext("Got unexpected extra argument ({args})", "Got unexpected extra arguments ({args})"),
    ngettext(
        "Option {name!r} requires an argument.", "Option {name!r} requires {nargs} arguments."
    ),
    ngettext("{value!r} is not {choice}.", "{value!r} is not one of {choices}."),
)
"""The messages of click with a plural that nngrade's commands can show: (singular, plural)."""

_ROUTED = {"_": gettext.gettext, "ngettext": gettext.ngettext}
"""The names click's modules give gettext's functions, and those functions."""


def click_modules() -> list[ModuleType]:
    """The modules of `CLICK_MODULES`, imported."""
    return [importlib.import_module(name) for name in CLICK_MODULES]


@contextmanager
def click_speaks(lang: str) -> Iterator[None]:
    """While inside, click writes its messages in `lang` (English: as it always does).

    The ``_`` and ``ngettext`` of each module of `CLICK_MODULES` that are gettext's own
    functions are replaced by those of nngrade's catalog of `lang`, and restored on the way
    out, whatever happens inside.
    """
    if lang == SOURCE_LANGUAGE:
        yield
        return
    catalog = translations(lang)
    ours = {"_": catalog.gettext, "ngettext": catalog.ngettext}
    replaced: list[tuple[ModuleType, str, object]] = []
    try:
        for module in click_modules():
            for name, function in _ROUTED.items():
                if getattr(module, name, None) is function:
                    replaced.append((module, name, function))
                    setattr(module, name, ours[name])
        yield
    finally:
        for module, name, original in reversed(replaced):
            setattr(module, name, original)
