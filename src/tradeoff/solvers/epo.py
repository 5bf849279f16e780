"""``epo``: Exact Pareto Optimal search (Mahapatra & Rajan 2020), one point per preference ray.

Point k has a ray wₖ (weights on the simplex, like the other solvers) and seeks the front where the
normalised objectives are proportional to it: rᵢf̃ᵢ equal across i, with rᵢ = 1/wᵢ. Its
non-uniformity is μ = Σᵢ l̂ᵢ log(m·l̂ᵢ), l̂ = r⊙f̃ / Σ r⊙f̃ (0 on the ray), whose gradient with
respect to f̃ is proportional to a = r⊙(log(m·l̂) − μ). With the normalised gradients' Gram matrix
C = Ĝ Ĝᵀ (m, m), the direction d = Ĝᵀα (α on the simplex) changes f̃ at the rates −Cα and μ at the
rate −αᵀCa, so one small LP over α chooses it:

- off the ray (μ > RAY_EPS), *balance*: max αᵀCa s.t. (Cα)ⱼ ≥ (Ca)ⱼ where (Ca)ⱼ ≤ 0, and
  (Cα)ⱼ ≥ 0 for the objective furthest along its ray (or for every objective when no (Ca)ⱼ > 0);
- on it, *descent*: max 1ᵀCα s.t. Cα ≥ 0 and αᵀCa ≥ min(maxⱼ (Ca)ⱼ, 0): lower every objective
  without leaving the ray.

The min-norm α of MGDA satisfies every balance row (Cα ≥ ‖Ĝᵀα‖² ≥ 0), so the balance LP is
always feasible; where an LP has no feasible vertex all the same (the descent LP's row on αᵀCa, or
rounding), that α is taken. The LP has m variables and 2m + 1 inequalities, so it is solved
exactly for all K points at once by enumerating its vertices (every choice of m − 1 active inequalities beside
Σα = 1: 5 for m = 2, 21 for m = 3, 330 for m = 5, each a batched m × m solve); above m = 5 one
scipy ``linprog`` per point is cheaper than the C(2m+1, m−1) vertices.
"""

from __future__ import annotations

import dataclasses
import time
from itertools import combinations

import numpy as np

from .._validation import fail
from .engine import stochastic
from .engine.directions import Direction, min_norm, register_direction
from .engine.first_order import SET_LOOP_RULES, mini_batch, note_time, run
from .engine.setup import Setup
from .weights import check_weights, simplex_grid, weight_rows

RAY_EPS = 1e-10  # μ below which a point is on its ray: l̂ = ½ ± e gives μ ≈ 2e², a gap of 4e ≈ 3e-5
MIN_WEIGHT = 1e-3  # a zero weight (m > 2) would need rᵢ = ∞: floored, relative to the row's largest
VERTEX_MAX_M = 5  # vertex enumeration up to here, scipy's linprog per point above (see there)
_NEG = -1.0  # right-hand side of an unused inequality row (0·α ≥ −1 always holds)


def ray_terms(Fn, R):
    """l̂ (K, m), μ (K,) and a (K, m) of points Fn (K, m) on rays r = 1/w (R = r, (K, m))."""
    rl = R * np.maximum(Fn, 0.0) + 1e-12
    lhat = rl / rl.sum(1, keepdims=True)
    m = Fn.shape[1]
    mu = (lhat * np.log(m * lhat)).sum(1)
    a = R * (np.log(np.maximum(m * lhat, 1e-3)) - mu[:, None])
    return lhat, mu, a


def lp_rows(C, Fn, R, eps=RAY_EPS):
    """The LP of every point: objective c (K, m), rows A (K, m + 1, m) and b (K, m + 1) of
    A α ≥ b, and the balance mask (K,). Unused rows are 0·α ≥ −1."""
    K, m, _ = C.shape
    lhat, mu, a = ray_terms(Fn, R)
    Ca = np.einsum("kij,kj->ki", C, a)
    balance = mu > eps
    A = np.concatenate([C, Ca[:, None, :]], axis=1)  # rows Cα and (Ca)ᵀα (C is symmetric)
    b = np.zeros((K, m + 1))
    # balance: (Cα)ⱼ ≥ (Ca)ⱼ where (Ca)ⱼ ≤ 0, free where > 0, ≥ 0 for the furthest objective
    up = Ca > 0
    bal_b = np.where(up, np.nan, Ca)
    bal_b[~up.any(1)] = 0.0
    worst = np.argmax(lhat, axis=1)
    bal_b[np.arange(K), worst] = 0.0
    b[:, :m] = np.where(balance[:, None], bal_b, 0.0)
    b[:, m] = np.where(balance, np.nan, np.minimum(Ca.max(1), 0.0))
    unused = np.isnan(b)
    A = np.where(unused[:, :, None], 0.0, A)
    b = np.where(unused, _NEG, b)
    c = np.where(balance[:, None], Ca, C.sum(1))
    return c, A, b, balance


def solve_lp(c, A, b):
    """max cᵀα s.t. α ≥ 0, Σα = 1, Aα ≥ b for each of K small LPs (c (K, m), A (K, p, m),
    b (K, p)). Returns α (K, m) and a feasibility mask (K,); infeasible rows get NaN."""
    K, m = c.shape
    if m > VERTEX_MAX_M:
        return _solve_linprog(c, A, b)
    # every inequality: α ≥ 0 (m rows), then A α ≥ b
    Aall = np.concatenate([np.broadcast_to(np.eye(m), (K, m, m)), A], axis=1)
    ball = np.concatenate([np.zeros((K, m)), b], axis=1)
    p = Aall.shape[1]
    combos = np.array(list(combinations(range(p), m - 1)), dtype=int).reshape(-1, m - 1)
    n = len(combos)
    M = np.empty((K, n, m, m))
    M[:, :, 0, :] = 1.0
    M[:, :, 1:, :] = Aall[:, combos, :]
    rhs = np.empty((K, n, m))
    rhs[:, :, 0] = 1.0
    rhs[:, :, 1:] = ball[:, combos]
    # rows scaled to unit size (the same vertex); singular systems (parallel or unused rows) are
    # no vertex: solved as identity and dropped
    scale = np.abs(M).max(axis=3)
    scale = np.where(scale > 0, scale, 1.0)
    M, rhs = M / scale[..., None], rhs / scale
    ok = np.abs(np.linalg.det(M)) > 1e-12
    M = np.where(ok[..., None, None], M, np.eye(m))
    alpha = np.linalg.solve(M, rhs[..., None])[..., 0]  # (K, n, m)
    slack = np.einsum("kpm,knm->knp", Aall, alpha) - ball[:, None, :]
    tol = 1e-9 * (np.abs(Aall).sum(2)[:, None, :] + np.abs(ball)[:, None, :] + 1.0)
    feasible = ok & (slack >= -tol).all(2)
    value = np.where(feasible, np.einsum("km,knm->kn", c, alpha), -np.inf)
    best = np.argmax(value, axis=1)  # the first of equal vertices: deterministic
    found = feasible.any(1)
    out = np.clip(alpha[np.arange(K), best], 0.0, None)
    out = out / out.sum(1, keepdims=True)
    out[~found] = np.nan
    return out, found


def _solve_linprog(c, A, b):
    from scipy.optimize import linprog

    K, m = c.shape
    out = np.full((K, m), np.nan)
    found = np.zeros(K, bool)
    # one LP per point above m = 5, where the C(2m + 1, m − 1) vertices cost more than K calls
    # (measured at K = 10: m = 5 vertices 3.2 ms against 10 ms of calls, m = 6 19 ms against 10
    # ms). About 1 ms a point: a quarter to a third of a gradient pass over Adult's rows, not the
    # bottleneck there, but the main cost on small data.
    for k in range(K):
        res = linprog(-c[k], A_ub=-A[k], b_ub=-b[k], A_eq=np.ones((1, m)), b_eq=[1.0],
                      bounds=[(0, None)] * m, method="highs")
        if res.status == 0:
            out[k], found[k] = res.x, True
    return out, found


def epo_alpha(C, Fn, R):
    """EPO's α (K, m) for Gram matrices C (K, m, m), normalised objectives Fn and rays R = 1/w."""
    c, A, b, balance = lp_rows(C, Fn, R)
    alpha, found = solve_lp(c, A, b)
    if not found.all():  # MGDA's min-norm α (a common descent direction), from vectors whose
        # Gram matrix is C: the rows of V·√Λ
        lam, V = np.linalg.eigh(C[~found])
        alpha[~found] = min_norm(V * np.sqrt(np.maximum(lam, 0.0))[:, None, :])
    return alpha, balance


def ray_gap(Fn, W) -> np.ndarray:
    """How far each point is off its ray: (max − min)/mean of f̃ᵢ/wᵢ over the objectives with
    wᵢ > 0 (0 on the ray); an end of the front (one weight non-zero) is judged by its other
    objectives being 0, i.e. the gap is max f̃ᵢ over wᵢ = 0."""
    Fn = np.maximum(np.asarray(Fn, float), 0.0)
    pos = W > 0
    with np.errstate(divide="ignore", invalid="ignore"):
        q = np.where(pos, Fn / np.where(pos, W, 1.0), np.nan)
        spread = (np.nanmax(q, 1) - np.nanmin(q, 1)) / np.maximum(np.nanmean(q, 1), 1e-12)
    zero = np.where(~pos, Fn, 0.0).max(1)
    return np.where(pos.sum(1) > 1, spread, zero)


def epo(problem, *, n_points=50, weights=None, preferences="grid", lr=None, optimizer=None,
        max_evaluations=None, max_epochs=2000, tol=1e-3, max_seconds=None, standardize=True,
        seed=0, method="auto", **_opts):
    """EPO search: point k starts from the anchors' mix (1 − wₖ)/(m − 1) and steps along EPO's LP
    direction (first-order steps: ``optimizer`` "gd", which keeps the LP's direction, or
    "adam"; step ``lr`` × the anchors' spread in Φ, decaying geometrically to 1/1,000 of it). With
    two objectives the rays (1, 0) and (0, 1) are the lexicographic anchors themselves.

    With an option of the mini-batch loop, ``optimizer = "sgd"``, or a network and no
    ``optimizer``, the mini-batch loop takes EPO's direction of each mini-batch instead
    (``first_order.mini_batch``). ``preferences`` ("das-dennis", "dirichlet") draws the rays when
    no ``weights`` are given, as for the weighted sum."""
    if problem.n_constraints:
        fail("solver", "a solver that handles constraints", "epo",
             "EPO has no constraint handling; use 'epsilon-constraint' or 'nsga2'.")
    if preferences != "grid":  # the rows drawn once here, then solved as given rays
        weights = weight_rows(weights, preferences, n_points, problem.m, seed)
    if mini_batch(problem, optimizer, _opts):
        front = stochastic.run(problem, "epo", "epo", n_points=n_points, weights=weights,
                               max_evaluations=max_evaluations, max_epochs=max_epochs,
                               max_seconds=max_seconds, standardize=standardize, seed=seed,
                               method=method, optimizer=optimizer or "adam", lr=lr, **_opts)
        W = np.asarray(front.extra["weights"])
        span, ideal = np.asarray(front.extra["span"]), np.asarray(front.extra["ideal"])
        gap = ray_gap((front.F - ideal) / span, W)
        options = front.options if preferences == "grid" else {**front.options,
                                                               "preferences": preferences}
        return dataclasses.replace(front, options=options,
                                   extra={**front.extra, "ray_gap": gap.tolist()})
    modes = {"balance": 0, "descent": 0}

    def balancing(s, W, inner):
        Wf = np.maximum(W, MIN_WEIGHT * W.max(1, keepdims=True))
        R = 1.0 / (Wf / Wf.sum(1, keepdims=True))

        def direction(F, dF, rows):
            G = dF / s.span[None, :, None]
            C = G @ np.swapaxes(G, 1, 2)
            alpha, balance = epo_alpha(C, s.norm(F), R[inner[rows]])
            modes["balance"] += int(balance.sum())
            modes["descent"] += int((~balance).sum())
            # stationary is not enough: a point off its ray has a small balancing direction too
            return np.einsum("km,kmd->kd", alpha, G), ~balance

        return direction

    s, W, Phi, status, steps, timed_out, options, t0 = ray_set_loop(
        problem, "EPO", weights, n_points, balancing, lr=lr, optimizer=optimizer,
        max_evaluations=max_evaluations, max_epochs=max_epochs, tol=tol, max_seconds=max_seconds,
        standardize=standardize, seed=seed, method=method)
    if preferences != "grid":
        options["preferences"] = preferences
    front = s.finish("epo", options, Phi, status, steps, t0)
    extra = {**front.extra, "weights": W.tolist(),
             "ray_gap": ray_gap(s.norm(front.F), W).tolist(), "lp_modes": modes}
    return note_time(dataclasses.replace(front, extra=extra), max_seconds, timed_out)


def ray_set_loop(problem, label, weights, n_points, make_direction, *, lr, optimizer,
                 max_evaluations, max_epochs, tol, max_seconds, standardize, seed, method):
    """The full-batch loop of the ray solvers (EPO, PMGDA): point k of the rays W starts from the
    anchors' mix (1 − wₖ)/(m − 1) (anchor i has f̃ᵢ = 0, so a large wᵢ starts near it); with two
    objectives a ray (1, 0) asks for f̃₂ = 0, objective 2's lexicographic anchor itself. The
    other points step along ``make_direction(setup, W, inner)``'s direction (``first_order.run``).
    Returns the setup, W, Φ, statuses, steps, whether time ran out, the options and the start
    time."""
    t0 = time.perf_counter()
    optimizer = "gd" if optimizer is None else optimizer
    lr = 0.5 if lr is None else lr
    if optimizer not in SET_LOOP_RULES:
        fail("optimizer", " or ".join(repr(o) for o in SET_LOOP_RULES), optimizer)
    s = Setup(problem, n_points=n_points, max_evaluations=max_evaluations, max_epochs=max_epochs,
              tol=tol, standardize=standardize, seed=seed, method=method,
              max_seconds=max_seconds)  # the anchors count toward the budget
    W = simplex_grid(n_points, s.m) if weights is None else check_weights(weights, s.m)
    K = len(W)
    s.step_label = f"{label} steps ({optimizer})"
    ends = ((W > 0).sum(1) == 1) & (s.m == 2)
    other = np.argmin(W[ends], axis=1)
    Phi = ((1.0 - W) / (s.m - 1)) @ s.anchor_phi
    status = np.full(K, "converged", dtype=object)
    Phi[ends], status[ends] = s.anchor_phi[other], s.anchor_status[other]
    inner = np.flatnonzero(~ends)
    steps, timed_out = 0, False
    if len(inner):
        Phi[inner], steps, status[inner], timed_out = run(
            s, Phi[inner], make_direction(s, W, inner), optimizer=optimizer, lr=lr,
            max_seconds=max_seconds, tol=s.tol, t0=t0, together=False)
    options = dict(n_points=K, lr=lr, optimizer=optimizer, max_evaluations=s.budget,
                   max_epochs=max_epochs, tol=s.tol, max_seconds=max_seconds,
                   standardize=standardize, seed=seed)
    return s, W, Phi, status, steps, timed_out, options, t0


def _rays_start(setup, n_points, weights, rng, **_):
    """The mini-batch loop's EPO start: rays from the weights, each point from the anchors' mix
    (1 − wᵢ)/(m − 1) (anchor i has f̃ᵢ = 0, so a large wᵢ starts near it)."""
    m = setup.m
    W = simplex_grid(n_points, m) if weights is None else check_weights(weights, m)
    Wf = np.maximum(W, MIN_WEIGHT * W.max(1, keepdims=True))
    R = 1.0 / (Wf / Wf.sum(1, keepdims=True))
    return W, (1.0 - W) / (m - 1), {"R": R, "modes": {"balance": 0, "descent": 0}}


def _rays_alpha(setup, F, Gn, cand, ctx):
    alpha, balance = epo_alpha(Gn @ np.swapaxes(Gn, 1, 2), setup.norm(F), ctx["R"][cand])
    ctx["modes"]["balance"] += int(balance.sum())
    ctx["modes"]["descent"] += int((~balance).sum())
    return alpha


register_direction("epo", Direction(_rays_start, _rays_alpha, lambda ctx: {"lp_modes": ctx["modes"]}))
