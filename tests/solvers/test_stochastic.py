"""The mini-batch loop of the gradient solvers (solvers/stochastic.py) and wall-clock budgets."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import tradeoff as to
from tradeoff.experiments.config import load_config
from tradeoff.experiments.runner import run_sweep
from tradeoff.solvers.gradient import Setup

from ..experiments.tiny import write
from ..strategies import assert_clear

SOLVERS = ("weighted-sum", "penalty", "chebyshev", "epsilon-constraint", "mgda", "epo", "hv-grad")
DATA = {"name": "synthetic_shift", "task": "classification", "n": 120, "seed": 1}


@pytest.fixture(scope="module")
def logistic():
    return to.Problem.from_dict({"data": DATA, "model": "logistic",
                                 "objectives": ["log_loss", "demographic_parity_sq"]})


@pytest.fixture(scope="module")
def mlp():
    return to.Problem.from_dict({"data": DATA, "model": {"name": "mlp", "hidden": [8],
                                                         "output": "logistic"},
                                 "objectives": ["log_loss", "demographic_parity_sq"]})


def _anchors(problem, K):
    s = Setup(problem, n_points=K, max_evaluations=None, max_epochs=2000, tol=None,
              standardize=False, seed=0)
    return s.anchor_phi, s.ideal, s.span


def test_one_batch_reproduces_full_batch_adam(logistic):
    """batch_size ≥ n: one batch per epoch, so the loop is plain full-batch Adam, step for step."""
    W = np.array([[1.0, 0.0], [0.7, 0.3], [0.2, 0.8]])
    lr, epochs = 0.05, 12
    front = to.solve(logistic, "weighted-sum", weights=W.tolist(), optimizer="adam", lr=lr,
                     epochs=epochs, batch_size=10_000, standardize=False, normalize="anchors")
    anchor_phi, _, span = _anchors(logistic, 3)
    np.testing.assert_array_equal(front.extra["span"], span)
    Theta = W @ anchor_phi  # the engine's warm start: the anchors mixed by weight
    m1, m2 = np.zeros_like(Theta), np.zeros_like(Theta)
    for t in range(1, epochs + 1):
        g = np.einsum("ki,kid->kd", W / span, logistic.evaluate(Theta).dF)
        m1 = 0.9 * m1 + 0.1 * g
        m2 = 0.999 * m2 + 0.001 * g * g
        Theta = Theta - lr * (m1 / (1 - 0.9**t)) / (np.sqrt(m2 / (1 - 0.999**t)) + 1e-8)
    np.testing.assert_allclose(front.X, Theta, rtol=0, atol=1e-12)
    assert front.success and front.extra["epochs_run"] == epochs


def test_normalize_none_steps_on_the_raw_weighted_sum(logistic):
    """normalize = "none": no anchors, every point starts at the box's centre and Adam steps on
    Σ wᵢ fᵢ of the raw values (LibMOON's scalarisation), step for step."""
    from tradeoff.solvers.gradient import Setup

    W = np.array([[0.9, 0.1], [0.6, 0.4]])
    lr, epochs = 0.05, 6
    front = to.solve(logistic, "weighted-sum", weights=W.tolist(), optimizer="adam", lr=lr,
                     epochs=epochs, batch_size=10_000, standardize=False, normalize="none")
    start = Setup(logistic, n_points=2, max_evaluations=None, max_epochs=10, tol=None,
                  standardize=False, seed=0, anchors=False).start
    Theta = np.repeat(start[None], 2, 0)
    m1, m2 = np.zeros_like(Theta), np.zeros_like(Theta)
    for t in range(1, epochs + 1):
        g = np.einsum("ki,kid->kd", W, logistic.evaluate(Theta).dF)
        m1 = 0.9 * m1 + 0.1 * g
        m2 = 0.999 * m2 + 0.001 * g * g
        Theta = Theta - lr * (m1 / (1 - 0.9**t)) / (np.sqrt(m2 / (1 - 0.999**t)) + 1e-8)
    np.testing.assert_allclose(front.X, Theta, rtol=0, atol=1e-12)
    assert front.options["normalize"] == "none" and front.extra["span"] == [1.0, 1.0]
    with pytest.raises(ValueError) as err:
        to.solve(logistic, "epsilon-constraint", n_points=2, optimizer="adam", normalize="none")
    assert_clear(err, "epsilon", "pass epsilon")


def test_one_batch_reproduces_sgd_with_momentum_and_cosine(logistic):
    W = np.array([[0.5, 0.5], [0.1, 0.9]])
    lr, beta, epochs = 0.2, 0.9, 10
    front = to.solve(logistic, "weighted-sum", weights=W.tolist(), optimizer="sgd", lr=lr,
                     momentum=beta, schedule="cosine", epochs=epochs, batch_size=logistic.data.n,
                     standardize=False, normalize="anchors")
    anchor_phi, _, span = _anchors(logistic, 2)
    Theta, v = W @ anchor_phi, np.zeros((2, logistic.d))
    for t in range(epochs):
        g = np.einsum("ki,kid->kd", W / span, logistic.evaluate(Theta).dF)
        v = beta * v + g
        Theta = Theta - lr * 0.5 * (1 + np.cos(np.pi * t / epochs)) * v
    np.testing.assert_allclose(front.X, Theta, rtol=0, atol=1e-12)


@pytest.mark.parametrize("solver", ["epo", "hv-grad"])
def test_one_batch_reproduces_the_set_solvers_steps(logistic, solver):
    """batch_size ≥ n, SGD: EPO's and hv-grad's mini-batch steps are Φ ← Φ − lr·Σᵢ αᵢ∇f̃ᵢ with
    α from EPO's LP on each point's ray, or the unit hypervolume gain of the set, step for step."""
    from tradeoff.solvers.epo import MIN_WEIGHT, epo_alpha
    from tradeoff.solvers.hv_gradient import hv_weights

    W = np.array([[1.0, 0.0], [0.6, 0.4], [0.3, 0.7]])
    lr, epochs = 0.05, 8
    opts = dict(weights=W.tolist()) if solver == "epo" else dict(n_points=3, reference=1.2)
    front = to.solve(logistic, solver, optimizer="sgd", lr=lr, epochs=epochs,
                     batch_size=logistic.data.n, standardize=False, normalize="anchors", **opts)
    anchor_phi, ideal, span = _anchors(logistic, 3)
    if solver == "epo":
        Wf = np.maximum(W, MIN_WEIGHT)
        R = 1 / (Wf / Wf.sum(1, keepdims=True))
        Theta = (1 - W) @ anchor_phi
    else:
        Theta = np.array([[1.0, 0.0], [0.5, 0.5], [0.0, 1.0]]) @ anchor_phi
    for _ in range(epochs):
        ev = logistic.evaluate(Theta)
        G = ev.dF / span[None, :, None]
        Fn = (ev.F - ideal) / span
        alpha = (epo_alpha(G @ np.swapaxes(G, 1, 2), Fn, R)[0] if solver == "epo"
                 else hv_weights(Fn, np.array([1.2, 1.2])))
        Theta = Theta - lr * np.einsum("km,kmd->kd", alpha, G)
    np.testing.assert_allclose(front.X, Theta, rtol=0, atol=1e-12)
    assert front.options["method"] == "stochastic"


def test_mini_batch_epo_settles_on_its_rays(logistic):
    """One batch, Adam: EPO's points end on their rays (the full-batch loop's 3e-5 is not asked of
    Adam's steps; measured 1e-3 at most)."""
    front = to.solve(logistic, "epo", n_points=5, epochs=300, batch_size=10_000, lr=1e-2)
    inner = np.asarray(front.extra["weights"]).min(1) > 0
    assert np.max(np.asarray(front.extra["ray_gap"])[inner]) < 5e-3
    assert front.extra["lp_modes"]["balance"] > 0


def test_networks_take_the_mini_batch_loop_by_default(mlp):
    """A network: no optimizer means the mini-batch loop (a mix of two networks' weights is no
    network between them); optimizer = "gd" keeps the full-batch set loop."""
    for solver in ("epo", "hv-grad"):
        front = to.solve(mlp, solver, n_points=3, epochs=2)
        assert front.options["method"] == "stochastic" and front.options["optimizer"] == "adam"
        full = to.solve(mlp, solver, n_points=3, optimizer="gd", max_epochs=3)
        assert full.options["method"] != "stochastic" and full.options["optimizer"] == "gd"
    with pytest.raises(ValueError) as err:
        to.solve(mlp, "epo", n_points=3, optimizer="gd", batch_size=32)
    assert_clear(err, "batch_size", "Set optimizer = 'adam', or drop `batch_size`")


@settings(max_examples=4, deadline=None)
@given(st.lists(st.integers(0, 2**32 - 1), min_size=4, max_size=4, unique=True))
def test_loss_decreases_in_expectation_on_a_convex_problem(logistic, seeds):
    """Noisy small-batch SGD from the least-squares start: the mean final log-loss over seeds of
    the point that minimises it lies below the start's."""
    start = logistic.evaluate(logistic.phi_start[None] @ logistic.standardizer.matrix,
                              grad=False).F[0, 0]
    final = [to.solve(logistic, "weighted-sum", weights=[[1, 0], [0.5, 0.5]], optimizer="sgd",
                      lr=0.05, batch_size=4, epochs=2, normalize="online", seed=s).F[0, 0]
             for s in seeds]
    assert np.mean(final) < start


@pytest.mark.parametrize("solver", SOLVERS)
def test_every_solver_runs_the_loop_with_an_mlp(mlp, solver):
    front = to.solve(mlp, solver, n_points=3, optimizer="adam", lr=0.02, batch_size=32, epochs=8)
    assert front.X.shape == (3, mlp.d) and np.isfinite(front.F).all()
    assert front.options["method"] == "stochastic" and front.options["normalize"] == "online"
    np.testing.assert_allclose(mlp.evaluate(front.X, grad=False).F, front.F, rtol=1e-10)
    start = mlp.evaluate(mlp.start_theta(1), grad=False).F[0, 0]
    assert front.F[:, 0].min() < start


def test_same_seed_same_front_other_seed_other_front(mlp):
    opts = dict(n_points=3, optimizer="sgd", momentum=0.9, lr=0.01, batch_size=16, epochs=3)
    a = to.solve(mlp, "chebyshev", seed=3, **opts)
    b = to.solve(mlp, "chebyshev", seed=3, **opts)
    c = to.solve(mlp, "chebyshev", seed=4, **opts)
    np.testing.assert_array_equal(a.X, b.X)
    np.testing.assert_array_equal(a.F, b.F)
    assert not np.array_equal(a.X, c.X)


def test_max_seconds_stops_every_kind_of_solver(mlp, logistic):
    front = to.solve(mlp, "weighted-sum", n_points=3, optimizer="adam", batch_size=4,
                     epochs=10_000, max_seconds=0.05)
    assert front.extra["epochs_run"] < 10_000 and front.extra["stopped_by"] == "max_seconds"
    assert not front.success and "wall-clock budget of 0.05 s" in front.message
    engine = to.solve(mlp, "weighted-sum", n_points=3, method="lbfgs", max_epochs=100_000,
                      max_evaluations=10**9, tol=1e-300, max_seconds=0.05)
    assert engine.extra["out_of_time"] and "wall-clock budget" in engine.message
    assert engine.options["max_seconds"] == 0.05
    evolved = to.solve(logistic, "nsga2", pop_size=10, max_evaluations=10**8, max_seconds=0.05)
    assert evolved.evaluations < 10**8 and evolved.options["max_seconds"] == 0.05


def test_early_stopping_keeps_the_best_validation_iterate(logistic):
    train, val, _ = to.split(logistic.data, test=0.2, validation=0.3, seed=0)
    prob = to.Problem(train, logistic.model, logistic.objectives)
    vprob = to.Problem(val, logistic.model, logistic.objectives)
    opts = dict(weights=[[1, 0], [0.5, 0.5]], optimizer="sgd", lr=0.5, batch_size=8, epochs=6,
                normalize="anchors", standardize=False)
    kept = to.solve(prob, "weighted-sum", early_stopping=True, patience=100, validation=val,
                    **opts)
    plain = to.solve(prob, "weighted-sum", **opts)
    W, ideal, span = np.array(opts["weights"]), np.array(kept.extra["ideal"]), np.array(
        kept.extra["span"])

    def score(X):
        return ((vprob.evaluate(X, grad=False).F - ideal) / span * W).sum(1)

    assert (score(kept.X) <= score(plain.X) + 1e-15).all()
    assert all(1 <= e <= 6 for e in kept.extra["best_epoch"])
    short = to.solve(prob, "weighted-sum", early_stopping=True, patience=1, validation=val,
                     **{**opts, "epochs": 200})
    assert short.extra["epochs_run"] < 200 and "stopped early" in short.message


def test_config_reaches_the_loop_and_early_stopping(tmp_path):
    cfg = """
[experiment]
name = "stoch"
seeds = [0]

[[problems]]
name = "parity"
data = { name = "synthetic_shift", task = "classification", n = 200, seed = 0 }
model = "logistic"
objectives = ["log_loss", "demographic_parity_sq"]
split = { test = 0.3, validation = 0.2, seed = 0 }

[[solvers]]
name = "weighted-sum"
options = { optimizer = "adam", batch_size = 32, epochs = 5, lr = 1e-2, max_seconds = 10, n_points = 3 }

[[solvers]]
name = "mgda"
options = { optimizer = "sgd", momentum = 0.9, batch_size = 32, epochs = 40, early_stopping = true, patience = 2, n_points = 3 }

[[solvers]]
name = "epo"
options = { batch_size = 32, epochs = 3, n_points = 3 }

[[solvers]]
name = "hv-grad"
options = { optimizer = "sgd", batch_size = 32, epochs = 3, n_points = 3, reference = 1.2 }

[exact]
n_points = 5
"""
    # what `tradeoff run` does before its report (the report takes seconds: left out here)
    sweep = run_sweep(load_config(write(tmp_path, cfg)), tmp_path / "out")
    runs = to.read_results(tmp_path / "out").runs
    # no exact run: the problem is not convex (an MLP)
    assert sweep.failed == 0 and set(runs["solver"]) == {"weighted-sum", "mgda", "epo", "hv-grad"}
    assert (runs["status"] == "ok").all()


@pytest.mark.parametrize("options, field, fix", [
    (dict(optimizer="adam", batch_size=0), "batch_size", "A mini-batch holds at least one row"),
    (dict(optimizer="adamw"), "optimizer", "Did you mean 'adam'?"),
    (dict(batch_size=64), "batch_size", "Set optimizer = 'adam', or drop `batch_size`"),
    (dict(optimizer="adam", momentum=0.9), "momentum", "Set optimizer = 'sgd'"),
    (dict(optimizer="sgd", momentum=1.0), "momentum", ""),
    (dict(optimizer="adam", schedule="linear"), "schedule", ""),
    (dict(optimizer="adam", epochs=0), "epochs", ""),
    (dict(optimizer="adam", lr=-1.0), "lr", ""),
    (dict(optimizer="adam", normalize="nadir"), "normalize", ""),
    (dict(optimizer="adam", early_stopping=True), "validation", "validation part"),
    (dict(optimizer="adam", early_stopping=True, validation="val.csv"), "validation",
     "early_stopping = true"),
    (dict(max_seconds=0), "max_seconds", ""),
])
def test_bad_options_name_the_field(logistic, options, field, fix):
    with pytest.raises((ValueError, TypeError)) as err:
        to.solve(logistic, "weighted-sum", n_points=3, **options)
    if fix:
        assert_clear(err, field, fix)
    else:  # a spec's range error: the field, what it must be and the value
        assert str(err.value).startswith(f"`{field}` must be "), str(err.value)


def test_validation_must_match_the_training_problem(logistic, mlp):
    other = to.Problem.from_dict({"data": {**DATA, "p": 5}, "model": "logistic",
                                  "objectives": ["log_loss", "demographic_parity_sq"]})
    opts = dict(n_points=2, optimizer="adam", epochs=1, early_stopping=True)
    with pytest.raises(ValueError) as err:
        to.solve(logistic, "weighted-sum", validation=other.data, **opts)
    assert_clear(err, "validation", "tradeoff.split")
    with pytest.raises(ValueError) as err:
        to.solve(logistic, "weighted-sum", validation=mlp, **opts)
    assert_clear(err, "validation", "pass those rows as a Dataset")


def test_exact_bound_needs_the_engine(logistic):
    with pytest.raises(ValueError) as err:
        to.solve(logistic, "epsilon-constraint", n_points=3, bound="exact", optimizer="adam")
    assert_clear(err, "bound", "Drop `optimizer`")


def test_config_errors(tmp_path):
    base = """
[experiment]
name = "bad"
seeds = [0]

[[problems]]
name = "parity"
data = { name = "synthetic_shift", task = "classification", n = 100, seed = 0 }
model = "logistic"
objectives = ["log_loss", "demographic_parity_sq"]

[[solvers]]
name = "weighted-sum"
options = OPTIONS
"""
    cases = [("{ optimizer = 'adam', batch_size = 0 }", "solvers[0].options.batch_size"),
             ("{ batch_size = 64 }", "solvers[0].options.batch_size"),
             ("{ optimizer = 'adam', early_stopping = true }",
              "solvers[0].options.early_stopping"),
             ("{ max_seconds = -1 }", "solvers[0].options.max_seconds")]
    for opts, field in cases:
        with pytest.raises((ValueError, TypeError)) as err:
            load_config(write(tmp_path, base.replace("OPTIONS", opts)))
        assert f"`{field}`" in str(err.value), str(err.value)
