"""The figures of a results folder, per problem: fronts (and, for surrogate objectives, fronts in
the exact metric; for three or more objectives, parallel coordinates and every pair), empirical
attainment surfaces and the EAF difference of two solvers (moocore), HV ratio against budget and wall-clock time, and training
curves. Reads the merged tables only, so it works on committed results without re-running. Every
solver label is drawn in its one look, ``tradeoff.plots.style``.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from .report import fixed_reference, setting_columns
from .store import Store


def attainment_surface(sets: list[np.ndarray], k: int) -> np.ndarray:
    """Corners (f₁, f₂) of the surface attained by at least ``k`` of the point sets (minimisation):
    moocore's empirical attainment function (``moocore.eaf``) at the level k of n sets."""
    import moocore

    sets = [np.asarray(s, float).reshape(-1, 2) for s in sets]
    sets = [s for s in sets if len(s)]
    if len(sets) < k or k < 1:
        return np.zeros((0, 2))
    points = np.vstack(sets)
    labels = np.concatenate([np.full(len(s), i + 1) for i, s in enumerate(sets)])
    level = 100.0 * k / len(sets)
    eaf = moocore.eaf(points, labels, percentiles=[level])
    out = eaf[:, :2]
    return out[np.lexsort((out[:, 1], out[:, 0]))]


def _eafdiff_rectangles(sets_a: list[np.ndarray], sets_b: list[np.ndarray]) -> np.ndarray:
    """moocore.eafdiff's rectangles (x0, y0, x1, y1, d), d = share of A's runs attaining minus B's."""
    import moocore

    def stack(sets):
        rows = [np.column_stack([s, np.full(len(s), i + 1)]) for i, s in enumerate(sets)]
        return np.vstack(rows)

    rects = moocore.eafdiff(stack(sets_a), stack(sets_b), rectangles=True)
    rects = np.asarray(rects, float).reshape(-1, 5)
    # moocore counts sets; as shares, runs of unequal numbers compare fairly
    rects[:, 4] = rects[:, 4] / max(len(sets_a), len(sets_b))
    return rects


def _styles(labels) -> dict:
    from ..plots import styles

    return styles(labels)


def _axis_names(manifest: dict, problem: str, names: list[str]) -> list[str]:
    """Objectives' display names with their parameters from the config and their units, e.g.
    'squared excess over the cap, cap = 120 [target²]'."""
    from ..display import axis_label
    from .report import objective_params

    params = objective_params(manifest, problem)
    return [axis_label(n, params.get(n.partition(":")[0])) for n in names]


def _largest_budget(runs: pd.DataFrame, settings: list[str], budget=None) -> pd.DataFrame:
    """Per label, the runs of the setting with the most evaluations on average (all seeds); with
    ``budget``, the runs whose budget setting (see ``budget_column``) equals it instead (labels
    that take no budget keep all their runs; labels without that budget are left out)."""
    keep = []
    ok = runs[runs["status"] == "ok"]
    col = budget_column(settings)
    for _, group in ok.groupby("label", sort=False):
        if budget is not None and col is not None and group[col].notna().any():
            chosen = group[pd.to_numeric(group[col], errors="coerce") == float(budget)]
            if len(chosen):
                keep.append(chosen)
            continue
        if settings:
            means = group.assign(_cost=_cost(group)).groupby(
                settings, dropna=False, sort=False)["_cost"].mean()
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


def _fits(runs: pd.DataFrame) -> pd.Series:
    """Estimator fits per run (fairlearn's reductions), NaN for the runs that count evaluations
    (and for every run of a table from before the column existed)."""
    if "estimator_fits" not in runs.columns:
        return pd.Series(np.nan, index=runs.index)
    return pd.to_numeric(runs["estimator_fits"], errors="coerce").astype(float)


def _cost(runs: pd.DataFrame) -> pd.Series:
    """A run's cost in its own unit: its evaluations, or its estimator fits where it counts those
    (used only to rank one solver's settings, never to compare solvers)."""
    evals = pd.to_numeric(runs["evaluations"], errors="coerce").astype(float)
    return evals.fillna(_fits(runs)).fillna(0.0)


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


def budget_column(settings: list[str]) -> str | None:
    """The grid option that sets a run's budget: max_evaluations, else the first swept option."""
    if "opt_max_evaluations" in settings:
        return "opt_max_evaluations"
    return settings[0] if settings else None


def _reference_rows(pts: pd.DataFrame, rule: str, objectives: list[str]):
    """The rows of the points table that make up the reference front, and what to call it."""
    exact_pts = pts[pts["solver"] == "exact"]
    if rule == "exact" and len(exact_pts):
        return exact_pts[exact_pts["nondominated"].astype(bool)], "exact front"
    # no exact front: draw the union of all runs' non-dominated points, and say so
    rows = pts[pts["nondominated"].astype(bool) & (pts["solver"] != "exact")]
    from ..indicators import nondominated
    from .tables import UNION_TOL

    cand = rows[objectives].to_numpy(float)
    keep = nondominated(cand, tol=UNION_TOL) if len(cand) else np.zeros(0, bool)
    return rows[keep], "best found (union of all runs)"


def _reference(pts: pd.DataFrame, rule: str, objectives: list[str]):
    rows, label = _reference_rows(pts, rule, objectives)
    return (rows[objectives].to_numpy(float) if len(rows) else None), label


def exact_metric_columns(pts: pd.DataFrame, objectives: list[str]) -> dict[str, str]:
    """Objective -> its exact-metric column (``name:exact``) where the points table has values."""
    out = {}
    for o in objectives:
        col = f"{o}:exact"
        if col in pts and pd.to_numeric(pts[col], errors="coerce").notna().any():
            out[o] = col
    return out


# the steps of one problem's figures that ``draw`` reports to its ``progress``
STEPS_PER_PROBLEM = 7


def draw(results: str | Path, out: str | Path | None = None, *, budget=None,
         compare: tuple[str, str] | None = None, progress=None) -> list[Path]:
    """Write every figure of a results folder (PNG and SVG) to ``out`` (default results/figures).

    Per problem: each solver's fronts, their attainment surfaces over seeds, where two solvers'
    attainment differs (moocore.eafdiff; ``compare`` names the two labels, default the two with
    the best mean HV ratio), HV ratio against budget and wall-clock time, and training curves.
    Fronts are drawn at each solver's largest budget, or at ``budget`` when given.
    ``progress(done, total)`` is called after each step (for a progress bar)."""
    from .. import plots
    from .stats import deterministic

    from ..io import writable_folder

    store = Store(results)
    runs, points, traces = store.read_tables(("runs", "points", "traces")).values()
    manifest = store.read_manifest()
    if "split" in points.columns:  # held-out sweeps: the training fronts here, test ones below
        all_points = points
        points = points[points["split"].isin(["train", "all"])]
    else:
        all_points = None
    out = writable_folder(Path(out) if out is not None else store.root / "figures", "out",
                          "the figures are written there")
    settings = setting_columns(runs)
    if budget is not None:
        col = budget_column(settings)
        known = sorted(pd.to_numeric(runs[col], errors="coerce").dropna().unique()) if col else []
        if not known or float(budget) not in known:
            from .._validation import fail

            fail("budget", f"one of the study's budgets ({', '.join(f'{v:g}' for v in known)})"
                 if known else "left out: this study sweeps no budget", budget)
    written: list[Path] = []
    problems = list(runs["problem"].drop_duplicates())
    state = {"done": 0, "total": STEPS_PER_PROBLEM * len(problems) + 2}

    def tick(steps=1):
        state["done"] += steps
        if progress is not None:
            progress(state["done"], state["total"])

    for problem in problems:
        sub = runs[runs["problem"] == problem]
        objectives = [s.strip() for s in str(sub["objectives"].dropna().iloc[0]).split(",")] \
            if sub["objectives"].notna().any() else []
        if len(objectives) < 2:
            tick(STEPS_PER_PROBLEM)
            continue
        looks = _styles([lb for lb in sub["label"].drop_duplicates() if lb != "exact"])
        names = _axis_names(manifest, problem, objectives[:2])
        # two objectives: a scatter per solver; more: parallel coordinates of all (no projection)
        drawn = objectives if len(objectives) > 2 else objectives[:2]
        pts = points[points["problem"] == problem]
        rule = sub["reference"].dropna().iloc[0] if sub["reference"].notna().any() else "none"
        ref, ref_label = _reference(pts, rule, objectives)
        solver_runs = _largest_budget(sub[sub["solver"] != "exact"], settings, budget)
        constrained = bool(len(pts)) and not pts["feasible"].astype(bool).all()
        panels, surfaces, sets_of = [], [], {}
        for label, group in solver_runs.groupby("label", sort=False):
            gp = pts[pts["run_id"].isin(group["run_id"])]
            same = deterministic(group)
            shown = gp[gp["run_id"] == group["run_id"].iloc[0]] if same else gp
            feas = shown["feasible"].astype(bool)
            note = _budget_note(group, settings) + (", the same front for every seed" if same
                                                   else "")
            panels.append({"label": label, "style": looks[label], "note": note,
                           "feasible": shown.loc[feas, drawn].to_numpy(float),
                           "infeasible": shown.loc[~feas, drawn].to_numpy(float)})
            sets = [gp[(gp["run_id"] == rid) & gp["nondominated"]][objectives[:2]].to_numpy(float)
                    for rid in group["run_id"]]
            sets_of[label] = sets
            n = len(sets)
            found = sum(1 for x in sets if len(x))
            surfaces.append({"label": label, "style": looks[label], "deterministic": same,
                             "note": note + ("" if found == n else
                                             f"\n{n - found} with no feasible point"),
                             "median": attainment_surface(sets, (n + 1) // 2),
                             "best": attainment_surface(sets, 1),
                             "worst": attainment_surface(sets, n)})
        point = fixed_reference(manifest, problem)
        # a fixed HV reference point bounds the region that counts: show all of it
        limits = _limits(ref if point is None or ref is None or not len(ref)
                         else np.vstack([ref[:, :2], np.asarray(point)[None, :2]]))
        stem = out / problem
        at = "" if budget is None else f" at budget {float(budget):g}"
        if panels and len(objectives) > 2:
            fig = plots.pcp_panels(ref, panels, _axis_names(manifest, problem, objectives),
                                   reference_label=ref_label,
                                   title=f"{problem}: each solver's fronts (all seeds{at}) over "
                                         f"the {ref_label}, all {len(objectives)} objectives")
            written += plots.save(fig, f"{stem}_fronts")
        elif panels:
            fig = plots.front_panels(ref, panels, names, limits=limits, reference_label=ref_label,
                                     constrained=constrained,
                                     title=f"{problem}: each solver's fronts (all seeds{at}) over "
                                           f"the {ref_label}")
            written += plots.save(fig, f"{stem}_fronts")
        tick()
        if len(objectives) == 2 and surfaces and solver_runs["seed"].nunique() >= 2:
            fig = plots.attainment(ref, surfaces, names, limits=limits, reference_label=ref_label,
                                   title=f"{problem}: empirical attainment over seeds{at} "
                                         "(moocore.eaf; the median is attained by half the seeds)")
            written += plots.save(fig, f"{stem}_attainment")
            written += _eafdiff_figure(sub, solver_runs, sets_of, compare, names, limits, ref,
                                       ref_label, problem, stem)
        tick()
        exact_cols = exact_metric_columns(pts, drawn)
        if exact_cols and panels:
            written += _exact_metric_figure(pts, solver_runs, settings, drawn, exact_cols,
                                            looks, manifest, problem, rule, stem, at)
        tick()
        if len(objectives) > 2 and panels:
            written += _pairs_figure(pts, solver_runs, objectives, looks, manifest, problem, ref,
                                     ref_label, stem, at)
        tick()
        if all_points is not None and panels:
            written += _heldout_figure(all_points, sub, solver_runs, objectives, looks, manifest,
                                       problem, stem)
        tick()
        written += _hv_figure(sub, settings, looks, problem, rule, stem)
        tick()
        written += _training_figure(traces[traces["problem"] == problem], solver_runs, looks,
                                    problem, stem)
        tick()
    if all_points is not None:  # problems that differ only in the split seed, pooled
        from .report import split_seed_groups

        for group in split_seed_groups(manifest, list(runs["problem"].drop_duplicates())):
            written += _pooled_heldout_figure(all_points, runs, group, settings, budget,
                                              manifest, out)
    tick()
    written += _seconds_panels(runs, out)
    tick()
    return written


def _seconds_panels(runs: pd.DataFrame, out: Path) -> list[Path]:
    """Studies that give solvers wall-clock budgets (``max_seconds``, at least two values) on two or
    more problems: (test) HV ratio against the budget, one panel per problem, one legend."""
    from .. import plots

    if "opt_max_seconds" not in runs.columns:
        return []
    ok = runs[(runs["status"] == "ok") & (runs["solver"] != "exact")].copy()
    ok["budget"] = pd.to_numeric(ok["opt_max_seconds"], errors="coerce")
    ok = ok[ok["budget"].notna()]
    problems = list(ok["problem"].drop_duplicates())
    if ok["budget"].nunique() < 2 or len(problems) < 2:
        return []
    test = "test_hv_ratio" in ok.columns and ok["test_hv_ratio"].notna().any()
    ok["y"] = pd.to_numeric(ok["test_hv_ratio" if test else "hv_ratio"], errors="coerce")
    looks = _styles(list(ok["label"].drop_duplicates()))
    fig, axes = plots.plt.subplots(1, len(problems), figsize=(3.3 * len(problems) + 1.6, 3.6),
                                   sharey=True, squeeze=False)
    budgets = sorted(ok["budget"].unique())
    for ax, problem in zip(axes[0], problems):
        sub = ok[ok["problem"] == problem]
        for label, g in sub.groupby("label", sort=False):
            g = g.groupby("budget")["y"].mean()  # mean over seeds
            ax.plot(g.index, g.to_numpy(), label=label, **looks[label].line(ms=5, lw=1.3))
        ax.set_xscale("log")
        ax.set_xticks(budgets, [f"{b:g}" for b in budgets])
        ax.minorticks_off()
        ax.set_title(problem, fontsize=10)
        ax.set_xlabel("wall-clock budget (s)")
        ax.grid(alpha=0.3)
        ax.tick_params(labelleft=True)
    axes[0, 0].set_ylabel(("test " if test else "") + "HV ratio (1 = best found)")
    axes[0, 0].set_ylim(-0.03, 1.03)
    seen = {}  # one legend entry per label, whichever panel drew it first
    for ax in axes[0]:
        for h, lb in zip(*ax.get_legend_handles_labels()):
            seen.setdefault(lb, h)
    fig.legend(list(seen.values()), list(seen), loc="center left", bbox_to_anchor=(1.0, 0.5),
               fontsize=8, frameon=False)
    fig.suptitle(("Test" if test else "Training") + " front quality against the wall-clock "
                 "budget, per problem (HV ratio against the union of every run's non-dominated "
                 "points of that problem)", fontsize=9)
    fig.tight_layout()
    return plots.save(fig, out / "hv_budget_panels")


def _exact_metric_figure(pts, solver_runs, settings, objectives, exact_cols, looks, manifest,
                         problem, rule, stem, at) -> list[Path]:
    """The fronts with each surrogate objective replaced by the exact metric it stands for (the
    fairness gap a reader cares about: e.g. the parity difference of the decisions)."""
    from .. import plots
    from .stats import deterministic

    cols = [exact_cols.get(o, o) for o in objectives]
    names = _axis_names(manifest, problem, cols)
    ref_rows, ref_label = _reference_rows(pts, rule, objectives)
    ref = ref_rows[cols].to_numpy(float) if len(ref_rows) else None
    if ref is not None:
        ref = ref[np.isfinite(ref).all(1)]
    panels = []
    for label, group in solver_runs.groupby("label", sort=False):
        gp = pts[pts["run_id"].isin(group["run_id"])]
        same = deterministic(group)
        shown = gp[gp["run_id"] == group["run_id"].iloc[0]] if same else gp
        feas = shown["feasible"].astype(bool)
        P = shown[cols].to_numpy(float)
        finite = np.isfinite(P).all(1)
        panels.append({"label": label, "style": looks[label],
                       "note": _budget_note(group, settings) +
                       (", the same front for every seed" if same else ""),
                       "feasible": P[feas.to_numpy() & finite], "infeasible": P[~feas.to_numpy() & finite]})
    surrogate = ", ".join(o for o in objectives if o in exact_cols)
    from ..indicators import nondominated

    # a monotone map of the surrogate (a gap against its square) keeps the front a front: a line;
    # else (decisions against scores) the reference's points are no front here: dots
    still_a_front = ref is not None and len(ref) > 1 and bool(nondominated(ref).all())
    if len(objectives) > 2:  # parallel coordinates: no line through the reference to draw
        fig = plots.pcp_panels(ref, panels, names,
                               reference_label=f"{ref_label}, in the exact metric",
                               title=f"{problem}: each solver's fronts (all seeds{at}) in the "
                                     f"exact metric the solvers' surrogate ({surrogate}) "
                                     "stands for")
        return plots.save(fig, f"{stem}_fronts_exact")
    fig = plots.front_panels(ref, panels, names, limits=_limits(ref),
                             reference_label=f"{ref_label}, in the exact metric" + (
                                 "" if still_a_front else " (points optimal for the surrogate)"),
                             reference_points=not still_a_front,
                             constrained=bool(len(pts)) and not pts["feasible"].astype(bool).all(),
                             title=f"{problem}: each solver's fronts (all seeds{at}) in the exact "
                                   f"metric the solvers' surrogate ({surrogate}) stands for")
    return plots.save(fig, f"{stem}_fronts_exact")


def _pairs_figure(pts, solver_runs, objectives, looks, manifest, problem, ref, ref_label, stem,
                  at) -> list[Path]:
    """More than two objectives: every pair of objectives in a panel, all solvers' points."""
    from .. import plots

    names = _axis_names(manifest, problem, objectives)
    sets = {}
    for label, group in solver_runs.groupby("label", sort=False):
        gp = pts[pts["run_id"].isin(group["run_id"]) & pts["feasible"].astype(bool)]
        sets[label] = gp[objectives].to_numpy(float)
    fig = plots.pairwise_fronts(ref, sets, names, styles=looks, reference_label=ref_label,
                                title=f"{problem}: the {len(objectives)} objectives pair by pair "
                                      f"(all seeds{at}; feasible points)")
    return plots.save(fig, f"{stem}_pairs")


def _eafdiff_figure(sub, solver_runs, sets_of, compare, names, limits, ref, ref_label, problem,
                    stem) -> list[Path]:
    """Where two solvers' attainment differs; only with ≥ 2 seeds each. By default the solver with
    the best mean HV ratio against the best one of the other kind (deterministic or not)."""
    from .. import plots

    multi = [lb for lb, sets in sets_of.items() if len(sets) >= 2]
    if compare is not None:
        a, b = compare
        missing = [x for x in (a, b) if x not in multi]
        if missing:
            return []  # this problem lacks one of them (another may have both)
    else:
        if len(multi) < 2:
            return []
        from .stats import deterministic

        chosen = solver_runs[solver_runs["label"].isin(multi)]
        means = chosen.groupby("label", sort=False)["hv_ratio"].mean().sort_values(
            ascending=False, kind="stable")
        det = {lb: deterministic(g) for lb, g in chosen.groupby("label", sort=False)}
        # the best solver against the best of the other kind (deterministic or not): where a
        # solver's seeds vary is where attainment differs most; else the best two
        a = means.index[0]
        others = [lb for lb in means.index[1:] if det[lb] != det[a]]
        b = others[0] if others else means.index[1]
    rects = _eafdiff_rectangles(sets_of[a], sets_of[b])
    both = sets_of[a] + sets_of[b]
    fig = plots.eafdiff(rects, names, a=a, b=b, limits=limits, exact=ref,
                        reference_label=ref_label, best=attainment_surface(both, 1),
                        worst=attainment_surface(both, len(both)), n_a=len(sets_of[a]),
                        n_b=len(sets_of[b]),
                        title=f"{problem}: {a} against {b}, differences of their empirical "
                              "attainment functions (moocore.eafdiff)")
    return plots.save(fig, f"{stem}_eafdiff")


def _hv_figure(sub, settings, looks, problem, rule, stem) -> list[Path]:
    from .. import plots
    from .stats import bootstrap_ci

    if "seconds" not in sub.columns:  # no timings.csv (e.g. a fresh clone): no wall-clock panel
        return []
    ok = sub[(sub["status"] == "ok") & (sub["solver"] != "exact")]
    col = budget_column(settings)
    curves = {}
    for label, group in ok.groupby("label", sort=False):
        keys = settings or ["label"]
        rows = []
        for _, g in group.groupby(keys, dropna=False, sort=False):
            hv = pd.to_numeric(g["hv_ratio"], errors="coerce").astype(float).to_numpy()
            lo, hi = bootstrap_ci(hv)
            b = pd.to_numeric(g[col], errors="coerce").astype(float).iloc[0] if col else np.nan
            fits = _fits(g)
            rows.append((b, float(np.nanmean(pd.to_numeric(g["seconds"], errors="coerce").astype(float))), float(np.nanmean(hv)),
                         lo, hi, float(fits.mean()) if fits.notna().any() else np.nan))
        rows.sort(key=lambda r: (np.nan_to_num(r[0], nan=np.inf), r[1]))
        arr = np.array(rows, float)
        has_budget = col is not None and np.isfinite(arr[:, 0]).all()
        curves[label] = {"style": looks[label], "budget": arr[:, 0] if has_budget else None,
                         "seconds": arr[:, 1], "y": arr[:, 2], "lo": arr[:, 3], "hi": arr[:, 4],
                         # fairlearn's reductions: their cost in estimator fits, drawn on an
                         # axis of its own, never on the evaluations (budget) axis
                         "fits": arr[:, 5] if np.isfinite(arr[:, 5]).all() else None}
    if not curves:
        return []
    ylabel = "HV ratio (1 = exact front)" if rule == "exact" else "HV ratio (1 = best found)"
    if col is not None:
        budget_label = f"budget: {col[4:]}"
    else:  # every run had the same budget (or none): say which
        fixed = [c for c in ok.columns if c in ("opt_max_evaluations", "opt_max_epochs")
                 and ok[c].notna().any()]
        budget_label = ", ".join(
            f"all at {c[4:]} = {', '.join(f'{v:g}' for v in sorted(pd.to_numeric(ok[c]).dropna().unique()))}"
            for c in fixed) or "no budget grid"
    fig = plots.hv_against_cost(
        curves, ylabel=ylabel, budget_label=budget_label,
        title=f"{problem}: front quality against cost (mean and 95 % bootstrap interval over "
              "seeds, one point per budget)")
    return plots.save(fig, f"{stem}_hv_cost")


def _training_figure(traces, solver_runs, looks, problem, stem) -> list[Path]:
    from .. import plots

    curves, by_fits = {}, []
    for label, group in solver_runs.groupby("label", sort=False):
        if _fits(group).notna().any():  # no objective evaluations to draw against
            by_fits.append(label)
            continue
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
                             np.nanmax(Y[:, seen], 0), looks[label])
    if not curves:
        return []
    left_out = (f"; not drawn: {', '.join(by_fits)}, counting estimator fits, not evaluations"
                if by_fits else "")
    fig = plots.training_curves(
        curves, title=f"{problem}: training curves — HV ratio of all points evaluated so far, not "
                      "only those returned\n(median over seeds, band = min to max; gradient "
                      f"solvers' line-search trials count too{left_out})")
    return plots.save(fig, f"{stem}_training")


def _heldout_limits(pts, x_col, y_col, maximise_y: bool, bound):
    """Limits around the best test points of all runs (non-dominated in x and y), with a margin
    and the ε-rule's bound in view: the close-up beside the figure's every-point panel."""
    from ..indicators import nondominated

    test = pts[(pts["split"] == "test") & pts["feasible"].astype(bool)]
    P = test[[x_col, y_col]].to_numpy(float)
    P = P[np.isfinite(P).all(1)]
    if not len(P):
        return None
    Q = P * np.array([1.0, -1.0 if maximise_y else 1.0])
    best = P[nondominated(Q)]
    (x0, x1), (y0, y1) = _limits(best, margin=0.08)
    if bound is not None:
        x0, x1 = min(x0, -0.05 * bound), max(x1, 1.3 * bound)
    return (x0, x1), (y0, y1)


def _zoom(full, close, chosen=()):
    """The close-up's limits, widened to hold the chosen models; None when it would show little
    more than the full axes (under a 1.6-fold magnification on both axes)."""
    if full is None or close is None:
        return None
    (x0, x1), (y0, y1) = close
    for x, y in chosen:
        if np.isfinite(x) and np.isfinite(y):
            pad_x, pad_y = 0.05 * (x1 - x0), 0.05 * (y1 - y0)
            x0, x1 = min(x0, x - pad_x), max(x1, x + pad_x)
            y0, y1 = min(y0, y - pad_y), max(y1, y + pad_y)
    (a0, a1), (b0, b1) = full
    x0, x1, y0, y1 = max(x0, a0), min(x1, a1), max(y0, b0), min(y1, b1)
    if (a1 - a0) < 1.6 * (x1 - x0) and (b1 - b0) < 1.6 * (y1 - y0):
        return None
    return (x0, x1), (y0, y1)


def _test_front(P, maximise_y: bool) -> np.ndarray:
    """The points of P non-dominated in (x down, y up or down), sorted by x: a front on test."""
    from ..indicators import nondominated

    P = P[np.isfinite(P).all(1)]
    if not len(P):
        return P
    F = P[nondominated(P * np.array([1.0, -1.0 if maximise_y else 1.0]))]
    return F[np.lexsort((F[:, 1], F[:, 0]))]


def _heldout_axes(pts, manifest, problem, objectives):
    """(x column, y column, axis names, fairness objective or None) of a held-out figure: test
    accuracy against the exact fairness gap for a fairness problem with a classifier, else the
    second objective against the first."""
    from .heldout import fairness_objective

    fair = fairness_objective(objectives, pts.columns)
    if fair is not None:
        x_col = f"{fair}:exact"
        y_col = "accuracy" if "accuracy" in pts.columns and pts["accuracy"].notna().any() \
            else objectives[0]
    else:
        x_col, y_col = objectives[1], objectives[0]
    names = _axis_names(manifest, problem, [x_col, y_col]) if y_col != "accuracy" else \
        [_axis_names(manifest, problem, [x_col])[0], "accuracy (share of right decisions)"]
    return x_col, y_col, names, fair


def _heldout_figure(points, sub, solver_runs, objectives, looks, manifest, problem,
                    stem) -> list[Path]:
    """Held-out sweeps: every solver on one axes — its points on test (filled, its colour and
    marker) with its front on test as a line, the same points on train (hollow, lighter) and,
    for a fairness problem with a classifier (test accuracy against the exact gap on test), the
    ε-rule's bound as a dashed line and each run's validation-chosen model as a large outlined
    star. The axes hold every point; a close-up of the best test points sits beside them when
    far-off points squash the rest. No intervals: the points table stores one value per point
    and part, and these problems have one run per solver."""
    from .. import plots
    from .heldout import EPSILON_BOUND, chosen_table

    pts = points[points["problem"] == problem]
    if not (pts["split"] == "test").any():
        return []
    x_col, y_col, names, fair = _heldout_axes(pts, manifest, problem, objectives)
    maximise_y = y_col == "accuracy"
    chosen = chosen_table(sub, points, problem) if fair is not None else pd.DataFrame()
    series, stars = [], []
    for label in solver_runs["label"].drop_duplicates():
        ids = solver_runs.loc[solver_runs["label"] == label, "run_id"]
        mine = pts[pts["run_id"].isin(ids) & pts["feasible"].astype(bool)]
        train = mine.loc[mine["split"] == "train", [x_col, y_col]].to_numpy(float)
        test = mine.loc[mine["split"] == "test", [x_col, y_col]].to_numpy(float)
        n = ids.nunique()
        note = f"{n} run{'s' if n != 1 else ''}"
        marks = []
        if len(chosen):
            c = chosen[chosen["run_id"].isin(ids) & chosen["point"].notna()]
            y = c["test_accuracy"] if maximise_y else c["test_loss"]
            marks = [{"x": float(a), "y": float(b)} for a, b in zip(c["test_gap"], y)]
            stars += [(m["x"], m["y"]) for m in marks]
            if len(c):
                note += f"; chosen broke the bound on test in {int(c['broke'].sum())} of {len(c)}"
            mine_c = chosen[chosen["run_id"].isin(ids)]
            unmeasured = int((~mine_c["measured"].astype(bool)).sum())
            missed = len(mine_c) - len(c) - unmeasured
            if missed:
                note += f"; none met the bound on validation in {missed}"
            if unmeasured:
                note += f"; gap not measured on validation in {unmeasured}"
        series.append({"label": label, "style": looks[label], "note": note, "train": train,
                       "test": test, "front": _test_front(test, maximise_y), "chosen": marks})
    bounds = (EPSILON_BOUND,) if fair is not None else ()
    limits = plots.fitted_limits([a for s in series for a in (s["train"], s["test"])]
                                 + [np.array(stars).reshape(-1, 2)], include_x=bounds)
    close = _heldout_limits(pts[pts["run_id"].isin(solver_runs["run_id"])], x_col, y_col,
                            maximise_y, EPSILON_BOUND if fair is not None else None)
    legend = [("*", f"model chosen on validation (ε-rule: least {objectives[0]} with gap ≤ "
                    f"{EPSILON_BOUND:g}), on test")] if fair is not None else []
    what = "test accuracy against the test gap" if maximise_y else "test fronts"
    fig = plots.heldout_overlay(
        series, names, limits=limits, zoom=_zoom(limits, close, stars), bounds=bounds,
        chosen_legend=legend, train_label="the same points on train (hollow, lighter)",
        test_label="points on test (filled; line: the solver's front on test)",
        title=f"{problem}: {what}, every solver trained on the train part only")
    return plots.save(fig, f"{stem}_heldout")


def _pooled_heldout_figure(points, runs, group, settings, budget, manifest, out) -> list[Path]:
    """Problems that differ only in the split seed: every solver on one axes — its test points of
    every split (accuracy against the exact fairness gap on test, faint) and, per ε-rule bound,
    the validation-chosen model's test values as the mean across split seeds (a large outlined
    marker) with 95 % bootstrap intervals across the split seeds in both directions. The axes hold
    every point; a close-up sits beside them when far-off points squash the rest.
    ``<name>_heldout_pooled.png``."""
    import os

    from .. import plots
    from .heldout import EPSILON_BOUNDS, chosen_table, fairness_objective
    from .stats import bootstrap_ci

    sub = runs[runs["problem"].isin(group)]
    objectives = [s.strip() for s in str(sub["objectives"].dropna().iloc[0]).split(",")] \
        if sub["objectives"].notna().any() else []
    pts = points[points["problem"].isin(group)]
    fair = fairness_objective(objectives, pts.columns)
    if fair is None or not (pts["split"] == "test").any() or "accuracy" not in pts.columns \
            or not pts["accuracy"].notna().any():
        return []
    solver_runs = _largest_budget(sub[sub["solver"] != "exact"], settings, budget)
    labels = list(solver_runs["label"].drop_duplicates())
    looks = _styles(labels)
    x_col, y_col = f"{fair}:exact", "accuracy"
    names = [_axis_names(manifest, group[0], [x_col])[0] + " on test", "accuracy on test"]
    chosen = {b: pd.concat([chosen_table(sub, points, p, b) for p in group], ignore_index=True)
              for b in EPSILON_BOUNDS}
    mine_pts = pts[pts["run_id"].isin(solver_runs["run_id"])]
    where = dict(zip(sub["run_id"], sub["problem"]))
    marks = dict(zip(EPSILON_BOUNDS, ("D", "*", "P", "X")))
    lines = dict(zip(EPSILON_BOUNDS, (":", "--", "-.", (0, (1, 3)))))
    series, ends = [], []
    for label in labels:
        ids = solver_runs.loc[solver_runs["label"] == label, "run_id"]
        rows = mine_pts[mine_pts["run_id"].isin(ids) & (mine_pts["split"] == "test")
                        & mine_pts["feasible"].astype(bool)]
        notes, means = [], []
        for b in EPSILON_BOUNDS:
            c = chosen[b][chosen[b]["run_id"].isin(ids)]
            got = c[c["point"].notna()]
            missed = len(c) - len(got)
            note = f"≤ {b:g}: broke {int(got['broke'].astype(bool).sum())} of {len(got)}"
            notes.append(note + (f", {missed} none" if missed else ""))
            if not len(got):
                continue
            per = got.groupby(got["run_id"].map(where), sort=False)[
                ["test_gap", "test_accuracy"]].mean()  # one value per split seed
            mean = per.mean().to_numpy(float)
            err = []
            for col, m in zip(("test_gap", "test_accuracy"), mean):
                lo, hi = bootstrap_ci(per[col].to_numpy(float))
                err.append([[m - lo], [hi - m]] if np.isfinite(lo) else None)
                if np.isfinite(lo):
                    ends.append((lo, hi, col))
            means.append({"x": float(mean[0]), "y": float(mean[1]), "xerr": err[0],
                          "yerr": err[1], "marker": marks[b], "size": 260 if marks[b] == "*"
                          else 150})
        n = solver_runs.loc[solver_runs["label"] == label, "problem"].nunique()
        series.append({"label": label, "style": looks[label], "test": rows[[x_col, y_col]]
                       .to_numpy(float), "size": 14, "alpha": 0.35, "chosen": means,
                       "note": f"{n} split seeds; {'; '.join(notes)}"})
    stars = [(m["x"], m["y"]) for s in series for m in s["chosen"]]
    bars = [np.array([[lo, np.nan], [hi, np.nan]]) if col == "test_gap"
            else np.array([[np.nan, lo], [np.nan, hi]]) for lo, hi, col in ends]
    limits = plots.fitted_limits([s["test"] for s in series] + [np.array(stars).reshape(-1, 2)],
                                 include_x=EPSILON_BOUNDS)
    if limits is not None:  # the intervals' ends in view too
        (x0, x1), (y0, y1) = limits
        xs = [v for b in bars for v in b[:, 0] if np.isfinite(v)]
        ys = [v for b in bars for v in b[:, 1] if np.isfinite(v)]
        limits = ((min([x0] + xs), max([x1] + xs)), (min([y0] + ys), max([y1] + ys)))
    close = _heldout_limits(mine_pts, x_col, y_col, True, max(EPSILON_BOUNDS))
    legend = [(marks[b], f"chosen on validation at gap ≤ {b:g}: mean on test over split seeds, "
                         "95 % bootstrap interval") for b in EPSILON_BOUNDS]
    prefix = os.path.commonprefix(group)
    name = prefix[:-2] if prefix.endswith("-s") else "_".join(group[:1])
    fig = plots.heldout_overlay(
        series, names, limits=limits, zoom=_zoom(limits, close, stars), bounds=EPSILON_BOUNDS,
        bound_styles={b: {"ls": lines[b]} for b in EPSILON_BOUNDS}, chosen_legend=legend,
        test_label="test points, every split seed",
        title=f"{name}: test accuracy against the test gap over {len(group)} split seeds "
              f"({', '.join(group)}), every solver trained on its train part")
    return plots.save(fig, out / f"{name}_heldout_pooled")
