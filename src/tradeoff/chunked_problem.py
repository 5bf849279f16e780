"""A Problem over a ChunkedDataset: every pass over the rows is one Dask computation.

``tradeoff.Problem(chunked_data, model, objectives, …)`` returns a ``ChunkedProblem``; solvers see
the same methods (``evaluate``, ``combine``, ``derivatives``) and need no change. Per pass, each
chunk gives

- for objectives that are sums over rows (MSE, log-loss, caps): their values, gradients and share of
  the Hessian, computed by the in-memory code on that chunk (its rows keep the whole data's ω);
- for objectives that see the rows through a few weighted sums (gaps of group means, see
  ``PredictionObjective.sums``): the sums s (c, K), their Jacobians J (c, K, d) = X̃ᵀ(∂s/∂P ⊙ P′)
  and, for Newton steps, their Hessians; the objective is then f(s) with
  ∇f = Σ_c ∂f/∂s_c J_c and ∇²f = Σ_c ∂f/∂s_c ∇²s_c + Σ_cc′ ∂²f/∂s_c∂s_c′ J_c J_c′ᵀ.

Chunks' pieces are added in chunk order, so fronts do not depend on the scheduler. Objectives
quadratic in θ for the linear model (MSE, ``mean_gap_sq``) are reduced to Gram statistics in one
pass when first needed, as in memory; affine models only (linear, logistic).
"""

from __future__ import annotations

import copy

import numpy as np

from ._validation import fail
from .blocks import LinearSums, Quadratic, block_size, gram_block, linear_sums, with_ones
from .models import Standardizer, check_model, get_model, uses_affine_path
from .objectives import Batch
from .problem import Problem, problem_verb


class ChunkedProblem(Problem):
    """A Problem whose rows live in Dask chunks (``tradeoff.datasets.ChunkedDataset``)."""

    def __init__(self, data, model, objectives, constraints=(), *, bounds=None, name=None):
        checked = check_model(get_model(model))
        if not uses_affine_path(checked):
            fail("model", "an affine model (linear, logistic, capped_linear) for chunked data",
                 getattr(checked, "name", type(model).__name__),
                 "Train networks on in-memory data (tradeoff.Dataset) with a mini-batch solver.")
        super().__init__(data, model, objectives, constraints, bounds=bounds, name=name)
        for obj in self._all:
            if obj.kind == "prediction" and not getattr(obj, "additive", False) and \
                    obj.sums(_probe(self.data), np.zeros((1, 1)), _present(self.data)) is None:
                fail("objectives", "sums over rows, or functions of a few sums (such as gaps of "
                     "group means), for chunked data", obj.name,
                     "Give it a `sums`/`from_sums` pair (see PredictionObjective.sums), or load "
                     "the data in memory.")

    # -- what the rows give ----------------------------------------------------------------------
    def _checked_data(self):
        return self.data.summary()

    def _fit_standardizer(self):
        std = self.data.column_std
        return Standardizer(self.data.column_mean, np.where(std > 0, std, 1.0))

    def _full_batch(self):
        return None

    def _normal_equations(self):
        d = self.data
        var = max(d.y_sq / d.n - (d.y_sum / d.n) ** 2, 0.0)
        return d.gram / d.n, d.xty, d.n, float(np.sqrt(var))

    def _fit_phi(self, steps: int = 25):
        """The least-squares fit, on a logit's scale for a logistic output (no Newton refinement:
        it would cost a pass per step; only the default pymoo box uses it)."""
        phi = self.phi_start.copy()
        if getattr(self.model, "output", "linear") == "logistic":
            phi[:-1] *= 4.0
            rate = np.clip(self.data.y_sum / self.data.n, 1e-3, 1 - 1e-3)
            phi[-1] = np.log(rate / (1 - rate))
        return phi

    def batch(self, rows=None):
        if rows is not None:
            fail("rows", "None (all rows) for chunked data", "a selection of rows",
                 "Mini-batch solvers (optimizer='adam', 'sgd', …) need in-memory data; use "
                 "a full-batch solver such as 'weighted-sum' with method='lbfgs' or 'newton'.")
        return None

    def exact_metrics(self, Theta):
        """None computed on chunked data (they need every row's thresholded prediction)."""
        return {}

    # -- passes ------------------------------------------------------------------------------------
    def _pass(self, Theta, rows, grad, C=None, gauss_newton=False, linear=None):
        """V (K, r), dV (K, r, d) and H (K, d, d) = Σᵢ Cₖᵢ ∇²vᵢ for the prediction objectives
        ``rows`` (indices into objectives then constraints), and which have no gradient; with
        ``linear`` (indices), also those objectives' linear sums (``_linear_sums``), in the same
        pass."""
        K, d, r = len(Theta), self.d, len(self._all)
        kernel = copy.copy(self)
        kernel.data = None  # what a chunk's worker gets: model, objectives, no rows
        kernel._quad = {}
        second = C is not None and not gauss_newton
        parts = self.data.map_chunks(_chunk_part, kernel, self.data.omega_scale(),
                                     _present(self.data), np.ascontiguousarray(Theta, float),
                                     tuple(rows), grad, C, gauss_newton,
                                     [self._all[i] for i in linear or ()])
        V = np.zeros((K, r))
        dV = np.zeros((K, r, d)) if grad else None
        H = None if C is None else np.zeros((K, d, d))
        missing = set()
        summed = {}
        lin = [(sum(p[5][j][0] for p in parts), sum(p[5][j][1] for p in parts))
               for j in range(len(linear or ()))]
        for Vc, dVc, Hc, sums, miss, _ in parts:  # in chunk order: the same on any scheduler
            V += Vc
            if grad:
                dV += dVc
            if H is not None:
                H += Hc
            missing |= miss
            for i, piece in sums.items():
                summed[i] = piece if i not in summed else \
                    tuple(None if a is None else a + b for a, b in zip(summed[i], piece))
        for i, (s, const, J, Hs) in summed.items():
            f, dF, d2F = self._all[i].from_sums(s, const)
            V[:, i] = f
            if grad:
                if dF is None:
                    missing.add(i)
                    continue
                dV[:, i] = np.einsum("ck,ckd->kd", dF, J)
            if H is not None:
                Hi = np.zeros((K, d, d))
                if d2F is not None:
                    Hi += np.einsum("cek,ckd,ekf->kdf", d2F, J, J)
                if second and Hs is not None:
                    Hi += np.einsum("ck,ckde->kde", dF, Hs)
                H += C[:, i, None, None] * Hi
        return (V, dV, H, missing) if linear is None else (V, dV, H, missing, lin)

    def _by_rows(self, Theta, batch, grad, idx, hess_coef=None):
        if hess_coef is not None:
            fail("hess_coef", "None for chunked data", "coefficients", "Use derivatives(Θ, C).")
        V, dV, _, missing = self._pass(Theta, idx, grad)
        return V[:, idx], (dV[:, idx] if grad else None), missing

    def _row_derivatives(self, Theta, rows, C, gauss_newton, V, dV, H, batch=None):
        Vp, dVp, Hp, missing = self._pass(Theta, rows, True, C, gauss_newton)
        if missing:
            self._no_gradient(min(missing))
        V[:, rows] += Vp[:, rows]
        dV[:, rows] += dVp[:, rows]
        if H is not None:
            H += Hp

    def second_order(self, Theta, C):
        C = np.asarray(C, float).copy()
        C[:, self.m:] = 0.0  # second_order combines the objectives only
        F, G, dV, H = self.derivatives(Theta, C)
        return F, G, np.einsum("ki,kid->kd", C[:, :self.m], dV[:, :self.m]), H

    def _quadratics(self):
        """Gram statistics of the objectives quadratic in θ (linear model), in one pass."""
        if self._quad is None:
            self._quad = {}
            idx = [i for i, o in enumerate(self._all) if getattr(o, "quadratic", False)]
            if not (self._identity and idx):
                return self._quad
            linear = [i for i in idx if getattr(self._all[i], "linear_sums", False)]
            idx = [i for i in idx if i not in linear]
            # one pass for both kinds: the linear sums, and the others' expansion around θ₀
            theta0 = self.standardizer.to_original(self.phi_start[None])[0]
            C = np.zeros((max(len(idx), 1), len(self._all)))
            C[np.arange(len(idx)), idx] = 1.0
            V, dV, H, _, lin = self._pass(np.repeat(theta0[None], len(C), axis=0), idx, True, C,
                                          linear=linear)
            for j, i in enumerate(idx):
                self._quad[i] = Quadratic(theta0, float(V[j, i]), dV[j, i], 0.5 * H[j])
            for i, (S, const) in zip(linear, lin):
                self._quad[i] = LinearSums.build(S, const, self._all[i].from_sums)
        return self._quad


def _present(data):
    return np.zeros(1, int) if data.groups_present is None else data.groups_present


def _probe(data):
    """One row of the data's kind, to ask an objective whether it has a sums form."""
    g = None if data.groups_present is None else data.groups_present[:1]
    return Batch(np.zeros((1, len(data.feature_names))), data.y_values[:1], g, np.ones(1))


def _chunk_part(X, y, g, w, kernel, scale, present, Theta, rows, grad, C, gauss_newton, linear):
    """One chunk's pieces (run on a Dask worker): values (K, r), gradients (K, r, d), its share of
    the Hessian (K, d, d), the sums of the sums-form objectives, which had no gradient, and the
    linear sums of the objectives ``linear``."""
    X = np.asarray(X, float)
    y = np.asarray(y, float)
    omega = (np.full(len(y), 1.0) if w is None else np.asarray(w, float)) * scale
    batch = Batch(X, y, None if g is None else np.asarray(g, int), omega)
    objs = kernel._all
    K, d = Theta.shape
    V = np.zeros((K, len(objs)))
    dV = np.zeros((K, len(objs), d)) if grad else None
    H = None if C is None else np.zeros((K, d, d))
    additive = [i for i in rows if getattr(objs[i], "additive", False)]
    missing = set()
    if additive and len(y):
        if C is None:  # the in-memory code on this chunk's rows
            Va, Da, miss = Problem._by_rows(kernel, Theta, batch, grad, additive)
            V[:, additive] = Va
            if grad:
                dV[:, additive] = Da
            missing |= miss
        else:
            Problem._row_derivatives(kernel, Theta, additive, C, gauss_newton, V, dV, H, batch)
    second = C is not None and not gauss_newton
    sums = {i: _sums_part(kernel, objs[i], batch, Theta, present, grad or C is not None, second)
            for i in rows if i not in additive}
    return V, dV, H, sums, missing, linear_sums(batch, linear, present)


def _sums_part(kernel, obj, batch, Theta, present, grad, second):
    """s (c, K), the constant sums, J (c, K, d) and ∇²s (c, K, d, d) over one chunk, by blocks."""
    n, (K, d) = len(batch.y), Theta.shape
    s = const = J = Hs = None
    size = block_size(n, K * 8)
    for start in range(0, max(n, 1), size):
        bb = batch.rows(start, min(start + size, n))
        X1 = with_ones(bb.X)
        Z = X1 @ Theta.T
        if kernel._identity:
            P, S, S2 = Z, None, None
        else:
            P, S = kernel.model.link(Z)
            S2 = kernel.model.link_second(Z, P, S) if second else None
        sb, ds, d2s, cb = obj.sums(bb, P, present, second)
        c = len(sb)
        s = sb if s is None else s + sb
        const = cb if const is None else const + cb
        if not grad:
            continue
        dz = ds if S is None else ds * S[:, None, :]
        Jb = (dz.reshape(len(Z), c * K).T @ X1).reshape(c, K, d)
        J = Jb if J is None else J + Jb
        if second:
            Dz = np.zeros_like(ds) if d2s is None else \
                (d2s if S is None else d2s * (S * S)[:, None, :])
            if S2 is not None:
                Dz = Dz + ds * S2[:, None, :]
            Hb = gram_block(X1, Dz.reshape(len(Z), c * K)).reshape(c, K, d, d)
            Hs = Hb if Hs is None else Hs + Hb
    return s, const, J, Hs


problem_verb("chunked")(ChunkedProblem)
