"""The issue's targets, checked against the figures, and the table the benchmark prints."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from bench.plain_stage import BEFORE_THE_NEW_LAYERS_MS, PLAIN_OVER_ROOT_LIMIT

MEMORY_GROWTH_LIMIT = 1.2
""""Flat" memory, made testable: the peak at the largest N is at most 20% above the smallest."""


@dataclass(frozen=True)
class Target:
    """One target of the performance issue.

    Attributes:
        name: what is measured, as the table shows it.
        limit: the bound, as the table shows it.
        measure: reads the figure from the benchmark's figures (None: not measured).
        met: whether a figure meets the target.
        unit: how the figure is printed.
    """

    name: str
    limit: str
    measure: Callable[[dict[str, Any]], float | None]
    met: Callable[[float], bool]
    unit: str


def _get(figures: dict[str, Any], *keys: str) -> Any:
    value: Any = figures
    for key in keys:
        if not isinstance(value, dict) or key not in value:
            return None
        value = value[key]
    return value


def _class_of_200_wall(figures: dict[str, Any]) -> float | None:
    if _get(figures, "batch", "n") == 200:
        return _get(figures, "batch", "wall_seconds")
    return _get(figures, "memory", "200", "wall_seconds")


def _selfcheck_worst(figures: dict[str, Any]) -> float | None:
    walls = [
        _get(figures, "selfcheck", which, "median_wall_seconds") for which in ("stubs", "solutions")
    ]
    found = [wall for wall in walls if wall is not None]
    return max(found) if found else None


def _memory_growth(figures: dict[str, Any]) -> float | None:
    runs = {n: run for n, run in (_get(figures, "memory") or {}).items() if n.isdigit()}
    if len(runs) < 2:
        return None
    ns = sorted(runs, key=int)
    low, high = runs[ns[0]]["peak_tree_pss_bytes"], runs[ns[-1]]["peak_tree_pss_bytes"]
    return high / low if low else None


def _scale_growth(figures: dict[str, Any]) -> float | None:
    """The worse of the two runs of the `scale` stage: peak RSS, largest size over smallest."""
    growth = _get(figures, "scale", "growth") or {}
    ratios = [run["ratio"] for run in growth.values() if isinstance(run, dict)]
    return max(ratios) if ratios else None


def _bug_heavy(figures: dict[str, Any], *keys: str) -> float | None:
    value = _get(figures, "bug-heavy", *keys)
    return float(value) if isinstance(value, int | float) else None


TARGETS: tuple[Target, ...] = (
    Target(
        "bug-heavy class, wall per submission / numpy start",
        "<= 0.3",
        lambda f: _bug_heavy(f, "wall_per_submission_over_numpy_start"),
        lambda v: v <= 0.3,
        "{:.2f}",
    ),
    Target(
        "rerun, nothing changed / first run",
        "<= 0.1",
        lambda f: _bug_heavy(f, "rerun", "nothing_changed_over_first"),
        lambda v: v <= 0.1,
        "{:.3f}",
    ),
    Target(
        "rerun, one changed: extra / that one alone",
        "<= 1",
        lambda f: _bug_heavy(f, "rerun", "one_changed_extra_over_alone"),
        lambda v: v <= 1.0,
        "{:.2f}",
    ),
    Target(
        "median CPU per submission (in process)",
        "<= 0.25 s",
        lambda f: _get(f, "inprocess", "median_cpu_seconds"),
        lambda v: v <= 0.25,
        "{:.3f} s",
    ),
    Target(
        "class of 200, wall (nngrade batch)",
        "<= 60 s",
        _class_of_200_wall,
        lambda v: v <= 60.0,
        "{:.1f} s",
    ),
    Target(
        "nbgrader / nngrade, per submission",
        ">= 25",
        lambda f: _get(f, "nbgrader", "ratio_per_submission"),
        lambda v: v >= 25.0,
        "{:.1f}x",
    ),
    Target(
        "handout self-check, wall (worse of the two)",
        "<= 1 s",
        _selfcheck_worst,
        lambda v: v <= 1.0,
        "{:.2f} s",
    ),
    Target(
        "plain user / root, wall per submission, same run",
        f"<= {PLAIN_OVER_ROOT_LIMIT:g}",
        lambda f: _get(f, "plain", "plain_over_root_wall_per_submission"),
        lambda v: v <= PLAIN_OVER_ROOT_LIMIT,
        "{:.2f}",
    ),
    Target(
        "peak PSS growth, smallest to largest N",
        f"<= {MEMORY_GROWTH_LIMIT:g}x",
        _memory_growth,
        lambda v: v <= MEMORY_GROWTH_LIMIT,
        "{:.2f}x",
    ),
    Target(
        "batch process peak RSS growth, copied class, smallest to largest size",
        f"<= {MEMORY_GROWTH_LIMIT:g}x",
        _scale_growth,
        lambda v: v <= MEMORY_GROWTH_LIMIT,
        "{:.2f}x",
    ),
)


def evaluate(figures: dict[str, Any]) -> list[dict[str, Any]]:
    """Each target with its measured figure and whether it is met (None: not measured)."""
    verdicts = []
    for target in TARGETS:
        value = target.measure(figures)
        verdicts.append(
            {
                "target": target.name,
                "limit": target.limit,
                "value": value,
                "met": None if value is None else bool(target.met(value)),
                "shown": "not measured" if value is None else target.unit.format(value),
            }
        )
    return verdicts


def _mib(value: Any) -> str:
    return "-" if value is None else f"{value / (1 << 20):.0f} MiB"


def _seconds(value: Any, digits: int = 2) -> str:
    return "-" if value is None else f"{value:.{digits}f} s"


def _ms(value: Any) -> str:
    return "-" if value is None else f"{value:.2f} ms"


def _both(first: str, second: str) -> str:
    return f"{first} / {second}"


def figure_lines(figures: dict[str, Any]) -> list[tuple[str, str]]:
    """(label, value) rows of the measured figures, in the order a reader wants them."""
    rows: list[tuple[str, str]] = []
    batch = figures.get("batch") or {}
    if batch.get("n"):
        restarts = f"{batch['worker_starts']} ({batch['submissions_with_restarts']})"
        timeout_wall = (batch["categories"].get("timeout") or {}).get("grading_wall_seconds")
        rows += [
            ("batch: submissions, workers", f"{batch['n']}, {batch['workers']}"),
            ("batch: wall", _seconds(batch["wall_seconds"], 1)),
            ("batch: submissions per second", f"{batch['submissions_per_second']:.2f}"),
            ("batch: CPU of the whole tree", _seconds(batch["cpu_seconds"], 1)),
            ("batch: CPU per submission, mean", _seconds(batch["cpu_seconds_per_submission"], 3)),
            ("batch: worker CPU, median", _seconds(batch["median_worker_cpu_seconds"], 3)),
            ("batch: worker starts (submissions restarted)", restarts),
            (
                "batch: grading wall, all / submissions with a timeout",
                _both(
                    _seconds(batch["grading_wall_seconds"], 1),
                    _seconds(timeout_wall, 1),
                ),
            ),
            ("batch: wall outside grading", _seconds(batch["overhead_wall_seconds"], 1)),
            ("batch: wall per submission", _seconds(batch["wall_seconds_per_submission"], 3)),
            *_numpy_rows("batch", batch),
            (
                "batch: peak RSS / PSS of the tree",
                _both(_mib(batch["peak_tree_rss_bytes"]), _mib(batch["peak_tree_pss_bytes"])),
            ),
            (
                "batch: largest single process (VmHWM)",
                _mib(batch.get("peak_process_rss_bytes")),
            ),
        ]
    rows += _bug_heavy_rows(figures.get("bug-heavy") or {})
    inprocess = figures.get("inprocess") or {}
    if inprocess.get("n"):
        rows += [
            ("in process: submissions", str(inprocess["n"])),
            (
                "in process: CPU, trusted + worker, median",
                _seconds(inprocess["median_cpu_seconds"], 3),
            ),
            (
                "in process: CPU, trusted / worker, medians",
                _both(
                    _seconds(inprocess["median_trusted_cpu_seconds"], 3),
                    _seconds(inprocess["median_worker_cpu_seconds"], 3),
                ),
            ),
            ("in process: wall, median", _seconds(inprocess["median_wall_seconds"], 3)),
        ]
    memory = {n: run for n, run in (figures.get("memory") or {}).items() if n.isdigit()}
    for n, run in sorted(memory.items(), key=lambda item: int(item[0])):
        peaks = _both(_mib(run["peak_tree_rss_bytes"]), _mib(run["peak_tree_pss_bytes"]))
        when = f"PSS peak at {run['peak_pss_at_seconds']:.0f} s of {run['wall_seconds']:.0f} s"
        rows.append((f"memory, N = {n}: peak RSS / PSS", f"{peaks} ({when})"))
    scale = figures.get("scale") or {}
    for size in scale.get("sizes", []):
        for run, found in (scale.get(str(size)) or {}).items():
            rows.append(
                (
                    f"batch process over {size} copied results, {run}: peak RSS",
                    f"{_mib(found['peak_rss_bytes'])} ({found['wall_seconds']:.1f} s)",
                )
            )
    for run, found in (scale.get("growth") or {}).items():
        rows.append((f"batch process, {run}: per student added", f"{found['kib_per_student']} KiB"))
    sandbox = figures.get("sandbox") or {}
    if sandbox.get("worker_start_ms") is not None:
        rows += [
            ("sandbox start (zygote)", _ms(sandbox["sandbox_start_ms"])),
            (
                "worker start, 4 modules / trivial module",
                _both(
                    _ms(sandbox["worker_start_ms"]), _ms(sandbox["worker_start_trivial_module_ms"])
                ),
            ),
            ("session close", _ms(sandbox["session_close_ms"])),
            (
                "round trip, (1,1) / (100,100)",
                _both(_ms(sandbox["round_trip_1x1_ms"]), _ms(sandbox["round_trip_100x100_ms"])),
            ),
            ("per call in a batch of 100, (100,100)", _ms(sandbox["batched_call_100x100_ms"])),
        ]
        if sandbox.get("watched_pair_ms") is not None:
            rows.append(
                (
                    "watched pair (4 model_forward, 4 model_backward): wall / trusted CPU",
                    _both(
                        _ms(sandbox["watched_pair_ms"]),
                        _ms(sandbox["watched_pair_trusted_cpu_ms"]),
                    ),
                )
            )
    rows += plain_rows(figures.get("plain") or {})
    nb = figures.get("nbgrader") or {}
    if nb.get("skipped"):
        rows.append(("nbgrader autograde", nb["skipped"]))
    elif nb.get("n"):
        same = nb.get("ratio_same_students")
        rows += [
            ("nbgrader: notebooks, wall", f"{nb['n']}, {_seconds(nb['wall_seconds'], 1)}"),
            ("nbgrader: wall per submission", _seconds(nb["wall_seconds_per_submission"])),
            ("nbgrader: CPU per submission", _seconds(nb.get("cpu_seconds_per_submission"))),
            (
                "nngrade, same students: wall per submission",
                _seconds(nb.get("nngrade_same_students_wall_seconds_per_submission")),
            ),
            ("nbgrader / nngrade, same students", "-" if same is None else f"{same:.1f}x"),
        ]
    selfcheck = figures.get("selfcheck") or {}
    for which, label in (
        ("stubs", "the stubs"),
        ("solutions", "the solutions"),
        ("loop", "the solutions, tanh endless"),
    ):
        if which in selfcheck:
            run = selfcheck[which]
            shown = f"{_seconds(run['median_wall_seconds'])} (exit {run['exit_codes']})"
            if "median_cpu_seconds" in run:
                shown += f", CPU {_seconds(run['median_cpu_seconds'])}"
            rows.append((f"self-check on {label}: median wall", shown))
    return rows


def _layers(doctor: dict[str, Any]) -> str:
    """``nngrade doctor``'s verdict in a line: how many layers are active, which are not,
    and its first note (who the workers run as)."""
    layers = doctor.get("layers") or {}
    if not layers:
        return f"no worker started (exit {doctor.get('exit_code')}): {doctor.get('verdict')}"
    missing = [name for name, active in layers.items() if not active]
    shown = f"{len(layers) - len(missing)} of {len(layers)} layers active"
    if missing:
        shown += f", without {', '.join(missing)}"
    notes = doctor.get("notes") or []
    return f"{shown}; {notes[0]}" if notes else shown


def plain_rows(plain: dict[str, Any]) -> list[tuple[str, str]]:
    """The class graded as root and as a plain user, their sandbox costs and doctors."""
    if plain.get("skipped"):
        return [("plain user stage", f"skipped: {plain['skipped']}")]
    if not plain.get("n"):
        return []
    root, user = plain["root"], plain["plain"]
    name = f"{user['user']} (uid {user['uid']})"
    differ = plain.get("students_graded_differently") or []
    rows = [
        (
            "plain: submissions, workers, batches of each",
            f"{plain['n']}, {plain['workers']}, {plain['repeats']} ({name})",
        ),
        (
            "plain: wall per submission, root / plain user",
            _both(
                _seconds(root["median_wall_seconds_per_submission"], 3),
                _seconds(user["median_wall_seconds_per_submission"], 3),
            ),
        ),
        (
            "plain: CPU per submission, root / plain user",
            _both(
                _seconds(root["median_cpu_seconds_per_submission"], 3),
                _seconds(user["median_cpu_seconds_per_submission"], 3),
            ),
        ),
        (
            "plain: plain user / root, wall / CPU",
            _both(
                _ratio(plain.get("plain_over_root_wall_per_submission")),
                _ratio(plain.get("plain_over_root_cpu_per_submission")),
            ),
        ),
        (
            "plain: graded as root was",
            "yes" if not differ else f"NO, {len(differ)}: {', '.join(differ[:5])}",
        ),
        (
            "plain: same interpreter and packages",
            "yes" if plain.get("same_package_versions") else "NO (see figures.json)",
        ),
    ]
    costs = plain.get("sandbox_costs") or {}
    before = plain.get("before_the_new_layers_ms") or BEFORE_THE_NEW_LAYERS_MS
    if costs.get("root") and costs.get("plain"):
        for key, label in (
            ("worker_start_ms", "worker start"),
            ("session_close_ms", "session close"),
            ("round_trip_1x1_ms", "round trip, (1,1)"),
        ):
            shown = _both(_ms(costs["root"].get(key)), _ms(costs["plain"].get(key)))
            if key in before:
                shown += f" (before the new layers: about {before[key]:g} ms)"
            rows.append((f"plain: {label}, root / plain user", shown))
    doctor = plain.get("doctor") or {}
    for side, who in (("root", "root"), ("plain", user["user"])):
        if side in doctor:
            rows.append((f"plain: nngrade doctor as {who}", _layers(doctor[side])))
    return rows


def _ratio(value: Any) -> str:
    return "-" if value is None else f"{value:.2f}"


def _numpy_rows(label: str, figures: dict[str, Any]) -> list[tuple[str, str]]:
    numpy = figures.get("numpy_start") or {}
    if not numpy:
        return []
    return [
        (f"{label}: python -c 'import numpy', median wall", _seconds(numpy["median_wall_seconds"])),
        (
            f"{label}: wall per submission / numpy start",
            f"{figures['wall_per_submission_over_numpy_start']:.2f}",
        ),
        (
            f"{label}: CPU per submission and worker / numpy start's CPU",
            f"{figures['cpu_per_submission_per_worker_over_numpy_start_cpu']:.2f} "
            f"(start: {_seconds(numpy['median_cpu_seconds'])} of CPU)",
        ),
    ]


def _bug_heavy_rows(heavy: dict[str, Any]) -> list[tuple[str, str]]:
    """The bug-heavy class's figures and its reruns."""
    if not heavy.get("n"):
        return []
    mix = ", ".join(
        f"{count} {category}" for category, count in (heavy.get("class") or {}).items() if count
    )
    rerun = heavy.get("rerun") or {}
    return [
        ("bug-heavy: submissions, workers", f"{heavy['n']} ({mix}), {heavy['workers']}"),
        ("bug-heavy: wall", _seconds(heavy["wall_seconds"], 1)),
        ("bug-heavy: wall per submission", _seconds(heavy["wall_seconds_per_submission"], 3)),
        ("bug-heavy: CPU per submission, mean", _seconds(heavy["cpu_seconds_per_submission"], 3)),
        ("bug-heavy: worker CPU, median", _seconds(heavy["median_worker_cpu_seconds"], 3)),
        *_numpy_rows("bug-heavy", heavy),
        (
            "rerun, nothing changed: wall / CPU, medians",
            _both(
                _seconds(rerun.get("nothing_changed_wall_seconds")),
                _seconds(rerun.get("nothing_changed_cpu_seconds")),
            ),
        ),
        (
            "rerun, one changed: wall / that one alone, medians",
            _both(
                _seconds(rerun.get("one_changed_wall_seconds")),
                _seconds(rerun.get("one_alone_wall_seconds")),
            ),
        ),
        (
            "reruns: submissions graded, nothing / one changed",
            f"{rerun.get('graded_by_nothing_changed')} / {rerun.get('graded_by_one_changed')}",
        ),
        ("reruns: medians of", f"{len((rerun.get('walls') or {}).get('one_changed') or [])} each"),
    ]


def render_table(figures: dict[str, Any]) -> str:
    """The short table: targets first, then the measured figures."""
    verdicts = evaluate(figures)
    width = max(len(v["target"]) for v in verdicts)
    lines = [f"{'target':<{width}}  {'measured':>14}  {'limit':>10}  met"]
    for verdict in verdicts:
        met = {True: "yes", False: "NO", None: "-"}[verdict["met"]]
        lines.append(
            f"{verdict['target']:<{width}}  {verdict['shown']:>14}  {verdict['limit']:>10}  {met}"
        )
    rows = figure_lines(figures)
    if rows:
        label_width = max(len(label) for label, _ in rows)
        lines += ["", "figures:"]
        lines += [f"  {label:<{label_width}}  {value}" for label, value in rows]
    machine = figures.get("machine") or {}
    if machine:
        lines += [
            "",
            f"machine: {machine.get('cpus')} CPUs, load average before/after "
            f"{machine.get('load_before')} / {machine.get('load_after')}; revision "
            f"{(figures.get('settings') or {}).get('revision', 'unknown')}",
        ]
    return "\n".join(lines)
