"""Purity is observed where it happens: the worker compares its own argument copies."""

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
    # The trusted side's own arrays are never touched: the worker works on copies.
    np.testing.assert_array_equal(parameters["W1"], np.ones((2, 2)))


def test_the_proxy_records_watched_calls(open_session: OpenSession) -> None:
    """`student.call_watched` counts as calling the function, for the result's `functions`."""
    student = StudentProxy(open_session(activations=MODULE))
    student.call_watched("relu", np.zeros((1, 1)))
    assert student.calls == frozenset({"relu"})
