"""A study on new data through the public API: labels, DataFrames in the estimators, a fairness
scorer for grid searches, a clear warning for unmeetable bounds, and traceable split rows."""

import warnings

import numpy as np
import pandas as pd
import pytest

import tradeoff
from tradeoff.datasets import from_frame

pytest.importorskip("sklearn")

from sklearn.model_selection import GridSearchCV, cross_validate  # noqa: E402

from tradeoff.fairness import demographic_parity_difference  # noqa: E402
from tradeoff.sklearn import (BoundNotMetWarning, ParetoClassifier, ParetoRegressor,  # noqa: E402
                              fair_scorer)


def _frame(n=900, link=6.0, seed=0):
    """Income ("high"/"low") driven by hours, which depends on sex: a trade-off to make."""
    rng = np.random.default_rng(seed)
    sex = rng.choice(["female", "male"], n)
    df = pd.DataFrame({"hours": rng.normal(37 + link * (sex == "male"), 5),
                       "job": rng.choice(["clerk", "driver", "nurse"], n), "sex": sex},
                      index=[f"p{i}" for i in range(n)])
    logit = 0.15 * (df["hours"] - 40) + 0.5 * (df["job"] == "nurse")
    df["income"] = np.where(rng.random(n) < 1 / (1 + np.exp(-logit)), "high", "low")
    return df


def _bounds(*values):
    return [{"rule": "epsilon", "minimise": "log_loss",
             "bounds": {"demographic_parity_sq:exact": b}} for b in values]


# -- Predictor: original labels --------------------------------------------------------------------
def test_predictor_predicts_original_labels_with_classes(tmp_path):
    df = _frame(400)
    data = from_frame(df, target="income", sensitive="sex")
    problem = tradeoff.Problem(data, "logistic", ["log_loss", "demographic_parity_sq"])
    front = tradeoff.solve(problem, "weighted-sum", n_points=3)
    model = front.predictor(0)
    assert list(model.classes_) == ["high", "low"]  # sorted levels: "high" → 0, "low" → 1
    labels = model.predict(df)
    codes = model.predict(df, encoded=True)
    assert set(np.unique(codes)) <= {0, 1}
    assert (labels == model.classes_[codes]).all()
    assert (codes == (model.predict_proba(df)[:, 1] >= 0.5)).all()
    with pytest.raises(TypeError, match="`encoded` must be"):
        model.predict(df, encoded="yes")
    front.save(tmp_path / "f.zip")  # the labels survive a saved front (the encoder's mapping)
    again = tradeoff.Front.load(tmp_path / "f.zip").predictor(0)
    assert list(again.classes_) == ["high", "low"] and (again.predict(df) == labels).all()


def test_predictor_without_mapping_has_codes_and_regressor_has_no_classes():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(60, 2))
    y = (X[:, 0] > 0).astype(float)
    front = tradeoff.solve(tradeoff.Problem(tradeoff.Dataset(X, y), "logistic", ["log_loss", "l2"]),
                           "weighted-sum", n_points=3)
    assert list(front.predictor(0).classes_) == [0, 1]
    reg = tradeoff.solve(tradeoff.Problem(tradeoff.Dataset(X, X[:, 1]), "linear", ["mse", "l2"]),
                         "weighted-sum", n_points=3).predictor(0)
    assert not hasattr(reg, "classes_")


# -- estimators on raw DataFrames ------------------------------------------------------------------
def test_classifier_takes_a_raw_dataframe_and_a_sensitive_column_name():
    df = _frame(600)
    X, y = df.drop(columns="income"), df["income"]
    clf = ParetoClassifier(validation=0.25).fit(X, y, sensitive_features="sex")
    assert list(clf.classes_) == ["high", "low"]
    assert list(clf.predictor_.classes_) == ["high", "low"]
    assert set(clf.predict(X)) <= {"high", "low"}
    assert list(clf.feature_names_in_) == ["hours", "job", "sex"] and clf.n_features_in_ == 3
    # the sensitive column named in fit is not a feature; the encoder is fitted on fit's rows
    assert clf.front_.feature_names == ("hours", "job=driver", "job=nurse")
    assert clf.predict_proba(X.sample(5, random_state=0)).shape == (5, 2)
    # the same with the labels given as an array: sex is then a feature like any column
    clf2 = ParetoClassifier().fit(X, y, sensitive_features=df["sex"].to_numpy())
    assert "sex=male" in clf2.front_.feature_names
    with pytest.raises(TypeError, match="`X` must be a DataFrame with the columns fit was given"):
        clf.predict(X.to_numpy())
    with pytest.raises(ValueError, match="`sensitive_features` must be a column of X"):
        ParetoClassifier().fit(X, y, sensitive_features="gender")


def test_encoder_is_fitted_on_the_training_fold_only():
    df = _frame(300)
    df.loc[df.index[:5], "job"] = "pilot"  # a level only the first rows have
    X, y = df.drop(columns="income"), df["income"]
    clf = ParetoClassifier(objectives=("log_loss", "l2")).fit(X.iloc[5:], y.iloc[5:])
    assert "job=pilot" not in clf.front_.feature_names
    with pytest.raises(ValueError, match="pilot"):
        clf.predict(X.iloc[:5])


def test_regressor_takes_a_raw_dataframe_in_cross_validation():
    df = _frame(300)
    X, y = df.drop(columns=["income", "hours"]), df["hours"]
    scores = cross_validate(ParetoRegressor(), X.assign(noise=np.arange(len(X)) % 7), y, cv=3,
                            params={"sensitive_features": "sex"})
    assert np.isfinite(scores["test_score"]).all()


# -- the fairness-aware scorer ---------------------------------------------------------------------
def test_fair_scorer_matches_fairlearn_definition_and_penalises():
    df = _frame(600)
    X, y = df.drop(columns="income"), df["income"]
    clf = ParetoClassifier(select=_bounds(1.0)[0]).fit(X, y, sensitive_features="sex")
    pred = clf.predict(X)
    gap = demographic_parity_difference(None, (pred == "low").astype(int),
                                        sensitive_features=df["sex"])
    acc = float(np.mean(pred == y))
    loose = fair_scorer("accuracy", "demographic_parity", gap + 0.01, sensitive="sex")
    tight = fair_scorer("accuracy", "demographic_parity", gap - 0.01, sensitive="sex")
    assert loose.score_and_gap(clf, X, y) == pytest.approx((acc, gap))
    assert loose(clf, X, y) == pytest.approx(acc) and tight(clf, X, y) == -np.inf
    assert fair_scorer(bound=gap - 0.01, sensitive="sex", penalty=-1.0)(clf, X, y) == -1.0
    # a Series indexed like the frame is aligned by label (as in a cross-validation fold)
    rows = X.sample(100, random_state=1)
    by_series = fair_scorer(bound=1.0, sensitive=df["sex"]).score_and_gap(clf, rows, y[rows.index])
    assert by_series == loose.score_and_gap(clf, rows, y[rows.index])
    fairlearn = pytest.importorskip("fairlearn.metrics")
    theirs = fairlearn.demographic_parity_difference((y == "low").astype(int),
                                                     (pred == "low").astype(int),
                                                     sensitive_features=df["sex"])
    assert gap == pytest.approx(theirs)


def test_fair_scorer_bad_arguments():
    with pytest.raises(ValueError, match="`gap` must be one of"):
        fair_scorer(gap="parity", sensitive="sex")
    with pytest.raises(ValueError, match="`bound` must be a gap bound ≥ 0"):
        fair_scorer(bound=-0.1, sensitive="sex")
    with pytest.raises(TypeError, match="`sensitive` must be a column name of X"):
        fair_scorer(sensitive=None)
    df = _frame(100)
    X, y = df.drop(columns="income"), df["income"]
    clf = ParetoClassifier(objectives=("log_loss", "l2")).fit(X, y)
    with pytest.raises(ValueError, match="`sensitive` must be one label per row of the 10 scored"):
        fair_scorer(sensitive=df["sex"].to_numpy())(clf, X.iloc[:10], y.iloc[:10])


def test_grid_search_over_the_bound_with_fair_scorer_does_not_pick_the_loosest():
    df = _frame(900)
    X, y = df.drop(columns="income"), df["income"]
    grid = {"select": _bounds(0.02, 0.1, 1.0)}
    est = ParetoClassifier(validation=0.25, solver_options={"n_points": 21})
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # non-finite scores; bounds not met on some folds
        plain = GridSearchCV(est, grid, cv=3).fit(X, y, sensitive_features="sex")
        fair = GridSearchCV(est, grid, cv=3, scoring=fair_scorer(
            "accuracy", "demographic_parity", 0.15, sensitive="sex")).fit(
            X, y, sensitive_features="sex")
    assert plain.best_params_ == {"select": _bounds(1.0)[0]}
    assert fair.best_params_ == {"select": _bounds(0.02)[0]}
    assert np.isfinite(fair.best_score_)
    assert (fair.cv_results_["mean_test_score"][1:] == -np.inf).all()


def test_unmeetable_bound_warns_once_per_fit_with_the_best_achievable_gap():
    df = _frame(600)
    X, y = df.drop(columns="income"), df["income"]
    with pytest.warns(BoundNotMetWarning, match=r"meets the bound demographic_parity_sq:exact ≤ "
                      r"1e-06 \(best achievable [0-9.e-]+\) on the validation rows") as rec:
        clf = ParetoClassifier(validation=0.25, select=_bounds(1e-6)[0]).fit(
            X, y, sensitive_features="sex")
    assert issubclass(BoundNotMetWarning, UserWarning)
    assert len([w for w in rec if w.category is BoundNotMetWarning]) == 1
    assert clf.bound_met_ is False
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert ParetoClassifier(validation=0.25, select=_bounds(1.0)[0]).fit(
            X, y, sensitive_features="sex").bound_met_ is True
    # in a grid search: a warning per fold, no FitFailedWarning and no error score
    with warnings.catch_warnings(record=True) as rec:
        warnings.simplefilter("always")
        gs = GridSearchCV(ParetoClassifier(), {"select": _bounds(1e-6)}, cv=2,
                          error_score="raise").fit(X, y, sensitive_features="sex")
    kinds = {w.category.__name__ for w in rec}
    assert "BoundNotMetWarning" in kinds and "FitFailedWarning" not in kinds
    assert np.isfinite(gs.cv_results_["mean_test_score"]).all()


# -- split parts keep their rows -------------------------------------------------------------------
def test_split_parts_carry_row_positions_and_frame_index():
    df = _frame(200)
    data = from_frame(df, target="income", sensitive="sex")
    assert list(data.meta["index"]) == list(df.index)
    train, val, test = tradeoff.split(data, test=0.25, validation=0.25, seed=3)
    rows = np.concatenate([p.meta["rows"] for p in (train, val, test)])
    assert sorted(rows) == list(range(len(df)))
    for part in (train, val, test):
        assert (df.index[part.meta["rows"]] == part.meta["index"]).all()
        back = from_frame(df.loc[part.meta["index"]], target="income", sensitive="sex",
                          encoder=data.encoder)
        assert np.array_equal(back.y, part.y) and np.array_equal(back.groups, part.groups)
    # subsets of subsets compose; a Dataset not from a frame has positions only
    inner = test.subset(np.array([2, 0]))
    assert list(inner.meta["rows"]) == [test.meta["rows"][2], test.meta["rows"][0]]
    plain = tradeoff.Dataset(np.arange(10.0), np.arange(10.0)).subset(np.arange(10) > 6)
    assert list(plain.meta["rows"]) == [7, 8, 9] and "index" not in plain.meta
