"""Run a command and measure it: wall time, CPU of the whole tree, peak memory of the tree.

CPU comes from ``wait4`` on the command's process: Linux adds to it every descendant the
tree reaped, so it counts the grading processes, the zygotes and the sandboxed workers.
Memory is sampled from /proc every `interval` seconds (PSS every third sample): the
command's process and all its descendants, summed. RSS counts a page shared by forked
processes once per process (an over-estimate for a fork-based sandbox); PSS splits shared
pages between their users and adds up to what the tree really occupies. Both peaks are
reported, with ``ru_maxrss`` (the largest single process).
"""

from __future__ import annotations

import os
import pwd
import subprocess
import threading
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

PAGE_BYTES = os.sysconf("SC_PAGE_SIZE")


@dataclass(frozen=True)
class MeasuredRun:
    """What one measured command cost.

    Attributes:
        command: the argument vector.
        returncode: its exit status (negative: killed by that signal).
        wall_seconds: from start to exit.
        cpu_seconds: user + system CPU of the command and every descendant it reaped.
        max_rss_bytes: ``ru_maxrss``, the largest resident set of any single process; it
            also counts what a process shared with its parent between fork and exec, so a
            big parent (the benchmark itself, late in a run) inflates it.
        peak_process_rss_bytes: the largest ``VmHWM`` (peak resident set since exec) of any
            process of the tree the sampler saw: what the process itself reached.
        peak_tree_rss_bytes: the largest sum of RSS over the tree seen by the sampler.
        peak_tree_pss_bytes: the same with PSS (shared pages split between processes).
        peak_processes: the most processes seen in the tree at once.
        peak_pss_at_seconds: when the PSS peak was seen, from the start.
        peak_pss_by_level: the PSS of each level of the tree at that moment.
        pss_timeline_bytes: the largest PSS of each 2-second slice of the run.
        samples: how many times the tree was sampled.
    """

    command: tuple[str, ...]
    returncode: int
    wall_seconds: float
    cpu_seconds: float
    max_rss_bytes: int
    peak_process_rss_bytes: int
    peak_tree_rss_bytes: int
    peak_tree_pss_bytes: int
    peak_processes: int
    peak_pss_at_seconds: float
    peak_pss_by_level: dict[str, int]
    pss_timeline_bytes: list[int]
    samples: int


def _parent_of(pid: int) -> int | None:
    try:
        with open(f"/proc/{pid}/stat", "rb") as stat:
            text = stat.read()
    except OSError:
        return None
    # The command name (field 2) may hold spaces and parentheses: split after the last ')'.
    return int(text[text.rindex(b")") + 2 :].split()[1])


def process_tree(root: int) -> dict[int, int]:
    """`root` and every live descendant of it, from /proc: pid -> depth (root: 0)."""
    children: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            parent = _parent_of(int(entry))
            if parent is not None:
                children.setdefault(parent, []).append(int(entry))
    tree: dict[int, int] = {}
    pending = [(root, 0)]
    while pending:
        pid, depth = pending.pop()
        tree[pid] = depth
        pending.extend((child, depth + 1) for child in children.get(pid, ()))
    return tree


def _rss_bytes(pid: int) -> int:
    try:
        with open(f"/proc/{pid}/statm", "rb") as statm:
            return int(statm.read().split()[1]) * PAGE_BYTES
    except (OSError, IndexError, ValueError):
        return 0


def _kib_field(path: str, name: bytes) -> int:
    """The field `name` (``Pss:``, ``VmHWM:``) of a /proc file counted in kB, in bytes; 0
    when the process is gone or the field is missing."""
    try:
        with open(path, "rb") as fields:
            for line in fields:
                if line.startswith(name):
                    return int(line.split()[1]) * 1024
    except (OSError, IndexError, ValueError):
        pass
    return 0


def _peak_rss_bytes(pid: int) -> int:
    """``VmHWM``: the most the process has had resident since its exec."""
    return _kib_field(f"/proc/{pid}/status", b"VmHWM:")


def _pss_bytes(pid: int) -> int:
    return _kib_field(f"/proc/{pid}/smaps_rollup", b"Pss:")


class TreeSampler:
    """Samples a process tree's memory in a background thread until `stop`.

    Besides the peaks it keeps when the PSS peak happened, the PSS of each level of the
    tree at that moment (level 0 is the command, 1 its children...), and a timeline: the
    largest PSS of each `TIMELINE_SECONDS` slice of the run, to tell a leak (a rising
    line) from a spike (one slice).
    """

    TIMELINE_SECONDS = 2.0
    PSS_EVERY = 3
    """PSS is read at every third sample: smaps_rollup costs about 0.5 ms per process, and
    the sampler must not take a noticeable share of the cores it measures."""

    def __init__(self, root: int, interval: float) -> None:
        self.root = root
        self.interval = interval
        self.peak_rss = 0
        self.peak_process_rss = 0
        self.peak_pss = 0
        self.peak_processes = 0
        self.peak_pss_at = 0.0
        self.peak_pss_by_level: dict[str, int] = {}
        self.timeline: list[int] = []
        self.samples = 0
        self._started = time.perf_counter()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="tree-sampler", daemon=True)

    def start(self) -> TreeSampler:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stop.set()
        self._thread.join()

    def sample(self) -> None:
        tree = process_tree(self.root)
        elapsed = time.perf_counter() - self._started
        self.peak_rss = max(self.peak_rss, sum(_rss_bytes(pid) for pid in tree))
        peaks = (_peak_rss_bytes(pid) for pid in tree)
        self.peak_process_rss = max(self.peak_process_rss, *peaks, 0)
        self.peak_processes = max(self.peak_processes, len(tree))
        self.samples += 1
        if (self.samples - 1) % self.PSS_EVERY:
            return
        pss = {pid: _pss_bytes(pid) for pid in tree}
        total = sum(pss.values())
        if total > self.peak_pss:
            self.peak_pss, self.peak_pss_at = total, elapsed
            levels: dict[str, int] = {}
            for pid, depth in tree.items():
                levels[f"level {depth}"] = levels.get(f"level {depth}", 0) + pss[pid]
            self.peak_pss_by_level = levels
        slot = int(elapsed // self.TIMELINE_SECONDS)
        self.timeline += [0] * (slot + 1 - len(self.timeline))
        self.timeline[slot] = max(self.timeline[slot], total)

    def _run(self) -> None:
        while not self._stop.is_set():
            self.sample()
            self._stop.wait(self.interval)


def run_measured(
    command: Sequence[str | Path],
    *,
    log: Path,
    cwd: Path | None = None,
    env: Mapping[str, str] | None = None,
    interval: float = 0.2,
    user: pwd.struct_passwd | None = None,
) -> MeasuredRun:
    """Run `command` to completion, its output into `log`, and measure it; as `user` (its
    uid, gid and no other group) when given."""
    argv = tuple(str(part) for part in command)
    log.parent.mkdir(parents=True, exist_ok=True)
    with open(log, "wb") as output:
        clock = time.perf_counter()
        process = subprocess.Popen(
            argv,
            cwd=cwd,
            env=None if env is None else dict(env),
            stdin=subprocess.DEVNULL,
            stdout=output,
            stderr=subprocess.STDOUT,
            user=None if user is None else user.pw_uid,
            group=None if user is None else user.pw_gid,
            extra_groups=None if user is None else [],
        )
        sampler = TreeSampler(process.pid, interval).start()
        try:
            # wait4, not Popen.wait: its rusage is this child's tree alone, whatever else
            # this process has run before.
            _, status, usage = os.wait4(process.pid, 0)
        except BaseException:  # Ctrl-C: leave nothing of ours running
            process.kill()
            process.wait()
            raise
        finally:
            sampler.stop()
        wall = time.perf_counter() - clock
        process.returncode = os.waitstatus_to_exitcode(status)
    return MeasuredRun(
        command=argv,
        returncode=process.returncode,
        wall_seconds=wall,
        cpu_seconds=usage.ru_utime + usage.ru_stime,
        max_rss_bytes=usage.ru_maxrss * 1024,
        peak_process_rss_bytes=sampler.peak_process_rss,
        peak_tree_rss_bytes=sampler.peak_rss,
        peak_tree_pss_bytes=sampler.peak_pss,
        peak_processes=sampler.peak_processes,
        peak_pss_at_seconds=sampler.peak_pss_at,
        peak_pss_by_level=sampler.peak_pss_by_level,
        pss_timeline_bytes=sampler.timeline,
        samples=sampler.samples,
    )


def tail(log: Path, lines: int = 15) -> str:
    """The last `lines` lines of a log, to show why a command failed."""
    try:
        text = log.read_text(encoding="utf-8", errors="replace")
    except OSError:
        return ""
    return "\n".join(text.splitlines()[-lines:])
