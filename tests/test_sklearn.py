"""tradeoff.sklearn: ParetoClassifier / ParetoRegressor as scikit-learn estimators."""

import numpy as np
import pandas as pd
import pytest

pytest.importorskip("sklearn")

import sklearn  # noqa: E402
from sklearn.base import clone  # noqa: E402
from sklearn.compose import ColumnTransformer  # noqa: E402
from sklearn.model_selection import GridSearchCV, cross_validate  # noqa: E402
from sklearn.pipeline import Pipeline  # noqa: E402
from sklearn.preprocessing import OneHotEncoder, StandardScaler  # noqa: E402
from sklearn.utils.estimator_checks import parametrize_with_checks  # noqa: E402

from tradeoff.sklearn import ParetoClassifier, ParetoRegressor  # noqa: E402
from tradeoff.datasets.tabular import synthetic_shift  # noqa: E402

QUICK = {"n_points": 3, "tol": 1e-6}

# scikit-learn's checks call fit(X, y) with no sensitive features; the default objectives include
# a fairness gap, which needs them, so every check that fits fails with the clear error
# "`sensitive_features` must be given to fit for objective ...". Everything else passes, and every
# check passes with objectives that need no groups (the first two estimators below).
_NEEDS_GROUPS = "calls fit without sensitive_features, which the default fairness objective needs"
_FITTING = [
    "check_fit_score_takes_y", "check_estimators_overwrite_params",
    "check_dont_overwrite_parameters", "check_estimators_fit_returns_self",
    "check_readonly_memmap_input", "check_n_features_in_after_fitting",
    "check_positive_only_tag_during_fit", "check_estimators_dtypes", "check_dtype_object",
    "check_pipeline_consistency", "check_estimators_nan_inf", "check_estimators_pickle",
    "check_estimators_pickle(readonly_memmap=True)", "check_f_contiguous_array_estimator",
    "check_supervised_y_2d", "check_methods_sample_order_invariance",
    "check_methods_subset_invariance", "check_fit2d_1feature", "check_dict_unchanged",
    "check_fit_idempotent", "check_fit_check_is_fitted", "check_n_features_in",
    "check_fit2d_predict1d"]
EXPECTED_FAILURES = {
    "ParetoClassifier": _FITTING + [
        "check_classifier_data_not_an_array", "check_classifiers_classes",
        "check_classifiers_train", "check_classifiers_train(readonly_memmap=True)",
        "check_classifiers_train(readonly_memmap=True,X_dtype=float32)",
        "check_decision_proba_consistency"],
    "ParetoRegressor": _FITTING + [
        "check_regressors_train", "check_regressors_train(readonly_memmap=True)",
        "check_regressors_train(readonly_memmap=True,X_dtype=float32)",
        "check_regressor_data_not_an_array", "check_regressors_no_decision_function",
        "check_regressors_int"],
}


def _expected_failed(estimator):
    if "l2" in estimator.objectives:
        return {}
    return {name: _NEEDS_GROUPS for name in EXPECTED_FAILURES[type(estimator).__name__]}


@parametrize_with_checks([ParetoClassifier(objectives=("log_loss", "l2"), solver_options=QUICK),
                          ParetoRegressor(objectives=("mse", "l2"), solver_options=QUICK),
                          ParetoClassifier(solver_options=QUICK),
                          ParetoRegressor(solver_options=QUICK)],
                         expected_failed_checks=_expected_failed)
def test_sklearn_estimator_checks(estimator, check):
    check(estimator)


@pytest.fixture(scope="module")
def clf_data():
    ds = synthetic_shift(n=400, task="classification", seed=4)
    labels = np.where(ds.y == 1, "yes", "no")
    return ds.X, labels, np.where(ds.groups == 1, "B", "A")


def test_fit_keeps_the_front_the_choice_and_its_predictor(clf_data):
    X, y, s = clf_data
    clf = ParetoClassifier(solver_options=QUICK).fit(X, y, sensitive_features=s)
    assert list(clf.classes_) == ["no", "yes"]
    assert clf.selected_ == clf.front_.select("knee")
    assert [o.name for o in clf.front_.objectives] == ["log_loss", "demographic_parity_sq"]
    proba = clf.predict_proba(X)
    assert (proba == clf.predictor_.predict_proba(X)).all()
    assert set(clf.predict(X)) <= {"no", "yes"}
    assert ((proba[:, 1] >= 0.5) == (clf.predict(X) == "yes")).all()
    assert ((clf.decision_function(X) > 0) == (clf.predict(X) == "yes")).all()
    assert 0.5 < clf.score(X, y) <= 1


def test_select_as_a_dict_and_a_validation_split(clf_data):
    X, y, s = clf_data
    rule = {"rule": "epsilon", "minimise": "log_loss",
            "bounds": {"demographic_parity_sq:exact": 0.25}}
    clf = ParetoClassifier(select=rule, validation=0.3)
    clf.fit(X, y, sensitive_features=s)
    assert clf.front_.model.name == "logistic" and 0 <= clf.selected_ < len(clf.front_)
    again = clone(clf).fit(X, y, sensitive_features=s)
    assert again.selected_ == clf.selected_
    assert (again.predict_proba(X) == clf.predict_proba(X)).all()  # seeded: the same split


def test_regressor_with_a_fairness_objective():
    ds = synthetic_shift(n=300, seed=1)
    reg = ParetoRegressor(select={"rule": "asf", "weights": [0.5, 0.5]}, solver_options=QUICK)
    reg.fit(ds.X, ds.y, sensitive_features=ds.groups)
    assert reg.predict(ds.X).shape == (300,)
    assert reg.score(ds.X, ds.y) > 0.3


def test_clone_and_params():
    clf = ParetoClassifier(select={"rule": "asf"}, validation=0.2, seed=3)
    twin = clone(clf)
    assert twin.get_params() == clf.get_params() and twin is not clf
    assert twin.set_params(seed=4).seed == 4


def _frame(n=300, seed=0):
    rng = np.random.default_rng(seed)
    df = pd.DataFrame({"age": rng.uniform(20, 60, n), "hours": rng.uniform(10, 60, n),
                       "job": rng.choice(["a", "b", "c"], n), "sex": rng.choice(["f", "m"], n)})
    logit = 0.05 * (df["age"] - 40) + 0.04 * (df["hours"] - 35) + (df["sex"] == "m") * 0.8
    y = (rng.random(n) < 1 / (1 + np.exp(-logit))).astype(int)
    return df, y


def _pipeline():
    prep = ColumnTransformer([("num", StandardScaler(), ["age", "hours"]),
                              ("cat", OneHotEncoder(drop="first"), ["job"])],
                             sparse_threshold=0.0)
    return Pipeline([("prep", prep), ("clf", ParetoClassifier(solver_options=QUICK))])


def test_pipeline_after_a_column_transformer():
    df, y = _frame()
    pipe = _pipeline().fit(df, y, clf__sensitive_features=df["sex"])
    assert pipe.predict_proba(df.iloc[:1]).shape == (1, 2)
    assert (pipe.predict(df[::-1])[::-1] == pipe.predict(df)).all()


def test_cross_validate_and_grid_search_route_sensitive_features():
    df, y = _frame()
    X = df[["age", "hours"]].to_numpy()
    res = cross_validate(ParetoClassifier(solver_options=QUICK), X, y, cv=3,
                         params={"sensitive_features": df["sex"].to_numpy()})
    assert len(res["test_score"]) == 3 and np.isfinite(res["test_score"]).all()
    grid = GridSearchCV(ParetoClassifier(solver_options=QUICK),
                        {"select": ["knee", {"rule": "asf", "weights": [0.9, 0.1]}]}, cv=3)
    grid.fit(X, y, sensitive_features=df["sex"].to_numpy())
    assert grid.best_estimator_.front_ is not None


def test_metadata_routing():
    df, y = _frame()
    with sklearn.config_context(enable_metadata_routing=True):
        pipe = _pipeline()
        pipe.set_params(clf=ParetoClassifier(solver_options=QUICK)
                        .set_fit_request(sensitive_features=True))
        res = cross_validate(pipe, df, y, cv=3, params={"sensitive_features": df["sex"]})
    assert np.isfinite(res["test_score"]).all()


def test_errors(clf_data):
    X, y, s = clf_data
    with pytest.raises(ValueError, match=r"`sensitive_features` must be given to fit for objective "
                                         r"'demographic_parity_sq'; got None. Pass fit"):
        ParetoClassifier().fit(X, y)
    with pytest.raises(ValueError, match=r"`y` must be binary \(exactly 2 classes\)"):
        ParetoClassifier(objectives=("log_loss", "l2")).fit(X, np.arange(len(X)) % 3)
    with pytest.raises(ValueError, match=r"`validation` must be a share of rows in \[0, 1\)"):
        ParetoClassifier(validation=1.5).fit(X, y, sensitive_features=s)
    with pytest.raises(TypeError, match=r"`select` must be a rule name"):
        ParetoClassifier(select=3).fit(X, y, sensitive_features=s)
    with pytest.raises(ValueError, match=r"`sensitive_features` must be one label per row of X"):
        ParetoClassifier().fit(X, y, sensitive_features=s[:5])
    with pytest.raises(ValueError, match=r"`rule` must be one of"):
        ParetoClassifier(select="kneee", solver_options=QUICK).fit(X, y, sensitive_features=s)
