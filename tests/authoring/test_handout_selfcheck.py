"""The handout runs on its own, in a Python where the project is not importable."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from grader.catalog import all_functions

from .conftest import SOLUTIONS, copy_solutions, isolated_python, status_lines

FUNCTIONS = list(all_functions())

# (file, answer line, planted bug): one classic mistake each.
PLANTED_BUGS = {
    "sigmoid_backward": (
        "activations.py",
        "s = sigmoid(Z)  # the derivative is written with σ(Z), not with Z",
        "s = Z",
    ),
    "relu_backward": ("activations.py", "dZ = dA * (Z > 0)", "dZ = (Z > 0) * 1.0"),
    "softmax": (
        "activations.py",
        "shifted = Z - np.max(Z, axis=0, keepdims=True)  # every exponent is now <= 0",
        "shifted = Z",
    ),
    "linear_backward": ("network.py", "dW = (dZ @ A_prev.T) / m", "dW = dZ @ A_prev.T"),
    "linear_backward (db without keepdims)": (
        "network.py",
        "db = np.sum(dZ, axis=1, keepdims=True) / m",
        "db = np.sum(dZ, axis=1) / m",
    ),
}


def test_the_isolated_python_has_numpy_and_pytest_but_not_the_project(handout: Path) -> None:
    """The environment of these tests really lacks grader, reference and solutions."""
    code = (
        "import sys\nsys.path.extend({dirs})\nimport numpy, pytest\n"
        "for name in ('grader', 'reference', 'solutions'):\n"
        "    try:\n        __import__(name)\n    except ImportError:\n        continue\n"
        "    sys.exit(name + ' is importable')\n"
    )
    import numpy

    dirs = repr([str(Path(numpy.__file__).parents[1])])
    completed = isolated_python(code.format(dirs=dirs), cwd=handout)
    assert completed.returncode == 0, completed.stderr + completed.stdout


def test_untouched_stubs_are_all_not_started(handout: Path, run_selfcheck) -> None:
    """Every function is "not started", no traceback, an honest summary, exit 1."""
    completed = run_selfcheck(handout)
    assert completed.returncode == 1
    assert "Traceback" not in completed.stdout + completed.stderr
    assert status_lines(completed.stdout) == dict.fromkeys(FUNCTIONS, "not started")
    assert (
        f"0 of {len(FUNCTIONS)} functions pass the public checks; hidden checks run at grading."
        in completed.stdout
    )


def test_the_answer_key_passes_quickly(handout: Path, run_selfcheck) -> None:
    """With solutions/ over exercises/, every function passes and the exit status is 0."""
    copy_solutions(handout)
    started = time.perf_counter()
    completed = run_selfcheck(handout)
    elapsed = time.perf_counter() - started
    assert completed.returncode == 0, completed.stdout + completed.stderr
    assert status_lines(completed.stdout) == dict.fromkeys(FUNCTIONS, "passed")
    assert "all tests passed" not in completed.stdout.lower()
    assert elapsed < 5.0  # about 0.3 s on a laptop; loose for a busy CI machine


@pytest.mark.parametrize("bug", PLANTED_BUGS)
def test_a_planted_bug_fails_exactly_its_function(handout: Path, run_selfcheck, bug: str) -> None:
    """Only the buggy function fails; the functions built on it wait for it, naming it."""
    file, answer, mistake = PLANTED_BUGS[bug]
    function = bug.split()[0]
    copy_solutions(handout)
    target = handout / "exercises" / file
    source = target.read_text(encoding="utf-8")
    assert answer in source
    target.write_text(source.replace(answer, mistake), encoding="utf-8")

    completed = run_selfcheck(handout)
    assert completed.returncode == 1
    statuses = status_lines(completed.stdout)
    assert statuses.pop(function) == "FAILED", completed.stdout
    assert set(statuses.values()) <= {"passed", "waiting"}, completed.stdout
    for line in completed.stdout.splitlines():
        if line.strip().startswith("it uses"):
            assert f"it uses {function}," in line, line
    assert f"call: {function}(" in completed.stdout


def test_softmax_without_max_fails_on_the_stability_input(handout: Path, run_selfcheck) -> None:
    """The message shows the stability case and the NaN entries that came back."""
    copy_solutions(handout)
    file, answer, mistake = PLANTED_BUGS["softmax"]
    target = handout / "exercises" / file
    target.write_text(target.read_text(encoding="utf-8").replace(answer, mistake), "utf-8")
    output = run_selfcheck(handout).stdout
    assert "case: Z = [[1000], [5000], [6000]]" in output
    assert "numerical-stability test" in output
    assert "[2, 0]: expected 1, got nan" in output
    assert "hint: Softmax works per column" in output


def test_a_syntax_error_names_the_file_and_line(handout: Path, run_selfcheck) -> None:
    """A broken module is reported with its file and line, never as a traceback."""
    copy_solutions(handout)
    losses = handout / "exercises" / "losses.py"
    lines = losses.read_text(encoding="utf-8").splitlines()
    number = lines.index("    return -Y / AL") + 1
    lines[number - 1] = "    return -Y / AL)"
    losses.write_text("\n".join(lines) + "\n", encoding="utf-8")
    completed = run_selfcheck(handout)
    assert completed.returncode == 1
    assert "Traceback" not in completed.stdout + completed.stderr
    assert f"exercises/losses.py, line {number}: SyntaxError" in completed.stdout
    assert status_lines(completed.stdout)["sigmoid"] == "passed"


def test_french_report_from_option_and_from_locale(handout: Path, run_selfcheck) -> None:
    """--lang fr, or LANG=fr_FR.UTF-8 without the option, gives a French report."""
    by_option = run_selfcheck(handout, "--lang", "fr").stdout
    by_locale = run_selfcheck(handout, env={"PATH": "/usr/bin:/bin", "LANG": "fr_FR.UTF-8"}).stdout
    for output in (by_option, by_locale):
        assert "pas commencée  sigmoid" in output
        assert "0 fonctions sur 25 passent les vérifications publiques" in output


@pytest.mark.slow
def test_plain_pytest_runs_the_same_checks(handout: Path, run_pytest) -> None:
    """`pytest` from the handout root: one test per function, failing with the report text."""
    stubs = run_pytest(handout, "-q")
    assert stubs.returncode == 1
    assert f"{len(FUNCTIONS)} failed" in stubs.stdout
    assert "not started" in stubs.stdout
    copy_solutions(handout)
    answers = run_pytest(handout, "-q")
    assert answers.returncode == 0, answers.stdout
    assert f"{len(FUNCTIONS)} passed" in answers.stdout


def test_solutions_folder_is_the_one_copied(handout: Path) -> None:
    """The helper really copies the answer key (guards the tests above)."""
    copy_solutions(handout)
    assert (handout / "exercises" / "network.py").read_text() == (
        SOLUTIONS / "network.py"
    ).read_text()
