"""Training K candidates at once: the descent loop, its history, and ``fit`` for one loss.

The loop runs over epochs (and mini-batches); every step is one array operation on Θ (K, d).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable

import numpy as np
import pandas as pd

from ._validation import (check_bool, check_choice, check_positive, check_seed, check_theta,
                          check_xy, fail)
from .losses import Loss, get_loss
from .models import Model, Standardizer, get_model, uses_affine_path
from .objectives import check_loss_model
from .optim import Optimizer, get_optimizer

ValueAndGrad = Callable[[np.ndarray, "np.ndarray | None"], tuple[np.ndarray, np.ndarray]]


class TrainingDiverged(ValueError):
    """The loss became non-finite; the message names the learning rate to lower."""


@dataclass(frozen=True)
class History:
    """Parameters and loss after each epoch; row 0 is the start.

    theta: (E + 1, K, d), loss: (E + 1, K), status: (K,) of "converged", "budget" or "diverged".
    A diverged candidate keeps its last finite parameters, so no row holds NaN.
    """

    theta: np.ndarray
    loss: np.ndarray
    status: np.ndarray
    evaluations: int

    @property
    def epochs(self) -> int:
        return self.loss.shape[0] - 1

    def to_frame(self, param_names: list[str] | None = None) -> pd.DataFrame:
        """Tidy table: one row per (epoch, candidate) with each parameter and the loss."""
        E1, K, d = self.theta.shape
        names = param_names or [f"theta_{j}" for j in range(d)]
        frame = pd.DataFrame(self.theta.reshape(E1 * K, d), columns=names)
        frame.insert(0, "candidate", np.tile(np.arange(K), E1))
        frame.insert(0, "epoch", np.repeat(np.arange(E1), K))
        frame["value"] = self.loss.reshape(-1)
        return frame


def minimize(value_and_grad: ValueAndGrad, Theta0: np.ndarray, optimizer: Optimizer, epochs: int,
             *, n_rows: int | None = None, batch_size: int | None = None, rng=None,
             tol: float = 0.0, on_diverge: str = "raise") -> History:
    """Descend from Θ₀ (K, d) for ``epochs`` epochs.

    ``value_and_grad(Θ, rows)`` returns f (K,) and ∇f (K, d) on the given rows (None = all rows).
    With ``batch_size`` each epoch visits the rows in shuffled mini-batches (SGD); the recorded loss
    is always the full-data loss. A candidate whose relative change of loss falls below ``tol``
    stops moving ("converged"). A non-finite loss raises `TrainingDiverged` (``on_diverge="raise"``)
    or freezes that candidate at its last finite point with status "diverged" (``"stop"``).
    """
    check_choice("on_diverge", on_diverge, ("raise", "stop"))
    Theta = np.array(Theta0, dtype=float)
    K, d = Theta.shape
    state = optimizer.init(Theta)
    active = np.ones(K, bool)
    status = np.full(K, "budget", dtype=object)
    thetas, losses = [Theta.copy()], []
    evals = 0
    rng = np.random.default_rng(rng)
    for epoch in range(epochs + 1):
        # a diverging step overflows: that is detected below and reported by name, not warned
        with np.errstate(over="ignore", invalid="ignore"):
            f, g = value_and_grad(Theta, None)
        evals += int(active.sum())
        bad = active & ~(np.isfinite(f) & np.isfinite(g).all(axis=1))
        if bad.any():
            if on_diverge == "raise":
                raise TrainingDiverged(
                    f"Training diverged at epoch {epoch}: the loss became {float(f[bad][0])!r} with "
                    f"lr={_show_lr(optimizer.lr)}. Use a smaller `lr`, or lr='auto' for a smooth loss.")
            # freeze at the last finite point and drop the bad epoch's parameters
            Theta[bad] = thetas[-2][bad] if len(thetas) > 1 else thetas[-1][bad]
            f = np.where(bad, losses[-1] if losses else np.nan, f)
            status[bad] = "diverged"
            active &= ~bad
            thetas[-1] = Theta.copy()
        if losses and tol > 0:
            done = active & (np.abs(losses[-1] - f) <= tol * np.maximum(1.0, np.abs(f)))
            status[done] = "converged"
            active &= ~done
        losses.append(f)
        if epoch == epochs or not active.any():
            break
        if batch_size is None:
            step, state = optimizer.update(g, state)
            Theta = Theta - np.where(active[:, None], step, 0.0)
        else:
            order = rng.permutation(n_rows)
            for start in range(0, n_rows, batch_size):
                _, gb = value_and_grad(Theta, order[start:start + batch_size])
                step, state = optimizer.update(gb, state)
                Theta = Theta - np.where(active[:, None], step, 0.0)
        thetas.append(Theta.copy())
    theta = np.stack(thetas[:len(losses)])
    return History(theta, np.stack(losses), status, evals)


def _show_lr(lr):
    arr = np.asarray(lr)
    return f"{float(arr):g}" if arr.ndim == 0 else f"[{arr.min():g} … {arr.max():g}]"


def safe_step(X1: np.ndarray, curvature: float | None, what: str) -> float:
    """1 / L with L = curvature · λ_max(X̃ᵀX̃ / n): the step that makes descent monotone."""
    if curvature is None:
        fail("lr", "a number for this loss and model", "auto",
             f"The automatic step needs a smooth loss, and {what} has a kink; pass e.g. lr=0.01.")
    lam = np.linalg.eigvalsh(X1.T @ X1 / X1.shape[0])[-1]
    return 1.0 / (curvature * lam)


@dataclass(frozen=True)
class FitResult:
    """``theta`` (K, d) in original feature units, with the per-epoch ``history`` (also original)."""

    theta: np.ndarray
    history: History
    model: Model
    loss: Loss
    lr: float
    param_names: list[str] = field(default_factory=list)


def fit(X, y, *, loss: str | Loss = "mse", model: str | Model = "linear", optimizer: str = "gd",
        lr="auto", epochs: int = 100, batch_size: int | None = None, seed=None,
        standardize: bool = False, theta0=None, tol: float = 0.0,
        on_diverge: str = "raise") -> FitResult:
    """Train a model on one loss by (sub)gradient descent.

    ``theta0`` is (d,) or (K, d) for K candidates trained together (default: one candidate at
    zeros, or at the model's seeded ``init`` where it has one, e.g. an MLP).
    ``lr="auto"`` takes the safe step 1/L for smooth losses (gd and sgd only). With ``standardize``,
    training runs on (X − μ)/s and parameters are reported back in the original units.
    """
    X, y = check_xy(X, y)
    loss = get_loss(loss)
    model = get_model(model)
    loss.check(y, y_name="y")  # e.g. log_loss: labels 0/1
    check_loss_model(loss, model)
    check_positive("epochs", epochs, integer=True)
    standardize = check_bool("standardize", standardize)
    check_seed("seed", seed)
    check_choice("on_diverge", on_diverge, ("raise", "stop"))
    if batch_size is not None:
        check_positive("batch_size", batch_size, integer=True)
    n, p = X.shape
    d = model.n_params(p)
    if theta0 is not None:
        Theta0 = check_theta(theta0, d, "theta0")[0]
    elif hasattr(model, "init"):  # a non-convex model starts from its seeded initialisation
        Theta0 = np.asarray(model.init(1, p, seed), float)
    else:
        Theta0 = np.zeros((1, d))
    if standardize and not uses_affine_path(model):
        fail("standardize", f"False for the {model.name} model", standardize,
             "Its parameters are not an affine map of the features: standardise X yourself.")
    scaler = Standardizer.fit(X) if standardize else None
    Xt = scaler.transform(X) if scaler else X
    if isinstance(lr, str):
        if lr != "auto" or optimizer not in ("gd", "sgd"):
            fail("lr", "a positive number, or 'auto' with optimizer gd or sgd", lr)
        lr = safe_step(np.column_stack([Xt, np.ones(n)]), model.curvature(loss),
                       f"{loss.name} with the {model.name} model")
    opt = get_optimizer(optimizer, lr)
    Phi0 = scaler.to_standard(Theta0) if scaler else Theta0

    def value_and_grad(Phi, rows):
        Xb, yb = (Xt, y) if rows is None else (Xt[rows], y[rows])
        P, aux = model.forward(Phi, Xb)
        f = loss.value(yb[:, None], P).mean(axis=0)
        g = model.pullback(Phi, Xb, loss.deriv(yb[:, None], P) / len(yb), aux)
        return f, g

    hist = minimize(value_and_grad, Phi0, opt, epochs, n_rows=n, batch_size=batch_size, rng=seed,
                    tol=tol, on_diverge=on_diverge)
    if scaler:
        hist = History(scaler.to_original(hist.theta), hist.loss, hist.status, hist.evaluations)
    return FitResult(hist.theta[-1], hist, model, loss, float(np.max(lr)))
