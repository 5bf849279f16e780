"""Pointwise losses ℓ(y, ŷ) with their derivative ∂ℓ/∂ŷ.

A `Loss` does no reduction: ``value`` and ``deriv`` map broadcastable arrays ``y`` (n, 1) and ``p``
(n, K) to (n, K). The mean over rows and the chain rule into θ live in the objective (one place).
The public means ``mse``, ``mae``, … take predictions of shape (n,) or (n, K) and return a scalar or
K values.

``curvature`` is sup ∂²ℓ/∂ŷ² (None for losses with a kink); it gives the automatic safe step.
``deriv2`` is ∂²ℓ/∂ŷ² itself, (n, K), for the Newton engine (None where ℓ has a kink: MAE, pinball).
A ``classification`` loss (log_loss) takes labels in {0, 1} and probabilities in [0, 1]; every
public entry point checks that with `Loss.check` rather than clipping or extrapolating silently.
"""

from __future__ import annotations

import numbers
from dataclasses import dataclass, field
from typing import Callable

import numpy as np
from scipy.special import xlogy

from ._validation import (check_choice, check_finite_array, check_labels, check_positive,
                          check_params, check_probabilities, check_sample_weight, fail)

_EPS = 1e-15  # probabilities are clipped to [eps, 1 - eps], as scikit-learn's log_loss does


@dataclass(frozen=True)
class Loss:
    """A pointwise loss: ``value(y, p)`` and ``deriv(y, p)`` in the prediction, shape (n, K)."""

    name: str
    value: Callable[[np.ndarray, np.ndarray], np.ndarray]
    deriv: Callable[[np.ndarray, np.ndarray], np.ndarray]
    curvature: float | None
    description: str = ""
    params: dict = field(default_factory=dict)
    deriv2: Callable[[np.ndarray, np.ndarray], np.ndarray] | None = None
    classification: bool = False  # labels in {0, 1}, predictions are probabilities in [0, 1]

    def check(self, y=None, p=None, *, y_name: str = "y_true", p_name: str = "y_pred",
              what: str = ""):
        """Raise if labels ``y`` or predictions ``p`` (finite arrays) are outside this loss's domain;
        ``what`` (e.g. "objective 'log_loss'") says who needs it."""
        if not self.classification:
            return
        if y is not None:
            check_labels(y_name, y, expectation=f"binary (0/1) for {what or repr(self.name)}",
                         fix=f"{self.name} compares probabilities with classes 0 and 1; encode the "
                             "classes as 0/1, or use a regression loss such as 'mse'.")
        if p is not None:
            check_probabilities(p_name, p)

    def __call__(self, y_true, y_pred, sample_weight=None):
        """Mean loss: scalar for y_pred (n,), shape (K,) for y_pred (n, K)."""
        return _mean(self, y_true, y_pred, sample_weight)


def _mean(loss: Loss, y_true, y_pred, sample_weight=None):
    y = check_finite_array("y_true", y_true, ndim=(1,))
    p = check_finite_array("y_pred", y_pred, ndim=(1, 2))
    if p.shape[0] != y.shape[0]:
        fail("y_pred", f"of length {y.shape[0]} (one row per y_true)", f"shape {p.shape}")
    loss.check(y, p)
    # one contiguous row per candidate: each row is reduced exactly as a single (n,) would be,
    # so a batch of K gives bit-for-bit the stack of K single evaluations
    rows = np.ascontiguousarray(np.atleast_2d(p.T))
    vals = loss.value(y, rows)
    if sample_weight is None:
        out = vals.mean(axis=1)
    else:
        w = check_sample_weight(sample_weight, y.shape[0])
        out = (vals * w).sum(axis=1) / w.sum()
    return out[0] if p.ndim == 1 else out


def _squared(y, p):
    return (p - y) ** 2


def _squared_d(y, p):
    return 2.0 * (p - y)


def _absolute(y, p):
    return np.abs(p - y)


def _absolute_d(y, p):
    return np.sign(p - y)


def huber(delta: float = 1.0) -> Loss:
    """Huber: r²/2 for |r| ≤ δ, δ(|r| − δ/2) beyond, r = ŷ − y."""
    check_positive("delta", delta)

    def value(y, p):
        a = np.abs(p - y)
        return np.where(a <= delta, 0.5 * a * a, delta * (a - 0.5 * delta))

    def deriv(y, p):
        return np.clip(p - y, -delta, delta)

    def deriv2(y, p):
        return (np.abs(p - y) <= delta).astype(float)

    return Loss("huber", value, deriv, 1.0, "Huber: quadratic near 0, linear in the tails",
                {"delta": delta}, deriv2)


def pinball(quantile: float = 0.5) -> Loss:
    """Pinball (quantile) loss: τ·r for r ≥ 0, (τ − 1)·r for r < 0, r = y − ŷ."""
    if isinstance(quantile, bool) or not isinstance(quantile, numbers.Real):
        fail("quantile", "a number in the open interval (0, 1)", quantile, exc=TypeError)
    if not 0 < quantile < 1:
        fail("quantile", "in the open interval (0, 1)", quantile)

    def value(y, p):
        r = y - p
        return np.maximum(quantile * r, (quantile - 1.0) * r)

    def deriv(y, p):
        r = y - p
        return np.where(r > 0, -quantile, np.where(r < 0, 1.0 - quantile, 0.0))

    return Loss("pinball", value, deriv, None, "pinball (quantile) loss", {"quantile": quantile})


def _log_cosh(y, p):
    a = np.abs(p - y)
    # log cosh a = a + log1p(e^{-2a}) - log 2, stable for large a
    return a + np.log1p(np.exp(-2.0 * a)) - np.log(2.0)


def _log_cosh_d(y, p):
    return np.tanh(p - y)


def _log_cosh_d2(y, p):
    t = np.tanh(p - y)
    return 1.0 - t * t


def _squared_d2(y, p):
    return np.full(np.broadcast_shapes(np.shape(y), np.shape(p)), 2.0)


def _log_loss(y, p):
    # the clip guards log(0) for valid probabilities; invalid inputs are rejected by Loss.check
    p = np.clip(p, _EPS, 1.0 - _EPS)
    return -(xlogy(y, p) + xlogy(1.0 - y, 1.0 - p))


def _log_loss_d(y, p):
    p = np.clip(p, _EPS, 1.0 - _EPS)
    return (p - y) / (p * (1.0 - p))


def _log_loss_d2(y, p):
    p = np.clip(p, _EPS, 1.0 - _EPS)
    return y / (p * p) + (1.0 - y) / ((1.0 - p) * (1.0 - p))


def loss_factories() -> dict[str, Callable[..., Loss]]:
    return {
        "mse": lambda: Loss("mse", _squared, _squared_d, 2.0, "mean squared error", {}, _squared_d2),
        "mae": lambda: Loss("mae", _absolute, _absolute_d, None, "mean absolute error"),
        "huber": huber,
        "pinball": pinball,
        "log_cosh": lambda: Loss("log_cosh", _log_cosh, _log_cosh_d, 1.0, "log-cosh", {}, _log_cosh_d2),
        "log_loss": lambda: Loss("log_loss", _log_loss, _log_loss_d, None,
                                 "binary cross-entropy of a probability", {}, _log_loss_d2,
                                 classification=True),
    }


LOSSES = tuple(loss_factories())


def get_loss(name: str | Loss, **params) -> Loss:
    """The loss called ``name`` (one of ``LOSSES``), with parameters such as delta or quantile."""
    if isinstance(name, Loss):
        return name
    check_choice("loss", name, LOSSES)
    factory = loss_factories()[name]
    check_params(factory, params, f"loss {name!r}")
    return factory(**params)


def mse(y_true, y_pred, sample_weight=None):
    """Mean squared error; K values for predictions of shape (n, K)."""
    return get_loss("mse")(y_true, y_pred, sample_weight)


def mae(y_true, y_pred, sample_weight=None):
    """Mean absolute error; K values for predictions of shape (n, K)."""
    return get_loss("mae")(y_true, y_pred, sample_weight)


def huber_loss(y_true, y_pred, delta: float = 1.0, sample_weight=None):
    """Mean Huber loss with threshold ``delta``."""
    return huber(delta)(y_true, y_pred, sample_weight)


def pinball_loss(y_true, y_pred, quantile: float = 0.5, sample_weight=None):
    """Mean pinball loss at ``quantile`` (scikit-learn's mean_pinball_loss with alpha=quantile)."""
    return pinball(quantile)(y_true, y_pred, sample_weight)


def log_cosh(y_true, y_pred, sample_weight=None):
    """Mean log-cosh loss."""
    return get_loss("log_cosh")(y_true, y_pred, sample_weight)


def log_loss(y_true, y_pred, sample_weight=None):
    """Mean binary cross-entropy of probabilities ``y_pred`` for labels in {0, 1}."""
    return get_loss("log_loss")(y_true, y_pred, sample_weight)
