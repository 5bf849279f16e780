"""The model protocol and its affine base: models map a batch of parameter vectors Θ (K, d) and features X (n, p) to predictions (n, K).

The model protocol (``Model``) is what ``Problem`` calls; see docs/models.md:

- ``n_params(p)``: d, the length of one parameter vector θ for p features;
- ``forward(Θ, X) -> (P, aux)``: predictions P (n, K) for all K candidates at once, and whatever the
  backward pass needs (``aux``);
- ``pullback(Θ, X, dP, aux) -> (K, d)``: ∂f/∂Θ from ∂f/∂P (n, K), for all K at once; a stack of
  t gradients dP (n, K, t) gives (K, t, d);
- optional: ``init(K, p, rng)`` seeded starting points (non-convex models), ``param_names(features)``,
  ``jvp`` (Jacobian-vector products), ``penalized(p)`` (which entries l1/l2 penalise).

``AffineModel`` (linear, capped linear, logistic) is link(X̃θ) with θ = (w₁, …, w_p, c), the intercept
last, so the post's ``y = m·x + c`` is θ = (m, c). It sets ``affine = True``, which lets ``Problem``
use its fast paths (Gram statistics, one product X̃Θᵀ per row block, the link's slope) instead of
calling ``forward``/``pullback``. ``check_model`` rejects a model that overrides its score without
saying how to differentiate it.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .._validation import check_finite_array, check_theta, fail
from ..losses import Loss

PROB_CLIP = 1e-15  # probabilities are clipped to [PROB_CLIP, 1 − PROB_CLIP], as log_loss clips


class Model:
    """The model protocol: subclass it and implement ``n_params``, ``forward`` and ``pullback``.

    ``affine = True`` promises that P = link(X̃θ) exactly as ``AffineModel`` computes it; ``Problem``
    then never calls ``forward``/``pullback`` in its inner loop. Leave it False for anything else.
    """

    name = "model"
    affine = False

    def n_params(self, n_features: int) -> int:
        """d, the number of parameters for ``n_features`` input columns."""
        raise NotImplementedError

    def forward(self, Theta: np.ndarray, X: np.ndarray):
        """Predictions P (n, K) for Θ (K, d), X (n, p), and ``aux`` for ``pullback``."""
        raise NotImplementedError

    def pullback(self, Theta: np.ndarray, X: np.ndarray, dP: np.ndarray, aux) -> np.ndarray:
        """∂f/∂Θ (K, d) from ∂f/∂P (n, K) (or (K, t, d) from a stack dP (n, K, t))."""
        raise NotImplementedError

    def param_names(self, feature_names) -> list[str]:
        """One name per entry of θ."""
        return [f"theta{j}" for j in range(self.n_params(len(feature_names)))]

    def penalized(self, n_features: int) -> np.ndarray:
        """Which entries of θ the l1/l2 objectives penalise, (d,) bool: all but the last."""
        mask = np.ones(self.n_params(n_features), bool)
        mask[-1] = False
        return mask

    def predict(self, Theta, X) -> np.ndarray:
        """Predictions for a batch: (n, K) for Θ (K, d), (n,) for a single θ (d,)."""
        X = check_finite_array("X", X)
        if X.ndim == 1:
            X = X[:, None]
        Theta, single = check_theta(Theta, self.n_params(X.shape[1]))
        P = predictions(self, Theta, X)
        return P[:, 0] if single else P

    def curvature(self, loss: Loss) -> float | None:
        """sup ∂²ℓ(y, P)/∂z² of the loss through the model's output, or None if unknown."""
        return None

    def describe(self) -> dict:
        return {"name": self.name}


def _overrides(model, attr: str, base: type) -> bool:
    return getattr(type(model), attr, None) is not getattr(base, attr, None)


def uses_affine_path(model: Model) -> bool:
    """True if ``Problem`` may evaluate ``model`` as link(X̃θ) (Gram statistics, one product per
    block): it says ``affine = True`` and keeps AffineModel's score, forward and pullback."""
    return (bool(getattr(model, "affine", False)) and isinstance(model, AffineModel)
            and not any(_overrides(model, a, AffineModel) for a in ("score", "forward", "pullback")))


def check_model(model) -> Model:
    """``model`` if ``Problem`` can evaluate and differentiate it; else one clear error."""
    if not isinstance(model, Model):
        fail("model", "a model name or a tradeoff.models.Model", type(model).__name__, exc=TypeError)
    name = type(model).__name__
    if isinstance(model, AffineModel):
        changed = [a for a in ("score", "forward") if _overrides(model, a, AffineModel)]
        if changed and not _overrides(model, "pullback", AffineModel):
            fail("model", f"a model whose gradient matches its predictions ({name} overrides "
                 f"`{changed[0]}` but not `pullback`, so its gradient would be the linear score's)",
                 name, "Implement pullback(Theta, X, dP, aux) -> (K, d); see docs/models.md.",
                 exc=TypeError)
        return model
    missing = [a for a in ("n_params", "forward", "pullback") if not _overrides(model, a, Model)]
    if missing:
        fail("model", f"a complete model protocol ({name} does not implement "
             f"{', '.join('`' + a + '`' for a in missing)})", name,
             "Implement n_params(p), forward(Theta, X) -> (P, aux) and pullback(Theta, X, dP, aux) "
             "-> (K, d), or subclass AffineModel; see docs/models.md.", exc=TypeError)
    return model


ROW_BLOCK = 1 << 18  # rows × K × width of one block's activations for a non-affine model


def row_block(model: Model, n: int, K: int) -> int:
    """Rows per block for a non-affine model: its ``block_rows(K)`` or a fixed activation budget."""
    rows = getattr(model, "block_rows", None)
    B = rows(K) if rows is not None else ROW_BLOCK // max(K, 1)
    return int(max(16, min(n, B)))


def predictions(model: Model, Theta: np.ndarray, X: np.ndarray) -> np.ndarray:
    """P (n, K) = the model's forward pass, in row blocks for non-affine models (bounded memory)."""
    if uses_affine_path(model):
        return model.forward(Theta, X)[0]
    n = len(X)
    B = row_block(model, n, len(Theta))
    if B >= n:
        return model.forward(Theta, X)[0]
    P = np.empty((n, len(Theta)))
    for s in range(0, n, B):
        P[s:s + B] = model.forward(Theta, X[s:s + B])[0]
    return P


@dataclass(frozen=True)
class AffineModel(Model):
    """Base of link(X̃θ): an identity link on the affine score (linear regression with intercept).

    ``forward`` gives P and, as ``aux``, the link's slope S = ∂P/∂Z (both (n, K)); ``pullback`` is
    one product (dP·S)ᵀ X̃. Subclasses change ``link`` (and keep ``affine = True``).

    Capabilities ``Problem`` asks for (never the class or the name): ``affine`` (P = link(X̃θ):
    Gram statistics, standardised parameters, Hessians from ``link_second``), ``identity_link``
    (P = X̃θ itself: quadratic objectives from statistics gathered once), ``canonical_loss`` (the
    loss whose gradient through the link is ω(p − y), so its Hessian needs no ``link_second``),
    ``score_spread`` (the default box's half-width on the score scale; None: the target's spread)
    and ``output`` ("linear" scores or "logistic" probabilities)."""

    name = "linear"
    affine = True
    identity_link = True
    canonical_loss = None
    score_spread = None
    output = "linear"

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

    def pullback(self, Theta, X, dP, aux) -> np.ndarray:
        """∂f/∂Θ (K, d) from ∂f/∂P (n, K) and the slope ``aux`` = S: (dP·S)ᵀ (X, 1)."""
        GZ = dP * (aux if dP.ndim == 2 else aux[:, :, None])
        if GZ.ndim == 3:  # a stack of t gradients: (K, t, d)
            return np.concatenate([np.einsum("nkt,np->ktp", GZ, X), GZ.sum(0)[:, :, None]], axis=2)
        return affine_pullback(X, GZ)

    def jvp(self, Theta, X, V, aux) -> np.ndarray:
        """∂P/∂Θ · V (n, K) for directions V (K, d)."""
        return (X @ V[:, :-1].T + V[:, -1]) * aux

    def param_names(self, feature_names) -> list[str]:
        names = tuple(feature_names)
        if names == ("x",):
            return ["m", "c"]
        return [f"w_{f}" for f in names] + ["intercept"]

    def curvature(self, loss: Loss) -> float | None:
        """sup ∂²ℓ(y, link(z))/∂z², or None where the composition has a kink."""
        return loss.curvature


def affine_pullback(X: np.ndarray, GZ: np.ndarray) -> np.ndarray:
    """∂f/∂Θ (K, d) from ∂f/∂Z (n, K): the chain rule through the affine score X Wᵀ + c."""
    return np.concatenate([GZ.T @ X, GZ.sum(axis=0)[:, None]], axis=1)


def _squared_deviations(X: np.ndarray, mean: np.ndarray, block: int = 2048) -> np.ndarray:
    """Σᵢ (xᵢ − mean)² by columns, as X.std(axis=0) sums them but without its (n, p) temporary
    (at n 10⁵, p 200 that temporary cost more than XᵀX). numpy sums the rows of a C-ordered X with
    p ≥ 2 columns one after another, so each block's sum starts from the running total (its first
    row) and the result is bit for bit numpy's; other layouts take numpy's own way."""
    n, p = X.shape
    if not (X.flags.c_contiguous and p >= 2 and n > block):
        dev = X - mean
        np.multiply(dev, dev, out=dev)
        return dev.sum(axis=0)
    buf = np.empty((block + 1, p))
    total = np.zeros(p)
    for s in range(0, n, block):
        k = min(block, n - s)
        buf[0] = total
        dev = buf[1:k + 1]
        np.subtract(X[s:s + k], mean, out=dev)
        np.multiply(dev, dev, out=dev)
        total = buf[:k + 1].sum(axis=0)
    return total


@dataclass(frozen=True)
class Standardizer:
    """θ in original units from φ fitted on standardised features (X − μ)/s: Θ = Φ A.

    A is (d, d): w_j = φ_j / s_j and c = φ_c − Σ_j φ_j μ_j / s_j. Gradients map back as ∂f/∂Φ = ∂f/∂Θ Aᵀ.
    """

    mean: np.ndarray
    scale: np.ndarray

    @classmethod
    def fit(cls, X: np.ndarray) -> "Standardizer":
        mean = X.mean(axis=0)
        s = np.sqrt(_squared_deviations(X, mean) / len(X))  # bit for bit X.std(axis=0)
        return cls(mean, np.where(s > 0, s, 1.0))

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

    def gradient_to_standard(self, G):
        """∂f/∂Φ = ∂f/∂Θ Aᵀ for gradients G (..., d), in O(d) a row: A is diagonal but for its
        last column, so (G Aᵀ)ⱼ = (Gⱼ − G_c μⱼ) / sⱼ and the intercept's entry stays G_c."""
        G = np.asarray(G, float)
        out = np.empty_like(G)
        out[..., :-1] = (G[..., :-1] - G[..., -1:] * self.mean) / self.scale
        out[..., -1] = G[..., -1]
        return out

    def congruence(self, H):
        """A H Aᵀ for H (..., d, d): a Hessian in Θ seen in Φ, in O(d²) a matrix. With μ_c = 0 and
        s_c = 1 for the intercept c, (A H Aᵀ)ᵢⱼ = (Hᵢⱼ − μⱼH_ic − μᵢH_cj + μᵢμⱼH_cc) / (sᵢsⱼ): the
        columns, then the rows, are shifted by the intercept's, then both scaled, in place."""
        out = np.array(H, dtype=float)  # a copy, C-ordered
        out[..., :, :-1] -= out[..., :, -1:] * self.mean
        out[..., :-1, :] -= self.mean[:, None] * out[..., -1:, :]
        inv = np.append(1.0 / self.scale, 1.0)
        out *= inv[:, None] * inv
        return out


class Unscaled(Standardizer):
    """The identity Θ = Φ for models whose parameters are not an affine map of the features
    (``Problem`` uses it for non-affine models); every map is free, and no (d, d) matrix is formed
    unless ``matrix`` is asked for."""

    def __init__(self, d: int):
        object.__setattr__(self, "mean", np.zeros(d - 1))
        object.__setattr__(self, "scale", np.ones(d - 1))

    @property
    def matrix(self) -> np.ndarray:
        return np.eye(self.mean.size + 1)

    def transform(self, X):
        return X

    def to_original(self, Phi):
        return np.asarray(Phi, float)

    def to_standard(self, Theta):
        return np.asarray(Theta, float)

    def gradient_to_standard(self, G):
        return G

    def congruence(self, H):
        return H


def n_features(model, d: int) -> int:
    """The number of input features p for which ``model.n_params(p) == d`` (d − 1 for an affine
    model; for a network the first layer's fan-in). n_params grows with p, so a bisection finds it;
    a model whose d does not depend on p (a torch module) says p as ``n_inputs``."""
    p = getattr(model, "n_inputs", None)
    if p is not None:
        if model.n_params(p) != d:
            fail("theta", f"a parameter vector of the model {model.name!r} "
                 f"({model.n_params(p)} parameters)", f"{d} parameters")
        return int(p)
    lo, hi = 0, int(d)
    while lo < hi:
        mid = (lo + hi) // 2
        if model.n_params(mid) < d:
            lo = mid + 1
        else:
            hi = mid
    if model.n_params(lo) != d:
        fail("theta", f"a parameter vector of the model {model.name!r} (its length is "
             "n_params(p) for some number of features p)", f"{d} parameters")
    return lo
