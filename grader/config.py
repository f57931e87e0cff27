"""The course's configuration: ``nngrade.toml``, or ``[tool.nngrade]`` in its ``pyproject.toml``.

It holds the limits every submission is graded under, so that a course can change them
without editing code; command-line options override it, and each result document records
the figures in force (``isolation.limits``)::

    # nngrade.toml (in pyproject.toml: [tool.nngrade.limits])
    [limits]
    call-timeout = 2          # seconds one call into the student's code may take
    submission-timeout = 120  # seconds for all the calls and imports of one submission
    import-timeout = 10       # seconds one student module's top-level code may take
    memory = 2048             # MiB of address space of the student's process

Every key is optional: what is not set keeps nngrade's default (`SandboxLimits`). The file
is found in the given folder or the nearest of its parents that has one: ``nngrade.toml``
first, else a ``pyproject.toml`` with a ``[tool.nngrade]`` table.
"""

from __future__ import annotations

import dataclasses
import math
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from grader.errors import UsageError

if TYPE_CHECKING:  # the sandbox package loads numpy: `nngrade batch`'s parent does without
    from grader.sandbox.limits import SandboxLimits

CONFIG_FILE = "nngrade.toml"
PYPROJECT_FILE = "pyproject.toml"
MIB = 1 << 20
MIN_MEMORY_MIB = 256
"""Below this, the student's process cannot even hold numpy: every test would crash."""


class ConfigError(UsageError):
    """The course's configuration cannot be used: the message names the file and the key."""


@dataclass(frozen=True)
class LimitSettings:
    """Limits a course or a command line sets; None leaves the figure to the next source.

    Attributes:
        call_timeout: seconds per call into the student's code (``call-timeout``).
        submission_timeout: seconds for one whole submission (``submission-timeout``).
        import_timeout: seconds per student module's top-level code (``import-timeout``).
        memory_mib: MiB of address space of the student's process (``memory``).
    """

    call_timeout: float | None = None
    submission_timeout: float | None = None
    import_timeout: float | None = None
    memory_mib: int | None = None

    def over(self, base: LimitSettings) -> LimitSettings:
        """These settings where set, `base`'s elsewhere."""
        return LimitSettings(
            **{
                name: getattr(self, name)
                if getattr(self, name) is not None
                else getattr(base, name)
                for name in _KEYS.values()
            }
        )

    def sandbox_limits(self, defaults: SandboxLimits | None = None) -> SandboxLimits:
        """The sandbox's limits: `defaults` (nngrade's own) with these settings applied."""
        from grader.sandbox.limits import SandboxLimits

        figures: dict[str, Any] = {}
        if self.call_timeout is not None:
            figures["wall_seconds_per_call"] = self.call_timeout
        if self.submission_timeout is not None:
            figures["wall_seconds_per_submission"] = self.submission_timeout
        if self.import_timeout is not None:
            figures["import_seconds"] = self.import_timeout
        if self.memory_mib is not None:
            figures["memory_bytes"] = self.memory_mib * MIB
        return dataclasses.replace(defaults or SandboxLimits(), **figures)


# The keys of the [limits] table -> the fields of LimitSettings.
_KEYS = {
    "call-timeout": "call_timeout",
    "submission-timeout": "submission_timeout",
    "import-timeout": "import_timeout",
    "memory": "memory_mib",
}


@dataclass(frozen=True)
class CourseConfig:
    """A course's configuration; `path` is the file it was read from (None: no file)."""

    path: Path | None = None
    limits: LimitSettings = LimitSettings()


def find_config(start: Path) -> Path | None:
    """The configuration file for the folder `start`: in it or the nearest parent with one."""
    folder = Path(start).resolve()
    for candidate in (folder, *folder.parents):
        own = candidate / CONFIG_FILE
        if own.is_file():
            return own
        pyproject = candidate / PYPROJECT_FILE
        if pyproject.is_file() and _has_nngrade_table(pyproject):
            return pyproject
    return None


def _has_nngrade_table(pyproject: Path) -> bool:
    try:
        data = tomllib.loads(pyproject.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError):
        return False  # not ours to judge: it is only read when it has our table
    tool = data.get("tool")
    return isinstance(tool, dict) and "nngrade" in tool


def read_config(path: Path) -> CourseConfig:
    """Read the course's configuration from `path` (``nngrade.toml`` or ``pyproject.toml``).

    Raises `ConfigError` naming the file and the key for anything it cannot use: a syntax
    error, an unknown table or key (with the valid ones), a value of the wrong type or out
    of range.
    """
    path = Path(path)
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ConfigError(f"The configuration file {path} does not exist.") from None
    except (OSError, UnicodeDecodeError) as error:
        raise ConfigError(f"The configuration file {path} cannot be read: {error}.") from None
    except tomllib.TOMLDecodeError as error:
        raise ConfigError(f"{path} is not valid TOML: {error}.") from None
    if path.name == PYPROJECT_FILE:
        tool = data.get("tool")
        table = tool.get("nngrade") if isinstance(tool, dict) else None
        if not isinstance(table, dict):
            raise ConfigError(f"{path} has no [tool.nngrade] table.")
        where = "tool.nngrade"
    else:
        table, where = data, ""
    _refuse_unknown(path, where, table, {"limits"})
    limits = table.get("limits", {})
    if not isinstance(limits, dict):
        raise ConfigError(f"{path}: {_name(where, 'limits')} must be a table, as [limits].")
    return CourseConfig(path=path, limits=_limit_settings(path, _name(where, "limits"), limits))


def _name(where: str, key: str) -> str:
    return f"{where}.{key}" if where else key


def _refuse_unknown(path: Path, where: str, table: Mapping[str, Any], known: set[str]) -> None:
    unknown = sorted(set(table) - known)
    if unknown:
        place = f"[{where}]" if where else "the file"
        raise ConfigError(
            f"{path}: {place} has no setting {unknown[0]!r}; the settings are: "
            f"{', '.join(sorted(known))}."
        )


def _limit_settings(path: Path, where: str, table: Mapping[str, Any]) -> LimitSettings:
    _refuse_unknown(path, where, table, set(_KEYS))
    values: dict[str, Any] = {}
    for key, field in _KEYS.items():
        if key not in table:
            continue
        value = table[key]
        if key == "memory":
            values[field] = check_memory_mib(value, f"{path}: {where}.{key}")
        else:
            values[field] = check_seconds(value, f"{path}: {where}.{key}")
    return LimitSettings(**values)


def check_seconds(value: object, name: str) -> float:
    """`value` as a number of seconds, or `ConfigError` naming it."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise ConfigError(f"{name} must be a number of seconds, not {value!r}.")
    if not math.isfinite(value) or value <= 0:
        raise ConfigError(f"{name} must be more than 0 seconds, not {value!r}.")
    return float(value)


def check_memory_mib(value: object, name: str) -> int:
    """`value` as a whole number of MiB of at least `MIN_MEMORY_MIB`, or `ConfigError`."""
    if isinstance(value, bool) or not isinstance(value, int):
        raise ConfigError(f"{name} must be a whole number of MiB, not {value!r}.")
    if value < MIN_MEMORY_MIB:
        raise ConfigError(
            f"{name} must be at least {MIN_MEMORY_MIB} MiB (numpy alone needs about that), "
            f"not {value}."
        )
    return value


def course_limits(
    overrides: LimitSettings = LimitSettings(),
    *,
    config: Path | None = None,
    start: Path | None = None,
) -> tuple[SandboxLimits, Path | None]:
    """The limits to grade under: `overrides` (the command line's options) over the course's
    configuration over nngrade's defaults; and the configuration file read, if any.

    `config` names the file; without it, it is looked for from the folder `start` (default:
    the current folder) up, and a course without one keeps the defaults.
    """
    path = config if config is not None else find_config(start or Path.cwd())
    course = read_config(path) if path is not None else CourseConfig()
    return overrides.over(course.limits).sandbox_limits(), path
