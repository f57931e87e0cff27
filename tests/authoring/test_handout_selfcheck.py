"""The handout runs on its own, in a Python where the project is not importable."""

from __future__ import annotations

import json
import re
import subprocess
import time
from pathlib import Path

import pytest

from grader.catalog import all_functions

from .conftest import (
    ISOLATED_ENV,
    SOLUTIONS,
    copy_solutions,
    isolated_python,
    selfcheck_command,
    status_lines,
)

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
    "initialize_parameters (no biases)": (
        "network.py",
        'parameters[f"b{l}"] = np.zeros((n_l, 1))',
        "pass",
    ),
}


def plant(handout: Path, bug: str) -> None:
    """The answer key over the handout's stubs, with the planted bug `bug` in it."""
    file, answer, mistake = PLANTED_BUGS[bug]
    copy_solutions(handout)
    target = handout / "exercises" / file
    source = target.read_text(encoding="utf-8")
    assert answer in source
    target.write_text(source.replace(answer, mistake), encoding="utf-8")


def first_case(handout: Path, function: str) -> dict:
    """The first public case of `function`, as stored in the handout (arrays still encoded)."""
    expected = json.loads((handout / "checks" / "expected.json").read_text(encoding="utf-8"))
    return expected["cases"][function][0]


def diagnosis_lines(output: str, label: str) -> list[str]:
    """The report lines that start with the diagnosis label, e.g. "looks like: "."""
    return [line.strip() for line in output.splitlines() if line.strip().startswith(label)]


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
    function = bug.split()[0]
    plant(handout, bug)
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
    plant(handout, "softmax")
    output = run_selfcheck(handout).stdout
    assert "case: Z = [[1000], [5000], [6000]]" in output
    assert "numerical-stability test" in output
    assert "[2, 0]: expected 1, got nan" in output
    assert "hint: Softmax works per column" in output


def test_missing_one_over_m_is_diagnosed_in_both_languages(handout: Path, run_selfcheck) -> None:
    """dW m times too large: a line of its own names the missing 1/m, with m, in en and fr."""
    plant(handout, "linear_backward")
    m = first_case(handout, "linear_backward")["args"]["A_prev"]["shape"][1]
    english = diagnosis_lines(run_selfcheck(handout).stdout, "looks like: ")
    french = diagnosis_lines(run_selfcheck(handout, "--lang", "fr").stdout, "ressemble à : ")
    assert len(english) == 1 and len(french) == 1, (english, french)
    assert english[0].startswith(f"looks like: your dW is m = {m} times too large")
    assert "1/m factor is missing" in english[0]
    assert french[0].startswith(f"ressemble à : votre dW est m = {m} fois trop grand")
    assert "1/m manque" in french[0]


def test_db_without_keepdims_is_diagnosed(handout: Path, run_selfcheck) -> None:
    """db of shape (n,) instead of (n, 1): the diagnosis points at keepdims=True."""
    plant(handout, "linear_backward (db without keepdims)")
    n = first_case(handout, "linear_backward")["expected"]["db"]["shape"][0]
    lines = diagnosis_lines(run_selfcheck(handout).stdout, "looks like: ")
    assert len(lines) == 1, lines
    assert lines[0].startswith(f"looks like: your db has shape ({n},) instead of ({n}, 1)")
    assert "keepdims=True" in lines[0]


def test_a_dictionary_without_a_key_names_the_key_in_both_languages(
    handout: Path, run_selfcheck
) -> None:
    """initialize_parameters without biases: the missing key and the keys it has are named
    (building that sentence once crashed the self-check: its field was called `key`)."""
    plant(handout, "initialize_parameters (no biases)")
    english = run_selfcheck(handout)
    french = run_selfcheck(handout, "--lang", "fr")
    assert "Traceback" not in english.stdout + english.stderr + french.stdout + french.stderr
    assert status_lines(english.stdout)["initialize_parameters"] == "FAILED"
    assert "the dictionary it returned has no key 'b1' (it has: W1, W2)." in english.stdout
    assert "le dictionnaire renvoyé n'a pas de clé 'b1' (il a : W1, W2)." in french.stdout


def test_relu_backward_without_dA_is_diagnosed(handout: Path, run_selfcheck) -> None:
    """The local derivative alone: the diagnosis says to multiply by dA."""
    plant(handout, "relu_backward")
    lines = diagnosis_lines(run_selfcheck(handout).stdout, "looks like: ")
    assert len(lines) == 1, lines
    assert lines[0].startswith("looks like: your dZ is the local derivative only")
    assert "dA" in lines[0]


def test_a_function_waiting_for_two_others_names_both(handout: Path, run_selfcheck) -> None:
    """softmax and categorical_cross_entropy both wrong: softmax_cross_entropy_backward, built
    on both, waits for the two in one sentence (plural), in English and in French."""
    plant(handout, "softmax")
    losses = handout / "exercises" / "losses.py"
    source = losses.read_text(encoding="utf-8")
    start = source.index("def categorical_cross_entropy(")
    mean = "return float(np.sum(per_example) / m)"
    at = source.index(mean, start)
    losses.write_text(source[:at] + mean.replace(" / m", "") + source[at + len(mean) :])
    english, french = run_selfcheck(handout), run_selfcheck(handout, "--lang", "fr")
    assert "Traceback" not in english.stdout + english.stderr + french.stdout + french.stderr
    assert status_lines(english.stdout)["softmax_cross_entropy_backward"] == "waiting"
    assert (
        "it uses softmax, categorical_cross_entropy, which do not pass yet: fix them first"
        in english.stdout
    )
    assert (
        "elle utilise softmax, categorical_cross_entropy, qui ne passent pas encore : "
        "corrigez-les d'abord" in french.stdout
    )


def test_a_french_report_has_no_english_label(handout: Path, run_selfcheck) -> None:
    """With --lang fr every label, status and sentence of a failure is French."""
    plant(handout, "linear_backward")
    output = run_selfcheck(handout, "--lang", "fr").stdout
    for french in ("ÉCHOUÉE", "appel : ", "cas : ", "problème : ", "pires écarts :", "indice : "):
        assert french in output
    for english in ("FAILED", "passed", "call:", "case:", "problem:", "expected", "got", "hint:"):
        assert english not in output, english


def test_a_bug_without_a_known_pattern_gets_no_diagnosis(handout: Path, run_selfcheck) -> None:
    """sigmoid_backward computed from Z matches no pattern: no "looks like" line is made up."""
    plant(handout, "sigmoid_backward")
    output = run_selfcheck(handout).stdout
    assert status_lines(output)["sigmoid_backward"] == "FAILED"
    assert diagnosis_lines(output, "looks like") == []


@pytest.mark.parametrize(
    ("answers", "status"), [(False, 1), (True, 0)], ids=["stubs", "answer key"]
)
def test_a_reader_that_stops_early_gets_no_traceback(
    handout: Path, answers: bool, status: int
) -> None:
    """`python selfcheck.py | head -3`: the usual exit status, nothing on stderr."""
    if answers:
        copy_solutions(handout)
    with subprocess.Popen(
        selfcheck_command(),
        cwd=handout,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env=ISOLATED_ENV,
    ) as process:
        assert process.stdout is not None and process.stderr is not None
        # The reader is gone long before the report is written (the checks take ~0.2 s).
        process.stdout.close()
        errors = process.stderr.read().decode()
        assert process.wait(timeout=60) == status
    assert errors == ""


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
        assert f"0 fonctions sur {len(FUNCTIONS)} passent les vérifications publiques" in output


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


def test_plain_pytest_failure_carries_the_diagnosis(handout: Path, run_pytest) -> None:
    """The pytest failure message of linear_backward has the same "looks like" line."""
    plant(handout, "linear_backward")
    completed = run_pytest(handout, "-q", "-k", "linear_backward")
    assert completed.returncode == 1, completed.stdout
    assert "1 failed" in completed.stdout
    lines = diagnosis_lines(completed.stdout, "looks like: ")
    assert len(lines) == 1, completed.stdout
    assert lines[0].startswith("looks like: your dW is m = ")


def test_solutions_folder_is_the_one_copied(handout: Path) -> None:
    """The helper really copies the answer key (guards the tests above)."""
    copy_solutions(handout)
    assert (handout / "exercises" / "network.py").read_text() == (
        SOLUTIONS / "network.py"
    ).read_text()


def test_help_and_usage_errors_speak_the_students_language(handout: Path, run_selfcheck) -> None:
    """--help, argparse's own words included, and a bad option, in French with --lang fr;
    the exit statuses are in the help."""
    english = run_selfcheck(handout, "--help")
    assert english.returncode == 0
    assert "Exit status: 0 when every function passes, 1 otherwise, 130 when stopped" in (
        " ".join(english.stdout.split())
    )
    french = run_selfcheck(handout, "--lang", "fr", "--help")
    text = " ".join(french.stdout.split())
    for words in (
        "usage : python selfcheck.py",
        "options :",
        "affiche cette aide et quitte",
        "Code de sortie : 0 quand toutes les fonctions passent",
    ):
        assert words in text, words
    wrong = run_selfcheck(handout, "--lang=fr", "--call-timeout", "bientôt")
    assert wrong.returncode == 2
    assert (
        "python selfcheck.py : erreur : --call-timeout bientôt : donnez un nombre de secondes "
        "supérieur à 0, par exemple 5." in wrong.stderr
    )
    unknown = run_selfcheck(handout, "--lang", "de")
    assert unknown.returncode == 2
    assert "--lang de: choose one of en, fr." in unknown.stderr


def test_values_are_described_in_french(handout: Path, run_selfcheck) -> None:
    """A list where an array was expected: the value and the sentence are French."""
    copy_solutions(handout)
    activations = handout / "exercises" / "activations.py"
    source = activations.read_text(encoding="utf-8")
    answer = "    return np.maximum(0.0, Z)\n"
    assert answer in source
    activations.write_text(source.replace(answer, "    return list(Z)\n", 1), encoding="utf-8")
    output = run_selfcheck(handout, "--lang", "fr").stdout
    assert (
        "problème : elle a renvoyé liste de 4 ; attendu : un tableau de forme (4, 3), float64."
        in output
    )
    english = run_selfcheck(handout).stdout
    assert "problem: it returned list of 4 where an array of shape (4, 3), float64 was" in english


def test_a_french_self_check_writes_numbers_with_a_decimal_comma(
    handout: Path, run_selfcheck
) -> None:
    """A wrong cost in French: both values read as a French reader writes them, with
    enough digits to tell them apart; in English, with a decimal point."""
    copy_solutions(handout)
    losses = handout / "exercises" / "losses.py"
    source = losses.read_text(encoding="utf-8")
    answer = "    return float(np.sum(per_example) / m)\n"
    assert answer in source
    losses.write_text(
        source.replace(answer, "    return float(np.sum(per_example) / m) * 1.5\n", 1),
        encoding="utf-8",
    )
    french = run_selfcheck(handout, "--lang", "fr").stdout
    found = re.search(r"vaut (\S+) ; la valeur attendue est (\S+)\.\n", french)
    assert found is not None, french
    got, expected = (float(text.replace(",", ".")) for text in found.groups())
    assert "," in found.group(1) and "," in found.group(2)
    assert "." not in found.group(1) + found.group(2)
    assert got == pytest.approx(1.5 * expected, rel=1e-6)
    english = run_selfcheck(handout).stdout
    assert re.search(r"is \d+\.\d{6,}; the expected value is \d+\.\d{6,}\.", english), english
