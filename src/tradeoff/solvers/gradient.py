"""Gradient solvers: all K points of a front trained together as one array program.

Objectives are normalised first, f̃ᵢ = (fᵢ − idealᵢ) / spanᵢ, with the ideal and nadir taken from the
m anchor solutions, so that weights mean the same whatever the units. Each anchor is a lexicographic
optimum: fᵢ minimised, then the others at that fᵢ (fᵢ + s·Σⱼ fⱼ for s = 10⁻³, then 10⁻⁶,
warm-started). Those anchor evaluations count toward the budget. Constraints (the problem's g ≤ 0,
and the ε-constraint's f̃ᵢ ≤ ε̃) are handled by an augmented Lagrangian.

Every solve goes through the batched engine of ``engine/newton.py`` (``method`` = "newton", "lbfgs", "gd"
or "auto"); weights are solved coarse to fine along the front, so most start next to their solution.
Given ``optimizer = "adam" | "sgd"``, a solver runs the mini-batch loop (``engine/stochastic.py``).
``max_seconds`` bounds the wall-clock time of either (checked between iterations).
"""

from __future__ import annotations

import time

import numpy as np

from .._validation import fail
from .engine import stochastic
from .engine.descent import ARMIJO_C, line_search
from .engine.directions import Direction, even_mixes, min_norm, register_direction
from .engine.newton import Scalarisation, damped_solve
from .engine.setup import (RESTORE_HALVINGS, Setup, check_decomposition, decomposition,
                           weighted_scalarisation)
from .weights import log_grid, refine_two, simplex_grid, weight_rows

def _start(setup: Setup, W):
    """Start each point from the anchors' mix by its weights: close to its optimum on a convex front."""
    return W @ setup.anchor_phi


def _along_front(setup: Setup, W, solve, budget_share):
    """Solve the points of weights W (k, m) coarse to fine (two objectives): every 8th weight in the
    order of w₂ first, from the anchors' mix, then each level from the interpolation of its solved
    neighbours, so most points start next to their solution. Weights with one non-zero entry are
    the lexicographic anchors themselves. ``solve(idx, Φ₀, budget)`` solves the points ``idx``."""
    k, d = len(W), setup.anchor_phi.shape[1]
    Phi = np.empty((k, d))
    status = np.full(k, "converged", dtype=object)
    epochs = 0
    ends = (W > 0).sum(1) == 1
    if ends.any():
        Phi[ends] = setup.anchor_phi[np.argmax(W[ends], axis=1)]
        status[ends] = setup.anchor_status[np.argmax(W[ends], axis=1)]
    if setup.m != 2 or k <= 3:
        todo = np.flatnonzero(~ends)
        if len(todo):
            Phi[todo], epochs, status[todo] = solve(todo, _start(setup, W[todo]),
                                                    budget_share(len(todo)))
        return Phi, epochs, status
    order = np.argsort(W[:, 1], kind="stable")
    solved = ends.copy()
    stride = 8
    while True:
        pos = np.union1d(np.arange(0, k, stride), [k - 1]) if stride == 8 else np.arange(0, k, stride)
        todo_pos = pos[~solved[order[pos]]]
        if len(todo_pos):
            idx = order[todo_pos]
            done_pos = np.flatnonzero(solved[order])
            if len(done_pos) == 0:
                start = _start(setup, W[idx])
            else:  # linear interpolation in w₂ between the nearest solved neighbours
                left = done_pos[np.clip(np.searchsorted(done_pos, todo_pos) - 1, 0, len(done_pos) - 1)]
                right = done_pos[np.clip(np.searchsorted(done_pos, todo_pos), 0, len(done_pos) - 1)]
                wl, wr, wt = W[order[left], 1], W[order[right], 1], W[idx, 1]
                a = np.where(wr > wl, (wt - wl) / np.where(wr > wl, wr - wl, 1.0), 0.5)[:, None]
                start = (1 - a) * Phi[order[left]] + a * Phi[order[right]]
            Phi[idx], e, status[idx] = solve(idx, start, budget_share(len(idx)))
            epochs += e
            solved[idx] = True
        if stride == 1:
            return Phi, epochs, status
        stride //= 2


def _share(s: Setup, total_points: int):
    """A budget rule: each batch of points gets the evaluations left in proportion to its size."""
    left = [total_points]

    def share(k):
        b = s.sp.evaluations + (s.budget - s.reserve - s.sp.evaluations) * k / max(left[0], k)
        left[0] = max(left[0] - k, 0)
        return b

    return share


def _weighted(s: Setup, W):
    """solve(idx, Φ₀, budget) for the weighted sums of rows ``idx`` of W."""
    def solve(idx, Phi0, budget):
        return s.constrained(Phi0, weighted_scalarisation(s, W[idx]), budget=budget)

    return solve


def weighted_sum(problem, *, n_points=50, weights=None, preferences="grid", adaptive=True,
                 max_evaluations=None, max_epochs=2000, tol=None, standardize=True, seed=0,
                 method="auto", max_seconds=None, optimizer=None, _name="weighted-sum", **_opts):
    """Minimise Σ wᵢ f̃ᵢ for K weight vectors (evenly spread, given, drawn as ``preferences``
    "das-dennis" or "dirichlet", or ``adaptive``: half evenly spread, the rest placed in the widest
    gaps of the front found so far, two objectives, ``preferences = "grid"`` only).
    With ``optimizer`` the K weights are trained by the mini-batch loop (``stochastic.py``)."""
    if optimizer is not None:
        return stochastic.run(problem, _name, "weighted", n_points=n_points, weights=weights,
                              preferences=preferences,
                              max_evaluations=max_evaluations,
                              max_epochs=max_epochs, max_seconds=max_seconds,
                              standardize=standardize, seed=seed, method=method,
                              optimizer=optimizer, **_opts)
    stochastic.engine_only(_opts)
    t0 = time.perf_counter()
    s = Setup(problem, n_points=n_points, max_evaluations=max_evaluations, max_epochs=max_epochs,
              tol=tol, standardize=standardize, seed=seed, method=method, max_seconds=max_seconds)
    W = weight_rows(weights, preferences, n_points, s.m, seed)
    adaptive = adaptive and s.m == 2 and weights is None and preferences == "grid"
    if adaptive:
        W = simplex_grid(max(n_points // 2, 2), 2)
    share = _share(s, n_points if adaptive else len(W))
    Phi, epochs, status = _along_front(s, W, _weighted(s, W), share)
    while adaptive and len(W) < n_points:
        Wn, left, right = refine_two(W, s.norm(s.sp.values(Phi)[0]), min(n_points - len(W), len(W) - 1))
        # a bisected weight starts halfway between its neighbours' solutions
        Pn, e, st = _weighted(s, Wn)(np.arange(len(Wn)), 0.5 * (Phi[left] + Phi[right]),
                                     share(len(Wn)))
        W, Phi, status = np.vstack([W, Wn]), np.vstack([Phi, Pn]), np.concatenate([status, st])
        epochs += e
    options = dict(n_points=n_points, adaptive=adaptive, max_evaluations=s.budget,
                   max_epochs=max_epochs, tol=s.tol, standardize=standardize, seed=seed)
    if preferences != "grid":
        options["preferences"] = preferences
    return s.finish(_name, options, Phi, status, epochs, t0, {"weights": W.tolist()})


def penalty(problem, *, n_points=50, lambdas=None, max_evaluations=None, max_epochs=2000,
            tol=None, standardize=True, seed=0, method="auto", max_seconds=None, optimizer=None,
            **_opts):
    """Minimise f̃₁ + λ·Σᵢ₌₂ f̃ᵢ for λ on a log grid from 10⁻³ to 10³ (the post's penalty descent)."""
    lam = log_grid(n_points) if lambdas is None else np.asarray(lambdas, float)
    if lam.ndim != 1 or (lam < 0).any() or not np.isfinite(lam).all():
        fail("lambdas", "a list of non-negative finite numbers", lam.tolist())
    m = problem.m
    W = np.column_stack([np.ones_like(lam)] + [lam] * (m - 1))
    W = W / W.sum(1, keepdims=True)  # same minimisers as f̃₁ + λ f̃₂, with weights on the simplex
    front = weighted_sum(problem, n_points=len(lam), weights=W, max_evaluations=max_evaluations,
                         max_epochs=max_epochs, tol=tol, standardize=standardize, seed=seed,
                         method=method, max_seconds=max_seconds, optimizer=optimizer,
                         _name="penalty", **_opts)
    return front


def _by_rays(s: Setup, W, value, coef, outer):
    """Solve the scalarisation (value, coef, outer) of every row of W along the front, ordered and
    started by W (the decomposition's weight rows, one per preference row)."""
    def solve(idx, Phi0, budget):
        def sub(f, idx=idx):
            return None if f is None else (lambda F, G, r: f(F, G, idx[r]))
        return s.constrained(Phi0, Scalarisation(sub(value), sub(coef), sub(outer)), budget=budget)

    # by the weights W, not the rays R: Chebyshev's ray (1, 0) ends at the anchor of f₂
    # (w ≈ (0, 1)), so R's one-hot rows are not the anchors _along_front would copy for them
    return _along_front(s, W, solve, _share(s, len(W)))


def _decomposition(problem, name, *, n_points, weights, preferences, max_evaluations, max_epochs,
                   tol, standardize, seed, method, max_seconds, optimizer, params, opts):
    """The ray-based scalarisations (chebyshev, pbi, aasf): the mini-batch loop with
    ``optimizer``, else one engine solve per preference row, coarse to fine along the front."""
    if optimizer is not None:
        return stochastic.run(problem, name, name, n_points=n_points, weights=weights,
                              preferences=preferences, max_evaluations=max_evaluations,
                              max_epochs=max_epochs, max_seconds=max_seconds,
                              standardize=standardize, seed=seed, method=method,
                              optimizer=optimizer, **params, **opts)
    stochastic.engine_only(opts)
    t0 = time.perf_counter()
    check_decomposition(name, params)
    s = Setup(problem, n_points=n_points, max_evaluations=max_evaluations, max_epochs=max_epochs,
              tol=tol, standardize=standardize, seed=seed, method=method, max_seconds=max_seconds)
    R = weight_rows(weights, preferences, n_points, s.m, seed)
    W, parts = decomposition(s, name, R, params)
    Phi, epochs, status = _by_rays(s, W, *parts)
    options = dict(n_points=n_points, **params, max_evaluations=s.budget, max_epochs=max_epochs,
                   tol=s.tol, standardize=standardize, seed=seed)
    if preferences != "grid":
        options["preferences"] = preferences
    return s.finish(name, options, Phi, status, epochs, t0, {"weights": W.tolist()})


def chebyshev(problem, *, n_points=50, weights=None, preferences="grid", mu=0.01,
              max_evaluations=None, max_epochs=2000, tol=None, standardize=True, seed=0,
              method="auto", max_seconds=None, optimizer=None, **_opts):
    """Smooth Tchebycheff: μ·log Σᵢ exp(wᵢ (f̃ᵢ − z̃ᵢ) / μ) with utopia z̃ = −0.01; its minimiser lies on
    the ray from z̃ along (1/wᵢ), so it also reaches non-convex parts of a front."""
    return _decomposition(problem, "chebyshev", n_points=n_points, weights=weights,
                          preferences=preferences, max_evaluations=max_evaluations,
                          max_epochs=max_epochs, tol=tol, standardize=standardize, seed=seed,
                          method=method, max_seconds=max_seconds, optimizer=optimizer,
                          params={"mu": mu}, opts=_opts)


def pbi(problem, *, n_points=50, weights=None, preferences="grid", theta=5.0, mu=0.01,
        max_evaluations=None, max_epochs=2000, tol=None, standardize=True, seed=0, method="auto",
        max_seconds=None, optimizer=None, **_opts):
    """Penalty-based boundary intersection (MOEA/D's PBI, pymoo's ``PBI``): d₁ + θ·d₂ on the
    normalised objectives, d₁ the progress from z̃ = −0.01 along the ray of each preference row
    (rᵢ + 0.01, as Chebyshev's), d₂ the distance from it (smoothed by ``mu``). A larger ``theta``
    holds each point closer to its ray, on convex and non-convex parts of a front alike; PBI's
    minimiser need not be Pareto optimal when θ is small."""
    return _decomposition(problem, "pbi", n_points=n_points, weights=weights,
                          preferences=preferences, max_evaluations=max_evaluations,
                          max_epochs=max_epochs, tol=tol, standardize=standardize, seed=seed,
                          method=method, max_seconds=max_seconds, optimizer=optimizer,
                          params={"theta": theta, "mu": mu}, opts=_opts)


def aasf(problem, *, n_points=50, weights=None, preferences="grid", rho=0.01, mu=0.01,
         max_evaluations=None, max_epochs=2000, tol=None, standardize=True, seed=0,
         method="auto", max_seconds=None, optimizer=None, **_opts):
    """Augmented achievement scalarising function (Wierzbicki; pymoo's ``AASF``):
    maxᵢ (f̃ᵢ − z̃)/vᵢ + ρ Σᵢ (f̃ᵢ − z̃)/vᵢ along the ray v of each preference row (rᵢ + 0.01, as
    Chebyshev's), the max smoothed by ``mu``. The augmentation ``rho`` > 0 makes every minimiser
    Pareto optimal (Chebyshev's may be only weakly so); a larger ρ pulls points toward the
    weighted-sum solutions."""
    return _decomposition(problem, "aasf", n_points=n_points, weights=weights,
                          preferences=preferences, max_evaluations=max_evaluations,
                          max_epochs=max_epochs, tol=tol, standardize=standardize, seed=seed,
                          method=method, max_seconds=max_seconds, optimizer=optimizer,
                          params={"rho": rho, "mu": mu}, opts=_opts)


def epsilon_constraint(problem, *, n_points=50, epsilon=None, bound="surrogate",
                       max_evaluations=None, max_epochs=2000, tol=None, standardize=True, seed=0,
                       method="auto", max_seconds=None, optimizer=None, **_opts):
    """Minimise f₁ subject to fᵢ ≤ εᵢ (i ≥ 2) by an augmented Lagrangian, for K values of ε.

    ``epsilon`` is (K,) for two objectives or (K, m − 1), in the objectives' own units; by default K
    values evenly spaced between the anchors. Each returned point is then moved toward the anchor of
    the constrained objectives until fᵢ ≤ εᵢ holds exactly (on the chord: convexity makes it safe).

    ``bound="exact"`` (two objectives) bounds the exact metric behind a surrogate instead, e.g. the
    largest gap between group means rather than the mean squared gap that training sees: ε is then
    in the metric's units, the surrogate's bound is tightened until the metric holds, and a last
    move toward the anchor makes it hold exactly.

    With ``optimizer`` the bounds enter the mini-batch loop's augmented Lagrangian (``bound`` must
    then be "surrogate"; no final move restores the bounds exactly).
    """
    t0 = time.perf_counter()
    if bound not in ("surrogate", "exact"):
        fail("bound", "'surrogate' or 'exact'", bound)
    if optimizer is not None:
        if bound != "surrogate":
            fail("bound", "'surrogate' with a stochastic optimizer", bound,
                 "Drop `optimizer` to bound the exact metric with the full-batch engine.")
        return stochastic.run(problem, "epsilon-constraint", "epsilon", n_points=n_points,
                              epsilon=epsilon, max_evaluations=max_evaluations,
                              max_epochs=max_epochs, max_seconds=max_seconds,
                              standardize=standardize, seed=seed, method=method,
                              optimizer=optimizer, **_opts)
    stochastic.engine_only(_opts)
    s = Setup(problem, n_points=n_points, max_evaluations=max_evaluations, max_epochs=max_epochs,
              tol=tol, standardize=standardize, seed=seed, method=method, max_seconds=max_seconds,
              # the bound's checks; with bound="exact" also the metric's checks and halvings
              checks=2 if bound == "surrogate" else 4 + RESTORE_HALVINGS)
    m = s.m
    if bound == "exact":
        return _epsilon_exact(s, problem, epsilon, n_points, t0,
                              dict(n_points=n_points, bound=bound, max_evaluations=s.budget,
                                   max_epochs=max_epochs, tol=s.tol, standardize=standardize,
                                   seed=seed))
    lowest = s.anchor_F.min(axis=0)[1:]
    if epsilon is None:
        t = np.linspace(0, 1, n_points)[:, None]
        eps = s.ideal[1:] + t * s.span[1:]
    else:
        eps = _check_epsilon(epsilon, m, lowest, s.span[1:], problem.objective_names[1:])
    K = len(eps)
    Phi = np.empty((K, problem.d))
    status = np.full(K, "converged", dtype=object)
    epochs = 0
    # ε at an end of the attainable range: the solution is an anchor (at the lowest f₂ the bound
    # has no multiplier, and an augmented Lagrangian would only creep toward it)
    end = np.zeros(K, bool)
    if m == 2:
        for a, hit in ((1, eps[:, 0] <= s.anchor_F[1, 1]), (0, eps[:, 0] >= s.anchor_F[0, 1])):
            hit &= ~end
            Phi[hit], status[hit] = s.anchor_phi[a], s.anchor_status[a]
            end |= hit
    if (~end).any():
        Phi[~end], epochs, status[~end] = _solve_eps(s, eps[~end], None)
    Phi = _restore_feasibility(s, Phi, eps)
    options = dict(n_points=K, bound=bound, max_evaluations=s.budget, max_epochs=max_epochs,
                   tol=s.tol, standardize=standardize, seed=seed)
    return s.finish("epsilon-constraint", options, Phi, status, epochs, t0,
                    {"epsilon": eps.tolist()})


def _check_epsilon(epsilon, m, lowest, span, names):
    eps = (np.asarray(epsilon, dtype=float).reshape(-1, m - 1) if np.ndim(epsilon)
           else np.full((1, m - 1), float(epsilon)))
    if not np.isfinite(eps).all():
        fail("epsilon", "finite", eps.tolist())
    slack = 1e-9 * span  # the anchors' accuracy
    low = eps < lowest - slack
    if low.any():
        i = int(np.argwhere(low)[0][1])
        fail("epsilon", f"at least the smallest attainable {names[i]}, {lowest[i]:.6g} "
             "(ε below it is infeasible)", float(eps[low][0]),
             "Raise ε, or leave it out to sweep the attainable range.")
    return eps


def _solve_eps(s: Setup, eps, Phi0):
    """min f̃₁ s.t. f̃ᵢ ≤ ε̃ᵢ for each row of eps (K, m − 1), from Φ₀ or between the anchors."""
    m = s.m
    eps_n = (eps - s.ideal[1:]) / s.span[1:]
    K = len(eps)
    W = np.zeros((K, m))
    W[:, 0] = 1.0
    if Phi0 is None:  # start between the anchors, as far along as ε asks
        share = np.clip(eps_n.mean(1), 0, 1)[:, None]
        Phi0 = share * s.anchor_phi[0] + (1 - share) * s.anchor_phi[min(1, m - 1)]
    return s.constrained(Phi0, weighted_scalarisation(s, W), eps_rows=eps_n)


def _epsilon_exact(s: Setup, problem, epsilon, n_points, t0, options):
    """ε-constraint on the exact metric behind objective 2's surrogate (see epsilon_constraint)."""
    if s.m != 2:
        fail("bound", "'surrogate' for more than two objectives", "exact")
    obj = problem.objectives[1]
    if not hasattr(obj, "exact"):
        fail("bound", f"'surrogate' for objective {obj.name!r}, which has no exact metric", "exact")
    key = f"{obj.name}:exact"

    def metric(Phi):
        s.sp.evaluations += len(Phi)
        return problem.exact_metrics(s.sp.theta(Phi))[key]

    at_anchor = metric(s.anchor_phi)
    lowest = float(at_anchor.min())
    if epsilon is None:
        eps = np.linspace(lowest, float(at_anchor.max()), n_points)
    else:
        eps = np.atleast_1d(np.asarray(epsilon, dtype=float))
        if eps.ndim != 1 or not np.isfinite(eps).all():
            fail("epsilon", "a finite number or list of numbers", np.asarray(epsilon).tolist())
        if (eps < lowest - 1e-12).any():
            fail("epsilon", f"at least the smallest attainable {key}, {lowest:.6g} (ε below it is "
                 "infeasible)", float(eps[eps < lowest - 1e-12][0]), "Raise ε.")
    # squared-gap surrogates: start from ε², then tighten the bound where the metric still exceeds ε
    sur = np.clip(eps ** 2, s.anchor_F[:, 1].min(), None)[:, None]
    Phi, epochs, status = _solve_eps(s, sur, None)
    for _ in range(8):
        got = metric(Phi)
        over = got > eps
        if not over.any() or s.sp.evaluations >= s.budget - s.reserve:
            break
        sur[over, 0] = np.maximum(sur[over, 0] * (eps[over] / got[over]) ** 2 * 0.98,
                                  s.anchor_F[:, 1].min())
        Po, e, st = _solve_eps(s, sur[over], Phi[over])
        Phi[over], status[over] = Po, st
        epochs += e
    # last, exact: move violators toward the fairness anchor, halving the move until it holds
    a = int(np.argmin(at_anchor))
    got = metric(Phi)
    bad = np.flatnonzero(got > eps)
    if len(bad):
        lo, hi = np.zeros(len(bad)), np.ones(len(bad))
        P0 = Phi[bad]
        for _ in range(RESTORE_HALVINGS):
            mid = 0.5 * (lo + hi)
            ok = metric((1 - mid)[:, None] * P0 + mid[:, None] * s.anchor_phi[a]) <= eps[bad]
            hi, lo = np.where(ok, mid, hi), np.where(ok, lo, mid)
        Phi[bad] = (1 - hi)[:, None] * P0 + hi[:, None] * s.anchor_phi[a]
    return s.finish("epsilon-constraint", options, Phi, status, epochs, t0,
                    {"epsilon": eps.tolist(), "bound": "exact", "achieved": metric(Phi).tolist()})


def _restore_feasibility(s: Setup, Phi, eps):
    """Move each point that breaks fᵢ ≤ εᵢ toward the constrained objectives' best anchor until it
    holds. On the segment φ(t) = (1 − t)φ + t·anchor a convex fᵢ lies below its chord, so
    t = maxᵢ (fᵢ(φ) − εᵢ) / (fᵢ(φ) − fᵢ(anchor)) is feasible at no cost; one evaluation checks it.
    Where it fails (non-convex objectives) the move doubles until it holds, then bisects back."""
    a = int(np.argmin(s.anchor_F[1:, 1:].sum(1))) + 1
    target, f_anchor = s.anchor_phi[a], s.anchor_F[a, 1:]
    F, _ = s.sp.values(Phi)
    bad = (F[:, 1:] > eps).any(1)
    if not bad.any():
        return Phi
    f0, e = F[bad, 1:], eps[bad]
    with np.errstate(divide="ignore", invalid="ignore"):
        t = np.where(f0 > e, (f0 - e) / np.maximum(f0 - f_anchor, 1e-300), 0.0).max(1)
    t = np.clip(t * (1 + 1e-12), 1e-12, 1.0)
    P0 = Phi[bad]

    def feasible(t, idx=slice(None)):
        Ft, _ = s.sp.values((1 - t)[:, None] * P0[idx] + t[:, None] * target)
        return (Ft[:, 1:] <= e[idx]).all(1) | (t >= 1)

    ok = feasible(t)
    lo = t.copy()  # the chord's move is kept where it holds: no bisection, no evaluations
    for _ in range(40):  # non-convex: double the move until it holds ...
        if ok.all():
            break
        t = np.where(ok, t, np.minimum(2 * t, 1.0))
        now = feasible(t)
        lo = np.where(ok | now, lo, t)
        ok |= now
    hi = t
    redo = np.flatnonzero(hi > lo)
    for _ in range(RESTORE_HALVINGS if len(redo) else 0):  # ... then bisect back between the two
        mid = 0.5 * (lo[redo] + hi[redo])
        now = feasible(mid, redo)
        hi[redo], lo[redo] = np.where(now, mid, hi[redo]), np.where(now, lo[redo], mid)
    Phi = Phi.copy()
    Phi[bad] = (1 - hi)[:, None] * P0 + hi[:, None] * target
    return Phi


# MGDA's Newton steps renew the objectives' Hessians this often (and after a cut step): on
# Gauss–Newton curvature they converge linearly anyway, and a gradient pass costs far less
HESSIAN_EVERY = 8


def _pd_solve(H, B):
    """H⁻¹B for each row, B (K, d) or (K, d, j), H positive semi-definite (Gauss–Newton curvature):
    one batched solve of H + 10⁻¹⁰·mean|diag H|·I; rows where that fails take the saddle-free step."""
    K, d, _ = H.shape
    scale = np.maximum(np.abs(np.diagonal(H, axis1=1, axis2=2)).mean(1), 1e-300)
    Hd = H + (1e-10 * scale)[:, None, None] * np.eye(d)
    vec = B.ndim == 2
    Bm = B[:, :, None] if vec else B
    try:
        X = np.linalg.solve(Hd, Bm)
    except np.linalg.LinAlgError:  # every (row, column) pair as one batched damped solve
        J = Bm.shape[2]
        rows = np.repeat(Hd, J, axis=0)  # (K·J, d, d)
        X = damped_solve(rows, Bm.transpose(0, 2, 1).reshape(K * J, d), np.zeros(K * J))[0]
        X = X.reshape(K, J, d).transpose(0, 2, 1)
    return X[:, :, 0] if vec else X


def newton_direction(Gn, Hn, alpha0, iters=None):
    """The multiobjective Newton direction (Fliege, Graña Drummond and Svaiter, 2009) for K points:
    minimise maxᵢ (−gᵢᵀp + ½pᵀHᵢp) over the step −p. Its dual is α on the simplex minimising
    q(α) = g(α)ᵀH(α)⁻¹g(α), g(α) = Σ αᵢgᵢ, H(α) = Σ αᵢHᵢ, a convex function of α (the matrix-
    fractional function of an affine map), and p = H(α)⁻¹g(α). Frank–Wolfe from ``alpha0``, each
    step's length γ by safeguarded Newton on q(α + γe): exact in one step for two objectives.
    Gn (K, m, d), Hn (K, m, d, d) -> α (K, m), p (K, d)."""
    K, m, _ = Gn.shape
    alpha = np.array(alpha0, float)

    def derivs(a, e):
        """p, and q's first and second derivatives along e at a: with u = Σeᵢgᵢ − (ΣeᵢHᵢ)p,
        q' = 2(Σeᵢgᵢ)ᵀp − pᵀ(ΣeᵢHᵢ)p and q'' = 2uᵀH(a)⁻¹u."""
        g = np.einsum("ki,kid->kd", a, Gn)
        H = np.einsum("ki,kide->kde", a, Hn)
        p = _pd_solve(H, g)
        ge = np.einsum("ki,kid->kd", e, Gn)
        Hep = np.einsum("ki,kide,ke->kd", e, Hn, p)
        u = ge - Hep
        return p, 2 * (ge * p).sum(1) - (p * Hep).sum(1), 2 * (u * _pd_solve(H, u)).sum(1)

    for _ in range(iters or (1 if m == 2 else 20)):
        g = np.einsum("ki,kid->kd", alpha, Gn)
        p = _pd_solve(np.einsum("ki,kide->kde", alpha, Hn), g)
        # ∂q/∂αᵢ = 2gᵢᵀp − pᵀHᵢp: Frank–Wolfe moves toward the vertex where it is least
        grad = 2 * np.einsum("kid,kd->ki", Gn, p) - np.einsum("kd,kide,ke->ki", p, Hn, p)
        e = np.eye(m)[grad.argmin(1)] - alpha
        lo, hi, gamma = np.zeros(K), np.ones(K), np.zeros(K)
        _, d0, _ = derivs(alpha, e)
        move = d0 < 0
        if not move.any():
            break
        _, d1, _ = derivs(alpha + e, e)
        gamma = np.where(move & (d1 <= 0), 1.0, np.where(move, 0.5, 0.0))  # q falls to the vertex
        search = move & (d1 > 0)
        for _ in range(12 if search.any() else 0):
            _, q1, q2 = derivs(alpha + gamma[:, None] * e, e)
            lo, hi = np.where(search & (q1 < 0), gamma, lo), np.where(search & (q1 >= 0), gamma, hi)
            nxt = gamma - q1 / np.where(q2 > 0, q2, np.inf)
            inside = (nxt > lo) & (nxt < hi) & (q2 > 0)
            nxt = np.where(inside, nxt, 0.5 * (lo + hi))  # safeguard: bisect the bracket
            if np.abs(nxt - gamma)[search].max() <= 1e-12:
                gamma = np.where(search, nxt, gamma)
                break
            gamma = np.where(search, nxt, gamma)
        alpha = np.clip(alpha + gamma[:, None] * e, 0.0, 1.0)
        alpha /= alpha.sum(1, keepdims=True)
    g = np.einsum("ki,kid->kd", alpha, Gn)
    return alpha, _pd_solve(np.einsum("ki,kide->kde", alpha, Hn), g)


def mgda(problem, *, n_points=50, max_evaluations=None, max_epochs=2000, tol=None,
         standardize=True, seed=0, method="auto", max_seconds=None, optimizer=None, **_opts):
    """Multiple-gradient descent: from K starting points (mixes of the anchors: even for two
    objectives, random and seeded for more), step along a direction that lowers every normalised
    objective until the min-norm convex combination of their gradients vanishes (a
    Pareto-stationary point). With the Newton engine (``method`` "newton", or "auto" where it is
    chosen) the step is the multiobjective Newton direction (``newton_direction``) on Gauss–Newton
    curvature, which takes tens of steps where the first-order min-norm step takes hundreds; with
    "lbfgs" or "gd" it is the min-norm direction itself. With ``optimizer``, the mini-batch loop
    steps along the min-norm direction of each mini-batch's gradients."""
    if optimizer is not None:
        return stochastic.run(problem, "mgda", "mgda", n_points=n_points,
                              max_evaluations=max_evaluations, max_epochs=max_epochs,
                              max_seconds=max_seconds, standardize=standardize, seed=seed,
                              method=method, optimizer=optimizer, **_opts)
    stochastic.engine_only(_opts)
    t0 = time.perf_counter()
    s = Setup(problem, n_points=n_points, max_evaluations=max_evaluations, max_epochs=max_epochs,
              tol=1e-6 if tol is None else tol, standardize=standardize, seed=seed, method=method,
              max_seconds=max_seconds)
    tol = s.tol
    newton = s.method == "newton"
    s.step_label = "multiobjective Newton steps" if newton else "min-norm steps"
    if s.c:
        fail("solver", "a solver that handles constraints", "mgda",
             "MGDA has no constraint handling here; use 'epsilon-constraint' or 'nsga2'.")
    if s.m == 2:  # even mixes of the two anchors spread the stationary points along the front
        mix = simplex_grid(n_points, 2)
    else:
        mix = s.rng.dirichlet(np.ones(s.m), size=n_points)
        mix[: s.m] = np.eye(s.m)[: min(s.m, n_points)]

    m = s.m
    # each objective's own curvature, positive semi-definite (Gauss–Newton: the parity surrogates
    # are not convex), so that every Hᵢ and their mixes are, and q(α) stays convex
    s.sp.gauss_newton = newton
    unit = np.eye(m) / s.span  # Hessian coefficients: one normalised objective per copy of a row
    Phi = mix @ s.anchor_phi
    K, d = Phi.shape
    status = np.full(K, "budget", dtype=object)
    active = np.ones(K, bool)
    gref = np.full(K, np.nan)
    t = np.ones(K)
    age = np.full(K, HESSIAN_EVERY)
    plain = np.zeros(K, bool)
    Hn = np.zeros((K, m, d, d)) if newton else None
    # a Newton step's first trial, the full step, is a gradient pass: where it is accepted, as it
    # mostly is, that pass is also the next step's (one pass a step instead of two)
    held = np.zeros(K, bool)
    held_F, held_dF = np.empty((K, m)), np.empty((K, m, d))
    budget = s.budget - s.reserve
    per_row = m + 1 if newton else 2  # evaluations of one iteration and its first trial
    epochs = 0
    for epochs in range(1, max_epochs + 1):
        r = np.flatnonzero(active)
        if (len(r) == 0 or s.sp.evaluations + per_row * len(r) > budget
                or s.sp.out_of_time()):
            break
        P = Phi[r]
        # the Hessians, m passes' worth per row, are renewed every HESSIAN_EVERY steps and after a
        # cut step; in between the steps use the last ones and cost one gradient pass
        fresh = (age[r] >= HESSIAN_EVERY) | (t[r] < 1) if newton else np.zeros(len(r), bool)
        hold = held[r] & ~fresh  # gradients from the accepted full step's pass
        need = ~fresh & ~hold
        F, dF = np.empty((len(r), m)), np.empty((len(r), m, d))
        if need.any():
            F[need], _, dF[need] = s.sp.gradients(P[need])
        if hold.any():
            F[hold], dF[hold] = held_F[r[hold]], held_dF[r[hold]]
        held[r] = False
        if fresh.any():  # m copies of each row, one per objective's Hessian, in one pass
            Fh, _, dV, H = s.sp.second(np.repeat(P[fresh], m, axis=0),
                                       np.tile(unit, (int(fresh.sum()), 1)))
            Hn[r[fresh]] = H.reshape(-1, m, d, d)
            F[fresh], dF[fresh] = Fh[::m], dV[::m, :m]
            age[r[fresh]] = 0
        age[r] += 1
        Gn = dF / s.span[None, :, None]
        alpha = min_norm(Gn)
        D = (alpha[:, :, None] * Gn).sum(1)  # lowers every objective while it is non-zero
        norm = np.sqrt((D * D).sum(1))
        first = np.isnan(gref[r])
        gref[r[first]] = np.maximum(norm[first], s.gscale)
        done = norm <= tol * gref[r]
        status[r[done]], active[r[done]] = "converged", False
        keep = ~done
        r, P, F, Gn, D, alpha = r[keep], P[keep], F[keep], Gn[keep], D[keep], alpha[keep]
        if len(r) == 0:
            break
        slope = (D * D).sum(1)
        t0_rows = np.minimum(2 * t[r], 1e6)
        if newton:
            _, step = newton_direction(Gn, Hn[r], alpha)
            # a step across a flat region is cut to a box ten times the point's size (as the
            # Newton engine does), so the line search starts from a sane length
            cap = 10.0 * np.maximum(1.0, np.abs(P).max(1))
            step *= np.minimum(1.0, cap / np.maximum(np.abs(step).max(1), 1e-300))[:, None]
            lower = np.einsum("kid,kd->ki", Gn, step).min(1)
            # descent for every objective (else, from rounding, or after a Newton step that found
            # no decrease, the min-norm step)
            use = (lower > 0) & ~plain[r]
            D = np.where(use[:, None], step, D)
            slope = np.where(use, lower, slope)
            t0_rows = np.where(use, 1.0, t0_rows)
        Fn = s.norm(F)

        def merit(trial, sub, Fn=Fn):  # the worst objective's change must be a sufficient decrease
            Ft, _ = s.sp.values(trial)
            return (s.norm(Ft) - Fn[sub]).max(1)

        new, t_new, stuck = P.copy(), t0_rows.copy(), np.zeros(len(r), bool)
        search = np.ones(len(r), bool)
        if newton and use.any():
            u = np.flatnonzero(use)
            Ft, _, dFt = s.sp.gradients(P[u] - D[u])
            ok = np.isfinite(Ft).all(1) & \
                ((s.norm(Ft) - Fn[u]).max(1) <= -ARMIJO_C * slope[u])
            acc = u[ok]
            new[acc], t_new[acc], search[acc] = P[acc] - D[acc], 1.0, False
            held[r[acc]], held_F[r[acc]], held_dF[r[acc]] = True, Ft[ok], dFt[ok]
            t0_rows = np.where(use, 0.5, t0_rows)  # the full step failed: halves of it
        if search.any():
            q = np.flatnonzero(search)
            new[q], _, t_new[q], stuck[q] = line_search(
                P[q], D[q], np.zeros(len(q)), slope[q], lambda tr, sub: merit(tr, q[sub]),
                t0_rows[q])
        t[r] = t_new
        Phi[r] = new
        if newton:  # a stuck Newton step gets one retry along the min-norm direction
            retry = stuck & use
            plain[r] = retry
            t[r[retry]] = 1.0
            stuck &= ~use
        status[r[stuck]], active[r[stuck]] = "stalled", False
    s.sp.gauss_newton = False
    options = dict(n_points=n_points, max_evaluations=s.budget, max_epochs=max_epochs, tol=tol,
                   standardize=standardize, seed=seed)
    return s.finish("mgda", options, Phi, status, epochs, t0)


register_direction("mgda", Direction(even_mixes, lambda setup, F, Gn, cand, ctx: min_norm(Gn)))
