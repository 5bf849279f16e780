"""A front's points scored on any data: ``evaluate(front, data, n_boot=0, seed=0, alpha=0.05)``.

One row per point: every objective (and every constraint's objective), every exact metric
(``<objective>:exact``) and, with constraints, feasibility on ``data``. All points are scored at
once: one ``Problem`` built from ``data`` and the front's model, objectives and constraints, one
``evaluate`` call on all parameter vectors.

**Randomised points** (fairlearn's ExponentiatedGradient, ``front.extra["mixtures"]``) are scored as
the mixture, the way ``solvers.fairlearn_baselines`` scores them: objectives as the expected values
Σⱼ wⱼ f(θⱼ), and exact fairness metrics of the randomised classifier from its expected predictions
Σⱼ wⱼ ŷⱼ (class labels for a classifier), which group rates and group means are linear in. Any
other exact metric (a user's own ``exact``) is the mixture's expectation Σⱼ wⱼ metric(θⱼ) when one
model is drawn for the whole data, as the objectives are.

**Intervals.** With ``n_boot`` = B > 0 each value gets a percentile bootstrap interval
``<name>:lo``, ``<name>:hi`` (the α/2 and 1 − α/2 quantiles of B replicates), the way fairlearn's
``MetricFrame(n_boot=..., ci_quantiles=...)`` does it: each replicate resamples n rows of ``data``
with replacement (uniformly, not stratified) and recomputes every value for every point from the
predictions already made (one prediction pass; a replicate costs one pass over the rows it drew,
weighted by how often each was drawn — the same values as repeating them — for all points
together: about 0.1 s for 30,000 rows and 30 points). Replicates are drawn from ``numpy.random.default_rng(seed)``: the same seed gives
the same intervals. A replicate in which a group has no rows gives NaN for a gap that needs it, and
NaN then propagates to the interval, as in fairlearn.

An interval always contains its estimate: where the estimate falls outside the percentile interval
it is widened to reach it (``lo = min(lo, estimate)``, ``hi = max(hi, estimate)``). This happens at
a bound: a gap of exactly 0 on ``data`` is above 0 in almost every resample (resampling noise only
adds to a gap), so its percentile interval, e.g. [0.0008, 0.049], would exclude the 0 it is about.
The frame says so: ``frame.attrs["interval_method"]`` names the method and
``frame.attrs["widened"]`` maps each value's name to the points whose interval was widened.
"""

from __future__ import annotations

import numbers

import numpy as np
import pandas as pd

from ._validation import check_positive, fail
from .datasets import Dataset
from .front import front_verb, require_context
from .models import n_features

INTERVAL_METHOD = ("percentile bootstrap, widened to include the estimate where it falls outside "
                   "(a statistic at its bound, e.g. a gap of 0)")

# exact metrics of a randomised predictor: which label cells each gap averages over
_MIXTURE_CELLS = {"mean_gap_sq": (None,), "demographic_parity_sq": (None,),
                  "equal_opportunity_sq": (1.0,), "equalized_odds_sq": (1.0, 0.0)}


def check_columns(front, data: Dataset) -> None:
    """The data's feature columns must be the front's, in the same order."""
    p = front.model.n_params(data.X.shape[1])
    if p != front.X.shape[1]:
        names = front.feature_names or ()
        want = len(names) or n_features(front.model, front.X.shape[1])
        fail("data", f"a dataset with the front's {want} feature "
             f"columns ({', '.join(names[:8])}{', …' if len(names) > 8 else ''})",
             f"{data.X.shape[1]} columns",
             "Encode new data with the training data's encoder (e.g. front.encoder.transform(df)).")
    names, given = tuple(front.feature_names or ()), tuple(data.feature_names)
    if names and given != names:
        generated = given == tuple(f"x{j}" for j in range(len(given))) or given == ("x",)
        if set(given) == set(names):
            fail("data.feature_names", "in the front's training order "
                 f"({', '.join(names[:8])})", f"the same columns in another order {given[:8]}",
                 "Reorder the columns (or build the data with the training encoder).")
        if not generated:
            missing = [c for c in names if c not in given]
            fail("data.feature_names", "the front's training feature names", list(given[:8]),
                 f"Missing: {missing[:5]}. Encode new data with the training data's encoder.")


def _check_seed(seed):
    if isinstance(seed, np.random.Generator):
        return seed
    if isinstance(seed, bool) or not isinstance(seed, numbers.Integral):
        fail("seed", "an integer or a numpy.random.Generator", seed, exc=TypeError)
    return np.random.default_rng(int(seed))


class _Layout:
    """The K_all parameter vectors to score (the front's X, then every mixture component) and how
    each point is read from them: the column of a deterministic point, or a mixture's columns and
    weights."""

    def __init__(self, front):
        k = len(front)
        thetas = [front.X]
        self.mixtures: dict[int, tuple[np.ndarray, np.ndarray]] = {}
        start = k
        for i in range(k):
            mix = front.mixture(i)
            if mix is not None:
                w, T = mix
                self.mixtures[i] = (np.arange(start, start + len(w)), w)
                thetas.append(T)
                start += len(w)
        self.Theta = np.vstack(thetas) if len(thetas) > 1 else front.X
        self.k = k
        # A (K_all, k): point values = V_all @ A, for values that are expectations over a mixture
        A = np.zeros((len(self.Theta), k))
        A[np.arange(k), np.arange(k)] = 1.0
        for i, (cols, w) in self.mixtures.items():
            A[i, i] = 0.0
            A[cols, i] = w
        self.A = A


def _prediction_values(objs, batch, P, fixed):
    """(K_all, r) values of objectives ``objs`` on ``batch`` from predictions P (n, K_all);
    parameter objectives come from ``fixed`` (they do not depend on rows)."""
    out = np.empty((P.shape[1], len(objs)))
    for j, obj in enumerate(objs):
        if obj.kind == "parameter":
            out[:, j] = fixed[j]
        else:
            out[:, j] = obj.evaluate(batch, P, False)[0]
    return out


def _hard(model, P):
    """What a randomised classifier draws per model: class labels; a regressor's predictions."""
    threshold = getattr(model, "threshold", None)
    return P if threshold is None else (P >= threshold).astype(float)


def _exact(objs, model, data: Dataset, P, layout: _Layout) -> dict[str, np.ndarray]:
    """Exact metrics (k,) per objective with an ``exact``: deterministic points from their own
    predictions, mixture points from the mixture's expected predictions."""
    from .fairness import mean_prediction_gap

    out = {}
    det = [i for i in range(layout.k) if i not in layout.mixtures]
    mix = sorted(layout.mixtures)
    soft = _hard(model, P) @ layout.A[:, mix] if mix else None  # (n, #mixtures)
    for obj in objs:
        if not hasattr(obj, "exact"):
            continue
        name = f"{obj.name}:exact"
        if name in out:
            continue
        vals = np.full(layout.k, np.nan)
        if det:
            vals[det] = np.asarray(obj.exact(data, model, P[:, det]), float)
        if mix:
            vals[mix] = _mixture_exact(obj, model, data, P, layout, mix, soft, mean_prediction_gap)
        out[name] = vals
    return out


def _mixture_exact(obj, model, data, P, layout, mix, soft, gap):
    w = data.sample_weight
    if obj.name in _MIXTURE_CELLS:
        vals = []
        for label in _MIXTURE_CELLS[obj.name]:
            r = slice(None) if label is None else data.y == label
            vals.append(np.atleast_1d(gap(None, soft[r], sensitive_features=data.groups[r],
                                          sample_weight=None if w is None else w[r])))
        return np.max(vals, axis=0)
    if obj.name == "group_loss_gap_sq":  # expected group losses are linear in the mixture too
        L = obj.loss.value(data.y[:, None], P) @ layout.A[:, mix]
        return np.atleast_1d(gap(None, L, sensitive_features=data.groups, sample_weight=w))
    # any other metric: the expectation over the mixture's models, as for the objectives
    return np.array([wts @ np.asarray(obj.exact(data, model, P[:, cols]), float)
                     for cols, wts in (layout.mixtures[i] for i in mix)])


def _point_values(problem, data, layout, P):
    """name → (k,) values on the full data: objectives, constraint objectives, exact metrics."""
    ev = problem.evaluate(layout.Theta, grad=False)
    values = {}
    for j, name in enumerate(problem.objective_names):
        values[name] = ev.F[:, j] @ layout.A
    for j, c in enumerate(problem.constraints):
        values.setdefault(c.objective.name, (ev.G[:, j] + c.bound) @ layout.A)
    objs = problem.objectives + tuple(c.objective for c in problem.constraints)
    values.update(_exact(objs, problem.model, data, P, layout))
    G = layout.A.T @ ev.G if problem.n_constraints else None
    return values, G


def _replicate(problem, data, layout, P, counts, fixed):
    """name → (k,) values on a bootstrap resample given as row counts (n,): the rows drawn at
    least once, weighted by how often (the same values as repeating them, with less work)."""
    from .objectives import Batch

    rows = np.flatnonzero(counts)
    w = data.sample_weight
    omega = counts[rows].astype(float) if w is None else counts[rows] * np.asarray(w, float)[rows]
    groups = None if data.groups is None else data.groups[rows]
    batch = Batch(data.X[rows], data.y[rows], groups, omega / omega.sum())
    Pb = P[rows]
    objs = problem.objectives + tuple(c.objective for c in problem.constraints)
    V = _prediction_values(objs, batch, Pb, fixed)  # (K_all, r)
    out = {}
    for j, obj in enumerate(objs):
        out.setdefault(obj.name, V[:, j] @ layout.A)
    sub = Dataset(batch.X, batch.y, name=data.name, feature_names=data.feature_names,
                  groups=groups, group_names=data.group_names, sample_weight=omega)
    out.update(_exact(objs, problem.model, sub, Pb, layout))
    return out


def evaluate(front, data: Dataset, *, n_boot: int = 0, seed=0, alpha: float = 0.05) -> pd.DataFrame:
    """Score every point of ``front`` on ``data``: a tidy DataFrame, one row per point (module doc).

    Columns: ``point``, each objective, each constraint's objective not already an objective,
    each exact metric ``<objective>:exact``, ``feasible`` (constraints measured on ``data``; only
    with constraints) and, with ``n_boot`` > 0, ``<name>:lo`` and ``<name>:hi`` after each value
    (percentile intervals widened to contain the estimate; ``frame.attrs["interval_method"]`` and
    ``frame.attrs["widened"]`` say so).
    """
    from .problem import Problem

    require_context(front, "evaluate a front on new data")
    if not isinstance(data, Dataset):
        fail("data", "a tradeoff Dataset", type(data).__name__, exc=TypeError)
    check_positive("n_boot", n_boot, integer=True, allow_zero=True)
    if isinstance(alpha, bool) or not isinstance(alpha, numbers.Real) or not 0 < alpha < 1:
        fail("alpha", "a number in (0, 1), e.g. 0.05 for 95 % intervals", alpha)
    rng = _check_seed(seed)
    check_columns(front, data)
    fit_inputs = getattr(front.model, "fit_inputs", None)
    if fit_inputs is not None and fit_inputs(data.X) is not front.model:
        # a scaling learned here would be the scored rows' (test rows), not the training rows'
        fail("front.model", "a model with its training rows' input scaling (input_mean and "
             "input_scale)", front.model.describe(),
             "Score a front from tradeoff.solve, whose model carries it, or give the model "
             "input_mean and input_scale (standardize=False for raw inputs).")
    problem = Problem(data, front.model, front.objectives, front.constraints or ())
    layout = _Layout(front)
    P = problem.model.forward(layout.Theta, data.X)[0] if len(layout.Theta) else np.zeros((data.n, 0))
    values, G = _point_values(problem, data, layout, P)
    frame = pd.DataFrame({"point": np.arange(layout.k)})
    if n_boot:
        objs = problem.objectives + tuple(c.objective for c in problem.constraints)
        fixed = [obj.evaluate_theta(layout.Theta, False)[0] if obj.kind == "parameter" else None
                 for obj in objs]
        reps = {name: np.empty((n_boot, layout.k)) for name in values}
        n = data.n
        for b in range(n_boot):
            counts = np.bincount(rng.integers(0, n, n), minlength=n)
            for name, v in _replicate(problem, data, layout, P, counts, fixed).items():
                reps[name][b] = v
        q = [alpha / 2, 1 - alpha / 2]
    widened = {}
    for name, v in values.items():
        frame[name] = v
        if n_boot:
            lo, hi = np.quantile(reps[name], q, axis=0)
            # a gap at its bound 0 has replicates only above it (resampling noise only adds to a
            # gap): the percentile interval would exclude its own estimate, so it is widened to it
            out = np.flatnonzero((v < lo) | (v > hi))
            if len(out):
                widened[name] = out.tolist()
            frame[f"{name}:lo"], frame[f"{name}:hi"] = np.minimum(lo, v), np.maximum(hi, v)
    if G is not None:
        frame["feasible"] = (G <= 0).all(axis=1)
    if n_boot:
        frame.attrs["interval_method"] = INTERVAL_METHOD
        frame.attrs["widened"] = widened
    return frame


front_verb("evaluate")(evaluate)
