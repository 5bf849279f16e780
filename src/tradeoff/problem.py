"""Problem: data + model + m ≥ 2 objectives + optional constraints g(θ) ≤ ε, evaluated in batches.

``evaluate(Θ)`` gives F (K, m), G (K, c) and their gradients dF (K, m, d), dG (K, c, d) in one call,
the shapes of pymoo's ``out["F"]``, ``out["G"]``, ``out["dF"]``. ``combine(Θ, coef)`` gives F, G and
the gradient of a combination Σᵢ Cₖᵢ fᵢ(θₖ), which is all a scalarising solver needs. How the rows
are visited (Gram statistics, cache-sized blocks) is the engine's business (engine.py).
"""

from __future__ import annotations

import copy
from dataclasses import dataclass
from typing import Callable

import numpy as np

from ._validation import check_number, check_theta, fail
from .datasets import Dataset
from .blocks import (LinearSums, PairGram, Quadratic, affine, block_size, gram, gram_block,
                     hessian_block_size, linear_sums, map_blocks, model_combined, model_rows,
                     single_blas_thread, weighted_gram, with_ones)
from .models import (Model, Standardizer, Unscaled, check_model, get_model, predictions,
                     uses_affine_path)
from .objectives import Batch, Constraint, Objective, get_objective
from .verbs import Verbs


@dataclass(frozen=True)
class Evaluation:
    F: np.ndarray
    G: np.ndarray
    dF: np.ndarray | None
    dG: np.ndarray | None


EXACT_METRIC_CELLS = 1 << 25  # predictions held at once by exact_metrics: 256 MB of float64
# X̃ = (X, 1) of the whole data is kept up to this many numbers (256 MB of float64): second-order
# passes read it by blocks many times, and forming each block's X̃ anew cost a fifth of a front
ONES_CACHE_CELLS = 1 << 25


class Problem:
    """A multi-objective training problem over parameters θ ∈ ℝᵈ (intercept last)."""

    def __init__(self, data: Dataset, model: Model | str, objectives, constraints=(), *,
                 bounds=None, name: str | None = None):
        if not isinstance(data, Dataset) and not getattr(data, "chunked", False):
            fail("data", "a tradeoff.datasets.Dataset (or a ChunkedDataset)", type(data).__name__,
                 exc=TypeError)
        self.data = data
        self.model = check_model(get_model(model))
        fit_inputs = getattr(self.model, "fit_inputs", None)
        if fit_inputs is not None:  # e.g. the MLP's input scaling, learned from these rows once
            self.model = fit_inputs(data.X)
        # a model that declares the affine capability, P = link(X̃θ), is evaluated from Gram
        # statistics and row blocks; any other through its forward / pullback
        self.affine = uses_affine_path(self.model)
        self.objectives: tuple[Objective, ...] = tuple(
            _for_model(get_objective(o), self.model, data.X.shape[1]) for o in objectives)
        if len(self.objectives) < 2:
            fail("objectives", "at least 2 objectives", [o.name for o in self.objectives],
                 "Add e.g. 'cap_violation' or a fairness gap beside the accuracy loss.")
        self.objectives = _distinct_names(self.objectives)
        self.constraints: tuple[Constraint, ...] = tuple(
            _constraint(c, self.model, data.X.shape[1]) for c in constraints)
        for obj in self.objectives + tuple(c.objective for c in self.constraints):
            if hasattr(obj, "check"):
                obj.check(self._checked_data())  # e.g. a fairness gap needs sensitive groups
            if hasattr(obj, "check_model"):
                obj.check_model(self.model)  # e.g. log_loss needs probabilities
        self.name = name or data.name
        self.d = self.model.n_params(data.X.shape[1])
        self.standardizer = Unscaled(self.d) if not self.affine else self._fit_standardizer()
        self.bounds = self._bounds(bounds)
        self._full = self._full_batch()
        self._quad = None  # Gram statistics, built on first use

    # -- what the rows give: overridden where the rows are not in memory (ChunkedProblem) ---------
    def __new__(cls, data=None, *args, **kwargs):
        if cls is Problem and getattr(data, "chunked", False):
            cls = _VERBS["chunked"]  # tradeoff.chunked_problem.ChunkedProblem
        return super().__new__(cls)

    def _checked_data(self):
        """What the objectives' ``check(data)`` sees."""
        return self.data

    def _fit_standardizer(self) -> Standardizer:
        return Standardizer.fit(self.data.X)

    def _full_batch(self) -> Batch:
        data, w = self.data, self.data.sample_weight
        omega = np.full(data.n, 1.0 / data.n) if w is None else np.asarray(w, float) / np.sum(w)
        return Batch(data.X, data.y, data.groups, omega)

    def _normal_equations(self):
        """X̃ᵀX̃ / n (d, d), X̃ᵀy (d,), n and the standard deviation of y."""
        X, y, n = self.data.X, self.data.y, self.data.n
        # the column sums from the standardisation's mean: one pass over X fewer
        return gram(X, n * self.standardizer.mean) / n, np.append(X.T @ y, y.sum()), n, \
            float(np.std(y))

    # -- description ---------------------------------------------------------------------------
    @property
    def _identity(self) -> bool:
        """P = X̃θ itself (an affine model with the identity link)."""
        return self.affine and bool(getattr(self.model, "identity_link", False))

    @property
    def m(self) -> int:
        return len(self.objectives)

    @property
    def n_constraints(self) -> int:
        return len(self.constraints)

    @property
    def objective_names(self) -> list[str]:
        return [o.name for o in self.objectives]

    @property
    def param_names(self) -> list[str]:
        if not self.affine:
            return self.model.param_names(self.data.feature_names)
        return self.data.param_names

    def is_convex(self) -> tuple[bool, str]:
        """(True, "") if every objective and constraint is convex in θ, else (False, why)."""
        if not self.affine:
            return False, f"the {self.model.name} model is not affine in θ"
        for obj in self.objectives + tuple(c.objective for c in self.constraints):
            if not obj.is_convex(self.model):
                return False, f"objective {obj.name!r} is not convex with the {self.model.name} model"
        return True, ""

    def __repr__(self):
        return (f"Problem({self.name!r}, model={self.model.name}, objectives={self.objective_names}, "
                f"constraints={[c.name for c in self.constraints]}, d={self.d})")

    # -- evaluation ----------------------------------------------------------------------------
    def batch(self, rows=None) -> Batch:
        if rows is None:
            return self._full
        b = self._full
        omega = b.omega[rows]
        return Batch(b.X[rows], b.y[rows], None if b.groups is None else b.groups[rows],
                     omega / omega.sum())

    @property
    def _all(self) -> tuple[Objective, ...]:
        return self.objectives + tuple(c.objective for c in self.constraints)

    def _quadratics(self) -> dict[int, Quadratic]:
        """Gram statistics of the objectives quadratic in θ (linear model only), built once."""
        if self._quad is None:
            self._quad = {}
            if self._identity:
                idx = [i for i, o in enumerate(self._all) if getattr(o, "quadratic", False)]
                linear = [i for i in idx if getattr(self._all[i], "linear_sums", False)]
                for i, (S, const) in zip(linear, self._linear_sums(linear)):
                    self._quad[i] = LinearSums.build(S, const, self._all[i].from_sums)
                idx = [i for i in idx if i not in linear]
                if idx:
                    theta0 = self.standardizer.to_original(self.phi_start[None])
                    V, D, _ = self._by_rows(theta0, self._full, True, idx)
                    H = self._hessian_parts(theta0, np.ones((1, len(self._all))), idx)
                    for j, i in enumerate(idx):
                        self._quad[i] = Quadratic(theta0[0], float(V[0, j]), D[0, j], 0.5 * H[j][0])
        return self._quad

    def _linear_sums(self, idx):
        """For each objective of ``idx`` with sums linear in θ: (S (c, d), the constant sums), from
        one pass over the rows (``blocks.linear_sums``)."""
        b = self._full
        return linear_sums(b, [self._all[i] for i in idx], np.unique(b.groups)) if idx else []

    def _by_rows(self, Theta, batch, grad, idx, hess_coef=None):
        """Values (K, r) and gradients (K, r, d) of the prediction objectives ``idx``: sums over rows
        in cache-sized blocks; objectives that are not sums over rows see all rows at once.

        With ``hess_coef`` (K, r) it also returns H (K, d, d) = Σⱼ hess_coefₖⱼ ∇²vⱼ for the additive
        objectives, gathered in the same pass (X̃_bᵀ diag(curvature) X̃_b per block). Blocks may run on
        several threads; their pieces are always added in block order, so the result does not
        depend on the number of threads."""
        if not self.affine:  # a non-affine model: forward / pullback by row blocks
            if hess_coef is not None:
                fail("model", "an affine model for second derivatives", self.model.name,
                     "Use a first-order solver such as 'weighted-sum'.")
            V, D, miss = model_rows(self.model, Theta, batch, [self._all[i] for i in idx], grad)
            return V, D, {idx[j] for j in miss}
        K, r, d = len(Theta), len(idx), self.d
        V = np.zeros((K, r))
        D = np.zeros((K, r, d)) if grad else None
        H = np.zeros((K, d * d)) if hess_coef is not None else None
        missing = set()
        objs = [self._all[i] for i in idx]
        additive = [j for j, o in enumerate(objs) if getattr(o, "additive", False)]
        whole = [j for j, o in enumerate(objs) if not getattr(o, "additive", False)]
        n = len(batch.y)
        if whole and H is None:
            # an objective over all rows makes the (n, K) tile anyway: every objective shares it,
            # so the scores, the link and the pull-back are computed once
            passes = ((additive + whole, n),)
        else:
            passes = ((additive, block_size(n, K * max(len(additive), 1))), (whole, n))
        for sel, size in passes:
            if not sel:
                continue
            second = H is not None and sel is additive
            chosen = [objs[j] for j in sel]

            def block(s, size=size, chosen=chosen, second=second):
                return self._block(Theta, batch.rows(s, min(s + size, n)), chosen, grad, second)

            for Vb, Db, Hb, miss in map_blocks(block, range(0, n, size)):
                V[:, sel] += Vb
                if grad:
                    D[:, sel] += Db
                if second:
                    for t, j in enumerate(sel):
                        H += hess_coef[:, j, None] * Hb[t]
                missing |= {idx[sel[t]] for t in miss}
        if H is not None:
            return V, D, missing, H.reshape(K, d, d)
        return V, D, missing

    def _block(self, Theta, bb: Batch, objs, grad: bool, second: bool):
        """One block's values (K, t), gradients (K, t, d), curvature Grams (t, K, d²) and which
        objectives had no gradient. The block's scores Z = X W ᵀ + c are one product; the
        pull-back of all t objectives' ∂f/∂Z is one more, (t·K × B)(B × p), plus column sums for
        the intercept."""
        K, t = len(Theta), len(objs)
        Z = affine(bb.X, Theta)
        # the identity link has slope 1: skip the (B, K) multiply by it
        P, S = (Z, None) if self._identity else self.model.link(Z)
        Vb = np.empty((K, t))
        Db = np.zeros((K, t, self.d)) if grad else None
        Hb = np.empty((t, K, self.d * self.d)) if second else None
        X1 = with_ones(bb.X) if second else None
        outer = (X1[:, :, None] * X1[:, None, :]).reshape(len(X1), -1) if second else None
        GZ = np.empty((len(Z), t, K)) if grad else None
        miss = []
        for j, obj in enumerate(objs):
            if second:
                Vb[:, j], dP, curv = obj.evaluate_second(bb, P)
                Hb[j] = curv.T @ outer
            elif grad and S is not None and _canonical(obj, self.model) and \
                    getattr(obj, "additive", False):
                # log-loss on the logistic link: ∂ℓ/∂z = p − y, no division by p(1 − p)
                Vb[:, j], GZ[:, j] = _logistic_log_loss(bb, P)
                continue
            else:
                Vb[:, j], dP = obj.evaluate(bb, P, grad)
            if grad:
                if dP is None:
                    miss.append(j)
                    GZ[:, j] = 0.0
                else:
                    GZ[:, j] = dP if S is None else dP * S
        if grad:
            G2 = GZ.reshape(len(Z), t * K)
            Db[:, :, :-1] = (G2.T @ bb.X).reshape(t, K, -1).transpose(1, 0, 2)
            Db[:, :, -1] = G2.sum(axis=0).reshape(t, K).T
        return Vb, Db, Hb, miss

    def _values(self, Theta, batch, grad, full):
        """V (K, m + c) over objectives then constraints, dV (K, m + c, d) and which have no
        gradient."""
        K = len(Theta)
        objs = self._all
        V = np.zeros((K, len(objs)))
        dV = np.zeros((K, len(objs), self.d)) if grad else None
        quad = self._quadratics() if full else {}
        rows, missing = [], set()
        for i, obj in enumerate(objs):
            if i in quad:
                V[:, i], g = quad[i](Theta, grad)
            elif obj.kind == "parameter":
                V[:, i], g = obj.evaluate_theta(Theta, grad)
            else:
                rows.append(i)
                continue
            if grad:
                if g is None:
                    missing.add(i)
                else:
                    dV[:, i] = g
        if rows:
            Vr, Dr, miss = self._by_rows(Theta, batch, grad, rows)
            V[:, rows] = Vr
            if grad:
                dV[:, rows] = Dr
            missing |= miss
        return V, dV, missing

    def _split(self, V):
        m = self.m
        bounds = np.array([c.bound for c in self.constraints])
        return V[:, :m], V[:, m:] - bounds

    def _no_gradient(self, i):
        fail("objective", "differentiable for a gradient solver", self._all[i].name,
             "Use a solver that needs no gradient, such as 'nsga2'.")

    def evaluate(self, Theta, *, grad: bool = True, rows=None) -> Evaluation:
        """F (K, m), G (K, c) = constraint − bound, and (with ``grad``) dF (K, m, d), dG (K, c, d)."""
        Theta, _ = check_theta(Theta, self.d)
        V, dV, missing = self._values(Theta, self.batch(rows), grad, rows is None)
        F, G = self._split(V)
        if not grad:
            return Evaluation(F, G, None, None)
        if missing:
            self._no_gradient(min(missing))
        return Evaluation(F, G, dV[:, : self.m], dV[:, self.m:])

    def combine(self, Theta, coef: Callable[[np.ndarray, np.ndarray], np.ndarray], *, rows=None):
        """F, G and ∇ Σᵢ Cₖᵢ vᵢ(θₖ) (K, d), where C = coef(F, G) is (K, m + c) over objectives then
        constraints."""
        # a network on a mini-batch: one pull-back of the combination. Full-batch solves keep
        # each objective's gradient, summed after: the same gradient to rounding, but the engine's
        # fronts on ill-conditioned problems move with the rounding (a user's linear model then
        # left the built-in model's front by 4e-5 of its span, not < 1e-6)
        if not self.affine and rows is not None:
            fused = self._combine_model(Theta, coef, rows)
            if fused is not None:
                return fused
        V, dV, missing = self._values(Theta, self.batch(rows), True, rows is None)
        F, G = self._split(V)
        C = coef(F, G)
        for i in missing:
            if np.any(C[:, i] != 0):
                self._no_gradient(i)
            C = C.copy()
            C[:, i] = 0.0
            dV[:, i] = 0.0
        return F, G, np.einsum("ki,kid->kd", C, dV)

    def _combine_model(self, Theta, coef, rows):
        """``combine`` for a non-affine model on mini-batch rows that fit one block
        (``blocks.model_combined``): C is read between the forward pass and one pull-back of
        Σᵢ Cᵢ ∂vᵢ/∂P; None otherwise."""
        objs = self._all
        at_rows = [i for i, o in enumerate(objs) if o.kind != "parameter"]
        if not at_rows:
            return None
        K = len(Theta)
        V = np.zeros((K, len(objs)))
        grads = {}
        for i, obj in enumerate(objs):
            if obj.kind == "parameter":
                V[:, i], grads[i] = obj.evaluate_theta(Theta, True)
        full = {}

        def coef_rows(Vr):
            V[:, at_rows] = Vr
            full["C"] = np.asarray(coef(*self._split(V)), float)
            return full["C"][:, at_rows]

        out = model_combined(self.model, Theta, self.batch(rows), [objs[i] for i in at_rows],
                             coef_rows)
        if out is None:
            return None
        _, g, missing = out
        C = full["C"]
        missing = {at_rows[j] for j in missing}
        for i, gi in grads.items():
            if gi is None:
                if np.any(C[:, i] != 0):
                    missing.add(i)
            elif np.any(C[:, i] != 0):
                g = g + C[:, i, None] * gi
        if missing:
            self._no_gradient(min(missing))
        F, G = self._split(V)
        return F, G, g

    def second_order(self, Theta, C: np.ndarray):
        """F, G, the gradient (K, d) and Hessian (K, d, d) of Σᵢ Cₖᵢ fᵢ(θₖ), in one pass over the rows
        (linear model, objectives only; objectives need a curvature or a Hessian)."""
        K, m = len(Theta), self.m
        quad = self._quadratics()
        V = np.zeros((K, len(self._all)))
        grad = np.zeros((K, self.d))
        H = np.zeros((K, self.d, self.d))
        rows = []
        for i, obj in enumerate(self._all):
            if i in quad:
                V[:, i], g = quad[i](Theta)
                h = 2.0 * quad[i].Q
            elif obj.kind == "parameter":
                V[:, i], g = obj.evaluate_theta(Theta)
                h = obj.hessian(self.d)
            else:
                rows.append(i)
                continue
            if i < m:
                grad += C[:, i:i + 1] * g
                H += C[:, i, None, None] * h
        if rows:
            additive = [i for i in rows if getattr(self._all[i], "additive", False)]
            Vr, Dr, _, Hr = self._by_rows(Theta, self._full, True, rows,
                                          hess_coef=C[:, [i for i in rows]] *
                                          np.array([i in additive for i in rows]))
            V[:, rows] = Vr
            grad += np.einsum("kr,krd->kd", C[:, rows], Dr)
            H += Hr
            whole = [i for i in rows if i not in additive and i < m]
            for h in self._hessian_parts(Theta, C, whole) or []:
                H += h
        F, G = self._split(V)
        return F, G, grad, H

    def has_second_order(self) -> bool:
        """Whether ``derivatives`` can give Hessians: a built-in link model (linear, capped linear,
        logistic) and second derivatives for every objective and constraint."""
        if not self.affine:
            return False
        quad = self._quadratics()
        return all(i in quad or obj.has_second_order() for i, obj in enumerate(self._all))

    def derivatives(self, Theta, C=None, *, gauss_newton: bool = False):
        """F (K, m), G (K, c), dV (K, m + c, d) over objectives then constraints and, with
        coefficients C (K, m + c), H (K, d, d) = Σᵢ Cₖᵢ ∇²vᵢ(θₖ), all in one pass over the rows.

        The Hessian of a row objective is X̃ᵀ diag(Dz) X̃ plus low-rank terms (see
        ``PredictionObjective.second_z``); all K candidates' Grams of a block of rows are one matrix
        product (``engine.gram_block``), so a Hessian costs one pass, not d gradients. With
        ``gauss_newton`` the terms that can make it indefinite (the link's and the group means'
        second derivatives) are left out, except for log-loss on the logistic link, whose exact
        Hessian is already positive semi-definite."""
        Theta, _ = check_theta(Theta, self.d)
        if not self.affine:  # first derivatives only, through forward / pullback
            if C is not None:
                fail("model", "an affine model for second derivatives", self.model.name,
                     "Use method='lbfgs'.")
            V, dV, missing = self._values(Theta, self._full, True, True)
            if missing:
                self._no_gradient(min(missing))
            return V[:, :self.m], V[:, self.m:] - self._bound_array(), dV, None
        K, d = Theta.shape
        objs = self._all
        r = len(objs)
        V = np.zeros((K, r))
        dV = np.zeros((K, r, d))
        H = None if C is None else np.zeros((K, d, d))
        quad = self._quadratics()
        rows = []
        for i, obj in enumerate(objs):
            if i in quad:
                V[:, i], dV[:, i] = quad[i](Theta)
                if H is not None:
                    H += C[:, i, None, None] * (2.0 * quad[i].Q)
            elif obj.kind == "parameter":
                V[:, i], g = obj.evaluate_theta(Theta)
                if g is None:
                    self._no_gradient(i)
                dV[:, i] = g
                if H is not None:
                    h = obj.hessian(d)
                    if h is None:
                        self._no_second(i)
                    H += C[:, i, None, None] * h
            else:
                rows.append(i)
        if not rows:
            return V[:, :self.m], V[:, self.m:] - self._bound_array(), dV, H
        self._row_derivatives(Theta, rows, C, gauss_newton, V, dV, H)
        return V[:, :self.m], V[:, self.m:] - self._bound_array(), dV, H

    def _row_derivatives(self, Theta, rows, C, gauss_newton, V, dV, H, batch=None):
        """Add the prediction objectives ``rows``' values, gradients and (with C) their share of
        H = Σᵢ Cₖᵢ ∇²vᵢ into V, dV and H, in one pass over the rows of ``batch`` (all rows by
        default; a chunk's rows keep the whole data's ω, so chunks' pieces add up)."""
        objs = self._all
        K, d = Theta.shape
        additive = [i for i in rows if getattr(objs[i], "additive", False)]
        whole = [i for i in rows if i not in additive]
        b = self._full if batch is None else batch
        n = len(b.y)
        pairs = self._pair_gram() if H is not None and batch is None else None
        # with sparse rows every block's curvature weights are gathered first, then one product
        Dall = np.zeros((n, K)) if pairs is not None else None
        # dense rows: Σ D x̃x̃ᵀ from the rows' outer products (B, d²) when d < K, else from
        # gram_block's (B, K·d) operand; the same products either way, the smaller temporary
        outer = H is not None and pairs is None and d < K
        # a block's own temporaries are (B, K) tiles and its X̃ rows (B, d), held to 32 MB; its Grams
        # re-block the rows that have curvature by their operand's size (below)
        size = min(block_size(n, K * max(len(additive), 1)), max(64, (1 << 22) // d))
        with single_blas_thread():
            for sel, size in ((additive, size), (whole, n)):
                if not sel:
                    continue
                for s in range(0, n, size):
                    e = min(s + size, n)
                    X1 = self._with_ones(b, s, e)  # scores, pull-backs and Grams
                    Z = X1 @ Theta.T
                    if self._identity:  # P = Z: no slope to form (nor to multiply by)
                        P, S, S2 = Z, None, None
                    else:
                        P, S = self.model.link(Z)
                        S2 = self.model.link_second(Z, P, S)
                    bb = b.rows(s, e)
                    # the block's Σᵢ Cᵢ Dzᵢ: the first term makes it (no zero-filled pass first)
                    Dsum = Dall[s:e] if Dall is not None else None
                    for i in sel:
                        if H is None:
                            f, dP = objs[i].evaluate(bb, P, True)
                            if dP is None:
                                self._no_gradient(i)
                            V[:, i] += f
                            dV[:, i] += (dP if S is None else dP * S).T @ X1
                            continue
                        keep = not gauss_newton or _canonical(objs[i], self.model)
                        out = objs[i].second_z(bb, P, S, S2 if keep else None, gauss_newton)
                        if out is None:
                            self._no_second(i)
                        f, dZ, Dz, low = out
                        V[:, i] += f
                        dV[:, i] += dZ.T @ X1
                        if Dsum is None:
                            Dsum = Dz * C[:, i]
                            if Dsum.shape != Z.shape:  # a Dz that broadcasts over rows
                                Dsum = np.broadcast_to(Dsum, Z.shape).copy()
                        else:
                            Dsum += Dz * C[:, i]
                        for c, U in low:
                            J = U.T @ X1  # (K, d)
                            H += (C[:, i] * c)[:, None, None] * (J[:, :, None] * J[:, None, :])
                    if Dsum is None or pairs is not None:
                        continue
                    # rows without curvature for any candidate (a cap's rows below it) add
                    # nothing: the Grams take the others only
                    live = (Dsum != 0).any(axis=1)
                    Xh, Dh = (X1, Dsum) if live.all() else (X1[live], Dsum[live])
                    if outer:
                        step = block_size(n, max(K, d * d))
                        for t in range(0, len(Xh), step):  # by blocks, also over all rows
                            Xt = Xh[t:t + step]
                            O = (Xt[:, :, None] * Xt[:, None, :]).reshape(len(Xt), d * d)
                            H += (Dh[t:t + step].T @ O).reshape(K, d, d)
                    else:
                        step = hessian_block_size(n, K, d)
                        for t in range(0, len(Xh), step):  # by blocks, also over all rows
                            H += gram_block(Xh[t:t + step], Dh[t:t + step])
            if pairs is not None:  # sparse rows: the nonzero pairs' products only
                H += pairs(0, n, Dall)

    def _with_ones(self, b, s: int, e: int) -> np.ndarray:
        """X̃ = (X, 1) of rows s…e of batch b: a view of the whole data's X̃ where that is kept
        (``ONES_CACHE_CELLS``), else formed for the block."""
        if b is not self._full or b.X.shape[0] * (b.X.shape[1] + 1) > ONES_CACHE_CELLS:
            return with_ones(b.X[s:e])
        if getattr(self, "_ones", None) is None:
            self._ones = with_ones(b.X)
        return self._ones[s:e]

    def _pair_gram(self):
        """The sparse pair structure of X̃ for Hessians (``engine.PairGram``), built on first use;
        None for dense data."""
        if not hasattr(self, "_pairs"):
            self._pairs = PairGram.build(self.data.X)
        return self._pairs

    def _bound_array(self):
        return np.array([c.bound for c in self.constraints])

    def _no_second(self, i):
        fail("objective", "twice differentiable for Newton steps", self._all[i].name,
             "Use method='lbfgs' (or 'gd'), which needs gradients only.")

    def _hessian_parts(self, Theta, coef, idx):
        """∇²vᵢ(θₖ)·Cₖᵢ for the prediction objectives ``idx``: a list of (K, d, d), or None."""
        batch = self._full
        out = []
        for i in idx:
            obj = self._all[i]
            if obj.curvature(batch, None) is not None:  # asks only whether it has one
                c_i = coef[:, i]

                def weights(s, e, obj=obj, c_i=c_i):
                    return obj.curvature(batch.rows(s, e), affine(batch.X[s:e], Theta)) * c_i

                out.append(weighted_gram(batch.X, weights, len(Theta)))
                continue
            h = obj.hessian_matrix(batch, None)
            if h is None:
                return None
            out.append(coef[:, i, None, None] * h)
        return out

    def exact_metrics(self, Theta) -> dict[str, np.ndarray]:
        """The exact metric behind each surrogate objective (e.g. a fairness gap), (K,) each.

        The metrics need every row's prediction: the candidates are taken a slice at a time so that
        the predictions (n, k) stay near ``EXACT_METRIC_CELLS`` numbers (100 points of a front at
        10⁷ rows would otherwise hold 8 GB at once)."""
        Theta, _ = check_theta(Theta, self.d)
        # by name: an objective that is also a constraint has one metric
        objs = list({o.name: o for o in reversed(self._all) if hasattr(o, "exact")}.values())[::-1]
        if not objs or not len(Theta):
            return {}
        step = max(1, EXACT_METRIC_CELLS // max(self.data.n, 1))
        parts = {o.name: [] for o in objs}
        for s in range(0, len(Theta), step):
            with np.errstate(over="ignore", invalid="ignore"):
                P = predictions(self.model, Theta[s:s + step], self.data.X)
            if not np.isfinite(P).all():  # say so here, not as the metric's `y_pred`
                rows = s + np.unique(np.nonzero(~np.isfinite(P))[1])
                fail("Theta", "parameters whose predictions are finite",
                     f"non-finite predictions for candidate(s) {rows[:5].tolist()}",
                     "Bound the parameters (`bounds`) or rescale the features.")
            for obj in objs:
                parts[obj.name].append(np.asarray(obj.exact(self.data, self.model, P), float))
        return {f"{name}:exact": np.concatenate(v) for name, v in parts.items()}

    # -- bounds ----------------------------------------------------------------------------------
    def _bounds(self, bounds):
        if not self.affine:  # the model's seeded init (or 0), box ± (2|θ₀| + 1)
            self.phi_start = self.start_theta(1)[0]
            half = 2.0 * np.abs(self.phi_start) + 1.0
            self.phi_bounds = (self.phi_start - half, self.phi_start + half)
            return None if bounds is None else self._check_box(bounds)
        # the least-squares fit in standardised parameters φ (Θ = Φ A), from normal equations on the
        # Gram matrix, so no standardised copy of X is made: the start point and the default box
        A = self.standardizer.matrix
        G, Xy, n, y_std = self._normal_equations()
        self.phi_start = np.linalg.lstsq(A @ G @ A.T, A @ Xy / n, rcond=None)[0]
        self._y_std = y_std
        # default box φ_ls ± (2|φ_ls| + s), s the target's spread (4 on a logistic model's logit scale)
        spread = self.model.score_spread or y_std or 1.0
        half = 2.0 * np.abs(self.phi_start) + spread
        self.phi_bounds = (self.phi_start - half, self.phi_start + half)
        if bounds is None:
            return None
        return self._check_box(bounds)

    def _check_box(self, bounds):
        lo, hi = (np.broadcast_to(np.asarray(b, float), (self.d,)).copy() for b in bounds)
        if not (np.isfinite(lo).all() and np.isfinite(hi).all() and (lo < hi).all()):
            fail("bounds", f"two finite arrays of length {self.d} with lower < upper",
                 (lo.tolist(), hi.tolist()))
        return lo, hi

    def phi_box(self):
        """Box bounds in standardised parameters φ (Θ = Φ A): given or the default rule."""
        if self.bounds is None:
            return self.phi_bounds
        if not self.affine:  # Θ = Φ: the box is the box
            return self.bounds
        # a user box in θ: take φ's box as the image of its corners (a safe enclosure)
        lo, hi = self.bounds
        corners = np.array(np.meshgrid(*zip(lo, hi))).reshape(self.d, -1).T
        phis = self.standardizer.to_standard(corners)
        return phis.min(axis=0), phis.max(axis=0)

    def theta_box(self):
        """Box bounds in the original parameters θ: the given ``bounds``, else a box from the data.

        The default is centred on the model's fit θ̂ (least squares; for a logistic output a
        log-loss fit by Newton steps) and spans each coordinate's φ box half-width mapped to θ
        (2|φ̂ⱼ| + s)/sⱼ for a weight and 2|θ̂_c| + s for the intercept, widened to also hold the
        intercept of a constant predictor (φ̂_c ± its half-width), so θ = 0 and the shrunk fits
        towards it lie inside. (Enclosing the whole φ box's image instead adds Σⱼ |μⱼ/sⱼ| times
        every weight's range to the intercept's: ±110 for features with means near 50, a box where
        pymoo's operators rarely find the fit.)"""
        if self.bounds is not None:
            return self.bounds
        lo, hi = self.phi_bounds
        if not self.affine:  # Θ = Φ
            return lo, hi
        spread = self.model.score_spread or self._y_std or 1.0
        phi = self._fit_phi()
        theta = self.standardizer.to_original(phi[None])[0]
        half = (2.0 * np.abs(phi) + spread) / np.append(self.standardizer.scale, 1.0)
        half[-1] = 2.0 * abs(theta[-1]) + spread
        lo, hi = theta - half, theta + half
        c, c_half = phi[-1], 2.0 * abs(phi[-1]) + spread  # the constant predictor's intercept
        lo[-1], hi[-1] = min(lo[-1], c - c_half), max(hi[-1], c + c_half)
        return lo, hi

    def _fit_phi(self, steps: int = 25) -> np.ndarray:
        """The fit in standardised parameters: least squares (``phi_start``), refined for a
        logistic output by Newton steps on the (slightly ridged, so separable data stays finite)
        log-loss."""
        phi = self.phi_start.copy()
        if getattr(self.model, "output", "linear") != "logistic":
            return phi
        y, w = self.data.y, self._full.omega  # the rows' weights (sample weights, normalised)
        Z = np.column_stack([self.standardizer.transform(self.data.X), np.ones(self.data.n)])
        ridge = 1e-3 * np.eye(self.d)
        ridge[-1, -1] = 0.0
        phi[:-1] *= 4.0  # σ'(0) = ¼: a linear-probability slope is about a quarter of a logit one
        rate = np.clip(w @ y, 1e-3, 1 - 1e-3)
        phi[-1] = np.log(rate / (1 - rate))
        for _ in range(steps):
            p = 1.0 / (1.0 + np.exp(-np.clip(Z @ phi, -30, 30)))
            g = Z.T @ (w * (p - y)) + ridge @ phi
            H = (Z * (w * p * (1 - p))[:, None]).T @ Z + ridge + 1e-9 * np.eye(self.d)
            step = np.linalg.solve(H, g)
            phi -= step
            if np.abs(step).max() < 1e-8:
                break
        return phi

    def to_pymoo(self, bounds=None):
        """This problem as a ``pymoo.core.problem.Problem`` over θ (n_var = d, xl/xu from
        ``bounds=(lower, upper)``, each a number or d numbers, else from ``theta_box``): its vectorised ``_evaluate`` gives out["F"] (K, m) and, with constraints,
        out["G"] (K, c; ≤ 0 is feasible). ``pymoo.optimize.minimize`` takes it with any algorithm;
        ``res.X`` is θ, as ``evaluate`` takes it, and ``.front(res)`` makes a ``tradeoff.Front``::

            from pymoo.algorithms.moo.nsga2 import NSGA2
            from pymoo.optimize import minimize
            pp = problem.to_pymoo()
            res = minimize(pp, NSGA2(pop_size=20), ("n_evals", 400), seed=0)
            front = pp.front(res)

        (``tradeoff.solve(problem, NSGA2(...))`` runs the same search in standardised
        parameters, which suits the algorithms' operators better; this one searches θ itself.)
        Implemented beside the pymoo adapter: ``tradeoff.solvers.evolutionary.to_pymoo``."""
        return _VERBS["to_pymoo"](self, bounds=bounds)

    def start_theta(self, K: int, rng=None) -> np.ndarray:
        """K starting points Θ (K, d): the model's seeded ``init(K, p, rng)`` where it has one (a
        non-convex model such as the MLP), else K copies of the least-squares fit."""
        init = getattr(self.model, "init", None)
        if init is not None:
            return np.asarray(init(K, self.data.X.shape[1], rng), float).reshape(K, self.d)
        if not self.affine:
            return np.zeros((K, self.d))
        return np.repeat(self.standardizer.to_original(self.phi_start[None]), K, axis=0)

    # -- construction from plain data --------------------------------------------------------------
    @classmethod
    def from_dict(cls, spec: dict, *, path: str = "problem") -> "Problem":
        """Build from the schema the experiment configs use (read by ``tradeoff.spec``, the one
        reader of it)::

            {"name": "cap", "data": {"name": "blog", "n": 200, "seed": 0},
             "model": {"name": "linear"},
             "objectives": ["mse", {"name": "cap_violation", "cap": 120}],
             "constraints": [{"name": "cap_max", "cap": 120, "bound": 0}],
             "bounds": {"lower": [...], "upper": [...]}}
        """
        return _VERBS["from_dict"](spec, path=path)


# the verbs on problems, implemented in modules above this one (tradeoff.verbs): each
# registers with ``problem_verb`` when ``import tradeoff`` imports it
_VERBS = Verbs("Problem")
problem_verb = _VERBS.register


def _distinct_names(objectives: tuple[Objective, ...]) -> tuple[Objective, ...]:
    """Objectives that share a name but differ in parameters are named by them, e.g.
    ``huber(delta=2)``; the same objective given twice is an error."""
    names = [o.name for o in objectives]
    if len(set(names)) == len(names):
        return objectives
    out = list(objectives)
    for i, obj in enumerate(objectives):
        if names.count(obj.name) > 1:
            params = {k: v for k, v in obj.describe().items() if k != "name"}
            shown = ", ".join(f"{k}={v:g}" if isinstance(v, float) else f"{k}={v}"
                              for k, v in params.items())
            out[i] = copy.copy(obj)  # the caller's instance keeps its name
            try:
                out[i].name = f"{obj.name}({shown})"
            except AttributeError:  # a read-only name: it stays, and the check below names it
                pass
    named = [o.name for o in out]
    twice = sorted({n for n in named if named.count(n) > 1})
    if twice:
        fail("objectives", "distinct objectives", names,
             f"{twice[0]!r} is given twice with the same parameters; remove one, or give them "
             "different parameters.")
    return tuple(out)


def _logistic_log_loss(bb: Batch, P):
    """Σ ωᵢ ℓ(yᵢ, pᵢ) (K,) and ∂/∂z = ωᵢ(pᵢ − yᵢ) (B, K) for labels in {0, 1}: −log of the
    probability given to the observed class (clipped at 1e-15, as ``losses.log_loss`` clips)."""
    y = bb.y[:, None]
    Pc = np.clip(P, 1e-15, 1.0 - 1e-15)
    L = -np.log(np.where(y > 0.5, Pc, 1.0 - Pc))
    GZ = Pc - y
    w = bb.w
    GZ *= w
    return bb.omega @ L, GZ


def _canonical(obj, model) -> bool:
    """Log-loss on the logistic link: its exact Hessian X̃ᵀ diag(ω p(1 − p)) X̃ is PSD."""
    canonical = getattr(model, "canonical_loss", None)
    return canonical is not None and getattr(obj, "name", "") == canonical


def _constraint(c, model=None, p=0) -> Constraint:
    if isinstance(c, tuple) and len(c) == 2:
        c = Constraint(get_objective(c[0]), check_number("constraints bound", c[1]))
    elif isinstance(c, dict):  # {"name": objective, **its parameters, "bound": ε}, as in configs
        if "bound" not in c or "name" not in c:
            fail("constraints", "tables with an objective `name` and a `bound`", c,
                 "e.g. {'name': 'demographic_parity_sq', 'bound': 0.01}.")
        params = {k: v for k, v in c.items() if k != "bound"}
        c = Constraint(get_objective(params), check_number("constraints bound", c["bound"]))
    if isinstance(c, Constraint):
        return Constraint(_for_model(c.objective, model, p), c.bound) if model is not None else c
    fail("constraints", "Constraint objects, (objective, bound) pairs or tables with a `name` and a "
         "`bound`", c)


def _for_model(obj: Objective, model: Model, p: int) -> Objective:
    """[model protocol] a parameter objective that asks which entries to penalise (l1, l2) gets
    the model's answer (an MLP's weights, not its biases); others are returned as they are."""
    bind = getattr(obj, "for_model", None)
    return bind(model, p) if bind is not None and not uses_affine_path(model) else obj
