"""Fixtures for the sandbox tests: one warm sandbox per module, sessions closed after each test."""

from __future__ import annotations

import os
import shutil
import tempfile
import textwrap
from collections.abc import Iterator
from pathlib import Path

import pytest
from sandbox_helpers import TEST_LIMITS, OpenSession, function_modules_of

from grader.sandbox import Sandbox, StudentSession


@pytest.fixture(scope="session")
def secret_folder() -> Iterator[Path]:
    """A world-readable folder outside every folder the sandbox hides by itself (and
    outside /tmp, which a worker sees as its own): in a system folder as root, in the home
    folder otherwise."""
    candidates = ("/srv", "/opt", "/var/lib", "/mnt", os.path.expanduser("~"))
    parent = next(p for p in candidates if os.path.isdir(p) and os.access(p, os.W_OK))
    folder = Path(tempfile.mkdtemp(prefix="nngrade-test-secret-", dir=parent))
    folder.chmod(0o755)
    secret = folder / "answers.txt"
    secret.write_text("the hidden answers\n", encoding="utf-8")
    secret.chmod(0o644)
    yield folder
    shutil.rmtree(folder, ignore_errors=True)


@pytest.fixture(scope="module")
def sandbox(secret_folder: Path) -> Iterator[Sandbox]:
    with Sandbox(TEST_LIMITS, hidden_paths=[secret_folder]) as box:
        yield box


@pytest.fixture
def open_session(sandbox: Sandbox) -> Iterator[OpenSession]:
    """Open a session on dedented sources; every function is mapped to its module."""
    opened: list[StudentSession] = []

    def open_(sources: dict[str, str] | None = None, **modules: str) -> StudentSession:
        texts = {
            name: textwrap.dedent(text) for name, text in {**(sources or {}), **modules}.items()
        }
        session = sandbox.open_session(texts, function_modules=function_modules_of(texts))
        opened.append(session)
        return session

    yield open_
    for session in opened:
        session.close()
