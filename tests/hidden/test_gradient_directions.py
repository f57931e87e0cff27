"""Gradients are first checked along random directions (six calls of the student's forward);
every entry is differenced only when a direction disagrees, and that entrywise check alone
decides the verdict and its evidence."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import pytest

import reference.network as ref_network
from grader.errors import StudentRaised, StudentTimeout
from grader.hidden._directions import (
    DIRECTIONS,
    agree_along_directions,
    finite_arrays,
    layer_gradients_agree,
    model_gradients_agree,
)
from grader.hidden._network_checks import screened_layer, screened_network
from grader.hidden._support import binary_labels
from reference.losses import binary_cross_entropy

SHAPES = [(4, 5), (3, 4), (3, 1)]
WEIGHTS = [np.linspace(-1.0, 1.0, 20).reshape(4, 5), np.ones((3, 4)), np.arange(3.0)[:, None]]


def smooth(points: list[np.ndarray]) -> float:
    """f = Σ_k Σ w_k · sin(x_k), whose gradient is w_k · cos(x_k)."""
    return float(sum(np.sum(w * np.sin(x)) for w, x in zip(WEIGHTS, points, strict=True)))


def gradient_of_smooth(points: list[np.ndarray]) -> list[np.ndarray]:
    return [w * np.cos(x) for w, x in zip(WEIGHTS, points, strict=True)]


def agrees(claimed: list[np.ndarray], points: list[np.ndarray], seed: int, **options: Any) -> bool:
    calls: list[list[np.ndarray]] = []

    def values_at(made: list[Any]) -> np.ndarray:
        calls.extend(made)
        return np.array([smooth(list(args)) for args, _ in made])

    return agree_along_directions(
        values_at,
        lambda moved: (tuple(moved), {}),
        points,
        claimed,
        np.random.default_rng(seed),
        **options,
    )


def random_points(seed: int) -> list[np.ndarray]:
    rng = np.random.default_rng(10_000 + seed)
    return [rng.uniform(-2.0, 2.0, size=shape) for shape in SHAPES]


def test_a_correct_gradient_agrees_along_every_direction() -> None:
    for seed in range(100):
        points = random_points(seed)
        assert agrees(gradient_of_smooth(points), points, seed)


def test_scaled_gradients_are_compared_in_their_own_units() -> None:
    """A layer's dW and db are (1/m) ∂f/∂W and (1/m) ∂f/∂b."""
    points = random_points(0)
    exact = gradient_of_smooth(points)
    scaled = [exact[0], exact[1] / 6, exact[2] / 6]
    assert agrees(scaled, points, 0, scales=(1.0, 1 / 6, 1 / 6))
    assert not agrees(exact, points, 0, scales=(1.0, 1 / 6, 1 / 6))


MISTAKES: dict[str, Callable[[list[np.ndarray]], list[np.ndarray]]] = {
    "one entry doubled": lambda g: [g[0], _with(g[1], (2, 3), 2 * g[1][2, 3] + 0.1), g[2]],
    "one block's sign": lambda g: [g[0], g[1], -g[2]],
    "one block missing": lambda g: [np.zeros_like(g[0]), g[1], g[2]],
    "a factor 5 on everything": lambda g: [5 * x for x in g],
    "one entry off by 1e-2": lambda g: [_with(g[0], (1, 1), g[0][1, 1] + 1e-2), g[1], g[2]],
}


def _with(array: np.ndarray, index: tuple[int, int], value: float) -> np.ndarray:
    changed = array.copy()
    changed[index] = value
    return changed


@pytest.mark.parametrize("mistake", list(MISTAKES))
def test_a_wrong_gradient_disagrees_for_every_seed(mistake: str) -> None:
    for seed in range(200):
        points = random_points(seed)
        assert not agrees(MISTAKES[mistake](gradient_of_smooth(points)), points, seed), seed


def test_the_directions_cost_two_calls_each_in_one_round_trip() -> None:
    points = random_points(1)
    trips: list[int] = []

    def values_at(made: list[Any]) -> np.ndarray:
        trips.append(len(made))
        return np.array([smooth(list(args)) for args, _ in made])

    agree_along_directions(
        values_at,
        lambda moved: (tuple(moved), {}),
        points,
        gradient_of_smooth(points),
        np.random.default_rng(1),
    )
    assert trips == [2 * DIRECTIONS]


@pytest.mark.parametrize(
    "values",
    [None, np.array([1.0, np.nan] * DIRECTIONS), np.zeros(2 * DIRECTIONS + 1)],
    ids=["unusable output", "not finite", "too many values"],
)
def test_unusable_values_answer_disagrees(values: np.ndarray | None) -> None:
    points = random_points(2)
    assert not agree_along_directions(
        lambda made: values,
        lambda moved: (tuple(moved), {}),
        points,
        gradient_of_smooth(points),
        np.random.default_rng(2),
    )


def test_a_forward_that_raises_answers_disagrees_but_a_timeout_is_raised() -> None:
    points = random_points(3)

    def raising(error: Exception) -> Callable[[list[Any]], np.ndarray]:
        def values_at(made: list[Any]) -> np.ndarray:
            raise error

        return values_at

    def check(values_at: Callable[[list[Any]], np.ndarray]) -> bool:
        return agree_along_directions(
            values_at,
            lambda moved: (tuple(moved), {}),
            points,
            gradient_of_smooth(points),
            np.random.default_rng(3),
        )

    assert not check(raising(StudentRaised("f", "ValueError", "shapes")))
    with pytest.raises(StudentTimeout):
        check(raising(StudentTimeout("f", 2.0)))


GOOD = np.zeros((3, 1))


@pytest.mark.parametrize(
    ("got", "compared"),
    [
        ([np.zeros((2, 2)), GOOD], True),
        ((np.zeros((2, 2)), GOOD), True),
        ([np.zeros((2, 2)), GOOD.astype(np.float32)], False),
        ([np.zeros((2, 2)), np.full((3, 1), np.inf)], False),
        ([np.zeros((2, 2)), np.zeros(3)], False),
        ([np.zeros((2, 2)), [[0.0]] * 3], False),
        ([np.zeros((2, 2))], False),
        ({"dW": np.zeros((2, 2)), "db": GOOD}, False),
    ],
    ids=[
        "a list",
        "a tuple",
        "float32",
        "inf",
        "a flat vector",
        "a nested list",
        "one too few",
        "a dict",
    ],
)
def test_only_finite_float64_arrays_of_the_right_shapes_are_compared(
    got: Any, compared: bool
) -> None:
    """Anything else goes to the entrywise check, which says what is wrong with it."""
    assert (finite_arrays(got, [(2, 2), (3, 1)]) is not None) is compared


# --- through the student's layer and model forwards ----------------------------------------


def test_a_correct_layer_backward_costs_six_forward_calls(reference_student: Any) -> None:
    rng = np.random.default_rng(4)
    args = screened_layer(rng, 3, 4, 5)
    dA = rng.standard_normal((3, 5))
    Z, _ = ref_network.linear_forward(*args)
    got = ref_network.linear_activation_backward(dA, (args, Z), "tanh")
    calls: list[int] = []
    batch = reference_student.call_batch

    def counted(name: str, made: list[Any], pick: int | None = None) -> list[Any]:
        calls.append(len(made))
        return batch(name, made, pick=pick)

    reference_student.call_batch = counted
    assert layer_gradients_agree(
        reference_student, "linear_activation_forward", args, dA, got, rng, extra=("tanh",)
    )
    assert calls == [2 * DIRECTIONS]
    wrong = (got[0], got[1].T.copy() if got[1].shape[0] == got[1].shape[1] else 2 * got[1], got[2])
    assert not layer_gradients_agree(
        reference_student, "linear_activation_forward", args, dA, wrong, rng, extra=("tanh",)
    )


def test_model_grads_agree_with_the_cost_through_model_forward(reference_student: Any) -> None:
    rng = np.random.default_rng(5)
    X, parameters = screened_network(rng, [3, 4, 3, 1], 4, "relu")
    Y = binary_labels(rng, 4)
    AL, caches = ref_network.model_forward(X, parameters, "relu", "sigmoid")
    grads = ref_network.model_backward(AL, Y, caches, "relu", "sigmoid")
    options = {"hidden_activation": "relu", "output_activation": "sigmoid"}
    cost = binary_cross_entropy
    assert model_gradients_agree(reference_student, X, Y, parameters, cost, grads, rng, **options)
    for key in ("dW1", "db3"):
        wrong = {**grads, key: -grads[key]}
        assert not model_gradients_agree(
            reference_student, X, Y, parameters, cost, wrong, rng, **options
        )
    missing = {key: value for key, value in grads.items() if key != "db2"}
    assert not model_gradients_agree(
        reference_student, X, Y, parameters, cost, missing, rng, **options
    )


def test_one_wrong_entry_of_dW_is_reported_by_the_entrywise_check(grade, reference_functions):
    """The directions disagree; the test then fails as the entrywise check always failed
    it: gradient_mismatch on dW, the wrong entry first among the worst."""

    def backward(dA: np.ndarray, cache: Any, activation: str) -> Any:
        dA_prev, dW, db = ref_network.linear_activation_backward(dA, cache, activation)
        dW = dW.copy()
        dW[1, 2] += 0.5
        return dA_prev, dW, db

    report = grade(
        reference_functions | {"linear_activation_backward": backward},
        select="test_linear_activation_backward_gradient",
    )
    evidence = report.evidence("test_linear_activation_backward_gradient")
    assert evidence["kind"] == "gradient_mismatch"
    assert evidence["array"] == "dW"
    assert list(evidence["worst"][0]["index"]) == [1, 2]


def test_a_correct_submission_needs_no_entrywise_differences(
    grade, reference_functions, stand_in: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Every gradient of the answer key agrees along its directions; a wrong backward alone
    gets its forward differenced entry by entry, in the test that reports it."""
    perturbed: list[str] = []
    original = stand_in.call_perturbed  # the stand-in proxy's class

    def counted(self: Any, name: str, *args: Any, **kwargs: Any) -> Any:
        perturbed.append(name)
        return original(self, name, *args, **kwargs)

    monkeypatch.setattr(stand_in, "call_perturbed", counted)
    report = grade(reference_functions)
    assert report.failures() == {}
    assert perturbed == []

    def tanh_backward(dA: np.ndarray, Z: np.ndarray) -> np.ndarray:
        return dA * (1.0 - np.tanh(Z))  # the square left out

    report = grade(reference_functions | {"tanh_backward": tanh_backward}, select="tanh")
    assert set(report.failures()) == {"test_tanh_backward_values", "test_tanh_backward_gradient"}
    assert perturbed == ["tanh"]
    assert report.evidence("test_tanh_backward_gradient")["kind"] == "gradient_mismatch"
