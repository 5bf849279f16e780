import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import tradeoff as to
from tradeoff.datasets import Dataset, blog_data
from tradeoff.objectives import Constraint, get_objective
from tradeoff.solvers import SOLVERS

from ..conftest import CAP


@pytest.fixture(scope="module")
def cap_exact(cap_problem):
    return to.solve(cap_problem, "exact", n_points=100)


def test_exact_front_of_two_quadratics_is_the_ridge_path():
    # MSE and ‖w‖²: the minimiser of a·MSE + b·‖w‖² solves (X̃ᵀX̃/n + (b/a)·D) θ = X̃ᵀy/n, D = diag(1…1, 0)
    rng = np.random.default_rng(0)
    X = rng.normal(size=(60, 3))
    y = X @ [1.0, -2.0, 0.5] + 3 + rng.normal(size=60)
    prob = to.Problem(Dataset(X, y), "linear", ["mse", "l2"])
    front = to.solve(prob, "exact", n_points=21, adaptive=False)
    assert front.success, front.message
    span = np.array(front.extra["span"])
    Xt = np.column_stack([X, np.ones(60)])
    D = np.diag([1.0, 1.0, 1.0, 0.0])
    for w, theta in zip(np.array(front.extra["weights"]), front.X):
        if (w == 0).any():
            continue
        lam = (w[1] / span[1]) / (w[0] / span[0])
        closed = np.linalg.solve(Xt.T @ Xt / 60 + lam * D, Xt.T @ y / 60)
        np.testing.assert_allclose(theta, closed, rtol=1e-9, atol=1e-10)


def test_penalty_path_is_monotone_for_exact_minimisers(cap_problem):
    # tolerance: 1e-9 relative, the Newton solves' accuracy
    lam = np.logspace(-3, 3, 40)
    W = np.column_stack([np.ones_like(lam), lam]) / (1 + lam)[:, None]
    front = to.solve(cap_problem, "exact", weights=W)
    f1, f2 = front.F[:, 0], front.F[:, 1]
    assert (np.diff(f2) <= 1e-9 * np.abs(f2).max()).all()
    assert (np.diff(f1) >= -1e-9 * np.abs(f1).max()).all()


@pytest.mark.parametrize("solver", ["weighted-sum", "penalty", "chebyshev", "epsilon-constraint", "mgda"])
def test_gradient_solvers_approach_the_exact_front(cap_problem, cap_exact, solver):
    front = to.solve(cap_problem, solver, n_points=30, max_evaluations=30_000)
    scores = to.compare(front, cap_exact)
    assert scores["hv_ratio"] > 0.98, (solver, scores, front.message)
    assert front.evaluations <= 30_000 * 1.05


def test_chebyshev_rays_end_at_the_anchor_of_the_other_objective(cap_problem):
    # the ray (1, 0) leaves the utopia along f̃₁: it meets the front where f̃₂ is smallest, the
    # anchor of f₂ (and the ray (0, 1) the anchor of f₁), up to the smoothing μ = 0.01
    front = to.solve(cap_problem, "chebyshev", weights=[[1.0, 0.0], [0.0, 1.0]],
                     max_evaluations=20_000)
    assert front.success, front.message
    Fn = (front.F - front.extra["ideal"]) / front.extra["span"]
    assert Fn[0, 1] < 0.05 and Fn[0, 0] > 0.9, Fn
    assert Fn[1, 0] < 0.05 and Fn[1, 1] > 0.9, Fn


@pytest.mark.parametrize("m", [2, 3])
def test_newton_direction_is_the_dual_optimum(m):
    # q(α) = g(α)ᵀH(α)⁻¹g(α) is least at the returned α (against a grid of the simplex), and the
    # step is H(α)⁻¹g(α): the multiobjective Newton direction of Fliege et al.; the Hessians are
    # positive definite, as the Gauss–Newton ones MGDA passes are semi-definite
    from tradeoff.solvers.gradient import newton_direction
    from tradeoff.solvers.weights import simplex_grid

    rng = np.random.default_rng(1)
    K, d = 4, 5
    Gn = rng.normal(size=(K, m, d))
    A = rng.normal(size=(K, m, d, d))
    Hn = A @ A.transpose(0, 1, 3, 2) + 0.1 * np.eye(d)

    def q(a):
        g = np.einsum("ki,kid->kd", a, Gn)
        H = np.einsum("ki,kide->kde", a, Hn)
        return (g * np.linalg.solve(H, g[:, :, None])[:, :, 0]).sum(1)

    alpha, p = newton_direction(Gn, Hn, np.full((K, m), 1.0 / m))
    np.testing.assert_allclose(alpha.sum(1), 1.0)
    assert (alpha >= 0).all()
    g = np.einsum("ki,kid->kd", alpha, Gn)
    H = np.einsum("ki,kide->kde", alpha, Hn)
    np.testing.assert_allclose(np.einsum("kde,ke->kd", H, p), g, atol=1e-8)
    best = q(alpha)
    # exact for two objectives (one Frank–Wolfe step along the segment); within 1 % for three
    slack = 1e-6 if m == 2 else 1e-2
    for a in simplex_grid(200 if m == 2 else 40, m):
        assert (best <= q(np.tile(a, (K, 1))) * (1 + slack) + 1e-12).all()


def test_mgda_takes_multiobjective_newton_steps():
    # with the Newton engine every point converges in fewer steps and evaluations than the
    # first-order min-norm steps it takes with L-BFGS anchors
    ds = to.load_dataset("synthetic_shift", task="classification", n=600, seed=0)
    prob = to.Problem(ds, "logistic", ["log_loss", "demographic_parity_sq"])
    newton = to.solve(prob, "mgda", n_points=6, max_evaluations=6000)
    first = to.solve(prob, "mgda", n_points=6, max_evaluations=6000, method="lbfgs")
    assert newton.success and first.success, (newton.message, first.message)
    assert "multiobjective Newton steps" in newton.message
    assert newton.extra["epochs"] < first.extra["epochs"]
    assert newton.evaluations < first.evaluations


@pytest.mark.parametrize("solver", ["nsga2", "sms-emoa"])
def test_pymoo_solvers_approach_the_exact_front(cap_problem, cap_exact, solver):
    front = to.solve(cap_problem, solver, pop_size=40, max_evaluations=4000, seed=3)
    assert front.evaluations == 4000
    assert to.compare(front, cap_exact)["hv_ratio"] > 0.95


# fairlearn's baselines need sensitive groups: their determinism is tested in test_fairlearn_baselines
@pytest.mark.parametrize("solver", sorted(s for s in set(SOLVERS) - {"age-moea2", "moead", "nsga3"}
                                          if not s.startswith("fairlearn")))
def test_same_seed_same_front(cap_problem, solver):
    opts = ({"n_points": 8, "max_evaluations": 2000} if solver not in ("nsga2", "sms-emoa")
            else {"pop_size": 20, "max_evaluations": 600})
    if solver == "exact":
        opts = {"n_points": 8}
    a = to.solve(cap_problem, solver, seed=5, **opts)
    b = to.solve(cap_problem, solver, seed=5, **opts)
    np.testing.assert_array_equal(a.F, b.F)
    np.testing.assert_array_equal(a.X, b.X)


@given(seed=st.integers(0, 10_000), share=st.floats(0.0, 1.0))
@settings(max_examples=10, deadline=None, suppress_health_check=[HealthCheck.too_slow])
def test_epsilon_constraint_solutions_satisfy_the_bound(seed, share):
    prob = to.Problem(blog_data(n=60, seed=seed), "linear", ["mse", CAP])
    ex = to.solve(prob, "exact", n_points=10)
    eps = ex.F[:, 1].min() + share * np.ptp(ex.F[:, 1])
    front = to.solve(prob, "epsilon-constraint", epsilon=[eps], max_evaluations=3000)
    # stated tolerance: 1e-9 of the objective's range (the anchors' accuracy); a final bisection
    # makes the bound hold exactly whenever ε is above the anchor's value
    assert front.F[0, 1] <= eps + 1e-9 * np.ptp(ex.F[:, 1])


def test_pymoo_constrained_solutions_are_feasible():
    data = blog_data(n=80, seed=2)
    prob = to.Problem(data, "linear", ["mse", "l2"],
                      [Constraint(get_objective({"name": "cap_max", "cap": 120}), 0.0)])
    front = to.solve(prob, "nsga2", pop_size=30, max_evaluations=1500, seed=0)
    assert len(front) > 0 and front.feasible.all()
    assert (front.G <= 0).all()
    preds = data.X[:, 0:1] @ front.X[:, :1].T + front.X[:, 1]
    assert preds.max() <= 120 + 1e-9


def test_not_convex_gives_no_exact_front():
    prob = to.Problem(blog_data(n=50), {"name": "capped_linear"} and "capped_linear", ["mse", "l2"])
    front = to.solve(prob, "exact")
    assert not front.success and len(front) == 0
    assert "not convex" in front.message and "'mse'" in front.message


def test_any_pymoo_algorithm_object_can_be_passed():
    from pymoo.algorithms.moo.nsga2 import NSGA2

    prob = to.Problem(blog_data(n=50), "linear", ["mse", CAP])
    front = to.solve(prob, NSGA2(pop_size=16), max_evaluations=320, seed=1)
    assert front.solver == "nsga2" and front.evaluations == 320


def test_bad_solver_input(cap_problem):
    with pytest.raises(ValueError, match=r"`weights\[0\]` must be a row of weights summing to 1; "
                                         r"got \[0\.5, 0\.7\]\. Divide each row by its sum"):
        to.solve(cap_problem, "weighted-sum", weights=[[0.5, 0.7]])
    with pytest.raises(ValueError, match=r"`epsilon` must be at least the smallest attainable "
                                         r"cap_violation, [0-9.e+-]+ \(ε below it is infeasible\); got -1\.0"):
        to.solve(cap_problem, "epsilon-constraint", epsilon=[-1.0], max_evaluations=2000)
    with pytest.raises(ValueError, match=r"`solver` must be one of .*; got 'nsga'\. Did you mean 'nsga[23]'\?"):
        to.solve(cap_problem, "nsga")
    with pytest.raises(ValueError, match=r"`max_evaluations` must be an integer ≥ 1; got 0"):
        to.solve(cap_problem, "penalty", max_evaluations=0)
    with pytest.raises(ValueError, match=r"`max_evaluations` must be an integer ≥ 1; got -5"):
        to.solve(cap_problem, "nsga2", max_evaluations=-5)
    with pytest.raises(ValueError, match=r"`options.step_size` must be an option of solver "
                       "'penalty'"):
        to.solve(cap_problem, "penalty", step_size=0.1)
    # `lr` is an option of the mini-batch loop: without an optimizer it says so
    with pytest.raises(ValueError, match=r"`lr` must be given only with optimizer = 'adam' or 'sgd'"):
        to.solve(cap_problem, "penalty", lr=0.1)


def test_objective_without_gradient_names_it_and_suggests_a_solver():
    prob = to.Problem(blog_data(n=50), "linear", ["mse", {"name": "cap_excess_rate", "cap": 120}])
    with pytest.raises(ValueError, match=r"objective 'cap_excess_rate', which has none; got 'penalty'\. "
                                         r"Use 'nsga2'"):
        to.solve(prob, "penalty")
    front = to.solve(prob, "nsga2", pop_size=12, max_evaluations=240)
    assert len(front) > 0


def test_problem_from_dict_errors():
    with pytest.raises(ValueError, match=r"`problem.objectivs` must be one of the keys .*Did you mean "
                                         r"'objectives'\?"):
        to.Problem.from_dict({"data": "blog", "objectivs": ["mse", "l2"]})
    with pytest.raises(ValueError, match=r"`objectives` must be at least 2 objectives; got \['mse'\]"):
        to.Problem.from_dict({"data": "blog", "objectives": ["mse"]})
    with pytest.raises(ValueError, match=r"`dataset` must be one of .*; got 'blgo'"):
        to.Problem.from_dict({"data": "blgo", "objectives": ["mse", "l2"]})


@pytest.mark.parametrize("solver", ["penalty", "weighted-sum", "chebyshev", "epsilon-constraint"])
def test_gradient_solvers_return_feasible_points_under_a_hard_constraint(solver):
    # max ŷ ≤ 120: a convex, non-smooth constraint; the final move toward a feasible point holds it
    prob = to.Problem.from_dict({"data": {"name": "blog", "n": 120, "seed": 0},
                                 "objectives": ["mse", "mae"],
                                 "constraints": [{"name": "cap_max", "cap": 120, "bound": 0}]})
    front = to.solve(prob, solver, n_points=10, max_evaluations=1500)
    assert front.feasible.all() and (front.G <= 0).all()
    assert front.evaluations <= 1500 * 1.05


def test_exact_says_why_it_has_no_front_for_other_models_and_kinks():
    capped = to.Problem(blog_data(n=50), to.models.get_model("capped_linear", cap=120), ["mse", "l2"])
    front = to.solve(capped, "exact")
    assert not front.success and "not convex" in front.message
    kink = to.Problem(blog_data(n=50), "linear", ["mae", "l2"])
    front = to.solve(kink, "exact")
    assert not front.success and "objective 'mae' gives no second derivative" in front.message


def test_age_moea2_runs_when_numba_is_installed(cap_problem, cap_exact):
    pytest.importorskip("numba")
    front = to.solve(cap_problem, "age-moea2", pop_size=20, max_evaluations=600, seed=0)
    assert front.evaluations == 600 and len(front) > 0
    assert to.compare(front, cap_exact)["hv_ratio"] > 0.9
