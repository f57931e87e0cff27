"""The statements a student reads in the code come from the specs, in the handout's language."""

from __future__ import annotations

import ast
from pathlib import Path

import nbformat
import pytest

from grader.authoring.notebook import NOTEBOOK_NAME
from grader.authoring.release import release
from grader.authoring.statements import docstring_lines, with_statements
from grader.catalog import MODULES, all_functions, function_statement, module_statement
from grader.errors import FenceError
from grader.i18n import LANGUAGES
from grader.nbgrader_bridge.notebook import build_notebook

from .conftest import SOLUTIONS

FUNCTIONS = list(all_functions())


def docstrings(source: str) -> dict[str, str | None]:
    """The module's docstring (key "") and each top-level function's."""
    tree = ast.parse(source)
    found: dict[str, str | None] = {"": ast.get_docstring(tree)}
    for node in tree.body:
        if isinstance(node, ast.FunctionDef):
            found[node.name] = ast.get_docstring(node)
    return found


@pytest.fixture(scope="module")
def french(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return release(tmp_path_factory.mktemp("fr") / "handout", lang="fr")


@pytest.mark.parametrize("lang", LANGUAGES)
def test_every_statement_exists_in_every_language(lang: str) -> None:
    """Each function of the contract and each module has a statement, translated."""
    for function in FUNCTIONS:
        assert function_statement(function)[lang].strip(), function
    for module in ("__init__", *MODULES):
        assert module_statement(module)[lang].strip(), module
    if lang != "en":
        for function in FUNCTIONS:
            statement = function_statement(function)
            assert statement[lang] != statement["en"], f"{function} is not translated"


def test_a_french_handout_states_every_exercise_in_french(french: Path) -> None:
    """--lang fr: every docstring of the stubs, the modules' and the functions', is the
    French statement; the English one appears nowhere."""
    seen = set()
    for module in ("__init__", *MODULES):
        found = docstrings((french / "exercises" / f"{module}.py").read_text(encoding="utf-8"))
        assert found.pop("") == module_statement(module)["fr"]
        for function, docstring in found.items():
            if function in FUNCTIONS:
                assert docstring == function_statement(function)["fr"], function
                seen.add(function)
    assert seen == set(FUNCTIONS)
    text = "\n".join(path.read_text(encoding="utf-8") for path in french.rglob("exercises/*.py"))
    assert "Arguments :" in text and "Renvoie :" in text
    assert "Args:" not in text and "Returns:" not in text


def test_a_french_notebook_and_nbgrader_export_state_the_functions_in_french(french) -> None:
    """The notebook's function cells, and the nbgrader export's solution cells, carry the
    French statements too."""
    notebook = nbformat.read(french / NOTEBOOK_NAME, as_version=4)
    cells = {cell.id: cell.source for cell in notebook.cells}
    exported = {cell.id: cell.source for cell in build_notebook("fr").cells}
    for function in FUNCTIONS:
        statement = function_statement(function)["fr"]
        assert docstrings(cells[f"function-{function}"])[function] == statement
        assert docstrings(exported[f"solution-{function}"])[function] == statement
    assert module_statement("network")["fr"] in cells["module-network"]


def test_the_french_stubs_are_not_started(french: Path, run_selfcheck) -> None:
    """French docstrings change nothing of what the self-check sees: every stub is "not
    started"."""
    completed = run_selfcheck(french, "--lang", "fr")
    assert completed.returncode == 1
    assert f"0 fonctions sur {len(FUNCTIONS)} passent" in completed.stdout
    assert "échouée" not in completed.stdout.split("\n\n")[1]


def test_the_answer_key_holds_no_statement() -> None:
    """A statement lives in its spec only: solutions/ has no docstring that one replaces."""
    for module in ("__init__", *MODULES):
        found = docstrings((SOLUTIONS / f"{module}.py").read_text(encoding="utf-8"))
        assert found.pop("") is None, module
        for function, docstring in found.items():
            if function in FUNCTIONS:
                assert docstring is None, function


def test_a_docstring_in_the_answer_key_is_refused_with_where_its_statement_lives() -> None:
    source = 'import numpy as np\n\n\ndef relu(Z):\n    """Mine."""\n    return Z\n'
    with pytest.raises(FenceError, match=r"x\.py, line 4: `relu` has a docstring.*its spec"):
        with_statements(source, "activations", "en", where="x.py")
    with pytest.raises(FenceError, match=r"x\.py: the module has a docstring.*_modules\.py"):
        with_statements('"""Mine."""\n', "activations", "en", where="x.py")


def test_statements_go_after_the_signature_and_before_the_fences() -> None:
    """A multi-line signature and a fence opening the body: the docstring sits between."""
    source = "def relu(\n    Z,\n):\n    # BEGIN SOLUTION\n    return Z\n    # END SOLUTION\n"
    written = with_statements(source, "activations", "fr", where="x.py")
    lines = written.split("\n")
    start = lines.index("def relu(")  # after the module's statement
    assert lines[start : start + 3] == ["def relu(", "    Z,", "):"]
    statement = function_statement("relu")["fr"]
    assert lines[start + 3] == '    """' + statement.split("\n")[0]
    fence = start + 3 + len(docstring_lines(statement, "    "))
    assert lines.index("    # BEGIN SOLUTION") == fence
    tree = ast.parse(written)
    assert ast.get_docstring(tree) == module_statement("activations")["fr"]
    assert ast.get_docstring(tree.body[1]) == statement


def test_a_one_line_statement_stays_on_one_line() -> None:
    assert docstring_lines("Short.", "    ") == ['    """Short."""']
    with pytest.raises(ValueError, match="backslash"):
        docstring_lines("a \\n b", "")
