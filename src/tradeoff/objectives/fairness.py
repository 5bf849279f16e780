"""Fairness objectives for training: smooth surrogates with exact gradients, and their exact metrics.

Each surrogate is the mean over group pairs (g < h) of a squared gap between group means, weighted by
the rows' ω within each group:

    f = (1 / #pairs) Σ_{g<h} (μ_g − μ_h)²,  ∂f/∂μ_g = (2 / #pairs)(G·μ_g − Σ_h μ_h)

For two groups this is the squared gap itself. What is averaged per group:

- ``mean_gap_sq``: the prediction ŷ (regression; a convex quadratic for a linear model, so the exact
  front exists). Exact metric: ``mean_prediction_gap``.
- ``group_loss_gap_sq``: the loss ℓ(y, ŷ) (regression). Exact metric: ``group_loss_gap``.
- ``demographic_parity_sq``: the score ŷ = P(y = 1) (logistic). Exact: ``demographic_parity_difference``
  of the thresholded classes.
- ``equal_opportunity_sq``: the score among rows with y = 1. Exact: ``equal_opportunity_difference``.
- ``equalized_odds_sq``: the sum of the y = 1 and y = 0 versions. Exact: ``equalized_odds_difference``.

Every front point reports the surrogate (the objective) and the exact metric (``exact``), since
they differ.
"""

from __future__ import annotations

import numpy as np

from .._validation import check_labels, fail
from ..losses import get_loss
from .base import PredictionObjective, check_loss_model, identity_link


def _cells(groups: np.ndarray, omega: np.ndarray, mask=None, groups_count: int | None = None):
    """Weighted one-hot membership M (n, G) (zero outside ``mask``), the groups' weights W (G,)
    and which groups are present. G = ``groups_count``, else one more than the largest code."""
    G = int(groups.max()) + 1 if groups_count is None else groups_count
    w = omega if mask is None else omega * mask
    M = np.zeros((len(groups), G))
    M[np.arange(len(groups)), groups] = w
    W = M.sum(axis=0)
    return M, W, W > 0


def _pair_gap(mu: np.ndarray, present: np.ndarray):
    """Mean squared pairwise gap of group means mu (G, K) over present groups, and ∂/∂mu."""
    G = int(present.sum())
    pairs = G * (G - 1) / 2
    if pairs == 0:
        return np.zeros(mu.shape[1]), np.zeros_like(mu)
    # Σ_{g<h} (μ_g − μ_h)² = G·Σ_g (μ_g − μ̄)²: the centred form cannot go negative by cancellation
    centred = np.where(present[:, None], mu - mu[present].mean(0), 0.0)
    f = G * (centred * centred).sum(0) / pairs
    return f, 2.0 * G * centred / pairs


class GroupMeanGap(PredictionObjective):
    """Mean squared pairwise gap between group means of a per-row quantity q(y, ŷ)."""

    label_cells: tuple = (None,)  # None: all rows; 0 / 1: rows with that label
    needs_binary_target = False

    def check(self, data):
        if data.groups is None:
            fail("data", f"a dataset with sensitive groups for objective {self.name!r}", data.name,
                 "Load it with a sensitive column, e.g. tabular.from_frame(..., sensitive='sex').")
        if len(np.unique(data.groups)) < 2:
            fail("groups", f"at least 2 distinct groups for objective {self.name!r}",
                 f"1 group ({data.group_names[:1] or np.unique(data.groups).tolist()})")
        if self.needs_binary_target:
            check_labels("y", data.y, expectation=f"binary (0/1) for objective {self.name!r}",
                         fix=f"Objective {self.name!r} compares classes; encode them as 0/1, or "
                             "use 'mean_gap_sq' for a real-valued target.")

    def quantity(self, y, P):
        """q (n, K) and ∂q/∂P (n, K)."""
        return P, np.ones_like(P)

    def quantity_second(self, y, P):
        """∂²q/∂P² (n, K), or None (q = P: zero)."""
        return None

    def has_second_order(self):
        return True

    def second_z(self, batch, P, S, S2, gauss_newton=False):
        """f, ∂f/∂z, the diagonal and the low-rank parts of ∇²f (see PredictionObjective).

        With μ_g = Σᵢ aᵢg qᵢ (aᵢg = ωᵢ/W_g in group g) and f = c Σ_g (μ_g − μ̄)², c = G / #pairs:
        ∇²f = 2c Σ_g (J_g − J̄)(J_g − J̄)ᵀ + Σ_g ∂f/∂μ_g ∇²μ_g, J_g = X̃ᵀ(a_g ⊙ ∂q/∂z).
        ``gauss_newton`` keeps the first, positive semi-definite term only."""
        q, dq = self.quantity(batch.y[:, None], P)
        d2q = self.quantity_second(batch.y[:, None], P)
        dqz = dq if S is None else dq * S
        d2qz = None if d2q is None else (d2q if S is None else d2q * (S * S))
        if S2 is not None:
            d2qz = dq * S2 if d2qz is None else d2qz + dq * S2
        f = np.zeros(P.shape[1])
        dZ = np.zeros_like(P)
        Dz = np.zeros_like(P)
        low = []
        for label in self.label_cells:
            mask = None if label is None else (batch.y == label).astype(float)
            M, W, present = _cells(batch.groups, batch.omega, mask)
            A = M / np.where(present, W, 1.0)  # aᵢg
            fc, dmu = _pair_gap(A.T @ q, present)
            f += fc
            rowd = A @ dmu  # Σ_g aᵢg ∂f/∂μ_g, (n, K)
            dZ += rowd * dqz
            if d2qz is not None and not gauss_newton:
                Dz += rowd * d2qz
            G = int(present.sum())
            if G < 2:
                continue
            c = np.full(P.shape[1], 2.0 * G / (G * (G - 1) / 2))
            abar = A[:, present].mean(axis=1)
            for g in np.flatnonzero(present):
                low.append((c, (A[:, g] - abar)[:, None] * dqz))
        return f, dZ, Dz, low

    def evaluate(self, batch, P, grad=True):
        q, dq = self.quantity(batch.y[:, None], P)
        f = np.zeros(P.shape[1])
        dP = np.zeros_like(P) if grad else None
        for label in self.label_cells:
            mask = None if label is None else (batch.y == label).astype(float)
            M, W, present = _cells(batch.groups, batch.omega, mask)
            mu = (M.T @ q) / np.where(present, W, 1.0)[:, None]
            fc, dmu = _pair_gap(mu, present)
            f += fc
            if grad:
                dP += (M @ (dmu / np.where(present, W, 1.0)[:, None])) * dq
        return f, dP


    def sums(self, batch, P, present, second=False):
        """Per label cell and group g: Σᵢ ωᵢ [gᵢ = g] qᵢ (the θ-dependent sums) and Σᵢ ωᵢ [gᵢ = g]
        (the groups' weights, constant). See ``PredictionObjective.sums``."""
        G = int(np.max(present)) + 1
        q, dq = self.quantity(batch.y[:, None], P)
        d2q = self.quantity_second(batch.y[:, None], P) if second else None
        M = np.concatenate([_cells(batch.groups, batch.omega,
                                   None if label is None else (batch.y == label).astype(float),
                                   groups_count=G)[0] for label in self.label_cells], axis=1)
        ds = M[:, :, None] * dq[:, None, :]
        d2s = None if d2q is None else M[:, :, None] * d2q[:, None, :]
        return M.T @ q, ds, d2s, M.sum(axis=0)

    def from_sums(self, s, const):
        """μ = s / W per cell, f = Σ over label cells of the mean squared pairwise gap of μ."""
        K = s.shape[1]
        G = len(const) // len(self.label_cells)
        f = np.zeros(K)
        dF = np.zeros_like(s)
        d2F = np.zeros((len(s), len(s), K))
        for c in range(len(self.label_cells)):
            cell = slice(c * G, (c + 1) * G)
            W = const[cell]
            present = W > 0
            Wp = np.where(present, W, 1.0)
            fc, dmu = _pair_gap(s[cell] / Wp[:, None], present)
            f += fc
            dF[cell] = dmu / Wp[:, None]
            Gp = int(present.sum())
            if Gp > 1:  # ∂²f/∂μ_g∂μ_h = 2G/#pairs · (δ_gh − 1/G) over present groups
                hess = (2.0 * Gp / (Gp * (Gp - 1) / 2)) * (np.eye(Gp) - 1.0 / Gp)
                idx = np.flatnonzero(present) + c * G
                d2F[np.ix_(idx, idx)] = (hess / np.outer(W[present], W[present]))[:, :, None]
        return f, dF, d2F

    def sum_directions(self, const):
        """f sees each label cell's group means only through their differences, so ∂f/∂μ sums to
        0 over its present groups: per cell, one column e_g/W_g − e_h/W_h for each present group g
        but the last, h."""
        G = len(const) // len(self.label_cells)
        cols = []
        for c in range(len(self.label_cells)):
            idx = np.flatnonzero(const[c * G:(c + 1) * G] > 0) + c * G
            for g in idx[:-1]:
                col = np.zeros(len(const))
                col[g], col[idx[-1]] = 1.0 / const[g], -1.0 / const[idx[-1]]
                cols.append(col)
        return np.array(cols).reshape(len(cols), len(const)).T


class MeanGapSq(GroupMeanGap):
    name = "mean_gap_sq"
    linear_sums = True  # q = ŷ: with a linear model each group's Σ ωᵢ ŷᵢ is linear in θ

    def is_convex(self, model):
        return identity_link(model)

    quadratic = True

    def hessian_matrix(self, batch, P):
        # μ_g = m_gᵀθ with m_g the groups' weighted mean rows of X̃ = (X, 1), so f = θᵀQθ: Hessian 2Q
        M, W, present = _cells(batch.groups, batch.omega)
        means = np.column_stack([M.T @ batch.X, W])[present] / W[present, None]
        G = len(means)
        centred = means - means.mean(0)
        Q = G * centred.T @ centred / (G * (G - 1) / 2)
        return 2.0 * Q

    def exact(self, data, model, P):
        from ..fairness import mean_prediction_gap

        return mean_prediction_gap(data.y, P, sensitive_features=data.groups,
                                   sample_weight=data.sample_weight)


class GroupLossGapSq(GroupMeanGap):
    name = "group_loss_gap_sq"

    def __init__(self, loss: str = "mse"):
        self.loss = get_loss(loss)

    def check(self, data):
        super().check(data)
        self.loss.check(data.y, y_name="y", what=f"objective {self.name!r}")  # log_loss: 0/1

    def check_model(self, model):
        check_loss_model(self.loss, model)

    def quantity(self, y, P):
        return self.loss.value(y, P), self.loss.deriv(y, P)

    def quantity_second(self, y, P):
        return self.loss.deriv2(y, P)

    def has_second_order(self):
        return self.loss.deriv2 is not None

    def describe(self):
        return {"name": self.name, "loss": self.loss.name}

    def exact(self, data, model, P):
        from ..fairness import group_loss_gap

        return group_loss_gap(data.y, P, sensitive_features=data.groups, loss=self.loss,
                              sample_weight=data.sample_weight)


class ClassificationGap(GroupMeanGap):
    needs_binary_target = True
    metric = ""

    def exact(self, data, model, P):
        from .. import fairness

        threshold = getattr(model, "threshold", 0.5)
        return getattr(fairness, self.metric)(data.y, (P >= threshold).astype(float),
                                              sensitive_features=data.groups,
                                              sample_weight=data.sample_weight)


class DemographicParitySq(ClassificationGap):
    name = "demographic_parity_sq"
    metric = "demographic_parity_difference"


class EqualOpportunitySq(ClassificationGap):
    name = "equal_opportunity_sq"
    label_cells = (1.0,)
    metric = "equal_opportunity_difference"


class EqualizedOddsSq(ClassificationGap):
    name = "equalized_odds_sq"
    label_cells = (1.0, 0.0)
    metric = "equalized_odds_difference"


class TanhGap(ClassificationGap):
    """LibMOON's relaxed gap between two groups (their ``ddp`` / ``deo`` fairness losses):

        f = |Σ_{i ∈ a} ωᵢ tanh(ŷᵢ) − Σ_{i ∈ b} ωᵢ tanh(ŷᵢ)|,   ω summing to 1 over all rows,

    over the rows of ``label_cells`` only (y = 1 for equal opportunity), ŷ = P(y = 1). With equal
    weights ω = 1/n this is their (1/n)·|Σ_a − Σ_b|: sums over the groups divided by the whole
    batch's size, not group means, so it also shrinks as a group gets smaller. Not smooth at a zero
    gap (a subgradient there); no second derivatives, so solvers use first-order steps."""

    def check(self, data):
        super().check(data)
        if len(np.unique(data.groups)) != 2:
            fail("groups", f"exactly 2 groups for objective {self.name!r} (a gap between two sums)",
                 len(np.unique(data.groups)),
                 "Use 'demographic_parity_sq' or 'equal_opportunity_sq' for more groups.")

    def has_second_order(self):
        return False

    def second_z(self, batch, P, S, S2, gauss_newton=False):
        return None

    def evaluate(self, batch, P, grad=True):
        t = np.tanh(P)
        sign = np.where(batch.groups == batch.groups.min(), 1.0, -1.0) * batch.omega
        if self.label_cells != (None,):
            sign = sign * np.isin(batch.y, self.label_cells)
        gap = sign @ t  # (K,)
        f = np.abs(gap)
        if not grad:
            return f, None
        return f, sign[:, None] * np.sign(gap)[None, :] * (1.0 - t * t)

    def sums(self, batch, P, present, second=False):
        """One sum, Σᵢ ±ωᵢ tanh(ŷᵢ) (+ in the first present group, − in the other)."""
        t = np.tanh(P)
        sign = np.where(batch.groups == np.min(present), 1.0, -1.0) * batch.omega
        if self.label_cells != (None,):
            sign = sign * np.isin(batch.y, self.label_cells)
        return (sign @ t)[None], (sign[:, None] * (1.0 - t * t))[:, None, :], None, np.zeros(0)

    def from_sums(self, s, const):
        return np.abs(s[0]), np.sign(s), None

    def sum_directions(self, const):
        return None  # one sum already


class DemographicParityTanh(TanhGap):
    name = "demographic_parity_tanh"
    metric = "demographic_parity_difference"


class EqualOpportunityTanh(TanhGap):
    name = "equal_opportunity_tanh"
    label_cells = (1.0,)
    metric = "equal_opportunity_difference"
