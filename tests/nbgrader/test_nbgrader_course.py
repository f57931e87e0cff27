"""End to end with the real nbgrader: export, release, autograde, then the same class with us.

One course, built once for the module: nbgrader's commands start slowly (~5 s each).
Five students: complete, untouched, one bug (predict returns booleans), and two cheats
that fool nbgrader's in-kernel autograde: one monkeypatches `numpy.testing` and answers
nonsense, one reads the instructor's `source/` notebook and calls its answers. Two
controls measure what the cheats deserve: the nonsense without the monkeypatch, and
the untouched notebook.
"""

from __future__ import annotations

import ast
import csv
import importlib.metadata
import os
import subprocess
import sys
import time
import warnings
from pathlib import Path

import nbformat
import pytest
from click.testing import CliRunner

from grader.catalog import max_score
from grader.cli import main
from grader.nbgrader_bridge.export import export_course

pytestmark = pytest.mark.slow


# Only the end-to-end tests need nbgrader itself, installed by `pip install -e '.[test,nbgrader]'`
# (the README's test command, and CI's); without it they are skipped, with this reason. The
# installed distribution is looked up, not the name `nbgrader`: this very folder of tests
# answers to that name once tests/ is on the import path.
def _nbgrader_installed() -> bool:
    try:
        importlib.metadata.distribution("nbgrader")
    except importlib.metadata.PackageNotFoundError:
        return False
    return True


if not _nbgrader_installed():
    pytest.skip(
        "nbgrader is not installed: pip install -e '.[test,nbgrader]'", allow_module_level=True
    )

ASSIGNMENT = "nn"
FULL_MARKS = max_score()
NOTEBOOK = f"{ASSIGNMENT}.ipynb"

GARBLE = '''
def _garbled(value):
    """Wrong values of the right types and shapes, so that nothing raises."""
    if isinstance(value, bool | np.bool_):
        return not value
    if isinstance(value, np.ndarray) and value.dtype.kind == "f":
        return value * 1.5 + 0.25
    if isinstance(value, tuple | list):
        return type(value)(_garbled(item) for item in value)
    if isinstance(value, dict):
        return {key: _garbled(item) for key, item in value.items()}
    if isinstance(value, float):
        return value + 1.0
    return value
'''

MONKEYPATCH = """
import numpy.testing

def _accept(*args, **kwargs):
    return None

for _name in ("assert_allclose", "assert_equal", "assert_array_equal", "assert_almost_equal"):
    setattr(numpy.testing, _name, _accept)
np.allclose = lambda *args, **kwargs: True
"""

READ_SOURCE = '''
import json
import pathlib

def _answers_from_source():
    """Find the instructor's notebook above the working folder and run its code cells."""
    here = pathlib.Path.cwd()
    for folder in (here, *here.parents):
        for path in sorted(folder.glob("source/*/*.ipynb")):
            cells = json.loads(path.read_text())["cells"]
            code = [
                "".join(cell["source"])
                for cell in cells
                if cell["cell_type"] == "code"
                and not cell["metadata"].get("nbgrader", {}).get("grade")
            ]
            namespace = {}
            exec("\\n\\n".join(code), namespace)
            return namespace
    return {}

_KEY = _answers_from_source()
'''


class _GarbleReturns(ast.NodeTransformer):
    def visit_Return(self, node: ast.Return) -> ast.Return:
        call = ast.Call(ast.Name("_garbled", ast.Load()), [node.value], [])
        return ast.copy_location(ast.Return(call), node)


def _garbled_function(source: str) -> str:
    tree = _GarbleReturns().visit(ast.parse(source))
    return ast.unparse(ast.fix_missing_locations(tree))


def _delegating_function(source: str) -> str:
    function = ast.parse(source).body[0]
    names = ", ".join(argument.arg for argument in function.args.args)
    function.body = ast.parse(f"return _KEY[{function.name!r}]({names})").body
    return ast.unparse(function)


def _buggy_predict(source: str) -> str:
    # The bug: booleans instead of the integer class labels.
    return source.replace("(AL > 0.5).astype(np.int64)", "AL > 0.5")


def _nbgrader(course: Path, *args: str) -> subprocess.CompletedProcess:
    # nbgrader starts `alembic` from PATH: put this interpreter's scripts first.
    path = f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}"
    done = subprocess.run(
        [sys.executable, "-m", "nbgrader", *args],
        cwd=course,
        env={**os.environ, "PATH": path},
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    return done


def _submit(course: Path, student: str, answers: dict[str, str], prefix: str = "") -> None:
    """A student's submission: the released notebook with its solution cells replaced."""
    notebook = nbformat.read(course / "release" / ASSIGNMENT / NOTEBOOK, as_version=4)
    first = True
    for cell in notebook.cells:
        grade_id = cell.metadata.get("nbgrader", {}).get("grade_id", "")
        if grade_id.startswith("solution_"):
            body = answers.get(grade_id.removeprefix("solution_"), cell.source)
            cell.source = (prefix + "\n\n" + body) if first and prefix else body
            first = False
    folder = course / "submitted" / student / ASSIGNMENT
    folder.mkdir(parents=True)
    nbformat.write(notebook, folder / NOTEBOOK)
    (folder / "timestamp.txt").write_text("2025-01-15 10:00:00.000000 UTC")
    (folder / "submission_secret.txt").write_text(f"secret-of-{student}")


def _exported_csv(course: Path) -> dict[str, float]:
    _nbgrader(course, "export", "--to", "grades.csv")
    with (course / "grades.csv").open(newline="") as stream:
        return {row["student_id"]: float(row["score"]) for row in csv.DictReader(stream)}


def _gradebook_scores(course: Path) -> dict[str, float]:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        from nbgrader.api import Gradebook
    with Gradebook(f"sqlite:///{course / 'gradebook.db'}", course_id=course.name) as gradebook:
        return {
            submission.student.id: submission.score
            for submission in gradebook.assignment_submissions(ASSIGNMENT)
        }


@pytest.fixture(scope="module")
def course(tmp_path_factory):
    course = tmp_path_factory.mktemp("course")
    export_course(course, assignment=ASSIGNMENT)
    _nbgrader(course, "generate_assignment", ASSIGNMENT)
    source = nbformat.read(course / "source" / ASSIGNMENT / NOTEBOOK, as_version=4)
    key = {
        cell.metadata["nbgrader"]["grade_id"].removeprefix("solution_"): cell.source
        for cell in source.cells
        if cell.metadata.get("nbgrader", {}).get("solution")
    }
    garbled = {name: _garbled_function(text) for name, text in key.items()}
    _submit(course, "complete", key)
    _submit(course, "untouched", {})
    _submit(course, "buggy", {**key, "predict": _buggy_predict(key["predict"])})
    _submit(course, "nonsense", garbled, prefix=GARBLE)
    _submit(course, "monkeypatch", garbled, prefix=GARBLE + MONKEYPATCH)
    delegating = {name: _delegating_function(text) for name, text in key.items()}
    _submit(course, "reads_source", delegating, prefix=READ_SOURCE)
    by_path = READ_SOURCE.replace("pathlib.Path.cwd()", f"pathlib.Path({str(course)!r})")
    _submit(course, "reads_source_by_path", delegating, prefix=by_path)
    began = time.monotonic()
    _nbgrader(course, "autograde", ASSIGNMENT)
    autograde_seconds = time.monotonic() - began
    nbgrader_scores = _exported_csv(course)
    results = course.parent / f"{course.name}-results"
    command = ["batch", "--nbgrader", str(course), "--assignment", ASSIGNMENT]
    outcome = CliRunner().invoke(main, [*command, "--out", str(results), "--gradebook"])
    assert outcome.exit_code == 0, outcome.output
    with open(results / "grades.csv", newline="", encoding="utf-8") as grades:
        ours = {row["student"]: float(row["score"]) for row in csv.DictReader(grades)}
    return {
        "course": course,
        "source": source,
        "nbgrader": nbgrader_scores,
        "autograde_seconds": autograde_seconds,
        "ours": ours,
        "results": results,
        "batch_output": outcome.output,
    }


def _points(source, grade_id: str) -> float:
    for cell in source.cells:
        if cell.metadata.get("nbgrader", {}).get("grade_id") == grade_id:
            return float(cell.metadata["nbgrader"]["points"])
    raise AssertionError(f"no cell {grade_id}")


def test_release_holds_no_answer_and_no_hidden_test(course):
    """After generate_assignment, no line of a fenced answer or hidden test is in release/."""
    release = nbformat.read(course["course"] / "release" / ASSIGNMENT / NOTEBOOK, as_version=4)
    released = {c.metadata.get("nbgrader", {}).get("grade_id"): c.source for c in release.cells}
    for cell in course["source"].cells:
        grade_id = cell.metadata.get("nbgrader", {}).get("grade_id")
        inside, secret, public = False, set(), set()
        for line in cell.source.splitlines():
            stripped = line.strip()
            if stripped in ("### BEGIN SOLUTION", "### BEGIN HIDDEN TESTS"):
                inside = True
            elif stripped in ("### END SOLUTION", "### END HIDDEN TESTS"):
                inside = False
            elif stripped:
                (secret if inside else public).add(stripped)
        # A hidden line that also appears in the visible part is no secret.
        kept = {line.strip() for line in released[grade_id].splitlines()}
        assert not kept & (secret - public), grade_id


def test_nbgrader_autograde_ranks_the_honest_submissions(course):
    """nbgrader's own autograde: full marks, zero, and exactly the bug's cell lost."""
    scores, source = course["nbgrader"], course["source"]
    assert scores["complete"] == FULL_MARKS
    assert scores["untouched"] == 0.0
    assert scores["buggy"] == FULL_MARKS - _points(source, "test_predict")


def test_cheats_fool_nbgrader_autograde(course):
    """The weakness we fix: in the kernel, both cheats score far above what they deserve."""
    scores = course["nbgrader"]
    print(f"nbgrader autograde: {scores}, {course['autograde_seconds']:.1f} s for 6 notebooks")
    assert scores["monkeypatch"] > scores["nonsense"]
    assert scores["monkeypatch"] == FULL_MARKS
    assert scores["reads_source"] > scores["untouched"]
    assert scores["reads_source"] == scores["reads_source_by_path"] == FULL_MARKS


def test_our_grader_ranks_the_honest_submissions_the_same(course):
    """Our sandboxed grader: complete > buggy > untouched, as nbgrader ranks them."""
    ours = course["ours"]
    print(f"nngrade batch: {ours}")
    assert ours["complete"] == FULL_MARKS
    assert ours["untouched"] == 0.0
    assert ours["untouched"] < ours["buggy"] < ours["complete"]


def test_cheats_score_what_they_deserve_with_us(course):
    """The monkeypatch gains nothing in the sandbox; copying from source/ finds nothing."""
    ours = course["ours"]
    assert ours["monkeypatch"] <= ours["nonsense"]
    assert ours["reads_source"] == ours["reads_source_by_path"] == ours["untouched"] == 0.0


def test_our_feedback_is_in_nbgrader_layout(course):
    """Each student's page is feedback/<student>/<assignment>/<notebook>.html, with the files
    `nbgrader release_feedback` needs beside it."""
    folder = course["course"] / "feedback" / "buggy" / ASSIGNMENT
    assert (folder / f"{ASSIGNMENT}.html").read_bytes() == (
        course["results"] / "buggy" / "feedback.html"
    ).read_bytes()
    assert (folder / "submission_secret.txt").read_text() == "secret-of-buggy"
    assert (folder / "timestamp.txt").is_file()


def test_our_scores_are_in_nbgrader_gradebook_and_export(course):
    """The gradebook API and `nbgrader export` show our scores, not autograde's."""
    ours = course["ours"]
    assert "Scores recorded in nbgrader's gradebook" in course["batch_output"]
    assert _gradebook_scores(course["course"]) == pytest.approx(ours)
    assert _exported_csv(course["course"]) == pytest.approx(ours)


def test_nbgrader_generate_feedback_still_runs(course):
    """nbgrader's own feedback step accepts the autograded notebooks of our export."""
    _nbgrader(course["course"], "generate_feedback", ASSIGNMENT)
    assert (
        course["course"] / "feedback" / "complete" / ASSIGNMENT / f"{ASSIGNMENT}.html"
    ).is_file()
