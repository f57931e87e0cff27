"""The course's configuration: found where the course is, refused with the file and key
named, and overridden by the command line; the result records the limits in force."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from grader.cli import main
from grader.config import (
    ConfigError,
    LimitSettings,
    course_limits,
    find_config,
    read_config,
)
from grader.sandbox import SandboxLimits

ROOT = Path(__file__).resolve().parents[1]


def _write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def test_nngrade_toml_is_found_in_the_folder_or_the_nearest_parent(tmp_path: Path) -> None:
    config = _write(tmp_path / "course" / "nngrade.toml", "[limits]\ncall-timeout = 2\n")
    deep = tmp_path / "course" / "week1" / "submissions"
    deep.mkdir(parents=True)
    assert find_config(deep) == config
    assert find_config(tmp_path) is None


def test_a_pyproject_counts_only_with_a_tool_nngrade_table(tmp_path: Path) -> None:
    _write(tmp_path / "course" / "pyproject.toml", "[project]\nname = 'course'\n")
    assert find_config(tmp_path / "course") is None
    upper = _write(tmp_path / "pyproject.toml", "[tool.nngrade.limits]\nmemory = 2048\n")
    assert find_config(tmp_path / "course") == upper
    assert read_config(upper).limits == LimitSettings(memory_mib=2048)
    own = _write(tmp_path / "course" / "nngrade.toml", "")
    assert find_config(tmp_path / "course") == own  # nngrade.toml first


def test_every_setting_is_read_with_its_unit(tmp_path: Path) -> None:
    path = _write(
        tmp_path / "nngrade.toml",
        "[limits]\ncall-timeout = 2\nsubmission-timeout = 90.5\nimport-timeout = 5\n"
        "memory = 2048\n",
    )
    limits, found = course_limits(start=tmp_path)
    assert found == path
    assert limits == SandboxLimits(
        wall_seconds_per_call=2.0,
        wall_seconds_per_submission=90.5,
        import_seconds=5.0,
        memory_bytes=2048 << 20,
    )


def test_options_override_the_file_which_overrides_the_defaults(tmp_path: Path) -> None:
    course = tmp_path / "course"
    _write(course / "nngrade.toml", "[limits]\ncall-timeout = 2\nmemory = 2048\n")
    limits, _ = course_limits(LimitSettings(call_timeout=3.0), start=course)
    assert limits.wall_seconds_per_call == 3.0  # the option
    assert limits.memory_bytes == 2048 << 20  # the file
    assert limits.wall_seconds_per_submission == SandboxLimits().wall_seconds_per_submission
    (tmp_path / "other").mkdir()
    assert course_limits(start=tmp_path / "other") == (SandboxLimits(), None)


BAD = {
    "unknown key": (
        "[limits]\ncall_timeout = 2\n",
        "[limits] has no setting 'call_timeout'; the settings are: call-timeout, "
        "import-timeout, memory, submission-timeout.",
    ),
    "unknown table": ("[limit]\n", "the file has no setting 'limit'; the settings are: limits."),
    "text for seconds": (
        '[limits]\ncall-timeout = "2s"\n',
        "limits.call-timeout must be a number of seconds, not '2s'.",
    ),
    "no time at all": (
        "[limits]\nsubmission-timeout = 0\n",
        "limits.submission-timeout must be more than 0 seconds, not 0.",
    ),
    "fractional memory": (
        "[limits]\nmemory = 1.5\n",
        "limits.memory must be a whole number of MiB, not 1.5.",
    ),
    "too little memory": ("[limits]\nmemory = 64\n", "limits.memory must be at least 256 MiB"),
    "not toml": ("[limits\n", "is not valid TOML"),
}


@pytest.mark.parametrize("case", sorted(BAD))
def test_a_setting_that_cannot_be_used_is_refused_naming_file_and_key(
    tmp_path: Path, case: str
) -> None:
    text, message = BAD[case]
    path = _write(tmp_path / "nngrade.toml", text)
    with pytest.raises(ConfigError) as caught:
        read_config(path)
    assert str(path) in str(caught.value) and message in str(caught.value)


def test_in_pyproject_the_keys_are_named_under_tool_nngrade(tmp_path: Path) -> None:
    path = _write(tmp_path / "pyproject.toml", "[tool.nngrade.limits]\nmemory = 'big'\n")
    with pytest.raises(ConfigError, match=r"tool\.nngrade\.limits\.memory must be a whole"):
        read_config(path)


def test_the_help_shows_nngrades_own_defaults() -> None:
    """The defaults the options' help states are those of the sandbox."""
    defaults = SandboxLimits()
    expected = {
        "--call-timeout": defaults.wall_seconds_per_call,
        "--submission-timeout": defaults.wall_seconds_per_submission,
        "--import-timeout": defaults.import_seconds,
        "--memory": defaults.memory_bytes >> 20,
    }
    for command in ("grade", "batch"):
        text = " ".join(CliRunner().invoke(main, [command, "--help"]).output.split())
        for option, value in expected.items():
            found = re.search(re.escape(option) + r" [A-Za-z]+ .*?\[default: ([0-9.]+)\]", text)
            assert found is not None, (command, option)
            assert float(found.group(1)) == value, (command, option)


def test_a_bad_configuration_stops_the_command_with_exit_2(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    _write(tmp_path / "nngrade.toml", "[limits]\nmemroy = 512\n")
    (tmp_path / "alice").mkdir()
    outcome = CliRunner().invoke(main, ["grade", "alice"])
    assert outcome.exit_code == 2
    assert "nngrade.toml: [limits] has no setting 'memroy'" in outcome.output
    assert not (tmp_path / "result.json").exists()


@pytest.mark.slow
def test_grade_records_the_limits_of_the_options_and_the_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    course = tmp_path / "course"
    shutil.copytree(ROOT / "solutions", course / "sam", ignore=shutil.ignore_patterns("__py*"))
    config = _write(tmp_path / "elsewhere.toml", "[limits]\nimport-timeout = 4\n")
    monkeypatch.chdir(course)
    options = ["--config", str(config), "--call-timeout", "0.8", "--submission-timeout", "45"]
    outcome = CliRunner().invoke(main, ["grade", "sam", *options])
    assert outcome.exit_code == 0, outcome.output
    document = json.loads((course / "result.json").read_text())
    limits = document["isolation"]["limits"]
    assert (limits["wall_seconds_per_call"], limits["wall_seconds_per_submission"]) == (0.8, 45)
    assert limits["wall_seconds_per_import"] == 4
    assert document["score"] == document["max_score"]
