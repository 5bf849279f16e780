"""Statistics across seeds: bootstrap intervals of a mean, paired Wilcoxon tests with Holm's
correction, and which solvers are deterministic (the same result for every seed).

Every random thing here is seeded, so a report is the same text each time it is written.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

CONFIDENCE = 0.95
RESAMPLES = 9999
ALPHA = 0.05
# what makes two runs of one solver setting "the same result": these columns agree to 12 digits
SAME_RESULT = ("hv_ratio", "igd_plus", "n_points", "n_feasible")


def bootstrap_ci(values, *, confidence: float = CONFIDENCE, seed: int = 0) -> tuple[float, float]:
    """Percentile bootstrap interval of the mean of ``values`` (scipy.stats.bootstrap).

    (nan, nan) for fewer than 2 finite values; (v, v) when all are equal. The percentile method,
    not BCa: BCa's jackknife is undefined for a handful of seeds with ties."""
    from scipy import stats

    x = np.asarray(values, float)
    x = x[np.isfinite(x)]
    if len(x) < 2:
        return math.nan, math.nan
    if np.all(x == x[0]):
        return float(x[0]), float(x[0])
    res = stats.bootstrap((x,), np.mean, confidence_level=confidence, n_resamples=RESAMPLES,
                          method="percentile", vectorized=True,
                          random_state=np.random.default_rng(seed))
    lo, hi = res.confidence_interval
    return float(lo), float(hi)


def holm(p) -> np.ndarray:
    """Holm's step-down adjustment of p-values (controls the family-wise error rate); NaN stays."""
    p = np.asarray(p, float)
    out = np.full_like(p, np.nan)
    ok = np.flatnonzero(np.isfinite(p))
    if not len(ok):
        return out
    order = ok[np.argsort(p[ok], kind="stable")]
    m = len(order)
    adjusted = np.minimum(1.0, np.maximum.accumulate((m - np.arange(m)) * p[order]))
    out[order] = adjusted
    return out


def smallest_p(n: int) -> float:
    """The smallest two-sided p-value an exact Wilcoxon signed-rank test of n pairs can give."""
    return min(1.0, 2.0 / 2.0 ** n) if n > 0 else 1.0


def deterministic(group: pd.DataFrame) -> bool:
    """Whether every finished seed of one solver setting gave the same result (≥ 2 seeds)."""
    ok = group[group["status"] == "ok"]
    if len(ok) < 2 or ok["seed"].nunique() < 2:
        return False
    for col in SAME_RESULT:
        if col not in ok:
            continue
        v = pd.to_numeric(ok[col], errors="coerce").astype(float).to_numpy()
        if np.isnan(v).all():
            continue
        if np.isnan(v).any() or not np.allclose(v, v[0], rtol=1e-12, atol=0.0, equal_nan=False):
            if not (np.isinf(v).all() and (v == v[0]).all()):
                return False
    return True


def wilcoxon(x, y) -> tuple[float, float]:
    """Two-sided Wilcoxon signed-rank test of paired samples: (statistic, p). p = 1 when all
    differences are zero (no evidence of any difference); NaN for fewer than 2 pairs."""
    from scipy import stats

    d = np.asarray(x, float) - np.asarray(y, float)
    d = d[np.isfinite(d)]
    if len(d) < 2:
        return math.nan, math.nan
    if np.all(d == 0):
        return 0.0, 1.0
    res = stats.wilcoxon(d, alternative="two-sided", zero_method="wilcox")
    return float(res.statistic), float(res.pvalue)


def pairwise(runs: pd.DataFrame, settings: list[str], metric: str = "hv_ratio") -> pd.DataFrame:
    """Every pair of solver labels of each problem at each grid setting, over the seeds both ran.

    A label without a value of a setting (a solver that takes no budget) joins the comparisons at
    every value. Columns: problem, the settings, a, b, n (paired seeds), mean_diff (a − b), p,
    p_holm (Holm over the pairs of one problem and setting), significant, exact (both
    deterministic: the difference is the same for every seed, no test needed)."""
    ok = runs[(runs["status"] == "ok") & (runs["solver"] != "exact")]
    rows = []
    for problem, sub in ok.groupby("problem", sort=False):
        if settings:
            values = sub[settings].drop_duplicates()
            values = values[values.notna().all(axis=1)] if len(settings) else values
            keys = [tuple(v) for v in values.itertuples(index=False)] or [tuple([math.nan] * len(settings))]
        else:
            keys = [()]
        for key in keys:
            mask = np.ones(len(sub), bool)
            for col, val in zip(settings, key):
                mask &= (sub[col].isna() | (sub[col] == val)).to_numpy()
            at = sub[mask]
            labels = list(at["label"].drop_duplicates())
            det = {lb: deterministic(at[at["label"] == lb]) for lb in labels}
            by = {lb: at[at["label"] == lb].set_index("seed")[metric].astype(float) for lb in labels}
            family = []
            for i, a in enumerate(labels):
                for b in labels[i + 1:]:
                    seeds = by[a].index.intersection(by[b].index)
                    xa, xb = by[a].loc[seeds].to_numpy(), by[b].loc[seeds].to_numpy()
                    stat, p = wilcoxon(xa, xb)
                    diff = xa - xb
                    row = dict(zip(settings, key))
                    row.update(problem=problem, a=a, b=b, n=len(seeds),
                               mean_diff=float(np.nanmean(diff)) if len(diff) else math.nan,
                               statistic=stat, p=p, exact=det[a] and det[b])
                    family.append(row)
            adjusted = holm([r["p"] for r in family])
            for r, q in zip(family, adjusted):
                r["p_holm"] = q
                r["significant"] = bool(np.isfinite(q) and q < ALPHA)
            rows += family
    cols = ["problem"] + list(settings) + ["a", "b", "n", "mean_diff", "statistic", "p", "p_holm",
                                           "significant", "exact"]
    return pd.DataFrame(rows, columns=cols)
