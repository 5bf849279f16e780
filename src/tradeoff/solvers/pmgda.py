"""``pmgda``: Preference-based Multiple Gradient Descent (Zhang et al. 2024), one point per ray.

Point k has a preference ray wₖ (weights on the simplex, as EPO's) and a constraint h(f̃) ≤ h_tol
that it lies on that ray: h is PBI's distance of the normalised objectives from the ray,
h = ‖f̃ − (f̃·u)u‖ with u = w/‖w‖ (the alignment function LibMOON's PMGDA uses), so h = 0 where
f̃ ∝ w, EPO's target. Each step, from the gradients gᵢ = ∇f̃ᵢ and g_h = ∇h = Σᵢ (∂h/∂f̃ᵢ) gᵢ:

- on the ray (h ≤ h_tol), *descent*: MGDA's min-norm combination of the gᵢ;
- off it, *correction*: the direction d = Σⱼ μⱼ ĝⱼ over the unit vectors ĝ₁ … ĝₘ, ĝ_h (μ on the
  simplex) that lowers h at least at the rate σ‖g_h‖ (ĝ_hᵀd ≥ σ) and raises the worst objective
  least: max min_i gᵢᵀd, the LP (PMGDA's Eq. 20)

      max −t  s.t.  gᵢᵀd + t ≥ 0 (i ≤ m),  ĝ_hᵀd ≥ σ,  μ ≥ 0,  Σμ = 1,

  which μ = (0, …, 0, 1) always satisfies (σ ≤ 1). Its direction in the objectives' gradients has
  αᵢ = μᵢ/‖gᵢ‖ + μ_h (∂h/∂f̃ᵢ)/‖g_h‖ (Eq. 18), scaled here by the mean ‖gᵢ‖ so that a correction
  step has a gradient's length, as a descent step has (LibMOON's unit length would make a
  first-order step's size depend on which mode the point is in).

Every quantity is a function of the (m, m) Gram matrix of the gᵢ, so the LP of all K points is solved
at once by enumerating its vertices (m + 2 variables, 2m + 2 inequalities, m + 1 active beside Σμ =
1: 20 for m = 2, 70 for m = 3, 252 for m = 4, each a batched solve); above m = 4 one scipy
``linprog`` per point. The steps themselves are EPO's loops (``first_order.run``, or the mini-batch
loop with its options or on a network).
"""

from __future__ import annotations

import dataclasses
from itertools import combinations

import numpy as np

from .._validation import fail
from .engine import stochastic
from .engine.directions import Direction, min_norm, register_direction
from .engine.first_order import mini_batch, note_time
from .epo import ray_gap, ray_set_loop
from .weights import check_weights, simplex_grid, weight_rows

H_TOL = 1e-3  # LibMOON's default h_tol; here in normalised units (the anchors' span is 1)
SIGMA = 0.1  # LibMOON's default σ: the share of ‖g_h‖ at which h must at least fall
VERTEX_MAX_M = 4  # vertex enumeration up to here (252 vertices), scipy's linprog per point above
_TINY = 1e-300


def ray_distance(Fn, U):
    """h (K,) and ∂h/∂f̃ (K, m): the distance of the points Fn (K, m) from their rays through the
    origin along the unit rows U (K, m), and its gradient (0 on the ray, where h has none)."""
    r = Fn - (Fn * U).sum(1, keepdims=True) * U
    h = np.sqrt((r * r).sum(1))
    J = np.where(h[:, None] > 0, r / np.maximum(h, _TINY)[:, None], 0.0)
    return h, J


def correction_lp(C, J, sigma):
    """The correction LP of K points from their Gram matrices C (K, m, m) and ∂h/∂f̃ J (K, m):
    A (K, 2m + 2, m + 2) and b (K, 2m + 2) of A x ≥ b for x = (μ₁ … μₘ, μ_h, t), and the floored
    norms ‖gᵢ‖ (K, m) and ‖g_h‖ (K,) that scale the unit vectors."""
    K, m, _ = C.shape
    gn = np.sqrt(np.maximum(np.einsum("kii->ki", C), 0.0))
    CJ = np.einsum("kij,kj->ki", C, J)  # gᵢᵀg_h
    hn = np.sqrt(np.maximum((J * CJ).sum(1), 0.0))
    # a vanishing gradient (of an objective, or of h where the model cannot turn toward the ray)
    # is floored relative to the others: its unit vector is then ~0, never a division by zero
    floor = 1e-12 * gn.max(1) + _TINY
    gs, hs = np.maximum(gn, floor[:, None]), np.maximum(hn, floor)
    # gᵢᵀĝⱼ (m, m + 1), and ĝ_hᵀĝⱼ (m + 1)
    rates = np.concatenate([C / gs[:, None, :], (CJ / hs[:, None])[:, :, None]], axis=2)
    h_row = np.concatenate([CJ / gs / hs[:, None], np.ones((K, 1))], axis=1)  # no underflow
    A = np.zeros((K, 2 * m + 2, m + 2))
    b = np.zeros((K, 2 * m + 2))
    A[:, : m + 1, : m + 1] = np.eye(m + 1)  # μ ≥ 0
    A[:, m + 1: 2 * m + 1, : m + 1] = rates  # gᵢᵀd + t ≥ 0
    A[:, m + 1: 2 * m + 1, m + 1] = 1.0
    A[:, 2 * m + 1, : m + 1] = h_row  # ĝ_hᵀd ≥ σ
    b[:, 2 * m + 1] = sigma
    return A, b, gs, hs


def solve_lp(A, b):
    """max −t s.t. A x ≥ b and Σμ = 1 for each of K LPs in x = (μ (m + 1), t): by enumerating the
    vertices (every choice of m + 1 active rows beside Σμ = 1), or, above VERTEX_MAX_M objectives,
    one scipy ``linprog`` per point. Returns x (K, m + 2) and a feasibility mask (K,)."""
    K, p, n = A.shape
    if n - 2 > VERTEX_MAX_M:
        return _solve_linprog(A, b)
    combos = np.array(list(combinations(range(p), n - 1)), dtype=int)
    N = len(combos)
    M = np.empty((K, N, n, n))
    M[:, :, 0, :-1], M[:, :, 0, -1] = 1.0, 0.0
    M[:, :, 1:, :] = A[:, combos, :]
    rhs = np.empty((K, N, n))
    rhs[:, :, 0] = 1.0
    rhs[:, :, 1:] = b[:, combos]
    # rows scaled to unit size (the same vertex); singular systems are no vertex: solved as the
    # identity and dropped
    scale = np.abs(M).max(axis=3)
    scale = np.where(scale > 0, scale, 1.0)
    M, rhs = M / scale[..., None], rhs / scale
    ok = np.abs(np.linalg.det(M)) > 1e-12
    M = np.where(ok[..., None, None], M, np.eye(n))
    x = np.linalg.solve(M, rhs[..., None])[..., 0]  # (K, N, n)
    slack = np.einsum("kpn,kNn->kNp", A, x) - b[:, None, :]
    tol = 1e-9 * (np.abs(A).sum(2)[:, None, :] * (1.0 + np.abs(x).max(2, keepdims=True))
                  + np.abs(b)[:, None, :] + 1.0)
    feasible = ok & (slack >= -tol).all(2)
    value = np.where(feasible, -x[..., -1], -np.inf)
    best = np.argmax(value, axis=1)  # the first of equal vertices: deterministic
    return x[np.arange(K), best], feasible.any(1)


def _solve_linprog(A, b):
    from scipy.optimize import linprog

    K, _, n = A.shape
    out = np.full((K, n), np.nan)
    found = np.zeros(K, bool)
    c = np.zeros(n)
    c[-1] = 1.0  # minimise t
    eq = np.ones((1, n))
    eq[0, -1] = 0.0
    # one LP per point above m = 4, where the C(2m + 2, m + 1) vertices cost more than K calls
    # (measured at K = 10: m = 4 vertices 5.3 ms against 21 ms of calls, m = 5 30 ms against 22 ms)
    for k in range(K):
        res = linprog(c, A_ub=-A[k], b_ub=-b[k], A_eq=eq, b_eq=[1.0],
                      bounds=[(0, None)] * (n - 1) + [(None, None)], method="highs")
        if res.status == 0:
            out[k], found[k] = res.x, True
    return out, found


def pmgda_alpha(Gn, Fn, U, h_tol=H_TOL, sigma=SIGMA):
    """PMGDA's α (K, m) for normalised gradients Gn (K, m, d) at normalised values Fn (K, m) on
    unit rays U (K, m), with the correction mask (K,) and h (K,); the direction is Σᵢ αᵢ gᵢ."""
    h, J = ray_distance(Fn, U)
    alpha = np.empty(Fn.shape)
    fix = h > h_tol
    if (~fix).any():
        alpha[~fix] = min_norm(Gn[~fix])
    if fix.any():
        G = Gn[fix]
        C = G @ np.swapaxes(G, 1, 2)
        A, b, gn, hn = correction_lp(C, J[fix], sigma)
        x, found = solve_lp(A, b)
        m = Fn.shape[1]
        # no vertex passed (rounding): μ = (0, …, 0, 1), the unit step down h, always feasible
        x[~found] = np.eye(m + 2)[m]
        mu = np.clip(x[:, : m + 1], 0.0, None)
        mu = mu / mu.sum(1, keepdims=True)
        a = mu[:, :m] / gn + (mu[:, m] / hn)[:, None] * J[fix]
        alpha[fix] = a * gn.mean(1, keepdims=True)
    return alpha, fix, h


def _unit_rays(W):
    return W / np.sqrt((W * W).sum(1, keepdims=True))


def pmgda(problem, *, n_points=50, weights=None, preferences="grid", h_tol=H_TOL, sigma=SIGMA,
          lr=None, optimizer=None, max_evaluations=None, max_epochs=2000, tol=1e-3,
          max_seconds=None, standardize=True, seed=0, method="auto", **_opts):
    """PMGDA: point k starts from the anchors' mix (1 − wₖ)/(m − 1), as EPO's, and steps along
    the correction direction while it is more than ``h_tol`` from its ray, MGDA's min-norm one
    when within (first-order steps: ``optimizer`` "gd" or "adam", ``lr`` as EPO's). With an option
    of the mini-batch loop, ``optimizer = "sgd"``, or a network and no ``optimizer``, the
    mini-batch loop takes PMGDA's direction of each mini-batch instead."""
    if problem.n_constraints:
        fail("solver", "a solver that handles constraints", "pmgda",
             "PMGDA has no constraint handling; use 'epsilon-constraint' or 'nsga2'.")
    if preferences != "grid":  # the rows drawn once here, then solved as given rays
        weights = weight_rows(weights, preferences, n_points, problem.m, seed)
    if mini_batch(problem, optimizer, _opts):
        front = stochastic.run(problem, "pmgda", "pmgda", n_points=n_points, weights=weights,
                               max_evaluations=max_evaluations, max_epochs=max_epochs,
                               max_seconds=max_seconds, standardize=standardize, seed=seed,
                               method=method, optimizer=optimizer or "adam", lr=lr,
                               rule_params={"h_tol": h_tol, "sigma": sigma}, **_opts)
        W = np.asarray(front.extra["weights"])
        span, ideal = np.asarray(front.extra["span"]), np.asarray(front.extra["ideal"])
        Fn = (front.F - ideal) / span
        options = {**front.options, "h_tol": h_tol, "sigma": sigma}
        if preferences != "grid":
            options["preferences"] = preferences
        return dataclasses.replace(front, options=options, extra={
            **front.extra, "ray_gap": ray_gap(Fn, W).tolist(),
            "h": ray_distance(Fn, _unit_rays(W))[0].tolist()})
    modes = {"correction": 0, "descent": 0}

    def correcting(s, W, inner):
        U = _unit_rays(W)

        def direction(F, dF, rows):
            G = dF / s.span[None, :, None]
            alpha, fix, _ = pmgda_alpha(G, s.norm(F), U[inner[rows]], h_tol, sigma)
            modes["correction"] += int(fix.sum())
            modes["descent"] += int((~fix).sum())
            # a point off its ray has a correction step however small its descent step is
            return np.einsum("km,kmd->kd", alpha, G), ~fix

        return direction

    s, W, Phi, status, steps, timed_out, options, t0 = ray_set_loop(
        problem, "PMGDA", weights, n_points, correcting, lr=lr, optimizer=optimizer,
        max_evaluations=max_evaluations, max_epochs=max_epochs, tol=tol, max_seconds=max_seconds,
        standardize=standardize, seed=seed, method=method)
    options.update(h_tol=h_tol, sigma=sigma)
    if preferences != "grid":
        options["preferences"] = preferences
    front = s.finish("pmgda", options, Phi, status, steps, t0)
    Fn = s.norm(front.F)
    extra = {**front.extra, "weights": W.tolist(), "ray_gap": ray_gap(Fn, W).tolist(),
             "h": ray_distance(Fn, _unit_rays(W))[0].tolist(), "modes": modes}
    return note_time(dataclasses.replace(front, extra=extra), max_seconds, timed_out)


def _rays_start(setup, n_points, weights, rng, h_tol=H_TOL, sigma=SIGMA, **_):
    """The mini-batch loop's PMGDA start: rays from the weights, each point from the anchors' mix
    (1 − wᵢ)/(m − 1), as EPO's."""
    m = setup.m
    W = simplex_grid(n_points, m) if weights is None else check_weights(weights, m)
    ctx = {"U": _unit_rays(W), "h_tol": h_tol, "sigma": sigma,
           "modes": {"correction": 0, "descent": 0}}
    return W, (1.0 - W) / (m - 1), ctx


def _rays_alpha(setup, F, Gn, cand, ctx):
    alpha, fix, _ = pmgda_alpha(Gn, setup.norm(F), ctx["U"][cand], ctx["h_tol"], ctx["sigma"])
    ctx["modes"]["correction"] += int(fix.sum())
    ctx["modes"]["descent"] += int((~fix).sum())
    return alpha


register_direction("pmgda", Direction(_rays_start, _rays_alpha,
                                      lambda ctx: {"modes": ctx["modes"]}))
