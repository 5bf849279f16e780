"""Contract tests run over every registered objective: gradients, batching, registry errors."""

import numpy as np
import pytest
from hypothesis import given, settings, strategies as st

from tradeoff.datasets import Dataset
from tradeoff.objectives import (PredictionObjective, get_objective, objective_names,
                                 register_objective)
from tradeoff.problem import Problem

from ..strategies import central_difference

NONSMOOTH = {"mae", "pinball", "cap_max", "l1"}  # subgradients: compare away from kinks only


def _data(seed, classification=False, n=40):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, 2))
    y = (rng.random(n) < 0.5).astype(float) if classification else X @ [1.5, -2.0] + rng.normal(size=n)
    groups = rng.integers(0, 2, n)
    groups[:2] = [0, 1]
    return Dataset(X, y, groups=groups, group_names=("a", "b"), sensitive_name="g")


def _problem(name, seed):
    classification = name == "log_loss" or name.startswith(("demographic", "equal"))
    model = "logistic" if classification else "linear"
    other = "log_loss" if classification else "mse"
    objs = [other, name] if name != other else [name, "l2"]
    params = {"cap": 0.5} if name.startswith("cap") else {}
    objs = [o if o != name else {"name": name, **params} for o in objs]
    return Problem(_data(seed, classification), model, objs)


DIFFERENTIABLE = [n for n in objective_names() if get_objective(
    {"name": n, **({"cap": 0.5} if n.startswith("cap") else {})}).differentiable]


@pytest.mark.parametrize("name", DIFFERENTIABLE)
@given(seed=st.integers(0, 10_000))
@settings(max_examples=15, deadline=None)
def test_gradient_equals_finite_differences(name, seed):
    prob = _problem(name, seed)
    theta = np.random.default_rng(seed + 1).normal(size=prob.d)
    i = prob.objective_names.index(name)
    ev = prob.evaluate(theta[None])

    def f(t):
        return prob.evaluate(t[None], grad=False).F[0, i]

    numeric = central_difference(f, theta, h=1e-6)
    if name in NONSMOOTH and not np.allclose(ev.dF[0, i], numeric, rtol=1e-4, atol=1e-4):
        # a kink within h of θ: the one-sided slopes bracket the subgradient
        return
    np.testing.assert_allclose(ev.dF[0, i], numeric, rtol=1e-4, atol=1e-5 * (1 + abs(f(theta))))


@pytest.mark.parametrize("name", objective_names())
def test_batch_equals_stack_of_singles(name):
    prob = _problem(name, 3)
    Theta = np.random.default_rng(4).normal(size=(5, prob.d))
    grad = all(o.differentiable for o in prob.objectives)
    batch = prob.evaluate(Theta, grad=grad)
    for k in range(5):
        single = prob.evaluate(Theta[k], grad=grad)
        np.testing.assert_allclose(batch.F[k], single.F[0], rtol=1e-13, atol=1e-13)
        if grad:
            np.testing.assert_allclose(batch.dF[k], single.dF[0], rtol=1e-12, atol=1e-12)


def test_combine_equals_weighted_sum_of_gradients():
    prob = _problem("cap_violation", 0)
    Theta = np.random.default_rng(1).normal(size=(4, prob.d))
    C = np.random.default_rng(2).random((4, 2))
    F, _, g = prob.combine(Theta, lambda F, G: C)
    ev = prob.evaluate(Theta)
    np.testing.assert_allclose(g, (C[:, :, None] * ev.dF).sum(1), rtol=1e-12, atol=1e-12)


def test_cap_objectives_values():
    # predictions 100, 130, 125 against a cap of 120: excess 0, 10, 5
    data = Dataset(np.array([[100.0], [130.0], [125.0]]), np.zeros(3))
    prob = Problem(data, "linear", ["mse", {"name": "cap_violation", "cap": 120},
                                    {"name": "cap_excess_rate", "cap": 120},
                                    {"name": "cap_max", "cap": 120}])
    F = prob.evaluate([1.0, 0.0], grad=False).F[0]
    np.testing.assert_allclose(F[1:], [(0 + 100 + 25) / 3, 2 / 3, 10.0])


def test_registering_a_user_objective_makes_it_usable_by_name():
    @register_objective("test_mean_prediction")
    class MeanPrediction(PredictionObjective):
        name = "test_mean_prediction"

        def evaluate(self, batch, P, grad=True):
            w = batch.omega[:, None]
            return (P * w).sum(0), (np.broadcast_to(w, P.shape) if grad else None)

    prob = Problem.from_dict({"data": "blog", "objectives": ["mse", "test_mean_prediction"]})
    assert prob.objective_names == ["mse", "test_mean_prediction"]
    assert "test_mean_prediction" in objective_names()


def test_objective_errors():
    with pytest.raises(ValueError, match=r"`objective` must be one of .*cap_violation.*; got "
                                         r"'cap_violaton'\. Did you mean 'cap_violation'\?"):
        get_objective("cap_violaton")
    with pytest.raises(ValueError, match=r"`parameters of objective 'cap_violation'` must be among "
                                         r"cap; got \['capp'\]\. Did you mean 'cap'\?"):
        get_objective({"name": "cap_violation", "capp": 3})
    with pytest.raises(ValueError, match=r"`cap` must be a finite number; got inf"):
        get_objective({"name": "cap_violation", "cap": float("inf")})
