"""A real plain user with an environment of its own: a copy of the project and a venv.

Grading as a plain user is what most instructors do, and the sandbox then works with user
namespaces instead of dedicated uids. To measure or test that for real, a process run as
root creates a plain user (``nngrade-plain`` by default), copies the project into a folder
the user owns and builds a venv there from a Python the user may run (the one running here
may live under /root, mode 700). `tests/test_as_plain_user.py` runs the privilege-dependent
suites in it, and ``python -m bench`` (the ``plain`` stage) the same class as root and as
that user.

Building the venv takes minutes, so the environment is kept between runs:

- the copy is made again only when the project's files changed (`project_key`: a hash of
  every file of the checkout, its path included, so an added or deleted file counts) or
  when the copy no longer holds what was copied;
- the venv is built again only when what it was built from changed (`venv_key`:
  pyproject.toml, the interpreter, the extras, the pinned versions).

Each checkout has its own environment, ``~USER/nngrade-env/<checkout>/``, so that checkouts
of different versions on one machine do not rebuild each other's. That folder and the
stamps in it belong to root: the plain user cannot replace an entry root writes through,
or forge a stamp; what it owns, as an instructor owns their files, is the copy, the venv
and the folders made for it in ``scratch/``.
"""

from __future__ import annotations

import fcntl
import hashlib
import os
import pwd
import shutil
import stat
import subprocess
import sys
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from bench.tools import ROOT

DEFAULT_USER = "nngrade-plain"
EXTRAS = "test,nbgrader"
"""What the environment installs: the project with the extras its own tests need."""
ENVIRONMENTS = "nngrade-env"
"""The folder of the plain user's home that holds one environment per checkout."""
IGNORED_PARTS = frozenset({".venv", ".git", "build", "out", "__pycache__", ".mypy_cache"})
"""What a checkout holds that is not the project, when git cannot list its files."""
INTERPRETERS: tuple[str, ...] = ("/usr/bin/python3.11", "/usr/bin/python3")
"""Where a Python that any user may run is found, after the one running here."""
NO_NETWORK_SIGNS = ("Could not find a version", "connection", "Temporary failure")
"""Words of pip's output that mean the packages could not be downloaded here."""


class PlainUserUnavailable(Exception):
    """No plain user, or no environment for one, can be had on this machine; the message
    says what is missing and how to get it."""


class EnvironmentBuildFailed(RuntimeError):
    """A step of building the plain user's environment failed; the message holds its
    command and output."""


@dataclass(frozen=True)
class PlainEnvironment:
    """Where a user's copy of the project and its venv are.

    Attributes:
        user: who owns the copy, the venv and the scratch folder, and runs them.
        location: the environment's folder (root's; the stamps live there).
        project: the copy of the project (the current folder of its commands).
        python: the venv's interpreter.
        interpreter: the Python the venv was made from.
        scratch: where the folders its commands read and write are made (`fresh_folder`).
    """

    user: pwd.struct_passwd
    location: Path
    project: Path
    python: Path
    interpreter: str
    scratch: Path

    def command(self, name: str) -> Path:
        """The console script `name` of the venv (``nngrade``...)."""
        return self.python.parent / name

    def fresh_folder(self, name: str, content: Path | None = None) -> Path:
        """``scratch/NAME`` made anew, a copy of the folder `content` if given, and handed
        to the user; its path."""
        folder = self.scratch / name
        shutil.rmtree(folder, ignore_errors=True)
        if content is None:
            folder.mkdir(mode=0o755)
        else:
            shutil.copytree(content, folder, symlinks=True)
        _give_to(self.user, folder)
        return folder

    def run(
        self, command: Sequence[str | Path], *, timeout: float, cwd: Path | None = None
    ) -> subprocess.CompletedProcess[str]:
        """Run `command` as the user, from the project copy, and return what it did."""
        return run_as(self.user, command, cwd=cwd or self.project, timeout=timeout)


def environment_of(user: pwd.struct_passwd) -> dict[str, str]:
    """The whole environment of a command run as `user`: nothing of this process's."""
    return {"HOME": user.pw_dir, "PATH": "/usr/local/bin:/usr/bin:/bin", "LANG": "C.UTF-8"}


def run_as(
    user: pwd.struct_passwd, command: Sequence[str | Path], *, cwd: Path, timeout: float
) -> subprocess.CompletedProcess[str]:
    """Run `command` as `user` in a process of its own (its uid, gid and no other group),
    with `environment_of(user)`; its output is captured."""
    return subprocess.run(
        [str(part) for part in command],
        cwd=cwd,
        user=user.pw_uid,
        group=user.pw_gid,
        extra_groups=[],
        env=environment_of(user),
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=timeout,
    )


def _checked(done: subprocess.CompletedProcess[str], user: pwd.struct_passwd) -> str:
    output = done.stdout + done.stderr
    if done.returncode != 0:
        command = " ".join(map(str, done.args))
        raise EnvironmentBuildFailed(
            f"`{command}` exited with status {done.returncode} as {user.pw_name}:\n{output}"
        )
    return output


def plain_user(name: str = DEFAULT_USER) -> pwd.struct_passwd:
    """The plain user `name`, created (``useradd --create-home``) when it does not exist.

    Raises `PlainUserUnavailable` when this process is not root (it can neither create a
    user nor run a command as one), when `name` is root, or when the user cannot be made.
    """
    if os.geteuid() != 0:
        raise PlainUserUnavailable(
            f"this process runs as uid {os.geteuid()}, not root: it can neither create a "
            "plain user nor run commands as one (run it as root, e.g. with sudo)"
        )
    try:
        user = pwd.getpwnam(name)
    except KeyError:
        user = _create_user(name)
    if user.pw_uid == 0:
        raise PlainUserUnavailable(f"the user {name!r} is root (uid 0), not a plain user")
    return user


def _create_user(name: str) -> pwd.struct_passwd:
    if shutil.which("useradd") is None:
        raise PlainUserUnavailable(
            f"the user {name!r} does not exist and useradd, which would create it, is not "
            "installed (Debian: apt-get install passwd)"
        )
    made = subprocess.run(
        ["useradd", "--create-home", "--shell", "/bin/sh", name], capture_output=True, text=True
    )
    try:  # another process may have created it meanwhile: then useradd failed, and that is fine
        return pwd.getpwnam(name)
    except KeyError:
        raise PlainUserUnavailable(
            f"useradd could not create the user {name!r}: {made.stderr.strip()}"
        ) from None


def interpreter_for(user: pwd.struct_passwd) -> str:
    """A Python of at least 3.11 that `user` may run, with venv and ensurepip: the one
    running here if the user may run it, else the system's."""
    probe = "import sys, venv, ensurepip; sys.exit(sys.version_info < (3, 11))"
    for candidate in (os.path.realpath(sys.executable), *INTERPRETERS):
        try:
            check = subprocess.run(
                [candidate, "-c", probe],
                user=user.pw_uid,
                group=user.pw_gid,
                extra_groups=[],
                env={"PATH": "/usr/bin:/bin"},
                capture_output=True,
            )
        except OSError:  # not there, or in a folder the user may not enter
            continue
        if check.returncode == 0:
            return candidate
    raise PlainUserUnavailable(
        f"no Python 3.11 or newer that {user.pw_name} may run, with venv and ensurepip "
        "(Debian: apt-get install python3-venv)"
    )


def project_files(root: Path = ROOT) -> list[Path]:
    """The checkout's files, relative to `root`: what git tracks or would track (ignored
    files left out), or, without git, every file outside `IGNORED_PARTS`."""
    listed = subprocess.run(
        ["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
        cwd=root,
        capture_output=True,
        check=False,
    )
    if listed.returncode == 0 and listed.stdout:
        names = {name for name in listed.stdout.decode().split("\0") if name}
        files = [Path(name) for name in names]
    else:
        files = [
            path.relative_to(root)
            for path in root.rglob("*")
            if not IGNORED_PARTS & set(path.relative_to(root).parts)
        ]
    return sorted(path for path in files if _regular_file(root / path))


def _regular_file(path: Path) -> bool:
    try:  # lstat: a symlink is not copied, whatever it points at
        return stat.S_ISREG(path.lstat().st_mode)
    except OSError:  # listed by git, deleted from the tree
        return False


def project_key(root: Path, files: Sequence[Path]) -> str:
    """A hash of `files` under `root`: their paths and contents (a missing file counts as
    such), so that any change to the project, an added or deleted file included, changes
    it."""
    digest = hashlib.sha256()
    for relative in sorted(files):
        digest.update(str(relative).encode() + b"\0")
        try:
            digest.update(hashlib.sha256((root / relative).read_bytes()).digest())
        except OSError:
            digest.update(b"missing\0")
    return digest.hexdigest()


def venv_key(root: Path, interpreter: str, extras: str, constraints: str) -> str:
    """A hash of what a venv is built from: pyproject.toml (the dependencies and console
    scripts), the interpreter, the extras and pinned versions."""
    digest = hashlib.sha256()
    for part in ((root / "pyproject.toml").read_bytes(), interpreter, extras, constraints):
        digest.update(part if isinstance(part, bytes) else part.encode())
        digest.update(b"\0")
    return digest.hexdigest()


def checkout_name(root: Path = ROOT) -> str:
    """The environment folder's name for the checkout at `root`: its name and a hash of
    its path, so that two checkouts never share an environment."""
    return f"{root.name}-{hashlib.sha256(str(root.resolve()).encode()).hexdigest()[:8]}"


def root_owned_folder(path: Path) -> None:
    """Make `path` a real folder of root's, mode 755: an entry of the user's there (a
    symlink, a folder of its own) is removed first."""
    try:
        info = path.lstat()
    except FileNotFoundError:
        info = None
    if info is not None and not (stat.S_ISDIR(info.st_mode) and info.st_uid == 0):
        if stat.S_ISDIR(info.st_mode):
            shutil.rmtree(path)
        else:
            path.unlink()
    path.mkdir(mode=0o755, exist_ok=True)
    os.chmod(path, 0o755)


def _give_to(user: pwd.struct_passwd, top: Path) -> None:
    """Hand `top` and everything in it to `user`, deepest first and without following
    links: the user can plant nothing in a folder before root is done with it."""
    for folder, dirs, files in os.walk(top, topdown=False):
        for name in (*files, *dirs):
            os.chown(os.path.join(folder, name), user.pw_uid, user.pw_gid, follow_symlinks=False)
    os.chown(top, user.pw_uid, user.pw_gid, follow_symlinks=False)


def _fresh_folder_of(user: pwd.struct_passwd, path: Path) -> None:
    shutil.rmtree(path, ignore_errors=True)
    path.mkdir(mode=0o755)
    _give_to(user, path)


@contextmanager
def _locked(location: Path) -> Iterator[None]:
    """One builder of an environment at a time (the test and the benchmark may share it)."""
    with open(location / ".lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)


def default_location(user: pwd.struct_passwd, root: Path = ROOT) -> Path:
    """``~USER/nngrade-env/<checkout>``: the environment of `user` for this checkout."""
    return Path(user.pw_dir) / ENVIRONMENTS / checkout_name(root)


def prepare_environment(
    user: pwd.struct_passwd,
    *,
    root: Path = ROOT,
    location: Path | None = None,
    interpreter: str | None = None,
    constraints: str = "",
    extras: str = EXTRAS,
) -> PlainEnvironment:
    """`user`'s copy of the project at `root` and its venv with the project installed
    (editable, with `extras`), in `location` (default: `default_location`), reused when
    neither the project nor what the venv is built from changed.

    `interpreter` is the Python to build the venv from (default: `interpreter_for`);
    `constraints`, pip constraints (``name==version`` lines) to pin the packages to, e.g.
    another environment's, so that two environments hold the same versions.

    Raises `PlainUserUnavailable` when no Python the user may run is found or the packages
    cannot be downloaded, `EnvironmentBuildFailed` when a step fails otherwise.
    """
    location = location or default_location(user, root)
    home = Path(user.pw_dir)
    if home.is_relative_to(location):
        raise ValueError(f"The environment's folder must not hold the home folder {home}.")
    if location.is_relative_to(home):
        # Each folder below the home is root's, so that the user can swap none of them.
        for depth in range(len(home.parts) + 1, len(location.parts) + 1):
            root_owned_folder(Path(*location.parts[:depth]))
    else:
        location.mkdir(parents=True, exist_ok=True)
        root_owned_folder(location)
    interpreter = interpreter or interpreter_for(user)
    project, venv = location / "project", location / "venv"
    python = venv / "bin" / "python"
    with _locked(location):
        copied = _refresh_copy(user, root, project, location / "project.sha256")
        wanted = venv_key(root, interpreter, extras, constraints)
        stamp = location / "venv.sha256"
        if not (python.exists() and _read(stamp) == wanted):
            stamp.unlink(missing_ok=True)
            _build_venv(user, interpreter, project, venv, extras, constraints, location)
            stamp.write_text(wanted)
        elif copied:  # the venv is kept: refresh the editable install's metadata
            install: list[str | Path] = [
                python,
                "-m",
                "pip",
                "install",
                "--quiet",
                "--no-deps",
                "-e",
                ".",
            ]
            _checked(run_as(user, install, cwd=project, timeout=600), user)
        scratch = location / "scratch"
        root_owned_folder(scratch)
    return PlainEnvironment(user, location, project, python, interpreter, scratch)


def _read(path: Path) -> str | None:
    try:
        return path.read_text()
    except OSError:
        return None


def _refresh_copy(user: pwd.struct_passwd, root: Path, project: Path, stamp: Path) -> bool:
    """Copy the project into `project` unless the copy holds what it would copy; whether it
    copied."""
    files = project_files(root)
    wanted = project_key(root, files)
    if _read(stamp) == wanted and project_key(project, files) == wanted:
        return False
    stamp.unlink(missing_ok=True)
    shutil.rmtree(project, ignore_errors=True)
    project.mkdir(mode=0o755)
    for relative in files:
        (project / relative).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(root / relative, project / relative)
    _give_to(user, project)
    stamp.write_text(wanted)
    return True


def _build_venv(
    user: pwd.struct_passwd,
    interpreter: str,
    project: Path,
    venv: Path,
    extras: str,
    constraints: str,
    location: Path,
) -> None:
    _fresh_folder_of(user, venv)
    _checked(run_as(user, [interpreter, "-m", "venv", venv], cwd=project, timeout=600), user)
    install: list[str | Path] = [venv / "bin" / "python", "-m", "pip", "install", "--quiet"]
    if constraints:
        pinned = location / "constraints.txt"
        pinned.write_text(constraints)
        install += ["--constraint", pinned]
    try:
        _checked(run_as(user, [*install, "-e", f".[{extras}]"], cwd=project, timeout=1800), user)
    except EnvironmentBuildFailed as error:
        if any(sign.lower() in str(error).lower() for sign in NO_NETWORK_SIGNS):
            raise PlainUserUnavailable(
                f"the project's packages cannot be installed for {user.pw_name} here "
                f"(no package index reachable?): {error}"
            ) from None
        raise


def installed_versions(environment: PlainEnvironment) -> str:
    """``name==version`` lines of the venv's packages, the project left out: constraints
    that give another environment the same versions."""
    done = environment.run(
        [environment.python, "-m", "pip", "freeze", "--exclude-editable"], timeout=300
    )
    _checked(done, environment.user)
    return done.stdout
