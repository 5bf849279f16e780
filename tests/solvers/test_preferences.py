"""Preference sets of the weight-based solvers: Das–Dennis (pymoo's lattice) and seeded Dirichlet."""

import numpy as np
import pytest
from pymoo.util.ref_dirs import get_reference_directions

import tradeoff as to
from tradeoff.solvers.weights import preference_rows


@pytest.mark.parametrize("kind, k, m", [("das-dennis", 7, 2), ("das-dennis", 10, 3),
                                        ("das-dennis", 15, 3), ("das-dennis", 35, 4),
                                        ("dirichlet", 7, 2), ("dirichlet", 12, 3),
                                        ("grid", 12, 3)])
def test_rows_have_the_shape_asked_and_lie_on_the_simplex(kind, k, m):
    W = preference_rows(kind, k, m, seed=3)
    assert W.shape == (k, m)
    assert (W >= 0).all()
    np.testing.assert_allclose(W.sum(1), 1.0, atol=1e-12)
    assert len(np.unique(W.round(12), axis=0)) == k  # no two rows alike


def test_das_dennis_is_pymoos_lattice():
    W = preference_rows("das-dennis", 15, 3)
    np.testing.assert_array_equal(W, get_reference_directions("das-dennis", 3, n_partitions=4))
    np.testing.assert_allclose(W * 4, np.round(W * 4), atol=1e-12)  # multiples of 1/H


def test_dirichlet_is_determined_by_its_seed():
    a = preference_rows("dirichlet", 10, 3, seed=5)
    np.testing.assert_array_equal(a, preference_rows("dirichlet", 10, 3, seed=5))
    assert not np.allclose(a, preference_rows("dirichlet", 10, 3, seed=6))
    np.testing.assert_array_equal(a, np.random.default_rng(5).dirichlet(np.ones(3), 10))


def test_das_dennis_names_the_counts_it_can_make():
    with pytest.raises(ValueError, match=r"`n_points` must be a Das–Dennis count for 3 objectives "
                       r".*; got 11\. Use n_points = 10 or 15"):
        preference_rows("das-dennis", 11, 3)


@pytest.mark.parametrize("solver", ["weighted-sum", "chebyshev", "pbi", "aasf"])
def test_solvers_use_the_preference_set(cap_problem, solver):
    front = to.solve(cap_problem, solver, n_points=6, preferences="dirichlet", seed=4)
    again = to.solve(cap_problem, solver, n_points=6, preferences="dirichlet", seed=4)
    np.testing.assert_array_equal(front.F, again.F)
    assert front.options["preferences"] == "dirichlet" and len(front) == 6
    R = np.random.default_rng(4).dirichlet(np.ones(2), 6)
    W = np.array(front.extra["weights"])
    if solver == "weighted-sum":  # its weights are the rows themselves (not adaptive)
        np.testing.assert_allclose(W, R)
        assert front.options["adaptive"] is False
    else:  # rays or Chebyshev weights made from them, one per row
        assert W.shape == R.shape


def test_mini_batch_takes_preferences(cap_problem):
    front = to.solve(cap_problem, "weighted-sum", n_points=6, preferences="das-dennis",
                     optimizer="adam", epochs=3, batch_size=32, lr=0.05)
    np.testing.assert_allclose(front.extra["weights"], preference_rows("das-dennis", 6, 2))
    assert front.options["preferences"] == "das-dennis"


def test_preferences_errors(cap_problem):
    with pytest.raises(ValueError, match=r"`preferences` must be one of 'grid', 'das-dennis', "
                       r"'dirichlet'; got 'sobol'"):
        to.solve(cap_problem, "pbi", preferences="sobol")
    with pytest.raises(ValueError, match=r"`preferences` must be 'grid' \(the default\) when "
                       r"`weights` are given; got 'dirichlet'"):
        to.solve(cap_problem, "aasf", weights=[[0.5, 0.5]], preferences="dirichlet")
    with pytest.raises(ValueError, match=r"`options.preferences` must be an option of solver "
                       r"'penalty'"):
        to.solve(cap_problem, "penalty", preferences="grid")


@pytest.mark.parametrize("opts", [{}, {"optimizer": "sgd", "epochs": 3, "batch_size": 32}])
def test_epo_draws_its_rays_from_the_preference_set(cap_problem, opts):
    front = to.solve(cap_problem, "epo", n_points=5, preferences="dirichlet", seed=2,
                     max_evaluations=3000, **opts)
    np.testing.assert_allclose(front.extra["weights"],
                               np.random.default_rng(2).dirichlet(np.ones(2), 5))
    assert front.options["preferences"] == "dirichlet"
    with pytest.raises(ValueError, match=r"`preferences` must be 'grid' \(the default\)"):
        to.solve(cap_problem, "epo", weights=[[0.5, 0.5]], preferences="das-dennis")


def test_a_config_with_no_das_dennis_count_fails_at_load():
    from tradeoff.experiments.config import parse_config

    raw = {"experiment": {"name": "dd", "seeds": [0]},
           "problems": [{"name": "three", "data": {"name": "blog", "n": 40, "seed": 0},
                         "objectives": ["mse", {"name": "cap_violation", "cap": 120}, "l2"]}],
           "solvers": [{"name": "pbi", "options": {"n_points": 11, "preferences": "das-dennis"}}]}
    with pytest.raises(ValueError, match=r"`solvers\[0\]\.options\.n_points` must be a Das–Dennis "
                       r"count for 3 objectives .*; got 11\. Use n_points = 10 or 15"):
        parse_config(raw)
    raw["solvers"][0]["options"]["n_points"] = 10
    parse_config(raw)  # a lattice count loads
