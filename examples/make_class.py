"""Build the sample class in examples/class/ from solutions/ and exercises/.

Run from the project root: ``python examples/make_class.py``. Each submission is the answer
key with one change (an import style, a packaging, a classic bug, a hostile line), and
`class-expected.json` says what each was built for; tests/engine/test_sample_class.py holds the
grader to it. Regenerate after changing solutions/ or exercises/; the output is stable.
"""

from __future__ import annotations

import ast
import json
import shutil
import zipfile
from collections.abc import Callable
from pathlib import Path

import nbformat

from grader.authoring.generate import answer_key_source
from grader.catalog import MODULES

ROOT = Path(__file__).resolve().parent.parent
SOLUTIONS = ROOT / "solutions"
STUBS = ROOT / "exercises"
CLASS = Path(__file__).resolve().parent / "class"
# Beside the class, not in it: every entry of the class folder is a student's submission.
EXPECTED = CLASS.with_name("class-expected.json")
ZIP_TIME = (2024, 1, 1, 0, 0, 0)  # fixed, so that regenerating gives the same bytes


Modules = dict[str, str]
Edit = Callable[[Modules], Modules]


def read_modules(folder: Path) -> Modules:
    return {module: (folder / f"{module}.py").read_text() for module in MODULES}


def read_answer_key() -> Modules:
    """The answer key as a student who wrote it would have it: with its statements
    (docstrings, from the exercise specs), as in the stubs."""
    return {module: answer_key_source(SOLUTIONS / f"{module}.py") for module in MODULES}


def replace(module: str, old: str, new: str) -> Edit:
    """An edit that changes one exact line of one module (it must be there exactly once)."""

    def edit(modules: Modules) -> Modules:
        if modules[module].count(old) != 1:
            raise SystemExit(f"{module}.py no longer contains {old!r} exactly once; update me.")
        return modules | {module: modules[module].replace(old, new)}

    return edit


def import_style(style: str) -> Edit:
    """Rewrite ``from .activations import`` as ``from {style}activations import``."""

    def edit(modules: Modules) -> Modules:
        return {
            name: text.replace("from .", f"from {style}") if style != "." else text
            for name, text in modules.items()
        }

    return edit


def write_folder(folder: Path, modules: Modules) -> None:
    folder.mkdir(parents=True)
    for name, text in modules.items():
        (folder / f"{name}.py").write_text(text)


def without_relative_imports(text: str) -> str:
    """A module's text with its ``from .x import ...`` statements removed (notebook cells
    share one namespace, so they are not needed)."""
    lines = text.split("\n")
    for node in reversed(ast.parse(text).body):
        if isinstance(node, ast.ImportFrom) and node.level == 1:
            del lines[node.lineno - 1 : node.end_lineno]
    return "\n".join(lines)


def write_notebook(path: Path, modules: Modules) -> None:
    cells = [
        nbformat.v4.new_markdown_cell("# Neural networks from scratch\nMy answers."),
        nbformat.v4.new_code_cell("!pip install numpy\n%matplotlib inline\nimport numpy as np"),
        nbformat.v4.new_code_cell("%%time\nprint('a cell magic: the grader drops this cell')"),
    ]
    for name in MODULES:
        cells.append(nbformat.v4.new_markdown_cell(f"## {name}"))
        cells.append(nbformat.v4.new_code_cell(without_relative_imports(modules[name])))
    cells.append(nbformat.v4.new_code_cell("print(sigmoid(np.zeros((1, 1))))"))
    notebook = nbformat.v4.new_notebook(cells=cells)
    for number, cell in enumerate(notebook.cells):
        cell["id"] = f"cell-{number}"  # fixed ids: the file is the same at every run
    path.write_text(nbformat.writes(notebook) + "\n")


def write_zip(path: Path, wrapper: str, modules: Modules) -> None:
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, text in modules.items():
            info = zipfile.ZipInfo(f"{wrapper}/exercises/{name}.py", ZIP_TIME)
            info.compress_type = zipfile.ZIP_DEFLATED
            archive.writestr(info, text)


# Every submission: (name, what it was built for, how it is built, what it must get).
# "lose" lists the exercises that must score below their maximum; every other exercise
# must get full marks. "modules" pins module statuses; "outcomes" the accepted outcomes of
# some tests (a stopped infinite loop is a `timeout`, whether the wall-clock deadline or
# the CPU-time limit stops it).
SUBMISSIONS: list[dict] = [
    {
        "name": "ada_package_imports",
        "built_for": "correct, in an exercises/ folder, `from exercises.activations import ...`",
        "lose": [],
    },
    {
        "name": "ben_relative_imports",
        "built_for": "correct, modules at the top, `from .activations import ...`",
        "lose": [],
    },
    {
        "name": "chloe_plain_imports",
        "built_for": "correct, `from activations import ...`",
        "lose": [],
    },
    {
        "name": "dan_notebook.ipynb",
        "built_for": "correct notebook with magics, a cell magic and a `!pip` line",
        "lose": [],
    },
    {
        "name": "emma_zip.zip",
        "built_for": "correct zip, under one top-level folder then exercises/",
        "lose": [],
    },
    {
        "name": "farid_sigmoid_backward_from_Z",
        "built_for": "bug: sigmoid_backward uses Z where it needs sigmoid(Z); model_backward, "
        "which calls it for sigmoid hidden layers, keeps its points (a bug costs once)",
        "lose": ["sigmoid"],
    },
    {
        "name": "gina_missing_one_over_m",
        "built_for": "bug: dW without the 1/m of linear_backward; the functions that call it, "
        "up to train, keep their points (a bug costs once)",
        "lose": ["backward"],
    },
    {
        "name": "hugo_db_without_keepdims",
        "built_for": "bug: db summed without keepdims, shape (n,) instead of (n, 1); train "
        "keeps its points (a bug costs once)",
        "lose": ["backward"],
    },
    {
        "name": "ines_unstable_softmax",
        "built_for": "bug: softmax without subtracting the column max (overflows)",
        "lose": ["softmax"],
    },
    {
        "name": "jules_untouched_stubs",
        "built_for": "the handout's stubs, unchanged: 0 everywhere, 'not implemented'",
        "lose": "all",
        "score": 0,
    },
    {
        "name": "kim_syntax_error",
        "built_for": "model.py has a syntax error; the other modules still grade",
        "lose": ["training"],
        "modules": {"model": "syntax_error"},
    },
    {
        "name": "leo_infinite_loop",
        "built_for": "binary_cross_entropy_backward loops forever; stopped, the rest grades",
        "lose": ["binary_cross_entropy"],
        "outcomes": {
            "test_binary_cross_entropy_backward_values": ["timeout"],
            "test_binary_cross_entropy_backward_gradient": ["timeout"],
        },
    },
    {
        "name": "mia_exit_at_import",
        "built_for": "model.py calls os._exit at import; the rest grades",
        "lose": ["training"],
        "modules": {"model": "import_crashed"},
    },
    {
        "name": "noah_raises_at_import",
        "built_for": "a demo line at the top of model.py raises: it is reported with its "
        "line, and the rest of the file, run statement by statement, grades in full",
        "lose": [],
        "modules": {"model": "loaded"},
    },
    {
        "name": "olga_missing_module",
        "built_for": "model.py not submitted; the rest grades",
        "lose": ["training"],
        "modules": {"model": "missing"},
    },
    {
        "name": "pia_dead_entries",
        "built_for": "bug: dead_relu_fraction counts the entries of Z <= 0, not the dead units",
        "lose": ["diagnostics"],
    },
    {
        "name": "quinn_before_diagnostics",
        "built_for": "an older handout, without diagnostics.py: every other exercise grades",
        "lose": ["diagnostics"],
        "modules": {"diagnostics": "missing"},
    },
]

EDITS: dict[str, Edit] = {
    "farid_sigmoid_backward_from_Z": replace(
        "activations", "    dZ = dA * s * (1.0 - s)", "    dZ = dA * Z * (1.0 - Z)"
    ),
    "gina_missing_one_over_m": replace(
        "network", "    dW = (dZ @ A_prev.T) / m", "    dW = dZ @ A_prev.T"
    ),
    "hugo_db_without_keepdims": replace(
        "network",
        "    db = np.sum(dZ, axis=1, keepdims=True) / m  # keepdims: (n_l, 1), not (n_l,)",
        "    db = np.sum(dZ, axis=1) / m",
    ),
    "ines_unstable_softmax": replace(
        "activations",
        "    shifted = Z - np.max(Z, axis=0, keepdims=True)  # every exponent is now <= 0",
        "    shifted = Z",
    ),
    "kim_syntax_error": replace(
        "model", "import numpy as np\n", "import numpy as np\n\ndef broken(:\n    pass\n"
    ),
    "mia_exit_at_import": replace(
        "model", "import numpy as np\n", "import os\n\nimport numpy as np\n\nos._exit(3)\n"
    ),
    "pia_dead_entries": replace(
        "diagnostics",
        "    dead = np.all(Z <= 0, axis=1)  # one boolean per unit (row): never active on the "
        "batch",
        "    dead = Z <= 0",
    ),
    "noah_raises_at_import": replace(
        "model",
        "import numpy as np\n",
        "import numpy as np\n\nraise RuntimeError('unfinished demo at the top of model.py')\n",
    ),
}


def infinite_loop(modules: Modules) -> Modules:
    """binary_cross_entropy_backward never returns."""
    text = modules["losses"]
    marker = "def binary_cross_entropy_backward("
    start = text.index(marker)
    body = text.index('    """\n', text.index('"""', start) + 3) + len('    """\n')
    looping = "    while True:  # forgot the loop's exit\n        pass\n"
    return modules | {"losses": text[:body] + looping + text[body:]}


def build(name: str, solutions: Modules, stubs: Modules, out: Path = CLASS) -> None:
    target = out / name
    if name == "ada_package_imports":
        write_folder(target / "exercises", import_style("exercises.")(solutions))
    elif name == "ben_relative_imports":
        write_folder(target, solutions)
    elif name == "chloe_plain_imports":
        write_folder(target, import_style("")(solutions))
    elif name == "dan_notebook.ipynb":
        write_notebook(target, solutions)
    elif name == "emma_zip.zip":
        write_zip(target, "emma", solutions)
    elif name == "jules_untouched_stubs":
        write_folder(target / "exercises", stubs)
    elif name == "leo_infinite_loop":
        write_folder(target, infinite_loop(solutions))
    elif name == "olga_missing_module":
        write_folder(target, {k: v for k, v in solutions.items() if k != "model"})
    elif name == "quinn_before_diagnostics":
        write_folder(target, {k: v for k, v in solutions.items() if k != "diagnostics"})
    else:
        write_folder(target, EDITS[name](solutions))


def expected_text() -> str:
    """The contents of `class-expected.json`."""
    expected = {s["name"]: {k: v for k, v in s.items() if k != "name"} for s in SUBMISSIONS}
    return json.dumps(expected, indent=2, sort_keys=True) + "\n"


def write_class(out: Path) -> None:
    """Build every submission of the sample class into the empty or missing folder `out`."""
    solutions, stubs = read_answer_key(), read_modules(STUBS)
    out.mkdir(parents=True, exist_ok=True)
    for submission in SUBMISSIONS:
        build(submission["name"], solutions, stubs, out)


def main() -> None:
    shutil.rmtree(CLASS, ignore_errors=True)
    write_class(CLASS)
    EXPECTED.write_text(expected_text())
    print(f"Wrote {len(SUBMISSIONS)} submissions to {CLASS}.")


if __name__ == "__main__":
    main()
