"""Run the hidden suites in this (trusted) process, with a fixed, isolated pytest setup.

pytest sees only the configuration shipped beside this file (`suite.cfg`), no cache, no
third-party plugins, no conftest above the suite folder; its terminal output is kept for
the log and never shown to a student.
"""

from __future__ import annotations

import contextlib
import io
import logging
import os
from pathlib import Path

import pytest

from grader.engine.plugin import GradingPlugin

LOG = logging.getLogger("grader.engine")

CONFIG = Path(__file__).with_name("suite.cfg")
HIDDEN_SUITES = Path(__file__).resolve().parent.parent / "hidden"


def _has_autoload_flag() -> bool:
    major, minor = (int(part) for part in pytest.__version__.split(".")[:2])
    return (major, minor) >= (8, 4)


def pytest_arguments(suite: Path) -> list[str]:
    """The command line of a grading run over the suite folder `suite`."""
    arguments = [
        str(suite),
        "-c",
        str(CONFIG),
        "--rootdir",
        str(suite),
        "--confcutdir",
        str(suite),
        # Built-in plugins a grading run does not use; each costs time on every test.
        *("-p", "no:cacheprovider"),
        *("-p", "no:unraisableexception"),
        *("-p", "no:threadexception"),
        *("-p", "no:faulthandler"),
        *("-p", "no:doctest"),
        *("-p", "no:junitxml"),
        *("-p", "no:pastebin"),
        *("-p", "no:stepwise"),
        *("-p", "no:logging"),
        "--import-mode=importlib",
        "--strict-markers",
        "--capture=no",
        "--continue-on-collection-errors",
        "-q",
        "--no-header",
        "-o",
        "console_output_style=classic",
    ]
    if _has_autoload_flag():
        arguments.append("--disable-plugin-autoload")
    return arguments


def run_suite(plugin: GradingPlugin, suite: Path = HIDDEN_SUITES) -> int:
    """Run every hidden test of `suite` through `plugin`; returns pytest's exit code."""
    terminal = io.StringIO()
    previous = os.environ.get("PYTEST_DISABLE_PLUGIN_AUTOLOAD")
    if not _has_autoload_flag():
        os.environ["PYTEST_DISABLE_PLUGIN_AUTOLOAD"] = "1"
    try:
        with contextlib.redirect_stdout(terminal), contextlib.redirect_stderr(terminal):
            code = int(pytest.main(pytest_arguments(suite), plugins=[plugin]))
    finally:
        if not _has_autoload_flag():
            if previous is None:
                os.environ.pop("PYTEST_DISABLE_PLUGIN_AUTOLOAD", None)
            else:
                os.environ["PYTEST_DISABLE_PLUGIN_AUTOLOAD"] = previous
    LOG.debug("pytest exited with %s:\n%s", code, terminal.getvalue())
    if code not in (pytest.ExitCode.OK, pytest.ExitCode.TESTS_FAILED):
        LOG.error(
            "The hidden suites did not run cleanly (pytest exit %s):\n%s", code, terminal.getvalue()
        )
    return code
