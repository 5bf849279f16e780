"""Held-out evaluation in sweeps: a problem with ``split = { test = 0.3, validation = 0.2, seed = 0 }``.

The problem's data is split with ``tradeoff.split`` (stratified, seeded); the problem is built and
solved on the train part only, and every point of the run's front is scored on each part with
``front.evaluate`` (objectives and ``<objective>:exact`` metrics) plus, for a classifier, its
accuracy (for a randomised point the expected accuracy, from ``Predictor.positive_rate``). The
points table then has one row per point and part (``split`` column: train, validation, test).

The split is part of the problem's spec, hence of the run's identity and its solver seed: another
split seed is another run. ``split = { ..., seeds = [0, 1, 2, 3, 4] }`` expands the problem into one
problem per split seed, named ``<name>-s<seed>`` (``expand_seeds``); the report pools them.
"""

from __future__ import annotations

import numbers

import numpy as np
import pandas as pd

from .._validation import check_keys, fail

SPLIT_KEYS = ("test", "validation", "seed", "seeds")
PARTS = ("train", "validation", "test")
#: the ε-rule of the report: the fairness gap (exact metric) bound and the rule's data
EPSILON_BOUND = 0.05
#: every bound the report's held-out tables apply the ε-rule at (EPSILON_BOUND is the figures')
EPSILON_BOUNDS = (0.01, 0.05)


def split_of(spec: dict) -> tuple[dict, dict | None]:
    """(the spec without ``split``, the split table or None)."""
    if "split" not in spec:
        return spec, None
    return {k: v for k, v in spec.items() if k != "split"}, spec["split"]


def check_split(value, path: str) -> dict:
    """The split table, checked (each error names its path), with ``validation`` written out."""
    if not isinstance(value, dict):
        fail(path, "a table like { test = 0.3, validation = 0.2, seed = 0 }", value, exc=TypeError)
    check_keys(value, path, SPLIT_KEYS)
    if "test" not in value:
        fail(f"{path}.test", "given (the share of rows held out for testing, e.g. 0.3)", "nothing")
    out = {}
    for key, allow_zero in (("test", False), ("validation", True)):
        v = value.get(key, 0)
        if isinstance(v, bool) or not isinstance(v, numbers.Real):
            fail(f"{path}.{key}", "a fraction of the rows (a number in (0, 1))", v, exc=TypeError)
        ok = (v >= 0 if allow_zero else v > 0) and v < 1 and np.isfinite(v)
        if not ok:
            fail(f"{path}.{key}", f"a fraction of the rows in {'[0, 1)' if allow_zero else '(0, 1)'}",
                 v, "E.g. test = 0.3 keeps 30 % of the rows for testing.")
        out[key] = v
    if out["test"] + out["validation"] >= 1:
        fail(f"{path}.test + {path}.validation", "below 1 so that rows are left for training",
             out["test"] + out["validation"], "Lower `test` or `validation`.")
    if "seed" in value and "seeds" in value:
        fail(f"{path}.seed", "left out when `seeds` is given (one split per seed of `seeds`)",
             value["seed"], "Keep `seed = N` for one split or `seeds = [...]` for several.")
    if "seeds" in value:
        seeds = value["seeds"]
        if not isinstance(seeds, list) or not seeds:
            fail(f"{path}.seeds", "a non-empty list of split seeds", seeds,
                 "For example `seeds = [0, 1, 2, 3, 4]`.", exc=TypeError)
        for i, s in enumerate(seeds):
            if isinstance(s, bool) or not isinstance(s, numbers.Integral) or s < 0:
                fail(f"{path}.seeds[{i}]", "a non-negative integer", s, exc=TypeError)
        if len(set(seeds)) != len(seeds):
            fail(f"{path}.seeds", "distinct integers", seeds, "Give each split seed once.")
        out["seeds"] = list(seeds)
        return out
    seed = value.get("seed", 0)
    if isinstance(seed, bool) or not isinstance(seed, numbers.Integral) or seed < 0:
        fail(f"{path}.seed", "a non-negative integer", seed, exc=TypeError)
    out["seed"] = seed
    return out


def expand_seeds(spec: dict) -> list[dict]:
    """A problem spec whose split has ``seeds`` as one spec per split seed, named
    ``<name>-s<seed>`` with ``split.seed``; any other spec as [spec]. The name is the problem's
    ``name`` (or, as the config does, its data's name)."""
    split = spec.get("split")
    if not isinstance(split, dict) or "seeds" not in split:
        return [spec]
    name = spec.get("name")
    if name is None:
        data = spec.get("data")
        name = data if isinstance(data, str) else (data or {}).get("name", "problem")
    rest = {k: v for k, v in split.items() if k != "seeds"}
    return [{**spec, "name": f"{name}-s{s}", "split": {**rest, "seed": s}}
            for s in split["seeds"]]


def parts_of(data, split: dict) -> dict:
    """{"train": ..., ["validation": ...,] "test": ...} Datasets of ``data``."""
    from ..datasets import split as split_data

    got = split_data(data, test=split["test"], validation=split.get("validation", 0),
                     seed=split.get("seed", 0))
    names = PARTS if len(got) == 3 else ("train", "test")
    return dict(zip(names, got))


def build(spec: dict, *, path: str = "problem"):
    """(the problem to solve, its parts or None): with a split, the problem built on the train
    part only, so that nothing fitted when a problem is built (an MLP's input scaling, the
    standardisation, the default start and box) sees a validation or test row."""
    from ..problem import Problem
    from ..spec import dataset_from_spec

    spec, split = split_of(spec)
    if split is None or "data" not in spec:  # (without data, from_dict says it is missing)
        return Problem.from_dict(spec, path=path), None
    parts = parts_of(dataset_from_spec(spec["data"], path=f"{path}.data"), split)
    return Problem.from_dict({**spec, "data": parts["train"]}, path=path), parts


def accuracy(front, data) -> np.ndarray | None:
    """(k,) accuracy of each point on ``data``: 1 − mean |y − P(ŷ = 1)|, which for a
    deterministic point is the share of right decisions ŷ = [p ≥ threshold], for a randomised
    one its expected share; None for a model that is no classifier."""
    if getattr(front.model, "threshold", None) is None or not len(front) or \
            not front.predictor(0).is_classifier:  # e.g. an MLP with output="linear"
        return None
    y = np.asarray(data.y, float)
    w = data.sample_weight
    out = np.empty(len(front))
    for i in range(len(front)):
        r = front.predictor(i).positive_rate(data.X)
        err = np.abs(y - r)
        out[i] = 1.0 - (np.average(err, weights=w) if w is not None else err.mean())
    return out


def evaluate_parts(front, parts: dict) -> dict:
    """part → {column: list (k,)}: every objective and exact metric (and ``feasible`` with
    constraints, ``accuracy`` for a classifier) of each point on that part."""
    out = {}
    for name, data in parts.items():
        frame = front.evaluate(data)
        cols = {c: frame[c].tolist() for c in frame.columns if c != "point"}
        if "feasible" in cols:
            cols["feasible"] = [bool(v) for v in cols["feasible"]]
        acc = accuracy(front, data)
        if acc is not None:
            cols["accuracy"] = acc.tolist()
        out[name] = cols
    return out


# -- tables -----------------------------------------------------------------------------------------
def split_points(frame: pd.DataFrame, values: dict, objectives: list[str]) -> pd.DataFrame:
    """The points frame of one run (its train values, as the solver scored them) as one block per
    part: objective, exact-metric, feasibility and accuracy columns from ``values`` (part →
    columns); ``nondominated`` recomputed per part among its feasible points."""
    from ..indicators import nondominated

    blocks = []
    for part in PARTS:
        if part not in values:
            continue
        cols = values[part]
        block = frame.copy()
        if part != "train":
            for c, v in cols.items():
                if c in block.columns and c != "accuracy":
                    block[c] = v
            feas = block["feasible"].to_numpy(bool)
            F = block[objectives].to_numpy(float)
            ok = feas & np.isfinite(F).all(1)
            nd = np.zeros(len(block), bool)
            nd[ok] = nondominated(F[ok]) if ok.any() else nd[ok]
            block["nondominated"] = nd
        block.insert(block.columns.get_loc("point"), "split", part)
        if "accuracy" in cols:
            at = block.columns.get_loc("nondominated") + 1
            block.insert(at, "accuracy", np.asarray(cols["accuracy"], float))
        blocks.append(block)
    return pd.concat(blocks, ignore_index=True)


def fairness_objective(objectives: list[str], columns) -> str | None:
    """The objective the ε-rule bounds: the first after the first whose exact metric is a column."""
    for o in objectives[1:]:
        if f"{o}:exact" in columns:
            return o
    return None


def epsilon_choice(val: pd.DataFrame, minimise: str, bound_col: str, bound: float) -> int | None:
    """``front.select("epsilon", minimise=, bounds={bound_col: bound}, data=validation)`` on the
    validation rows of one run: the point with the least ``minimise`` among the feasible ones whose
    ``bound_col`` is ≤ ``bound`` (ties: the lowest index); None when none is."""
    v = val.sort_values("point")
    x = v[minimise].to_numpy(float)
    ok = v["feasible"].to_numpy(bool) & np.isfinite(x) & (v[bound_col].to_numpy(float) <= bound)
    if not ok.any():
        return None
    rows = np.flatnonzero(ok)
    return int(v["point"].to_numpy()[rows[np.argmin(x[rows])]])


def chosen_table(runs: pd.DataFrame, points: pd.DataFrame, problem: str,
                 bound: float = EPSILON_BOUND) -> pd.DataFrame:
    """Per run of a split problem: the point the ε-rule picks on validation (or on train when
    there is no validation part) and its test values. Columns: run_id, label, seed, point (NaN
    when no point meets the bound), test_<first objective>, test_gap, test_accuracy, broke and
    measured (False when no point of the run has a finite gap to compare with the bound: "not
    measured", not "not met")."""
    pts = points[points["problem"] == problem]
    sub = runs[(runs["problem"] == problem) & (runs["status"] == "ok") & (runs["solver"] != "exact")]
    objectives = [s.strip() for s in str(sub["objectives"].dropna().iloc[0]).split(",")] \
        if len(sub) and sub["objectives"].notna().any() else []
    fair = fairness_objective(objectives, pts.columns)
    rows = []
    if fair is None:
        return pd.DataFrame(rows)
    gap, first = f"{fair}:exact", objectives[0]
    pick_on = "validation" if (pts["split"] == "validation").any() else "train"
    for r in sub.itertuples(index=False):
        mine = pts[pts["run_id"] == r.run_id]
        on = mine[mine["split"] == pick_on]
        i = epsilon_choice(on, first, gap, bound)
        row = {"run_id": r.run_id, "label": r.label, "seed": r.seed, "point": i,
               "test_loss": np.nan, "test_gap": np.nan, "test_accuracy": np.nan, "broke": None,
               "measured": bool(np.isfinite(on[gap].to_numpy(float)).any())}
        if i is not None:
            t = mine[(mine["split"] == "test") & (mine["point"] == i)].iloc[0]
            row.update(test_loss=float(t[first]), test_gap=float(t[gap]),
                       test_accuracy=float(t["accuracy"]) if "accuracy" in t else np.nan,
                       broke=bool(t[gap] > bound))
        rows.append(row)
    return pd.DataFrame(rows)
