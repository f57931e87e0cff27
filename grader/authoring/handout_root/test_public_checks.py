"""The public checks as pytest tests: one test per function, the same as selfcheck.py."""

import functools
import os

import pytest
from checks.selfcheck import (
    HANDOUT_ROOT,
    PASSED,
    detect_language,
    format_outcome,
    load_expected,
    run_checks,
)

EXPECTED = load_expected()
LANG = detect_language(None, os.environ)


@functools.cache
def outcomes() -> dict:
    """Every function's outcome, computed once for the whole session (in a child process,
    each call within 2 s, as selfcheck.py does)."""
    return {outcome.function: outcome for outcome in run_checks(HANDOUT_ROOT, LANG, EXPECTED)}


@pytest.mark.parametrize("function", EXPECTED["functions"])
def test_public_checks(function: str) -> None:
    outcome = outcomes()[function]
    if outcome.status != PASSED:
        pytest.fail(format_outcome(outcome, LANG, EXPECTED["hints"]), pytrace=False)
