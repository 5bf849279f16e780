"""Objectives: accuracy losses, constraint violations, norms (and, elsewhere, fairness gaps).

Every objective is minimised. Two kinds share one registry:

- a *prediction objective* maps predictions P (n, K) to values f (K,) and ∂f/∂P (n, K) (the row
  weights ωᵢ already applied); the problem turns ∂f/∂P into ∂f/∂Θ with the model's pullback, once;
- a *parameter objective* maps Θ (K, d) straight to f (K,) and ∂f/∂Θ (K, d).

Optional extras serve the exact solver: ``curvature(batch, P)`` gives ∂²f/∂P² row by row (a
diagonal, (n, K)) for smooth objectives, ``hessian(d)`` the constant Hessian of a parameter
objective. ``register_objective`` adds a user's objective under a name that configs can use.
"""

from __future__ import annotations

import inspect
from dataclasses import dataclass
from importlib.metadata import entry_points
from typing import Callable, NamedTuple

import numpy as np

from ._validation import MAX_ABS, check_choice, check_number, check_params, closest, fail
from .losses import LOSSES, Loss, get_loss
from .models import CappedLinearModel, LinearModel, LogisticModel, Model


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


class ParameterObjective(Objective):
    kind = "parameter"

    def evaluate_theta(self, Theta: np.ndarray, grad: bool = True):
        raise NotImplementedError

    def hessian(self, d: int) -> np.ndarray | None:
        return None

    def has_second_order(self) -> bool:
        return self.hessian(2) is not None


def _affine_link(model: Model) -> bool:
    return type(model) is LinearModel


def check_loss_model(loss: Loss, model: Model, name: str = "model"):
    """A classification loss needs probabilities: reject the models whose predictions are
    unbounded scores (the linear ones), which the loss could only clip silently."""
    if loss.classification and getattr(model, "output", None) == "linear":  # an MLP's scores
        fail(name, f"a model that predicts probabilities for loss {loss.name!r}",
             f"{model.name} with output='linear'",
             "Give it output='logistic', or use a regression loss such as 'mse'.")
    if loss.classification and type(model) in (Model, LinearModel, CappedLinearModel):
        fail(name, f"a model that predicts probabilities, such as 'logistic', for loss {loss.name!r}",
             model.name, f"Use model='logistic', or a regression loss such as 'mse' with the "
                         f"{model.name} model.")


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
        if isinstance(model, LogisticModel):
            return self.loss.name == "log_loss"
        return _affine_link(model) and self.loss.name != "log_loss"

    def describe(self):
        return {"name": self.name, **self.loss.params}


class _Capped(PredictionObjective):
    """An objective about predictions above ``cap``: the cap is its one parameter."""

    def __init__(self, cap: float = 120.0):
        self.cap = _finite("cap", cap)

    def describe(self):
        return {"name": self.name, "cap": self.cap}


class CapViolation(_Capped):
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
        return _affine_link(model)


class CapExcessRate(_Capped):
    """Share Σ ωᵢ [ŷᵢ > cap] of predictions above the cap: for reporting, it has no gradient."""

    name = "cap_excess_rate"
    additive = True
    differentiable = False
    smooth = False

    def evaluate(self, batch, P, grad=True):
        return batch.omega @ (P > self.cap), None


class CapMax(_Capped):
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
        return _affine_link(model)


class _Norm(ParameterObjective):
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


class L2Norm(_Norm):
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


class L1Norm(_Norm):
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


def _loss_objective(name: str) -> Callable[..., Objective]:
    """The factory of a loss as an objective, with the loss's own parameters as its signature
    (so that get_objective names them, and a stray ``loss`` key is one more unknown name)."""
    from .losses import _registry

    def make(**params):
        return LossObjective(name, **params)

    make.__signature__ = inspect.signature(_registry()[name])
    return make


_REGISTRY: dict[str, Callable[..., Objective]] = {
    **{name: _loss_objective(name) for name in LOSSES},
    "cap_violation": CapViolation,
    "cap_excess_rate": CapExcessRate,
    "cap_max": CapMax,
    "l2": L2Norm,
    "l1": L1Norm,
}
_entry_points_loaded = False


def register_objective(name: str):
    """Decorator: make an Objective subclass (or factory) available under ``name`` in configs.

    >>> @register_objective("my_gap")
    ... class MyGap(PredictionObjective): ...
    """
    def deco(factory):
        _REGISTRY[name] = factory
        return factory
    return deco


def _load_entry_points():
    # installed packages register objectives under the entry-point group "tradeoff.objectives"
    global _entry_points_loaded
    if _entry_points_loaded:
        return
    _entry_points_loaded = True
    for ep in entry_points(group="tradeoff.objectives"):
        _REGISTRY.setdefault(ep.name, ep.load())


def objective_names() -> list[str]:
    _load_entry_points()
    _import_builtin_extensions()
    return sorted(_REGISTRY)


def _import_builtin_extensions():
    # fairness objectives live in their own module and register themselves on import
    try:
        from . import fairness_objectives  # noqa: F401
    except ImportError:
        pass


def get_objective(spec, **params) -> Objective:
    """An objective from an instance, a name, or a dict ``{"name": ..., **params}``."""
    if isinstance(spec, Objective):
        return spec
    if isinstance(spec, dict):
        spec = dict(spec)
        if "name" not in spec:
            fail("objective", "a table with a `name` key", spec)
        params = {**spec, **params}
        spec = params.pop("name")
    names = objective_names()
    check_choice("objective", spec, names)
    factory = _REGISTRY[spec]
    try:
        sig = inspect.signature(factory)
        sig.bind(**params)
    except TypeError:
        accepted = [p for p in sig.parameters if p not in ("self",)]
        bad = sorted(set(params) - set(accepted))
        hint = (closest(bad[0], accepted) if bad else "") or " Remove the ones not listed."
        fail(f"parameters of objective {spec!r}",
             f"among {', '.join(accepted) or 'none'}", sorted(params), hint.strip())
    except ValueError:
        pass  # builtins without a signature
    check_params(factory, params, f"objective {spec!r}")  # booleans must be booleans
    return factory(**params)


@dataclass(frozen=True)
class Constraint:
    """g(θ) = objective(θ) − bound ≤ 0."""

    objective: Objective
    bound: float

    @property
    def name(self) -> str:
        return f"{self.objective.name} <= {self.bound:g}"
