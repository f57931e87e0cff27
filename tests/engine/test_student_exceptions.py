"""Messages that teach: an exception of the student's code names the call that raised it
(its shapes and its scalar and string arguments), the file or notebook cell, the line and
its source; a failed assert shows the assert; the student's own NotImplementedError keeps
its words. Real student code, graded through the sandbox."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import nbformat
import pytest

from grader.catalog import MODULES
from grader.engine import grade_submission
from grader.sandbox import Sandbox, SandboxLimits

ROOT = Path(__file__).resolve().parents[2]
NOTEBOOK = ROOT / "examples" / "class" / "dan_notebook.ipynb"

# linear_forward, correct but for a helper's assert that a single example breaks.
ASSERTING_LINE = "    assert A_prev.shape[1] > 1"
ASSERTING = (
    "def linear_forward(",
    f"def _columns(A_prev):\n{ASSERTING_LINE}\n    return A_prev.shape[1]\n\n\ndef linear_forward(",
)
CALLING_THE_HELPER = (
    "    Z = W @ A_prev + b  # b (n_l, 1) is broadcast over the m columns\n",
    "    _columns(A_prev)\n    Z = W @ A_prev + b\n",
)
# linear_activation_forward as many students write it: an if/elif chain without tanh, so
# that A is never bound. (CPython 3.11 reports the line before when the unbound name is
# read right after a store, as in `cache = ...` then `return A, cache`; a chain jumps to
# the reading line, which is then reported exactly.)
NO_TANH = (
    "    A = forward(Z)\n    cache = (linear_cache, Z)  # the activation's backward needs Z\n",
    "    cache = (linear_cache, Z)\n"
    '    if activation == "sigmoid":\n'
    "        A = forward(Z)\n"
    '    elif activation in ("relu", "leaky_relu", "softmax"):\n'
    "        A = forward(Z)\n",
)
# ... or refused with their own words.
OWN_NOT_IMPLEMENTED = (
    "    A = forward(Z)\n",
    '    if activation == "tanh":\n'
    '        raise NotImplementedError("tanh not supported yet")\n'
    "    A = forward(Z)\n",
)


@pytest.fixture(scope="module")
def sandbox() -> Sandbox:
    with Sandbox(SandboxLimits(wall_seconds_per_call=2.0)) as box:
        yield box


def _folder(tmp_path: Path, *edits: tuple[str, str]) -> tuple[Path, str]:
    """The answer key as a student's folder, network.py edited; the network.py text."""
    folder = tmp_path / "student"
    folder.mkdir()
    for module in MODULES:
        (folder / f"{module}.py").write_text((ROOT / "solutions" / f"{module}.py").read_text())
    network = (folder / "network.py").read_text()
    for before, after in edits:
        assert network.count(before) == 1, before
        network = network.replace(before, after)
    (folder / "network.py").write_text(network)
    return folder, network


def _line_of(text: str, line: str) -> int:
    return text.split("\n").index(line) + 1


def _test(document: dict[str, Any], name: str) -> dict[str, Any]:
    for exercise in document["exercises"]:
        for test in exercise["tests"]:
            if test["id"].endswith(f"::{name}"):
                return test
    raise AssertionError(f"no test {name}")


def test_an_exception_names_the_call_its_arguments_the_file_line_and_source(
    sandbox: Sandbox, tmp_path: Path
) -> None:
    folder, network = _folder(tmp_path, NO_TANH)
    document = grade_submission(folder, sandbox=sandbox)
    test = _test(document, "test_linear_activation_forward")
    assert test["outcome"] == "error"
    line = _line_of(network, "    return A, cache")
    message = test["messages"]["en"]
    assert re.match(
        r"`linear_activation_forward\(A_prev \(\d+, \d+\), W \(\d+, \d+\), b \(\d+, 1\), "
        r"activation='tanh'\)` raised UnboundLocalError: cannot access local variable 'A'",
        message,
    ), message
    assert f"It was raised at exercises/network.py, line {line}: `return A, cache`." in message
    assert test["evidence"]["call"].endswith("activation='tanh')")
    assert test["evidence"]["exception"]["type"] == "UnboundLocalError"
    french = test["messages"]["fr"]
    assert "a levé UnboundLocalError" in french
    assert f"(exercises/network.py, ligne {line}) : `return A, cache`." in french


def test_a_students_own_not_implemented_error_keeps_its_words(
    sandbox: Sandbox, tmp_path: Path
) -> None:
    folder, _ = _folder(tmp_path, OWN_NOT_IMPLEMENTED)
    document = grade_submission(folder, sandbox=sandbox)
    test = _test(document, "test_linear_activation_forward")
    assert test["outcome"] == "error"
    assert (
        "activation='tanh')` raised NotImplementedError: tanh not supported yet."
        in (test["messages"]["en"])
    )
    assert '`raise NotImplementedError("tanh not supported yet")`' in test["messages"]["en"]
    assert "stub" not in test["messages"]["en"]


def test_a_failed_assert_shows_the_assert(sandbox: Sandbox, tmp_path: Path) -> None:
    folder, network = _folder(tmp_path, ASSERTING, CALLING_THE_HELPER)
    document = grade_submission(folder, sandbox=sandbox, lang="fr")
    test = _test(document, "test_linear_forward_edge_cases")
    line = _line_of(network, ASSERTING_LINE)
    message = test["messages"]["en"]
    assert re.match(
        r"`linear_forward\(A_prev \(\d+, 1\), W \(\d+, \d+\), b \(\d+, 1\)\)` stopped on a "
        r"failed assert\. ",
        message,
    ), message
    assert (
        f"The assert is at exercises/network.py, line {line}, in `_columns`: "
        "`assert A_prev.shape[1] > 1`."
    ) in message
    assert "AssertionError: ." not in message
    assert test["message"] == test["messages"]["fr"]
    assert (
        f"L'assert en cause (exercises/network.py, ligne {line}, dans `_columns`) :"
        in (test["message"])
    )
    # Several examples pass the assert: those tests keep their points.
    assert _test(document, "test_linear_forward_values")["outcome"] == "passed"


def test_in_a_notebook_the_place_is_the_code_cell_and_its_line(
    sandbox: Sandbox, tmp_path: Path
) -> None:
    notebook = nbformat.read(NOTEBOOK, as_version=4)
    code_cells = [cell for cell in notebook.cells if cell.cell_type == "code"]
    number, cell = next(
        (number, cell)
        for number, cell in enumerate(code_cells, start=1)
        if "def linear_forward(" in cell.source
    )
    for before, after in (ASSERTING, CALLING_THE_HELPER):
        cell.source = cell.source.replace(before, after)
    line = _line_of(cell.source, ASSERTING_LINE)
    target = tmp_path / "asserting.ipynb"
    nbformat.write(notebook, target)
    document = grade_submission(target, sandbox=sandbox, lang="fr")
    test = _test(document, "test_linear_forward_edge_cases")
    assert (
        f"The assert is at your notebook, code cell {number}, line {line}, in `_columns`:"
        in (test["messages"]["en"])
    )
    assert (
        f"(votre notebook, cellule de code {number}, ligne {line}, dans `_columns`) :"
        in (test["message"])
    )
