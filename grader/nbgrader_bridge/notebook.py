"""Build the assignment's nbgrader source notebook from `solutions/`, the specs and `reference/`.

One notebook for the whole assignment, not one per module: `network` calls the
activations and `model` calls `network`, and nbgrader runs every notebook in a kernel of
its own, so split notebooks would have to ship working copies of earlier answers. One
notebook also makes one submission a single ``.ipynb``, which our grader loads as is.
"""

from __future__ import annotations

import ast
import inspect
from pathlib import Path

import nbformat
from nbformat import NotebookNode

from grader import gradcheck
from grader.catalog import EXERCISES, MODULES, Exercise
from grader.i18n import check_language, translator
from grader.nbgrader_bridge import cell_helpers
from grader.nbgrader_bridge.answer_key import ModuleAnswers, read_module
from grader.nbgrader_bridge.checks import test_cell_source

IMPORTS_ID = "imports"
HELPERS_ID = "nngrade_helpers"
GRADCHECK = "grader.gradcheck"


def split_points(points: float, cells: int) -> list[float]:
    """Split an exercise's points over its cells in half points, first cells first.

    Halves are exact in binary floating point, so the cells always add up to `points`.
    """
    halves = round(points * 2)
    base, extra = divmod(halves, cells)
    return [(base + (1 if index < extra else 0)) / 2 for index in range(cells)]


def _nbgrader(
    grade_id: str, *, grade: bool, solution: bool, locked: bool, points: float | None = None
) -> dict:
    meta: dict[str, object] = {
        "grade": grade,
        "grade_id": grade_id,
        "locked": locked,
        "schema_version": 3,
        "solution": solution,
        "task": False,
    }
    if points is not None:
        meta["points"] = points
    return {"nbgrader": meta}


def _markdown(cell_id: str, text: str) -> NotebookNode:
    return nbformat.v4.new_markdown_cell(text, id=cell_id)


def _code(cell_id: str, source: str, metadata: dict) -> NotebookNode:
    return nbformat.v4.new_code_cell(source, id=cell_id, metadata=metadata)


def _imports_source(modules: list[ModuleAnswers]) -> str:
    imports: list[str] = []
    for module in modules:
        imports.extend(s for s in module.imports if s not in imports)
    return "\n".join(imports)


def _exercise_markdown(exercise: Exercise, lang: str) -> str:
    _ = translator(lang)
    functions = ", ".join(f"`{name}`" for name in exercise.functions)
    return "\n\n".join(
        [
            f"### {exercise.title[lang]}",
            exercise.statement[lang],
            _("Functions to write: %(functions)s.", functions=functions),
            _("Points: %(points)s.", points=format(exercise.points, "g")),
            _("Hint: %(hint)s", hint=exercise.hint[lang]),
        ]
    )


def helpers_source() -> str:
    """The source of the helper cell: `cell_helpers`, its imports from `grader.gradcheck`
    replaced by the values they import (the notebook runs without nngrade)."""
    source = inspect.getsource(cell_helpers)
    lines = source.splitlines()
    for node in reversed(ast.parse(source).body):
        if isinstance(node, ast.ImportFrom) and node.module == GRADCHECK:
            values = [
                f"{alias.asname or alias.name} = {getattr(gradcheck, alias.name)!r}"
                for alias in node.names
            ]
            lines[node.lineno - 1 : node.end_lineno] = values
    return "\n".join(lines).rstrip("\n")


def build_notebook(lang: str = "en") -> NotebookNode:
    """The instructor's source notebook of the whole assignment, in `lang`."""
    _ = translator(check_language(lang))
    title = _("Neural networks in numpy")
    intro = _(
        "Write each function in the cell that defines it, in place of "
        "`raise NotImplementedError()`. Run the notebook from the top: the cell after each "
        "function checks it (shapes, values on small inputs, and its gradient against finite "
        "differences of your own forward). More checks run at grading. Notation: one example "
        "per **column**; `X` is `(n_x, m)`, `W[l]` is `(n_l, n_{l-1})`, `b[l]` is `(n_l, 1)`. "
        "Use numpy only."
    )
    modules = [read_module(name, lang) for name in MODULES]
    cells = [
        _markdown("title", f"# {title}\n\n{intro}"),
        _code(
            "imports",
            _imports_source(modules),
            _nbgrader(IMPORTS_ID, grade=False, solution=False, locked=True),
        ),
        _code(
            "helpers",
            helpers_source(),
            _nbgrader(HELPERS_ID, grade=False, solution=False, locked=True),
        ),
    ]
    for module in modules:
        heading = _("Module `%(module)s`", module=module.name)
        cells.append(_markdown(f"module-{module.name}", f"## {heading}\n\n{module.docstring}"))
        if module.support:
            locked = _nbgrader(f"{module.name}_support", grade=False, solution=False, locked=True)
            cells.append(_code(f"support-{module.name}", module.support, locked))
        for exercise in (e for e in EXERCISES if e.module == module.name):
            cells.append(_markdown(f"exercise-{exercise.id}", _exercise_markdown(exercise, lang)))
            points = split_points(exercise.points, len(exercise.functions))
            for function, cell_points in zip(exercise.functions, points, strict=True):
                solution = _nbgrader(
                    f"solution_{function}", grade=False, solution=True, locked=False
                )
                cells.append(_code(f"solution-{function}", module.functions[function], solution))
                test = _nbgrader(
                    f"test_{function}", grade=True, solution=False, locked=True, points=cell_points
                )
                cells.append(_code(f"test-{function}", test_cell_source(function, lang), test))
    return python_notebook(cells)


def python_notebook(cells: list[NotebookNode]) -> NotebookNode:
    """A notebook of `cells` for Jupyter's Python 3 kernel."""
    notebook = nbformat.v4.new_notebook(cells=cells)
    notebook.metadata = {
        "kernelspec": {"display_name": "Python 3", "language": "python", "name": "python3"},
        "language_info": {"name": "python"},
    }
    return notebook


def write_notebook(notebook: NotebookNode, path: Path) -> None:
    """Write `notebook` deterministically (sorted keys, fixed ids)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(nbformat.writes(notebook) + "\n", encoding="utf-8")
