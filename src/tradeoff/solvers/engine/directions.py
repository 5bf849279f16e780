"""Direction rules of the set-based steps: α (K, m) for a combination Σᵢ αᵢ ∇f̃ᵢ of the normalised
objective gradients, from the points' values and gradients (on the simplex, but for PMGDA's
correction, whose α mixes in ∇h's coefficients ∂h/∂f̃ᵢ of either sign).

The loops (``stochastic.run``) look a rule up here by name; the solvers that own a rule (``mgda``,
``epo``, ``pmgda``, ``hv-grad``) register it with ``register_direction`` when they are imported. The
loop imports no solver.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

import numpy as np

from ..weights import simplex_grid


@dataclass(frozen=True)
class Direction:
    """A set-based rule for the mini-batch loop.

    ``start(setup, n_points, weights, rng, **params) -> (W, mix, ctx)``: the K candidates' weight rows W, the
    anchors' mix each starts from (K, m), and whatever ``alpha`` needs (``ctx``, a dict);
    ``alpha(setup, F, Gn, cand, ctx) -> α (K', m)`` for candidates ``cand`` at values F (K', m) and
    normalised gradients Gn (K', m, d); ``report(ctx) -> dict`` adds to the front's ``extra``."""

    start: Callable
    alpha: Callable
    report: Callable = lambda ctx: {}


DIRECTIONS: dict[str, Direction] = {}


def register_direction(name: str, rule: Direction) -> Direction:
    """Make ``rule`` the mini-batch direction of kind ``name``."""
    DIRECTIONS[name] = rule
    return rule


def min_norm(Gm):
    """α on the simplex minimising ‖Σ αᵢ gᵢ‖ for each candidate; Gm (K, m, d) -> α (K, m)."""
    K, m, _ = Gm.shape
    if m == 2:
        g1, g2 = Gm[:, 0], Gm[:, 1]
        diff = g1 - g2
        den = (diff * diff).sum(1)
        a = np.where(den > 0, ((g2 - g1) * g2).sum(1) / np.where(den > 0, den, 1), 0.5)
        a = np.clip(a, 0, 1)
        return np.column_stack([a, 1 - a])
    M = Gm @ Gm.transpose(0, 2, 1)  # (K, m, m) Gram matrices
    alpha = np.full((K, m), 1.0 / m)
    for it in range(100):  # Frank–Wolfe, all candidates at once
        grad = (M @ alpha[:, :, None])[:, :, 0]
        j = grad.argmin(1)
        e = np.eye(m)[j]
        d = e - alpha
        Md = (M @ d[:, :, None])[:, :, 0]
        den = (d * Md).sum(1)
        step = np.where(den > 0, np.clip(-(alpha * Md).sum(1) / np.where(den > 0, den, 1), 0, 1), 0)
        alpha = alpha + step[:, None] * d
    return alpha


def even_mixes(setup, n_points, weights, rng, **params):
    """A start for rules without weights (MGDA, hypervolume): even mixes of the two anchors, random
    (seeded) ones for more objectives, the anchors themselves first; ``params`` become the ctx."""
    m = setup.m
    if m == 2:
        mix = simplex_grid(n_points, 2)
    else:
        mix = rng.dirichlet(np.ones(m), size=n_points)
        mix[:m] = np.eye(m)[:min(m, n_points)]
    return mix, mix, dict(params)
