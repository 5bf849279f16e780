"""The objective bases: every objective is minimised; two kinds.

- a *prediction objective* maps predictions P (n, K) to values f (K,) and ∂f/∂P (n, K) (the row
  weights ωᵢ already applied); the problem turns ∂f/∂P into ∂f/∂Θ with the model's pullback, once;
- a *parameter objective* maps Θ (K, d) straight to f (K,) and ∂f/∂Θ (K, d).

Optional extras serve the exact solver: ``curvature(batch, P)`` gives ∂²f/∂P² row by row (a
diagonal, (n, K)) for smooth objectives, ``hessian(d)`` the constant Hessian of a parameter
objective. A constraint is an objective and a bound, g(θ) = f(θ) − bound ≤ 0.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import NamedTuple

import numpy as np

from .._validation import fail
from ..losses import Loss
from ..models import Model, uses_affine_path


class Batch(NamedTuple):
    """The rows an objective sees: X (n, p), y (n,), groups (n,) or None, ω (n,) summing to 1 over
    the whole batch (a block of it keeps the batch's ω, so blocks' sums add up)."""

    X: np.ndarray
    y: np.ndarray
    groups: np.ndarray | None
    omega: np.ndarray

    @property
    def w(self):
        """ω as a column (n, 1) to scale a (n, K) tile, or the scalar 1/n when rows weigh the same
        (a scalar multiply is cheaper than a broadcast)."""
        return self.omega[:, None] if self.omega_uniform is None else self.omega_uniform

    @property
    def omega_uniform(self):
        o = self.omega
        return float(o[0]) if len(o) and o[0] == o[-1] and (o == o[0]).all() else None

    def rows(self, start: int, stop: int) -> "Batch":
        return Batch(self.X[start:stop], self.y[start:stop],
                     None if self.groups is None else self.groups[start:stop], self.omega[start:stop])


class Objective:
    """Base class. Subclasses set ``name`` and implement ``evaluate``."""

    name: str = "objective"
    label: str | None = None  # what axes and tables say (None: tradeoff.display's table, or name)
    unit: str = ""            # e.g. "target²"; "" for a pure number
    kind: str = "prediction"  # or "parameter"
    differentiable: bool = True
    smooth: bool = True  # continuous gradient: a Newton or a safe-step solver may use it

    def is_convex(self, model: Model) -> bool:
        return False

    def describe(self) -> dict:
        return {"name": self.name}

    def __repr__(self):
        params = ", ".join(f"{k}={v!r}" for k, v in self.describe().items() if k != "name")
        return f"{type(self).__name__}({params})"


class PredictionObjective(Objective):
    """``additive``: f is Σᵢ ωᵢ φ(yᵢ, ŷᵢ), so rows may be visited in blocks and the pieces summed.
    ``quadratic``: f is quadratic in θ for a linear model, so Gram statistics replace the rows."""

    kind = "prediction"
    additive = False
    quadratic = False

    def evaluate(self, batch: Batch, P: np.ndarray, grad: bool = True):
        """f (K,) and ∂f/∂P (n, K) (or None without ``grad``) for predictions P (n, K)."""
        raise NotImplementedError

    def curvature(self, batch: Batch, P: np.ndarray) -> np.ndarray | None:
        """∂²f/∂Pᵢ² (n, K) where f is a sum of per-row terms; None if not available."""
        return None

    def evaluate_second(self, batch: Batch, P: np.ndarray):
        """f, ∂f/∂P and ∂²f/∂P² together (one pass for objectives that can fuse them)."""
        f, dP = self.evaluate(batch, P, True)
        return f, dP, self.curvature(batch, P)

    def hessian_matrix(self, batch: Batch, P: np.ndarray | None) -> np.ndarray | None:
        """∂²f/∂θ² for a linear model, (d, d) or (K, d, d), when f is not a sum of per-row terms
        (e.g. a squared gap between group means). None if not available."""
        return None

    def has_second_order(self) -> bool:
        """Whether ``second_z`` gives second derivatives (what the Newton engine needs)."""
        return type(self).curvature is not PredictionObjective.curvature

    def second_z(self, batch: Batch, P, S, S2, gauss_newton: bool = False):
        """Value and derivatives in the score z of an affine-link model (P = link(z)):
        f (K,), ∂f/∂z (n, K), a diagonal Dz (n, K) and low-rank terms [(c (K,), U (n, K)), …] with

            ∇²_θ f = X̃ᵀ diag(Dz) X̃ + Σ c·(X̃ᵀU)(X̃ᵀU)ᵀ.

        S = ∂P/∂z and S2 = ∂²P/∂z² (None: 1 and 0). None if the objective has no curvature. With
        ``gauss_newton`` the problem passes S2 = None where dropping it keeps ∇²f positive
        semi-definite (the generalised Gauss–Newton matrix)."""
        f, dP, curv = self.evaluate_second(batch, P)
        if curv is None:
            return None
        dZ = dP if S is None else dP * S
        Dz = curv if S is None else curv * (S * S)
        if S2 is not None:
            Dz = Dz + dP * S2
        return f, dZ, Dz, ()


    def sums(self, batch: Batch, P, present, second: bool = False):
        """For an objective that sees the rows only through c weighted sums per candidate (a gap
        of group means: each group's Σ ωᵢ qᵢ), so that chunks of rows can be visited apart:

            s (c, K) = Σᵢ ωᵢ φ(yᵢ, gᵢ, Pᵢ),  ∂s/∂P by row (n, c, K),  ∂²s/∂P² by row (n, c, K) or
            None (zero, or not ``second``),  and the sums that do not depend on θ (c′,).

        ``present``: the group codes present in the whole data. None: no such form (then the
        objective needs all rows in memory)."""
        return None

    def from_sums(self, s, const):
        """f (K,), ∂f/∂s (c, K) and ∂²f/∂s² (c, c, K) (or None) from the whole data's sums."""
        raise NotImplementedError

    def sum_directions(self, const):
        """R (c, r) whose columns span every ∂f/∂s that ``from_sums`` can return for these constant
        sums, when r < c (then a gradient needs r pull-backs of ∂s/∂P·R, not c); None: all c."""
        return None


class ParameterObjective(Objective):
    kind = "parameter"

    def evaluate_theta(self, Theta: np.ndarray, grad: bool = True):
        raise NotImplementedError

    def hessian(self, d: int) -> np.ndarray | None:
        return None

    def has_second_order(self) -> bool:
        return self.hessian(2) is not None


def identity_link(model: Model) -> bool:
    """The model's capability P = X̃θ (an affine model with the identity link)."""
    return uses_affine_path(model) and bool(getattr(model, "identity_link", False))


def check_loss_model(loss: Loss, model: Model, name: str = "model"):
    """A classification loss needs probabilities: reject the models whose predictions are
    unbounded scores (the linear ones), which the loss could only clip silently."""
    if loss.classification and getattr(model, "output", None) == "linear":  # an MLP's scores
        fail(name, f"a model that predicts probabilities for loss {loss.name!r}",
             f"{model.name} with output='linear'",
             "Give it output='logistic', or use a regression loss such as 'mse'.")
    if loss.classification and getattr(model, "affine", False) and model.output == "linear":
        fail(name, f"a model that predicts probabilities, such as 'logistic', for loss {loss.name!r}",
             model.name, f"Use model='logistic', or a regression loss such as 'mse' with the "
                         f"{model.name} model.")



@dataclass(frozen=True)
class Constraint:
    """g(θ) = objective(θ) − bound ≤ 0."""

    objective: Objective
    bound: float

    @property
    def name(self) -> str:
        return f"{self.objective.name} <= {self.bound:g}"
