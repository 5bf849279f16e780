"""First-order optimizers as pure (init, update) pairs, in the manner of optax.

State is passed in and out; nothing is mutated. A learning rate is a number or an array (K,), one per
candidate, so K candidates with different safe steps still take one array step, or a schedule: a
function of the step count t = 0, 1, … returning such a rate (``constant``, ``cosine``).

    step, state = opt.update(grad, state)      # grad (K, d) -> step (K, d)
    Theta = Theta - step
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable

import numpy as np

from ._validation import check_choice, check_positive, fail


@dataclass(frozen=True)
class Optimizer:
    name: str
    lr: Any
    init: Callable[[np.ndarray], Any]
    update: Callable[[np.ndarray, Any], tuple[np.ndarray, Any]]


def _rate(lr, t: int = 0):
    """The rate of step t (0-based) as a number or a (K, 1) column."""
    lr = np.asarray(lr(t) if callable(lr) else lr, dtype=float)
    return lr[:, None] if lr.ndim == 1 else lr


def constant(lr) -> Callable[[int], float]:
    """The schedule L(t) = L."""
    return lambda t: lr


def cosine(lr, total_steps: int, final: float = 0.0) -> Callable[[int], float]:
    """Cosine decay L(t) = f·L + (1 − f)·L·(1 + cos(π·min(t, T)/T)) / 2 over T = ``total_steps``
    steps, f = ``final`` (the share of L left at the end; 0 by default)."""
    check_positive("total_steps", total_steps, integer=True)
    if not 0 <= final <= 1:
        fail("final", "in [0, 1]", final)

    def rate(t):
        c = 0.5 * (1.0 + np.cos(np.pi * min(t, total_steps) / total_steps))
        return np.asarray(lr, float) * (final + (1.0 - final) * c)

    return rate


SCHEDULES = ("constant", "cosine")


def get_schedule(name: str, lr, total_steps: int) -> Callable[[int], float]:
    """The schedule called ``name`` (constant, cosine) from rate ``lr`` over ``total_steps`` steps."""
    check_choice("schedule", name, SCHEDULES)
    return constant(lr) if name == "constant" else cosine(lr, total_steps)


def gd(lr) -> Optimizer:
    """Plain (sub)gradient descent θ ← θ − L·∇ (full batch, or SGD when fed mini-batch gradients)."""
    return Optimizer("gd", lr, lambda theta: 0, lambda g, t: (_rate(lr, t) * g, t + 1))


def sgd(lr, momentum: float = 0.0, nesterov: bool = False) -> Optimizer:
    """SGD with heavy-ball momentum β: v ← β·v + ∇, θ ← θ − L·v (Nesterov: θ ← θ − L·(β·v + ∇));
    β = 0 is ``gd``."""
    if not 0 <= momentum < 1:
        fail("momentum", "a number in [0, 1)", momentum, "Use e.g. momentum = 0.9.")

    def init(theta):
        return (0, np.zeros_like(theta))

    def update(g, state):
        t, v = state
        v = momentum * v + g
        d = momentum * v + g if nesterov else v
        return _rate(lr, t) * d, (t + 1, v)

    return Optimizer("sgd", lr, init, update)


def sign(lr) -> Optimizer:
    """Sign descent θ ← θ − L·sign(∇): every coordinate moves by exactly L (the post's MAE run)."""
    return Optimizer("sign", lr, lambda theta: 0,
                     lambda g, t: (_rate(lr, t) * np.sign(g), t + 1))


def adam(lr, b1: float = 0.9, b2: float = 0.999, eps: float = 1e-8) -> Optimizer:
    """Adam (Kingma & Ba 2015) with bias correction."""
    if not (0 <= b1 < 1 and 0 <= b2 < 1):
        fail("b1 and b2", "in [0, 1)", (b1, b2))

    def init(theta):
        return (0, np.zeros_like(theta), np.zeros_like(theta))

    def update(g, state):
        t, m, v = state
        rate = _rate(lr, t)
        t += 1
        # b1·m + (1 − b1)·g, b2·v + ((1 − b2)·g)·g and rate·m̂ / (√v̂ + ε), operation for
        # operation (the same bits), into fresh arrays updated in place: the old state is left
        # as it was, and a step makes 4 temporaries of Θ's size instead of 11
        m = np.multiply(m, b1)
        m += (1 - b1) * g
        gg = np.multiply(g, 1 - b2)
        gg *= g
        v = np.multiply(v, b2)
        v += gg
        den = np.divide(v, 1 - b2**t, out=gg)
        np.sqrt(den, out=den)
        den += eps
        step = np.divide(m, 1 - b1**t)
        np.multiply(rate, step, out=step)
        step /= den
        return step, (t, m, v)

    return Optimizer("adam", lr, init, update)


OPTIMIZERS = {"gd": gd, "sgd": sgd, "sign": sign, "adam": adam}


def get_optimizer(name: str, lr, **settings) -> Optimizer:
    """The optimizer called ``name`` (gd, sgd, sign, adam) with learning rate ``lr`` (> 0, or a
    schedule of the step count) and its own ``settings`` (sgd: ``momentum``, ``nesterov``)."""
    check_choice("optimizer", name, OPTIMIZERS)
    if not callable(lr):
        lr_arr = np.asarray(lr, dtype=float)
        if lr_arr.ndim == 0:
            check_positive("lr", lr)
        elif not (np.isfinite(lr_arr).all() and (lr_arr > 0).all()):
            fail("lr", "> 0 for every candidate", lr_arr)
    return OPTIMIZERS[name](lr, **settings)
