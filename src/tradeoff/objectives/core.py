"""The built-in objectives: accuracy losses, caps on predictions, and L1/L2 norms of θ."""

from __future__ import annotations

import numpy as np

from .._validation import MAX_ABS, check_number, fail
from ..losses import Loss, get_loss
from ..models import Model
from .base import ParameterObjective, PredictionObjective, check_loss_model, identity_link


class LossObjective(PredictionObjective):
    """Mean accuracy loss Σ ωᵢ ℓ(yᵢ, ŷᵢ)."""

    additive = True

    def __init__(self, loss: str | Loss = "mse", **params):
        self.loss = get_loss(loss, **params)
        self.name = self.loss.name
        self.smooth = self.loss.deriv2 is not None
        self.differentiable = True
        self.quadratic = self.loss.name == "mse"

    def check(self, data):
        self.loss.check(data.y, y_name="y", what=f"objective {self.name!r}")  # log_loss: labels 0/1

    def check_model(self, model):
        check_loss_model(self.loss, model)

    def evaluate(self, batch, P, grad=True):
        y = batch.y[:, None]
        f = batch.omega @ self.loss.value(y, P)  # a weighted sum over rows as one product
        return f, (self.loss.deriv(y, P) * batch.w if grad else None)

    def curvature(self, batch, P):
        """ωᵢ ∂²ℓ/∂ŷ² (n, K) (P None: MSE's 2ωᵢ, the same everywhere, or a placeholder that says a
        curvature exists); None for losses with a kink."""
        if self.loss.name == "mse":
            return np.broadcast_to(2.0 * batch.omega[:, None], (len(batch.omega), 1 if P is None else P.shape[1]))
        if self.loss.deriv2 is None:
            return None
        if P is None:
            return np.zeros((len(batch.omega), 1))
        return self.loss.deriv2(batch.y[:, None], P) * batch.w

    def has_second_order(self):
        return self.loss.deriv2 is not None

    def is_convex(self, model):
        if getattr(model, "affine", False) and getattr(model, "canonical_loss", None):
            return self.loss.name == model.canonical_loss  # log-loss on the logistic link
        return identity_link(model) and self.loss.name != "log_loss"

    def describe(self):
        return {"name": self.name, **self.loss.params}


class CapObjective(PredictionObjective):
    """An objective about predictions above ``cap``: the cap is its one parameter."""

    def __init__(self, cap: float = 120.0):
        self.cap = _finite("cap", cap)

    def describe(self):
        return {"name": self.name, "cap": self.cap}


class CapViolation(CapObjective):
    """Σ ωᵢ max(0, ŷᵢ − cap)²: smooth, convex for a linear model, zero when no prediction exceeds cap."""

    name = "cap_violation"
    additive = True

    def evaluate(self, batch, P, grad=True):
        over = P - self.cap
        over *= over > 0  # max(·, 0) in place; cheaper than np.maximum's NaN handling
        f = batch.omega @ (over * over)
        if not grad:
            return f, None
        over *= 2.0 * batch.w
        return f, over

    def evaluate_second(self, batch, P):
        active = P > self.cap
        over = P - self.cap
        over *= active
        f = batch.omega @ (over * over)
        w2 = 2.0 * batch.w
        over *= w2
        return f, over, active * w2

    def curvature(self, batch, P):
        if P is None:  # asked only whether a curvature exists
            return np.zeros((len(batch.omega), 1))
        return (P > self.cap) * (2.0 * batch.w)

    def is_convex(self, model):
        return identity_link(model)


class CapExcessRate(CapObjective):
    """Share Σ ωᵢ [ŷᵢ > cap] of predictions above the cap: for reporting, it has no gradient."""

    name = "cap_excess_rate"
    additive = True
    differentiable = False
    smooth = False

    def evaluate(self, batch, P, grad=True):
        return batch.omega @ (P > self.cap), None


class CapMax(CapObjective):
    """max ŷ − cap, the hard form of the cap (≤ 0 when it holds); subgradient at the arg-max row."""

    name = "cap_max"
    smooth = False

    def evaluate(self, batch, P, grad=True):
        idx = P.argmax(axis=0)
        f = P[idx, np.arange(P.shape[1])] - self.cap
        if not grad:
            return f, None
        dP = np.zeros_like(P)
        dP[idx, np.arange(P.shape[1])] = 1.0
        return f, dP

    def is_convex(self, model):
        return identity_link(model)


class NormObjective(ParameterObjective):
    """A norm of the weights. By default every entry but the last (the intercept) is a weight;
    ``for_model`` asks a non-affine model which entries are (an MLP: its weights, not its biases)."""

    mask: np.ndarray | None = None  # (d,) bool: the penalised entries; None: all but the last

    def for_model(self, model: Model, n_features: int):
        bound = type(self).__new__(type(self))
        bound.__dict__.update(self.__dict__)
        bound.mask = np.asarray(model.penalized(n_features), bool)
        return bound

    def _weights(self, Theta):
        return Theta[:, :-1] if self.mask is None else Theta * self.mask

    def _full(self, g):
        """A gradient over the penalised entries as (K, d)."""
        if self.mask is None:
            return np.concatenate([g, np.zeros((len(g), 1))], axis=1)
        return g  # already zero off the mask

    def is_convex(self, model):
        return True


class L2Norm(NormObjective):
    """‖w‖² of the weights (the intercept is not penalised; an MLP's biases neither)."""

    name = "l2"

    def evaluate_theta(self, Theta, grad=True):
        W = self._weights(Theta)
        return (W * W).sum(axis=1), (self._full(2.0 * W) if grad else None)

    def hessian(self, d):
        H = 2.0 * np.eye(d)
        if self.mask is None:
            H[-1, -1] = 0.0
        else:
            H *= self.mask
        return H


class L1Norm(NormObjective):
    """‖w‖₁ of the weights; subgradient sign(w)."""

    name = "l1"
    smooth = False

    def evaluate_theta(self, Theta, grad=True):
        W = self._weights(Theta)
        return np.abs(W).sum(axis=1), (self._full(np.sign(W)) if grad else None)


def _finite(name, value):
    value = check_number(name, value)
    if abs(value) > MAX_ABS:  # the data are bounded so; a cap beyond would overflow its square
        fail(name, f"of magnitude at most {MAX_ABS:g}", value,
             "It is in the target's units; rescale the target and the cap together.")
    return value
