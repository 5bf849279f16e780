"""The built-in affine models: link(X̃θ) with θ = (w₁, …, w_p, c), the intercept last."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy.special import expit

from .._validation import check_number, fail
from .base import PROB_CLIP, AffineModel


@dataclass(frozen=True)
class LinearModel(AffineModel):
    """ŷ = X w + c."""

    name = "linear"


@dataclass(frozen=True)
class CappedLinearModel(AffineModel):
    """ŷ = min(X w + c, cap): predictions never exceed ``cap``.

    Its (sub)gradient is the linear one on rows below the cap and zero on capped rows, where the
    prediction no longer moves with θ.
    """

    cap: float = 120.0
    name = "capped_linear"
    identity_link = False

    def __post_init__(self):
        check_number("cap", self.cap)

    def link(self, Z):
        return np.minimum(Z, self.cap), (Z < self.cap).astype(float)

    def curvature(self, loss):
        return None  # the cap is a kink

    def describe(self):
        return {"name": self.name, "cap": self.cap}


@dataclass(frozen=True)
class LogisticModel(AffineModel):
    """ŷ = σ(X w + c), a probability; ``threshold`` turns it into a class for exact metrics."""

    threshold: float = 0.5
    name = "logistic"
    identity_link = False
    canonical_loss = "log_loss"  # ∂ℓ/∂z = p − y on the logistic link
    score_spread = 4.0  # the logit scale
    output = "logistic"

    def __post_init__(self):
        if not 0 < check_number("threshold", self.threshold) < 1:
            fail("threshold", "in the open interval (0, 1)", self.threshold)

    def link(self, Z):
        P = expit(Z)
        Pc = np.clip(P, PROB_CLIP, 1 - PROB_CLIP)  # same clip as log_loss, so their product is exactly p − y
        return P, Pc * (1.0 - Pc)

    def link_second(self, Z, P, S):
        return S * (1.0 - 2.0 * P)  # σ'' = σ(1 − σ)(1 − 2σ)

    def classify(self, Theta, X) -> np.ndarray:
        return (self.predict(Theta, X) >= self.threshold).astype(float)

    def curvature(self, loss):
        return 0.25 if loss.name == "log_loss" else None

    def describe(self):
        return {"name": self.name, "threshold": self.threshold}
