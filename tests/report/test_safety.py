"""Student text is hostile: it appears as text, and pages fetch nothing from outside."""

from __future__ import annotations

import re
from html.parser import HTMLParser
from pathlib import Path

import pytest

from .conftest import page

STUDENT_MARKUP = (
    "<script>alert(1)</script>",
    "<b>bold</b>",
    "<img src=x onerror=alert(2)>",
    '<iframe src="https://evil.example/">',
    '<a href="javascript:alert(3)">',
    "<style>body{display:none}</style>",
)


@pytest.mark.parametrize("lang", ["en", "fr"])
def test_hostile_student_text_appears_escaped(rendered, lang: str) -> None:
    """Mallory's messages, output, file names and id are shown as text, never as markup."""
    html = page(rendered[lang], "mallory")
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "mallory&lt;img src=x onerror=alert(2)&gt;" in html
    for markup in STUDENT_MARKUP:
        assert markup not in html
    assert "<script" not in html.lower()  # our pages have no script at all
    summary = page(rendered[lang])
    assert "mallory&lt;img src=x onerror=alert(2)&gt;" in summary
    assert "<script" not in summary.lower() and "<img" not in summary.lower()


class Resources(HTMLParser):
    """Every URL-bearing attribute, and whether it sits on a plain anchor."""

    URL_ATTRIBUTES = frozenset(
        {"src", "href", "xlink:href", "action", "formaction", "poster", "data"}
    )

    def __init__(self) -> None:
        super().__init__()
        self.urls: list[tuple[str, str]] = []  # (tag, url)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        for name, value in attrs:
            if name in self.URL_ATTRIBUTES and value is not None:
                self.urls.append((tag, value))
            if name == "style" and value and "url(" in value:
                self.urls.append((tag, value))
            if name == "srcset":
                self.urls.append((tag, value or ""))


def all_pages(folder: Path) -> list[Path]:
    return [folder / "index.html", *sorted(folder.glob("*/feedback.html"))]


@pytest.mark.parametrize("lang", ["en", "fr"])
def test_pages_load_no_external_resource(rendered, lang: str) -> None:
    """No src/href/url() leaves the file, except plain relative anchors between our pages."""
    pages = all_pages(rendered[lang])
    assert len(pages) == 10
    for path in pages:
        html = path.read_text(encoding="utf-8")
        parser = Resources()
        parser.feed(html)
        for tag, url in parser.urls:
            if tag == "a":
                assert not url.lower().startswith("javascript:"), (path, url)
                continue
            assert url.startswith("#"), f"{path.name}: <{tag}> loads {url!r}"
        assert not re.search(r"url\(\s*['\"]?(https?:|//)", html), path
        assert not re.search(r"@import|<link\b", html), path
        assert re.search(
            r'<meta http-equiv="Content-Security-Policy" content="default-src \'none\'', html
        )


def test_summary_links_are_relative(rendered) -> None:
    """The summary links each student's page and the gradebook files with relative hrefs."""
    parser = Resources()
    parser.feed(page(rendered["en"]))
    anchors = [url for tag, url in parser.urls if tag == "a"]
    assert all(not url.startswith(("http:", "https:", "/")) for url in anchors)
    assert "alice/feedback.html" in anchors


@pytest.mark.parametrize(
    ("text", "html"),
    [
        ("`relu` raised", "<code>relu</code> raised"),
        ("`<script>`x", "<code>&lt;script&gt;</code>x"),
        ("<b>`a`</b>", "&lt;b&gt;<code>a</code>&lt;/b&gt;"),
        ("an odd ` backtick", "an odd ` backtick"),
        ("`a` and `b<i>", "<code>a</code> and `b&lt;i&gt;"),
    ],
)
def test_names_between_backticks_become_code_and_the_rest_stays_text(text: str, html: str) -> None:
    """Messages set the names they quote as code; everything else of them is escaped, and a
    backtick without its pair is left as it is."""
    from grader.report.render import code_spans

    assert str(code_spans(text)) == html


def test_a_hostile_message_with_backticks_stays_text_on_the_page() -> None:
    from grader.report import render_student_feedback

    from .conftest import load_fixture

    document = load_fixture("alice")
    test = document["exercises"][0]["tests"][0]
    test.update(
        outcome="failed", points=0, evidence={"kind": "value_mismatch", "function": "sigmoid"}
    )
    test["message"] = test["messages"]["en"] = (
        "`<img src=x onerror=alert(9)>` and <script>x</script>"
    )
    html = render_student_feedback(document, lang="en")
    assert "<code>&lt;img src=x onerror=alert(9)&gt;</code> and &lt;script&gt;" in html
    assert "<img" not in html and "<script" not in html.lower()
