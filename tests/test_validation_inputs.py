"""Issue 12, clusters 1, 2, 6 and 9: bad inputs at the public boundary get a clear error.

Every bad input raises ValueError or TypeError whose message names the field (in backticks), says
what was expected and what came, and gives a fix; none shows numpy, pandas or LAPACK internals
(`assert_clear`). Good inputs next to them still give the right answer.

Set TRADEOFF_COUNT_INPUTS=path to write how many distinct bad inputs each cluster tried.
"""

from __future__ import annotations

import json
import os
from collections import defaultdict

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings, strategies as st

import tradeoff as to
from tradeoff import fairness as F, losses, train
from tradeoff._validation import MAX_ABS, MissingFileError
from tradeoff.datasets import Dataset, blog_data, cap_benchmark_data, load_dataset
from tradeoff.models import get_model
from tradeoff.objectives import get_objective
from tradeoff.datasets.tabular import from_csv, from_frame, synthetic_shift

from .strategies import (assert_clear, bad_groups, bad_sample_weights, non_binary_labels,
                         out_of_range_probabilities)

FAST = settings(max_examples=30, deadline=None)
TRIED: dict[int, set] = defaultdict(set)


def tried(cluster: int, *value):
    """Record one bad input (for the count in the closing note of the issue)."""
    TRIED[cluster].add(repr([v.tolist() if isinstance(v, np.ndarray) else v for v in value]))


@pytest.fixture(scope="module", autouse=True)
def _count():
    yield
    path = os.environ.get("TRADEOFF_COUNT_INPUTS")
    if path:
        with open(path, "w") as fh:
            json.dump({f"cluster {k}": len(v) for k, v in sorted(TRIED.items())}, fh)


def _xy(n=20, seed=0, binary=False):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, 2))
    y = (X[:, 0] > 0).astype(float) if binary else X @ [1.0, -2.0] + rng.normal(size=n)
    return X, y


def _groups(n=20):
    return np.arange(n) % 2


# ------------------------------------------------------------------ cluster 1: labels, probabilities


# every registered loss that takes classes and probabilities (today: log_loss)
CLASSIFICATION_LOSSES = [n for n in losses.LOSSES if losses.get_loss(n).classification]


def test_log_loss_is_a_classification_loss():
    assert CLASSIFICATION_LOSSES == ["log_loss"]
    assert not any(losses.get_loss(n).classification for n in ("mse", "mae", "huber", "pinball"))


@given(y=non_binary_labels())
@FAST
def test_log_loss_rejects_labels_outside_0_1(y):
    tried(1, "log_loss y", y)
    with pytest.raises(ValueError) as err:
        losses.log_loss(y, np.full(len(y), 0.5))
    assert_clear(err, "y_true", "encode the classes as 0/1")
    for name in CLASSIFICATION_LOSSES:
        with pytest.raises(ValueError) as err:
            losses.get_loss(name)(y, np.full((len(y), 2), 0.5))
        assert_clear(err, "y_true", "0/1")


@given(data=st.data())
@FAST
def test_log_loss_rejects_probabilities_outside_0_1(data):
    y = data.draw(non_binary_labels().map(lambda a: (a > 0.5).astype(float)))
    p = data.draw(out_of_range_probabilities(len(y)))
    tried(1, "log_loss p", p)
    with pytest.raises(ValueError) as err:
        losses.log_loss(y, p)
    assert_clear(err, "y_pred", "expit")
    for name in CLASSIFICATION_LOSSES:  # a batch (n, K) of candidates, too
        with pytest.raises(ValueError) as err:
            losses.get_loss(name)(y, np.column_stack([np.full(len(y), 0.5), p]))
        assert_clear(err, "y_pred")


def test_log_loss_examples_from_the_issue():
    with pytest.raises(ValueError, match=r"`y_true` must be binary \(0/1\) for 'log_loss'; got "
                                         r"'values \[2\.0\]'"):
        losses.log_loss([0, 2, 2], [0.2, 0.7, 0.9])
    with pytest.raises(ValueError, match=r"`y_pred` must be probabilities in \[0, 1\]; got '2 "
                                         r"value\(s\) outside, e\.g\. -0\.2'"):
        losses.log_loss([0, 1, 1], [-0.2, 0.7, 1.9])
    tried(1, "log_loss", [0, 2, 2])
    tried(1, "log_loss", [-0.2, 0.7, 1.9])
    # exact 0 and 1 are valid probabilities: clipped inside for log(0), as scikit-learn does
    assert np.isfinite(losses.log_loss([0, 1, 1], [0.0, 1.0, 0.0]))
    assert losses.log_loss([0, 1], [0.0, 1.0]) == pytest.approx(0.0, abs=1e-12)


@given(y=non_binary_labels())
@FAST
def test_group_loss_metrics_with_log_loss_reject_real_targets(y):
    tried(1, "group loss", y)
    g = np.arange(len(y)) % 2
    if len(y) < 2:
        return
    for metric in (F.group_loss_gap, F.bounded_group_loss):
        with pytest.raises(ValueError) as err:
            metric(y, np.full(len(y), 0.5), sensitive_features=g, loss="log_loss")
        assert_clear(err, "y_true")


def test_group_loss_gap_with_log_loss_examples():
    X, y = _xy()
    g = _groups()
    with pytest.raises(ValueError) as err:  # real-valued targets: the issue's example
        F.group_loss_gap(y, np.full(20, 0.5), sensitive_features=g, loss="log_loss")
    assert_clear(err, "y_true")
    yb = (y > 0).astype(float)
    with pytest.raises(ValueError) as err:  # scores, not probabilities
        F.group_loss_gap(yb, X[:, 0], sensitive_features=g, loss="log_loss")
    assert_clear(err, "y_pred")
    tried(1, "glg", y)
    tried(1, "glg p", X[:, 0])
    # probabilities and 0/1 labels: a number, equal to the per-group means' gap
    p = np.clip(0.5 + X[:, 0] / 10, 0.01, 0.99)
    gap = F.group_loss_gap(yb, p, sensitive_features=g, loss="log_loss")
    by = [losses.log_loss(yb[g == k], p[g == k]) for k in (0, 1)]
    assert gap == pytest.approx(abs(by[0] - by[1]), rel=1e-12)


@pytest.mark.parametrize("name", ["demographic_parity_difference", "equalized_odds_difference",
                                  "equal_opportunity_ratio", "equalized_odds_ratio"])
@pytest.mark.parametrize("bad", ["y_true", "y_pred"])
def test_classification_metrics_reject_non_binary(name, bad):
    y = np.array([0, 1, 0, 1, 0, 1.0])
    p = np.array([0, 1, 1, 0, 0, 1.0])
    s = np.array(list("aaabbb"))
    if bad == "y_true":
        if name.startswith("demographic"):
            return  # demographic parity ignores y_true (fairlearn's signature)
        y = np.array([0, 1, 2, 1, 0, 1.0])
    else:
        p = np.array([0, 0.7, 1, 0, 0, 1.0])
    tried(1, name, bad, y, p)
    with pytest.raises(ValueError) as err:
        getattr(F, name)(y, p, sensitive_features=s)
    assert_clear(err, bad, "Threshold")


@pytest.mark.parametrize("labels", [(0.0, 5.0), (-1.0, 1.0), (1.0, 2.0), (0.0, 0.5)])
def test_fit_log_loss_rejects_other_labels(labels):
    X, y = _xy()
    y = np.where(y > 0, labels[1], labels[0])
    tried(1, "fit", labels)
    with pytest.raises(ValueError) as err:
        train.fit(X, y, loss="log_loss", model="logistic", epochs=3)
    assert_clear(err, "y", "0/1")


def test_fit_log_loss_needs_a_probability_model():
    X, y = _xy(binary=True)
    for model in ("linear", "capped_linear"):
        tried(1, "fit model", model)
        with pytest.raises(ValueError) as err:
            train.fit(X, y, loss="log_loss", model=model, lr=0.1, epochs=3)
        assert_clear(err, "model", "logistic")
    res = train.fit(X, y, loss="log_loss", model="logistic", epochs=5)
    assert np.isfinite(res.theta).all()


def test_problem_classification_objectives_check_labels_and_model():
    X, y = _xy()
    ds = Dataset(X, y, groups=_groups())
    dsb = Dataset(X, (y > 0).astype(float), groups=_groups())
    cases = [
        (ds, "logistic", ["log_loss", "l2"], "y", "encode the classes as 0/1"),
        (ds, "logistic", [{"name": "group_loss_gap_sq", "loss": "log_loss"}, "l2"], "y", "0/1"),
        (ds, "logistic", ["mse", "demographic_parity_sq"], "y", "mean_gap_sq"),
        (ds, "logistic", ["mse", "equalized_odds_sq"], "y", "0/1"),
        (dsb, "linear", ["log_loss", "l2"], "model", "logistic"),
        (dsb, "capped_linear", ["log_loss", "l2"], "model", "logistic"),
        (dsb, "linear", [{"name": "group_loss_gap_sq", "loss": "log_loss"}, "mse"], "model",
         "logistic"),
    ]
    for data, model, objectives, field, fix in cases:
        tried(1, "problem", model, objectives, data.y[:3])
        with pytest.raises(ValueError) as err:
            to.Problem(data, model, objectives)
        assert_clear(err, field, fix)
    to.Problem(dsb, "logistic", ["log_loss", "demographic_parity_sq"])  # the right use


# ------------------------------------------------------------------ cluster 2: weights and groups in Dataset


@given(data=st.data())
@FAST
def test_dataset_rejects_bad_sample_weight(data):
    n = data.draw(st.integers(2, 15))
    kind, w = data.draw(bad_sample_weights(n))
    X, y = _xy(n)
    tried(2, "weights", kind, w)
    with pytest.raises(ValueError) as err:
        Dataset(X, y, sample_weight=w)
    fix = {"non-finite": "Drop or impute", "negative": "weight 0", "zero": "positive weight",
           "length": "one weight for each row", "huge": "Rescale the weights"}[kind]
    assert_clear(err, "sample_weight", fix)


def test_dataset_sample_weight_examples():
    X, y = _xy()
    for w in ("heavy", [[1.0] * 20], [None] * 20, ["a"] * 20):
        tried(2, "weights", w)
        with pytest.raises((ValueError, TypeError)) as err:
            Dataset(X, y, sample_weight=w)
        assert_clear(err, "sample_weight")
    # a list works, is stored as floats, and is used: weights 2 equal a duplicated row
    w = [2.0] + [1.0] * 19
    ds = Dataset(X, y, sample_weight=w)
    assert ds.sample_weight.dtype == float and ds.sample_weight.tolist() == w
    dup = Dataset(np.vstack([X[:1], X]), np.append(y[:1], y))
    theta = np.array([0.3, -0.2, 0.1])
    a = to.Problem(ds, "linear", ["mse", "l2"]).evaluate(theta, grad=False).F
    b = to.Problem(dup, "linear", ["mse", "l2"]).evaluate(theta, grad=False).F
    np.testing.assert_allclose(a, b, rtol=1e-12)


@given(data=st.data())
@FAST
def test_dataset_rejects_bad_groups(data):
    n = data.draw(st.integers(2, 15))
    kind, g = data.draw(bad_groups(n))
    X, y = _xy(n)
    tried(2, "groups", kind, g)
    with pytest.raises(ValueError) as err:
        Dataset(X, y, groups=g)
    fix = {"code -1": "fillna", "nan": "dropna", "none": "dropna", "negative": "Number the groups",
           "fraction": "pandas.factorize", "length": "one label or code per row"}[kind]
    assert_clear(err, "groups", fix)


def test_missing_group_from_factorize_is_not_folded_into_another():
    sex = pd.Series(["f", "m", None, "f", "m", "f"])
    codes, _ = pd.factorize(sex)
    X, y = _xy(6)
    tried(2, "groups", codes)
    with pytest.raises(ValueError, match=r"`groups` must be free of missing values; got 'code -1 in "
                                         r"1 row\(s\)'\. pandas\.factorize gives -1"):
        Dataset(X, y, groups=codes)


def test_group_labels_are_encoded_with_their_names():
    X, y = _xy(6)
    ds = Dataset(X, y, groups=np.array(["m", "f", "m", "x", "f", "m"]))
    assert ds.groups.tolist() == [1, 0, 1, 2, 0, 1] and ds.group_names == ("f", "m", "x")
    assert ds.groups.dtype == np.int64
    assert Dataset(X, y, groups=[True, False] * 3).group_names == ("False", "True")
    # integral floats are codes; the same problem as with integers
    a = to.Problem(Dataset(X, y, groups=np.array([0, 1.0] * 3)), "linear", ["mse", "mean_gap_sq"])
    b = to.Problem(Dataset(X, y, groups=np.array(["a", "b"] * 3)), "linear", ["mse", "mean_gap_sq"])
    theta = np.array([0.5, 0.1, -0.3])
    np.testing.assert_array_equal(a.evaluate(theta).F, b.evaluate(theta).F)


def test_group_names_must_fit_the_groups():
    X, y = _xy(6)
    for groups, names in (([0, 1, 2] * 2, ("a", "b")), (["u", "v"] * 3, ("u", "v"))):
        tried(2, "group_names", groups, names)
        with pytest.raises(ValueError) as err:
            Dataset(X, y, groups=groups, group_names=names)
        assert_clear(err, "group_names")
    for groups in ([[0, 1]] * 6, np.zeros((6, 2), int)):
        tried(2, "groups", groups)
        with pytest.raises(ValueError) as err:
            Dataset(X, y, groups=groups)
        assert_clear(err, "groups")


def test_existing_callers_still_build_datasets():
    assert synthetic_shift(n=50).group_names == ("A", "B")
    frame = pd.DataFrame({"x": np.arange(6.0), "y": np.arange(6.0) * 2, "s": list("abcabc")})
    ds = from_frame(frame, target="y", sensitive="s")
    assert ds.groups.tolist() == [0, 1, 2, 0, 1, 2] and ds.group_names == ("a", "b", "c")


# ------------------------------------------------------------------ cluster 6: data edges


@pytest.mark.parametrize("columns", [["a", "a", "y", "s"], ["a", "y", "y", "s"], ["a", "s", "y", "s"],
                                     ["y", "y", "y", "s"]])
def test_from_frame_rejects_duplicate_columns(columns):
    X, y = _xy(6)
    df = pd.DataFrame(np.c_[X, y, _groups(6)], columns=columns)
    tried(6, "columns", columns)
    with pytest.raises(ValueError) as err:
        from_frame(df, target="y", sensitive="s")
    assert_clear(err, "df", "df.columns.duplicated()")


@given(data=st.data())
@settings(max_examples=25, deadline=None)
def test_extreme_values_are_caught_before_any_linear_algebra(data):
    n = data.draw(st.integers(2, 10))
    value = data.draw(st.floats(MAX_ABS, 1.7e308, exclude_min=True)) * data.draw(st.sampled_from([1, -1]))
    where = data.draw(st.sampled_from(["a", "b", "y"]))
    rng = np.random.default_rng(n)
    frame = pd.DataFrame({"a": rng.normal(size=n), "b": rng.normal(size=n), "y": rng.normal(size=n),
                          "s": np.arange(n) % 2})
    frame.loc[data.draw(st.integers(0, n - 1)), where] = value
    tried(6, "magnitude", where, value)
    with pytest.raises(ValueError) as err:
        from_frame(frame, target="y", sensitive="s")
    assert_clear(err, "y" if where == "y" else "X", f"Rescale column '{where}'")
    with pytest.raises(ValueError) as err:  # fit names the argument the user passed, not `y_pred`
        train.fit(frame[["a", "b"]].to_numpy(), frame["y"].to_numpy(), epochs=2)
    assert_clear(err, "y" if where == "y" else "X", "Rescale")
    assert "y_pred" not in str(err.value)


def test_extreme_values_leave_no_lapack_noise(capfd):
    X, y = _xy()
    X[3, 1] = 1e300
    tried(6, "magnitude", 1e300)
    with pytest.raises(ValueError) as err:
        to.Problem(Dataset(X, y, feature_names=("age", "income")), "linear", ["mse", "l2"])
    assert_clear(err, "X", "Rescale column 'income'")
    assert "1e+300 in column 'income', row 3" in str(err.value)
    out = capfd.readouterr()
    assert "DLASCL" not in out.err + out.out and "SVD" not in out.err + out.out
    # values up to the limit are fine: an exact front with finite points
    X[3, 1] = MAX_ABS
    front = to.solve(to.Problem(Dataset(X, y), "linear", ["mse", "l2"]), "exact", n_points=5)
    assert front.success and np.isfinite(front.F).all()


@pytest.mark.parametrize("value", [np.inf, -np.inf])
@pytest.mark.parametrize("column", ["a", "b"])
def test_infinite_values_name_their_column(value, column):
    frame = pd.DataFrame({"a": [1.0, 2, 3, 4], "b": [4.0, 3, 2, 1], "y": [1.0, 2, 3, 5],
                          "s": [0, 1, 0, 1]})
    frame.loc[2, column] = value
    tried(6, "inf", column, value)
    with pytest.raises(ValueError) as err:
        from_frame(frame, target="y", sensitive="s", drop_missing=True)  # inf is not "missing"
    assert_clear(err, "X", "Drop or impute")
    assert f"(column '{column}')" in str(err.value)


def test_rows_dropped_default_to_zero():
    assert blog_data(n=5).meta["rows_dropped"] == 0
    assert Dataset(*_xy(4), meta={"source": "me"}).meta == {"source": "me", "rows_dropped": 0}


def test_overflowing_predictions_name_theta_not_y_pred():
    prob = to.Problem(synthetic_shift(n=50), "linear", ["mse", "mean_gap_sq"])
    tried(6, "theta", 1e308)
    with pytest.raises(ValueError) as err:
        prob.exact_metrics(np.full((1, prob.d), 1e308))
    assert_clear(err, "Theta", "bounds")
    assert "y_pred" not in str(err.value)


@pytest.mark.parametrize("value", ["false", "true", "False", "no", "0", 0, 1, None, [], "yes"])
def test_booleans_must_be_booleans(value, tmp_path):
    rng = np.random.default_rng(0)
    frame = pd.DataFrame({"a": rng.normal(size=10), "y": rng.normal(size=10), "s": [0, 1] * 5})
    frame.loc[::2, "a"] = np.nan
    tried(6, "bool", value)
    with pytest.raises(TypeError) as err:
        from_frame(frame, target="y", sensitive="s", drop_missing=value)
    assert_clear(err, "drop_missing", "Write ")
    path = tmp_path / "d.csv"
    frame.to_csv(path, index=False)
    spec = {"data": {"csv": str(path), "target": "y", "sensitive": "s", "drop_missing": value},
            "objectives": ["mse", "mean_gap_sq"]}
    with pytest.raises(TypeError) as err:  # the config path: a string "false" is not false
        to.Problem.from_dict(spec, path="problems[0]")
    assert_clear(err, "problems[0].data.drop_missing", "without quotes" if isinstance(value, str)
                 and value.lower() in ("false", "true", "no", "yes", "0") else "Write true or false")
    with pytest.raises(TypeError) as err:
        train.fit(*_xy(), standardize=value, epochs=2)
    assert_clear(err, "standardize")


def test_config_rejects_string_boolean(tmp_path):
    from tradeoff.experiments.config import load_config

    rng = np.random.default_rng(0)
    frame = pd.DataFrame({"a": rng.normal(size=10), "y": rng.normal(size=10), "s": [0, 1] * 5})
    frame.to_csv(tmp_path / "d.csv", index=False)
    (tmp_path / "c.toml").write_text(f"""
[experiment]
name = "t"
[[problems]]
name = "p"
data = {{ csv = "{tmp_path / 'd.csv'}", target = "y", sensitive = "s", drop_missing = "false" }}
objectives = ["mse", "mean_gap_sq"]
[[solvers]]
name = "weighted-sum"
""")
    tried(6, "config bool", "false")
    with pytest.raises(TypeError) as err:
        load_config(tmp_path / "c.toml")
    assert_clear(err, "problems[0].data.drop_missing", "Write false without quotes")
    for table, where in (('[[solvers]]\nname = "weighted-sum"\noptions = { standardize = "false" }',
                          "solvers[0].options.standardize"),
                         ('[[solvers]]\nname = "weighted-sum"\n[exact]\nadaptive = "true"',
                          "exact.adaptive")):
        (tmp_path / "s.toml").write_text(f"""
[experiment]
name = "t"
[[problems]]
name = "p"
data = "blog"
objectives = ["mse", "l2"]
{table}
""")
        tried(6, "config bool", where)
        with pytest.raises(TypeError) as err:
            load_config(tmp_path / "s.toml")
        assert_clear(err, where, "without quotes")


@given(k=st.integers(0, 9))
@settings(max_examples=10, deadline=None)
def test_rows_dropped_are_reported(k):
    rng = np.random.default_rng(k)
    frame = pd.DataFrame({"a": rng.normal(size=12), "b": rng.normal(size=12), "y": rng.normal(size=12),
                          "s": [0, 1] * 6})
    rows = rng.choice(12, size=k, replace=False)
    frame.loc[rows[: k // 2], "a"] = np.nan
    frame.loc[rows[k // 2:], "s"] = np.nan
    ds = from_frame(frame, target="y", sensitive="s", drop_missing=True)
    assert ds.meta["rows_dropped"] == k and ds.n == 12 - k
    if k:
        with pytest.raises(ValueError, match=f"{k} of 12 rows with missing values"):
            from_frame(frame, target="y", sensitive="s")


def test_missing_or_unreadable_csv(tmp_path):
    tried(6, "csv", "missing")
    with pytest.raises(MissingFileError) as err:  # both FileNotFoundError and ValueError
        from_csv(tmp_path / "nope.csv", target="y", sensitive="s")
    assert isinstance(err.value, FileNotFoundError) and isinstance(err.value, ValueError)
    (tmp_path / "empty.csv").write_text("")
    (tmp_path / "ragged.csv").write_text("y,s\n1,2\n1,2,3,4\n")
    (tmp_path / "binary.csv").write_bytes(bytes(range(128, 256)) * 3)
    for name, why in (("empty", "No columns"), ("ragged", "Expected 2 fields in line 3, saw 4"),
                      ("binary", "codec can't decode")):
        tried(6, "csv", name)
        with pytest.raises(ValueError) as err:
            from_csv(tmp_path / f"{name}.csv", target="y", sensitive="s")
        assert_clear(err, "path", why)
        assert "C error" not in str(err.value)
    tried(6, "csv", 3)
    with pytest.raises(TypeError) as err:
        from_csv(3, target="y", sensitive="s")
    assert "`path` must be a path to a CSV file" in str(err.value)


# ------------------------------------------------------------------ cluster 9: messages


@pytest.mark.parametrize("objectives, named", [
    (["mae", "l2"], "'mae'"),
    (["mse", "l1"], "'l1'"),
    (["mae", "l1"], "objectives 'mae', 'l1' give"),
    (["mse", {"name": "pinball", "quantile": 0.9}], "'pinball'"),
])
def test_exact_names_the_objectives_without_second_derivative(objectives, named):
    tried(9, "exact", objectives)
    front = to.solve(to.Problem(blog_data(n=40), "linear", objectives), "exact")
    assert not front.success and "?" not in front.message
    assert named in front.message and "no second derivative" in front.message


def test_same_objective_with_different_parameters_is_named_by_them():
    data = blog_data(n=40)
    prob = to.Problem(data, "linear", [{"name": "huber", "delta": 1}, {"name": "huber", "delta": 2.5}])
    assert prob.objective_names == ["huber(delta=1)", "huber(delta=2.5)"]
    theta = np.array([1.2, 3.0])
    F_ = prob.evaluate(theta, grad=False).F[0]
    pred = data.X[:, 0] * 1.2 + 3.0
    assert F_ == pytest.approx([losses.huber_loss(data.y, pred, 1), losses.huber_loss(data.y, pred, 2.5)])
    prob = to.Problem(data, "linear", [{"name": "pinball", "quantile": 0.1}, {"name": "pinball", "quantile": 0.9},
                                       {"name": "cap_violation", "cap": 100},
                                       {"name": "cap_violation", "cap": 120}])
    assert prob.objective_names == ["pinball(quantile=0.1)", "pinball(quantile=0.9)",
                                    "cap_violation(cap=100)", "cap_violation(cap=120)"]
    front = to.solve(to.Problem(data, "linear", [{"name": "huber", "delta": 1},
                                                 {"name": "huber", "delta": 2}]),
                     "nsga2", max_evaluations=100, seed=0)
    assert list(front.objective_names) == ["huber(delta=1)", "huber(delta=2)"]
    assert {"huber(delta=1)", "huber(delta=2)"} <= set(front.to_frame().columns)
    for objectives in (["mse", "mse"], [{"name": "huber", "delta": 2}, {"name": "huber", "delta": 2.0}]):
        tried(9, "distinct", objectives)
        with pytest.raises(ValueError) as err:
            to.Problem(data, "linear", objectives)
        assert_clear(err, "objectives", "given twice")


@pytest.mark.parametrize("key, fix", [("targt", "Did you mean 'target'?"),
                                      ("sensitiv", "Did you mean 'sensitive'?"),
                                      ("featurs", "Did you mean 'features'?"),
                                      ("drop_mising", "Did you mean 'drop_missing'?"),
                                      ("nme", "Did you mean 'name'?"),
                                      ("sep", "Remove it")])
def test_csv_keys_get_did_you_mean(key, fix, tmp_path):
    frame = pd.DataFrame({"a": [1.0, 2, 3, 4], "y": [1.0, 2, 3, 5], "s": [0, 1, 0, 1]})
    frame.to_csv(tmp_path / "d.csv", index=False)
    spec = {"csv": str(tmp_path / "d.csv"), "target": "y", "sensitive": "s", key: "y"}
    tried(9, "csv key", key)
    with pytest.raises(ValueError) as err:
        to.Problem.from_dict({"data": spec, "objectives": ["mse", "mean_gap_sq"]}, path="problems[0]")
    assert_clear(err, f"problems[0].data.{key}", fix)
    assert "unexpected keyword" not in str(err.value)
    spec = {"csv": str(tmp_path / "d.csv"), "target": "y"}
    with pytest.raises(ValueError) as err:
        to.Problem.from_dict({"data": spec, "objectives": ["mse", "mean_gap_sq"]}, path="problems[0]")
    assert_clear(err, "problems[0].data.sensitive", "Add `sensitive = ...`")


@pytest.mark.parametrize("call", [
    lambda s: blog_data(seed=s),
    lambda s: cap_benchmark_data(seed=s),
    lambda s: synthetic_shift(n=20, seed=s),
    lambda s: load_dataset("blog", seed=s),
    lambda s: train.fit(*_xy(), seed=s, batch_size=5, epochs=2),
    lambda s: to.solve(to.Problem(blog_data(n=30), "linear", ["mse", "l2"]), "weighted-sum",
                       seed=s, max_evaluations=60),
    lambda s: to.solve(to.Problem(blog_data(n=30), "linear", ["mse", "l2"]), "nsga2", seed=s,
                       max_evaluations=60),
    lambda s: to.Problem.from_dict({"data": {"name": "blog", "seed": s}, "objectives": ["mse", "l2"]}),
])
@pytest.mark.parametrize("seed", [-1, -(2**40), 1.5, "0", True])
def test_bad_seeds_get_our_message(call, seed):
    tried(9, "seed", seed, call.__code__.co_firstlineno)
    with pytest.raises((ValueError, TypeError)) as err:
        call(seed)
    assert_clear(err, "problem.data.seed" if "from_dict" in repr(call.__code__.co_names) else "seed",
                 "seed=0")


def test_parameter_typos_and_types_get_clear_messages():
    cases = [
        (lambda: load_dataset("blog", nn=3), ValueError, "parameters of dataset 'blog'", "Did you mean 'n'?"),
        (lambda: get_model("logistic", threshhold=0.3), ValueError, "parameters of model 'logistic'",
         "Did you mean 'threshold'?"),
        (lambda: get_model("logistic", threshold="high"), TypeError, "threshold", "plain number"),
        (lambda: get_model("capped_linear", cap="120"), TypeError, "cap", "plain number"),
        (lambda: get_objective({"name": "huber", "delta": "2"}), TypeError, "delta", ""),
        (lambda: get_objective({"name": "pinball", "quantile": "0.5"}), TypeError, "quantile", ""),
        (lambda: to.Problem.from_dict({"data": "blog", "objectives": ["mse", "l2"],
                                       "constraints": [{"name": "cap_max", "bound": "0"}]}),
         TypeError, "problem.constraints[0].bound", "plain number"),
        (lambda: to.Problem.from_dict({"data": "blog", "objectives": ["mse", "l2"],
                                       "bounds": {"lower": [0, 0]}}), ValueError, "problem.bounds",
         "Give both"),
        (lambda: to.Problem.from_dict({"data": "blog", "objectives": ["mse", "l2"],
                                       "bounds": {"lower": [0, 0, 0], "upper": 1}}), ValueError,
         "problem.bounds.lower", ""),
        (lambda: to.Problem.from_dict({"data": "blog", "objectives": ["mse", "l2"],
                                       "model": {"name": "logistic", "treshold": 0.2}}), ValueError,
         "problem.model.treshold", "Did you mean 'threshold'?"),
    ]
    for call, exc, field, fix in cases:
        tried(9, "params", field, fix)
        with pytest.raises(exc) as err:
            call()
        if fix:
            assert_clear(err, field, fix)
        else:
            assert f"`{field}`" in str(err.value)
