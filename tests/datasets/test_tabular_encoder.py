"""tabular.Encoder: learned once by from_frame, reapplied by name to new frames."""

import pickle

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings, strategies as st

from tradeoff.datasets import tabular as T
from tradeoff.datasets import Dataset


def frame():
    return pd.DataFrame({
        "income": [10.0, 20.0, 30.0, 40.0, 50.0, 60.0],
        "color": ["red", "blue", "green", "red", "blue", "green"],
        "size": pd.Categorical(["S", "M", "S", "L", "M", "S"]),
        "flag": [True, False, True, True, False, False],
        "sex": ["f", "m", "f", "m", "f", "m"],
        "approved": ["yes", "no", "yes", "no", "no", "yes"],
    })


def fitted():
    return T.from_frame(frame(), target="approved", sensitive="sex")


def test_from_frame_keeps_its_encoder():
    ds = fitted()
    enc = ds.encoder
    assert isinstance(enc, T.Encoder)
    assert enc.feature_names == ds.feature_names == ("income", "color=green", "color=red",
                                                      "size=M", "size=S", "flag=True")
    assert enc.columns == ("income", "color", "size", "flag")
    assert enc.levels == {"color": ("blue", "green", "red"), "size": ("L", "M", "S"),
                          "flag": (False, True)}
    assert enc.target_mapping == {"no": 0, "yes": 1} and enc.group_names == ("f", "m")
    np.testing.assert_array_equal(enc.transform(frame()), ds.X)
    assert "6 features" in repr(enc)


def test_column_order_and_extra_columns_do_not_matter():
    ds = fitted()
    df = frame()
    shuffled = df[["sex", "flag", "approved", "color", "size", "income"]].assign(extra=1.0)
    np.testing.assert_array_equal(ds.encoder.transform(shuffled), ds.X)
    # a plain object column where training saw a categorical one is fine: levels match by value
    np.testing.assert_array_equal(ds.encoder.transform(df.assign(size=df["size"].astype(str))),
                                  ds.X)


def test_one_row_as_frame_dict_or_series():
    ds = fitted()
    df = frame()
    for i in (0, 3):
        row = df.iloc[[i]]
        np.testing.assert_array_equal(ds.encoder.transform(row), ds.X[[i]])
        np.testing.assert_array_equal(ds.encoder.transform(row.iloc[0].to_dict()), ds.X[[i]])
        np.testing.assert_array_equal(ds.encoder.transform(df.iloc[i]), ds.X[[i]])
    cols = {c: df[c].tolist() for c in ("income", "color", "size", "flag")}
    np.testing.assert_array_equal(ds.encoder.transform(cols), ds.X)


def test_unseen_level_names_column_and_level():
    ds = fitted()
    df = frame()
    df.loc[2, "color"] = "purple"
    with pytest.raises(ValueError, match=r"`column 'color'` must be one of the levels seen in "
                                         r"training \(blue, green, red\); got 'purple'\. Map it"):
        ds.encoder.transform(df)
    with pytest.raises(ValueError, match=r"`column 'flag'` must be one of the levels seen in "
                                         r"training \(False, True\); got 'yes'"):
        ds.encoder.transform(frame().assign(flag="yes"))


def test_missing_column_and_missing_values():
    enc = fitted().encoder
    with pytest.raises(ValueError, match=r"`df` must be a frame with every feature column the "
                                         r"encoder was fitted on; got \"a frame without column\(s\) "
                                         r"'size'\"\. Add them"):
        enc.transform(frame().drop(columns="size"))
    with pytest.raises(ValueError, match=r"without column\(s\) 'income', 'size'"):
        enc.transform(frame().drop(columns=["size", "income"]))
    df = frame()
    df.loc[1, "income"] = np.nan
    with pytest.raises(ValueError, match=r"`column 'income'` must be free of missing values; got "
                                         r"'1 missing of 6'"):
        enc.transform(df)
    with pytest.raises(TypeError, match=r"`column 'income'` must be numeric, as in training"):
        enc.transform(frame().assign(income="lots"))
    with pytest.raises(TypeError, match=r"`df` must be a pandas DataFrame \(or one row as a dict "
                                        r"or Series\); got 'list'"):
        enc.transform([1, 2, 3])


def test_encoder_and_dataset_pickle():
    ds = fitted()
    enc = pickle.loads(pickle.dumps(ds.encoder))
    assert enc == ds.encoder and hash(enc) == hash(ds.encoder)
    np.testing.assert_array_equal(enc.transform(frame()), ds.X)
    back = pickle.loads(pickle.dumps(ds))
    assert back.encoder == ds.encoder and back.feature_names == ds.feature_names
    with pytest.raises(AttributeError):
        enc.columns = ()


def test_from_frame_with_an_encoder_codes_like_training():
    train = fitted()
    # a "test" frame: other row order, only one target level, one group, some levels absent
    test_df = frame().iloc[[5, 2, 0]].assign(approved="yes", sex="m", color="red")
    test = T.from_frame(test_df, target="approved", sensitive="sex", encoder=train.encoder)
    assert test.encoder is train.encoder and test.feature_names == train.feature_names
    np.testing.assert_array_equal(test.X, train.encoder.transform(test_df))
    assert test.y.tolist() == [1.0, 1.0, 1.0] and test.meta["target_mapping"] == {"no": 0, "yes": 1}
    assert test.group_names == ("f", "m") and test.groups.tolist() == [1, 1, 1]


def test_from_frame_with_an_encoder_rejects_what_training_did_not_see():
    enc = fitted().encoder
    with pytest.raises(ValueError, match=r"`sensitive` must be groups seen in training \(f, m\); "
                                         r"got 'x'"):
        T.from_frame(frame().assign(sex="x"), target="approved", sensitive="sex", encoder=enc)
    with pytest.raises(ValueError, match=r"`target column 'approved'` must be one of the training "
                                         r"levels \['no', 'yes'\]; got 'maybe'"):
        T.from_frame(frame().assign(approved="maybe"), target="approved", sensitive="sex",
                     encoder=enc)
    with pytest.raises(ValueError, match="`features` must be left out when an encoder is given"):
        T.from_frame(frame(), target="approved", sensitive="sex", encoder=enc, features=["income"])
    with pytest.raises(TypeError, match="`encoder` must be an Encoder"):
        T.from_frame(frame(), target="approved", sensitive="sex", encoder="enc")
    with pytest.raises(ValueError, match=r"without column\(s\) 'color'"):
        T.from_frame(frame().drop(columns="color"), target="approved", sensitive="sex",
                     encoder=enc)


def test_from_csv_passes_the_encoder(tmp_path):
    train = fitted()
    path = tmp_path / "new.csv"
    frame().iloc[::-1].to_csv(path, index=False)
    ds = T.from_csv(path, target="approved", sensitive="sex", encoder=train.encoder)
    np.testing.assert_array_equal(ds.X, train.X[::-1])
    assert ds.encoder is train.encoder


def test_dataset_encoder_defaults_to_none():
    assert Dataset(np.zeros((3, 1)), np.zeros(3)).encoder is None


@st.composite
def mixed_frames(draw):
    n = draw(st.integers(1, 30))
    rng = np.random.default_rng(draw(st.integers(0, 2**32 - 1)))
    k = draw(st.integers(1, 5))
    cols = {}
    for j in range(k):
        if draw(st.booleans()):
            cols[f"c{j}"] = rng.choice(list("pqrs")[:draw(st.integers(1, 4))], n)
        else:
            cols[f"n{j}"] = rng.standard_normal(n)
    return pd.DataFrame(cols).assign(t=rng.standard_normal(n), g=rng.choice(["a", "b"], n))


@settings(max_examples=40, deadline=None)
@given(df=mixed_frames(), seed=st.integers(0, 2**32 - 1))
def test_transform_is_by_name_and_by_row(df, seed):
    ds = T.from_frame(df, target="t", sensitive="g")
    rng = np.random.default_rng(seed)
    cols = list(df.columns)
    rng.shuffle(cols)
    rows = rng.permutation(len(df))
    np.testing.assert_array_equal(ds.encoder.transform(df[cols].iloc[rows]), ds.X[rows])
    assert ds.encoder.transform(df.iloc[[rows[0]]]).shape == (1, len(ds.feature_names))
