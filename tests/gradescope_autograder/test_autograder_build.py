"""`nngrade gradescope build`: a zip in Gradescope's autograder format, with a wheel of the
nngrade running here."""

from __future__ import annotations

import base64
import csv
import email
import hashlib
import io
import json
import os
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
from click.testing import CliRunner

import grader
from grader.cli import main
from grader.errors import UsageError
from grader.gradescope import build_autograder

PROJECT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("build") / "autograder.zip"
    build_autograder(out, lang="fr", hidden_visibility="after_due_date")
    return out


def _wheel(archive_path: Path) -> zipfile.ZipFile:
    with zipfile.ZipFile(archive_path) as archive:
        (name,) = [entry for entry in archive.namelist() if entry.endswith(".whl")]
        return zipfile.ZipFile(io.BytesIO(archive.read(name)))


def test_the_zip_has_the_scripts_at_its_root_executable(built: Path) -> None:
    with zipfile.ZipFile(built) as archive:
        infos = {info.filename: info for info in archive.infolist()}
        config = json.loads(archive.read("nngrade-autograder.json"))
    wheel = f"nngrade-{grader.__version__}-py3-none-any.whl"
    assert sorted(infos) == sorted(["setup.sh", "run_autograder", wheel, "nngrade-autograder.json"])
    for script in ("setup.sh", "run_autograder"):
        assert (infos[script].external_attr >> 16) & 0o777 == 0o755, script
    assert config == {
        "format": "nngrade.autograder/1",
        "hidden_visibility": "after_due_date",
        "lang": "fr",
        "nngrade_version": grader.__version__,
        "wheel": wheel,
    }


def test_the_scripts_are_valid_bash_and_use_the_documented_variables(built: Path) -> None:
    with zipfile.ZipFile(built) as archive:
        run = archive.read("run_autograder").decode()
        setup = archive.read("setup.sh").decode()
    for text in (run, setup):
        assert text.startswith("#!/usr/bin/env bash\n")
        checked = subprocess.run(["bash", "-n"], input=text, text=True, capture_output=True)
        assert checked.returncode == 0, checked.stderr
    assert "NNGRADE_AUTOGRADER_ROOT" in run and "NNGRADE_AUTOGRADER_PYTHON" in run
    assert "/autograder/nngrade-venv" in run and "/autograder/nngrade-venv" in setup
    assert "pip install --quiet ./nngrade-*.whl" in setup


def test_building_twice_gives_the_same_bytes(built: Path, tmp_path: Path) -> None:
    again = build_autograder(tmp_path / "again.zip", lang="fr", hidden_visibility="after_due_date")
    assert again.path.read_bytes() == built.read_bytes()


def test_the_wheel_holds_every_file_of_the_packages_with_a_true_record(built: Path) -> None:
    wheel = _wheel(built)
    names = set(wheel.namelist())
    dist_info = f"nngrade-{grader.__version__}.dist-info"
    shipped = {
        path.relative_to(PROJECT).as_posix()
        for package in ("grader", "reference", "solutions")
        for path in (PROJECT / package).rglob("*")
        if path.is_file() and "__pycache__" not in path.parts and path.suffix != ".pyc"
    }
    assert names - {n for n in names if n.startswith(dist_info)} == shipped
    assert "grader/hidden/test_activations.py" in names
    assert "grader/gradescope/scripts/run_autograder" in names
    rows = list(csv.reader(io.StringIO(wheel.read(f"{dist_info}/RECORD").decode())))
    assert {row[0] for row in rows} == names
    for path, digest, size in rows:
        if path.endswith("RECORD"):
            assert digest == size == ""
            continue
        data = wheel.read(path)
        expected = base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=")
        assert digest == f"sha256={expected.decode()}" and int(size) == len(data), path
    metadata = email.message_from_bytes(wheel.read(f"{dist_info}/METADATA"))
    assert metadata["Name"] == "nngrade" and metadata["Version"] == grader.__version__
    assert any(r.startswith("numpy") for r in metadata.get_all("Requires-Dist") or [])
    assert "nngrade = grader.cli:main" in wheel.read(f"{dist_info}/entry_points.txt").decode()
    assert "Root-Is-Purelib: true" in wheel.read(f"{dist_info}/WHEEL").decode()


@pytest.mark.slow
def test_pip_installs_the_wheel_offline(built: Path, tmp_path: Path) -> None:
    """The wheel is one pip accepts: installed without its dependencies and without the
    network, it gives the nngrade command and the hidden suites."""
    wheel_path = tmp_path / f"nngrade-{grader.__version__}-py3-none-any.whl"
    with zipfile.ZipFile(built) as archive:
        wheel_path.write_bytes(archive.read(wheel_path.name))
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True, timeout=300)
    python = venv / "bin" / "python"
    environment = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "VIRTUAL_ENV")}
    install = subprocess.run(
        [str(python), "-m", "pip", "install", "--no-index", "--no-deps", str(wheel_path)],
        capture_output=True,
        text=True,
        timeout=300,
        env=environment,
        cwd=tmp_path,
    )
    assert install.returncode == 0, install.stdout + install.stderr
    assert (venv / "bin" / "nngrade").is_file()
    probe = (
        "import importlib.resources as r, grader; print(grader.__version__); "
        "print(r.files('grader.hidden').joinpath('test_activations.py').is_file())"
    )
    shown = subprocess.run(
        [str(python), "-I", "-c", probe],
        capture_output=True,
        text=True,
        env=environment,
        cwd=tmp_path,
    )
    assert shown.stdout.split() == [grader.__version__, "True"], shown.stderr


def test_the_command_lists_what_it_wrote_and_where_to_upload_it(tmp_path: Path) -> None:
    out = tmp_path / "lab1" / "autograder.zip"
    result = CliRunner().invoke(main, ["gradescope", "build", "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert f"Wrote {out}" in result.output
    assert "run_autograder" in result.output and "setup.sh" in result.output
    assert "Configure Autograder" in result.output
    assert "hidden tests, score and feedback page: after_published" in result.output
    assert zipfile.is_zipfile(out)


def test_an_out_path_that_is_not_a_zip_is_refused_with_the_fix(tmp_path: Path) -> None:
    with pytest.raises(UsageError, match=r"give --out .*autograder\.zip"):
        build_autograder(tmp_path / "autograder")
    result = CliRunner().invoke(main, ["gradescope", "build", "--out", str(tmp_path / "ag.tar")])
    assert result.exit_code == 2
    assert "Gradescope takes the autograder as a .zip file" in result.output


def test_an_unknown_visibility_is_refused_by_the_command(tmp_path: Path) -> None:
    result = CliRunner().invoke(
        main, ["gradescope", "build", "--out", str(tmp_path / "a.zip"), "--hidden-visibility", "x"]
    )
    assert result.exit_code == 2
    assert "after_published" in result.output
