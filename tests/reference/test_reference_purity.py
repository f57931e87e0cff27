"""No function of reference/ writes into its arguments."""

from __future__ import annotations

import copy
from collections.abc import Callable
from typing import Any

import numpy as np
import pytest

from reference import activations as act
from reference import datasets as ds
from reference import diagnostics as dg
from reference import losses
from reference import model as md
from reference import network as nw


def assert_same(before: Any, after: Any, where: str) -> None:
    """Deep equality of plain data: arrays (values, shape and dtype), dicts, lists, tuples."""
    if isinstance(before, np.ndarray):
        assert isinstance(after, np.ndarray), where
        assert before.dtype == after.dtype and before.shape == after.shape, where
        np.testing.assert_array_equal(after, before, err_msg=where)
    elif isinstance(before, dict):
        assert sorted(before) == sorted(after), where
        for key in before:
            assert_same(before[key], after[key], f"{where}[{key!r}]")
    elif isinstance(before, list | tuple):
        assert len(before) == len(after), where
        for index, (b, a) in enumerate(zip(before, after, strict=True)):
            assert_same(b, a, f"{where}[{index}]")
    else:
        assert before == after, where


def calls() -> list[Any]:
    """Every public function with arguments that exercise all its branches."""
    rng = np.random.default_rng(9)
    Z = rng.standard_normal((3, 4))
    dA = rng.standard_normal((3, 4))
    Z[0, 0] = 0.0  # the relu/leaky masks must not write their zeros into Z or dA
    X = rng.standard_normal((2, 4))
    Y = np.array([[1.0, 0.0, 1.0, 0.0]])
    Y3 = np.eye(3)[:, [0, 2, 1, 1]]
    AL = np.array([[0.2, 0.6, 0.9, 0.4]])
    S = act.softmax(Z)
    p = nw.initialize_parameters([2, 3, 1], seed=1)
    p3 = nw.initialize_parameters([2, 3, 3], seed=1)
    AL_p, caches = nw.model_forward(X, p)
    grads = nw.model_backward(AL_p, Y, caches)
    layer_cache = caches[0]
    linear_cache = layer_cache[0]
    listed: list[tuple[str, Callable[..., Any], tuple[Any, ...]]] = []
    for name, (forward, backward) in act.ACTIVATIONS.items():
        listed += [(name, forward, (Z,)), (f"{name}_backward", backward, (dA, Z))]
    listed += [
        ("leaky_relu alpha", act.leaky_relu, (Z, 0.3)),
        ("leaky_relu_backward alpha", act.leaky_relu_backward, (dA, Z, 0.3)),
        ("binary_cross_entropy", losses.binary_cross_entropy, (AL, Y)),
        ("binary_cross_entropy_backward", losses.binary_cross_entropy_backward, (AL, Y)),
        ("categorical_cross_entropy", losses.categorical_cross_entropy, (S, Y3)),
        ("categorical_cross_entropy_backward", losses.categorical_cross_entropy_backward, (S, Y3)),
        ("softmax_cross_entropy_backward", losses.softmax_cross_entropy_backward, (S, Y3)),
        ("initialize_parameters", nw.initialize_parameters, ([2, 3, 1], 4)),
        ("linear_forward", nw.linear_forward, (X, p["W1"], p["b1"])),
        ("linear_activation_forward", nw.linear_activation_forward, (X, p["W1"], p["b1"], "relu")),
        ("model_forward", nw.model_forward, (X, p, "tanh", "sigmoid")),
        ("linear_backward", nw.linear_backward, (dA, linear_cache)),
        ("linear_activation_backward", nw.linear_activation_backward, (dA, layer_cache, "relu")),
        ("model_backward", nw.model_backward, (AL_p, Y, caches, "relu", "sigmoid")),
        ("update_parameters", nw.update_parameters, (p, grads, 0.5)),
        ("train", md.train, (X, Y, p, 0.5, 3)),
        ("train softmax", md.train, (X, Y3, p3, 0.5, 3, "leaky_relu", "softmax")),
        ("predict", md.predict, (X, p)),
        ("predict softmax", md.predict, (X, p3, "relu", "softmax")),
        ("one_hot", ds.one_hot, (np.array([[0, 2, 1]]), 3)),
        ("gaussian_blobs", ds.gaussian_blobs, (30, np.array([[0.0, 5.0], [0.0, 5.0]]))),
        ("gradient_norms", dg.gradient_norms, (grads,)),
        ("gradients_vanish", dg.gradients_vanish, (grads,)),
        ("gradients_explode", dg.gradients_explode, (grads,)),
        ("dead_relu_fraction", dg.dead_relu_fraction, (Z,)),
        ("saturated_fraction", dg.saturated_fraction, (act.tanh(Z), "tanh")),
        ("hidden_layer_report", dg.hidden_layer_report, (X, p)),
    ]
    return [pytest.param(*call, id=call[0]) for call in listed]


@pytest.mark.parametrize(("name", "function", "arguments"), calls())
def test_arguments_are_unchanged_after_the_call(
    name: str, function: Callable[..., Any], arguments: tuple[Any, ...]
) -> None:
    """Copy the arguments, call, and compare: nothing the caller passed has changed."""
    saved = copy.deepcopy(arguments)
    function(*arguments)
    assert_same(saved, arguments, name)


def test_update_parameters_and_train_return_fresh_arrays() -> None:
    """Writing into what update_parameters or train returned leaves the input untouched."""
    X = np.ones((2, 3))
    Y = np.array([[1.0, 0.0, 1.0]])
    p = nw.initialize_parameters([2, 1])
    saved = copy.deepcopy(p)
    grads = {"dW1": np.zeros((1, 2)), "db1": np.zeros((1, 1))}
    for returned in (nw.update_parameters(p, grads, 0.1), md.train(X, Y, p, num_iterations=0)[0]):
        for value in returned.values():
            value += 1.0
    assert_same(saved, p, "parameters")
