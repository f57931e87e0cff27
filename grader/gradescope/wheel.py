"""A wheel of the nngrade that is running, for Gradescope's image to install.

The autograder must grade with exactly the code the instructor runs here (the same hidden
suites, the same reference, the same version in every document), so the wheel is made from
this installation: the files of its packages as they are on disk, and its installed
metadata (name, version, dependencies, console script). That needs neither the source
checkout nor a build backend nor the network, and works the same for an installation from a
wheel and for an editable one. After changing the dependencies of a checkout, reinstall it
(``pip install -e .``) so that its metadata follows.

The archive follows the binary distribution format (PEP 427, "wheel"): the packages at the
root, then ``<name>-<version>.dist-info/`` with METADATA, WHEEL, entry_points.txt,
top_level.txt and RECORD (every file's sha256 and size). Entries are sorted and dated
1980-01-01, so the same installation always gives the same bytes.
"""

from __future__ import annotations

import base64
import hashlib
import importlib.metadata
import importlib.util
import io
import os
import zipfile
from pathlib import Path

import grader
from grader.errors import UsageError

DISTRIBUTION = "nngrade"
PACKAGES = ("grader", "reference", "solutions")
"""The top-level packages when the installed metadata does not list them."""
TAG = "py3-none-any"
ZIP_DATE = (1980, 1, 1, 0, 0, 0)
SKIPPED_SUFFIXES = (".pyc", ".pyo")


def wheel_name(version: str = grader.__version__) -> str:
    """The wheel's file name, e.g. ``nngrade-0.1.0-py3-none-any.whl``."""
    return f"{DISTRIBUTION}-{version}-{TAG}.whl"


def installed_wheel() -> tuple[str, bytes]:
    """The file name and bytes of a wheel of the running nngrade.

    Raises:
        UsageError: nngrade's metadata is missing or is not this code's version.
    """
    metadata, entry_points, packages = _installed_metadata()
    version = grader.__version__
    dist_info = f"{DISTRIBUTION}-{version}.dist-info"
    files: dict[str, bytes] = {}
    for package in packages:
        files.update(_package_files(package))
    files[f"{dist_info}/METADATA"] = metadata.encode("utf-8")
    files[f"{dist_info}/WHEEL"] = (
        f"Wheel-Version: 1.0\nGenerator: nngrade {version}\nRoot-Is-Purelib: true\nTag: {TAG}\n"
    ).encode()
    if entry_points:
        files[f"{dist_info}/entry_points.txt"] = entry_points.encode("utf-8")
    files[f"{dist_info}/top_level.txt"] = "".join(f"{p}\n" for p in packages).encode()
    record_name = f"{dist_info}/RECORD"
    record = "".join(f"{name},sha256={_digest(data)},{len(data)}\n" for name, data in files.items())
    files[record_name] = (record + f"{record_name},,\n").encode()
    return wheel_name(version), _zip(files)


def _installed_metadata() -> tuple[str, str, tuple[str, ...]]:
    """(METADATA text, entry_points.txt text, top-level packages) of the installed nngrade."""
    try:
        distribution = importlib.metadata.distribution(DISTRIBUTION)
    except importlib.metadata.PackageNotFoundError:
        raise UsageError(
            "nngrade's installation metadata was not found, so no wheel can be made of it: "
            "install nngrade with pip (pip install -e . in a checkout), then build again."
        ) from None
    metadata = distribution.read_text("METADATA") or distribution.read_text("PKG-INFO") or ""
    if distribution.version != grader.__version__ or not metadata:
        raise UsageError(
            f"The installed nngrade metadata says version {distribution.version} but the code "
            f"running is {grader.__version__}: reinstall nngrade (pip install -e . in a "
            "checkout), then build again."
        )
    top_level = (distribution.read_text("top_level.txt") or "").split()
    return metadata, distribution.read_text("entry_points.txt") or "", tuple(top_level or PACKAGES)


def _package_files(package: str) -> dict[str, bytes]:
    """Every file of `package` as the wheel names it (``grader/cli.py``), sorted; no
    compiled files, caches or hidden files."""
    spec = importlib.util.find_spec(package)
    if spec is None or not spec.submodule_search_locations:
        raise UsageError(f"The package {package!r} of nngrade is not importable here.")
    root = Path(next(iter(spec.submodule_search_locations)))
    files: dict[str, bytes] = {}
    for folder, subfolders, names in os.walk(root):
        subfolders[:] = sorted(
            name for name in subfolders if name != "__pycache__" and not name.startswith(".")
        )
        for name in sorted(names):
            if name.startswith(".") or name.endswith(SKIPPED_SUFFIXES):
                continue
            path = Path(folder) / name
            relative = path.relative_to(root.parent).as_posix()
            files[relative] = path.read_bytes()
    return files


def _digest(data: bytes) -> str:
    return base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode()


def _zip(files: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in files.items():
            info = zipfile.ZipInfo(name, ZIP_DATE)
            info.external_attr = 0o100644 << 16  # a regular file, rw-r--r--
            info.compress_type = zipfile.ZIP_DEFLATED
            archive.writestr(info, data)
    return buffer.getvalue()
