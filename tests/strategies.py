"""Shared hypothesis strategies: data, parameter batches, predictions."""

from __future__ import annotations

import numpy as np
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

finite = st.floats(-1e3, 1e3, allow_nan=False, allow_infinity=False)
small = st.floats(-10, 10, allow_nan=False, allow_infinity=False)


@st.composite
def regression_data(draw, min_n=2, max_n=30, max_p=3):
    """(X (n, p), y (n,)) with moderate finite values."""
    n = draw(st.integers(min_n, max_n))
    p = draw(st.integers(1, max_p))
    X = draw(hnp.arrays(float, (n, p), elements=small))
    y = draw(hnp.arrays(float, (n,), elements=finite))
    return X, y


@st.composite
def theta_batch(draw, d, max_k=5):
    """Θ of shape (K, d)."""
    k = draw(st.integers(1, max_k))
    return draw(hnp.arrays(float, (k, d), elements=small))


@st.composite
def pairs(draw, max_n=20, binary=False):
    """(y_true (n,), y_pred (n,)); for binary, labels in {0, 1} and probabilities in (0, 1)."""
    n = draw(st.integers(1, max_n))
    if binary:
        y = draw(hnp.arrays(float, (n,), elements=st.sampled_from([0.0, 1.0])))
        p = draw(hnp.arrays(float, (n,), elements=st.floats(0.01, 0.99)))
    else:
        y = draw(hnp.arrays(float, (n,), elements=finite))
        p = draw(hnp.arrays(float, (n,), elements=finite))
    return y, p


def central_difference(f, theta: np.ndarray, h: float = 1e-6) -> np.ndarray:
    """∂f/∂θ by central differences for f: (d,) -> float."""
    g = np.zeros_like(theta)
    for j in range(theta.size):
        e = np.zeros_like(theta)
        e[j] = h
        g[j] = (f(theta + e) - f(theta - e)) / (2 * h)
    return g
