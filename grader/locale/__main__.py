"""Update and compile the catalogs: ``python -m grader.locale [--check]``."""

from __future__ import annotations

import argparse
import sys

from grader.locale import TRANSLATED, po_path, stale, untranslated, update_catalogs


def main(argv: list[str] | None = None) -> int:
    """Update every catalog from the sources (``--check``: only say what is out of date)."""
    parser = argparse.ArgumentParser(
        prog="python -m grader.locale",
        description="Add the code's new messages to every .po, drop unused ones, compile the .mo.",
    )
    parser.add_argument("--check", action="store_true", help="only report, write nothing")
    arguments = parser.parse_args(argv)
    if arguments.check:
        problems = [f"{lang}: {problem}" for lang in TRANSLATED for problem in stale(lang)]
        for problem in problems:
            print(problem)
        if problems:
            print("Run `python -m grader.locale` from the project to update them.")
        return 1 if problems else 0
    for path in update_catalogs():
        print(f"wrote {path}")
    status = 0
    for lang in TRANSLATED:
        missing = untranslated(lang)
        if missing:
            status = 1
            print(f"{lang}: {len(missing)} messages wait for a translation in {po_path(lang)}:")
            for message in missing:
                print(f"  {message!r}")
    if status:
        print("Fill in their msgstr, then run `python -m grader.locale` again.")
    return status


if __name__ == "__main__":
    sys.exit(main())
