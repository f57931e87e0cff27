"""Run a collected hidden suite without pytest's per-test protocol.

pytest's run of a test (setup, call and teardown phases, a report for each, terminal
output) cost about a third of the trusted side's CPU time per submission. A suite that
`grader.engine.suite` found callable directly is graded here instead: each test function
is called with its parameters and the grading fixtures, and the verdict comes from the
same `GradingPlugin` methods as under pytest, so both give the same records.
"""

from __future__ import annotations

import contextlib
import io
import logging
import warnings

import pytest

from grader.engine.plugin import GradingPlugin
from grader.engine.suite import HiddenSuite, HiddenTest

LOG = logging.getLogger("grader.engine")

ENABLED = True
"""False runs every suite under pytest (`run_suite`): to compare both ways, or to debug."""


def run_direct(suite: HiddenSuite, plugin: GradingPlugin) -> int:
    """Grade every test of `suite` through `plugin`; the exit code pytest would give.

    A test's failure is its verdict; KeyboardInterrupt propagates (Ctrl-C stops a
    batch), and ``pytest.exit`` ends the run as it ends pytest's, as an internal error.
    """
    for error in suite.errors:
        plugin.report_suite_error(error)
    plugin.start_budget()
    terminal = io.StringIO()  # what a hidden test prints, for the log only
    failed = bool(suite.errors)
    try:
        with contextlib.redirect_stdout(terminal), contextlib.redirect_stderr(terminal):
            for test in suite.tests:
                error = _call(test, plugin)
                failed = failed or error is not None
                plugin.record(test.id, test.graded, error)
                del error  # the traceback keeps the test's frames alive
    except pytest.exit.Exception as stop:
        LOG.error("A hidden test stopped the run of %s: %s", suite.path, stop)
        return int(pytest.ExitCode.INTERRUPTED if stop.returncode is None else stop.returncode)
    finally:
        if terminal.getvalue():
            LOG.debug("The hidden suite %s printed:\n%s", suite.path, terminal.getvalue())
    if not suite.tests:
        return int(pytest.ExitCode.NO_TESTS_COLLECTED)
    return int(pytest.ExitCode.TESTS_FAILED if failed else pytest.ExitCode.OK)


def _call(test: HiddenTest, plugin: GradingPlugin) -> BaseException | None:
    """Run one test as pytest would; what it raised, or None when it passed."""
    with warnings.catch_warnings(record=True) as caught:
        # suite.cfg's filter, whatever the calling process's filters (a test run may turn
        # warnings into errors): a warning on the trusted side never fails a student.
        warnings.simplefilter("default")
        try:
            plugin.before_test(test.graded)
            test.function(**{name: _argument(name, test, plugin) for name in test.argnames})
        except (KeyboardInterrupt, pytest.exit.Exception):
            raise
        except BaseException as error:  # as pytest: SystemExit, pytest.skip... are verdicts
            return error
        finally:
            for warning in caught:
                LOG.debug("The hidden test %s warned: %s", test.id, warning.message)
    return None


def _argument(name: str, test: HiddenTest, plugin: GradingPlugin) -> object:
    if name in test.params:
        return test.params[name]
    if name == "student":
        return plugin.student_value()
    if name == "rng":
        return plugin.rng_value(test.id)
    if name == "student_seed":
        return plugin.seed
    raise LookupError(f"The hidden test {test.id} needs the unknown fixture {name!r}.")
