"""Exact reference fronts for convex problems: each weighted sum solved to tight tolerance.

Quadratic objectives (MSE, a squared gap) make one Newton step exact; piecewise-quadratic ones
(cap_violation) converge in a few semi-smooth Newton steps. All K weights are solved together: the
Hessians (K, d, d) come from one contraction and the steps from one batched linear solve.
"""

from __future__ import annotations

import time

import numpy as np

from .._validation import check_positive
from ..front import Front
from ..problem import Problem
from .engine.descent import ARMIJO_C, ScaledProblem, line_search
from .weights import check_weights, refine_two, simplex_grid

ANCHOR_SHARE = 1e-8
# the anchors' shares of the other objectives (see exact(): a refinement is kept where it converged)
LEXICOGRAPHIC_SHARES = (1e-4, 1e-6)
ROUNDING = 1e-14  # a decrement below ROUNDING·|v| changes v by a few dozen ulps at most
NOISE_FLOOR, FLAT_STEPS = 1e-9, 5


def _newton(sp: ScaledProblem, W_raw: np.ndarray, Phi0: np.ndarray, tol: float, max_iter: int,
            step_tol: float = 1e-13):
    """Minimise Σᵢ W_rawₖᵢ fᵢ for every row k by damped Newton in Φ; returns Φ, iterations, converged
    and the objectives F (K, m) there.

    Value, gradient and Hessian come from one pass over the rows (``Problem.second_order``), taken at
    the full Newton step: when the step is accepted, as it almost always is, that pass is also the
    next iteration's. Rejected steps backtrack on values alone.
    """
    problem = sp.problem
    C = np.hstack([W_raw, np.zeros((len(W_raw), problem.n_constraints))])
    Phi = Phi0.copy()
    K, d = Phi.shape

    Fall = np.empty((K, problem.m))  # the objectives at each row's current point

    def second(Ph, rows):
        sp.evaluations += len(rows)
        F, _, dV, H = problem.derivatives(sp.theta(Ph), C[rows])
        g = np.einsum("ki,kid->kd", C[rows], dV)
        return (F * W_raw[rows]).sum(1), sp.to_phi_gradient(g), sp.to_phi_hessian(H), F

    v, g, H, Fall[:] = second(Phi, np.arange(K))
    active = np.ones(K, bool)
    was_tiny = np.zeros(K, bool)
    last_size = np.full(K, np.inf)
    best = v.copy()  # the lowest v seen, and the iterations since it last fell by NOISE_FLOOR
    flat = np.zeros(K, int)
    it = 0
    for it in range(1, max_iter + 1):
        rows = np.flatnonzero(active)
        if len(rows) == 0:
            break
        # a relative ridge keeps flat directions (e.g. a norm that ignores the intercept) solvable
        Hr = H[rows]  # a copy: the ridge goes on its diagonal in place
        diag = np.arange(d)
        Hr[:, diag, diag] += 1e-14 * np.trace(Hr, axis1=1, axis2=2)[:, None]
        step = np.linalg.solve(Hr, g[rows][:, :, None])[:, :, 0]
        dec = (g[rows] * step).sum(1)
        # stop on the step, not only the decrement: a decrement of 1e-16·f still leaves θ (and each
        # objective) uncertain at 1e-8; steps below 1e-13 of θ leave it at rounding level
        # (or after a second rounding-level decrement in a row whose step did not shrink 10×:
        # flat directions such as collinear features, where steps never shrink; a converging
        # step shrinks far faster, and stopping it early left θ 1e-8 off)
        size = np.abs(step).max(1) / np.maximum(np.abs(Phi[rows]).max(1), 1e-300)
        tiny = dec <= tol * np.maximum(1.0, np.abs(v[rows]))
        stalled = was_tiny[rows] & (size > 0.1 * last_size[rows])
        # at the values' noise floor: v has not fallen by a relative NOISE_FLOOR in FLAT_STEPS
        # steps (where fᵢ's minimum is 0 on a subspace, its rounding-level gradient over a small
        # share outweighs the others', and the steps hop between points equal to ~1e-8)
        fell = v[rows] < best[rows] - NOISE_FLOOR * np.abs(best[rows])
        flat[rows] = np.where(fell, 0, flat[rows] + 1)
        best[rows] = np.minimum(best[rows], v[rows])
        done = (dec <= 0) | (tiny & ((size <= step_tol) | stalled)) | (flat[rows] >= FLAT_STEPS)
        was_tiny[rows] = tiny
        last_size[rows] = size
        active[rows[done]] = False
        r, step, dec = rows[~done], step[~done], dec[~done]
        if len(r) == 0:
            break
        trial = Phi[r] - step
        vt, gt, Ht, Ft = second(trial, r)
        # sufficient decrease, or a step whose decrease (about dec / 2) is within a few dozen
        # ulps of v, where comparing values says nothing: rejecting it there left points a
        # decrement of 1e-15·v from their minimum, 3e-8 of the front's span off in F
        ok = (vt <= v[r] - ARMIJO_C * dec) | \
            ((dec <= ROUNDING * np.abs(v[r])) & (vt <= v[r] + ROUNDING * np.abs(v[r])))
        acc = r[ok]
        Phi[acc], v[acc], g[acc], H[acc], Fall[acc] = trial[ok], vt[ok], gt[ok], Ht[ok], Ft[ok]
        if (~ok).any():
            rej = r[~ok]

            def merit(tr, sub):
                Ft, _ = sp.values(tr)
                return (Ft * W_raw[rej[sub]]).sum(1)

            # the full step failed: try halves of it on values alone
            new, _, _, stuck = line_search(Phi[rej], step[~ok], v[rej], dec[~ok], merit,
                                           np.full(len(rej), 0.5))
            Phi[rej] = new
            v[rej], g[rej], H[rej], Fall[rej] = second(new, rej)
            # no decrease possible and a decrement at rounding level: already at the minimum
            at_min = stuck & (dec[~ok] <= 1e-12 * np.maximum(1.0, np.abs(v[rej])))
            active[rej[at_min]] = False
    return Phi, it, ~active, Fall


def _solve_path(sp, W, span, anchor_phi, FA, tol, max_iter):
    """Solve the weighted sums W (k, 2) coarse to fine: every 8th weight first from mixes of the
    anchors, then each level from the interpolation of its solved neighbours, so most weights need
    one or two Newton steps."""
    k = len(W)
    order = np.argsort(W[:, 1], kind="stable")
    Phi = np.empty((k, anchor_phi.shape[1]))
    F = np.empty((k, FA.shape[1]))
    conv = np.ones(k, bool)
    solved = np.zeros(k, bool)
    stride = 8
    while True:
        pos = np.arange(0, k, stride)
        pos = np.union1d(pos, [k - 1]) if stride == 8 else pos
        todo = pos[~solved[pos]]
        if len(todo):
            idx = order[todo]
            done_pos = np.flatnonzero(solved)
            if len(done_pos) == 0:
                start = W[idx] @ anchor_phi
            else:
                # linear interpolation in w₂ between the nearest solved neighbours
                left = done_pos[np.clip(np.searchsorted(done_pos, todo) - 1, 0, len(done_pos) - 1)]
                right = done_pos[np.clip(np.searchsorted(done_pos, todo), 0, len(done_pos) - 1)]
                wl, wr, wt = W[order[left], 1], W[order[right], 1], W[idx, 1]
                a = np.where(wr > wl, (wt - wl) / np.where(wr > wl, wr - wl, 1.0), 0.5)[:, None]
                start = (1 - a) * Phi[order[left]] + a * Phi[order[right]]
            interior = (W[idx] > 0).sum(1) > 1
            Phi[idx[~interior]], F[idx[~interior]] = _at_anchor(W[idx[~interior]], anchor_phi, FA)
            if interior.any():
                ii = idx[interior]
                Phi[ii], _, conv[ii], F[ii] = _newton(sp, _tie_break(W[ii]) / span,
                                                      start[interior], tol, max_iter)
            solved[todo] = True
        if stride == 1:
            return Phi, conv, F
        stride //= 2


def _at_anchor(W, anchor_phi, FA):
    """Weights with a single non-zero entry: that objective's anchor (its lexicographic minimum)."""
    j = np.argmax(W, axis=1)
    return anchor_phi[j], FA[j]


def _tie_break(W):
    """Zero weights get the anchors' tiny share, so that the minimiser is unique and the best of
    the ties in the objectives that do carry weight."""
    return np.where(W > 0, W, ANCHOR_SHARE)


def _without_hessian(problem: Problem) -> list[str]:
    """Names of the smooth objectives that give neither a curvature nor a Hessian."""
    batch = problem.batch()
    bad = []
    for obj in problem.objectives:
        if obj.kind == "parameter":
            none = obj.hessian(problem.d) is None
        else:
            none = obj.curvature(batch, None) is None and obj.hessian_matrix(batch, None) is None
        if none:
            bad.append(obj.name)
    return bad or [o.name for o in problem.objectives]


def exact(problem: Problem, *, n_points: int = 200, adaptive: bool = True, weights=None,
          tol: float = 1e-16, max_iter: int = 100, **_opts) -> Front:
    """The Pareto front of a convex problem from K weighted sums of the normalised objectives.

    Returns a Front with ``success=False`` and no points when the problem is not convex or an
    objective has no second derivative (say which). With ``adaptive`` (two objectives), half the
    weights are evenly spaced and the rest bisect the widest gaps between neighbouring points.
    """
    check_positive("n_points", n_points, integer=True)
    t0 = time.perf_counter()
    names, params = problem.objective_names, problem.param_names
    options = dict(n_points=n_points, adaptive=adaptive, tol=tol, max_iter=max_iter)

    def empty(msg):
        return Front(np.zeros((0, problem.m)), np.zeros((0, problem.d)), names, params, "exact",
                     options, 0, time.perf_counter() - t0, False, msg)

    convex, why = problem.is_convex()
    if not convex:
        return empty(f"no exact front: the problem is not convex ({why})")
    if problem.n_constraints:
        return empty("no exact front: constraints are not supported by the exact solver")
    if not problem.has_second_order():
        bad = _without_hessian(problem)
        if not bad:
            return empty(f"no exact front: the exact solver needs a built-in link model's second "
                         f"derivatives (got the {problem.model.name} model); compare against the "
                         "best front found")
        return empty(f"no exact front: {'objective' if len(bad) == 1 else 'objectives'} "
                     f"{', '.join(map(repr, bad))} {'gives' if len(bad) == 1 else 'give'} no second "
                     "derivative, which the exact solver needs; compare against the best front "
                     "found instead")
    sp = ScaledProblem(problem, True)
    m = problem.m
    lo, hi = problem.phi_box()
    start = 0.5 * (lo + hi)
    F0, _ = sp.values(start[None])
    raw = np.maximum(np.abs(F0[0]), 1e-12)
    # lexicographic anchors: fᵢ with a small share of the others, which picks the best of its
    # minimisers; each share warm-starts the next. The first share's anchors are weighted-sum
    # minimisers, so Pareto optimal; a smaller share moves them closer to the lexicographic
    # optimum where Newton can resolve it, and is kept only where it converged: where fᵢ's minimum
    # is 0 on a whole subspace (a gap that closes), its rounding-level gradient over the share can
    # outweigh the others', and the iterates wander at that noise floor
    anchor_phi = np.repeat(start[None], m, 0)
    for k, share in enumerate(LEXICOGRAPHIC_SHARES):
        Wa = np.full((m, m), share)
        np.fill_diagonal(Wa, 1.0)
        Phi_s, _, ok_s, F_s = _newton(sp, Wa / raw, anchor_phi, tol, max_iter)
        if k == 0:
            anchor_phi, ok_a, FA = Phi_s, ok_s, F_s
        else:
            anchor_phi[ok_s], FA[ok_s] = Phi_s[ok_s], F_s[ok_s]
    ideal, nadir = FA.min(0), FA.max(0)
    span = np.where(nadir > ideal, nadir - ideal, 1.0)

    def solve(W):
        if m == 2:
            return _solve_path(sp, W, span, anchor_phi, FA, tol, max_iter)
        interior = (W > 0).sum(1) > 1
        Phi, F = np.empty((len(W), problem.d)), np.empty((len(W), m))
        conv = np.ones(len(W), bool)
        Phi[~interior], F[~interior] = _at_anchor(W[~interior], anchor_phi, FA)
        if interior.any():
            Wi = W[interior]
            Phi[interior], _, conv[interior], F[interior] = _newton(
                sp, _tie_break(Wi) / span, Wi @ anchor_phi, tol, max_iter)
        return Phi, conv, F

    if weights is not None:
        W, adaptive = check_weights(weights, m), False
    else:
        W = simplex_grid(max(n_points // 2, 2) if adaptive and m == 2 else n_points, m)
    Phi, conv, F = solve(W)
    while adaptive and m == 2 and len(W) < n_points:
        Wn = refine_two(W, (F - ideal) / span, min(n_points - len(W), len(W) - 1))[0]
        Pn, cn, Fn = solve(Wn)
        W, Phi, F = np.vstack([W, Wn]), np.vstack([Phi, Pn]), np.vstack([F, Fn])
        conv = np.concatenate([conv, cn])
    order = np.arange(len(W)) if weights is not None else np.lexsort(F.T[::-1])
    ok = bool(conv.all() and ok_a.all())
    if ok:
        msg = (f"{len(W)} weighted sums solved by Newton to a decrement ≤ {tol:g} or to the "
               "values' rounding")
    elif not conv.all():
        msg = (f"{int((~conv).sum())} of {len(W)} weighted sums did not converge in {max_iter} "
               "Newton steps")
    else:
        msg = f"the anchors (each objective's minimum) did not converge in {max_iter} Newton steps"
    return Front(F[order], sp.theta(Phi[order]), names, params, "exact", options, sp.evaluations,
                 time.perf_counter() - t0, ok, msg, None,
                 {"weights": W[order].tolist(), "ideal": ideal.tolist(), "span": span.tolist()})
