"""The figures of a results folder, per problem: fronts, attainment, HV against evaluations and
training curves. Reads the merged tables only, so it works on committed results without re-running.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from .report import setting_columns
from .store import Store


def attainment_surface(sets: list[np.ndarray], k: int) -> np.ndarray:
    """Corners (f₁, f₂) of the surface attained by at least ``k`` of the point sets (minimisation).

    At each f₁ the surface is the k-th smallest of the sets' best f₂ among points with a smaller or
    equal f₁; the corners are where that level drops. Equals moocore's ``eaf`` at the same level."""
    sets = [np.asarray(s, float).reshape(-1, 2) for s in sets]
    sets = [s for s in sets if len(s)]
    if len(sets) < k or k < 1:
        return np.zeros((0, 2))
    xs = np.unique(np.concatenate([s[:, 0] for s in sets]))
    best = np.full((len(sets), len(xs)), np.inf)
    for i, s in enumerate(sets):
        order = np.lexsort((s[:, 1], s[:, 0]))
        f1, f2 = s[order, 0], np.minimum.accumulate(s[order, 1])
        idx = np.searchsorted(f1, xs, side="right") - 1
        best[i] = np.where(idx >= 0, f2[np.maximum(idx, 0)], np.inf)
    level = np.sort(best, axis=0)[k - 1]
    drop = np.isfinite(level) & np.concatenate([[True], level[1:] < level[:-1]])
    return np.column_stack([xs[drop], level[drop]])


def _colors(labels) -> dict:
    from ..plots import SOLVER_COLORS

    return {label: SOLVER_COLORS[i % len(SOLVER_COLORS)] for i, label in enumerate(labels)}


def _axis_names(manifest: dict, problem: str, names: list[str]) -> list[str]:
    """Objective names with their parameters from the config, e.g. 'cap_violation (cap = 120)'."""
    specs = {}
    for spec in (manifest.get("config") or {}).get("problems", []):
        if isinstance(spec, dict) and spec.get("name", None) in (problem, None):
            for obj in spec.get("objectives", []):
                if isinstance(obj, dict) and "name" in obj:
                    params = ", ".join(f"{k} = {v:g}" if isinstance(v, (int, float)) else f"{k} = {v}"
                                       for k, v in obj.items() if k != "name")
                    specs[obj["name"]] = f"{obj['name']} ({params})" if params else obj["name"]
    return [specs.get(n, n) for n in names]


def _largest_budget(runs: pd.DataFrame, settings: list[str]) -> pd.DataFrame:
    """Per label, the runs of the setting with the most evaluations on average (all seeds)."""
    keep = []
    ok = runs[runs["status"] == "ok"]
    for _, group in ok.groupby("label", sort=False):
        if settings:
            means = group.groupby(settings, dropna=False, sort=False)["evaluations"].mean()
            # ties (a solver that stops early uses the same evaluations at every larger budget)
            # go to the last setting of the grid, the largest budget as configs list them
            best = means[means == means.max()].index[-1]
            best = best if isinstance(best, tuple) else (best,)
            mask = np.ones(len(group), bool)
            for col, val in zip(settings, best):
                mask &= (group[col].isna() if pd.isna(val) else group[col] == val).to_numpy()
            keep.append(group[mask])
        else:
            keep.append(group)
    return pd.concat(keep) if keep else ok.iloc[:0]


def _budget_note(group: pd.DataFrame, settings: list[str]) -> str:
    parts = []
    for col in settings:
        vals = group[col].dropna().unique()
        if len(vals) == 1:
            v = vals[0]
            parts.append(f"{col[4:]} = {int(v) if float(v).is_integer() else v}")
    seeds = group["seed"].nunique()
    parts.append(f"{seeds} seed{'s' if seeds != 1 else ''}")
    return ", ".join(parts)


def _limits(ref, margin: float = 0.06):
    """Axes around the reference front (plus a margin): far-off points would hide its shape."""
    if ref is None or not len(ref):
        return None
    lo, hi = ref[:, :2].min(0), ref[:, :2].max(0)
    span = np.where(hi > lo, hi - lo, np.maximum(np.abs(hi), 1.0))
    return tuple((float(a - margin * s), float(b + margin * s)) for a, b, s in zip(lo, hi, span))


def _step_values(x, y, grid):
    """y of a step function through (x, y) at ``grid``; NaN before x[0]. After x[-1] the run is
    over and what it evaluated stays as it was, so the last value holds (else a median over seeds
    would drop where a seed stops early)."""
    idx = np.searchsorted(x, grid, side="right") - 1
    return np.where(idx >= 0, np.asarray(y)[np.maximum(idx, 0)], np.nan)


def draw(results: str | Path, out: str | Path | None = None) -> list[Path]:
    """Write every figure of a results folder (PNG and SVG) to ``out`` (default results/figures)."""
    from .. import plots

    store = Store(results)
    runs, points, traces = (store.read_table(t) for t in ("runs", "points", "traces"))
    manifest = store.read_manifest()
    out = Path(out) if out is not None else store.root / "figures"
    settings = setting_columns(runs)
    colors = _colors([lb for lb in runs["label"].drop_duplicates() if lb != "exact"])
    written: list[Path] = []
    for problem in runs["problem"].drop_duplicates():
        sub = runs[runs["problem"] == problem]
        objectives = [s.strip() for s in str(sub["objectives"].dropna().iloc[0]).split(",")] \
            if sub["objectives"].notna().any() else []
        if len(objectives) < 2:
            continue
        names = _axis_names(manifest, problem, objectives[:2])
        proj = "" if len(objectives) == 2 else f" (first 2 of {len(objectives)} objectives)"
        pts = points[points["problem"] == problem]
        rule = sub["reference"].dropna().iloc[0] if sub["reference"].notna().any() else "none"
        exact_pts = pts[pts["solver"] == "exact"]
        ref_label = "exact front"
        if rule == "exact" and len(exact_pts):
            ref = exact_pts[exact_pts["nondominated"]][objectives].to_numpy(float)
        else:
            # no exact front: draw the union of all runs' non-dominated points, and say so
            cand = pts[pts["nondominated"] & (pts["solver"] != "exact")][objectives].to_numpy(float)
            from ..front import nondominated
            from .tables import UNION_TOL

            ref = cand[nondominated(cand, tol=UNION_TOL)] if len(cand) else None
            ref_label = "best found (union of all runs)"
        solver_runs = _largest_budget(sub[sub["solver"] != "exact"], settings)
        panels, surfaces = [], []
        for label, group in solver_runs.groupby("label", sort=False):
            gp = pts[pts["run_id"].isin(group["run_id"])]
            feas = gp["feasible"].astype(bool)
            note = _budget_note(group, settings)
            panels.append({"label": label, "color": colors[label], "note": note,
                           "feasible": gp.loc[feas, objectives[:2]].to_numpy(float),
                           "infeasible": gp.loc[~feas, objectives[:2]].to_numpy(float)})
            sets = [gp[(gp["run_id"] == rid) & gp["nondominated"]][objectives[:2]].to_numpy(float)
                    for rid in group["run_id"]]
            n = len(sets)
            found = sum(1 for x in sets if len(x))
            surfaces.append({"label": label, "color": colors[label],
                             "note": note + ("" if found == n else
                                             f"; {n - found} with no feasible point"),
                             "median": attainment_surface(sets, (n + 1) // 2),
                             "best": attainment_surface(sets, 1),
                             "worst": attainment_surface(sets, n)})
        limits = _limits(ref)
        stem = out / problem
        if panels:
            fig = plots.front_panels(ref, panels, names, limits=limits, reference_label=ref_label,
                                     title=f"{problem}: each solver's fronts (all seeds) over the "
                                           f"{ref_label}{proj}")
            written += plots.save(fig, f"{stem}_fronts")
        if len(objectives) == 2 and surfaces:
            fig = plots.attainment(ref, surfaces, names, limits=limits, reference_label=ref_label,
                                   title=f"{problem}: attainment surfaces over seeds (the median "
                                         "is reached by half the seeds)")
            written += plots.save(fig, f"{stem}_attainment")
        written += _hv_figure(sub, settings, colors, problem, rule, stem)
        written += _training_figure(traces[traces["problem"] == problem], solver_runs, colors,
                                    problem, stem)
    return written


def _hv_figure(sub, settings, colors, problem, rule, stem) -> list[Path]:
    from .. import plots

    ok = sub[(sub["status"] == "ok") & (sub["solver"] != "exact")]
    curves = {}
    for label, group in ok.groupby("label", sort=False):
        keys = settings or ["label"]
        agg = group.groupby(keys, dropna=False, sort=False).agg(
            x=("evaluations", "mean"), y=("hv_ratio", "mean"), sd=("hv_ratio", "std"))
        agg = agg.sort_values("x")
        curves[label] = (agg["x"].to_numpy(float), agg["y"].to_numpy(float),
                         agg["sd"].to_numpy(float), colors[label])
    if not curves:
        return []
    ylabel = "HV ratio (1 = exact front)" if rule == "exact" else "HV ratio (1 = best found)"
    fig = plots.hv_against_evaluations(
        curves, ylabel=ylabel,
        title=f"{problem}: front quality against budget (mean ± sd over seeds, one point per budget)")
    return plots.save(fig, f"{stem}_hv_evaluations")


def _training_figure(traces, solver_runs, colors, problem, stem) -> list[Path]:
    from .. import plots

    curves = {}
    for label, group in solver_runs.groupby("label", sort=False):
        tr = traces[traces["run_id"].isin(group["run_id"])]
        if tr.empty:
            continue
        grid = np.unique(np.round(np.geomspace(1, tr["evaluations"].max(), 80)))
        rows = []
        for _, run in tr.groupby("run_id", sort=False):
            run = run.sort_values("evaluations")
            rows.append(_step_values(run["evaluations"].to_numpy(float),
                                     run["hv_ratio"].to_numpy(float), grid))
        Y = np.array(rows)
        seen = np.isfinite(Y).any(0)
        with np.errstate(all="ignore"):
            curves[label] = (grid[seen], np.nanmedian(Y[:, seen], 0), np.nanmin(Y[:, seen], 0),
                             np.nanmax(Y[:, seen], 0), colors[label])
    if not curves:
        return []
    fig = plots.training_curves(
        curves, title=f"{problem}: training curves at the largest budget — HV ratio of all points "
                      "evaluated so far, not only those returned\n(median over seeds, band = min "
                      "to max; gradient solvers' line-search trials count too)")
    return plots.save(fig, f"{stem}_training")
