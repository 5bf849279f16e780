"""hv-grad and epo: on a convex two-objective problem their points lie on the exact front, EPO's on
their rays, hv-grad's spread with at least the weighted sum's hypervolume; the hypervolume
gradient from moocore's contributions and EPO's vertex-enumerated LP are checked against closed
forms and scipy; every new option error is caught by `solve` and by the config loader alike."""

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
from tradeoff.solvers.epo import _solve_linprog, lp_rows, solve_lp
from tradeoff.solvers.hv_gradient import hv_gain

from ..conftest import CAP
from ..experiments.tiny import TINY

K = 10


@pytest.fixture(scope="module")
def problem(cap_problem):
    return cap_problem


@pytest.fixture(scope="module")
def exact(problem):
    return to.solve(problem, "exact", n_points=400, adaptive=False)


@pytest.fixture(scope="module")
def hv_front(problem):
    return to.solve(problem, "hv-grad", n_points=K)


@pytest.fixture(scope="module")
def epo_front(problem):
    return to.solve(problem, "epo", n_points=K)


def front_gap(F, exact):
    """Each point's distance to the exact front, in the exact front's normalisation: to the
    polyline through 400 exact points (a chord of a convex front lies just behind it, so a point
    on the front is ~1e-6 from the polyline); Euclidean, so the steep ends of the front count like
    its middle (IGD+ against 400 points would measure their spacing instead)."""
    scale = to.Scale.from_points(exact.F)
    E = scale(exact.F)
    E = E[np.argsort(E[:, 0])]
    a, b, P = E[:-1], E[1:], scale(F)[:, None, :]
    t = np.clip(((P - a) * (b - a)).sum(-1) / np.maximum(((b - a) ** 2).sum(-1), 1e-300), 0, 1)
    return np.sqrt(((P - a - t[..., None] * (b - a)) ** 2).sum(-1)).min(1)


# -- the hypervolume gradient ------------------------------------------------------------------

def test_hv_gain_is_the_exclusive_box_edge_in_two_objectives():
    # sorted by f₁, point i's exclusive box is [f₁ᵢ, f₁ᵢ₊₁) × [f₂ᵢ, f₂ᵢ₋₁) (the reference at the
    # ends): −∂HV/∂f₁ᵢ is its height and −∂HV/∂f₂ᵢ its width
    F = np.array([[0.0, 1.0], [0.2, 0.5], [0.5, 0.3], [1.0, 0.0]])
    ref = np.array([1.1, 1.2])
    g = hv_gain(F, ref)
    height = np.r_[ref[1], F[:-1, 1]] - F[:, 1]
    width = np.r_[F[1:, 0], ref[0]] - F[:, 0]
    np.testing.assert_allclose(g, np.column_stack([height, width]), rtol=1e-6)


def test_dominated_points_and_duplicates_still_gain():
    # (0.6, 0.6) is dominated by (0.5, 0.3): in its own layer it climbs that layer's volume;
    # a duplicate has no contribution, but moving it improves the set
    F = np.array([[0.0, 1.0], [0.5, 0.3], [0.6, 0.6], [1.0, 0.0], [1.0, 0.0]])
    g = hv_gain(F, np.array([1.1, 1.1]))
    np.testing.assert_allclose(g[2], [1.1 - 0.6, 1.1 - 0.6], rtol=1e-6)
    assert (g[3] > 0).all() and (g[4] > 0).all()
    assert (g > 0).all()


@pytest.mark.parametrize("tie", [False, True])
def test_hv_gain_is_the_hypervolume_difference_in_three_objectives(tie):
    """3-D, against moocore's total hypervolume (not its contributions): each gain is the
    improvement of the whole set's volume per unit move, with a tie (a duplicate point: moving
    one copy makes it dominate the other, which must still count) or without."""
    import moocore

    rng = np.random.default_rng(3)
    F = rng.dirichlet(np.ones(3), size=12) ** 0.7
    F = F[moocore.is_nondominated(F)]
    if tie:
        F = np.vstack([F, F[:1]])
    ref = np.full(3, 1.2)
    g = hv_gain(F, ref)
    first = moocore.pareto_rank(F) == 0
    hv0 = moocore.hypervolume(F[first], ref=ref)
    for k in np.flatnonzero(first):
        for j in range(3):
            moved = F[first].copy()
            moved[np.flatnonzero(first) == k, j] -= 1e-7
            fd = (moocore.hypervolume(moved, ref=ref) - hv0) / 1e-7
            assert g[k, j] == pytest.approx(fd, rel=1e-4, abs=1e-6), (k, j)


# -- EPO's LP ------------------------------------------------------------------------------------

@pytest.mark.parametrize("m", [2, 3, 4])
def test_vertex_enumeration_finds_the_lp_optimum_scipy_finds(m):
    """Random Gram matrices, points on and off their rays: the vectorised vertex enumeration's
    optimum equals scipy's HiGHS optimum for every point."""
    rng = np.random.default_rng(m)
    Kp = 40
    G = rng.normal(size=(Kp, m, 6))
    C = G @ np.swapaxes(G, 1, 2)
    Fn = rng.uniform(0.05, 1, size=(Kp, m))
    W = rng.dirichlet(np.ones(m), size=Kp)
    Fn[: Kp // 4] = W[: Kp // 4] * 0.7  # on the ray: the descent LP
    c, A, b, balance = lp_rows(C, Fn, 1.0 / W)
    assert balance.any() and (~balance).any()
    alpha, found = solve_lp(c, A, b)
    ref, ref_found = _solve_linprog(c, A, b)
    np.testing.assert_array_equal(found, ref_found)
    ok = found
    np.testing.assert_allclose((c * alpha).sum(1)[ok], (c * ref).sum(1)[ok], rtol=1e-7,
                               atol=1e-9 * np.abs(c).max())
    assert np.allclose(alpha[ok].sum(1), 1) and (alpha[ok] >= 0).all()
    slack = np.einsum("kpm,km->kp", A, alpha) - b
    assert (slack[ok] >= -1e-8 * (np.abs(A).sum(2)[ok] + 1)).all()


def test_an_lp_without_a_vertex_takes_the_min_norm_direction(monkeypatch):
    """Where no vertex passes (an infeasible descent LP, or rounding), α is MGDA's min-norm one,
    found from the Gram matrix alone."""
    from tradeoff.solvers import epo as epo_module
    from tradeoff.solvers.engine.directions import min_norm as _min_norm

    rng = np.random.default_rng(0)
    G = rng.normal(size=(6, 3, 5))
    C = G @ np.swapaxes(G, 1, 2)
    Fn, R = rng.uniform(0.1, 1, (6, 3)), np.full((6, 3), 3.0)
    monkeypatch.setattr(epo_module, "solve_lp", lambda c, A, b: (np.full(c.shape, np.nan),
                                                                 np.zeros(len(c), bool)))
    alpha, _ = epo_module.epo_alpha(C, Fn, R)
    norm = np.sqrt(((alpha[:, :, None] * G).sum(1) ** 2).sum(1))
    best = np.sqrt(((_min_norm(G)[:, :, None] * G).sum(1) ** 2).sum(1))
    np.testing.assert_allclose(norm, best, rtol=1e-6, atol=1e-12)


# -- the solvers on a convex problem -------------------------------------------------------------

def test_hv_grad_points_lie_on_the_exact_front(hv_front, exact):
    assert hv_front.success, hv_front.message
    assert len(hv_front) == K
    gap = front_gap(hv_front.F, exact)
    assert gap.max() < 2e-5, gap  # measured: 1.6e-6 (5e-4 after 3 steps)


def test_hv_grad_beats_the_weighted_sum_and_spreads(problem, hv_front, exact):
    ws = to.solve(problem, "weighted-sum", n_points=K)
    scale = to.Scale.from_points(exact.F)
    hv, hv_ws = (to.hypervolume(scale(f.F), scale.ref) for f in (hv_front, ws))
    assert hv >= hv_ws, (hv, hv_ws)  # measured: 1.2900 against 1.2844
    Fn = scale(hv_front.F)
    dist = np.sqrt(((Fn[:, None] - Fn[None]) ** 2).sum(-1)) + np.eye(K)
    assert dist.min() > 0.02  # no two points together (even spacing would be ~0.15)
    assert to.compare(hv_front, exact)["hv_ratio"] > 0.97


def test_epo_points_lie_on_their_rays_and_the_front(epo_front, exact):
    assert epo_front.success, epo_front.message
    W = np.array(epo_front.extra["weights"])
    gap = np.array(epo_front.extra["ray_gap"])
    assert gap.max() < 1e-4, gap  # measured: 2.8e-5
    # the ray condition recomputed from the front's own normalisation: f̃ᵢ / wᵢ equal across i
    Fn = (epo_front.F - epo_front.extra["ideal"]) / epo_front.extra["span"]
    inner = (W > 0).all(1)
    q = Fn[inner] / W[inner]
    np.testing.assert_allclose(q[:, 0], q[:, 1], rtol=1e-4)
    assert front_gap(epo_front.F, exact).max() < 2e-5  # measured: 2.0e-6


@pytest.mark.parametrize("solver", ["hv-grad", "epo"])
def test_deterministic_by_seed_with_three_objectives(solver):
    """Three objectives: hv-grad's starts are seeded Dirichlet draws (a new seed, a new front);
    EPO's rays are given (its default, pymoo's energy directions, takes seconds to compute)."""
    prob = to.Problem(blog_data(n=60, seed=0), "linear", ["mse", "mae", CAP])
    opts = dict(n_points=6, max_evaluations=1500)
    if solver == "epo":
        opts["weights"] = [[0.6, 0.2, 0.2], [0.2, 0.6, 0.2], [0.2, 0.2, 0.6], [0.5, 0.5, 0.0],
                           [0.4, 0.4, 0.2], [0.2, 0.4, 0.4]]
    a = to.solve(prob, solver, seed=5, **opts)
    b = to.solve(prob, solver, seed=5, **opts)
    np.testing.assert_array_equal(a.X, b.X)
    assert len(a) == 6 and np.isfinite(a.F).all()
    if solver == "hv-grad":
        assert not np.array_equal(a.X, to.solve(prob, solver, seed=6, **opts).X)


@pytest.mark.parametrize("solver", ["hv-grad", "epo"])
def test_a_wall_clock_budget_stops_the_run_and_says_so(problem, solver):
    front = to.solve(problem, solver, n_points=4, max_seconds=1e-9)
    assert len(front) == 4 and not front.success
    assert front.extra["out_of_time"] and front.extra["epochs"] == 0
    assert front.message.endswith("the wall-clock budget of 1e-09 s ran out first")
    assert front.options["max_seconds"] == 1e-9


@pytest.mark.parametrize("solver", ["hv-grad", "epo"])
def test_reachable_from_a_config(solver):
    raw = tomllib.loads(TINY)
    raw.pop("grid")
    opts = {"n_points": 4, "max_evaluations": 800, "lr": 0.1, "optimizer": "adam",
            "max_seconds": 60.0}
    opts.update({"reference": [1.2, 1.1]} if solver == "hv-grad" else
                {"weights": [[0.2, 0.8], [0.5, 0.5], [0.8, 0.2]]})
    raw["solvers"] = [{"name": solver, "options": opts}]
    run = next(r for r in parse_config(raw).runs() if r.solver == solver)
    result = execute(run)
    assert result["status"] == "ok", result["error"]
    front = result["front"]
    assert front["options"]["optimizer"] == "adam" and front["options"]["seed"] == run.run_seed
    assert len(front["F"]) == (4 if solver == "hv-grad" else 3)
    if solver == "hv-grad":
        assert front["options"]["reference"] == [1.2, 1.1]


# -- errors --------------------------------------------------------------------------------------

BAD = [
    ("hv-grad", {"reference": 1.0}, r"`reference` must be a number > 1; got 1\.0\."),
    ("hv-grad", {"reference": [1.1, 0.9]}, r"`reference\[1\]` must be a number > 1; got 0\.9\."),
    ("hv-grad", {"reference": "big"}, r"`reference` must be a number or a non-empty list of "
                                       r"numbers, each > 1; got 'big'\. For example "
                                       r"`reference = \[1\.1, 1\.1\]`\."),
    ("hv-grad", {"optimizer": "adamw"}, r"`optimizer` must be one of 'adam', 'gd', 'sgd'; got "
                                        r"'adamw'\. Did you mean 'adam'\?"),
    ("epo", {"lr": 0}, r"`lr` must be a number > 0; got 0\."),
    ("epo", {"max_seconds": -1}, r"`max_seconds` must be a number > 0; got -1\."),
    ("epo", {"weights": [[0.5, 0.7]]}, r"`weights\[0\]` must be a row of weights summing to 1"),
    ("epo", {"epochs": 5, "optimizer": "gd"}, r"`epochs` must be given only with optimizer = "
                                              r"'adam' or 'sgd' \(an option of the mini-batch loop; "
                                              r"'gd' is the full-batch loop\); got 5\. Set "
                                              r"optimizer = 'adam', or drop `epochs`\."),
]


@pytest.mark.parametrize("solver, options, message", BAD)
def test_bad_options_are_caught_by_solve_and_by_the_config(problem, solver, options, message):
    with pytest.raises((ValueError, TypeError), match="^" + message):
        to.solve(problem, solver, **options)
    raw = tomllib.loads(TINY)
    raw["solvers"] = [{"name": solver, "options": options}]
    key = next(iter(options))
    where = message.replace(f"`{key}", f"`solvers\\[0\\]\\.options\\.{key}", 1)
    with pytest.raises((ValueError, TypeError), match="^" + where):
        parse_config(raw)


@pytest.mark.parametrize("solver, key, value, message", [
    ("hv-grad", "reference", [1.1, 1.2, 1.3],
     "`reference` must be a number or a list of 2 numbers, one per objective (2 objectives); "
     "got [1.1, 1.2, 1.3]."),
    ("epo", "weights", [[0.2, 0.3, 0.5]],
     "`weights` must be rows of 2 weights, one per objective (2 objectives); got [[0.2, 0.3, 0.5]]."),
])
def test_option_lengths_must_match_the_objectives(problem, solver, key, value, message):
    with pytest.raises(ValueError, match="^" + re.escape(message)):
        to.solve(problem, solver, **{key: value})
    raw = tomllib.loads(TINY)
    raw["solvers"] = [{"name": solver, "options": {key: value}}]
    with pytest.raises(ValueError, match=re.escape(f"`solvers[0].options.{key}` must be")):
        parse_config(raw)


@pytest.mark.parametrize("solver, name", [("hv-grad", "hv-grad"), ("epo", "EPO")])
def test_constraints_are_refused_before_any_work(solver, name):
    prob = to.Problem(blog_data(n=40), "linear", ["mse", "mae"],
                      [(get_objective({"name": "cap_max", "cap": 120}), 0.0)])
    with pytest.raises(ValueError, match=re.escape(
            f"`solver` must be a solver that handles constraints; got '{solver}'. {name} has no "
            "constraint handling; use 'epsilon-constraint' or 'nsga2'.")):
        to.solve(prob, solver, n_points=4)
