"""Where a student's exception was raised comes back with it (file or notebook cell, line,
source, function, which call of a batch), and every field of it is checked, since the
worker that sends it runs the student's code."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest
from sandbox_helpers import OpenSession

from grader.checks import describe_contract_call
from grader.errors import StudentNotImplemented, StudentRaised
from grader.sandbox import StudentProxy, StudentSession

MODULE = """
    import numpy as np

    def _positive(Z):
        assert (Z > 0).all()
        return Z

    def relu(Z):
        return np.log(_positive(Z))

    def relu_backward(dA, Z):
        raise ValueError(f"dA has shape {dA.shape}")
"""


def _raised(session: StudentSession | StudentProxy, function: str, *args: Any) -> StudentRaised:
    with pytest.raises(StudentRaised) as caught:
        session.call(function, *args)
    return caught.value


def test_the_place_source_and_function_of_the_raising_line_come_back(
    open_session: OpenSession,
) -> None:
    """The innermost line of the student's files: an assert in a helper names the helper."""
    session = open_session(activations=MODULE)
    raised = _raised(session, "relu", -np.ones((2, 2)))
    assert raised.exception_type == "AssertionError" and raised.detail == ""
    assert raised.place is not None
    assert dict(raised.place) == {
        "en": "exercises/activations.py, line 5",
        "fr": "exercises/activations.py, ligne 5",
    }
    assert raised.source == "assert (Z > 0).all()"
    assert raised.inner_function == "_positive"
    own = _raised(session, "relu_backward", np.ones((2, 3)), np.ones((2, 3)))
    assert own.detail == "dA has shape (2, 3)"
    assert own.source == 'raise ValueError(f"dA has shape {dA.shape}")'
    assert own.inner_function is None  # the function called is the one that raised


def test_a_notebook_line_is_named_by_its_code_cell(open_session: OpenSession) -> None:
    """The loader puts a marker before each code cell; the line is counted from it."""
    notebook = (
        "# code cell 2\nimport numpy as np\n\n# code cell 4\ndef relu(Z):\n    return 1 / 0\n"
    )
    raised = _raised(open_session(notebook=notebook), "relu", np.ones((1, 1)))
    assert raised.place is not None
    assert raised.place["en"] == "your notebook, code cell 4, line 2"
    assert raised.place["fr"] == "votre notebook, cellule de code 4, ligne 2"
    assert raised.source == "return 1 / 0"


def test_the_proxy_names_the_call_of_a_batch_that_raised(open_session: OpenSession) -> None:
    """The second call of a batch raised: its arguments are the ones described."""
    student = StudentProxy(open_session(activations=MODULE), describe_call=describe_contract_call)
    with pytest.raises(StudentRaised) as caught:
        student.call_batch(
            "relu", [((np.ones((2, 2)),), {}), ((-np.ones((3, 5)),), {}), ((np.ones(1),), {})]
        )
    assert caught.value.index == 1
    assert caught.value.call == "relu(Z (3, 5))"
    single = _raised(student, "relu_backward", np.ones((4, 1)), np.zeros((4, 1)))
    assert single.call == "relu_backward(dA (4, 1), Z (4, 1))"


FORGER = """
    import gc

    def forge(where, index):
        for thing in gc.get_objects():
            if type(thing).__name__ == "_Worker":
                original = thing.raised
                def raised(error, index_=0, original=original):
                    reply, value = original(error, index_)
                    return {**reply, "where": where, "index": index}, value
                thing.raised = raised
                return True
        return False

    def fail(x):
        raise RuntimeError("boom")
"""


@pytest.mark.parametrize(
    ("where", "index"),
    [
        ({"file": "../../etc/passwd", "line": 1, "source": "x", "function": "f"}, 0),
        ({"file": "exercises/nowhere.py", "line": 1, "source": "x", "function": "f"}, 0),
        ({"file": "exercises/activations.py", "line": 0, "source": "x", "function": "f"}, 0),
        ({"file": "exercises/activations.py", "line": 10**12, "source": "x", "function": "f"}, 0),
        ({"file": "exercises/activations.py", "line": "3", "source": "x", "function": "f"}, 0),
        ({"file": "exercises/activations.py", "line": 3, "source": 7, "function": "f"}, 0),
        ("exercises/activations.py:3", -5),
        ([1, 2, 3], 2**40),
    ],
)
def test_a_forged_location_is_dropped_whole(
    open_session: OpenSession, where: object, index: object
) -> None:
    """A place outside the submission's modules, a line that cannot be, a field of the
    wrong type: no place is named at all, and the call index falls back to the first."""
    session = open_session(activations=FORGER)
    assert session.call("forge", where, index) is True
    raised = _raised(session, "fail", 1.0)
    assert raised.place is None and raised.source == "" and raised.inner_function is None
    assert raised.index == 0
    assert raised.detail == "boom"


def test_forged_text_is_capped_and_kept_on_one_line(open_session: OpenSession) -> None:
    """A source line is shown on one line and at most about 200 characters; a function
    name that is not an identifier is not shown."""
    session = open_session(activations=FORGER)
    where = {
        "file": "exercises/activations.py",
        "line": 3,
        "source": "evil\n\r\tline " + "x" * 5000,
        "function": "<script>alert(1)</script>",
    }
    assert session.call("forge", where, 0) is True
    raised = _raised(session, "fail", 1.0)
    assert raised.place is not None and raised.place["en"] == "exercises/activations.py, line 3"
    assert raised.source.startswith("evil line xxx")
    assert "\n" not in raised.source and len(raised.source) <= 201
    assert raised.inner_function is None


def test_a_call_of_an_untouched_stub_names_the_stub(open_session: OpenSession) -> None:
    """The handout's stub raises its own sentence; a function that calls it is not itself
    a stub, and the error says which stub it ran into."""
    session = open_session(
        activations="""
        def relu(Z):
            raise NotImplementedError("relu is not implemented yet.")

        def relu_backward(dA, Z):
            return dA * (relu(Z) > 0)
        """
    )
    with pytest.raises(StudentNotImplemented) as own:
        session.call("relu", 1.0)
    assert own.value.via is None
    with pytest.raises(StudentNotImplemented) as calling:
        session.call("relu_backward", 1.0, 1.0)
    assert calling.value.function == "relu_backward" and calling.value.via == "relu"
