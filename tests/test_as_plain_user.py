"""The suites that depend on privileges, run again as a real plain user.

Run as root (as CI does), this test creates a plain user, gives it a copy of the project
and an environment of its own, and runs the sandbox tests, the red team and the nbgrader
cheats as that user in a separate process: no simulation, the kernel sees a user without
any privilege, whose workers get their own user namespaces. Run as a plain user, those
suites already run as you, and this test is skipped.
"""

from __future__ import annotations

import os
from typing import TYPE_CHECKING
from xml.etree import ElementTree

import pytest

if TYPE_CHECKING:
    from bench.plain_user import PlainEnvironment

SUITES = ("tests/sandbox", "tests/security", "tests/nbgrader/test_nbgrader_course.py")
# What a plain user may not have: only these skips are expected.
ROOT_ONLY = "needs root"

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(
        os.geteuid() != 0,
        reason="run as root, this test creates a plain user and runs the sandbox, red-team "
        "and nbgrader suites as that user; run as a plain user, those suites already run as you",
    ),
]


@pytest.fixture(scope="module")
def plain_environment() -> PlainEnvironment:
    """The plain user, with a copy of the project and a venv of its own (kept between runs
    while the project does not change: bench/plain_user.py)."""
    # Imported here, not at collection: `python -m pytest` puts the checkout on sys.path.
    from bench.plain_user import (
        DEFAULT_USER,
        PlainUserUnavailable,
        plain_user,
        prepare_environment,
    )

    try:
        return prepare_environment(plain_user(DEFAULT_USER))
    except PlainUserUnavailable as reason:
        pytest.skip(str(reason))


def test_the_sandbox_and_the_red_team_hold_for_a_plain_user(
    plain_environment: PlainEnvironment,
) -> None:
    report = plain_environment.fresh_folder("test-report") / "plain-user-report.xml"
    done = plain_environment.run(
        [
            plain_environment.python,
            *("-m", "pytest", "-q", "-ra", "-p", "no:cacheprovider"),
            f"--junitxml={report}",
            *SUITES,
        ],
        timeout=1500,
    )
    output = done.stdout + done.stderr
    assert done.returncode == 0, f"the suites failed as {plain_environment.user.pw_name}:\n{output}"
    cases = ElementTree.parse(report).getroot().iter("testcase")
    outcomes: dict[str, str] = {}
    for case in cases:
        name = f"{case.get('classname')}::{case.get('name')}"
        kinds = [child.tag for child in case if child.tag in ("failure", "error", "skipped")]
        outcomes[name] = kinds[0] if kinds else "passed"
        if kinds == ["skipped"]:
            reason = next(child for child in case if child.tag == "skipped").get("message", "")
            assert ROOT_ONLY in reason, (name, reason)
    failed = {name: kind for name, kind in outcomes.items() if kind in ("failure", "error")}
    assert failed == {}, output
    red_team = [n for n, kind in outcomes.items() if "test_red_team" in n]
    assert len(red_team) > 40 and all(outcomes[n] == "passed" for n in red_team)
    cheats = [n for n in outcomes if n.endswith("test_cheats_score_what_they_deserve_with_us")]
    assert cheats and outcomes[cheats[0]] == "passed", output
    assert sum(kind == "passed" for kind in outcomes.values()) > 200
