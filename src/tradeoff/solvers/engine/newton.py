"""The batched second-order engine under every gradient solver: Newton and L-BFGS on K points at once.

A scalarisation s(v(θ)) of the objectives and constraints v = (f, g) (K candidates, each with its own
weights) is given by ``Scalarisation``: its value, its first derivatives C = ∂s/∂v (K, m + c) and,
where s is not linear in v (Chebyshev, an augmented Lagrangian), its second derivatives
S₂ = ∂²s/∂v² (K, m + c, m + c). Then

    ∇s = Σᵢ Cᵢ ∇vᵢ,    ∇²s = Σᵢ Cᵢ ∇²vᵢ + ∇vᵀ S₂ ∇v,

and ``Problem.derivatives`` gives the first term's Hessians in one pass over the rows.

- ``newton``: Newton steps from one batched Cholesky per iteration; a candidate whose Hessian is
  indefinite or singular (a non-convex fairness surrogate, collinear one-hot columns) takes the
  saddle-free step (|eigenvalues|) instead, a Levenberg–Marquardt term grows only for candidates
  whose steps keep being cut, and one backtracking line search serves all candidates. A point
  stops when its gradient is small (below) or its Newton decrement is at rounding level.
- ``lbfgs``: the two-loop recursion vectorised over K (memory ``LBFGS_MEMORY``), for models without
  Hessians, large d, and objectives with kinks.
- A point has converged when ‖∇s‖ ≤ tol·‖∇s‖ at its start (or at the solver's common start, whichever
  is larger) and its (quasi-)Newton decrement gᵀH⁻¹g, twice the decrease still to be had, is at most
  100·tol²·max(1, |s|): stationarity in the problem's own scale, not only a gradient that shrank.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

import numpy as np

from .descent import ARMIJO_C, ScaledProblem, descend

LBFGS_MEMORY = 12
MAX_HALVINGS = 30
LM_MAX = 1e6  # a stuck step is retried with a larger Levenberg–Marquardt term up to here
NEWTON_MAX_D = 1000  # above it a (K, d, d) Hessian costs more than L-BFGS's extra iterations
METHODS = ("auto", "newton", "lbfgs", "gd")


@dataclass(frozen=True)
class Scalarisation:
    """s(F, G) per candidate: ``value(F, G, rows)`` (K,), ``coef`` ∂s/∂v (K, m + c) and, unless s is
    linear in v, ``outer`` ∂²s/∂v² (K, m + c, m + c). ``rows`` index the candidates' own weights.
    With ``fixed_coef`` the coefficients are the same at every v, so Newton can take a point's
    Hessian in the same pass that gives its value."""

    value: Callable
    coef: Callable
    outer: Callable | None = None
    fixed_coef: bool = False  # C does not depend on v (a weighted sum): known before a pass


def choose_method(method: str, problem) -> str:
    """``auto``: Newton where every objective has second derivatives and d ≤ NEWTON_MAX_D, L-BFGS
    where every objective is smooth, else first-order descent."""
    if method not in METHODS:
        from ..._validation import fail

        fail("method", f"one of {', '.join(map(repr, METHODS))}", method)
    if method != "auto":
        if method == "newton" and not problem.has_second_order():
            from ..._validation import fail

            fail("method", "'lbfgs' or 'gd' for this problem: an objective or the model has no "
                 "second derivatives", method)
        return method
    if problem.has_second_order() and problem.d <= NEWTON_MAX_D:
        return "newton"
    objs = problem.objectives + tuple(c.objective for c in problem.constraints)
    if all(o.smooth for o in objs):
        return "lbfgs"
    return "gd"


def minimise(sp: ScaledProblem, scal: Scalarisation, Phi0, *, method: str, tol: float,
             budget: float, max_iter: int, gscale=None):
    """Minimise s for every row of Φ₀ (K, d); returns Φ, iterations and a status per row
    ("converged", "budget", "stalled")."""
    if sp.out_of_time():  # not even the first evaluation: the wall-clock budget is spent
        return np.array(Phi0, float), 0, np.full(len(Phi0), "budget", dtype=object)
    if method == "gd":
        return descend(sp, scal.value, scal.coef, Phi0, max_epochs=max_iter, tol=tol, budget=budget)
    fn = newton if method == "newton" else lbfgs
    return fn(sp, scal, Phi0, tol=tol, budget=budget, max_iter=max_iter, gscale=gscale)


def _gradient(scal, rows, F, G, dV, HC=None):
    """∇s (K, d) and, with HC, ∇²s (K, d, d) from the problem's derivatives in Φ."""
    C = scal.coef(F, G, rows)
    g = np.einsum("ki,kid->kd", C, dV)
    if HC is None:
        return g, None
    if scal.outer is not None:
        S2 = scal.outer(F, G, rows)
        HC = HC + np.einsum("kid,kij,kje->kde", dV, S2, dV)
    return g, HC


def _search(sp, scal, Phi, D, v, slope, rows, t0):
    """Backtracking along Φ − tD for every row at once: the largest t in {t₀, t₀/2, …} with
    s(Φ − tD) ≤ v − c·t·slope. Returns the new Φ, value, F, G, accepted t and which rows found none."""
    K = len(Phi)
    new, vnew = Phi.copy(), v.copy()
    Fn = Gn = None
    t = np.array(t0, float)
    pending = np.arange(K)
    for _ in range(MAX_HALVINGS):
        trial = Phi[pending] - t[pending, None] * D[pending]
        Ft, Gt = sp.values(trial)
        if Fn is None:
            Fn = np.empty((K, Ft.shape[1]))
            Gn = np.empty((K, Gt.shape[1]))
        vt = scal.value(Ft, Gt, rows[pending])
        ok = np.isfinite(vt) & (vt <= v[pending] - ARMIJO_C * t[pending] * slope[pending])
        done = pending[ok]
        new[done], vnew[done], Fn[done], Gn[done] = trial[ok], vt[ok], Ft[ok], Gt[ok]
        pending = pending[~ok]
        if len(pending) == 0:
            break
        t[pending] *= 0.5
    stuck = np.zeros(K, bool)
    stuck[pending] = True
    return new, vnew, Fn, Gn, t, stuck


def _ahead(sp, scal, Phi, D, v, slope, rows, C, g_held, H_held, held):
    """``_search`` whose first trial, the full step Φ − D, is a second-order pass: rows that accept
    it keep its gradient and Hessian in g_held, H_held (``held``); the others halve on values."""
    trial = Phi - D
    Ft, Gt, dV, HC = sp.second(trial, C)
    vt = scal.value(Ft, Gt, rows)
    ok = np.isfinite(vt) & (vt <= v - ARMIJO_C * slope)
    gt, Ht = _gradient(scal, rows, Ft, Gt, dV, HC)
    acc = rows[ok]
    g_held[acc], H_held[acc], held[acc] = gt[ok], Ht[ok], True
    held[rows[~ok]] = False
    new, vnew, Fn, Gn = trial, vt, Ft, Gt
    t, stuck = np.ones(len(rows)), np.zeros(len(rows), bool)
    if (~ok).any():
        bad = np.flatnonzero(~ok)
        # the halvings are judged on values passes, which sum the rows in another order than a
        # second-order pass: their start's value is taken the same way, or at 10⁶ rows a decrease
        # at rounding level looks like none (a point stalled)
        F0, G0 = sp.values(Phi[bad])
        nb, vb, Fb, Gb, tb, sb = _search(sp, scal, Phi[bad], D[bad],
                                         scal.value(F0, G0, rows[bad]), slope[bad], rows[bad],
                                         np.full(len(bad), 0.5))
        new[bad], vnew[bad], Fn[bad], Gn[bad], t[bad], stuck[bad] = nb, vb, Fb, Gb, tb, sb
    return new, vnew, Fn, Gn, t, stuck


def damped_solve(H, g, lam):
    """Solve (H + λ·s·I) p = g for each row, s = mean |diag H|, by one batched Cholesky. Rows whose
    matrix is not positive definite (an indefinite Hessian of a non-convex surrogate, or a singular
    one) take the saddle-free step instead: H's eigenvalues replaced by max(|eig|, 10⁻¹⁰·max |eig|),
    which keeps every direction of positive curvature as it is. Returns p and λ."""
    K, d, _ = H.shape
    scale = np.maximum(np.abs(np.diagonal(H, axis1=1, axis2=2)).mean(1), 1e-300)
    Hd = H + (lam * scale)[:, None, None] * np.eye(d)
    try:
        L = np.linalg.cholesky(Hd)
        bad = np.zeros(K, bool)
    except np.linalg.LinAlgError:
        bad = np.zeros(K, bool)
        for k in range(K):  # only on failure: find which rows are not positive definite
            try:
                np.linalg.cholesky(Hd[k])
            except np.linalg.LinAlgError:
                bad[k] = True
        L = np.linalg.cholesky(np.where(bad[:, None, None], np.eye(d), Hd))
    y = np.linalg.solve(L, g[:, :, None])
    step = np.linalg.solve(L.transpose(0, 2, 1), y)[:, :, 0]
    if bad.any():
        Hb = np.where(np.isfinite(Hd[bad]), Hd[bad], 0.0)
        ev, V = np.linalg.eigh(Hb)
        top = np.maximum(np.abs(ev).max(1, keepdims=True), 1e-300)
        ev = np.maximum(np.abs(ev), 1e-10 * top)
        step[bad] = np.einsum("kij,kj->ki", V, np.einsum("kji,kj->ki", V, g[bad]) / ev)
    return step, lam


def _converged(gnorm, gref, tol):
    return gnorm <= tol * gref


def _decrement_tol(tol, v):
    """The Newton decrement gᵀH⁻¹g below which a point is stationary: tol² of the value's scale,
    floored at rounding level (the default tol 10⁻⁸ gives 10⁻¹⁴·max(1, |s|))."""
    return np.maximum(tol * tol, 1e-15) * 100.0 * np.maximum(1.0, np.abs(v))


def newton(sp: ScaledProblem, scal: Scalarisation, Phi0, *, tol, budget, max_iter, gscale=None):
    """Damped Newton on every row of Φ₀ (K, d): per iteration one second-order pass (values,
    gradients and Hessians of all active rows), one batched Cholesky and one line search.

    With ``scal.fixed_coef`` (a weighted sum) the second-order pass is taken at the full Newton
    step, as the line search's first trial: when the step is accepted, as it mostly is, that pass
    is also the next iteration's, so a step costs one pass over the rows instead of two."""
    Phi = np.array(Phi0, float)
    K, d = Phi.shape
    rows_all = np.arange(K)
    status = np.full(K, "budget", dtype=object)
    lam = np.zeros(K)
    gref = np.full(K, np.nan)
    active = np.ones(K, bool)
    ahead = scal.fixed_coef
    held = np.zeros(K, bool)  # rows whose gradient and Hessian at Φ are held (``ahead``)
    if ahead:
        C0 = scal.coef(np.zeros((K, sp.problem.m)), np.zeros((K, sp.problem.n_constraints)),
                       rows_all)
        F, G, dV, HC = sp.second(Phi, C0)
        g_held, H_held = _gradient(scal, rows_all, F, G, dV, HC)
        held[:] = True
    else:
        F, G = sp.values(Phi)
    v = scal.value(F, G, rows_all)
    it = 0
    for it in range(1, max_iter + 1):
        r = np.flatnonzero(active)
        if len(r) == 0 or sp.evaluations + 2 * len(r) > budget or sp.out_of_time():
            break
        C = scal.coef(F[r], G[r], r)
        # the value's rounding scale: Σᵢ |Cᵢ vᵢ|, the size of the terms s adds up (an anchor's s is
        # a 10⁻⁶ share of a loss where its own gap is 0, far below 1)
        vscale = np.maximum((np.abs(C) * np.abs(np.hstack([F[r], G[r]]))).sum(1), 1e-300)
        if ahead:
            need = ~held[r]
            if need.any():
                rn = r[need]
                Fr, Gr, dV, HC = sp.second(Phi[rn], C[need])
                g_held[rn], H_held[rn] = _gradient(scal, rn, Fr, Gr, dV, HC)
                held[rn] = True
            g, H = g_held[r], H_held[r]
        else:
            Fr, Gr, dV, HC = sp.second(Phi[r], C)
            g, H = _gradient(scal, r, Fr, Gr, dV, HC)
        gn = np.sqrt((g * g).sum(1))
        first = np.isnan(gref[r])
        gref[r[first]] = np.maximum(gn[first], 0 if gscale is None else gscale)
        step, lam[r] = damped_solve(H, g, lam[r])
        # converged: a small gradient (against the start's) and a Newton decrement gᵀH⁻¹g (twice
        # the decrease still to be had) at rounding level of the value, which holds whatever the
        # problem's scale
        done = _converged(gn, gref[r], tol) & ((g * step).sum(1) <= _decrement_tol(tol, v[r]))
        status[r[done]] = "converged"
        active[r[done]] = False
        keep = ~done
        r, g, H, step, vscale = r[keep], g[keep], H[keep], step[keep], vscale[keep]
        if len(r) == 0:
            break
        # a Newton decrement at rounding level: no step can lower s any more, the point is stationary
        flat = (g * step).sum(1) <= 1e-15 * vscale
        if flat.any():
            status[r[flat]], active[r[flat]] = "converged", False
            r, g, H, step, vscale = r[~flat], g[~flat], H[~flat], step[~flat], vscale[~flat]
            if len(r) == 0:
                break
        # a step across a flat region (saturated links, a near-zero eigenvalue) is cut to a box
        # ten times the size of the point itself: the line search then starts from a sane length
        size = np.abs(step).max(1)
        cap = 10.0 * np.maximum(1.0, np.abs(Phi[r]).max(1))
        step *= np.minimum(1.0, cap / np.maximum(size, 1e-300))[:, None]
        dec = (g * step).sum(1)
        if ahead:
            new, vnew, Fn, Gn, t, stuck = _ahead(sp, scal, Phi[r], step, v[r], dec, r,
                                                 scal.coef(F[r], G[r], r), g_held, H_held, held)
        else:
            new, vnew, Fn, Gn, t, stuck = _search(sp, scal, Phi[r], step, v[r], dec, r,
                                                  np.ones(len(r)))
        ok = ~stuck
        Phi[r[ok]], v[r[ok]], F[r[ok]], G[r[ok]] = new[ok], vnew[ok], Fn[ok], Gn[ok]
        # Levenberg–Marquardt: trust the model more after full steps, less after much-cut ones
        lam[r] = np.where(t >= 1, lam[r] / 10, np.where(t < 1e-3, np.minimum(
            np.maximum(lam[r] * 10, 1e-6), 1e6), lam[r]))
        lam[r[lam[r] < 1e-12]] = 0.0
        if stuck.any():
            # no decrease along a damped Newton step: at rounding level the point is a minimum
            # (judged on the value's own size, |s| or 1: a stuck line search has met the values'
            # noise, which over many rows lies above Σ|Cᵢvᵢ|'s rounding)
            rs = r[stuck]
            at_min = np.abs(dec[stuck]) <= 1e-13 * np.maximum(vscale[stuck],
                                                              np.maximum(1.0, np.abs(v[rs])))
            # else the quadratic model misled the step (Gauss–Newton curvature along a curved
            # valley): retry from the same point with a Levenberg–Marquardt term 100× larger,
            # which turns the step toward the gradient, before calling the point stalled
            retry = ~at_min & (lam[rs] < LM_MAX)
            lam[rs[retry]] = np.maximum(100.0 * lam[rs[retry]], 1e-3)
            if ahead:
                held[rs[retry]] = True  # the point did not move: its derivatives still hold
            final = ~retry
            status[rs[final]] = np.where(at_min[final], "converged", "stalled")
            active[rs[final]] = False
    return Phi, it, status


def lbfgs(sp: ScaledProblem, scal: Scalarisation, Phi0, *, tol, budget, max_iter, gscale=None,
          memory: int = LBFGS_MEMORY):
    """Batched L-BFGS: the two-loop recursion for all active rows at once, newest pair first in
    (K, memory, d) arrays; pairs with sᵀy ≤ 0 are skipped (the line search is Armijo only)."""
    Phi = np.array(Phi0, float)
    K, d = Phi.shape
    status = np.full(K, "budget", dtype=object)
    S = np.zeros((K, memory, d))
    Y = np.zeros((K, memory, d))
    rho = np.zeros((K, memory))
    gref = np.full(K, np.nan)
    active = np.ones(K, bool)

    def grad_at(P, rows):
        F, G, g = sp.combine(P, lambda F, G: scal.coef(F, G, rows))
        return F, G, scal.value(F, G, rows), g

    F, G, v, g = grad_at(Phi, np.arange(K))
    it = 0
    for it in range(1, max_iter + 1):
        r = np.flatnonzero(active)
        if len(r) == 0 or sp.evaluations + 2 * len(r) > budget or sp.out_of_time():
            break
        gr = g[r]
        gn = np.sqrt((gr * gr).sum(1))
        first = np.isnan(gref[r])
        gref[r[first]] = np.maximum(gn[first], 0 if gscale is None else gscale)
        # two-loop recursion, vectorised over the rows
        q = gr.copy()
        a = np.zeros((len(r), memory))
        for j in range(memory):
            a[:, j] = rho[r, j] * (S[r, j] * q).sum(1)
            q -= a[:, j, None] * Y[r, j]
        sy, yy = (S[r, 0] * Y[r, 0]).sum(1), (Y[r, 0] * Y[r, 0]).sum(1)
        fresh = yy <= 0
        gamma = np.where(fresh, 1.0 / np.maximum(np.abs(gr).max(1), 1e-300), sy / np.where(fresh, 1, yy))
        q *= np.where(fresh, np.minimum(1.0, gamma), gamma)[:, None]
        for j in reversed(range(memory)):
            b = rho[r, j] * (Y[r, j] * q).sum(1)
            q += (a[:, j] - b)[:, None] * S[r, j]
        slope = (gr * q).sum(1)
        bad = ~(slope > 0)  # not a descent direction: restart from the gradient
        if bad.any():
            q[bad] = gr[bad] / np.maximum(np.sqrt((gr[bad] ** 2).sum(1)), 1e-300)[:, None]
            slope[bad] = (gr[bad] * q[bad]).sum(1)
            rho[r[bad]] = 0.0
        # converged: a small gradient (against the start's) and, once curvature pairs are known,
        # a quasi-Newton decrement gᵀH⁻¹g (twice the decrease still to be had) at rounding level of
        # the value: the gradient alone says little where the problem is badly scaled
        known = rho[r].any(1) & ~bad
        done = _converged(gn, gref[r], tol) & (~known | (slope <= _decrement_tol(tol, v[r])))
        done |= gn == 0
        status[r[done]] = "converged"
        active[r[done]] = False
        keep = ~done
        r, gr, q, slope = r[keep], gr[keep], q[keep], slope[keep]
        if len(r) == 0:
            break
        new, vnew, _, _, t, stuck = _search(sp, scal, Phi[r], q, v[r], slope, r, np.ones(len(r)))
        ok = r[~stuck]
        if len(ok):
            Fo, Go, vo, go = grad_at(new[~stuck], ok)
            s_new = new[~stuck] - Phi[ok]
            y_new = go - g[ok]
            sy = (s_new * y_new).sum(1)
            take = sy > 1e-12 * np.sqrt((s_new ** 2).sum(1) * (y_new ** 2).sum(1))
            tk = ok[take]
            S[tk] = np.roll(S[tk], 1, axis=1)
            Y[tk] = np.roll(Y[tk], 1, axis=1)
            rho[tk] = np.roll(rho[tk], 1, axis=1)
            S[tk, 0], Y[tk, 0], rho[tk, 0] = s_new[take], y_new[take], 1.0 / sy[take]
            Phi[ok], F[ok], G[ok], v[ok], g[ok] = new[~stuck], Fo, Go, vo, go
        if stuck.any():
            rs = r[stuck]
            at_min = np.abs(slope[stuck]) <= 1e-13 * np.maximum(1.0, np.abs(v[rs]))
            # a stuck quasi-Newton step gets one retry from the plain gradient
            retry = ~at_min & (rho[rs].any(1))
            rho[rs[retry]] = 0.0
            S[rs[retry]] = 0.0
            Y[rs[retry]] = 0.0
            final = ~retry
            status[rs[final]] = np.where(at_min[final], "converged", "stalled")
            active[rs[final]] = False
    return Phi, it, status
