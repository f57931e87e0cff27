"""What the hidden suites receive as the `student` fixture."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from typing import Any

import numpy as np

from grader.errors import StudentRaised
from grader.sandbox.session import ArgumentPath, StudentSession, WatchedCalls

CallDescriber = Callable[[str, Sequence[Any], Mapping[str, Any]], str]
"""Writes one call for a person: ``(function, args, kwargs) -> "relu(Z (3, 4))"``."""


class StudentProxy:
    """`student.relu(Z)` is `session.call("relu", Z)`; records which functions were called.

    Every value that comes back is plain data decoded on the trusted side (or a `Handle`),
    never an object of the student's. An exception of the student's code that it lets
    through (`StudentRaised`) names the call that raised it, written by `describe_call`
    (its shapes and scalar arguments), so that the student can reproduce it.
    """

    def __init__(
        self, session: StudentSession, *, describe_call: CallDescriber | None = None
    ) -> None:
        self._session = session
        self._calls: set[str] = set()
        self._known_wrong: frozenset[str] = frozenset()
        self._found_wrong: set[str] = set()
        self._describe_call = describe_call

    def __getattr__(self, function: str) -> Callable[..., Any]:
        if function.startswith("_"):
            raise AttributeError(function)

        def call(*args: Any, **kwargs: Any) -> Any:
            return self.call(function, *args, **kwargs)

        call.__name__ = function
        return call

    def _name(self, raised: StudentRaised, function: str, calls: Sequence[Any]) -> None:
        """Write the call of `calls` that raised into `raised`, unless it names one already."""
        if raised.call is None and self._describe_call is not None and calls:
            args, kwargs = calls[raised.index if raised.index < len(calls) else 0]
            raised.call = self._describe_call(function, args, kwargs)

    @contextmanager
    def _naming(
        self, function: str, calls: Sequence[tuple[Sequence[Any], Mapping[str, Any]]]
    ) -> Iterator[None]:
        """Name the call (of `calls`) that raised in the `StudentRaised` that goes through."""
        try:
            yield
        except StudentRaised as raised:
            self._name(raised, function, calls)
            raise

    def call(self, function: str, *args: Any, **kwargs: Any) -> Any:
        """Call the student's `function` in the sandbox."""
        self._calls.add(function)
        with self._naming(function, [(args, kwargs)]):
            return self._session.call(function, *args, **kwargs)

    def call_batch(
        self, function: str, calls: Sequence[tuple[tuple, dict]], *, pick: int | None = None
    ) -> list[Any]:
        """Many calls in one round trip (see `StudentSession.call_batch`)."""
        self._calls.add(function)
        with self._naming(function, calls):
            return self._session.call_batch(function, calls, pick=pick)

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
        """Finite-difference evaluations in one round trip (`StudentSession.call_perturbed`).

        A call that raises is named by the base call: the perturbed ones differ from it by
        one entry, never in shape."""
        self._calls.add(function)
        with self._naming(function, [(args, kwargs)]):
            return self._session.call_perturbed(
                function, args, kwargs, targets=targets, step=step, pick=pick, stacked=stacked
            )

    def call_watched(self, function: str, *args: Any, **kwargs: Any) -> tuple[Any, list[str]]:
        """``(value, mutated argument paths)``: for purity checks (see `StudentSession`)."""
        self._calls.add(function)
        with self._naming(function, [(args, kwargs)]):
            return self._session.call_watched(function, *args, **kwargs)

    def call_watched_each(self, function: str, calls: Sequence[tuple[tuple, dict]]) -> WatchedCalls:
        """`call_watched` of each call, in one round trip; the error of the call that did not
        return is given back, not raised (see `StudentSession.call_watched_each`)."""
        self._calls.add(function)
        watched = self._session.call_watched_each(function, calls)
        if isinstance(watched.error, StudentRaised):
            self._name(watched.error, function, calls)
        return watched

    def has_function(self, function: str) -> bool:
        """Whether the student defined `function` (not recorded as a call)."""
        return self._session.has_function(function)

    def substitute(self, functions: Mapping[str, Callable[..., Any]]) -> None:
        """From now on, answer the student's own calls of these functions with the given
        implementations (see `StudentSession.substitute`); `answered` starts empty.

        These are the functions an earlier test found wrong (`known_wrong`).
        """
        self._known_wrong = frozenset(functions)
        self._session.substitute(functions)

    def known_wrong(self, function: str) -> bool:
        """Whether an earlier test found the student's `function` wrong: a check that
        would judge another function against it (finite differences of the student's own
        forward) uses the reference instead, so that one bug costs once."""
        return function in self._known_wrong

    def found_wrong(self, function: str) -> None:
        """Record that this test found the student's `function` wrong besides the function
        it blames (a forward's caches, seen while judging a wrong backward): later tests
        treat it as known wrong, and it costs no test of its own here."""
        self._found_wrong.add(function)

    @property
    def found(self) -> frozenset[str]:
        """The functions `found_wrong` since the last `reset_calls()`."""
        return frozenset(self._found_wrong)

    @property
    def answered(self) -> frozenset[str]:
        """The substituted functions that answered a call since `substitute`."""
        return frozenset(self._session.answered)

    def reset_calls(self) -> None:
        """Forget the functions called and found wrong so far (at the start of each test)."""
        self._calls = set()
        self._found_wrong = set()

    @property
    def calls(self) -> frozenset[str]:
        """The student functions called since the last `reset_calls()`."""
        return frozenset(self._calls)
