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
from grader.result import parse_result

LABELS = {
    "received": {"en": "Submission received", "fr": "Soumission reçue"},
    "files": {"en": "Files read:", "fr": "Fichiers lus :"},
    "no_files": {"en": "No file could be read.", "fr": "Aucun fichier n'a pu être lu."},
    "feedback": {"en": "Feedback page", "fr": "Page de retour"},
    "modules": {"en": "Modules:", "fr": "Modules :"},
    "problems": {"en": "Problems with the files:", "fr": "Problèmes dans les fichiers :"},
    "line": {"en": "line", "fr": "ligne"},
}
MODULE_STATES = {
    "loaded": {"en": "loaded", "fr": "chargé"},
    "missing": {"en": "missing", "fr": "absent"},
    "refused": {"en": "refused", "fr": "refusé"},
    "syntax_error": {"en": "syntax error", "fr": "erreur de syntaxe"},
    "import_error": {"en": "raised an error at import", "fr": "erreur à l'import"},
    "import_timeout": {"en": "import too long", "fr": "import trop long"},
    "import_crashed": {"en": "crashed at import", "fr": "plantage à l'import"},
}
WHEN = {
    "after_published": {
        "en": "Your score, the hidden tests and your feedback page appear here when your "
        "instructor publishes the grades.",
        "fr": "Votre note, les tests cachés et votre page de retour apparaîtront ici quand "
        "votre enseignant publiera les notes.",
    },
    "after_due_date": {
        "en": "Your score, the hidden tests and your feedback page appear here after the due date.",
        "fr": "Votre note, les tests cachés et votre page de retour apparaîtront ici après la "
        "date limite.",
    },
    "hidden": {
        "en": "Your instructor will share your results.",
        "fr": "Votre enseignant vous communiquera vos résultats.",
    },
    "visible": {
        "en": "Your score, the tests and your feedback page are below.",
        "fr": "Votre note, les tests et votre page de retour sont ci-dessous.",
    },
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
    received = _received(document, lang)
    tests: list[dict[str, Any]] = [
        {
            "name": LABELS["received"][lang],
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
                "name": LABELS["feedback"][lang],
                "number": "0.2",
                "output": _page_body(feedback_page),
                "output_format": "html",
                "visibility": hidden_visibility,
            }
        )
    results["tests"] = tests
    results["output"] = f"{received}\n\n{WHEN[hidden_visibility][lang]}"
    results["output_format"] = "text"
    results["test_output_format"] = "text"
    results["test_name_format"] = "text"
    return results


def _received(document: dict[str, Any], lang: str) -> str:
    submission = document.get("submission") or {}
    lines = [f"{LABELS['received'][lang]}."]
    files = [str(record.get("path")) for record in submission.get("files") or []]
    lines.append(
        f"{LABELS['files'][lang]} {', '.join(files)}" if files else LABELS["no_files"][lang]
    )
    modules = submission.get("modules") or {}
    if modules:
        lines.append(LABELS["modules"][lang])
        for module, state in modules.items():
            words = MODULE_STATES.get(str(state), {}).get(lang, str(state))
            lines.append(f"- {module}.py: {words}")
    problems = submission.get("problems") or []
    if problems:
        lines.append(LABELS["problems"][lang])
        for problem in problems:
            where = str(problem.get("path"))
            if problem.get("line") is not None:
                where += f", {LABELS['line'][lang]} {problem['line']}"
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
