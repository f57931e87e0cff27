"""The pages in real headless Chromium: text, screenshots at two widths, no console error."""

from __future__ import annotations

import json
import re
import subprocess
from pathlib import Path

import pytest

CHROMIUM = Path("/usr/bin/chromium")

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(
        not CHROMIUM.exists(),
        reason="Debian's chromium is not installed (apt-get install chromium; CI installs it)",
    ),
]

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
# Chromium logs page console messages as "...:CONSOLE(line)] message"; errors of the page
# (uncaught exceptions, CSP violations, failed loads) all go through it.
CONSOLE = re.compile(r"CONSOLE\(\d+\)\]|Uncaught|Refused to|net::ERR_")


def chromium(tmp_path: Path, url: str, *args: str) -> subprocess.CompletedProcess[str]:
    profile = tmp_path / f"profile-{len(list(tmp_path.glob('profile-*')))}"
    command = [
        str(CHROMIUM),
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--no-first-run",
        "--hide-scrollbars",
        f"--user-data-dir={profile}",
        "--enable-logging=stderr",
        "--v=0",
        *args,
        url,
    ]
    return subprocess.run(command, capture_output=True, text=True, timeout=90, check=False)


def console_errors(stderr: str) -> list[str]:
    return [line for line in stderr.splitlines() if CONSOLE.search(line)]


def test_console_check_can_fail(tmp_path: Path) -> None:
    """A page with a script error is caught by the console check (so a pass means something)."""
    bad = tmp_path / "bad.html"
    bad.write_text("<!DOCTYPE html><p>x</p><script>undefinedFunction()</script>", encoding="utf-8")
    result = chromium(tmp_path, bad.as_uri(), "--dump-dom")
    assert console_errors(result.stderr), result.stderr[-2000:]


@pytest.mark.parametrize(
    ("lang", "student", "score"),
    [
        ("en", "bob", "43 / 50"),
        ("en", "mallory", "46 / 50"),
        ("fr", "lea", "44 / 50"),
    ],
)
def test_feedback_page_in_chromium(
    rendered, tmp_path: Path, lang: str, student: str, score: str
) -> None:
    """The page loads without console errors, its text holds the score, screenshots work."""
    url = (rendered[lang] / student / "feedback.html").as_uri()
    dom = chromium(tmp_path, url, "--dump-dom")
    assert dom.returncode == 0, dom.stderr[-2000:]
    assert score in dom.stdout
    assert "<script" not in dom.stdout.lower()  # the hostile text stayed text in the DOM
    assert console_errors(dom.stderr) == []
    for name, size in (("desktop", "1280,900"), ("phone", "390,844")):
        shot = tmp_path / f"{student}-{name}.png"
        result = chromium(tmp_path, url, f"--screenshot={shot}", f"--window-size={size}")
        assert result.returncode == 0, result.stderr[-2000:]
        data = shot.read_bytes()
        assert data.startswith(PNG_SIGNATURE) and len(data) > 20_000
        assert console_errors(result.stderr) == []


@pytest.mark.parametrize("lang", ["en", "fr"])
def test_class_summary_in_chromium(rendered, tmp_path: Path, lang: str) -> None:
    """The summary loads cleanly and shows the class's counts."""
    url = (rendered[lang] / "index.html").as_uri()
    dom = chromium(tmp_path, url, "--dump-dom")
    assert dom.returncode == 0, dom.stderr[-2000:]
    assert "<dd>11</dd>" in dom.stdout and "<svg" in dom.stdout
    assert console_errors(dom.stderr) == []
    shot = tmp_path / "summary.png"
    chromium(tmp_path, url, f"--screenshot={shot}", "--window-size=390,844")
    assert shot.read_bytes().startswith(PNG_SIGNATURE)


LAYOUT_PROBE = """
<script>
const found = [];
for (const svg of document.querySelectorAll("svg")) {
  const frame = svg.getBoundingClientRect();
  const boxes = [...svg.querySelectorAll("text")].map(
    (t) => [t.textContent, t.getBoundingClientRect()]);
  for (const [text, box] of boxes) {
    if (box.width === 0) found.push(`${svg.id}: "${text}" has no width`);
    if (box.left < frame.left - 0.5 || box.right > frame.right + 0.5 ||
        box.top < frame.top - 0.5 || box.bottom > frame.bottom + 0.5)
      found.push(`${svg.id}: "${text}" leaves the plot`);
  }
  boxes.forEach(([a, p], i) => boxes.slice(i + 1).forEach(([b, q]) => {
    if (p.left < q.right && q.left < p.right && p.top < q.bottom && q.top < p.bottom)
      found.push(`${svg.id}: "${a}" overlaps "${b}"`);
  }));
}
const count = document.querySelectorAll("svg").length;
document.getElementById("probe").textContent = `checked ${count}: ` + JSON.stringify(found);
</script>
"""


def test_plot_texts_stay_inside_and_apart_in_chromium(tmp_path: Path) -> None:
    """Laid out by a real browser at a phone's and a desktop's width, no tick label, axis
    name or legend entry of a plot leaves it or covers another."""
    from grader.report import plots

    z = [-5 + 0.25 * i for i in range(41)]
    french = {
        "yours": "la vôtre",
        "expected": "attendue",
        "z": "z",
        "title": "sigmoid_backward : la vôtre et l'attendue",
    }
    figures = [
        plots.curve_plot(
            {"z": z, "expected": [0.25 / (1 + v * v) for v in z], "got": [v - v * v for v in z]},
            key="a",
            labels=french,
        ),
        plots.curve_plot(
            {"z": z, "expected": [max(v, 0.0) for v in z], "got": [1e7 * v for v in z]},
            key="b",
            labels=french,
        ),
        plots.curve_plot(
            {"z": z, "expected": [1e-6 * v for v in z], "got": [-1e-6 * v for v in z]},
            key="c",
            labels=french,
        ),
        plots.curve_plot(  # ticks at steps of 0.00025: long labels
            {"z": z, "expected": [1.64e-4 * v for v in z], "got": [1e-4 * v for v in z]},
            key="d",
            labels=french,
        ),
        plots.entries_plot(  # a missing 1/m: the entries on a line 7 times too steep
            [(e, 7 * e) for e in (-1.08, -0.79, 0.75, -0.69, 0.62)],
            key="f",
            labels={
                "expected": "attendue",
                "yours": "la vôtre",
                "right": "la vôtre = l'attendue",
                "entries": "vos coefficients les plus différents",
                "title": "linear_backward : vos coefficients",
            },
        ),
        plots.score_histogram(
            [(37 * k) % 101 for k in range(200)],
            key="e",
            labels={"x": "score (%)", "y": "étudiants", "title": "Répartition des notes"},
        ),
    ]
    body = "".join(
        f'<figure style="max-width: 36rem">{str(f).replace("<svg", f"<svg id=plot{n}", 1)}</figure>'
        for n, f in enumerate(figures)
    )
    harness = tmp_path / "plots.html"
    harness.write_text(
        '<!DOCTYPE html><html><head><meta charset="utf-8"></head>'
        "<body style=\"font: 16px/1.5 system-ui, 'DejaVu Sans', sans-serif\">"
        f'{body}<pre id="probe">not run</pre>{LAYOUT_PROBE}</body></html>',
        encoding="utf-8",
    )
    for size in ("1280,900", "390,844"):
        dom = chromium(tmp_path, harness.as_uri(), "--dump-dom", f"--window-size={size}")
        assert dom.returncode == 0, dom.stderr[-2000:]
        assert 'id="probe">checked 6: []</pre>' in dom.stdout, dom.stdout[-3000:]


# The sample class's submissions with one bug each, and one that passes everything.
ONE_BUG = (
    "gina_missing_one_over_m",
    "farid_sigmoid_backward_from_Z",
    "hugo_db_without_keepdims",
    "ines_unstable_softmax",
    "leo_infinite_loop",
    "pia_dead_entries",
    "kim_syntax_error",
)
PERFECT = "ada_package_imports"
PDF_PAGE = re.compile(rb"/Type\s*/Page(?![s\w])")


def printed_pages(tmp_path: Path, page: Path) -> int:
    """How many sheets Chromium prints `page` on (its default paper and margins, as a
    student's "print to PDF" does)."""
    pdf = tmp_path / f"{page.parent.name}.pdf"
    result = chromium(tmp_path, page.as_uri(), f"--print-to-pdf={pdf}")
    assert result.returncode == 0 and pdf.is_file(), result.stderr[-2000:]
    data = pdf.read_bytes()
    pages = len(PDF_PAGE.findall(data))
    # The root of the page tree counts them all (its branches, some): the two ways agree.
    counts = re.findall(rb"/Type\s*/Pages\b[^>]*?/Count\s+(\d+)", data, re.S)
    counts += re.findall(rb"/Count\s+(\d+)[^>]*?/Type\s*/Pages\b", data, re.S)
    assert max(int(count) for count in counts) == pages
    return pages


@pytest.mark.parametrize("lang", ["en", "fr"])
@pytest.mark.parametrize("student", ONE_BUG)
def test_a_one_bug_page_prints_on_at_most_three_pages(
    sample_class: Path, sample_class_fr: Path, tmp_path: Path, student: str, lang: str
) -> None:
    results = sample_class if lang == "en" else sample_class_fr
    assert printed_pages(tmp_path, results / student / "feedback.html") <= 3


@pytest.mark.parametrize("lang", ["en", "fr"])
def test_a_perfect_page_prints_on_one_page(
    sample_class: Path, sample_class_fr: Path, tmp_path: Path, lang: str
) -> None:
    results = sample_class if lang == "en" else sample_class_fr
    assert printed_pages(tmp_path, results / PERFECT / "feedback.html") == 1


def test_page_count_can_fail(tmp_path: Path) -> None:
    """A page as long as eight screens prints on more than three sheets: the count measures."""
    long = tmp_path / "long" / "feedback.html"
    long.parent.mkdir()
    long.write_text(
        "<!DOCTYPE html><html><body>" + "<p>line</p>" * 400 + "</body></html>", encoding="utf-8"
    )
    assert printed_pages(tmp_path, long) > 3


FIRST_SCREEN_PROBE = """
<script>
const seen = {height: window.innerHeight};
for (const [name, selector] of Object.entries(%s)) {
  const found = document.querySelector(selector);
  seen[name] = found ? Math.ceil(found.getBoundingClientRect().bottom) : null;
}
document.getElementById("probe").textContent = JSON.stringify(seen);
</script>
"""


def first_screen(tmp_path: Path, page: Path, size: str, parts: dict[str, str]) -> dict[str, int]:
    """Where each of `parts` (name -> CSS selector) ends, in pixels from the top of the page
    laid out at `size`, and the height of the window (`height`)."""
    html = page.read_text(encoding="utf-8")
    html = re.sub(r'<meta http-equiv="Content-Security-Policy"[^>]*>', "", html)  # the probe
    probe = '<pre id="probe">not run</pre>' + FIRST_SCREEN_PROBE % json.dumps(parts)
    harness = tmp_path / f"{page.parent.name}-probe.html"
    harness.write_text(html.replace("</body>", probe + "</body>"), encoding="utf-8")
    dom = chromium(tmp_path, harness.as_uri(), "--dump-dom", f"--window-size={size}")
    assert dom.returncode == 0, dom.stderr[-2000:]
    found = re.search(r'<pre id="probe">(\{.*?\})</pre>', dom.stdout)
    assert found is not None, dom.stdout[-2000:]
    return json.loads(found.group(1))


@pytest.mark.parametrize("student", ["gina_missing_one_over_m", "farid_sigmoid_backward_from_Z"])
def test_the_first_screen_says_what_to_fix(
    sample_class: Path, tmp_path: Path, student: str
) -> None:
    """On a laptop's screen, before any scrolling: the function to fix, its diagnosis, the
    plot that shows it and the lecture section to read. On a phone: the function and the
    diagnosis."""
    page = sample_class / student / "feedback.html"
    parts = {
        "function": "#cause-1 h2",
        "diagnosis": "#cause-1 .diagnosis",
        "plot": "#cause-1 figure.plot",
        "lecture": "#cause-1 .lecture",
    }
    desktop = first_screen(tmp_path, page, "1280,900", parts)
    height = desktop.pop("height")
    assert all(bottom is not None and bottom <= height for bottom in desktop.values()), desktop
    phone = first_screen(tmp_path, page, "390,844", parts)
    assert phone["function"] <= phone["height"] and phone["diagnosis"] <= phone["height"], phone
