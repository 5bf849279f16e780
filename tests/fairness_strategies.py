"""Hypothesis strategies for group-fairness tests: binary labels, predictions, groups, weights."""

from __future__ import annotations

import numpy as np
import pandas as pd
from hypothesis import strategies as st

# label pools of different kinds, each in a non-sorted order so sorting is exercised
LABEL_POOLS = (
    ("b", "a", "d", "c"),
    (10, 2, 7, 0),
    ("Zed", "alpha", "x y", "é"),
)


@st.composite
def group_labels(draw, intersectional: bool | None = None):
    """A list of 2–4 distinct group keys: scalars, or (a, b) tuples for two sensitive columns."""
    if intersectional is None:
        intersectional = draw(st.booleans())
    if not intersectional:
        pool = draw(st.sampled_from(LABEL_POOLS))
        k = draw(st.integers(2, 4))
        return list(draw(st.permutations(pool)))[:k], False
    pa, pb = draw(st.sampled_from(LABEL_POOLS)), draw(st.sampled_from(LABEL_POOLS))
    combos = [(a, b) for a in pa[:2] for b in pb[:2]]
    chosen = draw(st.lists(st.sampled_from(combos), min_size=2, max_size=4, unique=True))
    return chosen, True


def _sensitive(keys: list, intersectional: bool, as_frame: bool):
    if not intersectional:
        arr = np.array(keys, dtype=object)
        return pd.Series(arr, name="s") if as_frame else arr
    df = pd.DataFrame({"s1": [k[0] for k in keys], "s2": [k[1] for k in keys]})
    return df


@st.composite
def grouped_binary(draw, *, k: int | None = None, intersectional: bool | None = None,
                   weights: bool | None = None, max_size: int = 8):
    """Binary y_true, y_pred ((n,) or (n, k)), sensitive features, optional weights.

    Every group holds at least one positive and one negative, so all rates are defined.
    """
    groups, inter = draw(group_labels(intersectional))
    sizes = [draw(st.integers(2, max_size)) for _ in groups]
    keys, y = [], []
    for g, m in zip(groups, sizes):
        keys += [g] * m
        y += [0, 1] + draw(st.lists(st.sampled_from([0, 1]), min_size=m - 2, max_size=m - 2))
    n = len(y)
    shape = (n,) if k is None else (n, k)
    flat = draw(st.lists(st.sampled_from([0, 1]), min_size=int(np.prod(shape)),
                         max_size=int(np.prod(shape))))
    y_pred = np.array(flat, dtype=int).reshape(shape)
    order = np.array(draw(st.permutations(range(n))))
    y = np.array(y, dtype=int)[order]
    keys = [keys[i] for i in order]
    if weights is None:
        weights = draw(st.booleans())
    w = None
    if weights:
        w = np.array(draw(st.lists(st.floats(0.1, 10.0), min_size=n, max_size=n)))
    sf = _sensitive(keys, inter, draw(st.booleans()))
    return {"y_true": y, "y_pred": y_pred, "sensitive_features": sf, "sample_weight": w}


@st.composite
def grouped_regression(draw, *, k: int | None = None, weights: bool | None = None,
                       max_size: int = 8):
    """Real-valued y_true and y_pred ((n,) or (n, k)) with 2–4 groups of ≥ 1 row each."""
    groups, inter = draw(group_labels())
    keys = []
    for g in groups:
        keys += [g] * draw(st.integers(1, max_size))
    n = len(keys)
    vals = st.floats(-100, 100, allow_nan=False, allow_infinity=False)
    shape = (n,) if k is None else (n, k)
    y = np.array(draw(st.lists(vals, min_size=n, max_size=n)))
    p = np.array(draw(st.lists(vals, min_size=int(np.prod(shape)),
                               max_size=int(np.prod(shape))))).reshape(shape)
    if weights is None:
        weights = draw(st.booleans())
    w = np.array(draw(st.lists(st.floats(0.1, 10.0), min_size=n, max_size=n))) if weights else None
    sf = _sensitive(keys, inter, draw(st.booleans()))
    return {"y_true": y, "y_pred": p, "sensitive_features": sf, "sample_weight": w}


@st.composite
def group_blind_predictions(draw, *, binary: bool):
    """Every group sees the same multiset of predictions (and weights): any parity gap is 0."""
    groups, inter = draw(group_labels())
    m = draw(st.integers(1, 6))
    elem = st.sampled_from([0, 1]) if binary else st.floats(-50, 50, allow_nan=False)
    base = draw(st.lists(elem, min_size=m, max_size=m))
    wbase = draw(st.lists(st.floats(0.1, 10.0), min_size=m, max_size=m))
    keys = [g for g in groups for _ in range(m)]
    y_pred = np.tile(np.array(base, dtype=float), len(groups))
    w = np.tile(np.array(wbase), len(groups))
    order = np.array(draw(st.permutations(range(len(keys)))))
    keys = [keys[i] for i in order]
    sf = _sensitive(keys, inter, False)
    return {"y_true": np.zeros(len(keys)), "y_pred": y_pred[order],
            "sensitive_features": sf, "sample_weight": w[order] if draw(st.booleans()) else None}
