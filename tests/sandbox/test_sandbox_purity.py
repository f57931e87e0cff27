"""Purity is judged by the trusted side: the worker computes on views of memory shared with
it, which it reads back after the call."""

from __future__ import annotations

import numpy as np
from sandbox_helpers import OpenSession

from grader.sandbox import StudentProxy

MODULE = """
    import numpy as np

    def relu(Z):
        return np.maximum(0, Z)

    def relu_in_place(Z):
        Z[Z < 0] = 0
        return Z

    def update_parameters(parameters, grads, learning_rate):
        parameters["W1"] -= learning_rate * grads["dW1"]
        return parameters
"""


def test_a_pure_function_reports_no_mutation(open_session: OpenSession) -> None:
    """A function that leaves its arguments alone comes back with an empty list."""
    session = open_session(activations=MODULE)
    value, mutated = session.call_watched("relu", np.array([[-1.0, 2.0]]))
    np.testing.assert_array_equal(value, [[0.0, 2.0]])
    assert mutated == []


def test_writing_into_an_argument_is_reported_by_its_path(open_session: OpenSession) -> None:
    """Positional and nested keyword arguments that were written into are named."""
    session = open_session(activations=MODULE)
    _, mutated = session.call_watched("relu_in_place", np.array([[-1.0, 2.0]]))
    assert mutated == ["args[0]"]
    parameters = {"W1": np.ones((2, 2)), "b1": np.zeros((2, 1))}
    grads = {"dW1": np.ones((2, 2)), "db1": np.zeros((2, 1))}
    _, mutated = session.call_watched(
        "update_parameters", parameters=parameters, grads=grads, learning_rate=0.5
    )
    assert mutated == ["kwargs['parameters']['W1']"]
    # The trusted side's own arrays are never touched: it shares copies of them.
    np.testing.assert_array_equal(parameters["W1"], np.ones((2, 2)))


def test_the_worker_cannot_hide_a_write_by_lying_about_it(open_session: OpenSession) -> None:
    """Student code that rewrites the worker's reply path still wrote into the shared
    arguments, and the trusted side reads them itself."""
    session = open_session(
        activations=MODULE
        + """
    import gc

    def forge():
        for thing in gc.get_objects():
            if type(thing).__name__ == "_Worker":
                original = thing.run
                def run(name, calls, pick, *, batch, original=original):
                    reply, result = original(name, calls, pick, batch=batch)
                    return {"kind": "ok"}, result
                thing.run = run
                return True
        return False
    """
    )
    assert session.call("forge") is True
    _, mutated = session.call_watched("relu_in_place", np.array([[-1.0, 2.0]]))
    assert mutated == ["args[0]"]


def test_restoring_an_argument_before_returning_is_pure(open_session: OpenSession) -> None:
    """The contract asks that inputs be unchanged after the call, and they are."""
    session = open_session(
        activations=MODULE
        + """
    def scratch_then_restore(Z):
        saved = Z.copy()
        Z *= 2
        out = Z.sum()
        Z[...] = saved
        return out
    """
    )
    value, mutated = session.call_watched("scratch_then_restore", np.array([1.0, 2.0]))
    assert value == 6.0 and mutated == []


def test_the_proxy_records_watched_calls(open_session: OpenSession) -> None:
    """`student.call_watched` counts as calling the function, for the result's `functions`."""
    student = StudentProxy(open_session(activations=MODULE))
    student.call_watched("relu", np.zeros((1, 1)))
    assert student.calls == frozenset({"relu"})
