"""The worker: the only process that runs student code.

Forked from the zygote, it confines itself (`confine.apply_layers`), says "ready", then
serves requests from the trusted process one at a time: import a student module, call a
function (or a batch of calls, or the central-difference evaluations around one call), tell
whether a function exists. Values cross in both directions through the codec; whatever is
not plain data stays here, in `_Handles`, and travels as a handle. Nothing in this process
is trusted by the other side.
"""

from __future__ import annotations
import __future__

import ast
import contextlib
import fcntl
import importlib
import importlib.abc
import importlib.machinery
import importlib.util
import math
import mmap
import os
import signal
import socket
import sys
import traceback
import types
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

import numpy as np

from grader.sandbox import codec, confine

TEXT_CHARS = 4000
SOCKET_FD = 3
PACKAGE = "exercises"


class _Handles:
    """Objects of this worker that the trusted side refers to by number."""

    def __init__(self, generation: int) -> None:
        self.generation = generation
        self.objects: dict[int, Any] = {}

    def keep(self, value: Any) -> list[Any]:
        number = len(self.objects) + 1
        self.objects[number] = value
        try:
            name = type(value).__qualname__
        except Exception:
            name = "object"
        return [self.generation, number, codec.clean_text(str(name), codec.TYPE_NAME_CHARS)]

    def resolve(self, body: list[Any]) -> Any:
        if len(body) != 2 or body[0] != self.generation or body[1] not in self.objects:
            raise codec.FrameError("the handle does not belong to this worker")
        return self.objects[body[1]]


class _ModuleAliases(importlib.abc.MetaPathFinder, importlib.abc.Loader):
    """Makes `import activations` the same module as `exercises.activations`.

    Modules whose import already failed (timed out or crashed in an earlier worker) raise
    ImportError at once, so that a module importing them fails fast instead of hanging.
    The grader's own packages cannot be imported (they are hidden on disk as well).
    """

    def __init__(self, modules: Sequence[str], broken: Sequence[str], forbidden: Sequence[str]):
        self.modules = set(modules)
        self.broken = set(broken)
        self.forbidden = set(forbidden)

    def find_spec(self, fullname: str, path: Any = None, target: Any = None) -> Any:
        if fullname.split(".")[0] in self.forbidden:
            raise ModuleNotFoundError(f"No module named {fullname!r}", name=fullname)
        name = fullname.removeprefix(PACKAGE + ".")
        if name in self.broken and fullname in (name, f"{PACKAGE}.{name}"):
            raise ImportError(f"{PACKAGE}/{name}.py could not be imported (see its own error).")
        if fullname in self.modules:
            return importlib.machinery.ModuleSpec(fullname, self)
        return None

    def create_module(self, spec: importlib.machinery.ModuleSpec) -> types.ModuleType:
        return importlib.import_module(f"{PACKAGE}.{spec.name}")

    def exec_module(self, module: types.ModuleType) -> None:
        """The aliased module was executed when `create_module` imported it."""


MAX_LOAD_FAILURES = 20


class _StatementLoader(importlib.machinery.SourceFileLoader):
    """Runs a student module the way Jupyter runs cells: one top-level statement at a time.

    A statement that raises (``import h5py``, a test cell calling a course helper, a demo
    that fails) is recorded in `failures` with its line and exception, and the next one
    still runs, so that every function the file defines is there; a name defined twice ends
    with its last definition.
    """

    def __init__(
        self, fullname: str, path: str, failures: dict[str, list[dict[str, Any]]], scratch: str
    ) -> None:
        super().__init__(fullname, path)
        self.failures = failures
        self.scratch = scratch

    def exec_module(self, module: types.ModuleType) -> None:
        source = self.get_data(self.path).decode("utf-8")
        tree = ast.parse(source, self.path)
        lines = source.split("\n")
        recorded = self.failures.setdefault(module.__name__.removeprefix(PACKAGE + "."), [])
        flags = 0
        for statement in tree.body:
            if isinstance(statement, ast.ImportFrom) and statement.module == "__future__":
                for alias in statement.names:
                    feature = getattr(__future__, alias.name, None)
                    flags |= getattr(feature, "compiler_flag", 0)
            code = compile(
                ast.Module(body=[statement], type_ignores=[]), self.path, "exec", flags=flags
            )
            try:
                exec(code, module.__dict__)
            except _Endless:
                raise
            except BaseException as error:
                if len(recorded) < MAX_LOAD_FAILURES:
                    name, detail, _ = _describe(error, self.scratch)
                    text = lines[statement.lineno - 1].strip() if statement.lineno else ""
                    recorded.append(
                        {
                            "line": statement.lineno,
                            "type": name,
                            "detail": detail,
                            "source": codec.clean_text(text, 200),
                        }
                    )


class _StatementFinder(importlib.abc.MetaPathFinder):
    """Gives the submission's own modules (``exercises.<name>``) the statement loader."""

    def __init__(
        self, modules: Sequence[str], scratch: str, failures: dict[str, list[dict[str, Any]]]
    ) -> None:
        self.modules = set(modules)
        self.scratch = scratch
        self.failures = failures

    def find_spec(self, fullname: str, path: Any = None, target: Any = None) -> Any:
        name = fullname.removeprefix(PACKAGE + ".")
        if fullname != f"{PACKAGE}.{name}" or name not in self.modules:
            return None
        location = os.path.join(self.scratch, PACKAGE, f"{name}.py")
        loader = _StatementLoader(fullname, location, self.failures, self.scratch)
        return importlib.util.spec_from_file_location(fullname, location, loader=loader)


def _student_frames(error: BaseException, scratch: str) -> list[traceback.FrameSummary]:
    frames = traceback.extract_tb(error.__traceback__)
    first = next((i for i, f in enumerate(frames) if f.filename.startswith(scratch)), len(frames))
    return list(frames[first:])


SOURCE_CHARS = 200


def _innermost(error: BaseException, scratch: str) -> dict[str, Any] | None:
    """Where the student's code raised `error`: the file (relative to the scratch folder),
    line, source text and function of the innermost frame in a student file; None when no
    frame of the traceback is in one."""
    try:
        frames = [f for f in _student_frames(error, scratch) if f.filename.startswith(scratch)]
        if not frames:
            return None
        frame = frames[-1]
        return {
            "file": codec.clean_text(frame.filename.removeprefix(scratch.rstrip("/") + "/"), 200),
            "line": int(frame.lineno or 0),
            "source": codec.clean_text((frame.line or "").strip(), SOURCE_CHARS),
            "function": codec.clean_text(str(frame.name), codec.TYPE_NAME_CHARS),
        }
    except BaseException:
        return None


def _describe(error: BaseException, scratch: str) -> tuple[str, str, str]:
    """(type name, message, traceback) of a student exception, capped, without the scratch path."""
    try:
        name = type(error).__name__
        detail = str(error)
    except BaseException:
        name, detail = "Exception", "(the exception could not be printed)"
    try:
        frames = _student_frames(error, scratch)
        text = "".join(traceback.format_list(frames)) + f"{name}: {detail}\n"
    except BaseException:
        text = f"{name}: {detail}\n"
    prefix = scratch.rstrip("/") + "/"
    return (
        codec.clean_text(str(name), codec.TYPE_NAME_CHARS),
        codec.clean_text(detail.replace(prefix, ""), TEXT_CHARS),
        codec.clean_text(text.replace(prefix, "")[-TEXT_CHARS:], TEXT_CHARS),
    )


class _Endless(BaseException):
    """Raised by a function that already ran past its deadline, when other student code
    calls it. A BaseException, so that a student's ``except Exception`` does not hide it."""

    def __init__(self, function: str) -> None:
        super().__init__(function)
        self.function = function


_ABSENT = object()
"""Marks, in an undo log, a name that was not there before (`_Worker.add_missing`)."""


def _endless_stand_in(name: str) -> Any:
    def stand_in(*args: Any, **kwargs: Any) -> Any:
        raise _Endless(name)

    stand_in.__name__ = stand_in.__qualname__ = name
    return stand_in


class _Worker:
    def __init__(self, sock: socket.socket, config: Mapping[str, Any]) -> None:
        self.sock = sock
        self.reader = codec.FrameReader(sock)
        self.scratch = str(config["scratch"])
        self.function_modules: dict[str, str] = dict(config["function_modules"])
        self.handles = _Handles(int(config["generation"]))
        self.endless: set[str] = set()
        self.shared_map: mmap.mmap | None = None
        self._namespaces: list[dict[str, Any]] | None = None
        self._modules_seen = 0

    def replace_endless(self, names: Any) -> None:
        """Make the student functions that timed out earlier fail at once when the student's
        other functions call them (``model_backward`` calling an endless ``relu_backward``)."""
        if type(names) is not list:
            return
        new = {n for n in names if type(n) is str and n in self.function_modules} - self.endless
        if not new:
            return
        self.endless |= new
        self.swap_functions({name: _endless_stand_in(name) for name in new})

    def swap_functions(self, stand_ins: Mapping[str, Any]) -> list[tuple[Any, Any, Any]]:
        """Put each stand-in in place of the student function of its name, and return what
        undoes it (`restore`).

        A module's global, or an entry of a table it holds (``{"relu": (relu, relu_backward)}``),
        is replaced when it is that very function: same name, defined in the same student
        file (a module imported in two styles holds two copies of it).
        """
        defined_in = {}
        for name in stand_ins:
            original = self.function(name)
            if isinstance(original, types.FunctionType):
                defined_in[name] = original.__code__.co_filename
        undo: list[tuple[Any, Any, Any]] = []

        def replaced(value: Any, depth: int) -> Any:
            if isinstance(value, types.FunctionType):
                name = value.__name__
                if defined_in.get(name) == value.__code__.co_filename:
                    return stand_ins[name]
                return value
            if depth >= 3:
                return value
            if type(value) is dict:
                for key, item in list(value.items()):
                    swap(value, key, item, depth)
            elif type(value) is list:
                for index, item in enumerate(list(value)):
                    swap(value, index, item, depth)
            elif type(value) is tuple:
                return tuple(replaced(item, depth + 1) for item in value)
            return value

        def swap(container: Any, key: Any, item: Any, depth: int) -> None:
            new = replaced(item, depth + 1)
            if new is not item:
                undo.append((container, key, item))
                container[key] = new

        for namespace in self.student_namespaces():
            for attribute, value in list(namespace.items()):
                if not attribute.startswith("__"):
                    swap(namespace, attribute, value, -1)
        return undo

    def student_namespaces(self) -> list[dict[str, Any]]:
        """The globals of every module loaded from the student's files (kept until a module
        is imported: a substitution looks at them for every request)."""
        if self._namespaces is None or len(sys.modules) != self._modules_seen:
            self._modules_seen = len(sys.modules)
            self._namespaces = [
                vars(module)
                for module in list(sys.modules.values())
                if str(getattr(module, "__file__", None) or "").startswith(self.scratch)
            ]
        return self._namespaces

    @staticmethod
    def restore(undo: list[tuple[Any, Any, Any]]) -> None:
        for container, key, original in reversed(undo):
            with contextlib.suppress(Exception):  # the student's code may have changed it
                if original is _ABSENT:
                    del container[key]
                else:
                    container[key] = original

    def add_missing(self, stand_ins: Mapping[str, Any]) -> list[tuple[Any, Any, Any]]:
        """Put each stand-in under its name in every student module that lacks the name (a
        function never defined, or imported from a course module the sandbox does not
        have); return what undoes it."""
        undo: list[tuple[Any, Any, Any]] = []
        for namespace in self.student_namespaces():
            for name, stand_in in stand_ins.items():
                if name not in namespace:
                    namespace[name] = stand_in
                    undo.append((namespace, name, _ABSENT))
        return undo

    def substituted(self, names: Any, seq: Any) -> list[tuple[Any, Any, Any]]:
        """While one request runs: the contract functions it names answered by the trusted
        side (which may decline: then the student's own function runs)."""
        if type(names) is not list:
            return []
        stand_ins, missing = {}, {}
        for name in names:
            if type(name) is str and name in self.function_modules:
                original = self.function(name)
                stand_in = self.callback_stand_in(name, original, seq)
                if callable(original):
                    stand_ins[name] = stand_in
                else:
                    missing[name] = stand_in
        undo = self.swap_functions(stand_ins) if stand_ins else []
        return undo + self.add_missing(missing) if missing else undo

    def callback_stand_in(self, name: str, original: Any, seq: Any) -> Any:
        def stand_in(*args: Any, **kwargs: Any) -> Any:
            self.send({"seq": seq, "kind": "callback", "function": name}, (args, kwargs))
            reply, value = self.reader.receive(None, make_handle=self.handles.resolve)
            if reply.get("kind") == "answer":
                return value
            if not callable(original):
                raise NameError(f"name {name!r} is not defined")
            return original(*args, **kwargs)

        stand_in.__name__ = stand_in.__qualname__ = name
        return stand_in

    def send(self, envelope: dict[str, Any], value: Any = None) -> None:
        for stream in (sys.stdout, sys.stderr):
            with contextlib.suppress(BaseException):
                stream.flush()
        converted: list[str] = []

        def plain(array: np.ndarray) -> np.ndarray:
            # An ndarray subclass (np.matrix, say) is graded as its values.
            name = codec.clean_text(str(type(array).__qualname__), codec.TYPE_NAME_CHARS)
            if name not in converted:
                converted.append(name)
            return array.view(np.ndarray)

        try:
            chunks = codec.encode(envelope, value, opaque=self.handles.keep, subclass=plain)
            if converted:
                envelope = {**envelope, "converted": converted}
                chunks = codec.encode(envelope, value, opaque=self.handles.keep, subclass=plain)
        except Exception:
            # Too big, too deep, or changing under our feet: the whole value stays here.
            chunks = codec.encode(envelope, _Whole(value), opaque=self.keep_whole)
        codec.send(self.sock, chunks)

    def keep_whole(self, value: Any) -> list[Any]:
        return self.handles.keep(value.value if type(value) is _Whole else value)

    def serve(self) -> None:
        while True:
            try:
                request, value = self.reader.receive(
                    None, make_handle=self.handles.resolve, make_shared=self.shared_view
                )
            except codec.ChannelClosed:
                return
            seq = request.get("seq")
            self.replace_endless(request.get("endless"))
            reply = getattr(self, f"op_{request.get('op')}", None)
            if reply is None:
                self.send({"seq": seq, "kind": "bad_request"})
                continue
            undo = self.substituted(request.get("substitute"), seq)
            try:
                envelope, result = reply(request, value)
            finally:
                self.restore(undo)
            self.send({"seq": seq, **envelope}, result)

    def op_import(self, request: Mapping[str, Any], value: Any) -> tuple[dict[str, Any], Any]:
        module = str(request["module"])
        try:
            importlib.import_module(f"{PACKAGE}.{module}")
            # Statements that raised while the module ran (now or as another's import).
            return {"kind": "imported", "failures": LOAD_FAILURES.get(module, [])}, None
        except BaseException as error:
            name, detail, _ = _describe(error, self.scratch)
            own = f"{self.scratch.rstrip('/')}/{PACKAGE}/{module}.py"
            lines = [f.lineno for f in _student_frames(error, self.scratch) if f.filename == own]
            if isinstance(error, SyntaxError) and error.filename == own:
                lines.append(error.lineno)
            line = lines[-1] if lines else None
            return {"kind": "import_error", "type": name, "detail": detail, "line": line}, None

    def function(self, name: str) -> Any:
        module = sys.modules.get(f"{PACKAGE}.{self.function_modules.get(name, '')}")
        return getattr(module, name, None) if module is not None else None

    def op_has(self, request: Mapping[str, Any], value: Any) -> tuple[dict[str, Any], Any]:
        try:
            return {"kind": "ok"}, callable(self.function(str(request["function"])))
        except BaseException:
            return {"kind": "ok"}, False

    def op_call(self, request: Mapping[str, Any], value: Any) -> tuple[dict[str, Any], Any]:
        return self.run(str(request["function"]), [value], request.get("pick"), batch=False)

    def op_batch(self, request: Mapping[str, Any], value: Any) -> tuple[dict[str, Any], Any]:
        return self.run(str(request["function"]), value, request.get("pick"), batch=True)

    def op_perturbed(self, request: Mapping[str, Any], value: Any) -> tuple[dict[str, Any], Any]:
        """Finite-difference evaluations around one base call (`StudentSession.call_perturbed`)."""
        targets, step = request.get("targets"), request.get("step")
        if type(targets) is not list or type(step) is not float:
            return {"kind": "bad_request"}, None
        found = [codec.float_array_at(value, path) for path in targets]
        bases = [base for base in found if base is not None]
        if len(bases) != len(found):
            return {"kind": "bad_request"}, None
        calls = (
            _perturbed(value, path, index, base.flat[index] + delta)
            for path, base in zip(targets, bases, strict=True)
            for index in range(base.size)
            for delta in (step, -step)  # the order and arithmetic of gradcheck.perturbed_inputs
        )
        reply, results = self.run(str(request["function"]), calls, request.get("pick"), batch=True)
        return reply, _stacked(results) if reply.get("kind") == "ok" else results

    def op_watched(self, request: Mapping[str, Any], value: Any) -> tuple[dict[str, Any], Any]:
        """A call whose array arguments are views of the memory shared with the trusted
        side (the frame's shared array nodes), which reads them back after the call to see
        whether they changed."""
        return self.run(str(request["function"]), [value], None, batch=False)

    def op_watched_batch(
        self, request: Mapping[str, Any], value: Any
    ) -> tuple[dict[str, Any], Any]:
        """Many watched calls (`op_watched`) in one round trip, each with its own place in
        the shared memory; when one raises, the values of the calls before it come back too."""
        if type(value) is not list:
            return {"kind": "bad_request"}, None
        return self.run(str(request["function"]), value, None, batch=True, partial=True)

    def shared_view(self, dtype: np.dtype, shape: tuple[int, ...], offset: int) -> np.ndarray:
        """The array of `dtype` and `shape` whose bytes the trusted side wrote at `offset` of
        the shared memory: a view of it, so that what the call writes there is seen."""
        end = offset + math.prod(shape) * dtype.itemsize
        shared = self.shared_map
        if shared is None or end > len(shared):
            try:
                size = os.fstat(SHARED_FD).st_size
                if end > size or size == 0:
                    raise codec.FrameError("a shared array lies outside the shared memory")
                self.shared_map = shared = mmap.mmap(SHARED_FD, size)
            except (OSError, ValueError) as error:
                raise codec.FrameError("the shared memory cannot be mapped") from error
        try:
            return np.ndarray(shape, dtype, shared, offset)
        except ValueError as error:
            raise codec.FrameError("a shared array's shape cannot be built") from error

    def run(
        self, name: str, calls: Iterable[Any], pick: Any, *, batch: bool, partial: bool = False
    ) -> tuple[dict[str, Any], Any]:
        """Call the student's `name` on each ``(args, kwargs)`` of `calls` in turn, until one
        fails; with `partial`, a failure's reply also carries the values before it."""
        try:
            function = self.function(name)
        except BaseException as error:
            return self.raised(error)
        if not callable(function):
            return {"kind": "missing"}, None
        results: list[Any] = []
        for index, (args, kwargs) in enumerate(calls):
            try:
                result = function(*args, **kwargs)
            except NotImplementedError as error:
                # The trusted side tells an untouched stub from the student's own message.
                reply, _ = self.raised(error, index)
                return {**reply, "kind": "not_implemented"}, results if partial else None
            except _Endless as endless:
                return {"kind": "endless", "function": endless.function}, None
            except BaseException as error:
                reply, _ = self.raised(error, index)
                return reply, results if partial else None
            if type(pick) is int and type(result) is tuple and 0 <= pick < len(result):
                result = result[pick]
            results.append(result)
        return {"kind": "ok"}, results if batch else results[0]

    def raised(self, error: BaseException, index: int = 0) -> tuple[dict[str, Any], Any]:
        """The reply for a student exception: its type, message and traceback, where in the
        student's files it was raised, and which call of a batch raised it (`index`)."""
        name, detail, text = _describe(error, self.scratch)
        reply = {"kind": "raised", "type": name, "detail": detail, "traceback": text}
        return {**reply, "where": _innermost(error, self.scratch), "index": index}, None


_WALKED = frozenset({np.ndarray, list, tuple, dict})
"""The types `_fresh` looks into; everything else is a leaf."""


def _fresh(value: Any) -> Any:
    """A copy of the lists, tuples, dicts and arrays of a call, so that a student writing into
    its inputs cannot reach the next call (numbers, strings and student objects are shared,
    as in a batch)."""
    kind = type(value)
    if kind is np.ndarray:
        return value.copy()
    if kind is list:
        return [_fresh(item) if type(item) in _WALKED else item for item in value]
    if kind is tuple:
        return tuple([_fresh(item) if type(item) in _WALKED else item for item in value])
    if kind is dict:
        return {key: _fresh(item) if type(item) in _WALKED else item for key, item in value.items()}
    return value


def _perturbed(call: Any, path: list[Any], index: int, entry: float) -> Any:
    """Fresh copies of the call's ``(args, kwargs)`` with flat entry `index` of the array at
    `path` set to `entry`."""
    copy = _fresh(call)
    # The path named an exact float64 array of `call` (checked in `op_perturbed`), and the
    # copy has the same structure, so it is walked without checking again.
    node = copy[0] if path[0] == "args" else copy[1]
    for key in path[1:]:
        node = node[key]
    node.flat[index] = entry
    return copy


def _stacked(results: list[Any]) -> Any:
    """Results that are all exact ndarrays of one dtype and shape, as one stacked array:
    one node and one slice of the frame instead of one per result. Anything else: the list.
    """
    first = results[0] if results else None
    if (
        type(first) is not np.ndarray
        or first.dtype.str not in codec.DTYPES
        or first.ndim >= codec.MAX_NDIM
    ):
        return results
    for result in results:
        if type(result) is not np.ndarray or result.dtype != first.dtype:
            return results
        if result.shape != first.shape:
            return results
    return np.stack(results)


class _Whole:
    """Wraps a value that must travel whole as one handle."""

    def __init__(self, value: Any) -> None:
        self.value = value


def _prepare_interpreter(config: Mapping[str, Any]) -> None:
    """Working folder, import path and module table for student code."""
    scratch = str(config["scratch"])
    os.chdir(scratch)
    os.umask(0o077)
    sys.path[:] = [os.path.join(scratch, PACKAGE), scratch] + [
        p for p in sys.path if os.path.isabs(p)
    ]
    sys.argv = [PACKAGE]
    # The student must not reach our modules (they are not on its disk either); the code
    # that runs here keeps its references, so dropping the table entries is enough.
    forbidden = list(config["forbidden_modules"])
    for name in [n for n in sys.modules if n.split(".")[0] in forbidden]:
        del sys.modules[name]
    aliases = _ModuleAliases(list(config["modules"]), list(config["broken"]), forbidden)
    statements = _StatementFinder(list(config["modules"]), scratch, LOAD_FAILURES)
    sys.meta_path[:0] = [aliases, statements]
    importlib.invalidate_caches()


LOAD_FAILURES: dict[str, list[dict[str, Any]]] = {}
"""Module -> the top-level statements of it that raised while it ran (`_StatementLoader`)."""

SOURCES_FD = 4
SHARED_FD = 5


def _place_descriptors(wanted: Sequence[int]) -> None:
    """Make fd i of this process what `wanted[i]` was, and close every other one."""
    # Out of the way first, so that no target number clobbers a source still to move.
    high = [fcntl.fcntl(fd, fcntl.F_DUPFD_CLOEXEC, len(wanted)) for fd in wanted]
    for target, fd in enumerate(high):
        os.dup2(fd, target)  # dup2's copy is inheritable and open
    os.closerange(len(wanted), 1 << 16)


def run(
    sock_fd: int,
    out_fd: int,
    err_fd: int,
    sources_fd: int,
    shared_fd: int,
    config: Mapping[str, Any],
) -> None:
    """Become the worker; never returns (the process ends with `os._exit`)."""
    code = 0
    try:
        signal.set_wakeup_fd(-1)
        for signum in (signal.SIGCHLD, signal.SIGTERM, signal.SIGHUP):
            signal.signal(signum, signal.SIG_DFL)
        null = os.open(os.devnull, os.O_RDONLY)
        _place_descriptors([null, out_fd, err_fd, sock_fd, sources_fd, shared_fd])
        sock = socket.socket(fileno=SOCKET_FD)
        try:
            layers, notes = confine.apply_layers(config, config.get("required"), SOURCES_FD)
            _prepare_interpreter(config)
        except BaseException as error:
            message = codec.clean_text(str(error), TEXT_CHARS)
            codec.send(
                sock, codec.encode({"kind": "setup_failed", "message": message}, opaque=_refuse)
            )
            os._exit(70)
        codec.send(
            sock,
            codec.encode({"kind": "ready", "layers": layers, "notes": notes}, opaque=_refuse),
        )
        _Worker(sock, config).serve()
    except BaseException:
        code = 71
    finally:
        os._exit(code)


def _refuse(value: Any) -> list[Any]:
    raise TypeError(f"{type(value).__name__} is not plain data.")
