"""The handout as a Jupyter notebook: statements, one code cell per function, check cells.

`build_handout_notebook(stubs, lang)` lays out the same stubs as the handout's
``exercises/`` (with their statements in `lang`) the way a student works in Jupyter:

- a title cell saying how to work, then a set-up cell, ``check = Checks(lang=...)``;
- one code cell with the modules' imports;
- per module: its statement (the module docstring) and its support code, if any; per
  exercise: its title and statement from its spec; per function: the stub (signature,
  docstring, ``raise NotImplementedError``) in a cell of its own, then a check cell,
  ``check("sigmoid")``, which shows the public checks' verdict below it (see
  ``grader/public/notebook.py``);
- a last check cell, ``check()``, for every function at once.

The set-up and check cells are marked in their metadata (``{"nngrade": {"role": "check"}}``,
not editable, not deletable): the grader leaves them out when the notebook is handed in
(``grader/loading/notebook.py``), so that grading runs only the student's code, without the
handout's checks. Deterministic: fixed cell ids, no outputs.
"""

from __future__ import annotations

import nbformat
from nbformat import NotebookNode

from grader.catalog import EXERCISES, MODULES
from grader.i18n import check_language, translator
from grader.nbgrader_bridge.answer_key import ModuleAnswers, cut_module
from grader.nbgrader_bridge.notebook import python_notebook

NOTEBOOK_NAME = "exercises.ipynb"
CHECK_ROLE = {"nngrade": {"role": "check"}, "editable": False, "deletable": False}
"""The metadata of the set-up and check cells: the grader leaves these cells out."""


def _markdown(cell_id: str, text: str) -> NotebookNode:
    return nbformat.v4.new_markdown_cell(text, id=cell_id)


def _code(cell_id: str, source: str, *, check: bool = False) -> NotebookNode:
    metadata = dict(CHECK_ROLE) if check else {}
    return nbformat.v4.new_code_cell(source, id=cell_id, metadata=metadata)


def _imports(modules: list[ModuleAnswers]) -> str:
    imports: list[str] = []
    for module in modules:
        imports.extend(line for line in module.imports if line not in imports)
    return "\n".join(imports)


def build_handout_notebook(stubs: dict[str, str], lang: str = "en") -> NotebookNode:
    """The notebook of the handout from its stub modules (``{"activations.py": source}``,
    as `grader.authoring.generate.stub_sources` gives them), in `lang`."""
    _ = translator(check_language(lang))
    modules = [
        cut_module(stubs[f"{name}.py"], name, where=f"exercises/{name}.py") for name in MODULES
    ]
    intro = _(
        "Write each function in its cell, in place of `raise NotImplementedError(...)`, and "
        'run the cell. The cell after it, `check("sigmoid")` for instance, runs the public '
        "checks on your function and shows the verdict: what is wrong, the entries that "
        "differ most, the mistake it looks like, a plot. Each call of your function has 2 "
        "seconds: a loop that never ends is stopped and named. `check()` checks every "
        "function at once. Run the notebook from the top (the first code cell prepares the "
        "checks) and hand in this notebook. Passing the public checks is a good sign, not a "
        "grade: hidden checks, on other inputs, run at grading.\n\n"
        "Notation: one example per **column**; `X` is `(n_x, m)`, `W[l]` is "
        "`(n_l, n_{l-1})`, `b[l]` is `(n_l, 1)`. Use numpy only."
    )
    setup = "\n".join(
        [
            "# " + _('The public checks: check("sigmoid") checks sigmoid and what it uses.'),
            "from checks.notebook import Checks",
            "",
            f'check = Checks(lang="{lang}")',
        ]
    )
    title = _("Neural networks in numpy")
    every = _("Every function at once")
    cells = [
        _markdown("title", f"# {title}\n\n{intro}"),
        _code("setup", setup, check=True),
        _code("imports", _imports(modules)),
    ]
    for module in modules:
        heading = _("Module `%(module)s`", module=module.name)
        cells.append(_markdown(f"module-{module.name}", f"## {heading}\n\n{module.docstring}"))
        if module.support:
            cells.append(_code(f"support-{module.name}", module.support))
        for exercise in (e for e in EXERCISES if e.module == module.name):
            functions = ", ".join(f"`{name}`" for name in exercise.functions)
            text = "\n\n".join(
                [
                    f"### {exercise.title[lang]}",
                    exercise.statement[lang],
                    _("Functions to write: %(functions)s.", functions=functions),
                ]
            )
            cells.append(_markdown(f"exercise-{exercise.id}", text))
            for function in exercise.functions:
                cells.append(_code(f"function-{function}", module.functions[function]))
                cells.append(_code(f"check-{function}", f'check("{function}")', check=True))
    cells.append(_markdown("all", f"## {every}"))
    cells.append(_code("check-all", "check()", check=True))
    return python_notebook(cells)
