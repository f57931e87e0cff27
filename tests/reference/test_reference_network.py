"""reference.network: initialisation, forward values, every backward against finite differences."""

from __future__ import annotations

import numpy as np
import pytest
from reference_gradcheck import assert_gradients_agree, numerical_gradient

from reference import activations as act
from reference import losses
from reference import network as nw

HIDDEN = ["sigmoid", "tanh", "relu", "leaky_relu"]
KINKED = {"relu", "leaky_relu"}
KINK_MARGIN = 0.05  # hidden |Z| kept above this: probes move Z by ~1e-3 at most


def test_initialize_parameters_follows_the_contract_formula() -> None:
    """W{l} = default_rng(seed).standard_normal((n_l, n_{l-1})) * sqrt(2/n_{l-1}), in order."""
    dims = [3, 5, 4, 2]
    parameters = nw.initialize_parameters(dims, seed=7)
    rng = np.random.default_rng(7)
    expected_W = [rng.standard_normal((5, 3)) * np.sqrt(2 / 3)]
    expected_W.append(rng.standard_normal((4, 5)) * np.sqrt(2 / 5))
    expected_W.append(rng.standard_normal((2, 4)) * np.sqrt(2 / 4))
    assert sorted(parameters) == ["W1", "W2", "W3", "b1", "b2", "b3"]
    for l, W in enumerate(expected_W, start=1):  # noqa: E741
        np.testing.assert_array_equal(parameters[f"W{l}"], W)
        np.testing.assert_array_equal(parameters[f"b{l}"], np.zeros((dims[l], 1)))
        assert parameters[f"W{l}"].dtype == np.float64
    first_draw_of_seed_0 = np.random.default_rng(0).standard_normal() * np.sqrt(2 / 3)
    assert nw.initialize_parameters(dims)["W1"][0, 0] == first_draw_of_seed_0


@pytest.mark.parametrize("dims", [[3], [], [2, 0, 1], [2, 1.5], [2, True]])
def test_initialize_parameters_rejects_bad_sizes(dims: list) -> None:
    """Fewer than two sizes, or a size that is not a positive integer, is refused."""
    with pytest.raises(ValueError, match="layer_dims"):
        nw.initialize_parameters(dims)


def test_linear_forward_by_hand() -> None:
    """Z = W·A + b with b broadcast over the columns; the cache is (A_prev, W, b)."""
    A = np.array([[1.0, 0.0], [2.0, -1.0]])
    W = np.array([[1.0, 3.0]])
    b = np.array([[0.5]])
    Z, cache = nw.linear_forward(A, W, b)
    np.testing.assert_array_equal(Z, [[7.5, -2.5]])
    assert isinstance(cache, tuple)
    assert all(isinstance(part, np.ndarray) for part in cache)


def test_model_forward_composes_the_layers() -> None:
    """A two-layer forward equals relu then sigmoid applied by hand; one cache per layer."""
    rng = np.random.default_rng(2)
    X = rng.standard_normal((3, 4))
    p = {
        "W1": rng.standard_normal((2, 3)),
        "b1": rng.standard_normal((2, 1)),
        "W2": rng.standard_normal((1, 2)),
        "b2": rng.standard_normal((1, 1)),
    }
    hidden = np.maximum(p["W1"] @ X + p["b1"], 0)
    expected = 1 / (1 + np.exp(-(p["W2"] @ hidden + p["b2"])))
    AL, caches = nw.model_forward(X, p)
    np.testing.assert_allclose(AL, expected, rtol=1e-14)
    assert len(caches) == 2


def test_unknown_names_are_refused_with_the_valid_ones() -> None:
    """A misspelt activation or malformed parameters fail with a message that says what to do."""
    p = nw.initialize_parameters([2, 3, 1])
    X = np.ones((2, 4))
    with pytest.raises(ValueError, match=r"relu.*softmax"):
        nw.model_forward(X, p, hidden_activation="ReLU")
    with pytest.raises(ValueError, match="W1, b1"):
        nw.model_forward(X, {"W1": p["W1"]})
    AL, caches = nw.model_forward(X, p, output_activation="tanh")
    with pytest.raises(ValueError, match="cross-entropy"):
        nw.model_backward(AL, np.ones((1, 4)), caches, output_activation="tanh")


@pytest.mark.parametrize("seed", [0, 1])
def test_linear_backward_matches_finite_differences(seed: int) -> None:
    """dA_prev = ∂(Σ dZ·Z)/∂A_prev; dW and db carry the 1/m of the mean cost."""
    rng = np.random.default_rng(seed)
    m = 5
    A_prev, W, b = (
        rng.standard_normal((3, m)),
        rng.standard_normal((4, 3)),
        rng.standard_normal((4, 1)),
    )
    dZ = rng.standard_normal((4, m))
    dA_prev, dW, db = nw.linear_backward(dZ, nw.linear_forward(A_prev, W, b)[1])

    def projected(a: np.ndarray, w: np.ndarray, c: np.ndarray) -> float:
        return float(np.sum(dZ * nw.linear_forward(a, w, c)[0]))

    assert_gradients_agree(dA_prev, numerical_gradient(lambda a: projected(a, W, b), A_prev), "dA")
    assert_gradients_agree(dW, numerical_gradient(lambda w: projected(A_prev, w, b), W) / m, "dW")
    assert_gradients_agree(db, numerical_gradient(lambda c: projected(A_prev, W, c), b) / m, "db")
    assert db.shape == (4, 1)


@pytest.mark.parametrize("activation", [*HIDDEN, "softmax"])
def test_linear_activation_backward_matches_finite_differences(activation: str) -> None:
    """(dA_prev, m·dW, m·db) are the gradients of Σ dA·A through g(W·A_prev + b)."""
    m = 5
    for seed in range(100):  # the first seed whose Z stays 0.1 away from the kink at 0
        rng = np.random.default_rng(seed)
        A_prev, W = rng.standard_normal((3, m)), rng.standard_normal((4, 3))
        b = rng.standard_normal((4, 1))
        if np.min(np.abs(W @ A_prev + b)) > 0.1:
            break
    else:
        raise AssertionError("no seed below 100 keeps Z away from the kink")
    dA = rng.standard_normal((4, m))
    dA_prev, dW, db = nw.linear_activation_backward(
        dA, nw.linear_activation_forward(A_prev, W, b, activation)[1], activation
    )

    def projected(a: np.ndarray, w: np.ndarray, c: np.ndarray) -> float:
        return float(np.sum(dA * nw.linear_activation_forward(a, w, c, activation)[0]))

    assert_gradients_agree(dA_prev, numerical_gradient(lambda a: projected(a, W, b), A_prev), "dA")
    assert_gradients_agree(dW, numerical_gradient(lambda w: projected(A_prev, w, b), W) / m, "dW")
    assert_gradients_agree(db, numerical_gradient(lambda c: projected(A_prev, W, c), b) / m, "db")


def network_away_from_kinks(
    depth: int, hidden: str, output: str, n_x: int = 3, width: int = 4, C: int = 3, m: int = 5
) -> tuple[np.ndarray, np.ndarray, dict[str, np.ndarray]]:
    """A seeded (X, Y, parameters) whose hidden pre-activations all have |Z| > KINK_MARGIN."""
    n_out = C if output == "softmax" else 1
    dims = [n_x] + [width] * (depth - 1) + [n_out]
    for seed in range(100):
        rng = np.random.default_rng(seed)
        X = rng.standard_normal((n_x, m))
        parameters = nw.initialize_parameters(dims, seed=seed)
        for l in range(1, depth + 1):  # noqa: E741
            parameters[f"b{l}"] = 0.1 * rng.standard_normal((dims[l], 1))
        if output == "softmax":
            Y = np.eye(C)[:, rng.integers(0, C, size=m)]
        else:
            Y = rng.integers(0, 2, size=(1, m)).astype(np.float64)
        _, caches = nw.model_forward(X, parameters, hidden, output)
        hidden_Z = [Z for _, Z in caches[:-1]]
        if hidden not in KINKED or all(np.min(np.abs(Z)) > KINK_MARGIN for Z in hidden_Z):
            return X, Y, parameters
    raise AssertionError("no seed below 100 keeps every hidden unit away from its kink")


@pytest.mark.parametrize("depth", [1, 2, 3, 4])
@pytest.mark.parametrize("output", ["sigmoid", "softmax"])
@pytest.mark.parametrize("hidden", HIDDEN)
def test_model_backward_is_the_gradient_of_the_mean_cost(
    hidden: str, output: str, depth: int
) -> None:
    """Every dW{l}, db{l} agrees with finite differences of the cost through model_forward."""
    X, Y, parameters = network_away_from_kinks(depth, hidden, output)
    cost = losses.binary_cross_entropy if output == "sigmoid" else losses.categorical_cross_entropy
    AL, caches = nw.model_forward(X, parameters, hidden, output)
    grads = nw.model_backward(AL, Y, caches, hidden, output)
    assert sorted(grads) == sorted(f"d{key}" for key in parameters)

    for key, value in parameters.items():

        def cost_of(entry: np.ndarray, key: str = key) -> float:
            moved = {**parameters, key: entry}
            return cost(nw.model_forward(X, moved, hidden, output)[0], Y)

        numeric = numerical_gradient(cost_of, value)
        assert grads[f"d{key}"].shape == value.shape
        assert_gradients_agree(grads[f"d{key}"], numeric, f"d{key} ({hidden}/{output}, L={depth})")


def test_update_parameters_takes_one_step_into_a_new_dict() -> None:
    """W - η dW and b - η db, returned as a new dict; the given dict keeps its arrays."""
    parameters = {"W1": np.array([[1.0, 2.0]]), "b1": np.array([[3.0]])}
    grads = {"dW1": np.array([[10.0, -10.0]]), "db1": np.array([[1.0]]), "dA0": np.ones((2, 1))}
    updated = nw.update_parameters(parameters, grads, 0.1)
    np.testing.assert_allclose(updated["W1"], [[0.0, 3.0]])
    np.testing.assert_allclose(updated["b1"], [[2.9]])
    assert sorted(updated) == ["W1", "b1"]
    assert updated is not parameters
    np.testing.assert_array_equal(parameters["W1"], [[1.0, 2.0]])
    with pytest.raises(ValueError, match="db1"):
        nw.update_parameters(parameters, {"dW1": grads["dW1"]}, 0.1)


def test_softmax_output_gradient_equals_the_composed_backward() -> None:
    """For a softmax output, the AL - Y shortcut equals the full chain through softmax_backward."""
    X, Y, parameters = network_away_from_kinks(2, "tanh", "softmax")
    AL, caches = nw.model_forward(X, parameters, "tanh", "softmax")
    grads = nw.model_backward(AL, Y, caches, "tanh", "softmax")
    dAL = losses.categorical_cross_entropy_backward(AL, Y)
    dA1, dW2, db2 = nw.linear_activation_backward(dAL, caches[1], "softmax")
    _, dW1, db1 = nw.linear_activation_backward(dA1, caches[0], "tanh")
    for name, composed in {"dW2": dW2, "db2": db2, "dW1": dW1, "db1": db1}.items():
        np.testing.assert_allclose(grads[name], composed, rtol=1e-10, atol=1e-14)
    np.testing.assert_allclose(act.softmax(caches[1][1]), AL, rtol=1e-15)
