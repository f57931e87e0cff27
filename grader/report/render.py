"""Rendering the pages: one Jinja2 environment per language, autoescape on everywhere.

Public entry points: `render_student_feedback`, `render_class_summary` (strings, for
tests and callers with documents in memory) and `render_reports` (a results directory in,
`feedback.html` per student and `index.html` out, written atomically). Pages on disk are
rendered only when their inputs changed (`grader.report.freshness`): a rerun over the same
results in the same language writes nothing.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, cast
from urllib.parse import quote

from babel.support import Translations
from jinja2 import Environment, PackageLoader, StrictUndefined
from markupsafe import Markup, escape

from grader.atomic import joined_pieces
from grader.errors import UsageError
from grader.i18n import DOMAIN, LANGUAGES, LOCALE_DIR, N_
from grader.report.documents import (
    RESULT_FILE,
    ResultDocumentError,
    is_student_folder_name,
    read_class,
)
from grader.report.feedback import student_view
from grader.report.freshness import fingerprint, is_current, write_page
from grader.report.language import remember_language
from grader.report.summary import StudentSummary, SummaryEntry, class_view, student_summary
from grader.result import Result, ResultReader, load_result_and_digest, parse_result

FEEDBACK_FILE = "feedback.html"
INDEX_FILE = "index.html"
GRADESCOPE_FILE = "results.json"
# Class files of the batch, linked from the summary when present: (file, label msgid).
GRADEBOOK_FILES: tuple[tuple[str, str], ...] = (
    ("grades.csv", N_("Grades (CSV)")),
    ("moodle.csv", N_("Moodle import (CSV)")),
    ("canvas.csv", N_("Canvas import (CSV)")),
    ("summary.json", N_("Class summary (JSON)")),
)


class StudentPages(Mapping[str, Path]):
    """Student folder name -> the path of its page in a results folder, made when asked
    for: a class of 50,000 keeps its names, not 50,000 Paths."""

    def __init__(self, results_dir: Path | None = None, file: str = FEEDBACK_FILE) -> None:
        self._results_dir = results_dir
        self._file = file
        self._names: dict[str, None] = {}  # in the order added

    def add(self, name: str) -> None:
        self._names[name] = None

    def __getitem__(self, name: str) -> Path:
        if name not in self._names or self._results_dir is None:
            raise KeyError(name)
        return self._results_dir / name / self._file

    def __iter__(self) -> Iterator[str]:
        return iter(self._names)

    def __len__(self) -> int:
        return len(self._names)


@dataclass(frozen=True)
class ReportPaths:
    """What `render_reports` wrote.

    Attributes:
        index: the class summary.
        feedback: student folder name -> its feedback page.
        problems: student folder name -> why it has no page (missing or unreadable result).
        rendered: the student folders whose page was written by this call; the others'
            pages were current.
        index_rendered: whether the summary was written by this call (else it was current).
    """

    index: Path
    feedback: StudentPages = field(default_factory=StudentPages)
    problems: dict[str, str] = field(default_factory=dict)
    rendered: set[str] = field(default_factory=set)
    index_rendered: bool = False


def check_lang(lang: str) -> str:
    """Return `lang` if the reports speak it, else fail by listing the languages."""
    if lang not in LANGUAGES:
        raise UsageError(
            f"The reports are not available in {lang!r}; choose one of: {', '.join(LANGUAGES)}."
        )
    return lang


def code_spans(text: str) -> Markup:
    """`text` escaped, with the names it quotes between backticks (`relu`) set as code."""
    parts = str(text).split("`")
    if len(parts) % 2 == 0:  # an unmatched backtick stays as it is
        parts[-2:] = [parts[-2] + "`" + parts[-1]]
    return Markup("").join(
        Markup("<code>%s</code>") % part if index % 2 else escape(part)
        for index, part in enumerate(parts)
    )


@functools.cache
def environment(lang: str) -> Environment:
    """The Jinja2 environment of `lang`: autoescape on, gettext from the compiled catalog."""
    env = Environment(
        loader=PackageLoader("grader.report", "templates"),
        autoescape=True,  # every template, whatever its extension: student text is hostile
        extensions=["jinja2.ext.i18n"],
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    translations = Translations.load(str(LOCALE_DIR), locales=[check_lang(lang)], domain=DOMAIN)
    # The i18n extension adds this method to the environment, out of the type checker's sight.
    cast(Any, env).install_gettext_translations(translations, newstyle=True)
    env.globals["lang"] = lang
    env.filters["code_spans"] = code_spans
    return env


@functools.cache
def _gettext(lang: str) -> Callable[[str], str]:
    """Our own words in `lang`, for the views (the templates use the environment's)."""
    return Translations.load(str(LOCALE_DIR), locales=[lang], domain=DOMAIN).gettext


def _typed(result: Result | Mapping[str, Any]) -> Result:
    return result if isinstance(result, Result) else parse_result(result)


def render_student_feedback(result: Result | Mapping[str, Any], *, lang: str = "en") -> str:
    """The feedback page of one result (a `Result`, or a document to parse), as a complete
    HTML document. Raises `ResultDocumentError` for a document that is not a valid result."""
    env = environment(check_lang(lang))
    view = student_view(_typed(result), lang=lang, gettext=_gettext(lang))
    return env.get_template("feedback.html.j2").render(view=view)


def render_class_summary(
    results: Sequence[SummaryEntry | Result | Mapping[str, Any]],
    *,
    lang: str = "en",
    links: list[tuple[str, str]] | None = None,
) -> str:
    """The class summary page.

    `results` holds one `SummaryEntry` per student; a result (a `Result`, or a document to
    parse) is accepted too, named after its `student`. `links` are the gradebook files as
    (label, relative href).
    """
    return "".join(class_summary_chunks(results, lang=lang, links=links))


def class_summary_chunks(
    results: Sequence[SummaryEntry | Result | Mapping[str, Any]],
    *,
    lang: str = "en",
    links: list[tuple[str, str]] | None = None,
) -> Iterator[str]:
    """The class summary page (`render_class_summary`) in pieces of about 64 KiB, made as
    they are asked for: the page of a class of 50,000 is written without being held."""
    env = environment(check_lang(lang))
    entries = [
        entry
        if isinstance(entry, SummaryEntry)
        else SummaryEntry(name=_typed(entry).student, result=_typed(entry))
        for entry in results
    ]
    view = class_view(entries, lang=lang, gettext=_gettext(lang), links=links or [])
    yield from joined_pieces(env.get_template("summary.html.j2").generate(view=view))


def write_student_feedback(folder: Path, *, lang: str = "en") -> Path | None:
    """Render `folder/feedback.html` from `folder/result.json`, as `render_reports` would.

    The document is read back from the file (not taken from memory) so that the page is the
    one `render_reports` writes for that file, and that `render_reports` finds it current.
    Returns the page (written now, or current already), or None when `folder` is not a
    student folder or its result cannot be read (`render_reports` lists it as a problem).
    """
    check_lang(lang)
    if not is_student_folder_name(folder.name):
        return None
    try:
        document, digest = load_result_and_digest(
            folder / RESULT_FILE, name=f"{folder.name}/{RESULT_FILE}"
        )
    except ResultDocumentError:
        return None
    page = folder / FEEDBACK_FILE
    _write_feedback(page, digest, lang, lambda: document)
    return page


def feedback_page_beside(result_file: Path) -> Path:
    """Where the feedback page of the result document `result_file` goes: beside it,
    ``feedback.html`` for a ``result.json`` (the layout of a class), else the document's name
    with ``.html`` (``alice.json`` -> ``alice.html``)."""
    if result_file.name == RESULT_FILE:
        return result_file.with_name(FEEDBACK_FILE)
    return result_file.with_suffix(".html")


def write_feedback_beside(result_file: Path, *, lang: str = "en") -> tuple[Path, bool]:
    """Render the feedback page of the result document `result_file` beside it (see
    `feedback_page_beside`) unless it is current; the page, and whether it was written.

    Raises:
        ResultDocumentError: `result_file` is missing or is not a valid result document.
    """
    check_lang(lang)
    document, digest = load_result_and_digest(result_file)
    page = feedback_page_beside(result_file)
    return page, _write_feedback(page, digest, lang, lambda: document)


def _write_feedback(page: Path, digest: str, lang: str, document: Callable[[], Result]) -> bool:
    """Write the feedback page of the document whose text has SHA-256 `digest` unless it is
    current (`document` gives the document, parsed only then); whether it was written."""
    key = fingerprint(lang, {"feedback": digest})
    if is_current(page, key):
        return False
    write_page(page, render_student_feedback(document(), lang=lang), key)
    return True


@functools.cache
def summary_extractor(lang: str) -> Callable[[Result], StudentSummary]:
    """What the class summary in `lang` takes from a result (`student_summary`): one function
    per language, so that a `ResultReader` given it keeps what the summary needs."""
    return functools.partial(student_summary, lang=check_lang(lang), gettext=_gettext(lang))


def render_reports(
    results_dir: Path, *, lang: str = "en", reader: ResultReader | None = None
) -> ReportPaths:
    """Write `<student>/feedback.html` for every readable result and `index.html`.

    A student folder whose `result.json` is missing or unreadable gets no page and is listed
    in the summary with the reason. Fails (UsageError) when no folder holds a result document.
    A page is written only when it is not current: its result, the language or the renderer
    changed, or the page itself was deleted or altered (`ReportPaths.rendered` says which).
    `lang` is remembered as the folder's (`grader.report.language`). `reader` reuses the
    results a batch parsed already.
    """
    check_lang(lang)
    results_dir = Path(results_dir)
    if not results_dir.is_dir():
        raise UsageError(f"{results_dir} is not a folder of results.")
    gettext = _gettext(lang)
    paths = ReportPaths(index=results_dir / INDEX_FILE, feedback=StudentPages(results_dir))
    entries = []  # what the summary shows of each student: never a whole result
    summarised = []  # what the summary is made of
    for student in read_class(results_dir, summary_extractor(lang), reader=reader):
        folder = results_dir / student.folder
        href = quote(student.folder)
        gradescope = (folder / GRADESCOPE_FILE).is_file()
        gradescope_href = f"{href}/{GRADESCOPE_FILE}" if gradescope else None
        reading = student.reading
        digest = reading.digest if reading is not None else None
        summarised.append((student.folder, digest, student.problem, student.missing, gradescope))
        if reading is not None:
            if _write_feedback(folder / FEEDBACK_FILE, reading.digest, lang, reading.document):
                paths.rendered.add(student.folder)
            paths.feedback.add(student.folder)
            entry = SummaryEntry(
                name=reading.facts.student or student.folder,
                result=None,
                feedback_href=f"{href}/{FEEDBACK_FILE}",
                gradescope_href=gradescope_href,
                summary=reading.facts,
            )
        else:
            paths.problems[student.folder] = student.problem or ""
            entry = SummaryEntry(
                name=student.folder,
                result=None,
                problem=student.problem,
                missing=student.missing,
                gradescope_href=gradescope_href,
            )
        entries.append(entry)
    if all(entry.missing for entry in entries):
        raise UsageError(
            f"{results_dir} holds no result documents (<student>/{RESULT_FILE}); "
            "grade the class first with `nngrade batch SUBMISSIONS --out "
            f"{results_dir}`."
        )
    links = [
        (gettext(label), quote(name))
        for name, label in GRADEBOOK_FILES
        if (results_dir / name).is_file()
    ]
    key = fingerprint(lang, {"summary": summarised, "links": links})
    remember_language(results_dir, lang)  # the next command on this folder speaks it too
    if not is_current(paths.index, key):
        write_page(paths.index, class_summary_chunks(entries, lang=lang, links=links), key)
        return replace(paths, index_rendered=True)
    return paths
