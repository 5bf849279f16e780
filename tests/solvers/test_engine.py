"""The batched second-order engine (solvers/newton.py) and the Hessians it uses (Problem.derivatives)."""

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings, strategies as st

import tradeoff as to
from tradeoff.datasets import Dataset
from tradeoff.solvers.engine.descent import ScaledProblem
from tradeoff.solvers.engine.newton import Scalarisation, lbfgs, minimise, newton


def _regression(seed, n, p, collinear=False, constant=False, cond=None):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, p))
    if cond is not None:  # correlated features with the given condition number of their Gram
        U, _ = np.linalg.qr(rng.normal(size=(p, p)))
        X = X @ np.diag(np.geomspace(1.0, np.sqrt(cond), p)) @ U
    if collinear and p >= 2:
        X[:, -1] = 2.0 * X[:, 0] - X[:, 1] if p >= 3 else 2.0 * X[:, 0]
    if constant:
        X[:, 0] = 3.0
    y = X @ rng.normal(size=p) + rng.normal(size=n)
    groups = (rng.random(n) < 0.4).astype(int)
    return Dataset(X, y, groups=groups)


def _classification(seed, n, p):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, p))
    groups = (rng.random(n) < 0.4).astype(int)
    y = (rng.random(n) < 1 / (1 + np.exp(-X[:, 0] - groups))).astype(float)
    return Dataset(X, y, groups=groups)


def _linear_scal(C, c=0):
    return Scalarisation(lambda F, G, r: (F * C[r]).sum(1),
                         lambda F, G, r: np.hstack([C[r], np.zeros((len(r), c))]))


def _fd_check(problem, seed=0):
    rng = np.random.default_rng(seed)
    K, d, r = 3, problem.d, problem.m + problem.n_constraints
    Theta = 0.3 * rng.normal(size=(K, d))
    C = rng.random((K, r))
    _, _, dV, H = problem.derivatives(Theta, C)
    e = 1e-6
    Hn = np.zeros_like(H)
    for j in range(d):
        E = np.zeros(d)
        E[j] = e
        dp = problem.derivatives(Theta + E)[2]
        dm = problem.derivatives(Theta - E)[2]
        Hn[:, :, j] = np.einsum("ki,kid->kd", C, (dp - dm) / (2 * e))
    return np.abs(Hn - H).max() / np.abs(H).max()


@pytest.mark.parametrize("objectives", [
    ["log_loss", "demographic_parity_sq"], ["log_loss", "equalized_odds_sq"],
    ["log_loss", "equal_opportunity_sq"], ["mse", "log_cosh", {"name": "group_loss_gap_sq", "loss": "mse"}],
])
def test_hessians_of_logistic_objectives_equal_finite_differences(objectives):
    problem = to.Problem(_classification(0, 300, 4), "logistic", objectives)
    assert problem.has_second_order()
    assert _fd_check(problem) < 1e-6


def test_hessians_of_regression_objectives_equal_finite_differences():
    objs = ["mse", {"name": "huber", "delta": 0.7}, "log_cosh", {"name": "cap_violation", "cap": 1.0},
            "mean_gap_sq", {"name": "group_loss_gap_sq", "loss": "log_cosh"}, "l2"]
    problem = to.Problem(_regression(1, 300, 4), "linear", objs,
                         [({"name": "cap_violation", "cap": 2.0}, 0.1)])
    assert _fd_check(problem) < 1e-6


def test_problems_without_second_derivatives_say_so():
    problem = to.Problem(_regression(0, 50, 2), "linear", ["mae", "mse"])
    assert not problem.has_second_order()
    with pytest.raises(ValueError, match="twice differentiable"):
        problem.derivatives(np.zeros((1, 3)), np.ones((1, 2)))
    with pytest.raises(ValueError, match="'lbfgs' or 'gd'"):
        to.solve(problem, "weighted-sum", n_points=3, method="newton")


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(seed=st.integers(0, 10_000), p=st.integers(1, 29), w=st.floats(0.05, 0.95),
       shape=st.sampled_from(["plain", "collinear", "constant"]))
def test_newton_lbfgs_and_gd_agree_on_convex_scalarisations(seed, p, w, shape):
    data = _regression(seed, 120, p, collinear=shape == "collinear", constant=shape == "constant")
    problem = to.Problem(data, "linear", ["mse", "l2"])
    sp = ScaledProblem(problem, True)
    C = np.array([[w, 1 - w]])
    scal = _linear_scal(C)
    start = problem.phi_start[None].copy()
    out = {}
    for method, tol, it in (("newton", 1e-12, 100), ("lbfgs", 1e-12, 5000), ("gd", 1e-15, 20000)):
        Phi, _, status = minimise(sp, scal, start, method=method, tol=tol, budget=1e12, max_iter=it)
        out[method] = problem.evaluate(sp.theta(Phi), grad=False).F @ C[0]
    v = out["newton"][0]
    # the minimum value: Newton's and L-BFGS's agree to 1e-8 (relative); first-order descent, which
    # crawls along ill-conditioned valleys, to 1e-5 within its 20,000 epochs
    assert abs(out["lbfgs"][0] - v) <= 1e-8 * max(1.0, abs(v))
    assert abs(out["gd"][0] - v) <= 1e-5 * max(1.0, abs(v))


def test_batched_lbfgs_equals_separate_runs():
    problem = to.Problem(_classification(3, 400, 6), "logistic", ["log_loss", "l2"])
    sp = ScaledProblem(problem, True)
    C = np.array([[1.0, 0.01], [1.0, 0.1], [1.0, 1.0]])
    start = np.zeros((3, problem.d))
    # the same iterates, to rounding (blocks of rows are sized by K, so sums differ in the last bits)
    for iters, atol in ((8, 1e-11), (500, 1e-7)):
        batched, _, _ = lbfgs(sp, _linear_scal(C), start, tol=1e-10, budget=1e9, max_iter=iters)
        for k in range(3):
            single, _, _ = lbfgs(sp, _linear_scal(C[k:k + 1]), start[k:k + 1], tol=1e-10,
                                 budget=1e9, max_iter=iters)
            np.testing.assert_allclose(batched[k], single[0], rtol=0, atol=atol)


def test_newton_handles_indefinite_hessians_and_converges():
    problem = to.Problem(_classification(5, 500, 5), "logistic", ["log_loss", "demographic_parity_sq"])
    sp = ScaledProblem(problem, True)
    C = np.array([[1.0, 30.0], [1.0, 300.0]])
    Phi, it, status = newton(sp, _linear_scal(C), np.zeros((2, problem.d)), tol=1e-8, budget=1e9,
                             max_iter=200)
    assert (status == "converged").all()
    F, _, dV, _ = problem.derivatives(sp.theta(Phi))
    g = np.einsum("ki,kid->kd", C, dV) @ sp.A.T
    assert np.abs(g).max() < 1e-6


@pytest.mark.parametrize("solver", ["weighted-sum", "penalty", "chebyshev", "epsilon-constraint"])
def test_every_solver_converges_on_an_ill_conditioned_convex_problem(solver):
    data = _regression(7, 2000, 8, cond=1e4)
    problem = to.Problem(data, "linear", ["mse", {"name": "cap_violation", "cap": float(np.quantile(data.y, 0.8))}])
    front = to.solve(problem, solver, n_points=12)
    assert front.success, front.message
    assert front.extra["converged"] == 12
    exact = to.solve(problem, "exact", n_points=300)
    scale = to.Scale.from_points(exact.F)
    # on the front: no exact point dominates any of the solver's points by more than 1e-6 in every
    # normalised objective
    Fs, Fe = scale(front.F), scale(exact.F)
    gap = (Fs[:, None, :] - Fe[None, :, :]).min(axis=2).max(axis=1)
    assert gap.max() <= 1e-6, gap
    counts = front.extra["counts"]
    assert counts["function"] >= counts["gradient"] >= counts["hessian"] > 0


def test_exact_front_end_points_are_lexicographic_optima():
    # a cap most predictions respect: cap_violation is zero on a whole polyhedron of θ, so its
    # weighted sum at w = (0, 1) has many minimisers; the end point must be the best MSE among them
    from scipy.optimize import LinearConstraint, minimize

    rng = np.random.default_rng(3)
    n, p = 400, 3
    X = rng.normal(size=(n, p))
    y = X @ np.array([1.0, 2.0, -1.0]) + 5 + rng.normal(size=n)
    cap = float(np.quantile(y, 0.8))
    problem = to.Problem(Dataset(X, y), "linear", ["mse", {"name": "cap_violation", "cap": cap}])
    X1 = np.column_stack([X, np.ones(n)])
    res = minimize(lambda t: np.mean((X1 @ t - y) ** 2), np.zeros(p + 1),
                   jac=lambda t: 2 * X1.T @ (X1 @ t - y) / n, method="trust-constr",
                   constraints=[LinearConstraint(X1, -np.inf, cap)],
                   options=dict(gtol=1e-12, xtol=1e-14, maxiter=5000))
    lex_mse = np.mean((X1 @ res.x - y) ** 2)
    for solver in ("exact", "weighted-sum"):
        front = to.solve(problem, solver, n_points=20)
        end = front.F[np.argmin(front.F[:, 1])]
        assert end[1] <= 1e-9 * front.F[:, 1].max()
        assert end[0] <= lex_mse * (1 + 1e-6), (solver, end, lex_mse)


def test_exact_logistic_front_matches_scikit_learn():
    LogisticRegression = pytest.importorskip("sklearn.linear_model").LogisticRegression
    data = _classification(11, 600, 4)
    problem = to.Problem(data, "logistic", ["log_loss", "l2"])
    front = to.solve(problem, "exact", n_points=9, adaptive=False)
    assert front.success, front.message
    W = np.asarray(front.extra["weights"])
    span = np.asarray(front.extra["span"])
    k = 4  # an interior point: it minimises log_loss + λ‖w‖², λ = (w₂/span₂)/(w₁/span₁)
    lam = (W[k, 1] / span[1]) / (W[k, 0] / span[0])
    clf = LogisticRegression(C=1 / (2 * lam * data.n), tol=1e-12, max_iter=10_000).fit(data.X, data.y)
    np.testing.assert_allclose(front.X[k], np.append(clf.coef_[0], clf.intercept_), atol=1e-6)


@pytest.mark.parametrize("solver", ["weighted-sum", "epsilon-constraint", "chebyshev"])
def test_constraints_no_point_can_meet_give_no_success(solver):
    from tradeoff.datasets import blog_data

    problem = to.Problem(blog_data(n=60), "linear", ["mse", "l2"],
                         [({"name": "cap_max", "cap": 120}, -1e6)])
    front = to.solve(problem, solver, n_points=4, max_evaluations=4000)
    assert not front.success
    assert not front.feasible.any()
    assert "none is feasible" in front.message
