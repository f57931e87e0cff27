"""Every test of the project: a bug of ours that a grade would hide fails the test loudly.

The grader turns its own faults (a hidden test that raised, a suite that cannot be
collected, evidence the schema refuses) into an "internal error" for the student and a
record on `grader.errors.INTERNAL` for the instructor. Here any such record fails the
test that caused it, with the logged traceback, unless the test provokes one on purpose
and says so with ``@pytest.mark.internal_error``.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Iterator

import pytest

from grader.errors import INTERNAL
from grader.i18n import LOCALE_VARIABLES, SOURCE_LANGUAGE, detect_language


class _Recorder(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.ERROR)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)


@pytest.fixture(autouse=True)
def internal_errors_fail_the_test(request: pytest.FixtureRequest) -> Iterator[None]:
    recorder = _Recorder()
    INTERNAL.addHandler(recorder)
    try:
        yield
    finally:
        INTERNAL.removeHandler(recorder)
    if recorder.records and request.node.get_closest_marker("internal_error") is None:
        formatter = logging.Formatter("%(message)s")
        logged = "\n\n".join(formatter.format(record) for record in recorder.records)
        pytest.fail(f"The grader logged an internal error (a bug of ours):\n{logged}")


@pytest.fixture(autouse=True)
def english_command_line(monkeypatch: pytest.MonkeyPatch) -> None:
    """The command line speaks the language of the user's locale when no --lang says
    otherwise (`grader.commands.language`): a test reads its English help and usage errors
    whatever the locale the suite runs in, unless it sets a language itself."""
    for variable in LOCALE_VARIABLES:
        value = os.environ.get(variable)
        if value and detect_language(None, {variable: value}) != SOURCE_LANGUAGE:
            monkeypatch.setenv(variable, "C.UTF-8")
