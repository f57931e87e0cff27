"""`build_autograder`: the zip an instructor uploads to Gradescope as the autograder.

At the root of the zip, as Gradescope's autograder specification asks:

- ``setup.sh``: run once when Gradescope builds the image; installs Python 3.11+ when the
  image lacks it, then the wheel and its dependencies into ``/autograder/nngrade-venv``;
- ``run_autograder``: run for each submission; ``nngrade gradescope run`` on ``/autograder``;
- ``nngrade-<version>-py3-none-any.whl``: the nngrade running here, hidden suites and
  reference included (`grader.gradescope.wheel`);
- ``nngrade-autograder.json``: the language and the visibility chosen
  (`grader.gradescope.config`).

The zip is deterministic: the same nngrade and choices give the same bytes.
"""

from __future__ import annotations

import importlib.resources
import io
import zipfile
from dataclasses import dataclass
from pathlib import Path

import grader
from grader.atomic import write_bytes_atomic
from grader.errors import UsageError
from grader.gradescope.config import CONFIG_FILE, DEFAULT_HIDDEN_VISIBILITY, AutograderConfig
from grader.gradescope.wheel import ZIP_DATE, installed_wheel

SCRIPTS = ("setup.sh", "run_autograder")


@dataclass(frozen=True)
class AutograderPackage:
    """The zip written, and what is in it.

    Attributes:
        path: the zip.
        config: the choices it grades with.
        entries: its entries, in order.
        bytes: its size.
    """

    path: Path
    config: AutograderConfig
    entries: tuple[str, ...]
    bytes: int


def build_autograder(
    out: Path, *, lang: str = "en", hidden_visibility: str = DEFAULT_HIDDEN_VISIBILITY
) -> AutograderPackage:
    """Write Gradescope's autograder zip to `out` (replaced if it exists, atomically).

    Args:
        out: the zip to write, e.g. ``autograder.zip``; its folder is created if needed.
        lang: ``en`` or ``fr``, the language of the messages and of the feedback page.
        hidden_visibility: when students see the hidden tests, their score and their
            feedback page (``after_published``: once the instructor publishes the grades).

    Raises:
        UsageError: `out` is not a .zip path, a choice is unknown, or nngrade's installation
            cannot be made into a wheel.
    """
    out = Path(out)
    if out.suffix.lower() != ".zip":
        raise UsageError(f"Gradescope takes the autograder as a .zip file: give --out {out}.zip.")
    if out.is_dir():
        raise UsageError(f"{out} is a folder; give the path of the .zip file to write.")
    wheel, wheel_bytes = installed_wheel()
    config = AutograderConfig(
        lang=lang,
        hidden_visibility=hidden_visibility,
        nngrade_version=grader.__version__,
        wheel=wheel,
    )
    scripts = importlib.resources.files("grader.gradescope") / "scripts"
    entries: list[tuple[str, bytes, int]] = [
        *((name, (scripts / name).read_bytes(), 0o755) for name in SCRIPTS),
        (wheel, wheel_bytes, 0o644),
        (CONFIG_FILE, config.to_json().encode("utf-8"), 0o644),
    ]
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data, mode in entries:
            info = zipfile.ZipInfo(name, ZIP_DATE)
            info.external_attr = (0o100000 | mode) << 16  # a regular file with this mode
            info.compress_type = zipfile.ZIP_DEFLATED
            archive.writestr(info, data)
    data = buffer.getvalue()
    out.parent.mkdir(parents=True, exist_ok=True)
    write_bytes_atomic(out, data)
    return AutograderPackage(out, config, tuple(name for name, _, _ in entries), len(data))
