"""The ``plain`` stage: the same class graded as root and as a plain user, in one run.

As root, each grading process gives its workers a dedicated uid; as a plain user, a user
namespace of their own. Whether that costs anything is measured on equal terms: both sides
run the same interpreter, the same package versions and the same copy of the project (two
environments of `bench.plain_user`, one root's and one the plain user's, the second pinned
to the first's versions) on the same class, and only the user differs. The batches take
turns (root then plain user, then the other way round) so that a change of load during the
stage weighs on both; their medians are compared. The sandbox's fixed costs
(`bench.sandbox_costs`) and what ``nngrade doctor`` reports are taken on both sides too.
"""

from __future__ import annotations

import json
import os
import pwd
import re
import statistics
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from bench.batch_run import check_documents, read_documents
from bench.measure import run_measured, tail
from bench.plain_user import (
    PlainEnvironment,
    environment_of,
    installed_versions,
    plain_user,
    prepare_environment,
)
from bench.tools import BenchmarkFailed

BEFORE_THE_NEW_LAYERS_MS = {"worker_start_ms": 7.5, "session_close_ms": 2.0}
"""Worker start and session close before the allowlisted root and the namespaces of every
worker (issue #12's "today's" figures): what the new layers are read against."""
PLAIN_OVER_ROOT_LIMIT = 1.15
"""The issue's bound: grading as a plain user costs at most 15% more than as root."""
SIDES = ("root", "plain")

_CHECK = re.compile(r"^  (?P<name>\S+)\s+(?P<state>yes|NO|no)\s+(?P<detail>.*)$")
_LAYER = re.compile(r"^  (?P<name>\S+)\s+(?P<state>active|UNAVAILABLE)$")
_NOTE = re.compile(r"^  note: (?P<note>.*)$")


def read_doctor(output: str) -> dict[str, Any]:
    """What ``nngrade doctor`` printed, as data: each check of the machine (available, and
    what it says), each layer of the worker it started (active or not), its notes, and its
    last line (the verdict)."""
    checks: dict[str, dict[str, Any]] = {}
    layers: dict[str, bool] = {}
    notes: list[str] = []
    for line in output.splitlines():
        if match := _LAYER.match(line):
            layers[match["name"]] = match["state"] == "active"
        elif match := _NOTE.match(line):
            notes.append(match["note"])
        elif (match := _CHECK.match(line)) and not layers:
            checks[match["name"]] = {
                "available": match["state"] == "yes",
                "detail": match["detail"].strip(),
            }
    lines = [line.strip() for line in output.splitlines() if line.strip()]
    return {
        "checks": checks,
        "layers": layers,
        "notes": notes,
        "verdict": lines[-1] if lines else "",
    }


def grades(documents: dict[str, dict[str, Any]]) -> dict[str, Any]:
    """Student -> what decides their grade: status, score, and each test's outcome and
    points (the timing and the isolation notes left out)."""
    return {
        student: {
            "status": document.get("status"),
            "score": document.get("score"),
            "tests": [
                [test.get("id"), test.get("outcome"), test.get("points")]
                for exercise in document.get("exercises") or []
                for test in exercise.get("tests") or []
            ],
        }
        for student, document in documents.items()
    }


def differing_grades(first: dict[str, Any], second: dict[str, Any]) -> list[str]:
    """The students graded differently in `first` and `second` (`grades`), or graded in
    one only."""
    return sorted(
        student
        for student in first.keys() | second.keys()
        if first.get(student) != second.get(student)
    )


def ratio(numerator: float | None, denominator: float | None) -> float | None:
    """`numerator` / `denominator`, None when either is missing or the second is 0."""
    if numerator is None or not denominator:
        return None
    return numerator / denominator


def turns(repeats: int) -> list[str]:
    """The order of the batches: root then plain user, then the other way round, and so on
    (``root, plain, plain, root...``), so that a load that rises or falls during the stage
    weighs on both sides alike."""
    order: list[str] = []
    for index in range(repeats):
        order += list(SIDES) if index % 2 == 0 else list(reversed(SIDES))
    return order


def _median(values: Sequence[float]) -> float | None:
    return statistics.median(values) if values else None


class PlainStage:
    """One run of the stage: the two environments, the class, and the logs."""

    def __init__(self, environments: dict[str, PlainEnvironment], logs: Path) -> None:
        self.environments = environments
        self.logs = logs

    def batch(self, side: str, class_dir: Path, n: int, workers: int, turn: int) -> dict[str, Any]:
        """``nngrade batch`` of the class as `side`, into fresh results; its figures."""
        environment = self.environments[side]
        results = environment.fresh_folder(f"results-{n}")
        log = self.logs / f"plain-stage-batch-{side}-{turn}.log"
        run = run_measured(
            [
                *(environment.command("nngrade"), "batch", class_dir, "--out", results),
                *("--force", "--workers", str(workers)),
            ],
            log=log,
            cwd=environment.project,
            env=environment_of(environment.user),
            user=environment.user,
        )
        if run.returncode != 0:
            raise BenchmarkFailed(
                f"nngrade batch as {environment.user.pw_name} exited with status "
                f"{run.returncode}; the end of {log}:\n{tail(log)}"
            )
        documents = read_documents(results)
        starts = [
            int((doc.get("timing") or {}).get("worker_starts") or 0) for doc in documents.values()
        ]
        return {
            "wall_seconds": run.wall_seconds,
            "cpu_seconds": run.cpu_seconds,
            "wall_seconds_per_submission": run.wall_seconds / n,
            "cpu_seconds_per_submission": run.cpu_seconds / n,
            "results": len(documents),
            "submissions_with_restarts": sum(count > 1 for count in starts),
            "load_after": " ".join(f"{value:.2f}" for value in os.getloadavg()),
            "documents": documents,
        }

    def sandbox_costs(self, side: str, repeats: int) -> dict[str, Any]:
        """``python -m bench.sandbox_costs`` as `side`, from its copy of the project."""
        environment = self.environments[side]
        command: list[str | Path] = [environment.python, "-m", "bench.sandbox_costs"]
        command += ["--repeats", str(repeats)]
        done = environment.run(command, timeout=900)
        if done.returncode != 0:
            raise BenchmarkFailed(
                f"python -m bench.sandbox_costs as {environment.user.pw_name} exited with "
                f"status {done.returncode}:\n{done.stdout[-2000:]}{done.stderr[-2000:]}"
            )
        figures: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
        return figures

    def doctor(self, side: str) -> dict[str, Any]:
        """``nngrade doctor`` as `side`: its exit status, output, and the output as data."""
        environment = self.environments[side]
        done = environment.run([environment.command("nngrade"), "doctor"], timeout=300)
        output = done.stdout + done.stderr
        return {"exit_code": done.returncode, "output": output, **read_doctor(output)}


def prepare_sides(user_name: str, out: Path) -> dict[str, PlainEnvironment]:
    """The plain user's environment (shared with tests/test_as_plain_user.py) and root's,
    built from the same interpreter and pinned to the same package versions."""
    plain = prepare_environment(plain_user(user_name))
    root = prepare_environment(
        pwd.getpwuid(0),
        location=out / "root-environment",
        interpreter=plain.interpreter,
        constraints=installed_versions(plain),
    )
    return {"root": root, "plain": plain}


def summarise_side(runs: Sequence[dict[str, Any]], user: pwd.struct_passwd) -> dict[str, Any]:
    """One side's batches (their documents left out) and their medians."""
    kept = [{key: value for key, value in run.items() if key != "documents"} for run in runs]
    return {
        "user": user.pw_name,
        "uid": user.pw_uid,
        "runs": kept,
        "median_wall_seconds": _median([run["wall_seconds"] for run in runs]),
        "median_wall_seconds_per_submission": _median(
            [run["wall_seconds_per_submission"] for run in runs]
        ),
        "median_cpu_seconds_per_submission": _median(
            [run["cpu_seconds_per_submission"] for run in runs]
        ),
    }


def plain_stage(
    *,
    user_name: str,
    class_dir: Path,
    n: int,
    workers: int,
    repeats: int,
    out: Path,
    logs: Path,
    say: Callable[[str], None],
) -> dict[str, Any]:
    """Grade the class at `class_dir` (`n` submissions) `repeats` times as root and as the
    plain user `user_name`, taking turns; then the sandbox's costs and ``nngrade doctor``
    on each side. The figures, with the plain user's over root's.

    Raises `bench.plain_user.PlainUserUnavailable` when no plain user can be had here.
    """
    say(f"plain: preparing the environments of root and {user_name} (minutes the first time)")
    environments = prepare_sides(user_name, out)
    stage = PlainStage(environments, logs)
    classes = {
        side: env.fresh_folder(f"class-{n}", class_dir) for side, env in environments.items()
    }
    runs: dict[str, list[dict[str, Any]]] = {side: [] for side in SIDES}
    for turn, side in enumerate(turns(repeats)):
        say(f"plain: nngrade batch of {n} as {environments[side].user.pw_name}")
        runs[side].append(stage.batch(side, classes[side], n, workers, turn))
    last = {side: runs[side][-1]["documents"] for side in SIDES}
    for side in SIDES:
        check_documents(last[side])
    figures: dict[str, Any] = {
        "n": n,
        "workers": workers,
        "repeats": repeats,
        "order": turns(repeats),
        **{side: summarise_side(runs[side], environments[side].user) for side in SIDES},
    }
    root, plain = figures["root"], figures["plain"]
    figures["plain_over_root_wall_per_submission"] = ratio(
        plain["median_wall_seconds_per_submission"], root["median_wall_seconds_per_submission"]
    )
    figures["plain_over_root_cpu_per_submission"] = ratio(
        plain["median_cpu_seconds_per_submission"], root["median_cpu_seconds_per_submission"]
    )
    figures["students_graded_differently"] = differing_grades(
        grades(last["root"]), grades(last["plain"])
    )
    say("plain: sandbox costs and nngrade doctor, as root and as the plain user")
    figures["sandbox_costs"] = {side: stage.sandbox_costs(side, 20) for side in SIDES}
    figures["before_the_new_layers_ms"] = BEFORE_THE_NEW_LAYERS_MS
    figures["doctor"] = {side: stage.doctor(side) for side in SIDES}
    versions = {side: installed_versions(env) for side, env in environments.items()}
    figures["environments"] = {
        side: {"location": str(env.location), "interpreter": env.interpreter}
        for side, env in environments.items()
    }
    figures["same_package_versions"] = versions["root"] == versions["plain"]
    return figures
