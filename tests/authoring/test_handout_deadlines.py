"""The self-check never hangs: every call under a deadline, in a child process; Ctrl-C.

Each test releases the handout, writes the answer key over the stubs, plants a function
that never returns (or exits, or crashes Python) and runs the self-check as a student
does, in a Python where only numpy and pytest are installed.
"""

from __future__ import annotations

import os
import select
import signal
import subprocess
import textwrap
import time
from pathlib import Path

import pytest

from grader.catalog import all_functions, depends_on

from .conftest import ISOLATED_ENV, copy_solutions, isolated_python, selfcheck_command, status_lines

FUNCTIONS = list(all_functions())
TANH_ANSWER = "    return np.tanh(Z)\n"


def loop_in_tanh(handout: Path, loop: str = "while True:\n        pass") -> int:
    """The answer key with `loop` as tanh's body; the loop's first line number."""
    copy_solutions(handout)
    activations = handout / "exercises" / "activations.py"
    source = activations.read_text(encoding="utf-8")
    assert TANH_ANSWER in source
    before = source[: source.index(TANH_ANSWER)]
    activations.write_text(source.replace(TANH_ANSWER, f"    {loop}\n", 1), encoding="utf-8")
    return before.count("\n") + 1


def built_on(function: str) -> set[str]:
    """Every function that calls `function`, directly or not."""
    found: set[str] = set()
    changed = True
    while changed:
        changed = False
        for name in FUNCTIONS:
            if name not in found and ({function} | found) & set(depends_on(name)):
                found.add(name)
                changed = True
    return found


def test_a_loop_in_tanh_is_stopped_and_named_with_its_line(handout: Path, run_selfcheck) -> None:
    """`while True: pass` in tanh: tanh fails after 2 s naming the line of the loop, what
    builds on tanh waits for it (without being run), every other function passes."""
    line = loop_in_tanh(handout)
    started = time.perf_counter()
    completed = run_selfcheck(handout)
    elapsed = time.perf_counter() - started
    assert completed.returncode == 1
    assert "Traceback" not in completed.stdout + completed.stderr
    assert (
        "problem: `tanh` did not return within 2 s: look for a loop that never ends "
        f"(at exercises/activations.py, line {line})." in completed.stdout
    )
    statuses = status_lines(completed.stdout)
    dependents = built_on("tanh")
    assert statuses.pop("tanh") == "FAILED"
    assert {name: statuses.pop(name) for name in dependents} == dict.fromkeys(dependents, "waiting")
    assert set(statuses.values()) == {"passed"}
    assert completed.stdout.count("it uses tanh, which does not pass yet") == len(dependents)
    # One deadline, not one per function built on tanh (each would wait 2 s more).
    assert elapsed < 2.0 + 20.0


def test_the_deadline_is_an_option_and_speaks_french(handout: Path, run_selfcheck) -> None:
    """--call-timeout 0.5 --lang fr: the sentence gives that deadline, in French."""
    line = loop_in_tanh(handout)
    completed = run_selfcheck(handout, "--lang", "fr", "--call-timeout", "0.5")
    assert completed.returncode == 1
    assert (
        "`tanh` n'a pas rendu la main en 0,5 s : cherchez une boucle qui ne se termine "
        f"jamais (exercises/activations.py, ligne {line})." in completed.stdout
    )


@pytest.mark.parametrize("value", ["0", "-1", "soon", "inf"])
def test_a_deadline_that_is_no_duration_is_refused(handout: Path, run_selfcheck, value) -> None:
    """The option's error names the value and says what to give, with the usual status 2."""
    completed = run_selfcheck(handout, f"--call-timeout={value}")
    assert completed.returncode == 2
    assert (
        f"--call-timeout {value}: give a number of seconds greater than 0, e.g. 5."
        in completed.stderr
    )
    assert "Traceback" not in completed.stderr


def test_a_loop_that_ignores_the_interruption_ends_the_worker(handout: Path, run_selfcheck) -> None:
    """A loop the worker cannot interrupt (the student's code ignores the signal it is
    sent) is ended with its process; a new one checks the functions after it."""
    loop_in_tanh(
        handout,
        "import signal\n    signal.signal(signal.SIGUSR1, signal.SIG_IGN)\n"
        "    while True:\n        pass",
    )
    completed = run_selfcheck(handout, "--call-timeout", "0.5")
    assert completed.returncode == 1
    assert "Traceback" not in completed.stdout + completed.stderr
    assert (
        "problem: `tanh` did not return within 0.5 s: look for a loop that never ends.\n"
        in completed.stdout
    )
    statuses = status_lines(completed.stdout)
    assert statuses.pop("tanh") == "FAILED"
    dependents = built_on("tanh")
    assert {name: statuses.pop(name) for name in dependents} == dict.fromkeys(dependents, "waiting")
    assert set(statuses.values()) == {"passed"}


def test_exit_and_a_crash_of_python_are_reported(handout: Path, run_selfcheck) -> None:
    """sys.exit() in relu is a failure of relu; os._exit(3) in leaky_relu ends the worker,
    which the report says, and the functions after it are still checked."""
    copy_solutions(handout)
    activations = handout / "exercises" / "activations.py"
    source = activations.read_text(encoding="utf-8")
    exits = "    import sys\n    sys.exit(4)\n"
    source = source.replace("    return np.maximum(0.0, Z)\n", exits, 1)
    source = source.replace(
        "    return np.where(Z > 0, Z, alpha * Z)\n", "    import os\n    os._exit(3)\n", 1
    )
    activations.write_text(source, encoding="utf-8")
    completed = run_selfcheck(handout)
    assert "Traceback" not in completed.stdout + completed.stderr
    assert "problem: it called exit() (SystemExit: 4) (at exercises/activations.py, line" in (
        completed.stdout
    )
    assert (
        "problem: the process running your code stopped while in `leaky_relu` (exit status 3)"
        in completed.stdout
    )
    statuses = status_lines(completed.stdout)
    assert statuses["relu"] == statuses["leaky_relu"] == "FAILED"
    assert statuses["softmax"] == statuses["saturated_fraction"] == "passed"


def test_a_module_whose_top_level_never_ends(handout: Path) -> None:
    """A loop at the top level of losses.py: its import is stopped at the import deadline, every
    function of losses.py says so, and the other modules are checked."""
    copy_solutions(handout)
    losses = handout / "exercises" / "losses.py"
    losses.write_text(losses.read_text(encoding="utf-8") + "\nwhile True:\n    pass\n")
    code = textwrap.dedent(
        """
        import sys
        sys.path.insert(0, ".")
        from checks.supervisor import Supervisor, load_expected
        if __name__ == "__main__":
            expected = load_expected()
            with Supervisor(expected, "en", import_timeout=0.5) as supervisor:
                supervisor.load_files(".")
                for name in ("binary_cross_entropy", "categorical_cross_entropy", "relu"):
                    outcome = supervisor.check(name)
                    print(name, outcome.status, outcome.message)
        """
    )
    completed = isolated_python(_with_site(code), cwd=handout)
    assert completed.returncode == 0, completed.stderr
    lines = completed.stdout.splitlines()
    sentence = (
        "importing exercises/losses.py did not finish within 0.5 s: look for a loop that "
        "never ends, or long work, outside the functions (that code runs at import)."
    )
    assert lines[0] == f"binary_cross_entropy failed {sentence}"
    assert lines[1] == f"categorical_cross_entropy failed {sentence}"
    assert lines[2] == "relu passed "


def test_checks_that_take_too_long_in_all_are_ended(handout: Path) -> None:
    """Calls that each return, but slowly: the check of the function is ended at the
    check's deadline and the report says it is very slow."""
    copy_solutions(handout)
    activations = handout / "exercises" / "activations.py"
    source = activations.read_text(encoding="utf-8")
    source = source.replace(TANH_ANSWER, "    import time\n    time.sleep(0.4)\n" + TANH_ANSWER)
    activations.write_text(source, encoding="utf-8")
    code = textwrap.dedent(
        """
        import sys
        sys.path.insert(0, ".")
        from checks.supervisor import Supervisor, load_expected
        if __name__ == "__main__":
            with Supervisor(load_expected(), "en", check_timeout=1.0) as supervisor:
                supervisor.load_files(".")
                outcome = supervisor.check("tanh")
                print(outcome.status, outcome.stopped, outcome.failure.problem)
        """
    )
    completed = isolated_python(_with_site(code), cwd=handout)
    assert completed.returncode == 0, completed.stderr
    assert completed.stdout.startswith(
        "failed True its checks did not finish within 1 s, although each call returned: it is "
        "very slow;"
    )


def _with_site(code: str) -> str:
    """`code` with the folders of numpy and pytest on sys.path (see conftest.py)."""
    from .conftest import _SITE_DIRS

    return f"import sys\nsys.path.extend({_SITE_DIRS!r})\n{code}"


# Ctrl-C --------------------------------------------------------------------------------


def _read_until(process: subprocess.Popen[bytes], marker: bytes, timeout: float) -> bytes:
    """What `process` printed until `marker` appeared (fails the test after `timeout`)."""
    assert process.stdout is not None
    seen = b""
    deadline = time.monotonic() + timeout
    while marker not in seen:
        remaining = deadline - time.monotonic()
        assert remaining > 0, f"{marker!r} never came: {seen.decode()}"
        ready, _, _ = select.select([process.stdout], [], [], remaining)
        if ready:
            chunk = os.read(process.stdout.fileno(), 4096)
            assert chunk, f"the self-check ended before {marker!r}: {seen.decode()}"
            seen += chunk
    return seen


def _processes_in(folder: Path) -> list[int]:
    """The processes whose working folder is `folder` (the self-check and its worker)."""
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                if Path(os.readlink(entry / "cwd")) == folder:
                    found.append(int(entry.name))
            except OSError:
                continue
    return found


@pytest.mark.skipif(not Path("/proc").is_dir(), reason="lists processes through /proc")
@pytest.mark.parametrize("group", [False, True], ids=["SIGINT to the self-check", "terminal"])
def test_ctrl_c_ends_cleanly_with_what_was_checked(handout: Path, group: bool) -> None:
    """SIGINT while tanh loops (to the self-check alone, or to its whole process group as a
    terminal's Ctrl-C does): the functions checked so far, a line saying the run stopped,
    exit status 130, no traceback from either process, and no process left behind."""
    loop_in_tanh(handout)
    with subprocess.Popen(
        selfcheck_command("--call-timeout", "60"),
        cwd=handout,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env=ISOLATED_ENV,
        start_new_session=group,
    ) as process:
        before = _read_until(process, b"sigmoid_backward", timeout=60)
        assert len(_processes_in(handout.resolve())) >= 2  # the self-check and its worker
        time.sleep(0.3)  # well inside tanh's loop
        if group:
            os.killpg(process.pid, signal.SIGINT)
        else:
            process.send_signal(signal.SIGINT)
        rest, errors = process.communicate(timeout=30)
    output = (before + rest).decode()
    assert process.returncode == 130, output + errors.decode()
    assert errors.decode() == ""
    assert "Traceback" not in output and "KeyboardInterrupt" not in output
    assert status_lines(output) == {"sigmoid": "passed", "sigmoid_backward": "passed"}
    assert (
        f"Stopped (Ctrl-C) after 2 of {len(FUNCTIONS)} functions; run again to check the "
        "others." in output
    )
    assert f"2 of {len(FUNCTIONS)} functions pass the public checks" in output
    deadline = time.monotonic() + 5
    while _processes_in(handout.resolve()) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert _processes_in(handout.resolve()) == []


@pytest.mark.skipif(not Path("/proc").is_dir(), reason="lists processes through /proc")
def test_the_header_comes_first_and_a_killed_self_check_leaves_nothing(handout: Path) -> None:
    """The report starts at once: its header is out while tanh still loops. Killed
    outright (kill -9), the self-check cannot end its worker, which ends itself."""
    loop_in_tanh(handout)
    with subprocess.Popen(
        selfcheck_command("--call-timeout", "60"),
        cwd=handout,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        env=ISOLATED_ENV,
    ) as process:
        try:
            seen = _read_until(process, b"sigmoid_backward", timeout=60)
            time.sleep(0.3)  # well inside tanh's loop
        finally:
            process.kill()
    assert seen.startswith(f"Public self-check of exercises/ ({len(FUNCTIONS)} functions)".encode())
    deadline = time.monotonic() + 5
    while _processes_in(handout.resolve()) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert _processes_in(handout.resolve()) == []
