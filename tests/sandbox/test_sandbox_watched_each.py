"""Many watched calls in one round trip: each call's value and written arguments, in order,
up to the one that failed, whose error is given back; nothing of it taken on the worker's
word."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest
from sandbox_helpers import OpenSession

from grader.checks import CheckFailure, describe_contract_call
from grader.errors import HostileValue, StudentRaised, StudentTimeout
from grader.hidden._support import calls_pure
from grader.sandbox import StudentProxy, StudentSession

MODULE = """
    import numpy as np

    def relu(Z):
        if Z.shape == (3, 3):
            raise ValueError("no square inputs")
        if Z.shape == (4, 4):
            while True:
                pass
        Z[Z < 0] = 0  # writes into its argument when Z has negative entries
        return Z * 1.0
"""

FORGER = """
    import gc

    def forge(extra):
        for thing in gc.get_objects():
            if type(thing).__name__ == "_Worker":
                original = thing.run
                def run(name, calls, pick, *, batch, partial=False, original=original):
                    reply, result = original(name, calls, pick, batch=batch, partial=partial)
                    if type(result) is list:
                        result = result + [np.zeros((1, 1))] * extra
                    return reply, result
                thing.run = run
                return True
        return False
"""


def _counting(session: StudentSession) -> list[str]:
    """The ops of the round trips `session` makes from now on, in order."""
    ops: list[str] = []
    exchange = session._exchange

    def counted(function: str, envelope: dict[str, Any], *args: Any, **kwargs: Any) -> Any:
        ops.append(envelope["op"])
        return exchange(function, envelope, *args, **kwargs)

    session._exchange = counted  # type: ignore[method-assign]
    return ops


def test_each_call_gets_its_value_and_its_written_arguments_in_one_round_trip(
    open_session: OpenSession,
) -> None:
    """Values and writes are told apart per call, as separate watched calls would give them."""
    session = open_session(activations=MODULE)
    session.call("relu", np.ones((1, 1)))  # the worker is up before counting
    ops = _counting(session)
    calls = [
        ((np.array([[1.0, 2.0]]),), {}),
        ((np.array([[-1.0, 2.0]]),), {}),
        ((), {"Z": np.array([[3.0], [-4.0]])}),
    ]
    sent = [np.copy(args[0] if args else kwargs["Z"]) for args, kwargs in calls]
    watched = session.call_watched_each("relu", calls)
    assert ops == ["watched_batch"]
    assert watched.error is None
    assert [mutated for _, mutated in watched.done] == [[], ["args[0]"], ["kwargs['Z']"]]
    for (value, _), (args, kwargs), before in zip(watched.done, calls, sent, strict=True):
        Z = args[0] if args else kwargs["Z"]
        np.testing.assert_array_equal(value, np.maximum(before, 0))
        np.testing.assert_array_equal(Z, before)  # the caller's own arrays are untouched
    single = [session.call_watched("relu", *args, **kwargs) for args, kwargs in calls]
    assert [mutated for _, mutated in single] == [mutated for _, mutated in watched.done]


def test_a_call_that_raises_gives_back_the_calls_before_it_and_its_error(
    open_session: OpenSession,
) -> None:
    """The third call raises: the first two come back, the error names the third call."""
    student = StudentProxy(open_session(activations=MODULE), describe_call=describe_contract_call)
    calls = [
        ((np.array([[1.0]]),), {}),
        ((np.array([[-1.0]]),), {}),
        ((np.ones((3, 3)),), {}),
        ((np.ones((2, 1)),), {}),
    ]
    watched = student.call_watched_each("relu", calls)
    assert [mutated for _, mutated in watched.done] == [[], ["args[0]"]]
    assert isinstance(watched.error, StudentRaised)
    assert watched.error.index == 2
    assert watched.error.exception_type == "ValueError"
    assert watched.error.call == "relu(Z (3, 3))"
    assert student.calls == frozenset({"relu"})


def test_checks_fail_where_one_call_at_a_time_would_have_failed(
    open_session: OpenSession,
) -> None:
    """`calls_pure` meets the second call's write before the third call's exception, as a
    loop of single calls does; with no write before it, the exception comes in its turn."""
    student = StudentProxy(open_session(activations=MODULE), describe_call=describe_contract_call)
    square = ((np.ones((3, 3)),), {})
    values = calls_pure(student, "relu", [((np.ones((1, 2)),), {}), ((-np.ones(2),), {}), square])
    np.testing.assert_array_equal(next(values), np.ones((1, 2)))
    with pytest.raises(CheckFailure):
        next(values)
    clean = calls_pure(student, "relu", [((np.ones((1, 2)),), {}), square])
    assert next(clean).shape == (1, 2)
    with pytest.raises(StudentRaised) as caught:
        next(clean)
    assert caught.value.call == "relu(Z (3, 3))"


def test_an_endless_call_gives_a_timeout_and_nothing_before_it(open_session: OpenSession) -> None:
    """The batch has one deadline; when it passes, the worker is gone with every value."""
    session = open_session(activations=MODULE)
    watched = session.call_watched_each(
        "relu", [((np.ones((1, 1)),), {}), ((np.ones((4, 4)),), {})]
    )
    assert watched.done == []
    assert isinstance(watched.error, StudentTimeout)
    # An endless function is not run again: the next batch gets its error at once.
    again = session.call_watched_each("relu", [((np.ones((1, 1)),), {})])
    assert again.done == []
    assert isinstance(again.error, StudentTimeout) and again.error.repeated


@pytest.mark.parametrize("extra", [1, 3])
def test_values_that_do_not_add_up_are_refused(open_session: OpenSession, extra: int) -> None:
    """A worker that sends more values than calls that returned gets none of them taken:
    with an error, the error alone comes back; without, the whole reply is hostile."""
    session = open_session(activations=MODULE + FORGER)
    assert session.call("forge", extra) is True
    failing = session.call_watched_each(
        "relu", [((np.ones((1, 1)),), {}), ((np.ones((3, 3)),), {})]
    )
    assert failing.done == []
    assert isinstance(failing.error, StudentRaised)
    passing = session.call_watched_each("relu", [((np.ones((1, 1)),), {})])
    assert passing.done == []
    assert isinstance(passing.error, HostileValue)
    # The hostile worker was replaced by a fresh one, which answers truthfully.
    fresh = session.call_watched_each("relu", [((np.ones((1, 1)),), {})])
    assert fresh.error is None and len(fresh.done) == 1
