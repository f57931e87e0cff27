"""Translations of the pages: no English left on French pages, titles in the page's language."""

from __future__ import annotations

import os
import re
from html.parser import HTMLParser
from typing import Any

import pytest

from grader.locale import translations
from grader.report import render_class_summary, render_student_feedback

from .conftest import SAMPLE, load_fixture, page, visible_text


def english_ui_chunks() -> list[str]:
    """Our English UI words that French pages must not show: each message's text between
    placeholders, unless French uses the same words ("Exception", "Test")."""
    chunks = set()
    for message, strings in translations("fr").items():
        translation = " ".join(strings)
        for chunk in re.split(r"%\(\w+\)[sd]", message):
            chunk = chunk.strip(" :.,")
            if len(chunk) >= 3 and chunk not in translation:
                chunks.add(chunk)
    return sorted(chunks)


def test_french_pages_have_no_english_ui_string(rendered) -> None:
    """On every French page, none of our English strings appears in the visible text."""
    assert len(english_ui_chunks()) > 150
    english = visible_text(page(rendered["en"]))
    assert sum(chunk in english for chunk in english_ui_chunks()) > 20  # the check can fail
    folder = rendered["fr"]
    pages = [folder / "index.html", *sorted(folder.glob("*/feedback.html"))]
    for path in pages:
        text = visible_text(path.read_text(encoding="utf-8"))
        for chunk in english_ui_chunks():
            assert not re.search(rf"(?<!\w){re.escape(chunk)}(?!\w)", text), (
                f"English {chunk!r} on the French page {path}"
            )


def test_key_strings_are_translated(rendered) -> None:
    """The same page in both languages: English words on one, French on the other."""
    english, french = page(rendered["en"], "bob"), page(rendered["fr"], "bob")
    assert '<html lang="en">' in english and '<html lang="fr">' in french
    for en, fr in [
        ("Feedback for bob", "Retour pour bob"),
        ("Read again in the lecture", "À relire dans le cours"),
        ("The entries that differ most", "Les coefficients les plus différents"),
        ("Backward propagation", "Rétropropagation"),
    ]:
        assert en in english and fr in french
    assert "Synthèse de la classe" in page(rendered["fr"])
    assert "Class summary" in page(rendered["en"])


def test_test_titles_follow_the_page_language() -> None:
    """A class graded in English and reported in French shows each test's French title,
    in the student's page and in the class summary."""
    document = load_fixture("bob")
    test = document["exercises"][0]["tests"][0]
    test["title"] = "sigmoid: values on random inputs"
    test["titles"] = {"en": test["title"], "fr": "sigmoid : valeurs sur des entrées aléatoires"}
    for html in (
        render_student_feedback(document, lang="fr"),
        render_class_summary([document], lang="fr"),
    ):
        assert "sigmoid : valeurs sur des entrées aléatoires" in html
        assert "sigmoid: values on random inputs" not in html


class _Notes(HTMLParser):
    """The text of each isolation note (``<p class="note">``) of a feedback page."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.notes: list[str] = []
        self._inside = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "p" and "note" in (dict(attrs).get("class") or "").split():
            self._inside = True
            self.notes.append("")

    def handle_endtag(self, tag: str) -> None:
        if tag == "p":
            self._inside = False

    def handle_data(self, data: str) -> None:
        if self._inside:
            self.notes[-1] += data


def isolation_notes(html: str) -> list[str]:
    parser = _Notes()
    parser.feed(html)
    return parser.notes


@pytest.fixture(scope="module")
def graded_here() -> dict[str, Any]:
    """A submission of the sample class graded by the real sandbox on this machine."""
    from grader.engine import grade_submission
    from grader.sandbox import Sandbox, SandboxLimits

    with Sandbox(SandboxLimits(wall_seconds_per_call=2.0)) as sandbox:
        return grade_submission(SAMPLE / "chloe_plain_imports", sandbox=sandbox)


def test_the_isolation_notes_follow_the_page_language(graded_here: dict[str, Any]) -> None:
    """The note on how the workers ran is stored in every language, beside the English
    `notes`, and each page shows it in its own language only."""
    if os.geteuid() == 0:
        english = "workers run as a dedicated user of their own (one per grading process)"
        french = "les processus isolés tournent sous un utilisateur dédié"
    else:
        english = f"workers run as uid {os.getuid()} in a user namespace of their own"
        french = f"les processus isolés tournent sous l'uid {os.getuid()} dans un espace de noms"
    isolation = graded_here["isolation"]
    assert len(isolation["note_messages"]) == len(isolation["notes"]) >= 1
    (index,) = [i for i, note in enumerate(isolation["notes"]) if note.startswith(english)]
    stored = isolation["note_messages"][index]
    assert stored["en"] == isolation["notes"][index]
    assert stored["fr"].startswith(french)

    english_page = render_student_feedback(graded_here, lang="en")
    french_page = render_student_feedback(graded_here, lang="fr")
    assert any(note.startswith(english) for note in isolation_notes(english_page))
    assert not any(note.startswith(french) for note in isolation_notes(english_page))
    assert any(note.startswith(french) for note in isolation_notes(french_page))
    assert english not in visible_text(french_page)
    assert english.split(" (")[0] not in french_page


def test_a_document_without_note_messages_shows_its_english_notes() -> None:
    """A document older than `note_messages` still renders, in every language, with the
    notes it has."""
    document = load_fixture("bob")
    assert "note_messages" not in document["isolation"]
    for lang in ("en", "fr"):
        html = render_student_feedback(document, lang=lang)
        assert isolation_notes(html) == ["not running as root: no dedicated user"]
