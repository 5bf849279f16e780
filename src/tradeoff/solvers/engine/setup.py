"""What every gradient solver shares (``Setup``): the problem seen in standardised parameters Φ,
the start point, the m lexicographic anchors and the normalisation f̃ = (f − ideal) / span they give,
the budget, and constraints by an augmented Lagrangian; and the scalarisations the loops minimise
(a linear mix, the normalised weighted sum, the smooth Chebyshev).

Each anchor is a lexicographic optimum: fᵢ minimised, then the others at that fᵢ (fᵢ + s·Σⱼ fⱼ for
s = 10⁻³, then 10⁻⁶, warm-started). Those anchor evaluations count toward the budget.
"""

from __future__ import annotations

import time

import numpy as np

from ..._validation import check_positive
from ...front import Front
from ...problem import Problem
from .descent import ScaledProblem
from .newton import Scalarisation, choose_method, minimise

ANCHOR_SHARE = 1e-3
LEXICOGRAPHIC_SHARES = (1e-3, 1e-6)
ANCHOR_TOL = 1e-12  # the anchors' gradient tolerance (Newton, L-BFGS): they set the normalisation
AL_TOL = 1e-8  # normalised violation at which the multipliers count as settled (a move along the
# chord then makes each bound hold exactly)
RHO_START = 100.0
MAX_RHO = 1e6  # the augmented Lagrangian's penalty stops growing here (Newton stays well conditioned)
RESTORE_HALVINGS = 12  # moves toward a feasible point are found to 2⁻¹² of the segment
DIVERGED = 1e6  # values this many times the start's scale away from the start: diverged
DEFAULT_TOL = {"newton": 1e-8, "lbfgs": 1e-8, "gd": 1e-10}


class AugmentedLagrangian:
    """L = s + Σⱼ (max(0, λⱼ + ρhⱼ)² − λⱼ²) / 2ρ for constraints h(F, G, rows) ≤ 0 (K, q) that are
    affine in the columns ``cols`` of v = (F, G) with diagonal ∂h/∂v = ``dh`` (q,), or a function
    giving it (where the normalisation moves): its value, coefficients ∂L/∂v and (where ``scal``
    has them) second derivatives, with λ (K, q) and ρ updated between solves. The full-batch
    engine grows ρ; the mini-batch loop keeps it fixed."""

    def __init__(self, scal: Scalarisation, h, cols, dh, K: int, width: int, rho: float):
        self.scal, self.h, self.cols, self.dh, self.rho = scal, h, cols, dh, rho
        self.width = width  # m + c: the columns of v
        self.lam = np.zeros((K, len(cols)))

    def _dh(self):
        return self.dh() if callable(self.dh) else self.dh

    def _shifted(self, F, G, r):
        return self.lam[r] + self.rho * self.h(F, G, r)

    def value(self, F, G, r):
        lam = self.lam[r]
        return self.scal.value(F, G, r) + ((np.maximum(0, self._shifted(F, G, r)) ** 2 - lam ** 2)
                                           / (2 * self.rho)).sum(1)

    def coef(self, F, G, r):
        C = self.scal.coef(F, G, r).copy()
        C[:, self.cols] += np.maximum(0, self._shifted(F, G, r)) * self._dh()
        return C

    def outer(self, F, G, r):
        S2 = (np.zeros((len(r), self.width, self.width)) if self.scal.outer is None
              else self.scal.outer(F, G, r).copy())
        on = self._shifted(F, G, r) > 0
        S2[:, self.cols, self.cols] += self.rho * on * self._dh() ** 2
        return S2

    def update(self, hv):
        """λ ← max(0, λ + ρh) from the constraints' values hv (K, q)."""
        self.lam = np.maximum(0, self.lam + self.rho * hv)

    def scalarisation(self) -> Scalarisation:
        return Scalarisation(self.value, self.coef, self.outer)


class Setup:
    """What every gradient solver shares: Φ-space problem, start point, normalisation, budget."""

    def __init__(self, problem: Problem, *, n_points, max_evaluations, max_epochs, tol,
                 standardize, seed, checks: int = 0, method: str = "auto", max_seconds=None,
                 anchors: bool = True):
        check_positive("n_points", n_points, integer=True)
        check_positive("max_epochs", max_epochs, integer=True)
        self.max_seconds = None if max_seconds is None else check_positive("max_seconds",
                                                                           max_seconds)
        self.method = choose_method(method, problem)
        self.step_label = ""  # a solver whose steps are not the engine's says what they are
        tol = DEFAULT_TOL[self.method] if tol is None else tol
        check_positive("tol", tol)
        self.problem = problem
        self.K = n_points
        self.budget = (check_positive("max_evaluations", max_evaluations, integer=True)
                       if max_evaluations is not None else 2000 * n_points)
        self.max_epochs = max_epochs
        self.tol = tol
        self.rng = np.random.default_rng(seed)
        # generalised Gauss–Newton curvature: positive semi-definite, so steps descend even on the
        # non-convex fairness surrogates
        self.sp = ScaledProblem(problem, standardize, gauss_newton=False)
        if max_seconds is not None:  # the anchors' solves count toward the wall-clock budget too
            self.sp.deadline = time.perf_counter() + max_seconds
        # evaluations kept back from the descent for the steps after it: the final evaluation of
        # the front, ``checks`` more per point (the ε-constraint's bound), and the moves that
        # restore feasibility under constraints
        self.c = problem.n_constraints
        self.reserve = n_points * (1 + checks + (RESTORE_HALVINGS + 1 if self.c else 0))
        lo, hi = problem.phi_box()
        start = 0.5 * (lo + hi)
        if not standardize:
            start = problem.standardizer.to_original(start[None])[0]
        self.start = start
        self.m, self.c = problem.m, problem.n_constraints
        if anchors:
            self._anchors()
        else:  # the caller normalises its own way (the mini-batch loop's online anchors)
            self.ideal, self.span = np.zeros(self.m), np.ones(self.m)

    def _anchors(self):
        """Ideal and nadir from m lexicographic anchors, solved together as one array program."""
        m = self.m
        F0, _, dF0 = self.sp.gradients(self.start[None])
        self.F_start = F0[0]
        raw = np.abs(F0[0])
        Phi = np.repeat(self.start[None], m, 0)
        budget = self.sp.evaluations + max((self.budget - self.reserve) // 4, 50 * m)
        # stationarity is judged against the gradients at the common start: a point that starts
        # next to its solution must still make its gradient small in the problem's own terms
        self._g0 = np.sqrt((dF0[0] ** 2).sum(1))
        self.gscale = float((self._g0 / np.maximum(raw, 1e-12)).max())
        # anchors of a surrogate that is zero on a whole manifold (a parity gap) are far better
        # conditioned under the positive semi-definite Gauss–Newton curvature
        self.sp.gauss_newton = True
        # anchors set every point's normalisation: solved tighter than the points (a tie broken
        # by a share of 10⁻⁶ is resolved only as far as the gradient test reaches)
        point_tol = self.tol
        if self.method != "gd":
            self.tol = min(self.tol, ANCHOR_TOL)
        flat = ~(raw > 1e-12)
        if flat.any():
            # an objective that is zero at the start (an L2 norm at θ = 0, the parity gap of a
            # constant predictor) gives no scale there: 10⁻³ of it over 10⁻¹² would outweigh the
            # anchor's own objective a billion times. Its scale is what it is where the others are
            # optimal: each objective is minimised alone first, and the anchors start from there.
            Phi, _, _ = self.constrained(Phi, linear_scalarisation(
                np.diag(1.0 / np.maximum(raw, 1e-12)), self.c), budget=budget)
            FP, _ = self.sp.values(Phi)
            raw = np.where(flat, np.abs(FP).max(axis=0), raw)
        raw = np.maximum(raw, 1e-12)
        self.gscale = float((self._g0 / raw).max())
        # first-order descent cannot resolve 1e-6 ties: it takes the first share only
        shares = LEXICOGRAPHIC_SHARES if self.method != "gd" else LEXICOGRAPHIC_SHARES[:1]
        for share in shares:
            W = np.full((m, m), share)
            np.fill_diagonal(W, 1.0)
            C = W / raw
            Phi, _, status = self.constrained(Phi, linear_scalarisation(C, self.c), budget=budget)
        if self.method != "gd":
            # the shares' units, |f(start)|, depend on where the solver started (a user's model
            # at θ = 0, a built-in one at the least-squares fit), and so would the anchors: once
            # more in the units of the anchors' own nadir, which do not (to first order)
            FA, _ = self.sp.values(Phi)
            raw = np.maximum(np.abs(FA).max(axis=0), 1e-12)
            W = np.full((m, m), shares[-1])
            np.fill_diagonal(W, 1.0)
            Phi, _, status = self.constrained(Phi, linear_scalarisation(W / raw, self.c),
                                              budget=budget)
        self.sp.gauss_newton = False
        self.tol = point_tol
        self.anchor_status = status
        FA, _ = self.sp.values(Phi)
        self.anchor_phi, self.anchor_F = Phi, FA
        self.ideal = FA.min(axis=0)
        nadir = FA.max(axis=0)
        self.span = np.where(nadir - self.ideal > 1e-12 * np.maximum(1, np.abs(nadir)),
                             nadir - self.ideal, np.maximum(np.abs(nadir), 1.0))
        self.gscale = float((self._g0 / self.span).max())

    def start_values(self) -> np.ndarray:
        """F (m,) at the common start (evaluated once)."""
        if getattr(self, "F_start", None) is None:
            theta = self.sp.theta(self.start[None])  # not counted: a check, not a search step
            self.F_start = self.problem.evaluate(theta, grad=False).F[0]
        return self.F_start

    def diverged(self, F, G) -> np.ndarray:
        """(K,) points whose values are not finite or lie beyond ``DIVERGED`` times the scale set
        by the start (its values, and the anchors' span): a step size or a problem that blew up."""
        F0 = self.start_values()
        finite_G = np.isfinite(G).all(1) if G.size else np.ones(len(F), bool)
        return diverged(F, F0, np.maximum(np.abs(F0), np.asarray(self.span, float))) | ~finite_G

    def norm(self, F):
        return (F - self.ideal) / self.span

    def solve(self, Phi0, scal: Scalarisation, budget, tol=None):
        """One unconstrained solve by the engine: Φ, iterations, status per row."""
        return minimise(self.sp, scal, Phi0, method=self.method, tol=tol or self.tol,
                        budget=budget, max_iter=self.max_epochs, gscale=self.gscale)

    def constrained(self, Phi0, scal: Scalarisation, *, eps_rows=None, budget=None):
        """Minimise s subject to the problem's constraints (and f̃ᵢ ≤ ε̃ᵢ from ``eps_rows``, an array
        (K, m − 1) of normalised bounds on objectives 2…m) by an augmented Lagrangian: each round
        is one batched solve of L = s + Σⱼ (max(0, λⱼ + ρhⱼ)² − λⱼ²) / 2ρ."""
        inner = max(self.budget - self.reserve, 0)
        budget = inner if budget is None else min(budget, inner)
        m, c, K = self.m, self.c, len(Phi0)
        n_eps = 0 if eps_rows is None else eps_rows.shape[1]
        if c == 0 and n_eps == 0:
            return self.solve(Phi0, scal, budget)
        # constraints h ≤ 0: normalised objectives above their ε, then the problem's g
        span = getattr(self, "span", np.ones(m))
        ideal = getattr(self, "ideal", np.zeros(m))
        # ∂h/∂v is diagonal: 1/spanᵢ on objectives 2…m, 1 on each constraint
        dh = np.concatenate([1.0 / span[1:m][:n_eps], np.ones(c)])
        cols = np.concatenate([np.arange(1, 1 + n_eps), m + np.arange(c)]).astype(int)

        def h(F, G, r):
            parts = []
            if n_eps:
                parts.append((F[:, 1:] - ideal[1:]) / span[1:] - eps_rows[r])
            if c:
                parts.append(G)
            return np.hstack(parts)

        al = AugmentedLagrangian(scal, h, cols, dh, K, m + c, RHO_START)
        L = al.scalarisation()
        Phi = np.array(Phi0, float)
        status = np.full(K, "budget", dtype=object)
        epochs = 0
        prev = np.inf
        viol = np.inf
        for _ in range(30):
            start_evals = self.sp.evaluations
            # inexact early rounds: the inner tolerance follows the violation down to ``tol``
            inner_tol = None if self.method == "gd" else max(self.tol, min(1e-3, 0.1 * prev))
            Phi, e, status = self.solve(Phi, L, budget, inner_tol)
            epochs += e
            F, G = self.sp.values(Phi)
            hv = h(F, G, np.arange(K))
            al.update(hv)
            viol = np.maximum(hv, 0).max()
            if (self.sp.evaluations >= budget or self.sp.evaluations == start_evals
                    or self.sp.out_of_time()):
                break
            if viol <= AL_TOL:
                if inner_tol is None or inner_tol <= self.tol:
                    break
                prev = viol  # feasible, but solved loosely: once more at the full tolerance
                continue
            if viol > 0.25 * prev:
                if al.rho >= MAX_RHO:  # the multipliers no longer help: a degenerate constraint
                    break
                al.rho = min(al.rho * 5.0, MAX_RHO)
            prev = viol
        if viol > 100 * AL_TOL:  # the multipliers had not settled: not a KKT point yet
            status = np.where(status == "converged", "budget", status)
        if c:
            Phi = self._restore_constraints(Phi)
        return Phi, epochs, status

    def _feasible_point(self):
        """A point with every g ≤ 0, by minimising Σ max(0, gⱼ)² alone from the start (phase one),
        or None if none was found."""
        if not hasattr(self, "_feasible"):
            m = self.m

            def value(F, G, r):
                return (np.maximum(G, 0.0) ** 2).sum(1)

            def coef(F, G, r):
                return np.hstack([np.zeros((len(r), m)), 2.0 * np.maximum(G, 0.0)])

            def outer(F, G, r):
                k, c = G.shape
                S2 = np.zeros((k, m + c, m + c))
                S2[:, m + np.arange(c), m + np.arange(c)] = 2.0 * (G > 0)
                return S2

            Phi, _, _ = minimise(self.sp, Scalarisation(value, coef, outer), self.start[None],
                                 method=self.method, tol=1e-14, max_iter=self.max_epochs,
                                 budget=self.sp.evaluations + 100 * self.max_epochs)
            _, G = self.sp.values(Phi)
            self._feasible = Phi[0] if (G <= 0).all() else None
        return self._feasible

    def _restore_constraints(self, Phi):
        """Move points that break a constraint toward a feasible point until none is broken: for
        convex constraints the feasible part of the segment is an interval that holds its end, so
        halving the move finds its first feasible point."""
        _, G = self.sp.values(Phi)
        bad = np.flatnonzero((G > 0).any(1))
        if len(bad) == 0:
            return Phi
        target = self._feasible_point()
        if target is None:
            return Phi  # the front then reports these points as infeasible
        lo, hi = np.zeros(len(bad)), np.ones(len(bad))
        P0 = Phi[bad]
        for _ in range(RESTORE_HALVINGS):
            mid = 0.5 * (lo + hi)
            _, Gt = self.sp.values((1 - mid)[:, None] * P0 + mid[:, None] * target)
            ok = (Gt <= 0).all(1)
            hi, lo = np.where(ok, mid, hi), np.where(ok, lo, mid)
        Phi = Phi.copy()
        Phi[bad] = (1 - hi)[:, None] * P0 + hi[:, None] * target
        return Phi

    def finish(self, name, options, Phi, status, epochs, t0, extra=None):
        with np.errstate(over="ignore", invalid="ignore"):
            Theta = self.sp.theta(Phi)
            good = np.isfinite(Theta).all(1)  # parameters that overflowed have no values at all
            F = np.full((len(Phi), self.m), np.nan)
            G = np.full((len(Phi), self.c), np.nan)
            if good.any():
                F[good], G[good] = self.sp.values(Phi[good])
        status = np.where(self.diverged(F, G), "diverged", status)
        converged = int((status == "converged").sum())
        stalled = int((status == "stalled").sum())
        feasible = (G <= 0).all(1) if self.c else np.ones(len(F), bool)
        ok = converged == len(Phi) and bool(feasible.all())
        rule = ("‖∇‖ ≤ tol·‖∇ at start‖" if self.step_label else
                "‖∇‖ ≤ tol·‖∇ at start‖, decrement ≤ 100·tol²" if self.method != "gd" else
                "values settled")
        how = self.step_label or self.method
        diverged = int((status == "diverged").sum())
        ok = ok and not diverged
        if ok:
            msg = f"all {len(Phi)} points converged ({how}, {rule}, tol={self.tol:g})"
        else:
            msg = (f"{converged} of {len(Phi)} points converged ({how}, {rule}, "
                   f"tol={self.tol:g})")
            if stalled:
                msg += f"; {stalled} stalled (no decrease along the step)"
            if diverged:
                msg += (f"; {diverged} diverged (values not finite or beyond "
                        f"{DIVERGED:g} times the start's scale: lower `lr` or rescale)")
            if converged + stalled + diverged < len(Phi):
                msg += (f"; the budget of {self.budget} evaluations or {self.max_epochs} "
                        "iterations ran out first" if not self.sp.out_of_time() else
                        f"; the wall-clock budget of {self.max_seconds:g} s ran out first")
            if not feasible.all():
                msg += (f"; {int((~feasible).sum())} of {len(Phi)} points break a constraint"
                        + (" (none is feasible: the constraints may not be satisfiable)"
                           if not feasible.any() else ""))
        options = {**options, "method": self.method, "n_points": len(Phi)}
        if self.max_seconds is not None:
            options["max_seconds"] = self.max_seconds
        return Front(F, Theta, self.problem.objective_names, self.problem.param_names, name,
                     options, self.sp.evaluations, time.perf_counter() - t0, ok, msg,
                     G if self.c else None,
                     {"epochs": epochs, "ideal": self.ideal.tolist(), "span": self.span.tolist(),
                      "counts": dict(self.sp.counts), "converged": converged,
                      "diverged": diverged, "point_status": status.tolist(),
                      **({} if self.max_seconds is None else
                         {"out_of_time": self.sp.out_of_time()}), **(extra or {})})


def diverged(F, F0, scale) -> np.ndarray:
    """(K,) rows of F (K, m) that are not finite or lie more than ``DIVERGED`` × ``scale`` (m,)
    from the start's values F0 (m,)."""
    with np.errstate(over="ignore", invalid="ignore"):
        far = (np.abs(F - F0) > DIVERGED * np.maximum(scale, 1e-300)).any(1)
    return ~np.isfinite(F).all(1) | far


def linear_scalarisation(C, c):
    """The scalarisation Σᵢ Cₖᵢ fᵢ (constraints weigh 0): linear in the objectives."""
    def value(F, G, r):
        return (F * C[r]).sum(1)

    def coef(F, G, r):
        return np.hstack([C[r], np.zeros((len(r), c))])

    return Scalarisation(value, coef, fixed_coef=True)


def weighted_scalarisation(setup: Setup, W):
    """Weighted sum Σ Wₖᵢ f̃ᵢ: value and gradient coefficients (constraints get 0)."""
    c = setup.c

    def value(F, G, r):
        return (setup.norm(F) * W[r]).sum(1)

    def coef(F, G, r):
        return np.hstack([W[r] / setup.span, np.zeros((len(r), c))])

    return Scalarisation(value, coef, fixed_coef=True)


def tchebycheff_weights(R):
    """Weights whose Tchebycheff rays are the rows of R (K, m): wᵢ ∝ 1 / (rᵢ + 0.01)."""
    W = 1.0 / (R + 1e-2)  # even rays, not even weights
    return W / W.sum(1, keepdims=True)


UTOPIA = -0.01  # z̃ of the ray-based scalarisations, a little below the normalised ideal 0


def tchebycheff(s, W, mu):
    """value, coef and outer of the smooth Tchebycheff scalarisation for weight rows W (K, m), on
    the normalised objectives ``s.norm(F)`` (s: a Setup, or anything with norm, span, m and c)."""
    z = UTOPIA

    def probs(F, r):
        a = W[r] * (s.norm(F) - z) / mu
        amax = a.max(1, keepdims=True)
        e = np.exp(a - amax)
        return a, amax[:, 0], e / e.sum(1, keepdims=True)

    def value(F, G, r):
        a, amax, _ = probs(F, r)
        return mu * (amax + np.log(np.exp(a - amax[:, None]).sum(1)))

    def coef(F, G, r):
        p = probs(F, r)[2]
        return np.hstack([p * W[r] / s.span, np.zeros((len(r), s.c))])

    def outer(F, G, r):
        # ∂²s/∂fᵢ∂fⱼ = (uᵢuⱼ/μ)(pᵢδᵢⱼ − pᵢpⱼ), uᵢ = wᵢ/spanᵢ
        p = probs(F, r)[2]
        u = W[r] / s.span
        S = np.zeros((len(r), s.m + s.c, s.m + s.c))
        S[:, :s.m, :s.m] = (u[:, :, None] * u[:, None, :] / mu) * (
            np.einsum("ki,ij->kij", p, np.eye(s.m)) - p[:, :, None] * p[:, None, :])
        return S

    return value, coef, outer


def ray_weights(R):
    """Rays of the PBI and AASF scalarisations for preference rows R (K, m): (rᵢ + 0.01) / Σ, the
    rays along which Chebyshev's weights 1 / (rᵢ + 0.01) place their points (no ray on an axis,
    where AASF would divide by 0)."""
    V = R + 1e-2
    return V / V.sum(1, keepdims=True)


def _block(s, k, S):
    """(k, m + c, m + c) second derivatives with S (k, m, m) on the objectives, 0 on constraints."""
    out = np.zeros((k, s.m + s.c, s.m + s.c))
    out[:, :s.m, :s.m] = S / (s.span[:, None] * s.span[None, :])
    return out


def pbi(s, V, theta, mu):
    """value, coef and outer of penalty-based boundary intersection (Zhang & Li 2007, MOEA/D;
    pymoo's ``PBI``) on the normalised objectives f̃ for rays V (K, m): d₁ + θ·d₂, with d₁ the length
    of f̃ − z̃ along the ray and d₂ its distance from the ray. d₂ is not differentiable on the ray,
    where PBI's minimiser usually lies, so it is smoothed to √(d₂² + μ²) − μ (within μ of d₂;
    ``mu=0`` gives pymoo's value exactly and no second derivatives)."""
    def parts(F, r):
        fz = s.norm(F) - UTOPIA
        u = V[r] / np.linalg.norm(V[r], axis=1, keepdims=True)
        d1 = (fz * u).sum(1)
        p = fz - d1[:, None] * u  # the component off the ray: d₂ = ‖p‖
        q = np.sqrt((p * p).sum(1) + mu * mu)
        return u, d1, p, q

    def value(F, G, r):
        _, d1, _, q = parts(F, r)
        return d1 + theta * (q - mu)

    def coef(F, G, r):
        u, _, p, q = parts(F, r)
        # ∂d₂/∂f̃ = p / q; on the ray with μ = 0 any subgradient will do, and 0 is one
        dp = np.divide(p, q[:, None], out=np.zeros_like(p), where=q[:, None] > 0)
        return np.hstack([(u + theta * dp) / s.span, np.zeros((len(r), s.c))])

    def outer(F, G, r):
        # ∂²/∂f̃² of θ·√(‖p‖² + μ²) = (θ/q)(P − p pᵀ/q²), P = I − u uᵀ the projection off the ray
        u, _, p, q = parts(F, r)
        P = np.eye(s.m)[None] - u[:, :, None] * u[:, None, :]
        pp = p[:, :, None] * p[:, None, :] / (q * q)[:, None, None]
        S = (theta / q)[:, None, None] * (P - pp)
        return _block(s, len(r), S)

    return value, coef, (outer if mu > 0 else None)


def aasf(s, V, rho, mu):
    """value, coef and outer of the augmented achievement scalarising function (Wierzbicki 1980;
    pymoo's ``AASF``) on the normalised objectives f̃ for rays V (K, m), all entries > 0:
    maxᵢ (f̃ᵢ − z̃)/vᵢ + ρ Σᵢ (f̃ᵢ − z̃)/vᵢ. The max is c times Chebyshev's with the weights
    (1/vᵢ)/c, c = Σᵢ 1/vᵢ, and is smoothed as that one is, c·μ·log Σ exp(·/μ), within c·μ·log m
    (``mu=0``: the exact max, pymoo's value, and no second derivatives); the augmentation, linear,
    makes every minimiser Pareto optimal, not only weakly."""
    Winv = 1.0 / V
    if mu > 0:
        # smoothed as Chebyshev's with its weights summing to 1, then scaled back by c = Σ 1/vᵢ:
        # μ acts relative to each row's scale (1/vᵢ reaches 100 near an axis, and a μ in absolute
        # units would leave the max almost as kinked as without smoothing there)
        c = Winv.sum(1)
        cv, cc, co = tchebycheff(s, Winv / c[:, None], mu)

        def tv(F, G, r):
            return c[r] * cv(F, G, r)

        def tc(F, G, r):
            return c[r, None] * cc(F, G, r)

        def to(F, G, r):
            return c[r, None, None] * co(F, G, r)
    else:
        def tv(F, G, r):
            return (Winv[r] * (s.norm(F) - UTOPIA)).max(1)

        def tc(F, G, r):
            a = Winv[r] * (s.norm(F) - UTOPIA)
            onehot = (np.arange(s.m)[None] == a.argmax(1)[:, None])
            return np.hstack([onehot * Winv[r] / s.span, np.zeros((len(r), s.c))])

        to = None

    def value(F, G, r):
        return tv(F, G, r) + rho * (Winv[r] * (s.norm(F) - UTOPIA)).sum(1)

    def coef(F, G, r):
        C = tc(F, G, r)
        C[:, :s.m] += rho * Winv[r] / s.span
        return C

    return value, coef, to  # the augmentation is linear: no second derivatives of its own


#: the ray-based scalarisations and their parameters (checked > 0; ``rho`` ≥ 0)
DECOMPOSITIONS = {"chebyshev": ("mu",), "pbi": ("theta", "mu"), "aasf": ("rho", "mu")}


def check_decomposition(kind: str, params: dict) -> None:
    """The parameters of the scalarisation ``kind``, checked before any solve."""
    for key in DECOMPOSITIONS[kind]:
        check_positive(key, params[key], allow_zero=key == "rho")


def decomposition(s, kind: str, R, params: dict):
    """The weight rows and (value, coef, outer) of the scalarisation ``kind`` (DECOMPOSITIONS) for
    preference rows R (K, m), with its parameters ``params``."""
    check_decomposition(kind, params)
    if kind == "chebyshev":
        W = tchebycheff_weights(R)
        return W, tchebycheff(s, W, params["mu"])
    V = ray_weights(R)
    if kind == "pbi":
        return V, pbi(s, V, params["theta"], params["mu"])
    return V, aasf(s, V, params["rho"], params["mu"])
