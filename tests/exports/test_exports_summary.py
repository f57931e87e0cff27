"""summary.json: counts, mean and median, pass rates, per-student status."""

from __future__ import annotations

import json

from grader.catalog import max_score
from grader.exports import build_rows, class_summary

from .documents import make_result


def test_summary_counts_and_statistics_follow_the_students() -> None:
    documents = {
        "a": make_result("a", {"sigmoid", "tanh"}),  # 7
        "b": make_result("b", {"sigmoid"}, timeouts=frozenset({"tanh"})),  # 4
        "c": make_result("c", set(), status="load_failed"),  # 0
        "d": make_result("d", {"sigmoid", "tanh", "relu"}),  # 10
    }
    rows = build_rows(documents, [("e", "unreadable", "e.zip is a symbolic link")])
    summary = json.loads(json.dumps(class_summary(rows, grader_version="1.2.3")))
    assert summary["schema"] == "nngrade.summary/1"
    assert summary["grader_version"] == "1.2.3"
    assert summary["counts"] == {
        "graded": 3,
        "load_failed": 1,
        "unreadable": 1,
        "students": 5,
        "scored": 4,
        "with_timeouts": 1,
    }
    assert summary["score"] == {"mean": 5.25, "median": 5.5, "min": 0.0, "max": 10.0}
    rates = {item["id"]: item["full_marks_rate"] for item in summary["exercises"]}
    assert (rates["sigmoid"], rates["tanh"], rates["relu"], rates["softmax"]) == (
        0.75,
        0.5,
        0.25,
        0.0,
    )
    assert [s["student"] for s in summary["students"]] == ["a", "b", "c", "d", "e"]
    assert summary["students"][4] == {
        "student": "e",
        "status": "unreadable",
        "score": None,
        "max_score": max_score(),
        "result": None,
        "message": "e.zip is a symbolic link",
    }


def test_summary_without_any_scored_student_has_no_statistics() -> None:
    rows = build_rows({}, [("a", "duplicate", "x"), ("a2", "duplicate", "x")])
    assert class_summary(rows, grader_version="1")["score"] is None
