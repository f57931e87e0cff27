"""One submission's worker, as the hidden suites use it: import once, call many times."""

from __future__ import annotations

import logging
import math
import re
import signal
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from types import TracebackType
from typing import Any

import numpy as np

from grader.errors import (
    HostileValue,
    SandboxError,
    StudentCallError,
    StudentNotImplemented,
    StudentRaised,
    StudentTimeout,
    WorkerCrashed,
)
from grader.i18n import N_, Text
from grader.loading.problems import problem
from grader.sandbox import codec
from grader.sandbox.launcher import WorkerLauncher
from grader.sandbox.output import CappedStream
from grader.sandbox.process import Responder, WorkerProcess

LOG = logging.getLogger("grader.sandbox")

TEXT_CHARS = 4000
OUTPUT_JOIN_SECONDS = 2.0
BROKEN = ("import_timeout", "import_crashed")


# What a reply may weigh, from what was asked: per call, this many times the bytes of the
# arguments, plus some room (a cost list, a dict of gradients, handles), and never less
# than the floor. A reply announcing more is refused from its header, unread.
STUB_MESSAGE = re.compile(r"(\w+) is not implemented yet\.")
"""What an untouched stub of the handout raises (grader.authoring.fences)."""

MAX_STATEMENT_FAILURES = 20
STUDENT_FILE = re.compile(r"exercises/(\w{1,100})\.py")
"""How the worker names a submission's module in a traceback (relative to its scratch)."""
IDENTIFIER = re.compile(r"[A-Za-z_]\w{0,99}")
SOURCE_CHARS = 200
MAX_LINE = 10_000_000
MAX_CALL_INDEX = 1 << 31
CELL_MARKER = re.compile(r"# code cell (\d+)")
"""The line the loader puts before each code cell of a notebook (grader.loading.notebook)."""

REPLY_FACTOR = 8
REPLY_ROOM_BYTES = 64 << 10
REPLY_FLOOR_BYTES = 4 << 20


def _texts(fields: Mapping[str, Any], *names: str) -> list[str] | None:
    """The named fields of an untrusted reply, if every one of them is a string."""
    found = [fields.get(name) for name in names]
    if not all(type(text) is str for text in found):
        return None
    return [str(text) for text in found]


def _holds_handle(value: Any, depth: int = 0) -> bool:
    """Whether a value holds an object that stayed in the worker."""
    if type(value) is codec.Handle:
        return True
    if depth >= codec.MAX_DEPTH:
        return True
    if type(value) in (list, tuple):
        return any(_holds_handle(item, depth + 1) for item in value)
    if type(value) is dict:
        return any(_holds_handle(item, depth + 1) for item in value.values())
    return False


def _plain(value: Any, depth: int = 0) -> bool:
    """Whether `value` is plain data the codec sends as such (an answer must be)."""
    kind = type(value)
    if value is None or kind in (bool, int, float, str):
        return True
    if kind is np.ndarray:
        return value.dtype.str in codec.DTYPES
    if isinstance(value, np.generic):
        return np.dtype(type(value)).str in codec.DTYPES
    if depth >= codec.MAX_DEPTH:
        return False
    if kind in (list, tuple):
        return all(_plain(item, depth + 1) for item in value)
    if kind is dict:
        return all(type(k) is str and _plain(item, depth + 1) for k, item in value.items())
    return False


def _argument_bytes(value: Any, depth: int = 0) -> int:
    """The bytes of the arrays (and a little per other leaf) inside a call's arguments."""
    kind = type(value)
    if kind is np.ndarray:
        return int(value.nbytes)
    if kind is codec.SharedArray:
        return value.nbytes
    if depth < codec.MAX_DEPTH and (kind is list or kind is tuple or kind is dict):
        total = 0  # a loop, not sum() over a generator: this runs for every request
        for item in value.values() if kind is dict else value:
            total += _argument_bytes(item, depth + 1)
        return total
    return 16


def reply_bytes_cap(op: str, value: Any, extra: Mapping[str, Any] | None = None) -> int:
    """The largest reply the trusted side reads for request `op` with `value` (see above)."""
    if op in ("batch", "watched_batch") and type(value) is list:
        calls, per_call = len(value), max((_argument_bytes(c) for c in value), default=0)
    elif op == "perturbed":
        targets = (extra or {}).get("targets") or []
        arrays = [codec.float_array_at(value, path) for path in targets]
        calls = 2 * sum(a.size for a in arrays if a is not None)
        per_call = _argument_bytes(value)
    else:
        calls, per_call = 1, _argument_bytes(value)
    wanted = calls * (REPLY_FACTOR * per_call + REPLY_ROOM_BYTES)
    return min(codec.MAX_JSON_BYTES + codec.MAX_BLOB_BYTES, max(REPLY_FLOOR_BYTES, wanted))


ArgumentPath = Sequence[str | int]
"""Where an array sits in a call's arguments, e.g. ``("args", 1, "W2")``."""


SHARED_ALIGNMENT = 64


def _path_text(path: Sequence[Any]) -> str:
    """``["args", 1]`` -> ``"args[1]"``, ``["kwargs", "parameters", "W1"]`` ->
    ``"kwargs['parameters']['W1']"``."""
    return str(path[0]) + "".join(f"[{key!r}]" for key in path[1:])


def _changed(now: bytes | bytearray, before: bytes | bytearray, dtype: str) -> bool:
    """Whether an argument's bytes now hold other values than before: writing -0.0 over
    0.0, or NaN over NaN, changes nothing a caller could see."""
    if now == before:
        return False
    if len(now) != len(before):
        return True
    kind = np.dtype(dtype)
    old, new = np.frombuffer(before, dtype=kind), np.frombuffer(now, dtype=kind)
    return not np.array_equal(old, new, equal_nan=kind.kind in "fc")


SharedLayout = list[list[Any]]
"""Where a call's shared arguments are: ``[path, dtype, shape, offset]`` per array."""


class _SharedArguments:
    """The array arguments of one request's calls, moved to the shared memory.

    Each array the codec would send as one (an exact ndarray of one of its dtypes, inside
    lists, tuples and dicts with str keys) is written there, aligned, and travels as a
    `codec.SharedArray` naming its place; the worker calls the student on views of it.

    Attributes:
        layouts: per call added, where its arrays are (in `codec.array_items` order).
        end: the offset where the next call's arguments may start.
    """

    def __init__(self) -> None:
        self.layouts: list[SharedLayout] = []
        self.end = 0
        self._chunks: list[tuple[int, bytes]] = []

    def add(self, call: Any) -> Any:
        """`call` (``(args, kwargs)``) as it is to be sent."""
        layout: SharedLayout = []

        def walk(node: Any, path: list[Any], depth: int) -> Any:
            kind = type(node)
            if kind is np.ndarray:
                if node.dtype.str not in codec.DTYPES:
                    return node  # the codec sends it another way (or refuses it)
                data = node.tobytes()
                layout.append([path, node.dtype.str, list(node.shape), self.end])
                self._chunks.append((self.end, data))
                shared = codec.SharedArray(node.dtype.str, node.shape, self.end, len(data))
                self.end += -(-len(data) // SHARED_ALIGNMENT) * SHARED_ALIGNMENT or SHARED_ALIGNMENT
                return shared
            if depth >= codec.MAX_DEPTH:
                return node
            if kind is list:
                return [walk(item, [*path, index], depth + 1) for index, item in enumerate(node)]
            if kind is tuple:
                return tuple([walk(item, [*path, i], depth + 1) for i, item in enumerate(node)])
            if kind is dict and all(type(key) is str for key in node):
                return {key: walk(item, [*path, key], depth + 1) for key, item in node.items()}
            return node

        args, kwargs = call
        sent = (walk(args, ["args"], 1), walk(kwargs, ["kwargs"], 1))
        self.layouts.append(layout)
        return sent

    def region(self) -> bytearray:
        """What the shared memory must hold from 0 to `end`: each array's bytes at its
        offset, zeros elsewhere."""
        region = bytearray(self.end)
        for offset, data in self._chunks:
            region[offset : offset + len(data)] = data
        return region


def _mutated(now: bytes, layout: SharedLayout, region: bytearray) -> list[str]:
    """The paths of the arguments of one call that it changed (see `_changed`): `region` is
    what the shared memory held before (`_SharedArguments.region`), `now` what it holds
    after (shorter if the worker shrank it)."""
    changed = []
    for path, dtype, shape, offset in layout:
        end = offset + math.prod(shape) * np.dtype(dtype).itemsize
        if _changed(now[offset:end], region[offset:end], dtype):
            changed.append(_path_text(path))
    return changed


def _done_before(reply: Mapping[str, Any], result: Any, calls: int) -> list[Any]:
    """The values a batch's worker sent back with a failure: those of the calls before the
    one that failed (its `index`), or none when they do not add up."""
    index = reply.get("index")
    if type(index) is int and 0 <= index <= calls and type(result) is list and len(result) == index:
        return result
    return []


@dataclass(frozen=True)
class WatchedCalls:
    """What `StudentSession.call_watched_each` gives back.

    Attributes:
        done: ``(value, mutated)`` of each call that returned, in the order of the calls,
            up to the one that did not (as `StudentSession.call_watched` gives them).
        error: why the next call gave no value (it raised, timed out, ...), or None when
            every call returned.
    """

    done: list[tuple[Any, list[str]]]
    error: StudentCallError | None


def module_path(module: str) -> Text | str:
    """How a student module is named in messages, e.g. ``exercises/activations.py``."""
    return Text(N_("your notebook")) if module == "notebook" else f"exercises/{module}.py"


def _ending_words(ending: Mapping[str, Any] | None) -> Text:
    """How a worker ended, in words: from the numbers the zygote reported, checked."""
    number = ending.get("signal") if ending is not None else None
    code = ending.get("code") if ending is not None else None
    if type(number) is int and 0 < number < 128:
        try:
            name = signal.Signals(number).name
        except ValueError:
            name = "?"
        how = Text("it was killed by signal %(number)s (%(name)s)", number=number, name=name)
        if number in (9, 24):  # SIGKILL or SIGXCPU: usually the CPU-time limit
            return Text(
                "%(how)s: it probably ran out of CPU time or was stopped by the grader.",
                how=how,
            )
        if number == 11:
            return Text("%(how)s: a segmentation fault (invalid memory access).", how=how)
        return Text("%(how)s.", how=how)
    if type(code) is int:
        return Text("it exited with code %(code)s.", code=code)
    return Text(N_("it stopped for an unknown reason."))


def _out_of_cpu_time(ending: Mapping[str, Any] | None, cpu_limit: float) -> bool:
    """Whether the worker was stopped by its CPU-time limit: a timeout, not a crash."""
    if ending is None:
        return False
    if ending.get("signal") == 24:  # SIGXCPU: the soft limit
        return True
    cpu = ending.get("cpu")
    # The hard limit (one second later) is a SIGKILL; only the CPU used tells it apart.
    return ending.get("signal") == 9 and isinstance(cpu, float) and cpu >= cpu_limit - 0.05


class _StaleHandle(Exception):
    def __init__(self, handle: codec.Handle) -> None:
        self.handle = handle


class StudentSession:
    """One submission's worker. Use it as a context manager.

    The worker restarts transparently after a timeout or crash (re-importing the modules,
    except one whose import itself timed out or crashed: that one stays broken).

    Attributes:
        module_status: module -> "loaded" | "import_error" | "import_timeout" | "import_crashed".
        module_problems: ``{"path", "line", "code", "message"}`` for each module that failed.
        worker_starts: how many workers this session has started.
    """

    def __init__(
        self,
        launcher: WorkerLauncher,
        sources: Mapping[str, str],
        function_modules: Mapping[str, str],
        *,
        on_close: Callable[[StudentSession], None] | None = None,
    ) -> None:
        self._launcher = launcher
        self._on_close = on_close
        self._limits = launcher.limits
        self._modules = list(sources)
        self._sources = dict(sources)
        self._failures_reported: set[str] = set()
        self._substitutes: dict[str, Callable[..., Any]] = {}
        # The substituted functions that answered a call since `substitute` was last called.
        self.answered: set[str] = set()
        self._function_modules = dict(function_modules)
        self.module_status: dict[str, str] = {}
        self.module_problems: list[dict[str, Any]] = []
        # Values graded other than as sent (an ndarray subclass as its plain values): notes
        # for the student, never points.
        self.value_notes: list[dict[str, Any]] = []
        self.worker_starts = 0
        self._cpu_done = 0.0
        self._spent = 0.0
        self._timed_out: dict[str, float] = {}  # function -> the deadline it exceeded
        self._worker: WorkerProcess | None = None
        self._retired: list[WorkerProcess] = []
        self._stdout = CappedStream(self._limits.output_bytes)
        self._stderr = CappedStream(self._limits.output_bytes)
        self._closed = False
        self._staged = launcher.stage(sources)
        try:
            for module in self._modules:
                self._import(module)
        except BaseException:
            self.close()
            raise

    # -- the public surface -------------------------------------------------------------

    @property
    def cpu_seconds(self) -> float:
        """CPU used by this session's ended workers, as the zygote measured it when reaping
        them: every worker's, once the session is closed."""
        return self._cpu_done

    def call(self, function: str, *args: Any, **kwargs: Any) -> Any:
        """``function(*args, **kwargs)`` in the worker; its value, decoded."""
        return self._invoke("call", function, (args, kwargs), None)

    def call_batch(
        self, function: str, calls: Sequence[tuple[tuple, dict]], *, pick: int | None = None
    ) -> list[Any]:
        """Many calls of `function` in one round trip and one deadline.

        With ``pick=k``, only element k of each tuple result comes back (the rest, e.g. a
        cache, is dropped in the worker).
        """
        batch = [(tuple(args), dict(kwargs)) for args, kwargs in calls]
        return self._invoke("batch", function, batch, pick)

    def call_perturbed(
        self,
        function: str,
        args: Sequence[Any],
        kwargs: Mapping[str, Any],
        *,
        targets: Sequence[ArgumentPath],
        step: float,
        pick: int | None = None,
        stacked: bool = False,
    ) -> list[Any] | np.ndarray:
        """The evaluations of central differences around one call, in one round trip.

        The base call ``function(*args, **kwargs)`` crosses once, with the paths of the
        arrays to perturb; the worker does the rest. For each target in order, for each
        flat entry i of its array in C order, `function` runs on fresh copies of the base
        arguments with entry i set to ``x_i + step``, then to ``x_i - step``: the inputs
        of `grader.gradcheck.perturbed_inputs`, bit for bit, in its order.

        Args:
            function: the student function.
            args, kwargs: the base arguments.
            targets: one path per array to perturb, each an exact float64 ndarray of the
                base arguments: ``("args", 0)``, ``("args", 1, "W2")`` or
                ``("kwargs", "parameters", "W1")`` (see `codec.float_array_at`).
            step: the finite-difference step h.
            pick: as in `call_batch`.
            stacked: return the values as the worker stacked them, one ndarray of shape
                (2·n, *result shape), when it did (all results ndarrays of one dtype and
                shape), so that a caller can check and use them at once; otherwise (and
                always when False) the list.

        Returns:
            The 2·n values (n: the targets' total size), as `call_batch` on the perturbed
            copies would return them, or (`stacked`) their stack, row i being value i.

        Raises:
            SandboxError: a target does not name an exact float64 ndarray of the arguments,
                or the step is not a finite float.
        """
        call = (tuple(args), dict(kwargs))
        paths = [list(path) if type(path) in (list, tuple) else path for path in targets]
        count = 0
        for path in paths:
            array = codec.float_array_at(call, path)
            if array is None:
                raise SandboxError(
                    f"The perturbation target {path!r} of `{function}` is not a float64 "
                    "ndarray among its arguments."
                )
            count += 2 * array.size
        if type(step) not in (float, np.float64) or not math.isfinite(step):
            raise SandboxError(f"The finite-difference step {step!r} is not a finite float.")
        extra = {"targets": paths, "step": float(step)}
        values = self._invoke("perturbed", function, call, pick, extra)
        return self._perturbed_values(function, values, count, stacked=stacked)

    def _perturbed_values(
        self, function: str, values: Any, count: int, *, stacked: bool = False
    ) -> list[Any] | np.ndarray:
        """The list of results of a perturbed call, from the list or the stacked array the
        worker sent (the stack itself if `stacked`); a reply of any other form or size means
        the worker is not ours any more.
        """
        if type(values) is list and len(values) == count:
            return values
        if (
            type(values) is np.ndarray
            and values.dtype.str in codec.DTYPES
            and values.ndim >= 1
            and values.shape[0] == count
        ):
            if stacked:
                return values
            # Each result as call_batch gives it: an ndarray of the results' shape, also 0-d.
            return [values[index, ...] for index in range(count)]
        self._retire()
        raise HostileValue(
            function,
            Text(N_("the sandbox sent back a malformed set of results and was restarted")),
        )

    def call_watched(self, function: str, *args: Any, **kwargs: Any) -> tuple[Any, list[str]]:
        """Like `call`, and also which array arguments the function wrote into.

        Returns ``(value, mutated)`` where `mutated` lists argument paths such as
        ``"args[0]"`` or ``"kwargs['parameters']['W1']"``: the arrays that differ after the
        call from what was sent. The function works on views of memory shared with this
        process, which writes the arguments there and reads them back itself: the verdict
        is computed here, not in the worker.
        """
        shared = _SharedArguments()
        sent = shared.add((args, kwargs))
        region = shared.region()
        used: list[WorkerProcess] = []

        def share(worker: WorkerProcess) -> None:
            worker.share(region)
            used.append(worker)

        value = self._invoke("watched", function, sent, None, None, share)
        now = used[-1].shared_bytes(0, len(region))
        return value, _mutated(now, shared.layouts[0], region)

    def call_watched_each(self, function: str, calls: Sequence[tuple[tuple, dict]]) -> WatchedCalls:
        """`call_watched` of each call in turn, in one round trip and one deadline.

        The calls run one after the other until one fails; the values of those before it
        come back all the same, so that a caller can check them in order, as it would
        check single calls, before it meets the failure (a student's error, a timeout, a
        crash: `WatchedCalls.error`, never raised). Errors of the grader's own making (an
        argument the sandbox cannot send) are raised.
        """
        shared = _SharedArguments()
        batch = [shared.add((tuple(args), dict(kwargs))) for args, kwargs in calls]
        region = shared.region()
        used: list[WorkerProcess] = []

        def share(worker: WorkerProcess) -> None:
            worker.share(region)
            used.append(worker)

        partial: list[Any] = []
        error: StudentCallError | None = None
        try:
            values = self._invoke("watched_batch", function, batch, None, None, share, partial)
        except StudentCallError as failed:
            values, error = partial, failed
        if error is None and (type(values) is not list or len(values) != len(batch)):
            self._retire()
            values, error = (
                [],
                HostileValue(
                    function,
                    Text(N_("the sandbox sent back a malformed set of results and was restarted")),
                ),
            )
        now = used[-1].shared_bytes(0, len(region)) if values else b""
        done = [
            (value, _mutated(now, layout, region))
            for value, layout in zip(values, shared.layouts, strict=False)
        ]
        return WatchedCalls(done, error)

    def substitute(self, functions: Mapping[str, Callable[..., Any]]) -> None:
        """From now on, answer the student's calls of these contract functions (by name)
        with the given implementations, run here, while another of its functions runs.

        The calls a function under test makes to, say, a buggy `linear_backward` then get
        correct values, so the bug costs the points of `linear_backward` alone. An
        implementation sees the arguments as plain data; when it cannot answer (an argument
        is an object of the student's, such as a cache of its own making, or it raises), the
        student's own function runs instead. A function is never substituted for itself.
        `answered` starts empty again.
        """
        self._substitutes = dict(functions)
        self.answered = set()

    def _respond(self, function: Any, call: Any) -> tuple[str, Any]:
        """Answer one callback of the worker (see `substitute`), or decline it."""
        implementation = self._substitutes.get(function) if type(function) is str else None
        if implementation is None or type(call) is not tuple or len(call) != 2:
            return "decline", None
        args, kwargs = call
        if type(args) is not tuple or type(kwargs) is not dict or _holds_handle(call):
            return "decline", None
        try:
            value = implementation(*args, **kwargs)
        except Exception:  # the student's own data, not ours to judge: its function runs
            return "decline", None
        if _holds_handle(value) or not _plain(value):
            return "decline", None
        self.answered.add(function)
        return "answer", value

    def has_function(self, function: str) -> bool:
        """Whether `function` is defined (and callable) in its module."""
        module = self._function_modules.get(function)
        if module is None or self.module_status.get(module) != "loaded":
            return False
        return self._invoke("has", function, None, None) is True

    def output(self) -> dict[str, Any]:
        """What the student's code printed: ``{"stdout", "stderr", "truncated"}``, capped."""
        for worker in (*self._retired, self._worker):
            if worker is not None:
                worker.settle_output()
        return {
            "stdout": self._without_scratch(self._stdout.text()),
            "stderr": self._without_scratch(self._stderr.text()),
            "truncated": self._stdout.truncated or self._stderr.truncated,
        }

    def _without_scratch(self, text: str) -> str:
        """Output with the working folder's path removed: warnings and tracebacks name files
        by it, and a result document must not change from one grading to the next."""
        for folder in {self._staged.scratch.rstrip("/"), self._staged.folder.rstrip("/")}:
            text = text.replace(folder + "/", "").replace(folder, ".")
        return text

    def close(self) -> None:
        """Kill the worker and everything it started; discard the staged modules.

        Never raises: whatever the student's code left behind, the next session must open.
        """
        if self._closed:
            return
        self._closed = True
        try:
            self._retire()
            for worker in self._retired:
                worker.join_output(OUTPUT_JOIN_SECONDS)
        except Exception:
            LOG.exception("Closing a student session failed; the sandbox goes on.")
        finally:
            self._launcher.discard(self._staged)
            if self._on_close is not None:
                self._on_close(self)

    def __enter__(self) -> StudentSession:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        self.close()

    # -- the worker ---------------------------------------------------------------------

    def _remaining(self) -> float:
        return self._limits.wall_seconds_per_submission - self._spent

    def _retire(self) -> dict[str, Any] | None:
        worker, self._worker = self._worker, None
        if worker is None:
            return None
        ending = worker.stop()
        if ending is not None:
            self._cpu_done += float(ending.get("cpu") or 0.0)
        self._retired.append(worker)
        return ending

    def _ensure_worker(self) -> WorkerProcess:
        if self._worker is not None:
            return self._worker
        if self._closed:
            raise SandboxError("This grading session is closed; open a new one.")
        while self._worker is None:
            broken = [m for m, status in self.module_status.items() if status in BROKEN]
            self._worker = self._launcher.start(
                self._staged,
                self._modules,
                broken,
                self._function_modules,
                self._stdout,
                self._stderr,
            )
            self.worker_starts += 1
            # A module that now fails is marked broken and the loop starts a fresh worker.
            for module in [m for m in self._modules if self.module_status.get(m) == "loaded"]:
                self._import(module)
                if self._worker is None:
                    break
        return self._worker

    def _exchange(
        self,
        function: str,
        envelope: dict[str, Any],
        value: Any,
        seconds: float,
        max_reply_bytes: int = REPLY_FLOOR_BYTES,
        prepare: Callable[[WorkerProcess], None] | None = None,
        responder: Responder | None = None,
    ) -> tuple[dict[str, Any], Any]:
        """One round trip; every way it can go wrong ends the worker and raises for the student.

        `prepare` is given the worker that will answer, right before the request goes.
        """
        worker = self._ensure_worker()
        if prepare is not None:
            prepare(worker)
        started = time.monotonic()
        try:
            return worker.exchange(
                envelope, value, started + seconds, self._argument, max_reply_bytes, responder
            )
        except codec.ChannelTimeout:
            self._retire()
            self._timed_out[function] = round(seconds, 3)
            raise StudentTimeout(function, round(seconds, 3)) from None
        except codec.ChannelClosed:
            ending = self._retire()
            if _out_of_cpu_time(ending, self._limits.cpu_seconds):
                self._timed_out[function] = self._limits.cpu_seconds
                raise StudentTimeout(function, self._limits.cpu_seconds) from None
            raise WorkerCrashed(function, _ending_words(ending)) from None
        except codec.ReplyTooLarge as error:
            self._retire()
            raise HostileValue(
                function,
                Text(
                    "its reply holds %(size)s bytes where at most %(cap)s were expected for its "
                    "arguments; the sandbox was restarted",
                    size=error.size,
                    cap=error.cap,
                ),
            ) from None
        except codec.FrameError as error:
            self._retire()
            LOG.warning("The worker's reply to `%s` was refused: %s.", function, error)
            raise HostileValue(
                function,
                Text(
                    N_(
                        "it sent back something the grader cannot read (not plain data); the "
                        "sandbox was restarted"
                    )
                ),
            ) from None
        except codec.TooComplex as error:
            raise SandboxError(f"The arguments for `{function}` are too large: {error}.") from None
        except _StaleHandle as stale:
            raise WorkerCrashed(
                function,
                Text(
                    "the sandbox restarted after an earlier timeout or crash, so the %(type)s "
                    "object it returned before no longer exists",
                    type=stale.handle.type_name,
                ),
            ) from None
        finally:
            self._spent += time.monotonic() - started

    def _argument(self, value: Any) -> list[Any]:
        if type(value) is codec.Handle:
            worker = self._worker
            if worker is None or value.generation != worker.generation:
                raise _StaleHandle(value)
            return [value.generation, value.id]
        raise SandboxError(
            f"Only plain data and handles can be sent to the sandbox, not {type(value).__name__}."
        )

    def _invoke(
        self,
        op: str,
        function: str,
        value: Any,
        pick: int | None,
        extra: Mapping[str, Any] | None = None,
        prepare: Callable[[WorkerProcess], None] | None = None,
        partial: list[Any] | None = None,
    ) -> Any:
        """One request for the student's `function`; its value, or the error it comes to.

        With `partial` (a batch whose worker may send the values before a failure), those
        values are added to `partial` before the error is raised.
        """
        module = self._function_modules.get(function)
        if module is None:
            raise StudentNotImplemented(
                function,
                Text("Your submission does not define `%(function)s`.", function=function),
            )
        if module not in self.module_status:
            raise StudentNotImplemented(
                function,
                Text(
                    "%(file)s is missing, so `%(function)s` is not defined.",
                    file=module_path(module),
                    function=function,
                ),
            )
        if self.module_status[module] != "loaded":
            raise StudentNotImplemented(
                function,
                Text(
                    "`%(function)s` cannot be graded: %(file)s could not be imported.",
                    function=function,
                    file=module_path(module),
                ),
            )
        if function in self._timed_out:
            # Running an endless function again would only burn the submission's budget
            # that the student's other functions need.
            raise StudentTimeout(function, self._timed_out[function], repeated=True)
        remaining = self._remaining()
        if remaining <= 0:
            raise StudentTimeout(function, self._limits.wall_seconds_per_submission, budget=True)
        seconds = min(self._limits.wall_seconds_per_call, remaining)
        envelope = {"op": op, "function": function, "pick": pick, **(extra or {})}
        endless = sorted(name for name in self._timed_out if name in self._function_modules)
        if endless:
            envelope["endless"] = endless
        substituted = sorted(n for n in self._substitutes if n != function)
        responder = None
        if substituted and op in ("call", "batch", "perturbed", "watched", "watched_batch"):
            envelope["substitute"] = substituted
            responder = self._respond
        cap = reply_bytes_cap(op, value, extra)
        reply, result = self._exchange(function, envelope, value, seconds, cap, prepare, responder)
        try:
            return self._result(function, module, reply, result)
        except StudentCallError:
            if partial is not None and type(value) is list:
                partial.extend(_done_before(reply, result, len(value)))
            raise

    def _result(self, function: str, module: str, reply: dict[str, Any], result: Any) -> Any:
        kind = reply.get("kind")
        if kind == "ok":
            converted = reply.get("converted")
            if type(converted) is list and converted:
                self._note_converted(function, module, [str(c) for c in converted[:5]])
            return result
        if kind == "missing":
            raise StudentNotImplemented(
                function,
                Text(
                    "%(file)s does not define `%(function)s`.",
                    file=module_path(module),
                    function=function,
                ),
            )
        if kind == "not_implemented":
            detail = reply.get("detail")
            stub = STUB_MESSAGE.fullmatch(detail) if type(detail) is str else None
            if not detail or (stub is not None and stub.group(1) == function):
                raise StudentNotImplemented(
                    function,
                    Text(
                        "`%(function)s` is not implemented yet: it raises NotImplementedError.",
                        function=function,
                    ),
                )
            if stub is not None and stub.group(1) in self._function_modules:
                raise StudentNotImplemented(
                    function,
                    Text(
                        "`%(function)s` calls `%(other)s`, which is not implemented yet.",
                        function=function,
                        other=stub.group(1),
                    ),
                    via=stub.group(1),
                )
            # The student's own NotImplementedError ("tanh not supported yet"): an error of
            # their code, with their words.
            kind = "raised"
        inner = reply.get("function")
        if kind == "endless" and type(inner) is str and inner in self._timed_out:
            # Checked against our own record: the worker cannot make up a timeout.
            raise StudentTimeout(function, self._timed_out[inner], repeated=True, via=inner)
        fields = _texts(reply, "type", "detail", "traceback")
        if kind == "raised" and fields is not None:
            name, detail, trace = (self._clean(text) for text in fields)
            index = reply.get("index")
            raised = StudentRaised(
                function,
                name[: codec.TYPE_NAME_CHARS],
                detail,
                trace,
                index=index if type(index) is int and 0 <= index < MAX_CALL_INDEX else 0,
            )
            self._locate(raised, reply.get("where"))
            raise raised
        self._retire()
        raise HostileValue(
            function, Text(N_("its sandbox sent a reply the grader does not understand"))
        )

    def _locate(self, raised: StudentRaised, where: Any) -> None:
        """Fill in where the student's code raised, from the worker's untrusted `where`
        (``{"file", "line", "source", "function"}``): kept only when every field has the
        expected type and size and the file is one of the submission's modules."""
        if type(where) is not dict:
            return
        file, line = where.get("file"), where.get("line")
        texts = _texts(where, "source", "function")
        if type(file) is not str or type(line) is not int or texts is None:
            return
        found = STUDENT_FILE.fullmatch(file)
        if found is None or found.group(1) not in self._sources or not 0 < line <= MAX_LINE:
            return
        source, inner = texts
        raised.place = self._where(found.group(1), line)[0]
        raised.source = " ".join(codec.clean_text(source, SOURCE_CHARS).split())
        if IDENTIFIER.fullmatch(inner) and inner != raised.function:
            raised.inner_function = inner

    def _note_converted(self, function: str, module: str, types: list[str]) -> None:
        if any(note["function"] == function for note in self.value_notes):
            return
        names = ", ".join(codec.clean_text(name, codec.TYPE_NAME_CHARS) for name in types)
        note = problem(
            f"{module}.py",
            "ndarray_subclass",
            Text(
                "`%(function)s` returned a %(types)s (a subclass of numpy's ndarray); it was "
                "graded as a plain array of the same values. Return a plain np.ndarray: a "
                "subclass such as np.matrix changes what * and indexing mean.",
                function=function,
                types=names,
            ),
        )
        self.value_notes.append({**note, "function": function})

    def _clean(self, text: str) -> str:
        return codec.clean_text(self._without_scratch(text), TEXT_CHARS)

    # -- imports ------------------------------------------------------------------------

    def _import(self, module: str) -> None:
        seconds = min(self._limits.import_seconds, self._remaining())
        if seconds <= 0:
            self._broken(module, "import_timeout", None, self._timeout_message(module))
            return
        try:
            reply, _ = self._exchange(module, {"op": "import", "module": module}, None, seconds)
        except StudentTimeout:
            self._broken(module, "import_timeout", None, self._timeout_message(module))
            return
        except WorkerCrashed as crash:
            self._broken(
                module,
                "import_crashed",
                None,
                Text(
                    "The sandbox stopped while importing %(file)s: %(detail)s",
                    file=module_path(module),
                    detail=crash.detail,
                ),
            )
            return
        except HostileValue:
            self._broken(
                module,
                "import_crashed",
                None,
                Text(
                    "Importing %(file)s broke the sandbox's channel; the sandbox was restarted.",
                    file=module_path(module),
                ),
            )
            return
        if reply.get("kind") == "imported":
            self.module_status[module] = "loaded"
            if module not in self._failures_reported:
                self._failures_reported.add(module)  # a restarted worker runs it again
                self._report_statements(module, reply.get("failures"))
            return
        fields = _texts(reply, "type", "detail")
        line = reply.get("line")
        if reply.get("kind") != "import_error" or fields is None:
            self._retire()
            self._broken(
                module,
                "import_crashed",
                None,
                Text(
                    "Importing %(file)s failed: the sandbox sent a malformed reply.",
                    file=module_path(module),
                ),
            )
            return
        name, detail = (self._clean(text) for text in fields)
        name = name[: codec.TYPE_NAME_CHARS]
        if type(line) is int and line > 0:
            place, shown_line = self._where(module, line)
            message = Text(
                "Importing %(file)s failed at %(place)s: %(type)s: %(detail)s",
                file=module_path(module),
                place=place,
                type=name,
                detail=detail,
            )
            self._broken(module, "import_error", shown_line, message)
            return
        message = Text(
            "Importing %(file)s failed: %(type)s: %(detail)s",
            file=module_path(module),
            type=name,
            detail=detail,
        )
        self._broken(module, "import_error", None, message)

    def _report_statements(self, module: str, failures: Any) -> None:
        """One problem per top-level statement (or notebook line) that raised while the
        module ran; the module itself is loaded, with what the other statements defined."""
        if type(failures) is not list:
            return
        for failure in failures[:MAX_STATEMENT_FAILURES]:
            if type(failure) is not dict:
                continue
            line, texts = failure.get("line"), _texts(failure, "type", "detail", "source")
            if type(line) is not int or line < 1 or texts is None:
                continue
            name = self._clean(texts[0])[: codec.TYPE_NAME_CHARS]
            detail = self._clean(texts[1]).rstrip(".")
            source = codec.clean_text(texts[2], 200)
            place, shown_line = self._where(module, line)
            self.module_problems.append(
                problem(
                    f"{module}.py" if module != "notebook" else "notebook",
                    "import_error",
                    Text(
                        "%(place)s: `%(source)s` raised %(type)s: %(detail)s. The rest was "
                        "loaded and graded; only what this line does is missing.",
                        place=place,
                        source=source,
                        type=name,
                        detail=detail,
                    ),
                    line=shown_line,
                )
            )

    def _where(self, module: str, line: int) -> tuple[Text, int]:
        """Where a line of a module is, for a student, and the line number to show: the
        file and line, or for a notebook the code cell and the line within it."""
        if module != "notebook":
            return Text("%(file)s, line %(line)s", file=module_path(module), line=line), line
        cell, first = None, 1
        for number, text in enumerate(self._sources.get(module, "").split("\n")[:line], 1):
            marker = CELL_MARKER.fullmatch(text)
            if marker:
                cell, first = int(marker.group(1)), number + 1
        if cell is None:
            return Text("your notebook, line %(line)s", line=line), line
        inside = line - first + 1
        return (
            Text("your notebook, code cell %(cell)s, line %(line)s", cell=cell, line=inside),
            inside,
        )

    def _timeout_message(self, module: str) -> Text:
        return Text(
            "Importing %(file)s did not finish in time (%(seconds)s s at most): top-level "
            'code must not run for long; put demos under `if __name__ == "__main__":`.',
            file=module_path(module),
            seconds=float(self._limits.import_seconds),
        )

    def _broken(self, module: str, code: str, line: int | None, message: Text) -> None:
        self.module_status[module] = code
        path = f"{module}.py"
        self.module_problems = [p for p in self.module_problems if p["path"] != path]
        self.module_problems.append(problem(path, code, message, line=line))
