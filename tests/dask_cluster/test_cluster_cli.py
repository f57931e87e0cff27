"""`nngrade batch --scheduler` as an instructor meets it, and a batch without it, which
must not even load Dask."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from batch.fake_backend import folder_submission
from click.testing import CliRunner

from grader.cli import main

TESTS = Path(__file__).resolve().parents[1]
# `nngrade batch` with the fake grader, then which Dask modules the process loaded.
BATCH_THEN_MODULES = (
    "import sys; sys.path.insert(0, {tests!r});"
    "{block}"
    "from batch.fake_backend import fake_backend;"
    "import grader.batch.pipeline as module;"
    "module.engine_backend = fake_backend;"
    "from grader.cli import main;"
    "code = main(['batch', *sys.argv[1:]], standalone_mode=False);"
    "print('loaded:', sorted(m for m in sys.modules if m.split('.')[0] in ('dask', 'distributed')))"
)


def _run(
    tmp_path: Path, *options: str, block_dask: bool = False
) -> subprocess.CompletedProcess[str]:
    submissions = tmp_path / "class"
    folder_submission(submissions, "alice", "sigmoid")
    folder_submission(submissions, "bob", "tanh")
    block = "sys.modules['distributed'] = None; sys.modules['dask'] = None;" if block_dask else ""
    code = BATCH_THEN_MODULES.format(tests=str(TESTS), block=block)
    return subprocess.run(
        [sys.executable, "-c", code, str(submissions), "--out", str(tmp_path / "out"), *options],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


def test_a_batch_without_scheduler_never_imports_dask(tmp_path: Path) -> None:
    done = _run(tmp_path, "--workers", "1", "--no-report")
    assert done.returncode == 0, done.stdout + done.stderr
    assert "Graded 2 submissions" in done.stdout
    assert "loaded: []" in done.stdout


def test_a_scheduler_without_dask_installed_says_how_to_install_it(tmp_path: Path) -> None:
    done = _run(tmp_path, "--scheduler", "tcp://127.0.0.1:8786", block_dask=True)
    assert done.returncode != 0
    assert "pip install 'nngrade[dask]'" in done.stdout + done.stderr
    assert not (tmp_path / "out").exists() or not list((tmp_path / "out").glob("*/result.json"))


def test_workers_and_scheduler_together_are_refused(tmp_path: Path) -> None:
    result = CliRunner().invoke(
        main,
        ["batch", str(tmp_path), "--out", "x", "--scheduler", "tcp://h:8786", "--workers", "2"],
    )
    assert result.exit_code == 2
    assert "with --scheduler the cluster's workers grade" in result.output


def test_scheduler_and_nbgrader_together_say_what_to_do_instead(tmp_path: Path) -> None:
    result = CliRunner().invoke(
        main,
        [
            *("batch", "--nbgrader", str(tmp_path), "--assignment", "nn", "--out", "x"),
            *("--scheduler", "tcp://h:8786"),
        ],
    )
    assert result.exit_code == 2
    assert "give COURSE_DIR/submitted as SUBMISSIONS with --assignment" in result.output


def test_the_help_teaches_the_cluster_option() -> None:
    result = CliRunner().invoke(main, ["batch", "--help"])
    assert result.exit_code == 0
    assert "--scheduler ADDRESS" in result.output
    assert "docs/clusters.md" in result.output
