"""`success` means what it says: diverged or non-finite points are never a success, and the front's
options describe the front returned (issue: no silent wrong answer)."""

import numpy as np
import pytest
from hypothesis import given, settings, strategies as st

import tradeoff
from tradeoff.datasets import blog_data
from tradeoff.front import Front


@pytest.fixture(scope="module")
def problem():
    return tradeoff.Problem(blog_data(n=200, seed=0), "linear",
                            ["mse", {"name": "cap_violation", "cap": 120}])


@pytest.mark.parametrize("epochs", [3, 50])
def test_mini_batch_sgd_at_a_huge_rate_is_diverged_not_success(problem, epochs):
    front = tradeoff.solve(problem, "weighted-sum", n_points=4, optimizer="sgd", lr=1e6,
                           epochs=epochs, batch_size=32, seed=0)
    assert not front.success
    assert "diverged" in front.message


def test_pareto_set_at_a_huge_rate_is_diverged_not_success(problem):
    front = tradeoff.solve(problem, "pareto-set", n_points=5, steps=50, lr=1e9, seed=0)
    assert not front.success
    assert "diverged" in front.message or "not finite" in front.message


def test_a_sane_rate_still_succeeds(problem):
    front = tradeoff.solve(problem, "weighted-sum", n_points=4, optimizer="adam", lr=0.05,
                           epochs=5, batch_size=64, seed=0)
    assert front.success and np.isfinite(front.F).all()


@settings(max_examples=30, deadline=None)
@given(st.lists(st.sampled_from([0.0, 1.0, np.nan, np.inf, -np.inf]), min_size=2, max_size=8))
def test_a_front_with_non_finite_values_is_never_a_success(values):
    F = np.array(values + [0.0] * (len(values) % 2)).reshape(-1, 2)
    front = Front(F, np.zeros((len(F), 2)), ("a", "b"), ("m", "c"), "mine", {}, 0, 0.0, True, "ok")
    assert front.success == bool(np.isfinite(F).all())
    if not front.success:
        assert "non-finite" in front.message


def test_options_say_how_many_points_came_back(problem):
    front = tradeoff.solve(problem, "weighted-sum", n_points=5, weights=[[0.3, 0.7], [0.7, 0.3]])
    assert len(front) == 2 and front.options["n_points"] == 2
