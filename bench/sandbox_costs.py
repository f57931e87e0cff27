"""What the sandbox costs per operation, measured with its own API.

- sandbox start: `Sandbox()` (the warm zygote, once per grading process);
- worker start: `Sandbox.open_session` with the answer key's modules (fork from the
  zygote, confinement, imports) and with a one-line module (fork and confinement only: a
  session without modules starts no worker);
- session close: kill the worker, and sweep its user when it may have left a process;
- round trip: `session.call` of relu on a (1, 1) array (the fixed cost of one call) and on a
  (100, 100) array (with the encoding of 80 kB each way), and a `call_batch` of 100 such
  calls, per call;
- watched pair: what a hidden test's chained calls cost, `call_watched_each` of four
  `model_forward` calls of a [4, 5, 3, 1] network on 5 examples, then of four
  `model_backward` calls on its caches (the purity check of every argument included); its
  wall time and the trusted side's CPU.

Every figure is the median of `repeats` runs, in milliseconds.

``python -m bench.sandbox_costs`` measures them in a process of its own and prints them as
JSON: the ``plain`` stage of ``python -m bench`` runs it as root and as a plain user.
"""

from __future__ import annotations

import json
import shutil
import statistics
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import click
import numpy as np

from bench.synthetic import MODULES
from bench.tools import ROOT

BATCH_CALLS = 100
TRIVIAL_MODULE = {"probe": "VALUE = 1\n"}
"""A one-line module: opening a session with it costs the fork and confinement alone."""


def write_answer_key(folder: Path) -> Path:
    """A fresh copy of the answer key's modules (`solutions/`) as a submission in
    ``FOLDER/exercises``; its path."""
    key = folder / "exercises"
    if key.exists():
        shutil.rmtree(key)
    key.mkdir(parents=True)
    for name in MODULES:
        shutil.copyfile(ROOT / "solutions" / f"{name}.py", key / f"{name}.py")
    return key


def _network_case() -> tuple[np.ndarray, dict[str, np.ndarray], np.ndarray]:
    """``(X, parameters, Y)`` of a [4, 5, 3, 1] network on 5 examples, seeded."""
    rng = np.random.default_rng(0)
    sizes = [4, 5, 3, 1]
    parameters: dict[str, np.ndarray] = {}
    for layer in range(1, len(sizes)):
        parameters[f"W{layer}"] = rng.standard_normal((sizes[layer], sizes[layer - 1]))
        parameters[f"b{layer}"] = rng.standard_normal((sizes[layer], 1))
    X = rng.standard_normal((sizes[0], 5))
    return X, parameters, (rng.random((1, 5)) > 0.5).astype(float)


def _median_ms(action: Callable[[], Any], repeats: int) -> float:
    times = []
    for _ in range(repeats):
        clock = time.perf_counter()
        action()
        times.append(time.perf_counter() - clock)
    return statistics.median(times) * 1000.0


def sandbox_costs(solution_folder: Path, repeats: int = 20) -> dict[str, Any]:
    """The sandbox's fixed costs, from the submission at `solution_folder` (the answer key)."""
    from grader.loading import load_submission
    from grader.sandbox import Sandbox

    loaded = load_submission(solution_folder)
    sources, function_modules = dict(loaded.sources), dict(loaded.function_modules)
    clock = time.perf_counter()
    sandbox = Sandbox(hidden_paths=(solution_folder.resolve().parent,))
    sandbox_start_ms = (time.perf_counter() - clock) * 1000.0
    try:
        opens, closes, bare_opens = [], [], []
        for _ in range(repeats):
            clock = time.perf_counter()
            session = sandbox.open_session(sources, function_modules=function_modules)
            opened = time.perf_counter()
            session.close()
            opens.append(opened - clock)
            closes.append(time.perf_counter() - opened)
        for _ in range(repeats):
            clock = time.perf_counter()
            session = sandbox.open_session(TRIVIAL_MODULE, function_modules={})
            bare_opens.append(time.perf_counter() - clock)
            session.close()

        small = np.zeros((1, 1))
        large = np.random.default_rng(0).standard_normal((100, 100))
        calls: list[tuple[tuple[Any, ...], dict[str, Any]]] = [((large,), {})] * BATCH_CALLS
        with sandbox.open_session(sources, function_modules=function_modules) as session:
            session.call("relu", small)  # the first call may pay for lazy set-up
            small_ms = _median_ms(lambda: session.call("relu", small), repeats * 5)
            large_ms = _median_ms(lambda: session.call("relu", large), repeats * 5)
            batch_ms = _median_ms(lambda: session.call_batch("relu", calls), repeats)
            X, parameters, Y = _network_case()
            AL, caches = session.call("model_forward", X, parameters)

            def watched_pair() -> None:
                session.call_watched_each("model_forward", [((X, parameters), {})] * 4)
                session.call_watched_each("model_backward", [((AL, Y, caches), {})] * 4)

            watched_pair()
            cpu = time.process_time()
            watched_ms = _median_ms(watched_pair, repeats * 5)
            watched_cpu_ms = (time.process_time() - cpu) * 1000.0 / (repeats * 5)
        layers = sandbox.isolation().get("layers", {})
    finally:
        sandbox.close()
    return {
        "repeats": repeats,
        "sandbox_start_ms": sandbox_start_ms,
        "worker_start_ms": statistics.median(opens) * 1000.0,
        "worker_start_trivial_module_ms": statistics.median(bare_opens) * 1000.0,
        "session_close_ms": statistics.median(closes) * 1000.0,
        "round_trip_1x1_ms": small_ms,
        "round_trip_100x100_ms": large_ms,
        "batched_call_100x100_ms": batch_ms / BATCH_CALLS,
        "watched_pair_ms": watched_ms,
        "watched_pair_trusted_cpu_ms": watched_cpu_ms,
        "isolation_layers": layers,
    }


@click.command(context_settings={"help_option_names": ["-h", "--help"]})
@click.option(
    "--repeats",
    type=click.IntRange(min=1),
    default=20,
    show_default=True,
    help="Runs of each operation; every figure is their median.",
)
def main(repeats: int) -> None:
    """Measure the sandbox's fixed costs here, as the user running this, and print them as
    JSON (milliseconds): sandbox start, worker start, session close, round trips, and the
    layers the worker got."""
    with tempfile.TemporaryDirectory(prefix="nngrade-sandbox-costs-") as folder:
        figures = sandbox_costs(write_answer_key(Path(folder)), repeats=repeats)
    click.echo(json.dumps(figures, sort_keys=True))


if __name__ == "__main__":
    main(prog_name="python -m bench.sandbox_costs")
