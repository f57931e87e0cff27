"""A stand-in sandbox for testing the engine alone: student functions are Python callables.

It reproduces the sandbox's contract (docs: grader.sandbox) without processes: a call to a
missing function or a stub raises `StudentNotImplemented`, an exception becomes
`StudentRaised`, and a function may raise `StudentTimeout` / `WorkerCrashed` /
`HostileValue` itself to play those outcomes.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

import numpy as np

from grader.errors import StudentCallError, StudentNotImplemented, StudentRaised
from grader.sandbox.limits import SandboxLimits


class FakeSession:
    def __init__(
        self,
        functions: Mapping[str, Callable[..., Any]],
        module_status: Mapping[str, str],
        module_problems: Sequence[dict[str, Any]] = (),
    ) -> None:
        self.functions = dict(functions)
        self.module_status = dict(module_status)
        self.module_problems = list(module_problems)
        self.cpu_seconds = 0.25
        self.worker_starts = 1
        self.closed = False
        self.stdout = ""

    def has_function(self, name: str) -> bool:
        return name in self.functions

    def call(self, name: str, *args: Any, **kwargs: Any) -> Any:
        if name not in self.functions:
            raise StudentNotImplemented(name, f"`{name}` is not defined.")
        try:
            return self.functions[name](*args, **kwargs)
        except StudentCallError:
            raise
        except NotImplementedError:
            raise StudentNotImplemented(name, f"`{name}` is a stub.") from None
        except Exception as error:
            raise StudentRaised(name, type(error).__name__, str(error), "Traceback: ...") from None

    def call_batch(self, name: str, calls: Sequence[Any], pick: int | None = None) -> list[Any]:
        results = [self.call(name, *args, **kwargs) for args, kwargs in calls]
        return [result[pick] for result in results] if pick is not None else results

    def output(self) -> dict[str, Any]:
        return {"stdout": self.stdout, "stderr": "", "truncated": False}

    def close(self) -> None:
        self.closed = True


class FakeProxy:
    def __init__(self, session: FakeSession) -> None:
        self.session = session
        self._calls: set[str] = set()
        self._found: set[str] = set()

    @property
    def calls(self) -> frozenset[str]:
        return frozenset(self._calls)

    def reset_calls(self) -> None:
        self._calls.clear()
        self._found.clear()

    def substitute(self, functions: Mapping[str, Callable[..., Any]]) -> None:
        self.substitutes = dict(functions)

    def known_wrong(self, name: str) -> bool:
        return name in getattr(self, "substitutes", {})

    def found_wrong(self, name: str) -> None:
        self._found.add(name)

    @property
    def found(self) -> frozenset[str]:
        return frozenset(self._found)

    @property
    def answered(self) -> frozenset[str]:
        return frozenset()

    def call(self, name: str, *args: Any, **kwargs: Any) -> Any:
        self._calls.add(name)
        return self.session.call(name, *args, **kwargs)

    def call_batch(self, name: str, calls: Sequence[Any], pick: int | None = None) -> list[Any]:
        self._calls.add(name)
        return self.session.call_batch(name, calls, pick)


class FakeSandbox:
    """Opens `FakeSession`s over `functions`; modules with no source fail to import."""

    def __init__(
        self,
        functions: Mapping[str, Callable[..., Any]],
        import_status: Mapping[str, str] | None = None,
    ) -> None:
        self.functions = functions
        self.import_status = dict(import_status or {})
        self.limits = SandboxLimits()
        self.sessions: list[FakeSession] = []

    def isolation(self) -> dict[str, Any]:
        return {"layers": {"separate_process": False}, "limits": self.limits.as_dict(), "notes": []}

    def open_session(
        self, sources: Mapping[str, str], *, function_modules: Mapping[str, str]
    ) -> FakeSession:
        status = {module: self.import_status.get(module, "loaded") for module in sources}
        problems = [
            {"path": f"{module}.py", "line": None, "code": state, "message": f"{module} broke"}
            for module, state in status.items()
            if state != "loaded"
        ]
        usable = {
            name: function
            for name, function in self.functions.items()
            if status.get(function_modules.get(name, ""), "") == "loaded"
        }
        session = FakeSession(usable, status, problems)
        self.sessions.append(session)
        return session

    def close(self) -> None:
        pass


def correct_functions() -> dict[str, Callable[..., Any]]:
    def sigmoid(Z):
        return 1 / (1 + np.exp(-Z))

    return {
        "sigmoid": sigmoid,
        "sigmoid_backward": lambda dA, Z: dA * sigmoid(Z) * (1 - sigmoid(Z)),
        "relu": lambda Z: np.maximum(Z, 0),
        "tanh": np.tanh,
        "update_parameters": lambda p, g, lr: p,
        "initialize_parameters": lambda dims, seed=0: {},
    }
