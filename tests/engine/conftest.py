"""Fixtures for the engine tests: a fake hidden suite, correct fake functions, submissions."""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator, Mapping
from pathlib import Path
from typing import Any

import pytest
from engine_fake_suite import SUITE
from engine_fakes import FakeProxy, FakeSandbox, correct_functions

from grader.catalog import MODULES
from grader.engine import grade_loaded
from grader.loading import load_submission

MakeSuite = Callable[..., Path]


@pytest.fixture(autouse=True)
def fresh_imports(tmp_path: Path) -> Iterator[None]:
    """Each test imports its suites afresh.

    pytest imports a test module once per process by its name (``test_fake``), even from
    another folder: the modules of this test's folders are forgotten after it.
    """
    imported = set(sys.modules)
    yield
    for name in set(sys.modules) - imported:
        if str(getattr(sys.modules[name], "__file__", None)).startswith(str(tmp_path)):
            del sys.modules[name]


@pytest.fixture
def make_suite(tmp_path: Path) -> MakeSuite:
    """Write hidden suite files into a new folder: ``make_suite(test_x=TEXT, conftest=TEXT)``."""
    folders = iter(range(1_000))

    def make(**files: str) -> Path:
        folder = tmp_path / f"suite{next(folders)}"
        folder.mkdir()
        for name, text in files.items():
            (folder / f"{name}.py").write_text(text)
        return folder

    return make


@pytest.fixture
def suite(make_suite: MakeSuite, request: pytest.FixtureRequest) -> Path:
    """The fake suite; its `test_update_internal_bug` is a bug of ours on purpose."""
    request.node.add_marker(pytest.mark.internal_error)
    return make_suite(test_fake=SUITE)


@pytest.fixture
def submission(tmp_path: Path) -> Path:
    """A folder with the four modules (their text does not matter to the fake sandbox)."""
    folder = tmp_path / "alice"
    folder.mkdir()
    for module in MODULES:
        (folder / f"{module}.py").write_text(f'"""{module}, graded by the fake sandbox."""\n')
    return folder


GradeFake = Callable[..., dict[str, Any]]


@pytest.fixture
def grade_fake(suite: Path) -> GradeFake:
    """Grade a submission folder against the fake suite with fake student functions."""

    def grade(
        path: Path,
        functions: Mapping[str, Callable[..., Any]] | None = None,
        *,
        student: str = "alice",
        lang: str = "en",
        import_status: Mapping[str, str] | None = None,
        suite_folder: Path | None = None,
        limits: Any = None,
    ) -> dict[str, Any]:
        sandbox = FakeSandbox(
            correct_functions() if functions is None else functions, import_status
        )
        return grade_loaded(
            load_submission(path),
            student=student,
            lang=lang,
            sandbox=sandbox,
            limits=limits,
            suite=suite_folder or suite,
            proxy_factory=FakeProxy,
        )

    return grade
