"""What a bug costs beyond its own function, with and without "a bug costs once".

For every submission that differs from the answer key in known functions (the sample class's
one-bug students, and one submission per `bug` mutation of `bench/mutations.py`), grade it
with one sandbox and one session of the hidden suites: with the grader's substitution of
functions found wrong (`grader.engine.substitution`), and without it. The collateral loss
is the points lost on tests about functions the submission did not change (a test is about
the contract function its name holds).

The cost of substitution is measured apart: a third grading substitutes the same functions
with implementations that always decline, so that the student's own functions run as
without substitution and the tests run exactly the same checks: its CPU time (trusted side
and worker) over the grading without substitution is what the callbacks cost. (The grading
with substitution costs more again, but for a good reason: tests that used to fail at their
first check now pass every check.)

    .venv/bin/python -m bench.collateral [--out bench/out]
"""

from __future__ import annotations

import argparse
import ast
import json
import statistics
import tempfile
import time
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bench.mutations import BUGS
from bench.synthetic import apply_edits, read_modules
from grader.catalog import MODULES, all_functions
from grader.engine import grade_submission, with_hidden_suites
from grader.engine.runner import SuiteRunner
from grader.engine.substitution import Substitutions
from grader.sandbox import Sandbox, SandboxLimits, StudentSession

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT / "examples" / "class"
LIMITS = SandboxLimits(wall_seconds_per_call=2.0)


def subject_of(test_id: str) -> str | None:
    """The contract function a hidden test is about: the longest one its name holds
    (``test_network::test_linear_backward_values`` -> ``linear_backward``)."""
    name = test_id.partition("::test_")[2]
    found = [f for f in all_functions() if name == f or name.startswith(f"{f}_")]
    return max(found, key=len) if found else None


def function_sources(text: str) -> dict[str, str]:
    """Each top-level function of a module, as its normalised source (ast.unparse), without
    its docstring: the statement lives in the spec, not in `solutions/`, and a student's
    copy carries it."""
    tree = ast.parse(text)
    found = {}
    for node in tree.body:
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            if ast.get_docstring(node, clean=False) is not None:
                node.body = node.body[1:] or [ast.Pass()]
            found[node.name] = ast.unparse(node)
    return found


def changed_functions(sources: Mapping[str, str], key: Mapping[str, str]) -> set[str]:
    """The contract functions whose code differs from the answer key's (or are missing)."""
    changed = set()
    contract = set(all_functions())
    for module, key_text in key.items():
        ours = function_sources(sources[module]) if module in sources else {}
        for name, source in function_sources(key_text).items():
            if name in contract and ours.get(name) != source:
                changed.add(name)
    return changed


@dataclass(frozen=True)
class Grading:
    score: float
    collateral: float
    cpu_seconds: float
    callbacks: int = 0


def _declining(name: str) -> Any:
    def decline(*args: Any, **kwargs: Any) -> Any:
        raise LookupError(f"{name}: declined, to measure what the callbacks cost")

    return decline


def _grading(document: Mapping[str, Any], changed: set[str], cpu: float) -> Grading:
    lost = 0.0
    for exercise in document["exercises"]:
        for test in exercise["tests"]:
            subject = subject_of(test["id"])
            if test["outcome"] != "passed" and subject is not None and subject not in changed:
                lost += float(test["max_points"])
    return Grading(float(document["score"]), lost, cpu)


def _graded_once(
    folder: Path, changed: set[str], sandbox: Sandbox, runner: SuiteRunner, mode: str
) -> Grading:
    """One grading: substitution "off", "on", or "declining" (every substitute declines)."""
    callbacks = [0]
    original, respond = Substitutions.for_next_test, StudentSession._respond

    def substitutes(self: Substitutions) -> dict[str, Any]:
        chosen = original(self)
        return {name: _declining(name) for name in chosen} if mode == "declining" else chosen

    def counting(self: StudentSession, function: Any, call: Any) -> tuple[str, Any]:
        callbacks[0] += 1
        return respond(self, function, call)

    Substitutions.for_next_test = substitutes  # type: ignore[method-assign]
    StudentSession._respond = counting  # type: ignore[method-assign]
    try:
        clock = time.process_time()
        document = grade_submission(
            folder, sandbox=sandbox, runner=runner, bug_costs_once=mode != "off"
        )
        trusted = time.process_time() - clock
    finally:
        Substitutions.for_next_test = original  # type: ignore[method-assign]
        StudentSession._respond = respond  # type: ignore[method-assign]
    cpu = trusted + float(document["timing"]["cpu_seconds"])
    graded = _grading(document, changed, cpu)
    return Grading(graded.score, graded.collateral, cpu, callbacks[0])


def grade_three(
    folder: Path, changed: set[str], sandbox: Sandbox, runner: SuiteRunner
) -> tuple[Grading, Grading, Grading]:
    """(without substitution, with it, with every substitute declining) for `folder`."""
    off, on, declining = (
        _graded_once(folder, changed, sandbox, runner, mode) for mode in ("off", "on", "declining")
    )
    return off, on, declining


def submissions(work: Path) -> list[tuple[str, str, Path, set[str]]]:
    """(class, name, folder, changed functions): the sample class's students whose modules
    are all there and differ from the key in some functions, then one per bench bug."""
    key = read_modules(ROOT / "solutions")
    found = []
    for folder in sorted(p for p in SAMPLE.iterdir() if p.is_dir()):
        inner = folder / "exercises" if (folder / "exercises").is_dir() else folder
        if not all((inner / f"{module}.py").is_file() for module in MODULES):
            continue
        sources = read_modules(inner)
        try:
            changed = changed_functions(sources, key)
        except SyntaxError:
            continue
        if changed and len(changed) <= 2:
            found.append(("sample", folder.name, folder, changed))
    for bug in BUGS:
        if bug.category != "bug" or bug.drop or bug.stubs:
            continue
        sources = apply_edits(key, bug.edits, bug.name)
        folder = work / bug.name
        folder.mkdir(parents=True)
        for module, text in sources.items():
            (folder / f"{module}.py").write_text(text, encoding="utf-8")
        found.append(("bench", bug.name, folder, changed_functions(sources, key)))
    return found


def measure(out: Path) -> dict[str, Any]:
    with tempfile.TemporaryDirectory(prefix="nngrade-collateral-") as scratch:
        chosen = submissions(Path(scratch))
        with Sandbox(LIMITS) as sandbox:

            def grade_all(runner: SuiteRunner) -> list[dict[str, Any]]:
                grade_submission(ROOT / "solutions", sandbox=sandbox, runner=runner)  # warm
                rows = []
                for group, name, folder, changed in chosen:
                    before, after, declining = grade_three(folder, changed, sandbox, runner)
                    rows.append(
                        {
                            "class": group,
                            "submission": name,
                            "changed": sorted(changed),
                            "score_before": before.score,
                            "score_after": after.score,
                            "collateral_before": before.collateral,
                            "collateral_after": after.collateral,
                            "cpu_before": round(before.cpu_seconds, 4),
                            "cpu_after": round(after.cpu_seconds, 4),
                            "cpu_declining": round(declining.cpu_seconds, 4),
                            "callbacks": after.callbacks,
                        }
                    )
                return rows

            rows = with_hidden_suites(grade_all)
    figures: dict[str, Any] = {"submissions": rows}
    for group in ("sample", "bench"):
        mine = [row for row in rows if row["class"] == group]
        if not mine:
            continue
        figures[group] = {
            "submissions": len(mine),
            "with_collateral_before": sum(row["collateral_before"] > 0 for row in mine),
            "with_collateral_after": sum(row["collateral_after"] > 0 for row in mine),
            "collateral_points_before": sum(row["collateral_before"] for row in mine),
            "collateral_points_after": sum(row["collateral_after"] for row in mine),
            "median_cpu_without": statistics.median(row["cpu_before"] for row in mine),
            "median_cpu_with": statistics.median(row["cpu_after"] for row in mine),
            "median_callbacks": statistics.median(row["callbacks"] for row in mine),
            "median_callback_cost": statistics.median(
                row["cpu_declining"] - row["cpu_before"] for row in mine
            ),
        }
    out.mkdir(parents=True, exist_ok=True)
    (out / "collateral.json").write_text(json.dumps(figures, indent=1) + "\n", encoding="utf-8")
    return figures


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.collateral", description=__doc__)
    parser.add_argument("--out", type=Path, default=ROOT / "bench" / "out")
    arguments = parser.parse_args(argv)
    figures = measure(arguments.out)
    for group in ("sample", "bench"):
        if group not in figures:
            continue
        f = figures[group]
        print(
            f"{group}: {f['submissions']} one-bug submissions; collateral points "
            f"{f['collateral_points_before']:g} -> {f['collateral_points_after']:g} "
            f"(submissions losing some: {f['with_collateral_before']} -> "
            f"{f['with_collateral_after']}); per submission, median: "
            f"{f['median_callbacks']:g} substituted calls costing "
            f"{1000 * f['median_callback_cost']:.1f} ms of CPU (grading "
            f"{f['median_cpu_without']:.3f} s without substitution, "
            f"{f['median_cpu_with']:.3f} s with it, its tests running to the end)"
        )
    for row in figures["submissions"]:
        if row["collateral_after"] > 0:
            print(
                f"  still collateral: {row['submission']} ({', '.join(row['changed'])}): "
                f"{row['collateral_after']:g} points"
            )
    print(f"Figures in {arguments.out / 'collateral.json'}")


if __name__ == "__main__":
    main()
