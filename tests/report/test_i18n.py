"""Translations of the pages: no English left on French pages, titles in the page's language."""

from __future__ import annotations

import re

from grader.locale import translations
from grader.report import render_class_summary, render_student_feedback

from .conftest import load_fixture, page, visible_text


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
