"""The handout as a notebook: its cells, and the check cells executed headless (nbclient).

A student's three notebooks: the answers filled in from solutions/ (every check cell says
passed), one classic bug (the check cell shows the diagnosis, the worst entries and the
plot; what builds on it waits), and a loop that never ends (stopped after 2 s, the rest of
the notebook runs). Then the grader, given the filled notebook, grades it without the
handout's own cells.
"""

from __future__ import annotations

import ast
import json
import shutil
import time
from pathlib import Path

import nbformat
import pytest

from grader.authoring.notebook import NOTEBOOK_NAME
from grader.authoring.release import release
from grader.catalog import EXERCISES, MODULES, all_functions, depends_on
from grader.nbgrader_bridge.answer_key import read_module

from .test_release import answer_lines

FUNCTIONS = list(all_functions())
CHECK_ROLE = {"role": "check"}

nbclient = pytest.importorskip("nbclient", reason="executing notebooks needs nbclient")
pytest.importorskip("ipykernel", reason="executing notebooks needs a Python kernel (ipykernel)")


def cells_by_id(notebook: nbformat.NotebookNode) -> dict[str, nbformat.NotebookNode]:
    return {cell["id"]: cell for cell in notebook.cells}


def with_answers(notebook: nbformat.NotebookNode) -> nbformat.NotebookNode:
    """The notebook as a student who wrote the answer key would hand it in: each function
    cell holds the answer, the support and imports cells what the answers use."""
    answered = nbformat.from_dict(json.loads(json.dumps(notebook)))
    pieces = [read_module(module) for module in MODULES]
    functions = {name: source for piece in pieces for name, source in piece.functions.items()}
    imports: list[str] = []
    for piece in pieces:
        imports.extend(line for line in piece.imports if line not in imports)
    cells = cells_by_id(answered)
    cells["imports"].source = "\n".join(imports)
    for piece in pieces:
        if piece.support:
            cells[f"support-{piece.name}"].source = piece.support
    for name, source in functions.items():
        cells[f"function-{name}"].source = source
    return answered


def execute(notebook: nbformat.NotebookNode, folder: Path) -> float:
    """Run every cell in a fresh kernel started in `folder`; the seconds it took."""
    started = time.perf_counter()
    client = nbclient.NotebookClient(
        notebook,
        timeout=120,
        kernel_name="python3",
        resources={"metadata": {"path": str(folder)}},
    )
    client.execute()
    return time.perf_counter() - started


def shown(cell: nbformat.NotebookNode) -> tuple[str, str]:
    """The (text, HTML) a check cell shows; fails the test on an error or a missing result."""
    results = [out for out in cell.outputs if out["output_type"] == "execute_result"]
    errors = [out for out in cell.outputs if out["output_type"] == "error"]
    assert not errors, errors
    assert len(results) == 1, cell.outputs
    return results[0]["data"]["text/plain"], results[0]["data"]["text/html"]


def status(cell: nbformat.NotebookNode) -> str:
    """The status word of a check cell of one function: "passed", "FAILED"..."""
    text, _ = shown(cell)
    return text.split()[0] if not text.startswith("  not started") else "not started"


@pytest.fixture
def notebook(handout: Path) -> nbformat.NotebookNode:
    return nbformat.read(handout / NOTEBOOK_NAME, as_version=4)


# The notebook as written -------------------------------------------------------------------


def test_every_function_has_its_cell_then_its_check_cell(notebook) -> None:
    """The stubs in course order, each defined in a cell of its own and checked by the next
    cell, `check("<function>")`, a cell the student cannot edit or delete; valid nbformat."""
    nbformat.validate(notebook)
    cells = notebook.cells
    defined = []
    for index, cell in enumerate(cells):
        if cell.cell_type != "code" or cell.metadata.get("nngrade"):
            continue
        tree = ast.parse(cell.source)
        names = [node.name for node in tree.body if isinstance(node, ast.FunctionDef)]
        contract = [name for name in names if name in FUNCTIONS]
        if not contract:
            continue
        assert contract == names == [cell.id.removeprefix("function-")]
        following = cells[index + 1]
        assert following.source == f'check("{names[0]}")'
        assert following.metadata["nngrade"] == CHECK_ROLE
        assert following.metadata["editable"] is False
        assert following.metadata["deletable"] is False
        defined.append(names[0])
    assert defined == FUNCTIONS
    assert cells[-1].source == "check()"
    setup = cells_by_id(notebook)["setup"]
    assert "from checks.notebook import Checks" in setup.source
    assert 'check = Checks(lang="en")' in setup.source
    assert setup.metadata["nngrade"] == CHECK_ROLE


def test_every_exercise_is_stated_before_its_functions(notebook) -> None:
    """Each exercise's title and statement (from its spec) come before its first function."""
    ids = [cell.id for cell in notebook.cells]
    cells = cells_by_id(notebook)
    for exercise in EXERCISES:
        statement = cells[f"exercise-{exercise.id}"]
        assert exercise.title["en"] in statement.source
        assert exercise.statement["en"] in statement.source
        first = ids.index(f"function-{exercise.functions[0]}")
        assert ids.index(f"exercise-{exercise.id}") < first
    for module in MODULES:
        assert f"## Module `{module}`" in cells[f"module-{module}"].source


def test_the_notebook_holds_no_answer_line(notebook) -> None:
    """No line of a fenced answer of solutions/ is in any cell."""
    answers = answer_lines()
    for cell in notebook.cells:
        for line in cell.source.splitlines():
            assert line.strip() not in answers, f"{cell.id} leaks {line.strip()!r}"


def test_a_french_release_writes_a_french_notebook(tmp_path: Path) -> None:
    """--lang fr: the title, the instructions and the statements in French, and checks that
    speak French."""
    handout = release(tmp_path / "fr", lang="fr")
    notebook = nbformat.read(handout / NOTEBOOK_NAME, as_version=4)
    cells = cells_by_id(notebook)
    assert cells["title"].source.startswith("# Réseaux de neurones en numpy")
    assert 'check = Checks(lang="fr")' in cells["setup"].source
    sigmoid = EXERCISES[0]
    assert sigmoid.statement["fr"] in cells[f"exercise-{sigmoid.id}"].source
    assert "## Module `activations`" in cells["module-activations"].source


def test_the_grader_leaves_the_check_cells_out(handout: Path, notebook) -> None:
    """Loaded for grading, the notebook has no set-up or check cell: nothing calls `check`
    or imports the public checks."""
    from grader.loading.notebook import notebook_code

    code = notebook_code("exercises.ipynb", nbformat.writes(notebook).encode()).code
    assert code is not None
    assert "checks.notebook" not in code and "check(" not in code
    for function in FUNCTIONS:
        assert f"def {function}(" in code


# Executed ----------------------------------------------------------------------------------


@pytest.mark.slow
def test_the_answer_key_passes_every_check_cell(handout: Path, notebook) -> None:
    answered = with_answers(notebook)
    execute(answered, handout)
    cells = cells_by_id(answered)
    for function in FUNCTIONS:
        assert status(cells[f"check-{function}"]) == "passed", shown(cells[f"check-{function}"])
    text, html = shown(cells["check-all"])
    summary = f"{len(FUNCTIONS)} of {len(FUNCTIONS)} functions pass the public checks"
    assert summary in text and summary in html


@pytest.mark.slow
def test_a_bug_shows_its_diagnosis_worst_entries_and_plot(handout: Path, notebook) -> None:
    """dW without 1/m: the check cell of linear_backward says what it looks like, lists the
    worst entries and draws them; what builds on it waits for it; the rest passes."""
    answered = with_answers(notebook)
    cells = cells_by_id(answered)
    cell = cells["function-linear_backward"]
    assert "dW = (dZ @ A_prev.T) / m" in cell.source
    cell.source = cell.source.replace("dW = (dZ @ A_prev.T) / m", "dW = dZ @ A_prev.T")
    execute(answered, handout)
    expected = json.loads((handout / "checks" / "expected.json").read_text(encoding="utf-8"))
    m = expected["cases"]["linear_backward"][0]["args"]["A_prev"]["shape"][1]
    text, html = shown(cells["check-linear_backward"])
    assert text.split()[0] == "FAILED"
    assert f"looks like: your dW is m = {m} times too large" in html
    assert "worst entries:" in html and html.count("<li><code>[") == 3
    assert "<svg" in html and "dW: each entry, yours against the expected value" in html
    for waiting in ("linear_activation_backward", "model_backward", "train"):
        assert status(cells[f"check-{waiting}"]) == "waiting"
        assert "it uses linear_backward" in shown(cells[f"check-{waiting}"])[1]
    for passing in ("sigmoid", "linear_forward", "model_forward", "predict"):
        assert status(cells[f"check-{passing}"]) == "passed"


@pytest.mark.slow
def test_a_wrong_activation_is_drawn_against_the_expected_curve(handout: Path, notebook) -> None:
    answered = with_answers(notebook)
    cell = cells_by_id(answered)["function-tanh"]
    cell.source = cell.source.replace("return np.tanh(Z)", "return 1.2 * np.tanh(Z)")
    execute(answered, handout)
    text, html = shown(cells_by_id(answered)["check-tanh"])
    assert text.split()[0] == "FAILED"
    assert "tanh: yours and expected, over z in [-5, 5]" in html
    assert html.count("<path") >= 3  # the expected curve, the student's, its dots


@pytest.mark.slow
def test_a_loop_is_stopped_and_the_notebook_goes_on(handout: Path, notebook) -> None:
    """`while True: pass` in tanh: its check cell says so after 2 s, with the line of its
    cell; the cells after it run, and the functions built on tanh wait for it without
    another 2 s each."""
    answered = with_answers(notebook)
    cells = cells_by_id(answered)
    source = cells["function-tanh"].source
    assert "    return np.tanh(Z)" in source
    cells["function-tanh"].source = source.replace(
        "    return np.tanh(Z)", "    while True:\n        pass"
    )
    line = cells["function-tanh"].source.splitlines().index("    while True:") + 1
    started = time.perf_counter()
    execute(answered, handout)
    elapsed = time.perf_counter() - started
    _, html = shown(cells["check-tanh"])
    assert (
        "`tanh` did not return within 2 s: look for a loop that never ends "
        f"(in `tanh`, line {line} of its cell)." in html
    )
    dependents = [name for name in FUNCTIONS if "tanh" in _built_on(name)]
    assert len(dependents) >= 5
    for name in dependents:
        assert status(cells[f"check-{name}"]) == "waiting", name
    assert status(cells["check-saturated_fraction"]) == "passed"
    # About one deadline in all (a kernel start, the checks, 2 s), not one per dependent.
    assert elapsed < 2.0 * len(dependents)


def _built_on(function: str) -> set[str]:
    found: set[str] = set()
    pending = list(depends_on(function))
    while pending:
        name = pending.pop()
        if name not in found:
            found.add(name)
            pending.extend(depends_on(name))
    return found


@pytest.mark.slow
def test_the_filled_notebook_is_graded_in_full(handout: Path, notebook, tmp_path: Path) -> None:
    """Handed in, the notebook with the answers gets every point, with no load problem:
    the grader runs the student's cells and none of the handout's check cells."""
    from grader.engine import grade_submission

    submission = tmp_path / "submission" / "alice.ipynb"
    submission.parent.mkdir()
    nbformat.write(with_answers(notebook), submission)
    shutil.rmtree(handout)  # nothing of the handout beside it
    document = grade_submission(submission)
    assert document["status"] == "graded"
    assert document["score"] == document["max_score"]
    assert document["submission"]["problems"] == []


# The check function without a kernel -------------------------------------------------------

SCRIPT = '''
import sys
sys.path.insert(0, ".")
import numpy as np
from checks.notebook import Checks

SCALE = 1.0


def _positive_part(Z):
    return np.where(Z > 0, Z, 0.0) * SCALE


def relu(Z):
    return _positive_part(Z)


def make_backward(threshold):
    def relu_backward(dA, Z, threshold=threshold):
        return dA * (Z > threshold)
    return relu_backward


relu_backward = make_backward(0.0)
square = lambda x: x * x
log = open(__file__)  # cannot travel to the worker: left behind


def sigmoid(Z):
    """Not written yet."""
    raise NotImplementedError("sigmoid is not implemented yet.")


if __name__ == "__main__":
    check = Checks(lang="en")
    for name in sys.argv[1:]:
        print(repr(check(name)))
        print("---")
'''


def run_script(handout: Path, *functions: str, body: str = SCRIPT):
    """The script above, from a file in the handout, checking `functions` one by one."""
    from .conftest import _SITE_DIRS, isolated_python

    (handout / "student_script.py").write_text(body, encoding="utf-8")
    code = f"import runpy, sys\nsys.path.extend({_SITE_DIRS!r})\n" + (
        "sys.argv = ['student_script.py', *sys.argv[1:]]\n"
        "runpy.run_path('student_script.py', run_name='__main__')\n"
    )
    return isolated_python(code, *functions, cwd=handout)


def test_functions_travel_with_their_helpers_closures_and_defaults(handout: Path) -> None:
    """relu calls a helper and a global; relu_backward is a closure with a default: both are
    checked as the notebook would run them; an untouched stub is "not started"; a value
    that cannot travel (an open file) does not stop the others."""
    completed = run_script(handout, "relu", "relu_backward", "sigmoid")
    assert completed.returncode == 0, completed.stderr
    verdicts = completed.stdout.split("---\n")
    assert verdicts[0].split()[:2] == ["passed", "relu"]
    assert verdicts[1].split()[:2] == ["passed", "relu_backward"]
    assert verdicts[2].split()[:3] == ["not", "started", "sigmoid"]


def test_only_what_the_functions_use_travels_to_the_worker(handout: Path) -> None:
    """A dataset no function uses stays in the kernel; the globals and modules a function
    uses travel, and so do those of the functions a table holds (the table carries the
    functions themselves)."""
    body = (
        SCRIPT.replace(
            "log = open(__file__)",
            "log = open(__file__)\nDATASET = np.zeros((300, 300))\nTABLE = {'relu': (relu, square)}"
            "\ndef uses_table(Z):\n    return TABLE['relu'][1](Z)",
        )
        .replace(
            'check = Checks(lang="en")',
            "from checks.namespace import pack\n    print(sorted(pack(globals(), ['uses_table'])))",
        )
        .replace("for name in sys.argv[1:]:", "for name in []:")
    )
    completed = run_script(handout, body=body)
    assert completed.returncode == 0, completed.stderr
    assert completed.stdout.strip() == str(
        sorted(["uses_table", "TABLE", "_positive_part", "np", "SCALE"])
    )


def test_an_unknown_function_is_refused_with_the_known_ones(handout: Path) -> None:
    completed = run_script(handout, "sigmod")
    assert completed.returncode == 1
    assert "ValueError: There is no function 'sigmod' in the checks; they know: sigmoid, " in (
        completed.stderr
    )


def test_a_function_that_is_not_defined_says_which_cell_to_run(handout: Path) -> None:
    completed = run_script(handout, "tanh")
    assert completed.returncode == 0, completed.stderr
    assert "FAILED       tanh" in completed.stdout
    assert (
        "`tanh` is not defined: run the cell that defines it, then this check again."
        in completed.stdout
    )


def test_the_verdict_escapes_what_the_student_wrote(handout: Path) -> None:
    """An exception message with markup reaches the notebook as text, never as HTML."""
    body = SCRIPT.replace(
        "    return _positive_part(Z)",
        "    raise ValueError('<img src=x onerror=alert(1)><script>alert(2)</script>')",
    ).replace("print(repr(check(name)))", "print(check(name)._repr_html_())")
    completed = run_script(handout, "relu", body=body)
    assert completed.returncode == 0, completed.stderr
    assert "<script>" not in completed.stdout and "<img" not in completed.stdout
    assert "&lt;script&gt;alert(2)&lt;/script&gt;" in completed.stdout


@pytest.mark.skipif(not Path("/proc").is_dir(), reason="signals a POSIX process")
def test_interrupting_a_check_returns_what_was_checked(handout: Path) -> None:
    """The kernel's interrupt (SIGINT) while a check waits on a loop: the check returns a
    verdict that says it was interrupted, with no traceback, and its worker is ended."""
    import os
    import signal
    import subprocess

    from .conftest import _SITE_DIRS, ISOLATED_ENV, isolated_command

    body = SCRIPT.replace("    return _positive_part(Z)", "    while True:\n        pass").replace(
        'Checks(lang="en")', 'Checks(lang="en", call_timeout=60)'
    )
    (handout / "student_script.py").write_text(body, encoding="utf-8")
    code = (
        f"import runpy, sys\nsys.path.extend({_SITE_DIRS!r})\n"
        "sys.argv = ['student_script.py', 'relu']\n"
        "runpy.run_path('student_script.py', run_name='__main__')\n"
    )
    with subprocess.Popen(
        isolated_command(code),
        cwd=handout,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env=ISOLATED_ENV,
    ) as process:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:  # until the worker runs relu's loop
            if any(_busy_child(pid, process.pid) for pid in os.listdir("/proc") if pid.isdigit()):
                break
            time.sleep(0.1)
        time.sleep(1.0)
        process.send_signal(signal.SIGINT)
        out, errors = process.communicate(timeout=30)
    assert process.returncode == 0, errors.decode()
    assert "Traceback" not in errors.decode()
    assert (
        "The check was interrupted after 0 of 1 functions; run the cell again to check the "
        "others." in out.decode()
    )


def _busy_child(pid: str, parent: int) -> bool:
    """`pid` is a child of `parent` that uses CPU (the worker in the student's loop)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return False
    return int(fields[1]) == parent and fields[0] == "R"
