"""Predictor: one front point as a model that remembers its columns; mixtures for randomised points."""

import pickle

import numpy as np
import pandas as pd
import pytest

import tradeoff as to
from tradeoff.datasets import blog_data
from tradeoff.predictor import Predictor

from . import front_fixtures


@pytest.fixture(scope="module")
def data():
    return front_fixtures.clf_data()


@pytest.fixture(scope="module")
def front(data):
    return to.solve(to.Problem(data[0], "logistic", ["log_loss", "demographic_parity_sq"]),
                    "weighted-sum", n_points=5)


@pytest.fixture(scope="module")
def eg(data):
    pytest.importorskip("fairlearn")
    return front_fixtures.eg_front()


def _frame(ds):
    df = pd.DataFrame(ds.X, columns=ds.feature_names)
    df["group"] = ds.groups
    df["y"] = ds.y
    return df


def test_predicts_like_the_model(front, data):
    test = data[1]
    pr = front.predictor(2)
    P = front.model.predict(front.X[2], test.X)
    assert (pr.predict_proba(test.X)[:, 1] == P).all()
    np.testing.assert_allclose(pr.predict_proba(test.X).sum(axis=1), 1.0)
    assert (pr.predict(test.X) == (P >= 0.5)).all()
    assert np.array_equal(pr.decision_function(test.X) > 0, pr.predict(test.X) == 1)
    assert pr.theta.tolist() == front.X[2].tolist() and not pr.is_mixture


def test_permuted_and_extra_columns_give_identical_predictions(front, data):
    pr = front.predictor(1)
    df = _frame(data[1])
    base = pr.predict_proba(df)
    shuffled = df[["y", "x2", "group", "x0", "x1"]]
    assert (pr.predict_proba(shuffled) == base).all()
    assert (pr.predict_proba(data[1].X) == base).all()  # the array path: same bits


def test_one_row_works(front, data):
    pr = front.predictor(0)
    df = _frame(data[1])
    full = pr.predict_proba(df)
    # BLAS takes another path for one row than for many: equal to the last bits or so
    np.testing.assert_allclose(pr.predict_proba(df.iloc[[4]]), full[[4]], rtol=1e-14)
    np.testing.assert_allclose(pr.predict_proba(df.iloc[4]), full[[4]], rtol=1e-14)  # a Series
    one = pr.predict_proba(data[1].X[4].reshape(1, -1))
    assert one.shape == (1, 2) and (one == pr.predict_proba(df.iloc[[4]])).all()


def test_input_errors(front, data):
    pr = front.predictor(0)
    with pytest.raises(ValueError, match=r"`X` must be 3 columns \(x0, x1, x2\) in training order; "
                                         r"got '2 columns'"):
        pr.predict(data[1].X[:, :2])
    with pytest.raises(ValueError, match=r"`X` must be a 2-D array with 3 columns.*reshape\(1, -1\)"):
        pr.predict(data[1].X[0])
    with pytest.raises(ValueError, match=r"`X` must be a DataFrame with the training columns.*"
                                         r"Missing: \['x1'\]"):
        pr.predict(_frame(data[1]).drop(columns="x1"))
    bad = _frame(data[1]).assign(x0="a")
    with pytest.raises(TypeError, match=r"`column 'x0'` must be numeric"):
        pr.predict(bad)
    with pytest.raises(ValueError, match=r"`i` must be a point index in \[0, 5\); got 7"):
        front.predictor(7)
    with pytest.raises(TypeError, match=r"`i` must be an integer point index"):
        front.predictor(1.5)
    with pytest.raises(ValueError, match=r"`X` must be finite"):
        pr.predict(np.full((2, 3), np.nan))
    hand = to.Front([[1.0, 2.0]], [[0.0, 1.0]], ("a", "b"), ("m", "c"), "hand")
    with pytest.raises(ValueError, match=r"`front.model` must be set to build a predictor"):
        hand.predictor(0)


def test_a_regressor(data):
    ds = blog_data(n=100)
    front = to.solve(to.Problem(ds, "linear", ["mse", "cap_violation"]), "weighted-sum", n_points=3)
    pr = front.predictor(1)
    assert pr.feature_names == ("x",)
    assert (pr.predict(ds.X[:, 0]) == ds.X[:, 0] * front.X[1, 0] + front.X[1, 1]).all()
    with pytest.raises(AttributeError, match=r"`model` must be a classifier"):
        pr.predict_proba(ds.X)


def test_mixture_predict_proba_is_the_weighted_sum_of_its_models(eg, data):
    X = data[1].X
    for i in range(len(eg)):
        pr = eg.predictor(i)
        w, T = eg.mixture(i)
        parts = [Predictor(t, eg.model).predict_proba(X) for t in T]
        np.testing.assert_allclose(pr.predict_proba(X), sum(wj * p for wj, p in zip(w, parts)),
                                   rtol=0, atol=1e-15)
    assert any(eg.predictor(i).is_mixture for i in range(len(eg)))


def test_mixture_predict_draws_one_model_per_row_seeded(eg, data):
    i = next(i for i in range(len(eg)) if eg.predictor(i).is_mixture)
    pr = eg.predictor(i)
    X = data[1].X
    assert (pr.predict(X, random_state=3) == pr.predict(X, random_state=3)).all()
    rate = pr.positive_rate(X)
    # one row repeated: the share of positives converges to its positive rate
    row = int(np.argmax((rate > 0.1) & (rate < 0.9))) if ((rate > 0.1) & (rate < 0.9)).any() else 0
    many = pr.predict(np.repeat(X[[row]], 20000, axis=0), random_state=0)
    assert many.mean() == pytest.approx(rate[row], abs=0.02)
    with pytest.raises(TypeError, match=r"`random_state` must be an integer, None or a numpy"):
        pr.predict(X, random_state="a")


def test_predictors_pickle(front, eg, data):
    X = data[1].X
    for pr in (front.predictor(3), eg.predictor(0)):
        back = pickle.loads(pickle.dumps(pr))
        assert (back.predict_proba(X) == pr.predict_proba(X)).all()
        assert (back.predict(X, random_state=1) == pr.predict(X, random_state=1)).all()


class _Encoder:
    """A stand-in with the Encoder contract: transform(df) -> (n, p) floats in training order."""

    feature_names = ("x0", "x1", "x2")

    def transform(self, df):
        return np.column_stack([df["x0"], df["x1"] * 1.0, df["x2"]]).astype(float)


def test_a_frame_goes_through_the_fronts_encoder(front, data):
    import dataclasses

    with_enc = dataclasses.replace(front, encoder=_Encoder())
    df = _frame(data[1])
    assert (with_enc.predictor(1).predict_proba(df) == front.predictor(1).predict_proba(df)).all()
    assert isinstance(with_enc.predictor(1).encoder, _Encoder)


# -- with the encoder tabular.from_frame learns ---------------------------------------------------
def _table(n=400, seed=0):
    rng = np.random.default_rng(seed)
    df = pd.DataFrame({"age": rng.uniform(20, 60, n), "job": rng.choice(["clerk", "cook", "pilot"], n),
                       "sex": rng.choice(["f", "m"], n)})
    logit = 0.06 * (df["age"] - 40) + (df["job"] == "pilot") - 0.5 * (df["job"] == "cook")
    df["hired"] = np.where(rng.random(n) < 1 / (1 + np.exp(-logit - 0.7 * (df["sex"] == "m"))),
                           "yes", "no")
    return df


@pytest.fixture(scope="module")
def encoded():
    from tradeoff.datasets.tabular import from_frame

    df = _table()
    data = from_frame(df, target="hired", sensitive="sex")
    train, test = to.split(data, test=0.3, seed=0)
    front = to.solve(to.Problem(train, "logistic", ["log_loss", "demographic_parity_sq"]),
                     "weighted-sum", n_points=5)
    return df, front


def test_frames_go_through_the_training_encoder(encoded):
    df, front = encoded
    assert front.encoder is not None and front.feature_names == front.encoder.feature_names
    pr = front.predictor(2)
    base = pr.predict_proba(df)
    assert (pr.predict_proba(df[["sex", "hired", "job", "age"]]) == base).all()
    np.testing.assert_allclose(pr.predict_proba(df.iloc[[7]]), base[[7]], rtol=1e-14)
    np.testing.assert_allclose(pr.predict_proba({"age": df["age"][7], "job": df["job"][7]}),
                               base[[7]], rtol=1e-14)  # one row as a dict
    assert (pr.predict_proba(front.encoder.transform(df)) == base).all()
    with pytest.raises(ValueError, match=r"`column 'job'` must be one of the levels seen in "
                                         r"training \(clerk, cook, pilot\); got 'chef'"):
        pr.predict(df.iloc[:3].assign(job="chef"))


def test_evaluate_and_save_with_the_encoder(encoded, tmp_path):
    import json
    import zipfile

    from tradeoff.datasets.tabular import from_frame

    df, front = encoded
    new = from_frame(_table(seed=1), target="hired", sensitive="sex", encoder=front.encoder)
    frame = front.evaluate(new)
    fm = pytest.importorskip("fairlearn.metrics")
    pred = front.predictor(1).predict(_table(seed=1), encoded=True)
    assert frame["demographic_parity_sq:exact"][1] == pytest.approx(
        fm.demographic_parity_difference(new.y, pred, sensitive_features=new.groups), abs=1e-12)
    front.save(tmp_path / "f.zip")
    with zipfile.ZipFile(tmp_path / "f.zip") as z:
        meta = json.loads(z.read("front.json"))
        assert meta["encoder"]["class"] == "tradeoff.tabular:Encoder"  # described, not pickled
        assert "encoder.pkl" not in z.namelist()
    back = to.Front.load(tmp_path / "f.zip")
    assert back.encoder == front.encoder
    assert (back.predictor(1).predict_proba(df) == front.predictor(1).predict_proba(df)).all()


def test_a_network_predictor_counts_its_features_from_the_first_layer():
    # an MLP has d = (p + 1)·h₁ + …, not p + 1: the predictor must find p from the model
    from tradeoff.models.mlp import MLP

    rng = np.random.default_rng(0)
    X = rng.normal(size=(80, 3))
    g = np.arange(80) % 2
    y = (X[:, 0] + 0.5 * g + rng.normal(size=80) > 0).astype(float)
    data = to.Dataset(X, y, groups=g, feature_names=("a", "b", "c"))
    prob = to.Problem(data, MLP(hidden=[4], output="logistic", seed=0),
                      ["log_loss", "demographic_parity_sq"])
    front = to.solve(prob, "weighted-sum", n_points=3, max_evaluations=300)
    pred = front.predictor(1)
    assert pred.feature_names == ("a", "b", "c")
    np.testing.assert_allclose(pred.predict_proba(X)[:, 1], prob.model.predict(front.X[1], X),
                               rtol=1e-12)
    frame = pd.DataFrame(X[:, ::-1], columns=["c", "b", "a"])
    np.testing.assert_array_equal(pred.predict_proba(frame), pred.predict_proba(X))
    with pytest.raises(ValueError, match=r"`feature_names` must be 3 names \(the model 'mlp' with "
                                         r"21 parameters takes 3 features\); got 2"):
        Predictor(front.X[1], prob.model, feature_names=("a", "b"))
    with pytest.raises(ValueError, match=r"`theta` must be a parameter vector of the model 'mlp'"):
        Predictor(front.X[1][:-1], prob.model)
