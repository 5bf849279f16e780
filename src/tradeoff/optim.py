"""First-order optimizers as pure (init, update) pairs, in the manner of optax.

State is passed in and out; nothing is mutated. A learning rate is a number or an array (K,), one per
candidate, so K candidates with different safe steps still take one array step.

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


def _rate(lr, grad):
    lr = np.asarray(lr, dtype=float)
    return lr[:, None] if lr.ndim == 1 else lr


def gd(lr) -> Optimizer:
    """Plain (sub)gradient descent θ ← θ − L·∇ (full batch, or SGD when fed mini-batch gradients)."""
    return Optimizer("gd", lr, lambda theta: None, lambda g, s: (_rate(lr, g) * g, s))


def sign(lr) -> Optimizer:
    """Sign descent θ ← θ − L·sign(∇): every coordinate moves by exactly L (the post's MAE run)."""
    return Optimizer("sign", lr, lambda theta: None, lambda g, s: (_rate(lr, g) * np.sign(g), s))


def adam(lr, b1: float = 0.9, b2: float = 0.999, eps: float = 1e-8) -> Optimizer:
    """Adam (Kingma & Ba 2015) with bias correction."""
    if not (0 <= b1 < 1 and 0 <= b2 < 1):
        fail("b1 and b2", "in [0, 1)", (b1, b2))

    def init(theta):
        return (0, np.zeros_like(theta), np.zeros_like(theta))

    def update(g, state):
        t, m, v = state
        t += 1
        m = b1 * m + (1 - b1) * g
        v = b2 * v + (1 - b2) * g * g
        mhat = m / (1 - b1**t)
        vhat = v / (1 - b2**t)
        return _rate(lr, g) * mhat / (np.sqrt(vhat) + eps), (t, m, v)

    return Optimizer("adam", lr, init, update)


OPTIMIZERS = {"gd": gd, "sgd": gd, "sign": sign, "adam": adam}


def get_optimizer(name: str, lr) -> Optimizer:
    """The optimizer called ``name`` (gd, sgd, sign, adam) with learning rate ``lr`` (> 0)."""
    check_choice("optimizer", name, OPTIMIZERS)
    lr_arr = np.asarray(lr, dtype=float)
    if lr_arr.ndim == 0:
        check_positive("lr", lr)
    elif not (np.isfinite(lr_arr).all() and (lr_arr > 0).all()):
        fail("lr", "> 0 for every candidate", lr_arr)
    return OPTIMIZERS[name](lr)
