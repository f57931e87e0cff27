"""Fingerprints of nngrade's code: what tells a rerun that the code changed."""

from __future__ import annotations

from pathlib import Path

from grader.fingerprint import folder_fingerprint


def test_the_code_fingerprint_covers_every_file_but_bytecode(tmp_path: Path) -> None:
    """Templates, translations and modules alike: a change to any of them is a change."""
    package = tmp_path / "package"
    (package / "templates").mkdir(parents=True)
    (package / "__pycache__").mkdir()
    (package / "templates" / "page.html.j2").write_text("<p>{{ x }}</p>")
    (package / "view.py").write_text("X = 1\n")
    first = folder_fingerprint(package)
    (package / "__pycache__" / "view.cpython-311.pyc").write_bytes(b"\0")
    (package / "stray.pyc").write_bytes(b"\0")
    assert folder_fingerprint(package) == first
    (package / "templates" / "page.html.j2").write_text("<p>{{ y }}</p>")
    second = folder_fingerprint(package)
    assert second != first
    (package / "templates" / "page.html.j2").rename(package / "templates" / "other.html.j2")
    assert folder_fingerprint(package) not in (first, second)
