"""The nbgrader export on its own: structure, points, determinism, no answer outside fences."""

from __future__ import annotations

import sys

import nbformat
import pytest
from click.testing import CliRunner

from grader import gradcheck
from grader.catalog import EXERCISES, all_functions, max_score
from grader.cli import main
from grader.errors import FenceError
from grader.nbgrader_bridge.answer_key import to_nbgrader_fences
from grader.nbgrader_bridge.export import export_course
from grader.nbgrader_bridge.gradebook import cell_scores
from grader.nbgrader_bridge.notebook import HELPERS_ID, split_points
from grader.result import ExerciseResult


def _cells(notebook):
    return [(cell, cell.metadata.get("nbgrader", {})) for cell in notebook.cells]


@pytest.fixture(scope="module")
def exported(tmp_path_factory):
    course = tmp_path_factory.mktemp("course")
    written = export_course(course, assignment="nn")
    return course, nbformat.read(written.notebook, as_version=4)


def test_one_solution_and_one_graded_test_cell_per_function(exported):
    """Every contract function gets a solution cell followed by its locked, graded test cell."""
    _, notebook = exported
    solutions = [m["grade_id"] for _, m in _cells(notebook) if m.get("solution")]
    tests = [m["grade_id"] for _, m in _cells(notebook) if m.get("grade")]
    assert solutions == [f"solution_{name}" for name in all_functions()]
    assert tests == [f"test_{name}" for name in all_functions()]
    for cell, meta in _cells(notebook):
        if meta.get("grade"):
            assert meta["locked"] is True and meta["solution"] is False
            assert "### BEGIN HIDDEN TESTS" in cell.source
        if meta:
            assert meta["schema_version"] == 3


def test_points_of_each_exercise_add_up_to_the_catalog(exported):
    """The test cells of an exercise carry exactly the catalog's points for it."""
    _, notebook = exported
    points = {m["grade_id"]: m["points"] for _, m in _cells(notebook) if m.get("grade")}
    for exercise in EXERCISES:
        assert sum(points[f"test_{name}"] for name in exercise.functions) == exercise.points
    assert sum(points.values()) == max_score()


def test_solution_cells_use_nbgrader_fences_only(exported):
    """Answers sit between nbgrader's delimiters; our own fences never reach the notebook."""
    _, notebook = exported
    for cell, meta in _cells(notebook):
        lines = [line.strip() for line in cell.source.splitlines()]
        assert "# BEGIN SOLUTION" not in lines and "# END SOLUTION" not in lines
        if meta.get("solution"):
            assert lines.count("### BEGIN SOLUTION") == lines.count("### END SOLUTION") >= 1


def test_cells_import_nothing_of_nngrade(exported):
    """The notebook runs with numpy alone: no cell imports the grader, the key or the oracle."""
    _, notebook = exported
    for cell in notebook.cells:
        for package in ("grader", "reference", "solutions", "exercises"):
            assert f"import {package}" not in cell.source
            assert f"from {package}" not in cell.source


def test_export_is_deterministic_and_keeps_an_existing_config(tmp_path):
    """Two exports give the same bytes, and an instructor's nbgrader_config.py survives."""
    first = export_course(tmp_path / "a", assignment="nn", lang="fr")
    (tmp_path / "b").mkdir()
    (tmp_path / "b" / "nbgrader_config.py").write_text("c = get_config()\n# mine\n")
    second = export_course(tmp_path / "b", assignment="nn", lang="fr")
    assert first.config_written and not second.config_written
    assert first.notebook.read_bytes() == second.notebook.read_bytes()
    assert (tmp_path / "b" / "nbgrader_config.py").read_text() == "c = get_config()\n# mine\n"
    again = export_course(tmp_path / "a", assignment="nn", lang="fr")
    assert again.notebook.read_bytes() == first.notebook.read_bytes()
    assert "Fonctions à écrire" in first.notebook.read_text(encoding="utf-8")


def test_split_points_is_exact_in_half_points():
    """Points are split in halves, first cells first, and always add up."""
    assert split_points(10, 3) == [3.5, 3.5, 3.0]
    assert split_points(4, 3) == [1.5, 1.5, 1.0]
    assert split_points(2, 1) == [2.0]


def test_unbalanced_fence_is_rejected_with_its_place():
    """A fence that never closes names the function it is in."""
    with pytest.raises(FenceError, match=r"relu.*never closes"):
        to_nbgrader_fences("def relu(Z):\n    # BEGIN SOLUTION\n    return Z\n", "relu")


def test_cell_scores_spread_an_exercise_over_its_cells():
    """An exercise's score is spread over its cells by their points and keeps its total."""
    points = {"test_linear_backward": 3.5, "test_linear_activation_backward": 3.5}
    points["test_model_backward"] = 3.0
    backward = ExerciseResult("backward", "network", (), score=5.0, max_score=10.0, tests=())
    scores = cell_scores([backward], points)
    assert scores == {
        "test_linear_backward": 1.75,
        "test_linear_activation_backward": 1.75,
        "test_model_backward": 1.5,
    }


def test_grade_without_nbgrader_says_how_to_install(tmp_path, monkeypatch):
    """Without nbgrader, `nngrade batch --nbgrader --gradebook` exits 2 with the install command."""
    monkeypatch.setitem(sys.modules, "nbgrader", None)
    (tmp_path / "submitted").mkdir()
    arguments = ["batch", "--nbgrader", str(tmp_path), "--assignment", "nn", "--gradebook"]
    outcome = CliRunner().invoke(main, [*arguments, "--out", str(tmp_path / "results")])
    assert outcome.exit_code == 2
    assert "pip install 'nngrade[nbgrader]'" in outcome.output


def test_export_command_writes_the_course(tmp_path):
    """`nngrade nbgrader export` writes the source notebook and a config."""
    outcome = CliRunner().invoke(main, ["nbgrader", "export", str(tmp_path), "--assignment", "hw"])
    assert outcome.exit_code == 0, outcome.output
    assert (tmp_path / "source" / "hw" / "hw.ipynb").is_file()
    assert (tmp_path / "nbgrader_config.py").is_file()


def _run_cells(notebook, replace: dict[str, str] | None = None) -> dict[str, BaseException | None]:
    """Run the notebook's code cells in one namespace, as a kernel would; return each test
    cell's error (None when it passed). `replace` swaps a function's solution cell."""
    namespace: dict = {}
    errors: dict[str, BaseException | None] = {}
    for cell in notebook.cells:
        if cell.cell_type != "code":
            continue
        grade_id = cell.metadata.get("nbgrader", {}).get("grade_id", "")
        source = (replace or {}).get(grade_id.removeprefix("solution_"), cell.source)
        try:
            exec(compile(source, grade_id, "exec"), namespace)
        except AssertionError as error:
            errors[grade_id] = error
        else:
            if grade_id.startswith("test_"):
                errors[grade_id] = None
    return errors


def test_every_test_cell_passes_with_the_answer_key(exported):
    """Run top to bottom with the answers in place, no test cell fails."""
    _, notebook = exported
    errors = _run_cells(notebook)
    assert sorted(errors) == sorted(f"test_{name}" for name in all_functions())
    assert {grade_id: error for grade_id, error in errors.items() if error} == {}


def test_a_wrong_function_fails_its_own_test_cell(exported):
    """relu_backward without dA fails its cell; relu, before it, still passes."""
    _, notebook = exported
    wrong = "def relu_backward(dA, Z):\n    return (Z > 0) * 1.0\n"
    errors = _run_cells(notebook, {"relu_backward": wrong})
    assert errors["test_relu"] is None
    assert isinstance(errors["test_relu_backward"], AssertionError)
    assert "relu_backward — random inputs" in str(errors["test_relu_backward"])


def test_the_helper_cell_checks_with_the_graders_tolerances(exported):
    """The notebook's step and tolerances are gradcheck's own, written in as numbers."""
    _, notebook = exported
    (helpers,) = [
        c for c in notebook.cells if c.metadata.get("nbgrader", {}).get("grade_id") == HELPERS_ID
    ]
    namespace: dict = {}
    exec(helpers.source, namespace)
    assert namespace["_STEP"] == gradcheck.DEFAULT_STEP
    assert namespace["_VALUE_TOLERANCE"] == {
        "rtol": gradcheck.VALUE_RTOL,
        "atol": gradcheck.VALUE_ATOL,
    }
    assert namespace["_GRADIENT_TOLERANCE"] == {
        "rtol": gradcheck.GRADIENT_RTOL,
        "atol": gradcheck.GRADIENT_ATOL,
    }
