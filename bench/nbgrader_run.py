"""Grade the same students with nbgrader's own ``autograde``, on the exported assignment.

The steps, as an nbgrader course runs them: ``nngrade nbgrader export COURSE``, then
``nbgrader generate_assignment`` makes the student version; each synthetic student's
notebook is that release with every solution cell (``solution_<function>``) replaced by the
student's function, found by name in their modules (a function they did not write keeps
the stub); the notebooks go to ``submitted/<student>/<assignment>/`` and one
``nbgrader autograde`` grades them all, with nbgrader's defaults (serial, 30 s per cell).
Module-level code of a submission (a print or a crash at import) has no cell to go to and
is left out.
"""

from __future__ import annotations

import importlib.util
import json
import re
import shutil
import subprocess
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from bench.measure import MeasuredRun, run_measured, tail
from bench.synthetic import SyntheticSubmission
from bench.tools import BenchmarkFailed, console_script, tool_environment

ASSIGNMENT = "neural_networks"
SOLUTION_PREFIX = "solution_"
_DEF = re.compile(r"def\s+([A-Za-z_]\w*)\s*\(")
# A line at the margin that starts a new top-level statement ends the function before it;
# a closing parenthesis at the margin still belongs to a multi-line signature.
_TOP_LEVEL = re.compile(r"[A-Za-z_@#\"']")


def nbgrader_available() -> str | None:
    """None when nbgrader can run here, else why not (a sentence)."""
    if importlib.util.find_spec("nbgrader") is None:
        return "nbgrader is not installed (pip install 'nngrade[nbgrader]'), so it was skipped."
    try:
        console_script("nbgrader")
    except BenchmarkFailed as error:
        return str(error)
    return None


def function_sources(text: str) -> dict[str, str]:
    """Top-level function name -> its source lines, read line by line.

    Lines, not `ast`: a module with a syntax error still yields its functions, and the
    broken one carries its error into the notebook, as a student's would.
    """
    lines = text.splitlines()
    found: dict[str, str] = {}
    index = 0
    while index < len(lines):
        match = _DEF.match(lines[index])
        if match is None:
            index += 1
            continue
        end = index + 1
        while end < len(lines) and not _TOP_LEVEL.match(lines[end]):
            end += 1
        body = lines[index:end]
        while body and not body[-1].strip():
            body.pop()
        found[match.group(1)] = "\n".join(body)
        index = end
    return found


def student_notebook(release: dict[str, Any], sources: Mapping[str, str]) -> dict[str, Any]:
    """The release notebook (its JSON) with the solution cells filled from the student's
    modules. Plain JSON, not nbformat: importing nbformat (and jsonschema) would swell the
    benchmark's own process, which the in-process stage measures."""
    functions: dict[str, str] = {}
    for text in sources.values():
        functions.update(function_sources(text))
    notebook = json.loads(json.dumps(release))
    for cell in notebook["cells"]:
        grade_id = cell.get("metadata", {}).get("nbgrader", {}).get("grade_id", "")
        if cell.get("cell_type") == "code" and grade_id.startswith(SOLUTION_PREFIX):
            written = functions.get(grade_id[len(SOLUTION_PREFIX) :])
            if written is not None:
                cell["source"] = written
    return notebook


def _run(command: Sequence[str | Path], cwd: Path | None, env: Mapping[str, str]) -> None:
    done = subprocess.run(
        [str(part) for part in command], cwd=cwd, env=dict(env), capture_output=True, text=True
    )
    if done.returncode != 0:
        shown = " ".join(str(part) for part in command)
        raise BenchmarkFailed(
            f"`{shown}` exited with status {done.returncode}:\n{done.stdout[-2000:]}"
            f"{done.stderr[-2000:]}"
        )


def prepare_course(course: Path, sample: Sequence[SyntheticSubmission]) -> Path:
    """Export, generate the release, and submit `sample`; the release notebook."""
    if course.exists():
        shutil.rmtree(course)
    env = tool_environment()
    _run(
        [console_script("nngrade"), "nbgrader", "export", course, "--assignment", ASSIGNMENT],
        None,
        env,
    )
    _run([console_script("nbgrader"), "generate_assignment", ASSIGNMENT], course, env)
    release_path = course / "release" / ASSIGNMENT / f"{ASSIGNMENT}.ipynb"
    release = json.loads(release_path.read_text(encoding="utf-8"))
    for submission in sample:
        target = course / "submitted" / submission.student / ASSIGNMENT / f"{ASSIGNMENT}.ipynb"
        target.parent.mkdir(parents=True)
        notebook = student_notebook(release, submission.sources)
        target.write_text(json.dumps(notebook, indent=1, ensure_ascii=False) + "\n", "utf-8")
    return release_path


def _scores(course: Path, students: Sequence[str]) -> dict[str, float | None]:
    try:
        from nbgrader.api import Gradebook
    except ImportError:
        return {}
    scores: dict[str, float | None] = {}
    with Gradebook(f"sqlite:///{course / 'gradebook.db'}") as gradebook:
        for student in students:
            try:
                scores[student] = float(gradebook.find_submission(ASSIGNMENT, student).score)
            except Exception:  # no submission recorded: nbgrader dropped it
                scores[student] = None
    return scores


def autograde(course: Path, sample: Sequence[SyntheticSubmission], logs: Path) -> dict[str, Any]:
    """Prepare the course, run ``nbgrader autograde`` once over `sample`, and measure it."""
    prepare_course(course, sample)
    log = logs / "nbgrader-autograde.log"
    run: MeasuredRun = run_measured(
        [console_script("nbgrader"), "autograde", ASSIGNMENT],
        log=log,
        cwd=course,
        env=tool_environment(),
    )
    if run.returncode != 0:
        # nbgrader exits non-zero when one notebook failed; the others are graded.
        note = f"nbgrader autograde exited with status {run.returncode}; see {log}."
    else:
        note = ""
    autograded = sorted(p.parent.name for p in (course / "autograded").glob(f"*/{ASSIGNMENT}"))
    scores = _scores(course, [s.student for s in sample])
    if not autograded:
        raise BenchmarkFailed(f"nbgrader autograde graded nothing; the end of {log}:\n{tail(log)}")
    n = len(sample)
    return {
        "n": n,
        "autograded": len(autograded),
        "wall_seconds": run.wall_seconds,
        "cpu_seconds": run.cpu_seconds,
        "wall_seconds_per_submission": run.wall_seconds / n,
        "cpu_seconds_per_submission": run.cpu_seconds / n,
        "peak_tree_rss_bytes": run.peak_tree_rss_bytes,
        "peak_tree_pss_bytes": run.peak_tree_pss_bytes,
        "scores": scores,
        "note": note,
        "command": list(run.command),
    }
