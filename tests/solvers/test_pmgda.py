"""pmgda: on a convex two-objective problem its points lie on the exact front within h_tol of their
rays; its correction LP, solved for all points by vertex enumeration, matches scipy's optimum and
keeps PMGDA's promise (h falls at least at σ‖∇h‖); one-batch SGD is its step, step for step; its
option errors are caught by `solve` and by the config loader alike; a config run reaches it."""

from __future__ import annotations

import re
import tomllib

import numpy as np
import pytest

import tradeoff as to
from tradeoff.datasets import blog_data
from tradeoff.experiments.config import parse_config
from tradeoff.experiments.runner import execute
from tradeoff.objectives import get_objective
from tradeoff.solvers.engine.directions import min_norm
from tradeoff.solvers.pmgda import (H_TOL, SIGMA, correction_lp, pmgda_alpha, ray_distance,
                                    solve_lp)

from ..conftest import CAP
from ..experiments.tiny import TINY
from .test_hv_epo import front_gap

K = 10
DATA = {"name": "synthetic_shift", "task": "classification", "n": 120, "seed": 1}


@pytest.fixture(scope="module")
def exact(cap_problem):
    return to.solve(cap_problem, "exact", n_points=400, adaptive=False)


@pytest.fixture(scope="module")
def front(cap_problem):
    return to.solve(cap_problem, "pmgda", n_points=K)


@pytest.fixture(scope="module")
def logistic():
    return to.Problem.from_dict({"data": DATA, "model": "logistic",
                                 "objectives": ["log_loss", "demographic_parity_sq"]})


# -- the solver on a convex problem --------------------------------------------------------------

def test_points_lie_on_the_exact_front_and_within_h_tol_of_their_rays(front, exact):
    assert front.success, front.message
    assert len(front) == K and front.options["h_tol"] == H_TOL and front.options["sigma"] == SIGMA
    assert front_gap(front.F, exact).max() < 1e-5  # measured: 1.8e-6
    # LibMOON's alignment measure, PBI's d₂ from the ray, recomputed from the front's own
    # normalisation: every point within h_tol (it stops only there)
    W = np.asarray(front.extra["weights"])
    Fn = (front.F - front.extra["ideal"]) / front.extra["span"]
    h, _ = ray_distance(Fn, W / np.linalg.norm(W, axis=1, keepdims=True))
    np.testing.assert_allclose(h, front.extra["h"], rtol=1e-9, atol=1e-12)
    assert h.max() <= H_TOL  # measured: 9.96e-4
    # EPO's relative gap follows from it: larger near the ends, where the f̃ᵢ are small
    assert np.max(front.extra["ray_gap"]) < 0.03  # measured: 0.017
    assert front.extra["modes"]["correction"] > 0 and front.extra["modes"]["descent"] > 0


def test_a_tighter_h_tol_holds_points_closer_to_their_rays(cap_problem, front):
    tight = to.solve(cap_problem, "pmgda", n_points=K, h_tol=1e-5)
    assert tight.success, tight.message
    assert max(tight.extra["h"]) <= 1e-5 < max(front.extra["h"])
    # on the ray the relative gap is the one EPO reports too
    assert np.max(tight.extra["ray_gap"]) < 3e-4  # measured: 1.6e-4


def test_more_points_than_the_rays_at_the_ends_and_adam(cap_problem, exact):
    front = to.solve(cap_problem, "pmgda", n_points=6, optimizer="adam")
    assert front.success and front.options["optimizer"] == "adam"
    assert front_gap(front.F, exact).max() < 2e-5  # measured: 4.3e-6
    assert max(front.extra["h"]) <= H_TOL


def test_three_objectives_with_a_kink_reach_their_rays():
    """MSE, MAE and the cap violation (MAE's kinks): PMGDA's distance to the ray still guides every
    point to it (docs/solvers.md: EPO's relative gaps there were 0.07–2.5). No point converges
    (the kinks keep MGDA's step from vanishing), so the 2,000 steps end wherever the last one
    left a point: at the tube's edge, on either side."""
    prob = to.Problem(blog_data(n=60, seed=0), "linear", ["mse", "mae", CAP])
    W = [[0.6, 0.2, 0.2], [0.2, 0.6, 0.2], [0.2, 0.2, 0.6], [0.5, 0.5, 0.0], [0.4, 0.4, 0.2],
         [0.2, 0.4, 0.4]]
    front = to.solve(prob, "pmgda", weights=W)
    assert np.max(front.extra["ray_gap"]) < 0.02  # measured: 0.0087
    inner = np.asarray(W).min(1) > 0
    assert np.max(np.asarray(front.extra["h"])[inner]) < 1.5 * H_TOL  # measured: 1.06e-3


# -- the correction LP ---------------------------------------------------------------------------

@pytest.mark.parametrize("m", [2, 3, 4, 5])
def test_the_correction_lp_matches_scipy_and_lowers_h(m):
    """Random gradients off their rays: the vertex enumeration's optimum (m ≤ 4; scipy itself
    above) equals scipy's HiGHS optimum, and the direction lowers h at σ‖∇h‖ (in the unit
    vectors' scale) or faster."""
    from scipy.optimize import linprog

    rng = np.random.default_rng(m)
    Kp = 30
    G = rng.normal(size=(Kp, m, 7))
    Fn = rng.uniform(0.05, 1, size=(Kp, m))
    W = rng.dirichlet(np.ones(m), size=Kp)
    U = W / np.linalg.norm(W, axis=1, keepdims=True)
    h, J = ray_distance(Fn, U)
    assert (h > H_TOL).all()
    A, b, gn, hn = correction_lp(G @ np.swapaxes(G, 1, 2), J, SIGMA)
    x, found = solve_lp(A, b)
    assert found.all()
    n = m + 2
    c = np.zeros(n)
    c[-1] = 1.0
    eq = np.r_[np.ones(n - 1), 0.0][None]
    for k in range(Kp):
        ref = linprog(c, A_ub=-A[k], b_ub=-b[k], A_eq=eq, b_eq=[1.0],
                      bounds=[(0, None)] * (n - 1) + [(None, None)], method="highs")
        assert x[k, -1] == pytest.approx(ref.x[-1], abs=1e-9 * (1 + abs(ref.x[-1])))
    alpha, fix, h2 = pmgda_alpha(G, Fn, U)
    assert fix.all()
    np.testing.assert_array_equal(h2, h)
    D = np.einsum("km,kmd->kd", alpha, G)
    gh = np.einsum("km,kmd->kd", J, G)  # ∇h = Σᵢ ∂h/∂f̃ᵢ ∇f̃ᵢ
    # α is the unit-vector direction scaled by the mean ‖gᵢ‖
    rate = (gh * D).sum(1) / (np.linalg.norm(gh, axis=1) * gn.mean(1))
    assert (rate >= SIGMA - 1e-9).all()
    np.testing.assert_allclose(np.linalg.norm(gh, axis=1), hn, rtol=1e-10)
    # t is the worst objective's rise along the unit-vector direction
    worst = -(np.einsum("kmd,kd->km", G, D) / gn.mean(1, keepdims=True)).min(1)
    np.testing.assert_allclose(worst, x[:, -1], rtol=1e-7, atol=1e-9)


def test_a_vanishing_gradient_gives_a_finite_step():
    """An objective whose gradient is 0, a point whose ∇h is 0 (its objectives' gradients equal,
    so ∇h = (∂h/∂f̃₁ + ∂h/∂f̃₂)·g = 0 on the ray (1, 1)), and a point with no gradient at all (a
    dead network): finite directions, no division by zero or underflow."""
    G = np.zeros((3, 2, 3))
    G[0, 0] = [1.0, 2.0, 0.0]
    G[1, 0] = G[1, 1] = [0.0, 1.0, 1.0]
    Fn = np.array([[0.9, 0.1], [0.9, 0.1], [0.9, 0.1]])
    U = np.full((3, 2), np.sqrt(0.5))
    with np.errstate(all="raise"):
        alpha, fix, _ = pmgda_alpha(G, Fn, U)
    assert fix.all() and np.isfinite(alpha).all()
    assert np.isfinite(np.einsum("km,kmd->kd", alpha, G)).all()


def test_on_the_ray_the_step_is_mgdas():
    rng = np.random.default_rng(0)
    G = rng.normal(size=(5, 2, 4))
    W = rng.dirichlet(np.ones(2), size=5)
    Fn = 0.4 * W  # on the ray: h = 0
    alpha, fix, h = pmgda_alpha(G, Fn, W / np.linalg.norm(W, axis=1, keepdims=True))
    assert not fix.any() and np.allclose(h, 0)
    np.testing.assert_array_equal(alpha, min_norm(G))


# -- the mini-batch loop, determinism, budgets ---------------------------------------------------

def test_one_batch_sgd_is_pmgdas_step(logistic):
    """batch_size ≥ n, SGD: each step is Φ ← Φ − lr·Σᵢ αᵢ∇f̃ᵢ with PMGDA's α, step for step."""
    from .test_stochastic import _anchors

    W = np.array([[1.0, 0.0], [0.6, 0.4], [0.3, 0.7]])
    lr, epochs = 0.05, 8
    front = to.solve(logistic, "pmgda", weights=W.tolist(), optimizer="sgd", lr=lr, epochs=epochs,
                     batch_size=logistic.data.n, standardize=False, normalize="anchors")
    anchor_phi, ideal, span = _anchors(logistic, 3)
    U = W / np.linalg.norm(W, axis=1, keepdims=True)
    Theta = (1 - W) @ anchor_phi
    for _ in range(epochs):
        ev = logistic.evaluate(Theta)
        G = ev.dF / span[None, :, None]
        alpha = pmgda_alpha(G, (ev.F - ideal) / span, U)[0]
        Theta = Theta - lr * np.einsum("km,kmd->kd", alpha, G)
    np.testing.assert_allclose(front.X, Theta, rtol=0, atol=1e-12)
    assert front.options["method"] == "stochastic" and front.options["sigma"] == SIGMA


def test_mini_batch_pmgda_settles_near_its_rays(logistic):
    """One batch, Adam at a constant rate: its steps do not shrink, so a point hovers about the
    edge of the h_tol tube rather than inside it (measured: h at most 7.6e-4 of h_tol 1e-3)."""
    front = to.solve(logistic, "pmgda", n_points=5, epochs=300, batch_size=10_000, lr=1e-2)
    assert front.success
    assert max(front.extra["h"]) < 2 * H_TOL
    assert front.extra["modes"]["correction"] > 0


def test_networks_take_the_mini_batch_loop_by_default():
    mlp = to.Problem.from_dict({"data": DATA, "model": {"name": "mlp", "hidden": [8],
                                                        "output": "logistic"},
                                "objectives": ["log_loss", "demographic_parity_sq"]})
    front = to.solve(mlp, "pmgda", n_points=3, epochs=2)
    assert front.options["method"] == "stochastic" and front.options["optimizer"] == "adam"
    full = to.solve(mlp, "pmgda", n_points=3, optimizer="gd", max_epochs=3)
    assert full.options["method"] != "stochastic" and full.options["optimizer"] == "gd"


def test_deterministic_by_seed_with_three_objectives():
    """Three objectives, rays drawn by a seeded Dirichlet: the same seed, the same front; another
    seed, other rays."""
    prob = to.Problem(blog_data(n=60, seed=0), "linear", ["mse", "huber", CAP])
    opts = dict(n_points=5, preferences="dirichlet", max_evaluations=1500)
    a = to.solve(prob, "pmgda", seed=5, **opts)
    b = to.solve(prob, "pmgda", seed=5, **opts)
    np.testing.assert_array_equal(a.X, b.X)
    assert len(a) == 5 and np.isfinite(a.F).all() and a.options["preferences"] == "dirichlet"
    assert not np.array_equal(a.X, to.solve(prob, "pmgda", seed=6, **opts).X)


def test_a_wall_clock_budget_stops_the_run_and_says_so(cap_problem):
    front = to.solve(cap_problem, "pmgda", n_points=4, max_seconds=1e-9)
    assert len(front) == 4 and not front.success and front.extra["out_of_time"]
    assert front.message.endswith("the wall-clock budget of 1e-09 s ran out first")


def test_reachable_from_a_config():
    raw = tomllib.loads(TINY)
    raw.pop("grid")
    opts = {"weights": [[0.2, 0.8], [0.5, 0.5], [0.8, 0.2]], "h_tol": 0.01, "sigma": 0.2,
            "max_evaluations": 800}
    raw["solvers"] = [{"name": "pmgda", "options": opts}]
    run = next(r for r in parse_config(raw).runs() if r.solver == "pmgda")
    result = execute(run)
    assert result["status"] == "ok", result["error"]
    front = result["front"]
    assert front["options"]["h_tol"] == 0.01 and front["options"]["sigma"] == 0.2
    assert front["options"]["seed"] == run.run_seed and len(front["F"]) == 3


# -- errors --------------------------------------------------------------------------------------

BAD = [
    ({"h_tol": 0}, r"`h_tol` must be a number > 0; got 0\."),
    ({"sigma": 1.5}, r"`sigma` must be a number in \(0, 1\]; got 1\.5\."),
    ({"sigma": 0}, r"`sigma` must be a number in \(0, 1\]; got 0\."),
    ({"sigma": "big"}, r"`sigma` must be a number in \(0, 1\]; got 'big'\."),
    ({"weights": [[0.5, 0.7]]}, r"`weights\[0\]` must be a row of weights summing to 1"),
    ({"epochs": 5, "optimizer": "gd"}, r"`epochs` must be given only with optimizer = 'adam' or "
                                       r"'sgd'"),
]


@pytest.mark.parametrize("options, message", BAD)
def test_bad_options_are_caught_by_solve_and_by_the_config(cap_problem, options, message):
    with pytest.raises((ValueError, TypeError), match="^" + message):
        to.solve(cap_problem, "pmgda", **options)
    raw = tomllib.loads(TINY)
    raw["solvers"] = [{"name": "pmgda", "options": options}]
    key = next(iter(options))
    where = message.replace(f"`{key}", f"`solvers\\[0\\]\\.options\\.{key}", 1)
    with pytest.raises((ValueError, TypeError), match="^" + where):
        parse_config(raw)


def test_weight_rows_must_match_the_objectives(cap_problem):
    with pytest.raises(ValueError, match=re.escape(
            "`weights` must be rows of 2 weights, one per objective (2 objectives); "
            "got [[0.2, 0.3, 0.5]].")):
        to.solve(cap_problem, "pmgda", weights=[[0.2, 0.3, 0.5]])


def test_constraints_are_refused_before_any_work():
    prob = to.Problem(blog_data(n=40), "linear", ["mse", "mae"],
                      [(get_objective({"name": "cap_max", "cap": 120}), 0.0)])
    with pytest.raises(ValueError, match=re.escape(
            "`solver` must be a solver that handles constraints; got 'pmgda'. PMGDA has no "
            "constraint handling; use 'epsilon-constraint' or 'nsga2'.")):
        to.solve(prob, "pmgda", n_points=4)
