"""docs/result-schema.md documents exactly what the grader writes in `isolation`."""

from __future__ import annotations

import re
from pathlib import Path

from grader.sandbox import Sandbox, SandboxLimits

SCHEMA = (Path(__file__).resolve().parents[1] / "docs" / "result-schema.md").read_text()


def _documented_names(field: str) -> set[str]:
    """The backquoted names in the schema table row of `field`."""
    row = next(line for line in SCHEMA.splitlines() if line.startswith(f"| `{field}` |"))
    return set(re.findall(r"`([a-z_]+)`", row)) - {field, "true", "false"}


def test_every_limit_is_documented_under_its_name() -> None:
    """Scripts read `isolation.limits` by the names the schema gives."""
    assert set(SandboxLimits().as_dict()) == _documented_names("limits")


def test_every_isolation_layer_is_documented() -> None:
    """Each layer the sandbox reports is named in the schema, and nothing more."""
    with Sandbox() as sandbox:
        layers = set(sandbox.isolation()["layers"])
    assert layers == _documented_names("layers")
