"""The autograder's ``results.json``: what a student sees on Gradescope, and when.

It extends the per-student export (`grader.exports.gradescope.gradescope_results`, one
entry per hidden test with its points and message) with what an autograder owes a student:

- a first test, always visible and worth no points, saying what was received: each module
  loaded, missing or broken, and the problems with the files, so that a wrong upload is
  seen and fixed before the deadline;
- the hidden tests and the score at the configured visibility (``after_published``: only
  once the instructor publishes the grades; Gradescope also hides the total score while
  tests are hidden);
- the feedback page, as a last test rendered as HTML, at the same visibility.

The top-level output says only what was received, since it is shown to the student at once.
Everything that comes from the student (file names, messages) is plain text there.
"""

from __future__ import annotations

import re
from typing import Any

from grader.exports.gradescope import gradescope_results
from grader.i18n import N_, translator
from grader.result import parse_result

MODULE_STATES = {
    "loaded": N_("loaded"),
    "missing": N_("missing"),
    "refused": N_("refused"),
    "syntax_error": N_("syntax error"),
    "import_error": N_("raised an error at import"),
    "import_timeout": N_("import too long"),
    "import_crashed": N_("crashed at import"),
}
WHEN = {
    "after_published": N_(
        "Your score, the hidden tests and your feedback page appear here when your "
        "instructor publishes the grades."
    ),
    "after_due_date": N_(
        "Your score, the hidden tests and your feedback page appear here after the due date."
    ),
    "hidden": N_("Your instructor will share your results."),
    "visible": N_("Your score, the tests and your feedback page are below."),
}
MAIN = re.compile(r"<main>(.*)</main>", re.DOTALL)


def autograder_results(
    document: dict[str, Any], feedback_page: str | None, *, hidden_visibility: str, lang: str
) -> dict[str, Any]:
    """Gradescope's ``results.json`` for one graded submission.

    Args:
        document: the result document (docs/result-schema.md).
        feedback_page: the student's feedback page (a whole HTML document), or None when
            it could not be rendered.
        hidden_visibility: the visibility of the hidden tests, the score and the page.
        lang: ``en`` or ``fr``, the language of the lines written here.
    """
    results = gradescope_results(
        parse_result(document), test_visibility=hidden_visibility, stdout_visibility="hidden"
    )
    _ = translator(lang)
    received = _received(document, lang)
    tests: list[dict[str, Any]] = [
        {
            "name": _("Submission received"),
            "number": "0.1",
            "status": "passed" if _all_loaded(document) else "failed",
            "output": received,
            "output_format": "text",
            "visibility": "visible",
        },
        *results["tests"],
    ]
    if feedback_page is not None:
        tests.append(
            {
                "name": _("Feedback page"),
                "number": "0.2",
                "output": _page_body(feedback_page),
                "output_format": "html",
                "visibility": hidden_visibility,
            }
        )
    results["tests"] = tests
    results["output"] = f"{received}\n\n{_(WHEN[hidden_visibility])}"
    results["output_format"] = "text"
    results["test_output_format"] = "text"
    results["test_name_format"] = "text"
    return results


def _received(document: dict[str, Any], lang: str) -> str:
    _ = translator(lang)
    submission = document.get("submission") or {}
    lines = [_("Submission received.")]
    files = [str(record.get("path")) for record in submission.get("files") or []]
    lines.append(
        _("Files read: %(files)s", files=", ".join(files)) if files else _("No file could be read.")
    )
    modules = submission.get("modules") or {}
    if modules:
        lines.append(_("Modules:"))
        for module, state in modules.items():
            words = _(MODULE_STATES[state]) if state in MODULE_STATES else str(state)
            lines.append(f"- {module}.py: {words}")
    problems = submission.get("problems") or []
    if problems:
        lines.append(_("Problems with the files:"))
        for problem in problems:
            where = str(problem.get("path"))
            if problem.get("line") is not None:
                where = _("%(file)s, line %(line)s", file=where, line=problem["line"])
            lines.append(f"- {where}: {problem.get('message')}")
    return "\n".join(lines)


def _all_loaded(document: dict[str, Any]) -> bool:
    modules = (document.get("submission") or {}).get("modules") or {}
    return document.get("status") == "graded" and all(
        state == "loaded" for state in modules.values()
    )


def _page_body(page: str) -> str:
    """What Gradescope can show of the page: its <main>; Gradescope sanitises the HTML it
    displays and keeps no <head>, so the page's own styles are left out."""
    found = MAIN.search(page)
    return found.group(1).strip() if found else page
