"""A small hidden suite for testing the engine alone, written into a temporary folder.

It is kept as text so that the project's own pytest never collects it. Each test plays
one role: a check that passes or fails with `CheckFailure`, a bare assert quoting hidden
values, a parametrized check, a warning, a skip, a bug in our own test code, a probe of
the seeds. It only takes the grading fixtures.
"""

SUITE = """
import warnings

import numpy as np
import pytest

from grader.checks import CheckFailure

# Titles of the real hidden suites, which the catalog translates.
SIGMOID_VALUES = "sigmoid: values on random inputs, exact zeros and a single example"
RELU_VALUES = "relu: values on random inputs, exact zeros, large |z| and a single example"


def expect_close(got, expected, function):
    if type(got) is not np.ndarray or got.shape != expected.shape or not np.allclose(got, expected):
        raise CheckFailure(
            {
                "en": f"{function} gives wrong values.",
                "fr": f"{function} donne de mauvaises valeurs.",
            },
            {"kind": "value_mismatch", "function": function, "max_abs_error": float("inf")},
        )


@pytest.mark.graded(exercise="sigmoid", points=2, title=SIGMOID_VALUES)
def test_sigmoid_values(student, rng):
    Z = rng.standard_normal((3, 4))
    expect_close(student.call("sigmoid", Z), 1 / (1 + np.exp(-Z)), "sigmoid")


@pytest.mark.graded(exercise="sigmoid", points=2, title="sigmoid: backward")
def test_sigmoid_backward(student, rng):
    Z, dA = rng.standard_normal((3, 4)), rng.standard_normal((3, 4))
    s = 1 / (1 + np.exp(-Z))
    expect_close(student.call("sigmoid_backward", dA, Z), dA * s * (1 - s), "sigmoid_backward")


@pytest.mark.graded(exercise="relu", points=1, title=RELU_VALUES)
def test_relu_values(student, rng):
    Z = rng.standard_normal((2, 5))
    got = student.call("relu", Z)
    assert np.allclose(got, np.maximum(Z, 0)), f"HIDDEN-INPUT {Z.tolist()}"


@pytest.mark.graded(exercise="relu", points=1, title="relu: scaled")
@pytest.mark.parametrize("scale", [1.0, 1000.0], ids=["unit", "large"])
def test_relu_scaled(student, rng, scale):
    Z = scale * rng.standard_normal((2, 2))
    expect_close(student.call("relu", Z), np.maximum(Z, 0), "relu")


@pytest.mark.graded(exercise="tanh", points=2, title="tanh: values")
def test_tanh_values(student, rng):
    Z = rng.standard_normal((2, 3))
    warnings.warn("a warning of the trusted side is never the student's failure", UserWarning)
    expect_close(student.call("tanh", Z), np.tanh(Z), "tanh")


@pytest.mark.graded(exercise="tanh", points=1, title="tanh: skipped")
def test_tanh_skipped(student):
    pytest.skip("this check does not apply")


@pytest.mark.graded(exercise="update", points=2, title="update: one step")
def test_update_internal_bug(student):
    student.call("update_parameters", {}, {}, 0.1)
    raise KeyError("a bug in the hidden test itself")


@pytest.mark.graded(exercise="initialization", points=2, title="seed probe")
def test_seed_probe(student, rng, student_seed):
    raise CheckFailure(
        {"en": "probe", "fr": "sonde"},
        {"kind": "property", "draw": float(rng.random()), "seed": student_seed},
    )
"""

PROBE_ID = "test_fake::test_seed_probe"
"""The test whose evidence reports its `rng` draw and the `student_seed`."""

TEST_IDS = [
    "test_fake::test_sigmoid_values",
    "test_fake::test_sigmoid_backward",
    "test_fake::test_tanh_values",
    "test_fake::test_tanh_skipped",
    "test_fake::test_relu_values",
    "test_fake::test_relu_scaled[unit]",
    "test_fake::test_relu_scaled[large]",
    "test_fake::test_seed_probe",
    "test_fake::test_update_internal_bug",
]
"""The suite's tests, in the order they run: the catalog's exercise order (sigmoid, tanh,
relu, ..., initialization, update), the file's order within an exercise."""

EARNABLE = {"sigmoid": 4, "relu": 3, "tanh": 2}
"""What a fully correct fake student earns per exercise (the others cannot pass); each
exercise's tests add up to its catalog points."""
