"""The batched descent engine shared by the gradient solvers.

Candidates live in standardised parameters Φ (K, d) with Θ = Φ A (see ``Standardizer``), which makes
one step size fit every coordinate. Each epoch takes one gradient per active candidate and a
backtracking (Armijo) line search done for all candidates at once: trial steps that fail the
sufficient-decrease test are halved, only for the candidates that failed.
"""

from __future__ import annotations

import time
from typing import Callable

import numpy as np

from ...problem import Problem

ARMIJO_C = 1e-4
MAX_HALVINGS = 40


class ScaledProblem:
    """A problem seen in Φ, counting evaluations.

    ``evaluations`` (what budgets count) is one per candidate and pass over the full data, whatever
    the pass computes: values, gradients, or Hessians formed from a Gram pass. ``counts`` keeps
    function, gradient and Hessian evaluations apart."""

    def __init__(self, problem: Problem, standardize: bool = True, gauss_newton: bool = False):
        self.problem = problem
        self.gauss_newton = gauss_newton
        from ...models import Unscaled

        # an identity map (a non-affine model, or standardize=False) is never formed as a d × d
        # matrix: at d = 10⁵ that would be 80 GB
        self.identity = (not standardize) or isinstance(problem.standardizer, Unscaled)
        self.A = None if self.identity else problem.standardizer.matrix
        self._std = problem.standardizer
        self.evaluations = 0
        self.counts = {"function": 0, "gradient": 0, "hessian": 0}
        self.deadline = None  # time.perf_counter() value of a wall-clock budget (max_seconds)

    def out_of_time(self) -> bool:
        """Whether the wall-clock budget is spent (solvers check it between iterations)."""
        return self.deadline is not None and time.perf_counter() >= self.deadline

    def _count(self, K, *kinds):
        self.evaluations += K
        for kind in kinds:
            self.counts[kind] += K

    def second(self, Phi, C):
        """F, G, dV (K, m + c, d) and H = Σᵢ Cᵢ ∇²vᵢ (K, d, d), all in Φ."""
        self._count(len(Phi), "function", "gradient", "hessian")
        F, G, dV, H = self.problem.derivatives(self.theta(Phi), C, gauss_newton=self.gauss_newton)
        if self.identity:
            return F, G, dV, H
        return F, G, self.to_phi_gradient(dV), self.to_phi_hessian(H)

    def theta(self, Phi):
        return np.asarray(Phi, float) if self.identity else Phi @ self.A

    def phi(self, Theta):
        if self.identity:
            return np.asarray(Theta, float)
        return np.linalg.solve(self.A.T, np.asarray(Theta, float).T).T

    def to_phi_gradient(self, g):
        """∂f/∂Φ = ∂f/∂Θ Aᵀ."""
        return g if self.identity else self._std.gradient_to_standard(g)

    def to_phi_hessian(self, H):
        """∂²f/∂Φ² = A ∂²f/∂Θ² Aᵀ (..., d, d)."""
        return H if self.identity else self._std.congruence(H)

    def combine(self, Phi, coef):
        self._count(len(Phi), "function", "gradient")
        F, G, g = self.problem.combine(self.theta(Phi), coef)
        return F, G, self.to_phi_gradient(g)

    def gradients(self, Phi):
        """F, G, dF (K, m, d) in Φ."""
        self._count(len(Phi), "function", "gradient")
        ev = self.problem.evaluate(self.theta(Phi))
        return ev.F, ev.G, self.to_phi_gradient(ev.dF)

    def values(self, Phi):
        self._count(len(Phi), "function")
        ev = self.problem.evaluate(self.theta(Phi), grad=False)
        return ev.F, ev.G


def line_search(Phi, D, v, slope, merit: Callable, t):
    """Backtracking along −D for every row at once.

    Accept the largest t in {t, t/2, …} with merit(Φ − tD, rows) ≤ v − c·t·slope. Returns the new Φ,
    its merit, the accepted steps and a mask of rows that found no decrease.
    """
    K = len(Phi)
    new_phi, new_v, t = Phi.copy(), v.copy(), t.copy()
    pending = np.arange(K)
    for _ in range(MAX_HALVINGS):
        trial = Phi[pending] - t[pending, None] * D[pending]
        vt = merit(trial, pending)
        ok = np.isfinite(vt) & (vt <= v[pending] - ARMIJO_C * t[pending] * slope[pending])
        done = pending[ok]
        new_phi[done], new_v[done] = trial[ok], vt[ok]
        pending = pending[~ok]
        if len(pending) == 0:
            break
        t[pending] *= 0.5
    stuck = np.zeros(K, bool)
    stuck[pending] = True
    return new_phi, new_v, t, stuck


def iterate(step, Phi0, *, max_epochs: int, budget: int, evaluations: Callable[[], int],
            out_of_time: Callable[[], bool] = lambda: False):
    """The loop every first-order solver here shares: each epoch, the active rows of Φ (K, d) ask
    ``step(Φ_rows, rows, t_rows)`` for their new Φ, step sizes and which are done, until every row
    is done, ``max_epochs`` pass, one more epoch (a gradient and a trial per row) would take the
    evaluations past ``budget``, or ``out_of_time()``. Returns Φ, the epochs run and a status per
    row."""
    Phi = np.array(Phi0, dtype=float)
    K = len(Phi)
    t = np.ones(K)
    active = np.ones(K, bool)
    status = np.full(K, "budget", dtype=object)
    epochs = 0
    for epochs in range(1, max_epochs + 1):
        rows = np.flatnonzero(active)
        if len(rows) == 0 or evaluations() + 2 * len(rows) > budget or out_of_time():
            break
        # a doubled step is tried first, so the step can grow back after a hard stretch
        Phi[rows], t[rows], done = step(Phi[rows], rows, np.minimum(2 * t[rows], 1e6))
        status[rows[done]] = "converged"
        active[rows[done]] = False
    return Phi, epochs, status


def descend(sp: ScaledProblem, value, coef, Phi0, *, max_epochs: int, tol: float, budget: int):
    """Minimise a per-candidate scalarisation from Φ₀ (K, d).

    ``value(F, G, rows)`` (K',) and ``coef(F, G, rows)`` (K', m + c) define the k-th candidate's
    function Σᵢ coefᵢ·vᵢ and its value; ``rows`` are candidate indices, so each candidate keeps its
    own weights. Stops a candidate when its value changes by less than ``tol`` (relative), or when
    the evaluation budget is spent. Returns Φ, the epochs run and a status per candidate.
    """
    def step(P, rows, t):
        F, G, g = sp.combine(P, lambda F, G: coef(F, G, rows))
        v = value(F, G, rows)
        slope = (g * g).sum(axis=1)

        def merit(trial, sub):
            Ft, Gt = sp.values(trial)
            return value(Ft, Gt, rows[sub])

        new, vnew, t, stuck = line_search(P, g, v, slope, merit, t)
        small = np.abs(v - vnew) <= tol * np.maximum(1.0, np.abs(v))
        return new, t, small | stuck | (slope == 0)

    return iterate(step, Phi0, max_epochs=max_epochs, budget=budget,
                   evaluations=lambda: sp.evaluations, out_of_time=sp.out_of_time)
