"""Code as students keep it: notebooks with failing imports and test cells, caches that hold
themselves, np.matrix values. Correct work keeps its points; what failed is said once."""

from __future__ import annotations

import json
from pathlib import Path

import nbformat
import pytest

from grader.catalog import MODULES
from grader.engine import SuiteRunner, dumps, grade_submission, with_hidden_suites
from grader.sandbox import Sandbox, SandboxLimits

ROOT = Path(__file__).resolve().parents[2]
NOTEBOOK = ROOT / "examples" / "class" / "dan_notebook.ipynb"
LIMITS = SandboxLimits(wall_seconds_per_call=2.0)

# What real notebooks hold beside the answers: course modules that are not in the
# sandbox, Colab calls, and test cells that call helpers the course gave them.
NOISE = [
    "import h5py\nfrom dnn_utils import sigmoid_backward as course_sigmoid_backward",
    "from google.colab import drive\ndrive.mount('/content/drive')",
    "train_x, train_y = load_data()\nprint(train_x.shape)",
    "linear_forward_test_case()\nassert False, 'the course test case failed'",
]


@pytest.fixture(scope="module")
def sandbox() -> Sandbox:
    with Sandbox(LIMITS) as box:
        yield box


def _noisy_notebook(folder: Path) -> Path:
    notebook = nbformat.read(NOTEBOOK, as_version=4)
    cells = list(notebook.cells)
    noisy = [nbformat.v4.new_code_cell(NOISE[0])]
    for index, cell in enumerate(cells):
        noisy.append(cell)
        if index == 1:
            noisy.append(nbformat.v4.new_code_cell(NOISE[1]))
            noisy.append(nbformat.v4.new_code_cell(NOISE[2]))
    noisy.append(nbformat.v4.new_code_cell(NOISE[3]))
    notebook.cells = noisy
    target = folder / "noisy.ipynb"
    nbformat.write(notebook, target)
    return target


def test_a_notebook_with_failing_imports_and_test_cells_keeps_its_points(
    sandbox: Sandbox, tmp_path: Path
) -> None:
    clean = grade_submission(NOTEBOOK, sandbox=sandbox)
    noisy = grade_submission(_noisy_notebook(tmp_path), sandbox=sandbox)
    assert clean["score"] == clean["max_score"]
    assert noisy["score"] == clean["score"]
    messages = [p["message"] for p in noisy["submission"]["problems"]]
    assert any(m.startswith("your notebook, code cell 1, line 1: `import h5py`") for m in messages)
    assert any("`from google.colab import drive`" in m for m in messages)
    assert any("`linear_forward_test_case()`" in m and "NameError" in m for m in messages)
    # Each failing line once, and no function reported missing.
    assert len(messages) == len(set(messages))
    text = json.dumps(noisy)
    assert "does not define" not in text and "missing_function" not in text


def test_a_cache_that_holds_itself_and_a_matrix_db_are_graded_as_values(
    sandbox: Sandbox, tmp_path: Path
) -> None:
    folder = tmp_path / "real"
    folder.mkdir()
    for module in MODULES:
        (folder / f"{module}.py").write_text((ROOT / "solutions" / f"{module}.py").read_text())
    network = (folder / "network.py").read_text()
    for before, after in (
        # linear_forward keeps a reference to its own cache, and linear_backward reads the
        # first three entries; db goes through np.matrix, as in real code.
        ("    cache = (A_prev, W, b)  #", "    cache = [A_prev, W, b]\n    cache.append(cache)  #"),
        ("    A_prev, W, _ = cast(LinearCache, cache)\n", "    A_prev, W, _ = cache[:3]\n"),
        (
            "    db = np.sum(dZ, axis=1, keepdims=True) / m  #",
            "    db = np.sum(np.matrix(dZ), axis=1) / m  #",
        ),
    ):
        assert network.count(before) == 1, before
        network = network.replace(before, after)
    (folder / "network.py").write_text(network)
    document = grade_submission(folder, sandbox=sandbox)
    # Every function returns the right values; only `train`, whose own loop then computes
    # with np.matrix semantics, may fail its own tests.
    failed = [
        (t["id"], t["message"])
        for e in document["exercises"]
        for t in e["tests"]
        if t["outcome"] != "passed" and "train" not in t["functions"]
    ]
    assert failed == []
    notes = [p for p in document["submission"]["problems"] if p["code"] == "ndarray_subclass"]
    assert len(notes) >= 1 and "matrix" in notes[0]["message"]


def test_the_sample_class_gets_the_same_documents_with_or_without_pytests_protocol(
    sandbox: Sandbox,
) -> None:
    """The shipped suites are called directly (`grader.engine.runner`); every student of
    the bundled class, whatever their code does, is graded exactly as through pytest."""
    submissions = sorted((ROOT / "examples" / "class").iterdir())

    def grade_all(runner: SuiteRunner) -> tuple[bool, list[str]]:
        documents = [grade_submission(path, sandbox=sandbox, runner=runner) for path in submissions]
        return runner.direct, [
            dumps({k: v for k, v in d.items() if k != "timing"}) for d in documents
        ]

    called, direct = with_hidden_suites(grade_all)
    through, protocol = with_hidden_suites(grade_all, protocol=True)
    assert (called, through) == (True, False)
    assert direct == protocol
    assert len(set(direct)) == len(submissions)
