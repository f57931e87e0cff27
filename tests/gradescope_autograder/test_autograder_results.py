"""What a student sees on Gradescope, and when: the autograder's results.json."""

from __future__ import annotations

import pytest
from exports.documents import make_document

from grader.exports.gradescope import VISIBILITIES
from grader.gradescope.results import autograder_results

PAGE = "<!DOCTYPE html><html><head><style>p{}</style></head><body><main><h1>Feedback</h1></main>"


@pytest.mark.parametrize("visibility", VISIBILITIES)
def test_what_was_received_is_visible_and_the_rest_follows_the_choice(visibility: str) -> None:
    document = make_document("alice", {"sigmoid", "relu"})
    results = autograder_results(document, PAGE, hidden_visibility=visibility, lang="en")
    received, *hidden, page = results["tests"]
    assert received["visibility"] == "visible"
    assert {test["visibility"] for test in hidden} == {visibility}
    assert page["visibility"] == visibility
    assert results["visibility"] == visibility and results["stdout_visibility"] == "hidden"
    assert results["score"] == document["score"]
    assert sum(test["score"] for test in hidden) == document["score"]
    assert page["output"] == "<h1>Feedback</h1>" and page["output_format"] == "html"


def test_the_received_summary_lists_files_modules_and_problems_as_text() -> None:
    problem = {
        "path": "<b>model.py</b>",
        "line": 11,
        "code": "syntax_error",
        "message": "model.py has a syntax error <img src=x>",
        "messages": {"en": "", "fr": ""},
    }
    document = make_document("bob", set(), problems=(problem,))
    document["submission"]["files"] = [{"path": "activations.py", "sha256": "0", "bytes": 9}]
    document["submission"]["modules"] = {"activations": "loaded", "model": "syntax_error"}
    results = autograder_results(document, None, hidden_visibility="after_published", lang="en")
    received = results["tests"][0]
    assert received["status"] == "failed"
    assert received["output_format"] == "text" and results["output_format"] == "text"
    assert received["output"].splitlines() == [
        "Submission received.",
        "Files read: activations.py",
        "Modules:",
        "- activations.py: loaded",
        "- model.py: syntax error",
        "Problems with the files:",
        "- <b>model.py</b>, line 11: model.py has a syntax error <img src=x>",
    ]
    assert results["output"].endswith("appear here when your instructor publishes the grades.")
    assert all(test["name"] != "Feedback page" for test in results["tests"])  # no page: no test


def test_french_lines_for_a_french_autograder() -> None:
    document = make_document("chloé", {"sigmoid"}, lang="fr")
    document["submission"]["modules"] = {"activations": "loaded"}
    results = autograder_results(document, PAGE, hidden_visibility="after_due_date", lang="fr")
    assert results["tests"][0]["name"] == "Soumission reçue"
    assert "- activations.py: chargé" in results["output"]
    assert results["output"].endswith("apparaîtront ici après la date limite.")
    assert results["tests"][-1]["name"] == "Page de retour"
