"""PBI and AASF as gradient solvers: values equal pymoo's decompositions, derivatives equal finite
differences, and the fronts reach the exact front, full-batch and mini-batch."""

from types import SimpleNamespace

import numpy as np
import pytest
from pymoo.decomposition.aasf import AASF
from pymoo.decomposition.pbi import PBI

import tradeoff as to
from tradeoff.solvers.engine.setup import UTOPIA, aasf, pbi, ray_weights


def _setup(m, c=1, seed=0):
    """What the scalarisations read of a Setup: a normalisation and the sizes."""
    rng = np.random.default_rng(seed)
    s = SimpleNamespace(m=m, c=c, ideal=rng.normal(size=m), span=rng.random(m) + 0.5)
    s.norm = lambda F: (F - s.ideal) / s.span
    return s, rng


@pytest.mark.parametrize("m", [2, 3, 4])
def test_unsmoothed_values_equal_pymoo(m):
    s, rng = _setup(m)
    F = s.ideal + s.span * rng.random((9, m)) * 1.5
    G = np.zeros((9, 1))
    V = ray_weights(rng.dirichlet(np.ones(m), 9))
    r = np.arange(9)
    z = np.full(m, UTOPIA)
    for theta in (0.5, 5.0):
        got = pbi(s, V, theta, 0.0)[0](F, G, r)
        want = PBI(theta=theta).do(s.norm(F), V, utopian_point=z)
        np.testing.assert_allclose(got, want, rtol=0, atol=1e-12)
    for rho in (0.0, 0.01, 1.0):
        got = aasf(s, V, rho, 0.0)[0](F, G, r)
        want = AASF(rho=rho).do(s.norm(F), V, utopian_point=z)
        np.testing.assert_allclose(got, want, rtol=0, atol=1e-12)


def test_smoothing_stays_within_mu():
    s, rng = _setup(3)
    F = s.ideal + s.span * rng.random((20, 3))
    G, r = np.zeros((20, 1)), np.arange(20)
    V = ray_weights(rng.dirichlet(np.ones(3), 20))
    mu = 0.05
    gap_pbi = pbi(s, V, 5.0, mu)[0](F, G, r) - pbi(s, V, 5.0, 0.0)[0](F, G, r)
    # √(d² + μ²) − μ ∈ [d − μ, d], times θ = 5
    assert (gap_pbi <= 1e-12).all() and (gap_pbi >= -5.0 * mu - 1e-12).all()
    gap_aasf = aasf(s, V, 0.1, mu)[0](F, G, r) - aasf(s, V, 0.1, 0.0)[0](F, G, r)
    # the max is smoothed relative to each row's scale c = Σ 1/vᵢ: within c·μ·log m
    c = (1.0 / V).sum(1)
    assert (gap_aasf >= -1e-12).all() and (gap_aasf <= c * mu * np.log(3) + 1e-12).all()
    assert gap_aasf.max() > 0.1 * mu  # and it does smooth


@pytest.mark.parametrize("which", ["pbi", "aasf"])
def test_coefficients_and_second_derivatives_match_finite_differences(which):
    s, rng = _setup(3, c=2)
    K = 7
    F = s.ideal + s.span * rng.random((K, 3))
    G = rng.normal(size=(K, 2))
    V = ray_weights(rng.dirichlet(np.ones(3), K))
    r = np.arange(K)
    value, coef, outer = pbi(s, V, 5.0, 0.05) if which == "pbi" else aasf(s, V, 0.1, 0.05)
    C, S = coef(F, G, r), outer(F, G, r)
    assert C.shape == (K, 5) and S.shape == (K, 5, 5)
    assert not C[:, 3:].any() and not S[:, 3:].any() and not S[:, :, 3:].any()
    h = 1e-6
    for i in range(3):
        e = np.zeros(3)
        e[i] = h
        np.testing.assert_allclose((value(F + e, G, r) - value(F - e, G, r)) / (2 * h), C[:, i],
                                   atol=1e-7)
        np.testing.assert_allclose((coef(F + e, G, r) - coef(F - e, G, r))[:, :3] / (2 * h),
                                   S[:, :3, i], atol=1e-6)


def test_unsmoothed_has_no_second_derivatives_and_a_finite_subgradient_on_the_ray():
    s, _ = _setup(2)
    V = ray_weights(np.array([[0.5, 0.5]]))
    F = s.ideal + s.span * (UTOPIA + 0.3 * V)  # exactly on the ray: d₂ = 0
    value, coef, outer = pbi(s, V, 5.0, 0.0)
    assert outer is None
    assert np.isfinite(coef(F, np.zeros((1, 1)), np.arange(1))).all()
    assert aasf(s, V, 0.1, 0.0)[2] is None


@pytest.mark.parametrize("solver", ["pbi", "aasf"])
def test_full_batch_approaches_the_exact_front(cap_problem, solver):
    exact = to.solve(cap_problem, "exact", n_points=60)
    front = to.solve(cap_problem, solver, n_points=30, max_evaluations=30_000)
    assert front.success, front.message
    # measured: 0.976 (pbi, θ = 5: where its 30 rays meet the front), 0.99 (aasf)
    assert to.compare(front, exact)["hv_ratio"] > 0.97, front.message
    assert front.options["mu"] == 0.01
    assert ("theta" in front.options) == (solver == "pbi")
    assert ("rho" in front.options) == (solver == "aasf")


def test_pbi_points_lie_on_their_rays(cap_problem):
    front = to.solve(cap_problem, "pbi", n_points=9, theta=20.0, mu=1e-4)
    ideal, span = np.array(front.extra["ideal"]), np.array(front.extra["span"])
    V = np.array(front.extra["weights"])
    u = V / np.linalg.norm(V, axis=1, keepdims=True)
    fz = (front.F - ideal) / span - UTOPIA
    off = fz - (fz * u).sum(1, keepdims=True) * u
    # the two ends' rays miss the front (it has no point with f̃ᵢ < 0): only the inner points
    assert np.linalg.norm(off, axis=1)[2:-2].max() < 1e-3


@pytest.mark.parametrize("solver", ["pbi", "aasf"])
def test_mini_batch_runs_and_is_seeded(cap_problem, solver):
    opts = dict(n_points=6, optimizer="adam", lr=0.05, epochs=20, batch_size=32)
    a = to.solve(cap_problem, solver, seed=1, **opts)
    b = to.solve(cap_problem, solver, seed=1, **opts)
    assert a.success, a.message
    np.testing.assert_array_equal(a.F, b.F)
    assert a.options["method"] == "stochastic"
    exact = to.solve(cap_problem, "exact", n_points=60)
    assert to.compare(a, exact)["hv_ratio"] > 0.9


@pytest.mark.parametrize("solver, key, value, match", [
    ("pbi", "theta", -1.0, r"`theta` must be a number > 0; got -1.0"),
    ("pbi", "mu", 0.0, r"`mu` must be a number > 0; got 0.0"),
    ("aasf", "rho", -0.5, r"`rho` must be a number ≥ 0; got -0.5"),
    ("aasf", "theta", 1.0, r"`options.theta` must be an option of solver 'aasf'"),
])
def test_bad_parameters_are_named(cap_problem, solver, key, value, match):
    with pytest.raises(ValueError, match=match):
        to.solve(cap_problem, solver, n_points=4, **{key: value})


def test_parameters_are_checked_by_the_engine_and_the_loop_alike(cap_problem):
    from tradeoff.solvers import gradient

    for opts in ({}, {"optimizer": "adam"}):
        with pytest.raises(ValueError, match=r"`rho` must be ≥ 0; got -1"):
            gradient.aasf(cap_problem, n_points=3, rho=-1, **opts)
