"""Interop with pymoo and pandas: ``Problem.to_pymoo``, algorithm objects with pymoo's own
termination/callback/verbose, and ``tradeoff.read_results`` on a committed study."""

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import tradeoff as to
from tradeoff.datasets import blog_data
from tradeoff.objectives import Constraint, get_objective

ROOT = Path(__file__).resolve().parents[1]
CAP = {"name": "cap_violation", "cap": 120}


@pytest.fixture(scope="module")
def problem():
    return to.Problem(blog_data(n=60, seed=1), "linear", ["mse", CAP])


# -- problem.to_pymoo() ---------------------------------------------------------------------------
def test_to_pymoo_round_trip_with_pymoo_minimize(problem):
    from pymoo.algorithms.moo.nsga2 import NSGA2
    from pymoo.core.problem import Problem as PymooProblem
    from pymoo.optimize import minimize

    pp = problem.to_pymoo()
    assert isinstance(pp, PymooProblem)
    assert (pp.n_var, pp.n_obj, pp.n_ieq_constr) == (problem.d, problem.m, 0)
    lo, hi = problem.theta_box()
    np.testing.assert_array_equal(pp.xl, lo)
    np.testing.assert_array_equal(pp.xu, hi)
    res = minimize(pp, NSGA2(pop_size=20), ("n_evals", 400), seed=0)
    X = np.atleast_2d(res.X)
    assert X.shape[1] == problem.d and (X >= lo).all() and (X <= hi).all()
    np.testing.assert_allclose(res.F, problem.evaluate(X, grad=False).F, rtol=1e-12, atol=0)
    front = pp.front(res)
    assert front.solver == "nsga2" and front.options["pop_size"] == 20
    assert front.evaluations == 400 and front.model is problem.model
    again = pp.front(minimize(pp, NSGA2(pop_size=20), ("n_evals", 100), seed=1))
    assert again.evaluations == 100  # this run's count, not the adapter's running total
    np.testing.assert_allclose(front.X, X)
    np.testing.assert_allclose(front.F, res.F, rtol=1e-12)


def _offset_logistic(n=400, p=5, mean=50.0):
    """A logistic problem whose features have means far from 0 (a large intercept)."""
    from tradeoff.datasets import Dataset

    rng = np.random.default_rng(0)
    X = rng.normal(mean, 10.0, (n, p))
    beta = rng.normal(0.0, 0.3, p)
    y = (rng.random(n) < 1.0 / (1.0 + np.exp(-(X - mean) @ beta))).astype(float)
    ds = Dataset(X, y, name="offset", feature_names=tuple(f"x{j}" for j in range(p)))
    return to.Problem(ds, "logistic", ["log_loss", "l2"])


def test_theta_box_holds_the_fit_and_zero_weights():
    """The default θ box is centred on the log-loss fit and holds the fit shrunk to no weights."""
    prob = _offset_logistic()
    best = to.solve(prob, "exact", n_points=20)
    theta = best.X[np.argmin(best.F[:, 0])]
    lo, hi = prob.theta_box()
    assert (theta > lo).all() and (theta < hi).all()
    assert (lo[:-1] < 0).all() and (hi[:-1] > 0).all()
    # the old enclosure of the whole φ box spanned ±110 on this intercept; this one about 95
    assert hi[-1] - lo[-1] < 200


def test_nsga2_on_to_pymoo_gets_near_the_logistic_optimum():
    """NSGA2(pop 40), 4000 evaluations in the default θ box: log-loss within 25 % of the optimum
    (0.185; the enclosing box of before stalled at 0.498); a user's ``bounds`` are the box."""
    from pymoo.algorithms.moo.nsga2 import NSGA2
    from pymoo.optimize import minimize

    prob = _offset_logistic()
    best = to.solve(prob, "exact", n_points=20)
    opt = best.F[:, 0].min()
    res = minimize(prob.to_pymoo(), NSGA2(pop_size=40), ("n_evals", 4000), seed=0)
    assert np.atleast_2d(res.F)[:, 0].min() < 1.25 * opt
    theta = best.X[np.argmin(best.F[:, 0])]
    pp = prob.to_pymoo(bounds=(theta - 0.5 * np.abs(theta) - 0.1, theta + 0.5 * np.abs(theta) + 0.1))
    np.testing.assert_allclose(pp.xl, theta - 0.5 * np.abs(theta) - 0.1)  # a user's box as given


def test_to_pymoo_refuses_a_bad_box(problem):
    with pytest.raises(ValueError, match=r"`bounds` must be finite with lower < upper in each of the 2"):
        problem.to_pymoo(bounds=(1.0, 0.0))
    with pytest.raises(TypeError, match=r"`bounds` must be a pair \(lower, upper\)"):
        problem.to_pymoo(bounds=5.0)


def test_to_pymoo_gives_constraints_as_G():
    from pymoo.algorithms.moo.nsga2 import NSGA2
    from pymoo.optimize import minimize

    prob = to.Problem(blog_data(n=50, seed=2), "linear", ["mse", "l2"],
                      [Constraint(get_objective({"name": "cap_max", "cap": 120}), 0.0)],
                      bounds=(-50.0, 50.0))
    pp = prob.to_pymoo()
    assert pp.n_ieq_constr == 1
    np.testing.assert_array_equal(pp.xl, np.full(prob.d, -50.0))  # a user box in θ is kept as is
    out = {}
    X = np.zeros((3, prob.d))
    pp._evaluate(X, out)
    ev = prob.evaluate(X, grad=False)
    np.testing.assert_array_equal(out["F"], ev.F)
    np.testing.assert_array_equal(out["G"], ev.G)
    res = minimize(pp, NSGA2(pop_size=20), ("n_evals", 400), seed=0)
    assert (np.atleast_2d(res.G) <= 0).all()


# -- solve(problem, algorithm_object, termination=, callback=, verbose=) --------------------------
def test_front_options_record_the_objects_real_settings(problem):
    from pymoo.algorithms.moo.nsga2 import NSGA2

    front = to.solve(problem, NSGA2(pop_size=20), max_evaluations=400, seed=0)
    assert front.options["algorithm"] == "NSGA2" and front.options["pop_size"] == 20
    assert front.options["max_evaluations"] == 400 and front.evaluations == 400
    assert front.seed == 0


def test_termination_overrides_max_evaluations(problem):
    from pymoo.algorithms.moo.nsga2 import NSGA2
    from pymoo.termination import get_termination

    front = to.solve(problem, NSGA2(pop_size=10), termination=("n_gen", 3), seed=0)
    assert front.evaluations == 30 and front.options["termination"] == ["n_gen", 3]
    assert "max_evaluations" not in front.options
    front = to.solve(problem, NSGA2(pop_size=10), max_evaluations=10_000,
                     termination=get_termination("n_eval", 50), seed=0)
    assert front.evaluations == 50 and front.options["termination"] == "MaximumFunctionCallTermination"


def test_callback_and_verbose_reach_pymoo(problem, capsys):
    from pymoo.algorithms.moo.nsga2 import NSGA2
    from pymoo.core.callback import Callback

    class Count(Callback):
        def __init__(self):
            super().__init__()
            self.gens = []

        def notify(self, algorithm):
            self.gens.append(algorithm.n_gen)

    cb = Count()
    to.solve(problem, NSGA2(pop_size=10), max_evaluations=40, seed=0, callback=cb, verbose=True)
    assert cb.gens == [1, 2, 3, 4]
    assert "n_gen" in capsys.readouterr().out  # pymoo's progress table
    to.solve(problem, NSGA2(pop_size=10), max_evaluations=40, seed=0)
    assert capsys.readouterr().out == ""


def test_options_beside_an_algorithm_object_are_checked(problem):
    from pymoo.algorithms.moo.nsga2 import NSGA2

    with pytest.raises(ValueError, match=r"`options\.max_evals` must be an option for a pymoo "
                                         r"algorithm object .*Did you mean 'max_evaluations'\?"):
        to.solve(problem, NSGA2(pop_size=8), max_evals=500)
    with pytest.raises(ValueError, match=r"`options\.pop_size` .*NSGA2\(pop_size=\.\.\.\)"):
        to.solve(problem, NSGA2(pop_size=8), pop_size=20)
    with pytest.raises(TypeError, match=r"`termination` must be a pymoo termination"):
        to.solve(problem, NSGA2(pop_size=8), termination=400)
    with pytest.raises(TypeError, match=r"`verbose` must be true or false"):
        to.solve(problem, NSGA2(pop_size=8), verbose="yes")
    with pytest.raises(TypeError, match=r"`callback` must be a pymoo Callback"):
        to.solve(problem, NSGA2(pop_size=8), callback=3)
    with pytest.raises(TypeError, match=r"`solver` must be a solver name or a pymoo algorithm"):
        to.solve(problem, object())


@pytest.mark.parametrize("key, value", [("termination", ("n_gen", 3)), ("callback", print),
                                        ("verbose", True)])
def test_pymoo_passthrough_is_for_algorithm_objects_only(problem, key, value):
    import tomllib

    from tradeoff.experiments.config import parse_config

    from .experiments.tiny import TINY

    with pytest.raises(ValueError, match=rf"`{key}` must be an option of solver 'nsga2' .*"
                                         r"beside a pymoo algorithm object"):
        to.solve(problem, "nsga2", **{key: value})
    raw = tomllib.loads(TINY)
    raw["solvers"] = [{"name": "nsga2", "options": {key: 3}}]
    with pytest.raises(ValueError, match=rf"`solvers\[0\]\.options\.{key}` must be an option "
                                         r"of solver 'nsga2'"):
        parse_config(raw)


# -- read_results ---------------------------------------------------------------------------------
def test_read_results_of_a_committed_study():
    res = to.read_results(ROOT / "results" / "cap_tradeoff")
    assert isinstance(res, to.Results)
    for frame in (res.runs, res.points, res.traces):
        assert isinstance(frame, pd.DataFrame) and len(frame)
    assert {"run_id", "problem", "solver", "label", "seed", "hv_ratio"} <= set(res.runs.columns)
    assert set(res.points["run_id"]) <= set(res.runs["run_id"])
    assert set(res.traces["run_id"]) <= set(res.runs["run_id"])
    assert isinstance(res.manifest, dict) and res.manifest
    runs, points, traces, manifest, path = res  # a NamedTuple unpacks
    assert path == ROOT / "results" / "cap_tradeoff"


def test_read_results_falls_back_to_csv(tmp_path):
    import shutil

    src = ROOT / "results" / "cap_tradeoff"
    for name in ("runs", "points", "traces"):
        shutil.copy(src / f"{name}.csv", tmp_path / f"{name}.csv")
    res = to.read_results(tmp_path)
    assert res.manifest == {}
    pd.testing.assert_series_equal(res.runs["run_id"],
                                   to.read_results(src).runs["run_id"].astype(object),
                                   check_dtype=False)


def test_read_results_names_a_folder_that_is_not_a_results_folder(tmp_path):
    with pytest.raises(ValueError, match=rf"{str(tmp_path)!r}, which has no runs\.csv, points\.csv, "
                                         r"traces\.csv"):
        to.read_results(tmp_path)
    with pytest.raises(FileNotFoundError, match="which is not a folder"):
        to.read_results(tmp_path / "nowhere")
