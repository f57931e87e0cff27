"""The suites that depend on privileges, run again as a real plain user.

Run as root (as CI does), this test creates a plain user, gives it a copy of the project
and an environment of its own, and runs the sandbox tests, the red team and the nbgrader
cheats as that user in a separate process: no simulation, the kernel sees a user without
any privilege, whose workers get their own user namespaces. Run as a plain user, those
suites already run as you, and this test is skipped.
"""

from __future__ import annotations

import hashlib
import os
import pwd
import shutil
import subprocess
import sys
from pathlib import Path
from xml.etree import ElementTree

import pytest

ROOT = Path(__file__).resolve().parents[1]
USER = "nngrade-plain"
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


def _run_as(user: pwd.struct_passwd, command: list[str], cwd: Path, timeout: float) -> str:
    """Run `command` as `user` (a separate process: its uid, gid and groups) and return its
    output; fail the test with that output if it fails."""
    done = subprocess.run(
        command,
        cwd=cwd,
        user=user.pw_uid,
        group=user.pw_gid,
        extra_groups=[],
        env={"HOME": user.pw_dir, "PATH": "/usr/local/bin:/usr/bin:/bin", "LANG": "C.UTF-8"},
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=timeout,
    )
    output = done.stdout + done.stderr
    assert done.returncode == 0, f"{' '.join(command)} failed as {user.pw_name}:\n{output}"
    return output


def _interpreter_for(user: pwd.struct_passwd) -> str:
    """A Python the plain user may run (this one may live under /root)."""
    candidates = [os.path.realpath(sys.executable), "/usr/bin/python3.11", "/usr/bin/python3"]
    for candidate in candidates:
        try:
            check = subprocess.run(
                [candidate, "-c", "import venv, ensurepip"],
                user=user.pw_uid,
                group=user.pw_gid,
                extra_groups=[],
                capture_output=True,
                env={"PATH": "/usr/bin:/bin"},
            )
        except OSError:  # not there, or in a folder the user may not enter
            continue
        if check.returncode == 0:
            return candidate
    pytest.skip(
        "no Python that a plain user may run, with venv and ensurepip (Debian: apt-get "
        "install python3-venv)"
    )


def _project_files() -> list[Path]:
    listed = subprocess.run(["git", "ls-files", "-z"], cwd=ROOT, capture_output=True, check=False)
    if listed.returncode == 0 and listed.stdout:
        return [Path(name) for name in listed.stdout.decode().split("\0") if name]
    ignored = {".venv", ".git", "build", "out", "__pycache__"}
    return [
        path.relative_to(ROOT)
        for path in ROOT.rglob("*")
        if path.is_file() and not ignored & set(path.relative_to(ROOT).parts)
    ]


@pytest.fixture(scope="module")
def plain_user() -> pwd.struct_passwd:
    try:
        return pwd.getpwnam(USER)
    except KeyError:
        pass
    if shutil.which("useradd") is None:
        pytest.skip("useradd is not available to create a plain user")
    subprocess.run(
        ["useradd", "--create-home", "--shell", "/bin/sh", USER], check=True, capture_output=True
    )
    return pwd.getpwnam(USER)


@pytest.fixture(scope="module")
def plain_checkout(plain_user: pwd.struct_passwd) -> Path:
    """A fresh copy of the project, owned by the plain user, in its home folder."""
    target = Path(plain_user.pw_dir) / "nngrade"
    shutil.rmtree(target, ignore_errors=True)
    for relative in _project_files():
        source = ROOT / relative
        if not source.is_file() or source.is_symlink():
            continue
        (target / relative).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(source, target / relative)
    for folder, _, files in os.walk(target):
        os.chown(folder, plain_user.pw_uid, plain_user.pw_gid)
        for name in files:
            os.chown(os.path.join(folder, name), plain_user.pw_uid, plain_user.pw_gid)
    return target


@pytest.fixture(scope="module")
def plain_python(plain_user: pwd.struct_passwd, plain_checkout: Path) -> Path:
    """The plain user's own environment with the project installed (kept between runs while
    pyproject.toml does not change)."""
    venv = Path(plain_user.pw_dir) / "venv"
    stamp = venv / "nngrade-pyproject.sha256"
    wanted = hashlib.sha256((ROOT / "pyproject.toml").read_bytes()).hexdigest()
    python = venv / "bin" / "python"
    if not (stamp.is_file() and stamp.read_text() == wanted and python.exists()):
        shutil.rmtree(venv, ignore_errors=True)
        interpreter = _interpreter_for(plain_user)
        _run_as(plain_user, [interpreter, "-m", "venv", str(venv)], plain_checkout, 300)
        install = [str(python), "-m", "pip", "install", "--quiet"]
        try:
            _run_as(plain_user, [*install, "-e", ".[test,nbgrader]"], plain_checkout, 900)
        except AssertionError as error:
            if "Could not find a version" in str(error) or "connection" in str(error).lower():
                pytest.skip(f"the project cannot be installed for a plain user here: {error}")
            raise
        stamp.write_text(wanted)
    else:  # the copy is new: point the editable install at it again
        _run_as(
            plain_user,
            [str(python), "-m", "pip", "install", "--quiet", "--no-deps", "-e", "."],
            plain_checkout,
            300,
        )
    return python


def test_the_sandbox_and_the_red_team_hold_for_a_plain_user(
    plain_user: pwd.struct_passwd, plain_checkout: Path, plain_python: Path
) -> None:
    report = plain_checkout / "plain-user-report.xml"
    output = _run_as(
        plain_user,
        [
            str(plain_python),
            *("-m", "pytest", "-q", "-ra", "-p", "no:cacheprovider"),
            f"--junitxml={report}",
            *SUITES,
        ],
        plain_checkout,
        1500,
    )
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
