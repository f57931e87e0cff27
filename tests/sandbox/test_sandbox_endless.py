"""A function that timed out is not run again, even when another student function calls it.

After `spin` runs past its deadline, the worker replaces it, in the student's modules and
in the tables they hold, with a stand-in that fails at once: `caller` (which calls `spin`)
then fails in milliseconds instead of using up another deadline, with a message naming
`spin`. The trusted side believes such a reply only for a function it saw time out.
"""

from __future__ import annotations

import time

import numpy as np
import pytest
from sandbox_helpers import OpenSession

from grader.errors import HostileValue, StudentTimeout

ACTIVATIONS = """
    def spin(Z):
        while True:
            pass

    def fine(Z):
        return Z
"""

NETWORK = """
    from .activations import fine, spin

    TABLE = {"looping": (fine, spin)}

    def caller(Z):
        return spin(Z)

    def through_table(Z):
        forward, backward = TABLE["looping"]
        return backward(Z)

    def own_spin_is_not_the_endless_one(Z):
        return local_spin(Z)

    def local_spin(Z):
        return Z + 1

    def catches_everything_it_can(Z):
        try:
            return spin(Z)
        except Exception:
            return "swallowed"
"""

MODEL = """
    import sys

    def claims_an_endless_callee(Z):
        frame = sys._getframe()
        while "seq" not in frame.f_locals or "request" not in frame.f_locals:
            frame = frame.f_back
        worker, seq = frame.f_locals["self"], frame.f_locals["seq"]
        worker.send({"seq": seq, "kind": "endless", "function": "fine"})
        import os
        os._exit(0)
"""


def _open(open_session: OpenSession):
    return open_session(activations=ACTIVATIONS, network=NETWORK, model=MODEL)


def _time_out_spin(session) -> None:
    with pytest.raises(StudentTimeout):
        session.call("spin", np.zeros(1))


@pytest.mark.parametrize("caller", ["caller", "through_table", "catches_everything_it_can"])
def test_a_caller_of_an_endless_function_fails_at_once(
    open_session: OpenSession, caller: str
) -> None:
    session = _open(open_session)
    _time_out_spin(session)
    started = time.monotonic()
    with pytest.raises(StudentTimeout) as stopped:
        session.call(caller, np.zeros(1))
    assert time.monotonic() - started < 0.5
    assert stopped.value.function == caller and stopped.value.via == "spin"
    assert stopped.value.repeated is True
    assert "calls `spin`" in str(stopped.value)
    np.testing.assert_array_equal(session.call("fine", np.ones(1)), [1.0])


def test_other_functions_keep_running(open_session: OpenSession) -> None:
    """Only the endless function is replaced; a function with another name still runs."""
    session = _open(open_session)
    _time_out_spin(session)
    np.testing.assert_array_equal(
        session.call("own_spin_is_not_the_endless_one", np.zeros(1)), [1.0]
    )


def test_a_worker_cannot_invent_an_endless_callee(open_session: OpenSession) -> None:
    """Claiming that `fine` timed out earlier, when it never did, is a hostile reply."""
    session = _open(open_session)
    with pytest.raises(HostileValue):
        session.call("claims_an_endless_callee", np.zeros(1))
