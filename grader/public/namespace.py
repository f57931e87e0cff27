"""A notebook's functions, sent from its kernel to the worker that checks them.

In a notebook the student's functions live in the kernel's namespace, not in files. The
check cell (``notebook.py``) packs what the student's functions use of that namespace
with `pack` and the worker rebuilds it with `NamespaceCode`, where the checks call the
functions as the kernel would: every function the student defined shares one namespace
again, so that ``linear_backward`` finds the student's own ``sigmoid_backward`` as it does
in the notebook. A dataset loaded for training, a figure, anything no function uses stays
in the kernel.

A function the student defined (``__module__ == "__main__"``) travels as its compiled code
(`marshal`, read by the same interpreter), its defaults, its closure and its source (to
recognise an untouched stub), never by name, which the worker could not import. Modules
travel by name and are imported on first use (``import matplotlib.pyplot as plt`` costs
the worker nothing unless a function uses it). Other values are pickled as they are; what
cannot travel (an open file, a class defined in the notebook) stays behind, and a function
that uses it fails in the worker with a NameError that names it. IPython's own names
(``In``, ``Out``, ``_``, ``_i3``...) and this package's objects are left out.
"""

from __future__ import annotations

import builtins
import hashlib
import importlib
import inspect
import io
import marshal
import pickle
import re
import sys
import traceback
import types
from collections.abc import Callable, Iterable, Iterator, Mapping
from typing import Any

from .student import Problem, Student, Watch, stub_source

_IPYTHON_NAMES = re.compile(r"^(_+|_i+|_i?\d+|_[iod]h|__\w*__|In|Out|get_ipython|exit|quit)$")
_SOURCE = "_selfcheck_source"
"""The attribute where a rebuilt function keeps the source it had in the notebook."""

_WALKED = 1000
"""Containers up to this size are searched for functions (a table of activations, say)."""

_NAMESPACE: dict[str, Any] = {}
"""The notebook's namespace as rebuilt in the worker: the globals of every function."""


class _Pickler(pickle.Pickler):
    def reducer_override(self, obj: Any) -> Any:
        if isinstance(obj, types.FunctionType) and obj.__module__ == "__main__":
            return _rebuild_function, (_function_state(obj),)
        if isinstance(obj, types.ModuleType):
            return _module, (obj.__name__,)
        return NotImplemented


def _function_state(function: types.FunctionType) -> tuple[Any, ...]:
    closure = None
    if function.__closure__ is not None:
        closure = tuple(_cell_contents(cell) for cell in function.__closure__)
    try:
        source: str | None = inspect.getsource(function)
    except (OSError, TypeError):
        source = None
    return (
        marshal.dumps(function.__code__),
        function.__name__,
        function.__qualname__,
        function.__defaults__,
        function.__kwdefaults__,
        closure,
        source,
    )


class _Empty:
    """A closure cell without a value yet."""


def _cell_contents(cell: types.CellType) -> Any:
    try:
        return cell.cell_contents
    except ValueError:
        return _Empty


def _rebuild_function(state: tuple[Any, ...]) -> types.FunctionType:
    code, name, qualname, defaults, kwdefaults, closure, source = state
    cells = None
    if closure is not None:
        cells = tuple(types.CellType() if v is _Empty else types.CellType(v) for v in closure)
    function = types.FunctionType(marshal.loads(code), _NAMESPACE, name, defaults, cells)
    function.__qualname__ = qualname
    function.__kwdefaults__ = kwdefaults
    setattr(function, _SOURCE, source)
    return function


class _LazyModule(types.ModuleType):
    """A module imported when one of its attributes is first used."""

    def __getattr__(self, attribute: str) -> Any:
        module = importlib.import_module(self.__name__)
        self.__dict__.update(module.__dict__)
        return getattr(module, attribute)


def _module(name: str) -> types.ModuleType:
    return sys.modules.get(name) or _LazyModule(name)


def _ours(value: Any) -> bool:
    """An object of this package (the check function, its module)."""
    owner = getattr(value, "__module__", None) or getattr(type(value), "__module__", "")
    if isinstance(value, types.ModuleType):
        owner = value.__name__
    return isinstance(owner, str) and owner.split(".")[0] == __name__.split(".")[0]


def pack(namespace: Mapping[str, Any], roots: Iterable[str]) -> dict[str, bytes]:
    """What the functions `roots` of a notebook's namespace use, directly or not (see
    `used_names`), each name pickled on its own: one that cannot travel does not stop the
    others, and a dataset or a figure that no function uses is not sent at all."""
    entries = {}
    for name in sorted(used_names(namespace, roots)):
        value = namespace[name]
        if _IPYTHON_NAMES.match(name) or _ours(value):
            continue
        buffer = io.BytesIO()
        try:
            _Pickler(buffer, protocol=pickle.HIGHEST_PROTOCOL).dump(value)
        except Exception:  # any object may refuse pickling, in any way (RecursionError too)
            continue
        entries[name] = buffer.getvalue()
    return entries


def used_names(namespace: Mapping[str, Any], roots: Iterable[str]) -> set[str]:
    """The names of `namespace` that `roots` use: themselves, the globals their code reads,
    and so on through every function found there (in a dict or list too, such as a table
    of activations), its defaults and its closure."""
    seen: set[str] = set()
    pending = list(roots)
    while pending:
        name = pending.pop()
        if name in seen or name not in namespace:
            continue
        seen.add(name)
        for function in _functions_in(namespace[name]):
            pending.extend(_globals_used(function.__code__))
    return seen


def _functions_in(value: Any, depth: int = 3) -> Iterator[types.FunctionType]:
    """The notebook's functions in `value`: itself, or in a (small) container, and those
    its defaults and closure hold."""
    if isinstance(value, types.FunctionType):
        if value.__module__ != "__main__":
            return
        yield value
        inner = [*(value.__defaults__ or ()), *(value.__kwdefaults__ or {}).values()]
        inner += [_cell_contents(cell) for cell in value.__closure__ or ()]
        values: Iterable[Any] = inner
    elif isinstance(value, dict) and len(value) <= _WALKED:
        values = value.values()
    elif isinstance(value, list | tuple | set | frozenset) and len(value) <= _WALKED:
        values = value
    else:
        return
    if depth > 0:
        for item in values:
            yield from _functions_in(item, depth - 1)


def footprint(namespace: Mapping[str, Any], entries: Mapping[str, bytes], name: str) -> str:
    """A digest of what `name` is in the notebook: its packed entry and those of every
    name it uses (`used_names`): the same footprint, the same behaviour, so a function
    that did not return need not be run again to know it."""
    digest = hashlib.sha256()
    for used in sorted(used_names(namespace, [name]) & set(entries)):
        digest.update(used.encode() + b"\0" + entries[used] + b"\0")
    return digest.hexdigest()


def _globals_used(code: types.CodeType) -> set[str]:
    names = set(code.co_names)
    for constant in code.co_consts:
        if isinstance(constant, types.CodeType):
            names |= _globals_used(constant)
    return names


class NamespaceCode(Student):
    """The notebook's functions, rebuilt in the worker from what `pack` sent."""

    def __init__(
        self,
        entries: Mapping[str, bytes],
        lang: str,
        watch: Watch | None = None,
        *,
        call_timeout: float = 2.0,
    ) -> None:
        super().__init__(lang, watch, call_timeout)
        _NAMESPACE.clear()
        _NAMESPACE.update({"__builtins__": builtins, "__name__": "__main__"})
        self.left_behind: list[str] = []
        for name, data in entries.items():
            try:
                _NAMESPACE[name] = pickle.loads(data)
            except Exception:  # a value the worker cannot rebuild stays behind
                self.left_behind.append(name)
        self._files = {
            value.__code__.co_filename
            for value in _NAMESPACE.values()
            if isinstance(value, types.FunctionType)
        }

    def function(self, module: str, name: str) -> Callable[..., Any]:
        found = _NAMESPACE.get(name)
        if not callable(found):
            raise Problem(
                self._(
                    "`%(function)s` is not defined: run the cell that defines it, then this "
                    "check again.",
                    function=name,
                )
            )
        return found

    def is_untouched_stub(self, function: Callable[..., Any]) -> bool:
        return stub_source(getattr(function, _SOURCE, None))

    def where_to_write(self, module: str) -> str:
        return self._("its cell")

    def _is_student_frame(self, frame: traceback.FrameSummary) -> bool:
        return frame.filename in self._files

    def _place(self, frame: traceback.FrameSummary) -> str:
        return self._(
            "in `%(function)s`, line %(line)s of its cell", function=frame.name, line=frame.lineno
        )
