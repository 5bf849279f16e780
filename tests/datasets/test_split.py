"""tradeoff.split and Dataset.subset: stratified, disjoint, covering, seeded."""

import pickle

import numpy as np
import pytest
from hypothesis import given, settings, strategies as st

import tradeoff
from tradeoff import split
from tradeoff.datasets import Dataset
from tradeoff.datasets.splits import strata
from tradeoff.datasets.tabular import synthetic_shift


@st.composite
def labelled(draw, min_n=30, max_n=250):
    """A Dataset whose first feature is the row id, with 1–3 groups and a binary, 3-class or
    continuous target; sometimes with sample weights."""
    n = draw(st.integers(min_n, max_n))
    seed = draw(st.integers(0, 2**32 - 1))
    rng = np.random.default_rng(seed)
    n_groups = draw(st.integers(1, 3))
    kind = draw(st.sampled_from(["binary", "three", "continuous"]))
    groups = rng.integers(0, n_groups, n)
    y = {"binary": lambda: (rng.random(n) < draw(st.floats(0.1, 0.9))).astype(float),
         "three": lambda: rng.integers(0, 3, n).astype(float),
         "continuous": lambda: rng.gamma(2.0, 3.0, n)}[kind]()
    X = np.column_stack([np.arange(n), rng.standard_normal(n)])
    weights = rng.random(n) if draw(st.booleans()) else None
    return Dataset(X, y, groups=groups, group_names=tuple("abc"[:n_groups]), sample_weight=weights,
                   feature_names=("row", "z"), name="toy")


shares = st.tuples(st.floats(0.1, 0.5), st.sampled_from([0.0, 0.1, 0.2, 0.25]))


def _ids(part: Dataset) -> np.ndarray:
    return part.X[:, 0].astype(int)


@settings(max_examples=60, deadline=None)
@given(data=labelled(), fractions=shares, seed=st.integers(0, 2**32 - 1))
def test_split_is_a_stratified_partition(data, fractions, seed):
    test, validation = fractions
    parts = split(data, test=test, validation=validation, seed=seed)
    assert len(parts) == (3 if validation else 2)
    train, tst = parts[0], parts[-1]
    share = {id(tst): test, id(train): 1 - test - validation}
    if validation:
        share[id(parts[1])] = validation
    ids = [_ids(p) for p in parts]
    every = np.concatenate(ids)
    # disjoint and covering; each part keeps the original row order
    assert len(every) == data.n and np.array_equal(np.sort(every), np.arange(data.n))
    assert all(np.all(np.diff(i) > 0) for i in ids)
    codes = strata(data)
    sizes = np.bincount(codes)
    for part, i in zip(parts, ids):
        got = np.bincount(codes[i], minlength=len(sizes))
        # each group × label stratum: within one row of its exact share
        assert np.all(np.abs(got - share[id(part)] * sizes) <= 1 + 1e-9)
        assert abs(part.n - share[id(part)] * data.n) <= 1 + 1e-9
        np.testing.assert_array_equal(part.y, data.y[i])
        np.testing.assert_array_equal(part.groups, data.groups[i])
        if data.sample_weight is not None:
            np.testing.assert_array_equal(part.sample_weight, data.sample_weight[i])
        assert part.group_names == data.group_names and part.feature_names == data.feature_names


@settings(max_examples=25, deadline=None)
@given(data=labelled(), fractions=shares, seed=st.integers(0, 2**32 - 1))
def test_split_is_deterministic_by_seed(data, fractions, seed):
    a = split(data, *fractions, seed=seed)
    b = split(data, *fractions, seed=seed)
    for p, q in zip(a, b):
        np.testing.assert_array_equal(p.X, q.X)
    gen = split(data, *fractions, seed=np.random.default_rng(seed))
    for p, q in zip(a, gen):
        np.testing.assert_array_equal(p.X, q.X)


def test_other_seeds_give_other_splits():
    data = synthetic_shift(n=500, task="classification")
    a, b = split(data, seed=0)[1], split(data, seed=1)[1]
    assert a.n == b.n == 150 and not np.array_equal(a.X, b.X)


def test_group_label_shares_on_a_classification_set():
    data = synthetic_shift(n=2000, task="classification", seed=3)
    train, val, test = split(data, test=0.2, validation=0.2, seed=7)
    assert (train.n, val.n, test.n) == (1200, 400, 400)
    for part, share in ((train, 0.6), (val, 0.2), (test, 0.2)):
        for g in (0, 1):
            for label in (0.0, 1.0):
                whole = np.sum((data.groups == g) & (data.y == label))
                got = np.sum((part.groups == g) & (part.y == label))
                assert abs(got - share * whole) <= 1


def test_regression_is_stratified_by_quantile_bins():
    data = synthetic_shift(n=1000, task="regression")
    codes = strata(data, bins=5)
    assert len(np.unique(codes)) == 10  # 2 groups × 5 bins
    assert len(np.unique(strata(data, bins=3))) == 6
    train, test = split(data, test=0.25, bins=5)
    assert test.n == 250
    # y's distribution is kept: the quartiles of train and test agree closely
    q = np.quantile(data.y, [0.25, 0.5, 0.75])
    assert np.allclose(np.quantile(test.y, [0.25, 0.5, 0.75]), q, atol=0.35)


def test_no_groups_means_one_group():
    rng = np.random.default_rng(0)
    data = Dataset(rng.standard_normal((100, 2)), (rng.random(100) < 0.3).astype(float))
    train, test = split(data, test=0.3)
    assert test.groups is None and test.n == 30
    assert abs(test.y.sum() - 0.3 * data.y.sum()) <= 1


def test_split_keeps_the_encoder_and_is_exported():
    assert tradeoff.split is split and "split" in tradeoff.__all__
    from tradeoff.datasets.tabular import from_frame
    import pandas as pd

    df = pd.DataFrame({"x": np.arange(40.0), "c": list("abcd") * 10, "s": list("mf") * 20,
                       "y": [0, 1, 1, 0, 0] * 8})
    data = from_frame(df, target="y", sensitive="s")
    train, test = split(data, seed=2)
    assert train.encoder is data.encoder and test.encoder is data.encoder
    assert pickle.loads(pickle.dumps(test)).encoder == data.encoder


@pytest.mark.parametrize("kwargs, exc, match", [
    ({"test": 0.0}, ValueError, r"`test` must be a fraction of the rows in \(0, 1\); got 0.0"),
    ({"test": 1.0}, ValueError, r"`test` must be a fraction of the rows in \(0, 1\); got 1.0"),
    ({"test": -0.2}, ValueError, r"`test` must be a fraction"),
    ({"test": float("nan")}, ValueError, r"`test` must be a fraction"),
    ({"test": "0.3"}, TypeError, r"`test` must be a fraction of the rows \(a number in \(0, 1\)\); "
                                 r"got '0.3'"),
    ({"test": True}, TypeError, r"`test` must be a fraction"),
    ({"validation": 1.0}, ValueError, r"`validation` must be a fraction of the rows in \[0, 1\)"),
    ({"validation": -0.1}, ValueError, r"`validation` must be a fraction"),
    ({"test": 0.6, "validation": 0.4}, ValueError,
     r"`test \+ validation` must be below 1 so that rows are left for training; got 1.0.*Lower"),
    ({"bins": 0}, ValueError, r"`bins` must be > 0"),
    ({"seed": "0"}, TypeError, r"`seed` must be a non-negative integer or a numpy Generator"),
    ({"seed": -1}, TypeError, r"`seed` must be a non-negative integer"),
    ({"seed": None}, TypeError, r"`seed` must be a non-negative integer"),
])
def test_bad_fractions(kwargs, exc, match):
    data = synthetic_shift(n=100, task="classification")
    with pytest.raises(exc, match=match):
        split(data, **kwargs)


def test_too_few_rows_for_a_part():
    data = Dataset(np.arange(6.0)[:, None], np.arange(6.0) % 2)
    with pytest.raises(ValueError, match=r"`test` must be a share that leaves at least one of the "
                                         r"6 rows in the test part; got 0.05.*larger share"):
        split(data, test=0.05)
    with pytest.raises(ValueError, match=r"`validation` must be a share that leaves at least one"):
        split(data, test=0.5, validation=0.05)
    with pytest.raises(ValueError, match=r"`test \+ validation` must be a share that leaves at "
                                         r"least one of the 6 rows in the train part"):
        split(data, test=0.5, validation=0.45)
    with pytest.raises(TypeError, match="`data` must be a Dataset; got 'ndarray'"):
        split(np.zeros((5, 2)))


def test_subset_indices_and_masks():
    rng = np.random.default_rng(1)
    data = Dataset(rng.standard_normal((8, 2)), rng.standard_normal(8), groups=np.arange(8) % 3,
                   group_names=("a", "b", "c"), sample_weight=np.arange(8.0) + 1,
                   feature_names=("u", "v"), target_name="t", sensitive_name="s", name="d",
                   meta={"k": 1})
    sub = data.subset([5, 1, 1])
    np.testing.assert_array_equal(sub.X, data.X[[5, 1, 1]])
    np.testing.assert_array_equal(sub.sample_weight, [6.0, 2.0, 2.0])
    assert sub.groups.tolist() == [2, 1, 1] and sub.group_names == ("a", "b", "c")
    assert (sub.feature_names, sub.target_name, sub.sensitive_name, sub.name) == \
        (("u", "v"), "t", "s", "d")
    assert sub.meta["rows"].tolist() == [5, 1, 1]  # positions in data, to trace rows back
    assert {k: v for k, v in sub.meta.items() if k != "rows"} == data.meta
    assert sub.meta["k"] == 1 and sub.meta is not data.meta
    mask = data.groups == 0
    np.testing.assert_array_equal(data.subset(mask).y, data.y[mask])


@pytest.mark.parametrize("rows, exc, match", [
    ([], ValueError, "`rows` must be a selection of at least one row; got 'an empty selection'"),
    (np.zeros(8, bool), ValueError, "`rows` must be a selection of at least one row"),
    (np.ones(3, bool), ValueError, r"`rows` must be a boolean mask of length 8 or integer "
                                   r"indices; got 'a mask of shape \(3,\)'"),
    ([0, 8], ValueError, r"`rows` must be indices in \[0, 8\); got 'indices from 0 to 8'"),
    ([0.5], TypeError, "`rows` must be a 1-D array of integer indices or a boolean mask"),
    ([[0, 1]], TypeError, "`rows` must be a 1-D array"),
])
def test_subset_bad_rows(rows, exc, match):
    data = Dataset(np.zeros((8, 1)), np.zeros(8))
    with pytest.raises(exc, match=match):
        data.subset(rows)
