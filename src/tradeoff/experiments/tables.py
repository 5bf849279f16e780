"""Merge per-run results into the runs, points and traces tables, scoring every run on the way.

Scoring follows ``tradeoff.indicators.Scale``'s rule: one Scale per problem, from the exact front when
it has points, else from the union of all runs' feasible non-dominated points (the ``reference``
column says which). Tables are built from the stored files in the config's order, so a resumed sweep
and an uninterrupted one give the same tables.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..front import Front
from ..indicators import Scale, compare, nondominated
from .config import RunSpec, canonical

RUN_COLUMNS = ("run_id", "experiment", "problem", "solver", "label", "seed", "run_seed")
VERSION_KEYS = ("python", "tradeoff", "numpy", "pymoo")


def front_of(result: dict) -> Front | None:
    """The Front stored in a run's result (None for a failed or missing run)."""
    f = (result or {}).get("front")
    if not f:
        return None
    F = np.array(f["F"], float).reshape(-1, len(f["objective_names"]))
    # an empty front carries no constraint values (and Front cannot reshape an empty G)
    G = None if f["G"] is None or not len(F) else np.array(f["G"], float).reshape(len(F), -1)
    return Front(F, np.array(f["X"], float).reshape(-1, len(f["param_names"])),
                 f["objective_names"], f["param_names"], result["run"]["solver"], f["options"],
                 result.get("evaluations", 0), result.get("seconds", 0.0), f["success"],
                 f["message"], G, {"metrics": f.get("metrics", {})})


def best_points(front: Front) -> np.ndarray:
    """F of the front's feasible, mutually non-dominated points (k, m); k may be 0."""
    F = front.F[front.feasible]
    return F[nondominated(F)] if len(F) else F


# A point must beat the others by a millionth of an objective's range to join a union reference:
# points that win by rounding error (a fairness gap of 1e-11 against 1e-12) would stretch the
# reference, and its normalisation, far along the other objective.
UNION_TOL = 1e-6


def reference(runs: list[RunSpec], fronts: dict[str, Front | None]) -> tuple[np.ndarray, str]:
    """The reference points of one problem's runs and which rule gave them ("exact" or "union")."""
    exact = [fronts.get(r.run_id) for r in runs if r.solver == "exact"]
    exact = [best_points(f) for f in exact if f is not None]
    if exact and len(exact[0]):
        return exact[0], "exact"
    parts = [best_points(f) for r in runs if r.solver != "exact"
             and (f := fronts.get(r.run_id)) is not None]
    parts = [p for p in parts if len(p)]
    if not parts:
        return np.zeros((0, 0)), "none"
    union = np.vstack(parts)
    return union[nondominated(union, tol=UNION_TOL)], "union"


def _column(values: list) -> pd.Series:
    """Integers stay integers (nullable) and lists become JSON text, so CSV and Parquet agree."""
    present = [v for v in values if v is not None]
    if any(isinstance(v, (list, dict)) for v in present):
        return pd.Series([None if v is None else canonical(v) for v in values], dtype="object")
    if present and all(isinstance(v, bool) for v in present):
        return pd.Series(values, dtype="boolean")
    if present and all(isinstance(v, int) and not isinstance(v, bool) for v in present):
        return pd.Series(values, dtype="Int64")
    if present and all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in present):
        return pd.Series([np.nan if v is None else float(v) for v in values], dtype="float64")
    return pd.Series([None if v is None else str(v) for v in values], dtype="object")


def build_tables(runs: list[RunSpec], results: dict[str, dict]) -> dict[str, pd.DataFrame]:
    """``{"runs": ..., "points": ..., "traces": ...}`` for the runs in their config order."""
    fronts = {r.run_id: front_of(results.get(r.run_id)) for r in runs}
    by_problem: dict[str, list[RunSpec]] = {}
    for r in runs:
        by_problem.setdefault(r.problem, []).append(r)
    refs = {p: reference(rs, fronts) for p, rs in by_problem.items()}
    fixed = {p: rs[0].hv_reference for p, rs in by_problem.items()
             if rs[0].hv_reference is not None}
    refs = {p: _inside(ref, fixed.get(p)) for p, ref in refs.items()}
    scales = {p: _scale(F, fixed.get(p)) for p, (F, _) in refs.items() if len(F)}
    option_keys = list(dict.fromkeys(k for r in runs for k in r.options))
    split_problems = {r.problem for r in runs if "split" in r.problem_spec}
    test_refs = _test_references(runs, results, fronts, split_problems, fixed)
    rows, points, traces = [], [], []
    for r in runs:
        res = results.get(r.run_id) or {}
        front = fronts[r.run_id]
        ref_F, rule = refs[r.problem]
        row = {"run_id": r.run_id, "experiment": r.experiment, "problem": r.problem,
               "solver": r.solver, "label": r.label, "seed": r.seed, "run_seed": r.run_seed}
        row.update({f"opt_{k}": r.options.get(k) for k in option_keys})
        score = {"hv": None, "hv_ratio": None, "igd_plus": None, "spacing": None,
                 "sparsity": None}
        # an exact run without points is no front to score: it only says why there is none
        if front is not None and len(ref_F) and (len(front) or r.solver != "exact"):
            score = compare(best_points(front), ref_F, scales[r.problem])
        row.update(status=res.get("status", "missing"), error=res.get("error", ""),
                   success=None if front is None else front.success,
                   message="" if front is None else front.message,
                   objectives=", ".join(front.objective_names) if front is not None else "",
                   n_points=None if front is None else len(front),
                   n_feasible=None if front is None else int(front.feasible.sum()),
                   reference=rule, hv=score["hv"], hv_ratio=score["hv_ratio"],
                   igd_plus=score["igd_plus"], spacing=score["spacing"],
                   sparsity=score["sparsity"],
                   # a run counts objective evaluations or, fairlearn's, estimator fits: the
                   # other column stays empty so that the two units never mix
                   evaluations=res.get("evaluations") if res and res.get(
                       "estimator_fits") is None else None,
                   estimator_fits=res.get("estimator_fits") if res else None,
                   seconds=res.get("seconds") if res else None,
                   # the rows the problem's data had, and those its loader dropped (if it says)
                   rows=(res.get("data") or {}).get("rows"),
                   rows_dropped=(res.get("data") or {}).get("rows_dropped"))
        if res and res.get("passes") is not None:  # chunked data: the front's passes over the rows
            row["passes"] = res["passes"]
        if split_problems:  # held-out scores, against the union of the test points
            row.update(_test_score(r, res, front, test_refs.get(r.problem)))
        row.update({f"version_{k}": (res.get("versions") or {}).get(k, "") for k in VERSION_KEYS})
        rows.append(row)
        if front is not None and len(front):
            frame = _points(r, front)
            if split_problems:
                frame = _split_frame(frame, r, res, front)
            points.append(frame)
        for evals, ratio, igd in res.get("trace", []):
            traces.append({"run_id": r.run_id, "problem": r.problem, "label": r.label,
                           "seed": r.seed, "evaluations": evals, "hv_ratio": ratio,
                           "igd_plus": igd})
    keys = list(rows[0]) if rows else list(RUN_COLUMNS)
    runs_df = pd.DataFrame({k: _column([row[k] for row in rows]) for k in keys})
    points_df = pd.concat(points, ignore_index=True) if points else pd.DataFrame(
        columns=["run_id", "problem", "solver", "label", "seed", "point", "feasible"])
    traces_df = pd.DataFrame(traces, columns=["run_id", "problem", "label", "seed", "evaluations",
                                              "hv_ratio", "igd_plus"])
    traces_df["seed"] = traces_df["seed"].astype("Int64")
    traces_df["evaluations"] = traces_df["evaluations"].astype("int64")
    return {"runs": runs_df, "points": points_df, "traces": traces_df}


POINT_PARAMS_MAX = 1000  # above this many parameters θ stays in the run's file, not the table


def _points(r: RunSpec, front: Front) -> pd.DataFrame:
    # the run's seed, options and evaluations are in the runs table (and the seed is re-added below)
    frame = front.to_frame().drop(columns=["options", "seed", "evaluations", "estimator_fits"],
                                  errors="ignore")
    if len(front.param_names) > POINT_PARAMS_MAX:  # a network: 10⁴–10⁵ columns per point
        frame = frame.drop(columns=list(front.param_names))
    nd = np.zeros(len(front), bool)
    feas = front.feasible
    nd[feas] = nondominated(front.F[feas])
    frame.insert(frame.columns.get_loc("feasible") + 1, "nondominated", nd)
    frame.insert(0, "problem", r.problem)
    frame.insert(0, "run_id", r.run_id)
    at = frame.columns.get_loc("solver") + 1
    frame.insert(at, "label", r.label)
    frame.insert(at + 1, "seed", pd.Series([r.seed] * len(frame), dtype="Int64"))
    return frame


# -- held-out evaluation (problems with a split; see experiments.heldout) ---------------------------
def _test_F(res: dict, front: Front) -> tuple[np.ndarray, np.ndarray]:
    """F (k, m) and feasibility (k,) of a run's points on its test part."""
    test = (res.get("splits") or {}).get("test") or {}
    F = np.column_stack([np.asarray(test[n], float) for n in front.objective_names])
    feas = np.asarray(test.get("feasible", [True] * len(F)), bool)
    return F, feas


def _test_best(res: dict, front: Front | None) -> np.ndarray:
    if front is None or not len(front) or "test" not in (res.get("splits") or {}):
        return np.zeros((0, 0))
    F, feas = _test_F(res, front)
    F = F[feas & np.isfinite(F).all(1)]
    return F[nondominated(F)] if len(F) else F


def _test_references(runs, results, fronts, split_problems, fixed=None) -> dict:
    """Per split problem: (reference, Scale) from the union of all its runs' feasible
    non-dominated test points (tolerance ``UNION_TOL``, as for the train union)."""
    out = {}
    fixed = fixed or {}
    for p in split_problems:
        parts = [_test_best(results.get(r.run_id) or {}, fronts.get(r.run_id))
                 for r in runs if r.problem == p]
        parts = [x for x in parts if len(x)]
        if parts:
            union = np.vstack(parts)
            ref, _ = _inside((union[nondominated(union, tol=UNION_TOL)], ""), fixed.get(p))
            if len(ref):
                out[p] = (ref, _scale(ref, fixed.get(p)))
    return out


def _inside(ref: tuple, point) -> tuple:
    """(reference points, rule) keeping only the points that beat a fixed HV reference point in
    every objective (all of them without one): the others add no hypervolume."""
    F, rule = ref
    if point is None or not len(F):
        return ref
    return F[(F < np.asarray(point)).all(axis=1)], rule


def _scale(F, point) -> Scale:
    return Scale.from_points(F) if point is None else Scale.bounded(F, point)


def _test_score(r: RunSpec, res: dict, front: Front | None, ref) -> dict:
    score = {"test_hv": None, "test_hv_ratio": None, "test_igd_plus": None}
    if ref is None or front is None or "test" not in (res.get("splits") or {}):
        return score
    if not len(front) and r.solver == "exact":
        return score
    s = compare(_test_best(res, front) if len(front) else np.zeros((0, ref[0].shape[1])),
                ref[0], ref[1])
    return {"test_hv": s["hv"], "test_hv_ratio": s["hv_ratio"], "test_igd_plus": s["igd_plus"]}


def _split_frame(frame: pd.DataFrame, r: RunSpec, res: dict, front: Front) -> pd.DataFrame:
    """A run's points frame with the ``split`` column: one block per part for a split problem,
    the frame as it is (split "all") for a problem without one."""
    from .heldout import split_points

    values = res.get("splits")
    if not values:
        frame = frame.copy()
        frame.insert(frame.columns.get_loc("point"), "split", "all")
        return frame
    return split_points(frame, values, list(front.objective_names))
