"""A student session: imports, calls, errors, handles and output, as the hidden suites see them."""

from __future__ import annotations

import textwrap

import numpy as np
import pytest
from sandbox_helpers import TEST_LIMITS, OpenSession, function_modules_of

from grader.errors import SandboxError, StudentNotImplemented, StudentRaised, WorkerCrashed
from grader.sandbox import Handle, Sandbox, StudentProxy

ACTIVATIONS = """
    import numpy as np

    def relu(Z):
        return np.maximum(0, Z)

    def sigmoid(Z):
        raise NotImplementedError

    def linear_forward(A_prev, W, b):
        Z = W @ A_prev + b
        return Z, Cache(A_prev, W, b)

    def linear_backward(dZ, cache):
        A_prev, W, b = cache.values
        m = A_prev.shape[1]
        return W.T @ dZ, dZ @ A_prev.T / m, dZ.sum(axis=1, keepdims=True) / m

    class Cache:
        def __init__(self, *values):
            self.values = values

    def shout(message):
        raise ValueError(message.upper())

    def leave():
        import sys
        sys.exit(3)

    def interrupt():
        raise KeyboardInterrupt

    def matrix():
        return np.ones((2, 2)).view(np.matrix)

    def mutate(Z):
        Z[0] = 99.0
        return Z

    not_a_function = 3
"""


def test_values_come_back_as_plain_numpy_data(open_session: OpenSession) -> None:
    """A call returns the student's value, decoded on the trusted side."""
    session = open_session(activations=ACTIVATIONS)
    assert session.module_status == {"activations": "loaded"} and session.module_problems == []
    Z = np.array([[-1.0, 2.0], [3.0, -4.0]])
    result = session.call("relu", Z)
    assert type(result) is np.ndarray and result.dtype == np.float64
    np.testing.assert_array_equal(result, [[0.0, 2.0], [3.0, 0.0]])


def test_arguments_are_copies(open_session: OpenSession) -> None:
    """The worker mutating its argument never changes the trusted side's array."""
    session = open_session(activations=ACTIVATIONS)
    Z = np.zeros(3)
    returned = session.call("mutate", Z)
    assert Z[0] == 0.0 and returned[0] == 99.0


def test_a_cache_object_travels_as_a_handle_and_back(open_session: OpenSession) -> None:
    """An object returned by a forward stays in the worker; its handle works in the backward."""
    session = open_session(activations=ACTIVATIONS)
    rng = np.random.default_rng(0)
    A, W, b = rng.standard_normal((3, 5)), rng.standard_normal((2, 3)), rng.standard_normal((2, 1))
    Z, cache = session.call("linear_forward", A, W, b)
    assert type(cache) is Handle and cache.type_name == "Cache"
    dZ = rng.standard_normal((2, 5))
    dA, dW, db = session.call("linear_backward", dZ, cache)
    np.testing.assert_allclose(Z, W @ A + b)
    np.testing.assert_allclose(dW, dZ @ A.T / 5)
    assert dA.shape == (3, 5) and db.shape == (2, 1)


def test_call_batch_with_pick_drops_the_caches(open_session: OpenSession) -> None:
    """`pick=0` keeps only Z of each (Z, cache): no handle crosses the boundary."""
    session = open_session(activations=ACTIVATIONS)
    W, b = np.eye(2), np.zeros((2, 1))
    calls = [((np.full((2, 1), float(k)), W, b), {}) for k in range(4)]
    results = session.call_batch("linear_forward", calls, pick=0)
    assert [r[0, 0] for r in results] == [0.0, 1.0, 2.0, 3.0]
    assert all(type(r) is np.ndarray for r in results)


def test_an_ndarray_subclass_comes_back_as_its_plain_values(open_session: OpenSession) -> None:
    """np.matrix (or any rigged subclass) is graded as the plain array of its values, with a
    note for the student; its methods never reach the trusted side."""
    session = open_session(
        activations=ACTIVATIONS
        + """
    class Rigged(np.ndarray):
        def __eq__(self, other):
            return True

    def rigged():
        return np.zeros(3).view(Rigged)
    """
    )
    value = session.call("matrix")
    assert type(value) is np.ndarray and value.tolist() == [[1.0, 1.0], [1.0, 1.0]]
    rigged = session.call("rigged")
    assert type(rigged) is np.ndarray and (rigged == np.ones(3)).tolist() == [False] * 3
    notes = session.value_notes
    assert [note["function"] for note in notes] == ["matrix", "rigged"]
    assert notes[0]["code"] == "ndarray_subclass" and "matrix" in notes[0]["message"]
    assert "np.matrix" in notes[0]["messages"]["fr"]


def test_a_container_that_holds_itself_travels_with_a_handle_inside(
    open_session: OpenSession,
) -> None:
    """A cache that holds a reference to itself comes back as plain data with a handle where
    it repeats, and goes back to the worker as the same values."""
    session = open_session(
        activations=ACTIVATIONS
        + """
    def forward(Z):
        cache = [Z, 2.0]
        cache.append(cache)
        return Z * 2, cache

    def backward(dA, cache):
        Z, factor, itself = cache
        assert itself[0] is not None
        return dA * factor
    """
    )
    value, cache = session.call("forward", np.ones(2))
    assert value.tolist() == [2.0, 2.0]
    assert type(cache) is list and type(cache[2]) is Handle
    assert session.call("backward", np.ones(2), cache).tolist() == [2.0, 2.0]


def test_missing_and_stub_functions_are_not_implemented(sandbox: Sandbox) -> None:
    """Missing, not callable, still a stub, or in a missing module: `StudentNotImplemented`."""
    sources = {"activations": textwrap.dedent(ACTIVATIONS)}
    function_modules = {
        **function_modules_of(sources),
        "tanh": "activations",
        "not_a_function": "activations",
        "predict": "model",
    }
    with sandbox.open_session(sources, function_modules=function_modules) as session:
        with pytest.raises(StudentNotImplemented, match="not implemented yet"):
            session.call("sigmoid", np.zeros(2))
        for name in ("tanh", "not_a_function"):
            with pytest.raises(
                StudentNotImplemented, match=f"activations.py does not define `{name}`"
            ):
                session.call(name, np.zeros(2))
        with pytest.raises(StudentNotImplemented, match=r"exercises/model\.py is missing"):
            session.call("predict", np.zeros(2))
        with pytest.raises(StudentNotImplemented, match="does not define `softmax`"):
            session.call("softmax", np.zeros(2))
        assert session.has_function("relu") and session.has_function("sigmoid")
        assert not any(session.has_function(f) for f in ("tanh", "not_a_function", "predict"))


def test_a_student_exception_is_raised_with_a_clean_traceback(open_session: OpenSession) -> None:
    """Type, message and a traceback naming exercises/<module>.py, without the scratch path."""
    session = open_session(activations=ACTIVATIONS)
    with pytest.raises(StudentRaised) as raised:
        session.call("shout", "wrong shape")
    error = raised.value
    assert (error.function, error.exception_type, error.detail) == (
        "shout",
        "ValueError",
        "WRONG SHAPE",
    )
    assert 'File "exercises/activations.py", line' in error.traceback
    assert "session-" not in error.traceback and "worker.py" not in error.traceback


@pytest.mark.parametrize(
    ("function", "kind"), [("leave", "SystemExit"), ("interrupt", "KeyboardInterrupt")]
)
def test_sys_exit_and_keyboard_interrupt_are_student_exceptions(
    open_session: OpenSession, function: str, kind: str
) -> None:
    """They end the call, not the worker."""
    session = open_session(activations=ACTIVATIONS)
    with pytest.raises(StudentRaised) as raised:
        session.call(function)
    assert raised.value.exception_type == kind
    np.testing.assert_array_equal(session.call("relu", np.array([-1.0])), [0.0])
    assert session.worker_starts == 1


NETWORK_STYLES = {
    "absolute": "from exercises.activations import relu",
    "relative": "from .activations import relu",
    "plain": "from activations import relu",
}


@pytest.mark.parametrize("style", sorted(NETWORK_STYLES))
def test_every_import_style_between_student_modules_works(
    open_session: OpenSession, style: str
) -> None:
    """`from exercises.x`, `from .x` and `from x` all give the same, single module."""
    network = f"""
        {NETWORK_STYLES[style]}
        import exercises.activations

        def forward(Z):
            return relu(Z), relu is exercises.activations.relu
    """
    session = open_session(activations=ACTIVATIONS, network=network)
    assert session.module_status == {"activations": "loaded", "network": "loaded"}
    value, same = session.call("forward", np.array([-2.0, 2.0]))
    np.testing.assert_array_equal(value, [0.0, 2.0])
    assert same is True


def test_a_failing_line_at_import_is_reported_and_the_rest_loads(
    open_session: OpenSession,
) -> None:
    """Like a Jupyter cell: `import torch` fails with its file and line, and the functions
    after it are defined and graded; a name defined twice is its last definition."""
    session = open_session(
        activations=ACTIVATIONS,
        losses="import numpy as np\n\nimport torch\n\ndef cost(AL, Y):\n    return 0.0\n\n"
        "cost_test_case()\n\ndef cost(AL, Y):\n    return 1.0\n",
    )
    assert session.module_status == {"activations": "loaded", "losses": "loaded"}
    first, second = session.module_problems
    assert (first["path"], first["line"], first["code"]) == ("losses.py", 3, "import_error")
    assert first["message"].startswith("exercises/losses.py, line 3: `import torch` raised")
    assert "No module named 'torch'" in first["message"]
    assert "ligne 3" in first["messages"]["fr"]
    assert second["line"] == 8 and "NameError" in second["message"]
    assert session.call("cost", 1.0, 1.0) == 1.0
    np.testing.assert_array_equal(session.call("relu", np.array([1.0])), [1.0])


def test_a_notebook_line_is_named_by_its_cell(open_session: OpenSession) -> None:
    """A notebook's failing line is reported as "code cell N, line L", counted in the cell."""
    notebook = (
        "# code cell 1\nimport numpy as np\n\n"
        "# code cell 2\nfrom google.colab import drive\ndrive.mount('/content')\n\n"
        "# code cell 4\nx = 1\ny = undefined_helper()\n\n"
        "# code cell 5\ndef relu(Z):\n    return np.maximum(Z, 0)\n"
    )
    session = open_session(notebook=notebook)
    messages = [p["message"] for p in session.module_problems]
    assert messages[0].startswith("your notebook, code cell 2, line 1: `from google.colab")
    assert messages[1].startswith("your notebook, code cell 2, line 2: `drive.mount")
    assert messages[2].startswith("your notebook, code cell 4, line 2: `y = undefined_helper()`")
    assert [p["line"] for p in session.module_problems] == [1, 2, 2]
    np.testing.assert_array_equal(session.call("relu", np.array([-1.0, 2.0])), [0.0, 2.0])


def test_output_is_captured_and_capped(open_session: OpenSession) -> None:
    """Top-level and call output are kept up to the cap, then marked truncated."""
    session = open_session(
        activations="""
            print("importing activations")

            def talk():
                print("x" * 5000)
                import sys
                print("to stderr", file=sys.stderr)
                return 1
        """
    )
    assert session.output() == {
        "stdout": "importing activations\n",
        "stderr": "",
        "truncated": False,
    }
    assert session.call("talk") == 1
    output = session.output()
    assert len(output["stdout"]) == TEST_LIMITS.output_bytes and output["truncated"] is True
    assert output["stderr"] == "to stderr\n"


def test_the_proxy_records_the_functions_called(open_session: OpenSession) -> None:
    """`student.relu(Z)` calls the sandbox and is recorded until `reset_calls()`, as is what
    the test found wrong."""
    student = StudentProxy(open_session(activations=ACTIVATIONS))
    np.testing.assert_array_equal(student.relu(np.array([-1.0])), [0.0])
    student.call_batch("relu", [((np.zeros(1),), {})])
    assert student.has_function("relu") and student.calls == frozenset({"relu"})
    with pytest.raises(StudentNotImplemented):
        student.sigmoid(np.zeros(1))
    assert student.calls == frozenset({"relu", "sigmoid"})
    student.found_wrong("relu")  # a test's report, kept until the next test
    assert student.found == frozenset({"relu"})
    student.reset_calls()
    assert student.calls == frozenset() and student.found == frozenset()
    with pytest.raises(AttributeError):
        student._private  # noqa: B018


def test_one_session_at_a_time_and_bad_module_names(
    sandbox: Sandbox, open_session: OpenSession
) -> None:
    """A second open session, or a module name that is not an identifier, is refused."""
    open_session(activations=ACTIVATIONS)
    with pytest.raises(SandboxError, match="already has an open session"):
        sandbox.open_session({"x": ""}, function_modules={})


def test_bad_module_names_are_refused(sandbox: Sandbox) -> None:
    with pytest.raises(SandboxError, match="not a valid module name"):
        sandbox.open_session({"../evil": ""}, function_modules={})


def test_a_handle_from_a_restarted_worker_is_refused(open_session: OpenSession) -> None:
    """After a crash the worker is new: an old handle raises `WorkerCrashed` explaining why."""
    session = open_session(
        activations=textwrap.dedent(ACTIVATIONS)
        + "\n\ndef die():\n    import os\n    os._exit(4)\n"
    )
    _, cache = session.call("linear_forward", np.ones((1, 1)), np.ones((1, 1)), np.ones((1, 1)))
    with pytest.raises(WorkerCrashed, match="exited with code 4"):
        session.call("die")
    with pytest.raises(WorkerCrashed, match="restarted"):
        session.call("linear_backward", np.ones((1, 1)), cache)
    assert session.worker_starts == 2


def test_the_standard_library_and_numpy_stay_importable(open_session: OpenSession) -> None:
    """Hiding root's home must not hide the interpreter's own files or the venv."""
    session = open_session(
        activations="""
            import stringprep, fractions, decimal
            import numpy.polynomial

            def third():
                return float(fractions.Fraction(1, 3)), numpy.polynomial.Polynomial([1, 2])(1.0)
        """
    )
    assert session.module_status == {"activations": "loaded"}, session.module_problems
    assert session.call("third") == (1 / 3, 3.0)


def test_output_never_shows_the_random_scratch_path(open_session: OpenSession) -> None:
    """A warning names the student's file relative to the submission, so that two gradings
    of the same submission print, and record, the same text."""
    session = open_session(
        activations="""
            import os
            import warnings

            def warn():
                warnings.warn("careful")
                print(os.getcwd(), __file__)
                return 0
        """
    )
    assert session.call("warn") == 0
    output = session.output()
    assert output["stdout"] == ". exercises/activations.py\n"
    assert output["stderr"].startswith("exercises/activations.py:6: UserWarning: careful")


def test_a_students_own_not_implemented_error_keeps_its_words(open_session: OpenSession) -> None:
    """Only the handout's untouched stub reads "not implemented yet"; a student's own
    NotImplementedError is an error of their code, with their message; a function that calls
    a stub says which."""
    session = open_session(
        activations="""
    def sigmoid(Z):
        raise NotImplementedError("sigmoid is not implemented yet.")

    def forward(Z, activation):
        if activation == "tanh":
            raise NotImplementedError("tanh not supported yet")
        return sigmoid(Z)
    """
    )
    with pytest.raises(StudentNotImplemented, match="`sigmoid` is not implemented yet"):
        session.call("sigmoid", 1.0)
    with pytest.raises(StudentRaised) as raised:
        session.call("forward", 1.0, "tanh")
    assert raised.value.exception_type == "NotImplementedError"
    assert raised.value.detail == "tanh not supported yet"
    with pytest.raises(StudentNotImplemented, match="calls `sigmoid`, which is not implemented"):
        session.call("forward", 1.0, "sigmoid")


SUBSTITUTION = """
    import numpy as np

    def double(x):
        return x * 3  # the bug

    def twice_plus_one(x):
        return double(x) + 1

    def using_a_table(x):
        return TABLE["double"](x) + 1

    TABLE = {"double": double}

    def with_a_cache(x):
        cache = Cache(x)
        return double(cache) + 1

    class Cache:
        def __init__(self, x):
            self.x = x
        def __mul__(self, k):
            return self.x * k
"""


def test_substituted_functions_are_answered_by_the_trusted_side(
    open_session: OpenSession,
) -> None:
    """A bug costs once: `twice_plus_one` called with a correct `double` is right, through a
    global or a table; without substitution, the student's own `double` runs."""
    session = open_session(activations=SUBSTITUTION)
    assert session.call("twice_plus_one", 2.0) == 7.0
    session.substitute({"double": lambda x: x * 2})
    assert session.call("twice_plus_one", 2.0) == 5.0
    assert session.call("using_a_table", 2.0) == 5.0
    assert session.answered == {"double"}
    np.testing.assert_array_equal(
        session.call_batch("twice_plus_one", [((np.ones(2),), {})] * 3)[2], [3.0, 3.0]
    )
    # A function is never substituted for itself.
    assert session.call("double", 2.0) == 6.0
    session.substitute({})
    assert session.call("twice_plus_one", 2.0) == 7.0


def test_a_substitute_that_cannot_answer_lets_the_students_function_run(
    open_session: OpenSession,
) -> None:
    """An argument that is an object of the student's (a cache), or an implementation that
    raises: declined, and the student's own function answers."""
    session = open_session(activations=SUBSTITUTION)
    session.substitute({"double": lambda x: x * 2})
    assert session.call("with_a_cache", 2.0) == 7.0
    assert session.answered == set()

    def refuses(x: float) -> float:
        raise ValueError("not the contract's shapes")

    session.substitute({"double": refuses})
    assert session.call("twice_plus_one", 2.0) == 7.0
