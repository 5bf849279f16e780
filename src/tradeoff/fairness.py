"""Group-fairness metrics, with fairlearn's definitions and signatures, vectorised over K models.

Every metric compares groups defined by ``sensitive_features`` (one column of any labels, or
several columns whose distinct row-combinations form intersectional groups; see `encode_groups`).
Predictions ``y_pred`` of shape (n,) give a float; of shape (n, K) — K candidate models — they
give K values, computed together from one weighted ``np.bincount`` per rate.

With per-group weighted rates r_g (K values each) and the overall rate r:

* difference, ``method="between_groups"``: max_g r_g − min_g r_g;
  ``method="to_overall"``: max_g |r_g − r|.
* ratio, ``method="between_groups"``: min_g r_g / max_g r_g;
  ``method="to_overall"``: min_g min(r_g / r, r / r_g).  0/0 is NaN, as in fairlearn.

Classification rates: selection rate P(ŷ=1 | A=g) (demographic parity), true positive rate
P(ŷ=1 | Y=1, A=g) (equal opportunity), and TPR with false positive rate P(ŷ=1 | Y=0, A=g)
(equalized odds). Regression metrics (not in fairlearn) use the group means of a pointwise loss
from `tradeoff.losses` or of the predictions themselves.

fairlearn is not needed; the test-suite checks these against ``fairlearn.metrics`` to 1e-12.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass
from typing import Callable

import numpy as np
import pandas as pd

from ._validation import check_choice, check_finite_array, check_sample_weight, fail
from .losses import LOSSES, Loss, get_loss

METHODS = ("between_groups", "to_overall")
AGGS = ("worst_case", "mean")
_POS_WEIGHT = "positive (in total) for the rows"

__all__ = [
    "encode_groups",
    "by_group",
    "GroupMetric",
    "GROUP_METRICS",
    "demographic_parity_difference",
    "demographic_parity_ratio",
    "equalized_odds_difference",
    "equalized_odds_ratio",
    "equal_opportunity_difference",
    "equal_opportunity_ratio",
    "bounded_group_loss",
    "group_loss_gap",
    "mean_prediction_gap",
]


# ----------------------------------------------------------------------------- groups


def _columns(sensitive_features) -> tuple[list, list[str]]:
    """Split the input into 1-D columns (kept as pandas/numpy so sorting stays native)."""
    if isinstance(sensitive_features, pd.DataFrame):
        return ([sensitive_features[c] for c in sensitive_features.columns],
                [str(c) for c in sensitive_features.columns])
    if isinstance(sensitive_features, pd.Series):
        name = sensitive_features.name
        return [sensitive_features], [str(name) if name is not None else "sensitive_feature_0"]
    if isinstance(sensitive_features, dict):
        return list(sensitive_features.values()), [str(k) for k in sensitive_features]
    if sensitive_features is None:
        fail("sensitive_features", "an array of group labels, one per row", None,
             "Pass e.g. sensitive_features=df['sex'].")
    arr = np.asarray(sensitive_features)
    if arr.ndim == 1:  # unnamed columns are named as fairlearn names them
        return [arr], ["sensitive_feature_0"]
    if arr.ndim == 2:
        return [arr[:, j] for j in range(arr.shape[1])], \
            [f"sensitive_feature_{j}" for j in range(arr.shape[1])]
    fail("sensitive_features", "a 1-D array or a 2-D array / DataFrame of columns",
         f"shape {arr.shape}")


def _factorize(col, name: str) -> tuple[np.ndarray, list]:
    """Codes 0..m-1 in sorted label order (numbers numerically, strings lexically)."""
    missing = np.asarray(pd.isna(col), dtype=bool)
    if missing.any():
        rows = np.nonzero(missing)[0]
        fail("sensitive_features", "free of missing values",
             f"{missing.sum()} missing in column {name!r} (rows {rows[:5].tolist()})",
             "Drop those rows or give them an explicit label such as 'unknown'.")
    try:
        codes, uniques = pd.factorize(col, sort=True)
    except TypeError:
        # mixed label types cannot be compared; order them by their text instead
        codes, uniques = pd.factorize(col, sort=False)
        order = sorted(range(len(uniques)), key=lambda i: str(uniques[i]))
        remap = np.empty(len(order), dtype=np.int64)
        remap[order] = np.arange(len(order))
        codes, uniques = remap[codes], [uniques[i] for i in order]
    return np.asarray(codes, dtype=np.int64), list(uniques)


def _encode(sensitive_features) -> tuple[np.ndarray, tuple[str, ...], list[str], list]:
    """Group codes (n,), group names, column names and each group's labels (one per column)."""
    cols, col_names = _columns(sensitive_features)
    if not cols or len(cols[0]) == 0:
        fail("sensitive_features", "non-empty", "no rows or no columns")
    lengths = {len(c) for c in cols}
    if len(lengths) > 1:
        fail("sensitive_features", "columns of one length", f"lengths {sorted(lengths)}")
    parts = [_factorize(c, nm) for c, nm in zip(cols, col_names)]
    if len(parts) == 1:
        codes, uniques = parts[0]
        keys = [(u,) for u in uniques]
    else:
        # rows of per-column codes, sorted lexicographically: the order of fairlearn's MultiIndex
        stacked = np.column_stack([p[0] for p in parts])
        combos, codes = np.unique(stacked, axis=0, return_inverse=True)
        codes = np.asarray(codes).ravel().astype(np.int64)
        keys = [tuple(parts[j][1][k] for j, k in enumerate(row)) for row in combos]
    names = [", ".join(str(v) for v in key) for key in keys]
    if len(set(names)) < len(names):  # e.g. labels 1 and "1": keep them apart
        names = [f"{n} [{i}]" for i, n in enumerate(names)]
    return codes, tuple(names), col_names, keys


def encode_groups(sensitive_features) -> tuple[np.ndarray, tuple[str, ...]]:
    """Integer group codes (n,) and one name per group.

    ``sensitive_features`` is one column of labels (strings, numbers, bools, categoricals) or
    several columns (2-D array, DataFrame, dict of columns); then each distinct combination of
    labels in a row is one intersectional group, named like ``"female, black"``. Groups are
    numbered in sorted label order (lexicographic over columns), the order fairlearn uses.
    Missing labels (None, NaN) raise a ValueError.
    """
    codes, names, _, _ = _encode(sensitive_features)
    return codes, names


# ----------------------------------------------------------------------------- inputs


@dataclass
class _Inputs:
    y: np.ndarray | None  # (n,)
    P: np.ndarray  # (n, K)
    single: bool
    codes: np.ndarray  # (n,)
    names: tuple[str, ...]
    w: np.ndarray  # (n,), ones when no weights were given
    weighted: bool

    @property
    def G(self) -> int:
        return len(self.names)


def _binary(name: str, a: np.ndarray) -> np.ndarray:
    """Labels in {0, 1} (or {-1, 1}, as fairlearn allows) as floats 0/1."""
    vals = np.unique(a)
    if np.isin(vals, (0.0, 1.0)).all():
        return a
    if np.isin(vals, (-1.0, 1.0)).all():
        return (a == 1.0).astype(float)
    fail(name, "binary labels (0/1)", f"values {vals[:6].tolist()}",
         "Threshold scores first, e.g. (scores >= 0.5).astype(int), or use a regression metric "
         "such as mean_prediction_gap.")


def _prepare(y_true, y_pred, sensitive_features, sample_weight, *, binary_true=False,
             binary_pred=False, need_true=True) -> _Inputs:
    P = check_finite_array("y_pred", y_pred, ndim=(1, 2))
    single = P.ndim == 1
    if single:
        P = P[:, None]
    if P.shape[1] == 0:
        fail("y_pred", "of shape (n,) or (n, K) with K ≥ 1", f"shape {P.shape}")
    n = P.shape[0]
    y = None
    if need_true:
        y = check_finite_array("y_true", y_true, ndim=(1,))
        if y.shape[0] != n:
            fail("y_pred", f"of length {y.shape[0]} (one row per y_true)", f"shape {P.shape}")
    elif y_true is not None and len(y_true) != n:
        # ignored by the metric, but a wrong length signals mismatched inputs
        fail("y_pred", f"of length {len(y_true)} (one row per y_true)", f"shape {P.shape}")
    if binary_true:
        y = _binary("y_true", y)
    if binary_pred:
        P = _binary("y_pred", P)

    codes, names, _, _ = _encode(sensitive_features)
    if codes.shape[0] != n:
        fail("sensitive_features", f"of length {n} (one label per row of y_pred)",
             f"length {codes.shape[0]}")
    if len(names) < 2:
        fail("sensitive_features", "at least two groups to compare",
             f"only one group {names[0]!r}",
             "Check that the column holds the attribute you meant, or that no filter removed "
             "the other groups.")

    weighted = sample_weight is not None
    if weighted:
        w = check_sample_weight(sample_weight, n)
    else:
        w = np.ones(n)
    return _Inputs(y, P, single, codes, names, w, weighted)


def _check_mass(d: _Inputs, mass: np.ndarray, expectation: str, name: str):
    """Every group needs positive weight in the rows a rate conditions on."""
    empty = np.nonzero(mass <= 0)[0]
    if empty.size:
        group = d.names[empty[0]]
        others = f" (and {empty.size - 1} more)" if empty.size > 1 else ""
        extra = " (counting rows of positive weight)" if d.weighted and name == "y_true" else ""
        got = "none" if name == "y_true" else "total weight 0"
        fail(name, f"{expectation} of every group{extra}", f"{got} in group {group!r}{others}",
             "The rate is undefined there: merge small groups, drop that group, or use a "
             "metric that does not condition on y_true (e.g. demographic parity).")


# ----------------------------------------------------------------------------- group rates


def _group_sums(V: np.ndarray, codes: np.ndarray, G: int) -> np.ndarray:
    """Σ_{i∈g} V[i, k] as a (G, K) array: one bincount over group×column indices."""
    K = V.shape[1]
    idx = codes[:, None] + G * np.arange(K)
    return np.bincount(idx.ravel(), weights=V.ravel(), minlength=G * K).reshape(K, G).T


def _rates(d: _Inputs, V: np.ndarray, weight: np.ndarray, expectation: str, name: str):
    """Weighted group means (G, K) and the overall mean (K,) of V (n, K) under ``weight`` (n,)."""
    den = np.bincount(d.codes, weights=weight, minlength=d.G)
    _check_mass(d, den, expectation, name)
    num = _group_sums(V * weight[:, None], d.codes, d.G)
    return num / den[:, None], num.sum(axis=0) / den.sum()


def _nan_reduce(fn, a, axis=0):
    # pandas' skipna semantics: ignore NaN, all-NaN gives NaN, without numpy's warning
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        return fn(a, axis=axis)


def _difference(rates: np.ndarray, overall: np.ndarray, method: str) -> np.ndarray:
    if method == "between_groups":
        return _nan_reduce(np.nanmax, rates) - _nan_reduce(np.nanmin, rates)
    return _nan_reduce(np.nanmax, np.abs(rates - overall))


def _ratio(rates: np.ndarray, overall: np.ndarray, method: str) -> np.ndarray:
    with np.errstate(divide="ignore", invalid="ignore"):
        if method == "between_groups":
            return _nan_reduce(np.nanmin, rates) / _nan_reduce(np.nanmax, rates)
        r = rates / overall
        r = np.where(r > 1, 1.0 / r, r)
    return _nan_reduce(np.nanmin, r)


def _out(d: _Inputs, values: np.ndarray):
    values = np.asarray(values, dtype=float)
    return float(values[0]) if d.single else values


def _selection(d: _Inputs):
    return _rates(d, d.P, d.w, _POS_WEIGHT, "sample_weight")


def _tpr(d: _Inputs):
    return _rates(d, d.P, d.w * d.y, "1 (positive) in at least one row", "y_true")


def _fpr(d: _Inputs):
    return _rates(d, d.P, d.w * (1.0 - d.y), "0 (negative) in at least one row", "y_true")


# ----------------------------------------------------------------------------- classification


def demographic_parity_difference(y_true, y_pred, *, sensitive_features,
                                  method="between_groups", sample_weight=None):
    """Largest gap in selection rate P(ŷ=1 | A=g) between groups (or to the overall rate).

    ``y_true`` is ignored (kept for fairlearn's signature; may be None). ``y_pred`` (n,) or (n, K)
    binary; returns a float or K values. 0 means equal selection rates.
    """
    check_choice("method", method, METHODS)
    d = _prepare(y_true, y_pred, sensitive_features, sample_weight, binary_pred=True,
                 need_true=False)
    return _out(d, _difference(*_selection(d), method))


def demographic_parity_ratio(y_true, y_pred, *, sensitive_features,
                             method="between_groups", sample_weight=None):
    """Smallest ratio of selection rates, min_g r_g / max_g r_g (or to overall); 1 is parity."""
    check_choice("method", method, METHODS)
    d = _prepare(y_true, y_pred, sensitive_features, sample_weight, binary_pred=True,
                 need_true=False)
    return _out(d, _ratio(*_selection(d), method))


def _eo_parts(y_true, y_pred, sensitive_features, method, sample_weight, agg):
    check_choice("method", method, METHODS)
    check_choice("agg", agg, AGGS)
    d = _prepare(y_true, y_pred, sensitive_features, sample_weight, binary_true=True,
                 binary_pred=True)
    return d, _tpr(d), _fpr(d)


def _pair_mean(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    return _nan_reduce(np.nanmean, np.stack([a, b]))


def equalized_odds_difference(y_true, y_pred, *, sensitive_features, method="between_groups",
                              sample_weight=None, agg="worst_case"):
    """Equalized-odds difference: the TPR and FPR differences, combined by ``agg``.

    ``agg="worst_case"``: the larger of the two; ``agg="mean"``: their mean. Every group needs at
    least one positive and one negative in ``y_true``.
    """
    d, tpr, fpr = _eo_parts(y_true, y_pred, sensitive_features, method, sample_weight, agg)
    a, b = _difference(*tpr, method), _difference(*fpr, method)
    # Python's max([tpr, fpr]) as fairlearn takes it (keeps tpr unless fpr is strictly larger)
    out = np.where(b > a, b, a) if agg == "worst_case" else _pair_mean(a, b)
    return _out(d, out)


def equalized_odds_ratio(y_true, y_pred, *, sensitive_features, method="between_groups",
                         sample_weight=None, agg="worst_case"):
    """Equalized-odds ratio: the TPR and FPR ratios, the smaller (``worst_case``) or their mean.

    A ratio is NaN where every group's rate is 0 (0/0), as in fairlearn; ``worst_case`` then
    follows fairlearn's ``min([tpr, fpr])``, which keeps the TPR ratio unless FPR's is smaller.
    """
    d, tpr, fpr = _eo_parts(y_true, y_pred, sensitive_features, method, sample_weight, agg)
    a, b = _ratio(*tpr, method), _ratio(*fpr, method)
    out = np.where(b < a, b, a) if agg == "worst_case" else _pair_mean(a, b)
    return _out(d, out)


def equal_opportunity_difference(y_true, y_pred, *, sensitive_features,
                                 method="between_groups", sample_weight=None):
    """Largest gap in true positive rate P(ŷ=1 | Y=1, A=g); every group needs a positive."""
    check_choice("method", method, METHODS)
    d = _prepare(y_true, y_pred, sensitive_features, sample_weight, binary_true=True,
                 binary_pred=True)
    return _out(d, _difference(*_tpr(d), method))


def equal_opportunity_ratio(y_true, y_pred, *, sensitive_features, method="between_groups",
                            sample_weight=None):
    """Smallest ratio of true positive rates between groups (or to overall); 1 is parity."""
    check_choice("method", method, METHODS)
    d = _prepare(y_true, y_pred, sensitive_features, sample_weight, binary_true=True,
                 binary_pred=True)
    return _out(d, _ratio(*_tpr(d), method))


# ----------------------------------------------------------------------------- regression


def _group_loss(y_true, y_pred, sensitive_features, loss, sample_weight):
    lo = loss if isinstance(loss, Loss) else get_loss(loss)
    d = _prepare(y_true, y_pred, sensitive_features, sample_weight)
    lo.check(d.y, d.P)  # e.g. log_loss: labels 0/1 and probabilities
    L = lo.value(d.y[:, None], d.P)  # (n, K)
    return d, _rates(d, L, d.w, _POS_WEIGHT, "sample_weight")


def bounded_group_loss(y_true, y_pred, *, sensitive_features, loss="mse", sample_weight=None):
    """Worst group's mean loss, max_g Σ_{i∈g} w_i ℓ(y_i, ŷ_i) / Σ_{i∈g} w_i.

    ``loss`` is a name from `tradeoff.losses.LOSSES` or a `Loss` (e.g. ``get_loss("huber",
    delta=2)``). ``y_pred`` (n,) or (n, K); returns a float or K values.
    """
    d, (rates, _) = _group_loss(y_true, y_pred, sensitive_features, loss, sample_weight)
    return _out(d, rates.max(axis=0))


def group_loss_gap(y_true, y_pred, *, sensitive_features, loss="mse", method="between_groups",
                   sample_weight=None):
    """Largest minus smallest group mean loss (``to_overall``: max_g |L_g − L|)."""
    check_choice("method", method, METHODS)
    d, (rates, overall) = _group_loss(y_true, y_pred, sensitive_features, loss, sample_weight)
    return _out(d, _difference(rates, overall, method))


def mean_prediction_gap(y_true, y_pred, *, sensitive_features, method="between_groups",
                        sample_weight=None):
    """Largest minus smallest group mean prediction, max_g ȳ̂_g − min_g ȳ̂_g.

    The regression analogue of demographic parity (fairlearn's ``mean_prediction`` in a
    MetricFrame, ``.difference()``). ``y_true`` is ignored and may be None.
    """
    check_choice("method", method, METHODS)
    d = _prepare(y_true, y_pred, sensitive_features, sample_weight, need_true=False)
    return _out(d, _difference(*_selection(d), method))


# ----------------------------------------------------------------------------- any metric


@dataclass(frozen=True)
class GroupMetric:
    """Metrics evaluated on every group and overall, like fairlearn's MetricFrame.

    One metric: ``by_group`` is a Series indexed by group (a DataFrame with one column per model
    when the metric returns K values) and ``overall`` a float (K values). A dict of metrics:
    ``by_group`` is a DataFrame with one column per metric, ``overall`` a Series, and the
    summaries below give a Series per metric. Several sensitive columns give a MultiIndex with
    one level per column (fairlearn's level names); groups without rows are left out (fairlearn
    lists them as NaN).
    """

    by_group: pd.Series | pd.DataFrame
    overall: float | np.ndarray | pd.Series

    def _matrix(self):
        vals = np.asarray(self.by_group, dtype=float)
        return vals[:, None] if vals.ndim == 1 else vals, np.atleast_1d(
            np.asarray(self.overall, dtype=float))

    def _scalar(self, v):
        if isinstance(self.overall, pd.Series):  # a dict of metrics: one value per metric
            return pd.Series(np.asarray(v, dtype=float), index=self.overall.index)
        return float(v[0]) if isinstance(self.by_group, pd.Series) else v

    def group_min(self):
        """Smallest group value (NaN ignored)."""
        return self._scalar(_nan_reduce(np.nanmin, self._matrix()[0]))

    def group_max(self):
        """Largest group value (NaN ignored)."""
        return self._scalar(_nan_reduce(np.nanmax, self._matrix()[0]))

    def difference(self, method="between_groups"):
        """max − min over groups, or ``to_overall`` max_g |m_g − m|."""
        check_choice("method", method, METHODS)
        return self._scalar(_difference(*self._matrix(), method))

    def ratio(self, method="between_groups"):
        """min / max over groups, or ``to_overall`` min_g min(m_g/m, m/m_g)."""
        check_choice("method", method, METHODS)
        return self._scalar(_ratio(*self._matrix(), method))


def _as_array(name: str, a, n: int | None = None) -> np.ndarray:
    arr = np.asarray(a)
    if arr.ndim == 0 or arr.shape[0] == 0:
        fail(name, "a non-empty array with one entry per row", f"shape {arr.shape}")
    if arr.dtype.kind in "biuf":
        if not np.isfinite(arr.astype(float)).all():
            check_finite_array(name, arr, ndim=(arr.ndim,))
    else:
        bad = np.asarray(pd.isna(arr), dtype=bool)
        if bad.any():
            fail(name, "free of missing values", f"{bad.sum()} missing",
                 "Drop or impute those rows first.")
    if n is not None and arr.shape[0] != n:
        fail(name, f"of length {n} (one per row of y_true)", f"length {arr.shape[0]}")
    return arr


# -- metrics by name: fairlearn's rates and the mean of every loss in tradeoff.losses ----------------
def _mean(values, sample_weight=None):
    return float(np.average(values, weights=sample_weight))


def _rate(cond_true, pred_value):
    """P(ŷ = pred_value | y = cond_true), weighted; NaN where no row has y = cond_true."""
    def rate(y_true, y_pred, sample_weight=None):
        w = np.ones(len(y_true)) if sample_weight is None else np.asarray(sample_weight, float)
        on = np.asarray(y_true) == cond_true
        den = w[on].sum()
        return float((w[on] * (np.asarray(y_pred)[on] == pred_value)).sum() / den) if den > 0 \
            else float("nan")
    return rate


def _loss_metric(name):
    def metric(y_true, y_pred, sample_weight=None):
        return float(get_loss(name)(y_true, y_pred, sample_weight))
    metric.__name__ = name
    return metric


GROUP_METRICS: dict[str, Callable] = {
    "count": lambda y_true, y_pred, sample_weight=None: float(len(y_true)),  # rows, as fairlearn
    "selection_rate": lambda y_true, y_pred, sample_weight=None: _mean(
        np.asarray(y_pred) == 1, sample_weight),
    "mean_prediction": lambda y_true, y_pred, sample_weight=None: _mean(y_pred, sample_weight),
    "accuracy": lambda y_true, y_pred, sample_weight=None: _mean(
        np.asarray(y_true) == np.asarray(y_pred), sample_weight),
    "true_positive_rate": _rate(1, 1),
    "false_negative_rate": _rate(1, 0),
    "false_positive_rate": _rate(0, 1),
    "true_negative_rate": _rate(0, 0),
    **{name: _loss_metric(name) for name in LOSSES},
}
"""Metrics ``by_group`` takes by name: each ``f(y_true, y_pred, sample_weight=None) -> float``,
weighted like fairlearn's functions of the same name (``count`` ignores weights, as there); the
rates treat 1 as the positive label; a loss name is its weighted mean loss."""


def _metric(name: str, metric) -> Callable:
    if isinstance(metric, str):
        check_choice(name, metric, GROUP_METRICS)
        return GROUP_METRICS[metric]
    if not callable(metric):
        fail(name, "a callable metric(y_true, y_pred) or a metric name "
             f"({', '.join(GROUP_METRICS)})", type(metric).__name__, exc=TypeError)
    return metric


def _params(name: str, params, n: int) -> dict[str, np.ndarray]:
    """One metric's sample parameters: a dict of per-row arrays, each of length n."""
    if params is None:
        return {}
    if not isinstance(params, dict):
        fail(name, "a dict of per-row arrays, e.g. {'sample_weight': w}", type(params).__name__,
             exc=TypeError)
    out = {}
    for key, values in params.items():
        arr = np.asarray(values)
        if arr.ndim == 0 or arr.shape[0] != n:
            fail(f"{name}[{key!r}]", f"an array of length {n} (one entry per row of y_true)",
                 f"shape {arr.shape}", "Give every row its value, in the order of y_true.")
        out[str(key)] = arr
    return out


def by_group(metric, y_true, y_pred, *, sensitive_features, sample_weight=None,
             sample_params=None) -> GroupMetric:
    """Evaluate metrics on each group and overall, like fairlearn's ``MetricFrame``.

    ``metric`` is a callable ``metric(y_true, y_pred, **params)`` (scikit-learn's, fairlearn's,
    `tradeoff.losses`'), a name from `GROUP_METRICS`, or a dict of them (name → metric) for a
    table with one column per metric. ``sample_params`` holds per-row arrays passed by keyword:
    for one metric ``{"sample_weight": w}``, for a dict ``{name: {"sample_weight": w}}`` (metrics
    left out get none). ``sample_weight`` passes ``w`` to every metric. Returns a `GroupMetric`
    with ``.by_group``, ``.overall``, ``.difference(method)`` and ``.ratio(method)``.
    """
    many = isinstance(metric, dict)
    if many:
        if not metric:
            fail("metric", "a non-empty dict of metrics (name → callable or metric name)", {})
        metrics = {str(k): _metric(f"metric[{k!r}]", m) for k, m in metric.items()}
    else:
        metrics = {_label(metric): _metric("metric", metric)}
    yt = _as_array("y_true", y_true)
    n = yt.shape[0]
    yp = _as_array("y_pred", y_pred, n)
    if sample_params is not None and not isinstance(sample_params, dict):
        fail("sample_params", "a dict" + (" of dicts, one per metric name" if many else
                                          " of per-row arrays, e.g. {'sample_weight': w}"),
             type(sample_params).__name__, exc=TypeError)
    if many:
        unknown = [k for k in (sample_params or {}) if str(k) not in metrics]
        if unknown:
            fail("sample_params", f"keyed by the metrics' names ({', '.join(metrics)})",
                 unknown[0], "Give each metric's parameters under its own name.")
        params = {k: _params(f"sample_params[{k!r}]", (sample_params or {}).get(k), n)
                  for k in metrics}
    else:
        one = _params("sample_params", sample_params, n)
        params = {k: one for k in metrics}
    if sample_weight is not None:
        w = check_sample_weight(sample_weight, n)
        for k, p in params.items():
            if "sample_weight" in p:
                fail("sample_weight", "given once", "both sample_weight and "
                     f"sample_params{'[' + repr(k) + ']' if many else ''}['sample_weight']",
                     "Pass the weights in one place.")
            params[k] = {**p, "sample_weight": w}
    codes, names, col_names, keys = _encode(sensitive_features)
    if codes.shape[0] != n:
        fail("sensitive_features", f"of length {n} (one label per row of y_true)",
             f"length {codes.shape[0]}")
    if len(names) < 2:
        fail("sensitive_features", "at least two groups to compare",
             f"only one group {names[0]!r}")
    if len(col_names) > 1:
        index = pd.MultiIndex.from_tuples(keys, names=col_names)
    else:
        index = pd.Index([k[0] for k in keys], name=col_names[0])

    def call(fn, p, mask):
        if mask is None:
            return np.asarray(fn(yt, yp, **p), dtype=float)
        return np.asarray(fn(yt[mask], yp[mask], **{k: v[mask] for k, v in p.items()}),
                          dtype=float)

    # a loop over the (few) groups: an arbitrary metric cannot be vectorised across them
    masks = [codes == g for g in range(len(names))]
    columns, overall = {}, {}
    for k, fn in metrics.items():
        columns[k] = [call(fn, params[k], m) for m in masks]
        overall[k] = call(fn, params[k], None)
        if many and overall[k].ndim:
            fail(f"metric[{k!r}]", "a metric that returns one number (in a dict of metrics)",
                 f"values of shape {overall[k].shape}",
                 "Call by_group with that metric alone to get one column per model.")
    if many:
        frame = pd.DataFrame({k: [float(v) for v in vals] for k, vals in columns.items()},
                             index=index)
        return GroupMetric(frame, pd.Series({k: float(v) for k, v in overall.items()}))
    (k, values), = columns.items()
    if overall[k].ndim == 0:
        return GroupMetric(pd.Series([float(v) for v in values], index=index, name=k),
                           float(overall[k]))
    return GroupMetric(pd.DataFrame(np.stack(values), index=index), overall[k])


def _label(metric) -> str | None:
    return metric if isinstance(metric, str) else getattr(metric, "__name__", None)
