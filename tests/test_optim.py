"""The optimizers are pure: Adam's step is the textbook formula to the bit, and the state it is
given is left as it was."""

from __future__ import annotations

import numpy as np
import pytest

from tradeoff import optim


@pytest.mark.parametrize("lr", [1e-3, np.array([1e-3, 2e-3, 5e-4]), optim.cosine(1e-2, 30)])
def test_adam_is_the_textbook_step_and_leaves_its_state_alone(lr):
    b1, b2, eps = 0.9, 0.999, 1e-8
    opt = optim.adam(lr)
    rng = np.random.default_rng(0)
    theta = rng.normal(size=(3, 50))
    state = opt.init(theta)
    m, v = np.zeros_like(theta), np.zeros_like(theta)
    for t in range(30):
        g = rng.normal(size=theta.shape) * 10.0 ** rng.uniform(-6, 3)
        kept = [a.copy() for a in state[1:]]
        step, new = opt.update(g, state)
        assert all(np.array_equal(a, b) for a, b in zip(state[1:], kept))
        rate = np.asarray(lr(t) if callable(lr) else lr)
        rate = rate[:, None] if rate.ndim == 1 else rate  # one rate per candidate (row)
        m = b1 * m + (1 - b1) * g
        v = b2 * v + (1 - b2) * g * g
        ref = rate * (m / (1 - b1 ** (t + 1))) / (np.sqrt(v / (1 - b2 ** (t + 1))) + eps)
        np.testing.assert_array_equal(step, ref)
        np.testing.assert_array_equal(new[1], m)
        np.testing.assert_array_equal(new[2], v)
        assert new[0] == t + 1
        state = new
