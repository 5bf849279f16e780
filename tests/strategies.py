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


# -- bad inputs (issue 12): each strategy draws one input the public boundary must reject ----------

# text that means an error escaped from a library underneath instead of being checked at the boundary
INTERNALS = ("ufunc", "gufunc", "matmul", "LinAlgError", "SVD did not", "LAPACK", "DLASCL",
             "unexpected keyword argument", "has no attribute", "could not convert",
             "expected non-negative integer", "could not be broadcast", "zero-size array", "dtype(",
             "Traceback", "not supported between instances", "unhashable type", "object is not")


def assert_clear(excinfo, field: str, fix: str = ""):
    """The error names ``field`` in backticks, says what was expected and what came, then a fix
    (containing ``fix`` if given); and shows no numpy/pandas/LAPACK internals."""
    import re

    msg = str(excinfo.value)
    assert f"`{field}" in msg, msg
    m = re.search(r"` must be .+?; got .+?\.\s+(\S.*)$", msg, re.S)
    assert m, f"no fix after the standard sentence: {msg}"
    assert fix in m.group(1), msg
    for text in INTERNALS:
        assert text not in msg, msg


@st.composite
def non_binary_labels(draw, max_n=20):
    """Finite labels (n,) of which at least one is neither 0 nor 1."""
    n = draw(st.integers(1, max_n))
    y = draw(hnp.arrays(float, (n,), elements=st.sampled_from([0.0, 1.0])))
    y[draw(st.integers(0, n - 1))] = draw(
        st.one_of(st.sampled_from([-1.0, 2.0, 5.0, 0.5]), finite).filter(lambda v: v not in (0, 1)))
    return y


@st.composite
def out_of_range_probabilities(draw, n: int):
    """Predictions (n,) in [0, 1] but for at least one value outside."""
    p = draw(hnp.arrays(float, (n,), elements=st.floats(0, 1)))
    p[draw(st.integers(0, n - 1))] = draw(st.one_of(st.floats(1, 1e6, exclude_min=True),
                                                    st.floats(-1e6, 0, exclude_max=True)))
    return p


@st.composite
def bad_sample_weights(draw, n: int):
    """(kind, weights) for n rows: a NaN or inf, a negative weight, all zeros, a weight so large
    that sums overflow, a wrong length."""
    kind = draw(st.sampled_from(["non-finite", "negative", "zero", "length", "huge"]))
    w = draw(hnp.arrays(float, (n,), elements=st.floats(0, 10)))
    i = draw(st.integers(0, n - 1))
    if kind == "non-finite":
        w[i] = draw(st.sampled_from([np.nan, np.inf, -np.inf]))
    elif kind == "negative":
        w[i] = draw(st.floats(-1e6, 0, exclude_max=True))
    elif kind == "zero":
        w[:] = 0.0
    elif kind == "huge":
        w[i] = draw(st.floats(1e100, 1.7e308, exclude_min=True))
    else:
        w = draw(hnp.arrays(float, (draw(st.integers(1, 2 * n).filter(lambda k: k != n)),),
                            elements=st.floats(0.1, 10)))
    return kind, w


@st.composite
def bad_groups(draw, n: int):
    """(kind, groups) for n rows: pd.factorize's −1 (missing), NaN or None labels, other
    negative codes, codes that are not integers, a wrong length."""
    kind = draw(st.sampled_from(["code -1", "nan", "none", "negative", "fraction", "length"]))
    g = draw(hnp.arrays(np.int64, (n,), elements=st.integers(0, 3)))
    i = draw(st.integers(0, n - 1))
    if kind == "code -1":
        g[i] = -1
    elif kind == "nan":
        g = g.astype(float)
        g[i] = np.nan
    elif kind == "none":
        g = np.array([f"g{v}" for v in g], dtype=object)
        g[i] = None
    elif kind == "negative":
        g[i] = draw(st.integers(-1000, -2))
    elif kind == "fraction":
        g = g.astype(float)
        g[i] = draw(st.floats(0.01, 3.99).filter(lambda v: v != round(v)))
    else:
        g = draw(hnp.arrays(np.int64, (draw(st.integers(1, 2 * n).filter(lambda k: k != n)),),
                            elements=st.integers(0, 3)))
    return kind, g


# plain values, as a TOML config or a JSON file gives them (and None, as Python callers may)
plain = st.recursive(
    st.none() | st.booleans() | st.integers(-3, 300) | st.floats(allow_nan=True)
    | st.text(max_size=8),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=6), inner,
                                                                 max_size=3),
    max_leaves=6)
