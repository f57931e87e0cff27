"""`call_perturbed`: the evaluations of central differences around one call, in one round trip.

Every test compares with what the hidden suites did before the primitive existed: the
copies of `grader.gradcheck.perturbed_inputs`, sent through `call_batch`.
"""

from __future__ import annotations

import time
from typing import Any

import numpy as np
import pytest
from sandbox_helpers import TEST_LIMITS, OpenSession

from grader.errors import (
    HostileValue,
    SandboxError,
    StudentNotImplemented,
    StudentRaised,
    StudentTimeout,
)
from grader.gradcheck import DEFAULT_STEP, perturbed_inputs
from grader.sandbox import Handle, StudentProxy, StudentSession

STUDENT = """
    import time

    import numpy as np

    def scaled_tanh(Z, scale=1.0):
        return np.tanh(Z) * scale

    def identity(Z):
        return Z

    def cost(AL, Y):
        return float(-np.mean(Y * np.log(AL)))

    def total(Z):
        return np.array(np.sum(Z))

    def positives(Z):
        return Z[Z > 1.0]

    def forward(X, parameters, activation="tanh"):
        Z = parameters["W"] @ X + parameters["b"]
        A = np.tanh(Z) if activation == "tanh" else np.maximum(0.0, Z)
        return A, Cache(X, Z)

    class Cache:
        def __init__(self, *values):
            self.values = values

    def greedy(Z, seen, parameters):
        # Writes into every input; each evaluation must still start from the base call.
        seen.append(1)
        found = np.array([len(seen), Z.sum(), parameters["W"].sum()])
        Z += 100.0
        parameters["W"][...] = 0.0
        return found

    def stub(Z):
        raise NotImplementedError

    def shout(Z):
        raise ValueError("no gradients today")

    def spin(Z):
        while True:
            pass

    def sleepy(Z):
        time.sleep(0.2)
        return Z
"""

# Functions that take over the worker's channel and answer for it: what a student who
# controls the worker process could send instead of the honest reply.
HOSTILE = """
    import json
    import os
    import struct
    import sys

    import numpy as np

    def _channel():
        frame = sys._getframe()
        while "seq" not in frame.f_locals or "request" not in frame.f_locals:
            frame = frame.f_back
        return frame.f_locals["self"], frame.f_locals["seq"]

    def _answer(value):
        worker, seq = _channel()
        worker.send({"seq": seq, "kind": "ok"}, value)
        os._exit(0)

    def _answer_raw(node, blob):
        worker, seq = _channel()
        text = json.dumps({"seq": seq, "kind": "ok", "value": node}).encode()
        worker.sock.sendall(struct.pack("<4sB3xIQ", b"NNGR", 1, len(text), len(blob)) + text + blob)
        os._exit(0)

    def one_too_many(Z):
        _answer([0.0] * (2 * Z.size + 1))

    def one_too_few_stacked(Z):
        _answer(np.zeros((2 * Z.size - 1, 3)))

    def zero_dimensional(Z):
        _answer(np.array(2.0 * Z.size))

    def not_a_list(Z):
        _answer({"values": [0.0] * (2 * Z.size)})

    def complex_dtype(Z):
        count = 2 * Z.size
        _answer_raw({"A": ["<c16", [count], 0, 16 * count]}, bytes(16 * count))

    def junk(Z):
        os.write(3, b"NNGR" + b"\\xff" * 64)
        os._exit(0)
"""


def batch_of_copies(
    session: StudentSession,
    function: str,
    args: tuple[Any, ...],
    kwargs: dict[str, Any],
    path: tuple[Any, ...],
    *,
    pick: int | None = None,
) -> list[Any]:
    """What the hidden suites sent before: every perturbed copy, as a call of its own."""

    def replaced(value: Any, rest: tuple[Any, ...], new: np.ndarray) -> Any:
        if not rest:
            return new
        if type(value) is dict:
            return {**value, rest[0]: replaced(value[rest[0]], rest[1:], new)}
        items = list(value)
        items[rest[0]] = replaced(items[rest[0]], rest[1:], new)
        return type(value)(items)

    call = (args, kwargs)
    where = (("args", "kwargs").index(path[0]), *path[1:])
    target: Any = call
    for key in where:
        target = target[key]
    calls = [replaced(call, where, point) for point in perturbed_inputs(target, step=DEFAULT_STEP)]
    return session.call_batch(function, calls, pick=pick)


def assert_same_values(got: list[Any], expected: list[Any]) -> None:
    """Equal lists of results: same types, dtypes, shapes and bits."""
    assert len(got) == len(expected)
    for one, other in zip(got, expected, strict=True):
        assert type(one) is type(other)
        if type(one) is np.ndarray:
            assert one.dtype == other.dtype and one.shape == other.shape
            assert one.tobytes() == other.tobytes()
        else:
            assert one == other


def test_a_positional_target_gives_the_values_of_a_batch_of_copies(
    open_session: OpenSession,
) -> None:
    """2·n arrays, in the order of perturbed_inputs, equal bit for bit to a batch's."""
    session = open_session(student=STUDENT)
    Z = np.random.default_rng(0).standard_normal((3, 4))
    got = session.call_perturbed(
        "scaled_tanh", (Z,), {"scale": 2.5}, targets=[("args", 0)], step=DEFAULT_STEP
    )
    assert len(got) == 24
    assert_same_values(
        got, batch_of_copies(session, "scaled_tanh", (Z,), {"scale": 2.5}, ("args", 0))
    )


def test_the_perturbed_inputs_are_those_of_gradcheck_bit_for_bit(
    open_session: OpenSession,
) -> None:
    """Entries of very different magnitudes, where x + h rounds: the worker's arithmetic is
    the one of `perturbed_inputs`."""
    session = open_session(student=STUDENT)
    Z = np.array([[1e10, -3.7, 1e-300], [0.1, 123456.789, -0.0]])
    got = session.call_perturbed("identity", (Z,), {}, targets=[("args", 0)], step=DEFAULT_STEP)
    assert_same_values(got, perturbed_inputs(Z, step=DEFAULT_STEP))


def test_nested_dict_targets_with_pick_give_the_values_of_batches(
    open_session: OpenSession,
) -> None:
    """Targets inside a dict argument, positional or keyword, one after the other."""
    session = open_session(student=STUDENT)
    rng = np.random.default_rng(1)
    X = rng.standard_normal((3, 5))
    parameters = {"W": rng.standard_normal((2, 3)), "b": rng.standard_normal((2, 1))}
    got = session.call_perturbed(
        "forward",
        (X, parameters),
        {"activation": "relu"},
        targets=[("args", 1, "W"), ("args", 1, "b")],
        step=DEFAULT_STEP,
        pick=0,
    )
    expected = [
        *batch_of_copies(
            session, "forward", (X, parameters), {"activation": "relu"}, ("args", 1, "W"), pick=0
        ),
        *batch_of_copies(
            session, "forward", (X, parameters), {"activation": "relu"}, ("args", 1, "b"), pick=0
        ),
    ]
    assert len(got) == 2 * (6 + 2)
    assert_same_values(got, expected)
    by_keyword = session.call_perturbed(
        "forward",
        (X,),
        {"parameters": parameters},
        targets=[("kwargs", "parameters", "W")],
        step=DEFAULT_STEP,
        pick=0,
    )
    assert_same_values(
        by_keyword,
        batch_of_copies(
            session,
            "forward",
            (X,),
            {"parameters": parameters},
            ("kwargs", "parameters", "W"),
            pick=0,
        ),
    )


@pytest.mark.parametrize(
    ("function", "args", "pick"),
    [
        ("cost", (np.array([[0.2, 0.7, 0.4]]), np.array([[1.0, 0.0, 1.0]])), None),
        ("total", (np.array([[0.5, -2.0], [3.0, 1.5]]),), None),
        ("positives", (np.array([[0.5, 1.0 + 5e-7], [3.0, 1.5]]),), None),
        ("forward", (np.ones((1, 2)), {"W": np.ones((1, 1)), "b": np.zeros((1, 1))}), None),
    ],
    ids=["floats", "zero-dimensional arrays", "arrays of different shapes", "handles"],
)
def test_results_that_do_not_stack_come_back_as_a_batch_would_return_them(
    open_session: OpenSession, function: str, args: tuple[Any, ...], pick: int | None
) -> None:
    """Floats, 0-d arrays, arrays of several shapes and student objects: as in call_batch."""
    session = open_session(student=STUDENT)
    got = session.call_perturbed(function, args, {}, targets=[("args", 0)], step=DEFAULT_STEP)
    expected = batch_of_copies(session, function, args, {}, ("args", 0), pick=pick)
    if function == "forward":
        assert all(type(value) is tuple and type(value[1]) is Handle for value in got)
        assert_same_values([value[0] for value in got], [value[0] for value in expected])
    else:
        assert_same_values(got, expected)


def test_a_student_writing_into_its_inputs_does_not_reach_the_next_evaluation(
    open_session: OpenSession,
) -> None:
    """Every evaluation gets fresh copies of the arrays, lists and dicts of the base call."""
    session = open_session(student=STUDENT)
    Z = np.array([1.0, 2.0, 3.0])
    parameters = {"W": np.ones((2, 2)), "b": np.array([[0.5], [0.25]])}
    got = session.call_perturbed(
        "greedy", (Z, [], parameters), {}, targets=[("args", 0)], step=DEFAULT_STEP
    )
    expected = [[1.0, point.sum(), 4.0] for point in perturbed_inputs(Z)]
    np.testing.assert_array_equal(got, expected)
    assert Z.tolist() == [1.0, 2.0, 3.0] and parameters["W"].tolist() == [[1.0, 1.0]] * 2


def test_an_empty_target_asks_for_no_evaluation(open_session: OpenSession) -> None:
    session = open_session(student=STUDENT)
    got = session.call_perturbed(
        "identity", (np.zeros((0, 3)),), {}, targets=[("args", 0)], step=DEFAULT_STEP
    )
    assert got == []


@pytest.mark.parametrize(
    "target",
    [
        ("args", 3),
        ("args", -1),
        ("args", True),
        ("args", 0, 0),
        ("args", 1),
        ("args", 2, "W"),
        ("args", 2, "b"),
        ("args", 2, "missing"),
        ("kwargs", "Z"),
        ("Z",),
        (),
        "args",
    ],
)
def test_a_target_that_is_not_a_float64_array_argument_is_refused(
    open_session: OpenSession, target: Any
) -> None:
    """Out of range, negative, not an index, an int or float32 array, a missing key: the
    grader's mistake, refused before anything is sent."""
    session = open_session(student=STUDENT)
    args = (
        np.zeros(2),
        np.zeros(2, dtype=np.int64),
        {"W": np.zeros(2, dtype=np.float32), "b": 1.0},
    )
    with pytest.raises(SandboxError, match="is not a float64 ndarray"):
        session.call_perturbed("identity", args, {}, targets=[target], step=DEFAULT_STEP)
    assert session.worker_starts == 1
    np.testing.assert_array_equal(session.call("identity", np.ones(1)), [1.0])


@pytest.mark.parametrize("step", [float("nan"), float("inf"), 1, "1e-6"])
def test_a_step_that_is_not_a_finite_float_is_refused(open_session: OpenSession, step: Any) -> None:
    session = open_session(student=STUDENT)
    with pytest.raises(SandboxError, match="is not a finite float"):
        session.call_perturbed("identity", (np.zeros(2),), {}, targets=[("args", 0)], step=step)


@pytest.mark.parametrize(
    "function",
    [
        "one_too_many",
        "one_too_few_stacked",
        "zero_dimensional",
        "not_a_list",
        "complex_dtype",
        "junk",
    ],
)
def test_a_worker_that_answers_with_anything_but_the_results_is_hostile(
    open_session: OpenSession, function: str
) -> None:
    """A wrong count (listed or stacked), a 0-d array for the stack, another type, a dtype
    the grader does not accept, junk: the worker is replaced. (An ndarray subclass arrives
    as the plain array of its values, see test_sandbox_session.)"""
    session = open_session(student=STUDENT, hostile=HOSTILE)
    with pytest.raises(HostileValue) as hostile:
        session.call_perturbed(
            function, (np.zeros((2, 3)),), {}, targets=[("args", 0)], step=DEFAULT_STEP
        )
    assert hostile.value.function == function
    assert session.worker_starts == 1
    np.testing.assert_array_equal(session.call("identity", np.ones(1)), [1.0])
    assert session.worker_starts == 2


def test_student_errors_are_raised_as_in_a_batch(open_session: OpenSession) -> None:
    session = open_session(student=STUDENT)
    point = (np.zeros(2),)
    with pytest.raises(StudentNotImplemented, match="not implemented yet"):
        session.call_perturbed("stub", point, {}, targets=[("args", 0)], step=DEFAULT_STEP)
    with pytest.raises(StudentRaised, match="no gradients today"):
        session.call_perturbed("shout", point, {}, targets=[("args", 0)], step=DEFAULT_STEP)
    with pytest.raises(StudentNotImplemented, match="does not define `relu`"):
        session.call_perturbed("relu", point, {}, targets=[("args", 0)], step=DEFAULT_STEP)


def test_an_endless_evaluation_times_out_like_a_batch(open_session: OpenSession) -> None:
    """The per-call deadline; the function is not run again; the next call gets a fresh worker."""
    session = open_session(student=STUDENT)
    started = time.monotonic()
    with pytest.raises(StudentTimeout) as timeout:
        session.call_perturbed("spin", (np.zeros(2),), {}, targets=[("args", 0)], step=1e-6)
    assert time.monotonic() - started < TEST_LIMITS.wall_seconds_per_call + 1.5
    assert timeout.value.seconds == TEST_LIMITS.wall_seconds_per_call
    with pytest.raises(StudentTimeout) as again:
        session.call_perturbed("spin", (np.zeros(2),), {}, targets=[("args", 0)], step=1e-6)
    assert again.value.repeated
    np.testing.assert_array_equal(session.call("identity", np.ones(1)), [1.0])
    assert session.worker_starts == 2


def test_all_evaluations_share_one_deadline(open_session: OpenSession) -> None:
    """Eight calls of 0.2 s each exceed the 1 s per call, as one batch of them would."""
    session = open_session(student=STUDENT)
    with pytest.raises(StudentTimeout):
        session.call_perturbed("sleepy", (np.zeros(4),), {}, targets=[("args", 0)], step=1e-6)


def test_the_proxy_records_a_perturbed_call(open_session: OpenSession) -> None:
    student = StudentProxy(open_session(student=STUDENT))
    got = student.call_perturbed(
        "identity", (np.zeros(1),), {}, targets=[("args", 0)], step=DEFAULT_STEP
    )
    np.testing.assert_array_equal(got, [[DEFAULT_STEP], [-DEFAULT_STEP]])
    assert student.calls == frozenset({"identity"})


def test_stacked_gives_the_worker_stack_equal_to_the_list(open_session: OpenSession) -> None:
    """With `stacked`, results of one dtype and shape come back as one (2·n, ...) array whose
    rows are, bit for bit, the values of the list form."""
    session = open_session(student=STUDENT)
    Z = np.random.default_rng(1).standard_normal((2, 3))
    listed = session.call_perturbed("scaled_tanh", (Z,), {}, targets=[("args", 0)], step=1e-6)
    stack = session.call_perturbed(
        "scaled_tanh", (Z,), {}, targets=[("args", 0)], step=1e-6, stacked=True
    )
    assert type(stack) is np.ndarray and stack.shape == (12, 2, 3)
    assert_same_values([stack[index, ...] for index in range(12)], listed)


@pytest.mark.parametrize(("function", "hostile"), [("positives", False), ("one_too_many", True)])
def test_stacked_keeps_the_list_and_the_checks_of_the_reply(
    open_session: OpenSession, function: str, hostile: bool
) -> None:
    """Results of different shapes still come as a list; a reply of the wrong size is still
    hostile, stacked or not."""
    session = open_session(student=STUDENT, hostile=HOSTILE)
    Z = np.array([[1.0, 2.0, 3.0]])  # 1 + h is kept, 1 - h dropped: two shapes
    if hostile:
        with pytest.raises(HostileValue):
            session.call_perturbed(
                function, (Z,), {}, targets=[("args", 0)], step=1e-6, stacked=True
            )
        return
    got = session.call_perturbed(function, (Z,), {}, targets=[("args", 0)], step=1e-6, stacked=True)
    assert type(got) is list and len(got) == 6
    assert_same_values(got, batch_of_copies(session, function, (Z,), {}, ("args", 0)))
