"""Pareto set learning (solver "pareto-set"): one hypernetwork for the whole front."""

import pickle

import numpy as np
import pandas as pd
import pytest
from pymoo.indicators.distance_indicator import modified_distance
from pymoo.util.misc import vectorized_cdist

import tradeoff as to
from tradeoff.datasets import Dataset, blog_data
from tradeoff.solvers import pareto_set as ps
from tradeoff.solvers.weights import simplex_grid


@pytest.fixture(scope="module")
def cap_exact(cap_problem):
    # dense: a point on the front lies at most half a gap from its nearest exact point
    return to.solve(cap_problem, "exact", n_points=2000, adaptive=False)


@pytest.fixture(scope="module")
def cap_front(cap_problem):
    return to.solve(cap_problem, "pareto-set", n_points=30, seed=0)


def distances(F, exact):
    """Each point's GD+ distance to the exact front (pymoo's modified distance), normalised by the
    exact front's ideal and nadir: how far the point is worse than the front's nearest point."""
    lo, hi = exact.F.min(0), exact.F.max(0)
    D = vectorized_cdist((exact.F - lo) / (hi - lo), (F - lo) / (hi - lo),
                         func_dist=modified_distance, norm=1.0)
    return D.min(axis=0)


def classification(n=80, p=3, seed=0):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, p))
    groups = (rng.random(n) < 0.5).astype(int)
    y = (X[:, 0] + 0.5 * groups + 0.3 * rng.normal(size=n) > 0).astype(float)
    return Dataset(X, y, groups=groups)


def test_points_lie_on_the_exact_front_and_cover_it(cap_problem, cap_exact, cap_front):
    assert cap_front.success, cap_front.message
    assert len(cap_front) == 30
    assert distances(cap_front.F, cap_exact).max() < 1e-3
    assert to.compare(cap_front, cap_exact)["hv_ratio"] > 0.99


def test_more_preferences_after_training_stay_on_the_front(cap_problem, cap_exact, cap_front):
    P = simplex_grid(400, 2)
    more = ps.points(cap_front, cap_problem, P)
    assert len(more) == 400 and more.solver == "pareto-set"
    np.testing.assert_array_equal(more.extra["weights"], P)
    assert distances(more.F, cap_exact).max() < 1e-3
    # 400 points fill the front: IGD+ (pymoo's, normalised) well below the 30 points' gaps
    lo, hi = cap_exact.F.min(0), cap_exact.F.max(0)
    assert to.igd_plus((more.F - lo) / (hi - lo), (cap_exact.F - lo) / (hi - lo)) < 2e-3
    # the front's own points are the hypernetwork's at its preferences, bit for bit
    np.testing.assert_array_equal(ps.parameters(cap_front, cap_front.extra["weights"]), cap_front.X)


def test_a_ridge_front_is_found_too():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(60, 3))
    y = X @ [1.0, -2.0, 0.5] + 3 + rng.normal(size=60)
    prob = to.Problem(Dataset(X, y), "linear", ["mse", "l2"])
    exact = to.solve(prob, "exact", n_points=2000, adaptive=False)
    front = to.solve(prob, "pareto-set", n_points=20, seed=1)
    assert distances(front.F, exact).max() < 1e-3


def test_same_seed_same_front_other_seed_other_front(cap_problem):
    opts = dict(n_points=6, steps=150, n_preferences=4)
    a = to.solve(cap_problem, "pareto-set", seed=3, **opts)
    b = to.solve(cap_problem, "pareto-set", seed=3, **opts)
    c = to.solve(cap_problem, "pareto-set", seed=4, **opts)
    np.testing.assert_array_equal(a.X, b.X)
    np.testing.assert_array_equal(a.extra["hypernetwork"]["A"], b.extra["hypernetwork"]["A"])
    assert not np.array_equal(a.X, c.X)


def test_the_hypernetwork_survives_save_load_and_pickle(tmp_path, cap_front):
    path = tmp_path / "pset.front.zip"
    cap_front.save(path)
    for back in (to.Front.load(path), pickle.loads(pickle.dumps(cap_front))):
        P = simplex_grid(7, 2)
        np.testing.assert_array_equal(ps.parameters(back, P), ps.parameters(cap_front, P))
        np.testing.assert_array_equal(back.X, cap_front.X)


def test_a_logistic_front_matches_the_weighted_sums():
    prob = to.Problem(classification(), "logistic", ["log_loss", "demographic_parity_sq"])
    front = to.solve(prob, "pareto-set", n_points=5, steps=1000, seed=0)
    ws = to.solve(prob, "weighted-sum", n_points=5, max_evaluations=4000)
    assert to.compare(front, ws)["hv_ratio"] > 0.99
    assert "demographic_parity_sq:exact" in front.extra["metrics"]


def test_an_mlp_with_mini_batches():
    model = to.models.MLP(hidden=(5,), output="logistic", seed=0)
    prob = to.Problem(classification(), model, ["log_loss", "demographic_parity_sq"])
    front = to.solve(prob, "pareto-set", n_points=5, steps=300, batch_size=40, seed=0)
    assert len(front) == 5 and np.isfinite(front.F).all()
    # 300 steps of 8 models on 40 of 80 rows: 1200 evaluations, and 5 for the front
    assert front.evaluations == 1205
    # training lowered the loss: the log-loss corner (the first point) is below the start's and
    # below the other end's, which has the smaller gap
    start = prob.evaluate(prob.start_theta(1), grad=False).F[0]
    assert front.F[0, 0] < min(start[0], front.F[-1, 0]) and front.F[-1, 1] < front.F[0, 1]


def test_budgets_stop_training(cap_problem):
    front = to.solve(cap_problem, "pareto-set", n_points=4, max_evaluations=100)
    # each step costs 8 evaluations (8 models on all rows); 4 are kept for the front
    assert front.extra["steps"] == 12 and front.evaluations == 100
    assert "stopped by max_evaluations" in front.message
    front = to.solve(cap_problem, "pareto-set", n_points=4, max_seconds=1e-9)
    assert front.extra["stopped_by"] == "max_seconds" and front.extra["steps"] == 0


@pytest.mark.parametrize("options, message", [
    ({"n_preferences": 2}, r"`n_preferences` must be at least m \+ 1 = 3 \(the 2 corners of the "
                           r"simplex.*; got 2\. Use n_preferences = 8\."),
    ({"scalarization": "chebychev"}, r"`scalarization` must be one of 'chebyshev', "
                                     r"'weighted-sum'; got 'chebychev'\. Did you mean 'chebyshev'\?"),
    ({"rank": 0}, r"`rank` must be an integer in \[1, 1024\]; got 0\."),
    ({"max_seconds": -1}, r"`max_seconds` must be a number > 0; got -1\."),
    ({"batch_size": 0}, r"`batch_size` must be an integer ≥ 1; got 0\."),
    ({"lr": "fast"}, r"`lr` must be a number > 0; got 'fast'\."),
    ({"max_evaluations": 10, "n_points": 5},
     r"`max_evaluations` must be at least 13 \(one training step of 8 models on 120 of 120 rows, "
     r"then the 5 points on all rows\); got 10\."),
    ({"step": 10}, r"`options\.step` must be an option of solver 'pareto-set' .*Did you mean "
                   r"'steps'\?"),
])
def test_option_errors(cap_problem, options, message):
    with pytest.raises((ValueError, TypeError), match=message):
        to.solve(cap_problem, "pareto-set", **options)


def test_constraints_and_foreign_fronts_are_refused(cap_problem, cap_exact):
    prob = to.Problem(blog_data(n=40), "linear", ["mse", "mae"], [({"name": "cap_max", "cap": 120}, 0)])
    with pytest.raises(ValueError, match=r"`solver` must be a solver that handles constraints; got "
                                         r"'pareto-set'\. Pareto set learning takes objectives only"):
        to.solve(prob, "pareto-set")
    with pytest.raises(TypeError, match=r"`front` must be a front from solver 'pareto-set' \(with "
                                        r"extra\['hypernetwork'\]\); got 'exact'\."):
        ps.parameters(cap_exact, [[0.5, 0.5]])


def test_a_config_runs_it(tmp_path):
    import tomllib

    from tradeoff.experiments import run_sweep
    from tradeoff.experiments.config import parse_config

    raw = tomllib.loads("""
[experiment]
name = "pset"
seeds = [0]

[[problems]]
name = "cap"
data = { name = "blog", n = 60, seed = 0 }
objectives = ["mse", { name = "cap_violation", cap = 120 }]

[[solvers]]
name = "pareto-set"
options = { n_points = 6, steps = 300, rank = 4, scalarization = "weighted-sum" }

[exact]
n_points = 200
""")
    sweep = run_sweep(parse_config(raw), tmp_path / "out")
    assert sweep.failed == 0 and sweep.executed == 2  # the exact front and pareto-set
    runs = pd.read_csv(tmp_path / "out" / "runs.csv").set_index("label")
    assert runs.loc["pareto-set", "status"] == "ok"
    assert runs.loc["pareto-set", "hv_ratio"] > 0.9  # six points of a 300-step run
    bad = dict(raw, solvers=[{"name": "pareto-set", "options": {"n_preferences": 0}}])
    with pytest.raises(ValueError, match=r"`solvers\[0\]\.options\.n_preferences` must be an "
                                         r"integer in \[2, 100000\]; got 0\."):
        parse_config(bad)
