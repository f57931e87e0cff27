"""Fixtures for the engine tests: a fake hidden suite, correct fake functions, submissions."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

import pytest
from engine_fake_suite import SUITE
from engine_fakes import FakeProxy, FakeSandbox, correct_functions

from grader.catalog import MODULES
from grader.engine import grade_loaded
from grader.loading import load_submission


@pytest.fixture
def suite(tmp_path: Path) -> Path:
    folder = tmp_path / "suite"
    folder.mkdir()
    (folder / "test_fake.py").write_text(SUITE)
    return folder


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
