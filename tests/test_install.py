"""`pip install .` into a fresh virtual environment gives a working `nngrade` command."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

import grader

PROJECT_ROOT = Path(__file__).resolve().parents[1]
SHIPPED_FOLDERS = ("grader", "reference", "solutions")
PIP_TIMEOUT_SECONDS = 1200  # a cold cache downloads numpy, jinja2 and friends


def copy_project(destination: Path) -> Path:
    """Copy what the build reads into ``destination``, so the build never writes in the checkout."""
    destination.mkdir()
    shutil.copy2(PROJECT_ROOT / "pyproject.toml", destination / "pyproject.toml")
    readme = PROJECT_ROOT / "README.md"
    if readme.exists():
        shutil.copy2(readme, destination / "README.md")
    else:  # pyproject names a README; until the real one exists a placeholder lets it build
        (destination / "README.md").write_text("# nngrade\n", encoding="utf-8")
    for folder in SHIPPED_FOLDERS:
        if (PROJECT_ROOT / folder).is_dir():
            shutil.copytree(
                PROJECT_ROOT / folder,
                destination / folder,
                ignore=shutil.ignore_patterns("__pycache__", "*.pyc"),
            )
    return destination


def run(command: list[str], cwd: Path, timeout: float) -> subprocess.CompletedProcess[str]:
    """Run ``command`` outside the checkout's environment; fail showing all of its output."""
    environment = {key: value for key, value in os.environ.items() if key != "PYTHONPATH"}
    environment.pop("VIRTUAL_ENV", None)
    result = subprocess.run(
        command,
        cwd=cwd,
        env=environment,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )
    assert result.returncode == 0, (
        f"{' '.join(command)} exited with {result.returncode}.\n"
        f"--- stdout ---\n{result.stdout}\n--- stderr ---\n{result.stderr}"
    )
    return result


@pytest.mark.slow
def test_pip_install_in_a_fresh_venv_gives_a_working_nngrade(tmp_path: Path) -> None:
    """Build and install a copy of the project (not editable), then run `nngrade --version`."""
    project = copy_project(tmp_path / "project")
    venv = tmp_path / "venv"
    run([sys.executable, "-m", "venv", str(venv)], cwd=tmp_path, timeout=300)
    bin_folder = venv / ("Scripts" if os.name == "nt" else "bin")
    python = bin_folder / ("python.exe" if os.name == "nt" else "python")

    run(
        [str(python), "-m", "pip", "install", "--no-input", str(project)],
        cwd=tmp_path,
        timeout=PIP_TIMEOUT_SECONDS,
    )

    nngrade = bin_folder / ("nngrade.exe" if os.name == "nt" else "nngrade")
    version = run([str(nngrade), "--version"], cwd=tmp_path, timeout=120)
    assert grader.__version__ in version.stdout

    # The packages come from the installed copy, not from the checkout or the project copy.
    where = run(
        [
            str(python),
            "-c",
            "import grader, reference; print(grader.__file__); print(reference.__file__)",
        ],
        cwd=tmp_path,
        timeout=120,
    )
    for path in where.stdout.splitlines():
        assert Path(path).resolve().is_relative_to(venv.resolve()), where.stdout
