"""Shared fixtures: the hand-written sample class rendered once per language, and the
bundled sample class (examples/class/) graded by the real grader."""

from __future__ import annotations

import json
import shutil
from html.parser import HTMLParser
from pathlib import Path

import pytest

from grader.report import render_reports

FIXTURES = Path(__file__).parent / "fixtures"
SAMPLE = Path(__file__).resolve().parents[2] / "examples" / "class"
CLASS = FIXTURES / "class"
READABLE = ("alice", "bob", "chloe", "david", "emma", "farid", "gaston", "lea", "mallory")


def load_fixture(student: str) -> dict:
    return json.loads((CLASS / student / "result.json").read_text(encoding="utf-8"))


def copy_class(target: Path) -> Path:
    shutil.copytree(CLASS, target)
    return target


@pytest.fixture(scope="session")
def rendered(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """The sample class rendered in each language: lang -> results folder."""
    folders = {}
    for lang in ("en", "fr"):
        folder = copy_class(tmp_path_factory.mktemp("results") / lang)
        (folder / "grades.csv").write_text("student,score\n", encoding="utf-8")
        (folder / "canvas.csv").write_text("Student,ID\n", encoding="utf-8")
        (folder / "bob" / "results.json").write_text('{"score": 43}', encoding="utf-8")
        render_reports(folder, lang=lang)
        folders[lang] = folder
    return folders


@pytest.fixture(scope="session")
def sample_class(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """examples/class/ graded by the real grader and sandbox, its pages in English: the
    results folder. Slow (a few seconds): for tests marked slow only."""
    from grader.batch import grade_class

    results = tmp_path_factory.mktemp("sample-class")
    report = grade_class(SAMPLE, results, workers=2, render=True)
    assert len(report.graded) == len(report.discovery.submissions)
    return results


@pytest.fixture(scope="session")
def sample_class_fr(sample_class: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The graded sample class with its pages in French: the results folder."""
    folder = tmp_path_factory.mktemp("sample-class-fr") / "results"
    shutil.copytree(sample_class, folder)
    render_reports(folder, lang="fr")
    return folder


def page(folder: Path, student: str | None = None) -> str:
    path = folder / "index.html" if student is None else folder / student / "feedback.html"
    return path.read_text(encoding="utf-8")


class VisibleText(HTMLParser):
    """The words a reader sees, minus code, preformatted text, plots and test titles
    (which come from the result document, in its own language)."""

    SKIPPED = frozenset({"style", "svg", "code", "pre", "title"})

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self._skip: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        classes = (dict(attrs).get("class") or "").split()
        if self._skip or tag in self.SKIPPED or "test-title" in classes:
            self._skip.append(tag)

    def handle_endtag(self, tag: str) -> None:
        if self._skip and self._skip[-1] == tag:
            self._skip.pop()

    def handle_data(self, data: str) -> None:
        if not self._skip:
            self.parts.append(data)


def visible_text(html: str) -> str:
    parser = VisibleText()
    parser.feed(html)
    return " ".join(" ".join(parser.parts).split())
