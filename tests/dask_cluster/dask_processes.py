"""A real Dask cluster for the tests: `dask scheduler` and `dask worker` as separate
processes, talking TCP on 127.0.0.1 only.

Each process is started in a session of its own, so that a worker can be killed with its
nanny and everything they started (`kill -9` of the process group: a machine lost), and so
that nothing outlives the test.
"""

from __future__ import annotations

import contextlib
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from distributed import Client

START_SECONDS = 120.0  # a worker takes a few seconds to start on a busy 2-core machine


class DaskProcesses:
    """A scheduler and named workers, started as `python -m dask ...` processes."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.scheduler_file = root / "scheduler.json"
        self.processes: dict[str, subprocess.Popen[bytes]] = {}
        self.address = ""

    def start_scheduler(self) -> str:
        self._start(
            "scheduler",
            "scheduler",
            "--host",
            "127.0.0.1",
            "--port",
            "0",
            "--no-dashboard",
            "--scheduler-file",
            str(self.scheduler_file),
        )
        deadline = time.monotonic() + START_SECONDS
        while not self._address_written():
            self._check_alive("scheduler")
            if time.monotonic() > deadline:
                raise TimeoutError(f"dask scheduler did not start: {self.log('scheduler')}")
            time.sleep(0.1)
        return self.address

    def start_worker(self, name: str) -> None:
        self._start(
            name,
            "worker",
            self.address,
            "--name",
            name,
            "--nthreads",
            "1",
            "--host",
            "127.0.0.1",
            "--no-dashboard",
            "--local-directory",
            str(self.root / name),
        )

    def wait_for_workers(self, count: int) -> None:
        with self.client() as client:
            client.wait_for_workers(count, timeout=START_SECONDS)

    def worker_address(self, name: str) -> str:
        with self.client() as client:
            workers = client.scheduler_info()["workers"]
        return next(address for address, info in workers.items() if info["name"] == name)

    def client(self) -> Client:
        return Client(self.address, timeout=30, set_as_default=False)

    def kill(self, name: str) -> None:
        """SIGKILL the process group of `name`: the worker, its nanny and their children."""
        process = self.processes.pop(name)
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=30)

    def stop(self) -> None:
        """Stop every process, workers first."""
        for name in [name for name in self.processes if name != "scheduler"] + ["scheduler"]:
            process = self.processes.pop(name, None)
            if process is None:
                continue
            with contextlib.suppress(ProcessLookupError):
                os.killpg(process.pid, signal.SIGTERM)
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(process.pid, signal.SIGKILL)
                process.wait(timeout=20)

    def log(self, name: str) -> str:
        return (self.root / f"{name}.log").read_text(errors="replace")[-3000:]

    def _start(self, name: str, *arguments: str) -> None:
        log = open(self.root / f"{name}.log", "wb")  # noqa: SIM115 (the process holds it)
        with log:
            self.processes[name] = subprocess.Popen(
                [sys.executable, "-m", "dask", *arguments],
                cwd=self.root,
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )

    def _address_written(self) -> bool:
        try:
            self.address = json.loads(self.scheduler_file.read_text())["address"]
        except (OSError, ValueError, KeyError):
            return False
        return True

    def _check_alive(self, name: str) -> None:
        if self.processes[name].poll() is not None:
            raise RuntimeError(f"dask {name} exited: {self.log(name)}")
