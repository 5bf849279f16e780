"""Models that map a batch of parameter vectors Θ (K, d) and features X (n, p) to predictions (n, K).

Every model here is a link applied to the affine score Z = X·Wᵀ + c, where a row of Θ is
θ = (w₁, …, w_p, c): the intercept is last, so the post's ``y = m·x + c`` is θ = (m, c).

``forward`` returns the predictions P and their slope S = ∂P/∂Z (both (n, K)); ``pullback`` turns
∂f/∂Z (n, K) into ∂f/∂Θ (K, d) with one matrix product, never a loop over candidates.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy.special import expit

from ._validation import (check_choice, check_finite_array, check_number, check_params,
                          check_theta, fail)
from .losses import Loss

_EPS = 1e-15


@dataclass(frozen=True)
class Model:
    """Base: an identity link on the affine score (linear regression with intercept)."""

    name = "linear"

    def n_params(self, n_features: int) -> int:
        return n_features + 1

    def score(self, Theta: np.ndarray, X: np.ndarray) -> np.ndarray:
        """Z = X Wᵀ + c, shape (n, K)."""
        return X @ Theta[:, :-1].T + Theta[:, -1]

    def link(self, Z: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        return Z, np.ones_like(Z)

    def link_second(self, Z: np.ndarray, P: np.ndarray, S: np.ndarray) -> np.ndarray | None:
        """∂²P/∂Z² (n, K) for the Newton engine; None where it is zero (almost everywhere)."""
        return None

    def forward(self, Theta: np.ndarray, X: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Predictions P (n, K) and slope S = ∂P/∂Z (n, K)."""
        return self.link(self.score(Theta, X))

    def pullback(self, X: np.ndarray, GZ: np.ndarray) -> np.ndarray:
        """∂f/∂Θ (K, d) from ∂f/∂Z (n, K): the chain rule through the affine score."""
        return np.concatenate([GZ.T @ X, GZ.sum(axis=0)[:, None]], axis=1)

    def predict(self, Theta, X) -> np.ndarray:
        """Predictions for a batch: (n, K) for Θ (K, d), (n,) for a single θ (d,)."""
        X = check_finite_array("X", X)
        if X.ndim == 1:
            X = X[:, None]
        Theta, single = check_theta(Theta, self.n_params(X.shape[1]))
        P = self.forward(Theta, X)[0]
        return P[:, 0] if single else P

    def curvature(self, loss: Loss) -> float | None:
        """sup ∂²ℓ(y, link(z))/∂z², or None where the composition has a kink."""
        return loss.curvature

    def describe(self) -> dict:
        return {"name": self.name}


@dataclass(frozen=True)
class LinearModel(Model):
    """ŷ = X w + c."""

    name = "linear"


@dataclass(frozen=True)
class CappedLinearModel(Model):
    """ŷ = min(X w + c, cap): predictions never exceed ``cap``.

    Its (sub)gradient is the linear one on rows below the cap and zero on capped rows, where the
    prediction no longer moves with θ.
    """

    cap: float = 120.0
    name = "capped_linear"

    def __post_init__(self):
        check_number("cap", self.cap)

    def link(self, Z):
        return np.minimum(Z, self.cap), (Z < self.cap).astype(float)

    def curvature(self, loss):
        return None  # the cap is a kink

    def describe(self):
        return {"name": self.name, "cap": self.cap}


@dataclass(frozen=True)
class LogisticModel(Model):
    """ŷ = σ(X w + c), a probability; ``threshold`` turns it into a class for exact metrics."""

    threshold: float = 0.5
    name = "logistic"

    def __post_init__(self):
        if not 0 < check_number("threshold", self.threshold) < 1:
            fail("threshold", "in the open interval (0, 1)", self.threshold)

    def link(self, Z):
        P = expit(Z)
        Pc = np.clip(P, _EPS, 1 - _EPS)  # same clip as log_loss, so their product is exactly p − y
        return P, Pc * (1.0 - Pc)

    def link_second(self, Z, P, S):
        return S * (1.0 - 2.0 * P)  # σ'' = σ(1 − σ)(1 − 2σ)

    def classify(self, Theta, X) -> np.ndarray:
        return (self.predict(Theta, X) >= self.threshold).astype(float)

    def curvature(self, loss):
        return 0.25 if loss.name == "log_loss" else None

    def describe(self):
        return {"name": self.name, "threshold": self.threshold}


MODELS = {"linear": LinearModel, "capped_linear": CappedLinearModel, "logistic": LogisticModel}


def get_model(name: str | Model, **params) -> Model:
    """The model called ``name`` (linear, capped_linear, logistic) with its parameters."""
    if isinstance(name, Model):
        return name
    check_choice("model", name, MODELS)
    check_params(MODELS[name], params, f"model {name!r}")
    return MODELS[name](**params)


@dataclass(frozen=True)
class Standardizer:
    """θ in original units from φ fitted on standardised features (X − μ)/s: Θ = Φ A.

    A is (d, d): w_j = φ_j / s_j and c = φ_c − Σ_j φ_j μ_j / s_j. Gradients map back as ∂f/∂Φ = ∂f/∂Θ Aᵀ.
    """

    mean: np.ndarray
    scale: np.ndarray

    @classmethod
    def fit(cls, X: np.ndarray) -> "Standardizer":
        s = X.std(axis=0)
        return cls(X.mean(axis=0), np.where(s > 0, s, 1.0))

    @property
    def matrix(self) -> np.ndarray:
        p = self.mean.size
        A = np.zeros((p + 1, p + 1))
        A[np.arange(p), np.arange(p)] = 1.0 / self.scale
        A[:p, p] = -self.mean / self.scale
        A[p, p] = 1.0
        return A

    def transform(self, X):
        return (X - self.mean) / self.scale

    def to_original(self, Phi):
        return Phi @ self.matrix

    def to_standard(self, Theta):
        return np.linalg.solve(self.matrix.T, Theta.T).T
