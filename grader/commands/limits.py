"""The options that set the limits of a grading, shared by `nngrade grade` and `nngrade batch`.

They override the course's configuration (`grader.config`), which overrides nngrade's
defaults; the result documents record the figures in force (``isolation.limits``).
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import click

from grader.config import MIN_MEMORY_MIB, LimitSettings, course_limits
from grader.i18n import N_

F = TypeVar("F", bound=Callable[..., Any])


def limit_options(command: F) -> F:
    """Add --config, --call-timeout, --submission-timeout, --import-timeout and --memory."""
    options = [
        click.option(
            "--config",
            "config",
            type=click.Path(exists=True, dir_okay=False, path_type=Path),
            help=N_(
                "The course's configuration file (nngrade.toml, or a pyproject.toml with a "
                "[tool.nngrade] table).  [default: the nearest one, if any]"
            ),
        ),
        click.option(
            "--call-timeout",
            type=click.FloatRange(min=0, min_open=True),
            metavar="SECONDS",
            help=N_(
                "Wall-clock seconds one call into the student's code may take (the calls "
                "a test makes at once share them); a function that runs longer fails with "
                "`timeout`.  [default: 1]"
            ),
        ),
        click.option(
            "--submission-timeout",
            type=click.FloatRange(min=0, min_open=True),
            metavar="SECONDS",
            help=N_(
                "Wall-clock seconds for all the calls and imports of one submission; the "
                "tests left when it runs out are skipped.  [default: 60]"
            ),
        ),
        click.option(
            "--import-timeout",
            type=click.FloatRange(min=0, min_open=True),
            metavar="SECONDS",
            help=N_(
                "Wall-clock seconds the top-level code of one student module may take.  "
                "[default: 10]"
            ),
        ),
        click.option(
            "--memory",
            "memory_mib",
            type=click.IntRange(min=MIN_MEMORY_MIB),
            metavar="MiB",
            help=N_(
                "Address space of the student's process, in MiB; more memory than that fails "
                "the call.  [default: 1024]"
            ),
        ),
    ]
    for option in reversed(options):
        command = option(command)
    return command


def resolve_limits(
    *,
    config: Path | None,
    start: Path,
    call_timeout: float | None,
    submission_timeout: float | None,
    import_timeout: float | None,
    memory_mib: int | None,
) -> Any:
    """The `SandboxLimits` of the command's options over the course's configuration."""
    overrides = LimitSettings(
        call_timeout=call_timeout,
        submission_timeout=submission_timeout,
        import_timeout=import_timeout,
        memory_mib=memory_mib,
    )
    limits, _ = course_limits(overrides, config=config, start=start)
    return limits
