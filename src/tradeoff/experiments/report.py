"""Summaries of a runs table: mean and 95 % bootstrap interval over seeds per solver setting, the
pairwise tests between solvers, as data and as Markdown."""

from __future__ import annotations

import math
import os

import numpy as np
import pandas as pd

METRICS = (("hv_ratio", "HV ratio", 4), ("igd_plus", "IGD+", 4), ("evaluations", "evaluations", 0),
           ("estimator_fits", "estimator fits", 0), ("seconds", "seconds", 3),
           ("spacing", "spacing", 4), ("sparsity", "sparsity", 4), ("passes", "passes", 0))
# fairlearn's reductions count estimator fits, not evaluations: a column only where one has them;
# spacing and sparsity only where the runs table has them (tables written before them do not);
# passes over the rows only for chunked (Dask) data
OPTIONAL_METRICS = ("estimator_fits", "spacing", "sparsity", "passes")
SPREAD_NOTE = (" Spacing (Schott's: the standard deviation of each point's L1 distance to its "
               "nearest neighbour; 0 when evenly spaced) and sparsity (LibMOON's: the squared gaps "
               "between neighbours along each objective, summed, over k − 1; lower is denser) are "
               "of the same points in the same normalised units, tradeoff.indicators; both "
               "depend on the number of points.")


def option_columns(runs: pd.DataFrame) -> list[str]:
    return [c for c in runs.columns if c.startswith("opt_")]


def setting_columns(runs: pd.DataFrame) -> list[str]:
    """The options that vary between the runs of one solver label: the grid's keys."""
    cols = []
    for c in option_columns(runs):
        varies = runs.groupby(["problem", "label"], sort=False)[c].nunique(dropna=False).gt(1).any()
        if varies:
            cols.append(c)
    return cols


def summary(runs: pd.DataFrame) -> pd.DataFrame:
    """One row per (problem, label, grid setting), in the runs table's order: counts, whether every
    seed gave the same result (``deterministic``), and per metric (HV ratio, IGD+, evaluations,
    seconds) over the seeds of the runs that finished: the mean, the sample sd and a 95 %
    percentile-bootstrap interval of the mean (``_lo``, ``_hi``)."""
    from .stats import bootstrap_ci, deterministic

    keys = ["problem", "label"] + setting_columns(runs)
    rows = []
    for key, group in runs.groupby(keys, sort=False, dropna=False):
        key = key if isinstance(key, tuple) else (key,)
        ok = group[group["status"] == "ok"]
        row = dict(zip(keys, key))
        row.update(solver=group["solver"].iloc[0], runs=len(group), ok=len(ok),
                   failed=int((group["status"] == "failed").sum()),
                   deterministic=deterministic(group))
        for col, _, _ in METRICS:
            if col not in ok.columns:  # a table from before the column existed
                values = np.zeros(0)
            else:
                values = pd.to_numeric(ok[col], errors="coerce").astype(float).dropna().to_numpy()
            lo = hi = math.nan
            if np.isinf(values).any():  # e.g. IGD+ of a run without a feasible point
                mean, sd = float(values.mean()), math.nan
            else:
                mean = float(values.mean()) if len(values) else math.nan
                sd = float(values.std(ddof=1)) if len(values) > 1 else math.nan
                lo, hi = bootstrap_ci(values)
            row[f"{col}_mean"], row[f"{col}_sd"] = mean, sd
            row[f"{col}_lo"], row[f"{col}_hi"] = lo, hi
        feasible = pd.to_numeric(ok["n_feasible"], errors="coerce")
        row["no_feasible"] = bool(len(ok)) and bool((feasible.fillna(0) == 0).all())
        rows.append(row)
    return pd.DataFrame(rows)


def format_ci(mean: float, lo: float, hi: float, digits: int) -> str:
    """``mean [lo, hi]``; the mean alone when every seed gave the same value (or one seed ran)."""
    if mean is None or (isinstance(mean, float) and math.isnan(mean)):
        return "–"
    if math.isinf(mean):
        return "inf"
    text = f"{mean:.{digits}f}"
    if lo is not None and not math.isnan(lo):
        low, high = f"{lo:.{digits}f}", f"{hi:.{digits}f}"
        if not low == high == text:
            text += f" [{low}, {high}]"
    return text


_fmt = format_ci  # the name this module's tables use


def _setting(value) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)) or value is pd.NA:
        return ""
    if isinstance(value, (float, np.floating)) and float(value).is_integer():
        return str(int(value))
    return str(value)


def reference_note(runs: pd.DataFrame, problem: str, manifest: dict | None = None) -> str:
    sub = runs[runs["problem"] == problem]
    rule = sub["reference"].dropna().iloc[0] if sub["reference"].notna().any() else "none"
    exact = sub[sub["solver"] == "exact"]
    n_exact = int(exact["n_points"].fillna(0).iloc[0]) if len(exact) else 0
    if rule == "exact":
        return f"Reference: the exact front ({n_exact} points)."
    why = exact["message"].iloc[0] if len(exact) and isinstance(exact["message"].iloc[0], str) else ""
    why = why.removeprefix("no exact front: ").split(";")[0]
    skipped = ((manifest or {}).get("exact_skipped") or {}).get(problem)
    if not len(exact) and skipped:  # the sweep ran no exact solver here: say why
        why = f"the problem is {skipped}, so the sweep ran no exact solver"
    return ("Reference: **the union of all runs' feasible non-dominated points**, as there is no "
            f"exact front{f' ({why})' if why else ''}. An HV ratio near 1 means close to the best "
            "found, not to the true front.")


def fixed_reference(manifest: dict | None, problem: str) -> list[float] | None:
    """A problem's fixed HV reference point (``hv_reference`` in its config), or None."""
    for spec in ((manifest or {}).get("config") or {}).get("problems") or []:
        name = spec.get("name")
        if "hv_reference" in spec and (problem == name or problem.startswith(f"{name}-s")):
            return [float(v) for v in spec["hv_reference"]]
    return None


def hv_reference_note(manifest: dict, problem: str) -> str:
    """What a problem's fixed HV reference point does, or ""."""
    point = fixed_reference(manifest, problem)
    if point is None:
        return ""
    return (f" HV reference point fixed by the config at ({', '.join(f'{v:g}' for v in point)}) "
            "in the objectives' units (`hv_reference`), for the training and the test scores: "
            "only points below it in every objective count, the reference is cut to them, and "
            "the scale runs from their ideal to that point.")


def objectives_note(manifest: dict, problem: str, names: list[str]) -> str:
    """``MSE [target²] (`mse`), ...``: what each objective column is, with its config parameters."""
    from ..display import describe

    params = objective_params(manifest, problem)
    return ", ".join(describe(n, params.get(n)) for n in names)


def objective_params(manifest: dict, problem: str) -> dict[str, dict]:
    """Each objective's parameters as the config gives them, e.g. {'cap_violation': {'cap': 120}}."""
    out: dict[str, dict] = {}
    for spec in problem_specs(manifest):
        if isinstance(spec, dict) and spec.get("name", None) in (problem, None):
            for obj in spec.get("objectives", []):
                if isinstance(obj, dict) and "name" in obj:
                    out[obj["name"]] = {k: v for k, v in obj.items() if k != "name"}
    return out


def _budget_text(row: dict, settings: list[str]) -> str:
    parts = [f"{c[4:]} = {_setting(row[c])}" for c in settings if _setting(row.get(c))]
    return f" ({', '.join(parts)})" if parts else ""


def tests_markdown(runs: pd.DataFrame, problem: str, settings: list[str]) -> list[str]:
    """Pairwise Wilcoxon signed-rank tests of HV ratio over paired seeds, Holm-corrected."""
    from .stats import ALPHA, pairwise, smallest_p

    table = pairwise(runs[runs["problem"] == problem], settings)
    if table.empty:
        return []
    n = int(table["n"].max())
    lines = ["### Differences in HV ratio between solvers", "",
             f"Wilcoxon signed-rank tests (two-sided, scipy.stats.wilcoxon) over the seeds both "
             f"solvers ran, Holm-corrected over the pairs at each setting; **bold** = significant at "
             f"α = {ALPHA:g}. Δ = mean of (A − B) over seeds. "]
    pairs = int(table.groupby(["problem"] + list(settings), dropna=False).size().max())
    floor = min(1.0, smallest_p(n) * pairs)  # Holm multiplies the smallest p by the family's size
    if floor >= ALPHA:
        need = next(k for k in range(2, 64) if smallest_p(k) * pairs < ALPHA)
        lines[-1] += (f"With {n} paired seeds and {pairs} pair{'s' if pairs != 1 else ''} per "
                      f"setting the smallest "
                      f"Holm-corrected p-value these tests can give is {floor:.3g}, so no "
                      f"difference can be significant here: read Δ as a description of these "
                      f"seeds; {need} seeds would give a test that can detect one. ")
    lines[-1] += ("\"same for every seed\": both solvers are deterministic, so Δ is exact and "
                  "no test is needed.")
    lines += [""]
    head = [c[4:] for c in settings] + ["A", "B", "seeds", "Δ HV ratio (A − B)", "p (Holm)"]
    lines.append("| " + " | ".join(head) + " |")
    lines.append("|" + "---:|" * len(settings) + "---|---|---:|---:|---:|")
    for r in table.to_dict("records"):
        if r["exact"]:
            p_cell = "same for every seed"
        elif math.isnan(r["p_holm"]):
            p_cell = "–"
        else:
            p_cell = f"{r['p_holm']:.3g}"
        diff = "–" if math.isnan(r["mean_diff"]) else f"{r['mean_diff']:+.4f}"
        if r["significant"] and not r["exact"]:
            diff, p_cell = f"**{diff}**", f"**{p_cell}**"
        cells = [_setting(r[c]) for c in settings] + [r["a"], r["b"], str(r["n"]), diff, p_cell]
        lines.append("| " + " | ".join(cells) + " |")
    lines.append("")
    return lines


def markdown(runs: pd.DataFrame, manifest: dict | None = None, *, tests: bool = True,
             points: pd.DataFrame | None = None) -> str:
    """A Markdown report: a table per problem (mean and 95 % bootstrap interval over seeds), the
    pairwise tests between solvers, for a problem with a split (given ``points``) its held-out
    table, then any failed runs."""
    manifest = manifest or {}
    name = manifest.get("experiment") or (runs["experiment"].iloc[0] if len(runs) else "results")
    lines = [f"# {name}", ""]
    if manifest.get("description"):
        lines += [manifest["description"].strip(), ""]
    n_ok = int((runs["status"] == "ok").sum())
    n_failed = int((runs["status"] == "failed").sum())
    n_missing = len(runs) - n_ok - n_failed
    meta = [f"{len(runs)} runs: {n_ok} ok, {n_failed} failed" + (f", {n_missing} missing"
                                                                  if n_missing else "") + "."]
    if manifest.get("config_file"):
        meta.append(f"Config `{manifest['config_file']}` (sha256 {manifest.get('config_hash', '')[:12]}).")
    if manifest.get("tradeoff_version"):  # git_commit: tradeoff's own source, when known
        commit = manifest.get("git_commit")
        meta.append(f"tradeoff {manifest['tradeoff_version']}"
                    + (f" (commit {commit})" if commit else "") + ".")
    elif manifest.get("git_commit"):  # an older manifest: the commit of the config's repository
        meta.append(f"Commit {manifest['git_commit']}.")
    lines += [" ".join(meta), "",
              "HV ratio: the hypervolume of a run's feasible non-dominated points over the "
              "reference's, both normalised by one scale per problem (the reference's ideal and "
              "nadir; reference point 1.1 × the nadir for non-negative objectives, see tradeoff.Scale). "
              "IGD+ is in the same normalised units. Cells are the mean over seeds of the runs "
              "that finished, with a 95 % percentile-bootstrap interval of that mean in brackets "
              "(scipy.stats.bootstrap, 9,999 resamples, seeded); a single number means every seed "
              "gave the same value, and \"same result\" in the runs column marks a solver setting "
              "whose seeds all gave the same front (a deterministic solver, reported once). "
              "Evaluations count full-data evaluations of one candidate; fairlearn's reductions "
              "evaluate no objective while they search and count estimator fits instead, in a "
              "column of their own (\"–\" where a solver does not count in that unit). "
              + ("Seconds are solver wall time. " if "seconds" in runs.columns else
                 "Solver wall time differs on every run, so it is not in this file: `tradeoff "
                 "report` prints it from the results folder's timings.csv. ")
              + "The exact front is a sample of points on the true front, so "
              "a run that fills its gaps can score slightly above 1."
              + (SPREAD_NOTE if "spacing" in runs.columns else ""), ""]
    table = summary(runs)
    settings = setting_columns(runs)
    for problem in runs["problem"].drop_duplicates():
        sub = table[table["problem"] == problem]
        objectives = runs.loc[runs["problem"] == problem, "objectives"].dropna()
        lines += [f"## {problem}", ""]
        if len(objectives) and objectives.iloc[0]:
            names = [n.strip() for n in str(objectives.iloc[0]).split(",")]
            lines.append(f"Objectives: {objectives_note(manifest, problem, names)}. "
                         + reference_note(runs, problem, manifest)
                         + hv_reference_note(manifest, problem))
        else:
            lines.append(reference_note(runs, problem, manifest)
                         + hv_reference_note(manifest, problem))
        lines.append("")
        metrics = [m for m in METRICS if (m[0] not in OPTIONAL_METRICS
                                          or sub[f"{m[0]}_mean"].notna().any())
                   and (m[0] != "seconds" or "seconds" in runs.columns)]
        head = ["solver"] + [c[4:] for c in settings] + ["runs"] + [t for _, t, _ in metrics]
        lines.append("| " + " | ".join(head) + " |")
        lines.append("|" + "---|" * 1 + "---:|" * (len(head) - 1))
        for row in sub.itertuples(index=False):
            row = row._asdict()
            runs_cell = f"{row['ok']}" if row["ok"] == row["runs"] else f"{row['ok']} of {row['runs']}"
            if row["deterministic"]:
                runs_cell += ", same result"
            cells = [row["label"]] + [_setting(row[c]) for c in settings] + [runs_cell]
            cells += [_fmt(row[f"{c}_mean"], row[f"{c}_lo"], row[f"{c}_hi"], d) for c, _, d in metrics]
            lines.append("| " + " | ".join(cells) + " |")
        lines.append("")
        empty = [row["label"] + "".join(f", {c[4:]} = {_setting(row[c])}" for c in settings
                                        if _setting(row[c]))
                 for _, row in sub[sub["no_feasible"] & (sub["solver"] != "exact")].iterrows()]
        if empty:
            lines += [f"No feasible point in any run of: {'; '.join(empty)} "
                      "(hence HV ratio 0 and IGD+ inf).", ""]
        if tests and runs.loc[runs["problem"] == problem, "seed"].nunique() >= 2:
            lines += tests_markdown(runs, problem, settings)
        if points is not None and "test_hv_ratio" in runs.columns and "split" in points.columns \
                and (points.loc[points["problem"] == problem, "split"] == "test").any():
            lines += heldout_markdown(runs, points, manifest, problem, settings)
    if points is not None and "test_hv_ratio" in runs.columns and "split" in points.columns:
        lines += heldout_pooled_markdown(runs, points, manifest, settings)
    failed = runs[runs["status"] == "failed"]
    if len(failed):
        lines += ["## Failed runs", ""]
        for row in failed.itertuples(index=False):
            lines.append(f"- {row.problem} / {row.label} / seed {_setting(row.seed)} "
                         f"(`{row.run_id}`): {row.error}")
        lines.append("")
    return "\n".join(lines)


def _mean_ci(values, digits: int, by=None) -> str:
    """``mean [lo, hi]`` of ``values``; with ``by`` (a key per value, e.g. the split's problem)
    the values are first averaged within each key, and the mean and its 95 % bootstrap interval
    are across the keys (across split seeds, not across runs)."""
    from .stats import bootstrap_ci

    v = pd.to_numeric(pd.Series(values), errors="coerce").astype(float)
    if by is not None:
        v = v.groupby(np.asarray(by), sort=False).mean()
    v = v.dropna().to_numpy()
    if not len(v):
        return "–"
    if np.isinf(v).any():
        return "inf"
    lo, hi = bootstrap_ci(v)
    return _fmt(float(v.mean()), lo, hi, digits)


def _heldout_context(runs, points, problems):
    sub = runs[runs["problem"].isin(problems) & (runs["solver"] != "exact")]
    objectives = [n.strip() for n in str(sub["objectives"].dropna().iloc[0]).split(",")] \
        if sub["objectives"].notna().any() else []
    pts = points[points["problem"].isin(problems)]
    return sub, objectives, pts


def _heldout_table(runs, points, problems, settings, fair) -> list[str]:
    """Rows per solver setting over the runs of ``problems``; with several problems (split seeds)
    each cell is the mean across them of their per-split means, with its bootstrap interval."""
    from ..display import axis_label
    from .heldout import EPSILON_BOUNDS, chosen_table

    sub, _, _ = _heldout_context(runs, points, problems)
    ok = sub[sub["status"] == "ok"]
    pooled = len(problems) > 1
    head = ["solver"] + [c[4:] for c in settings] + ["runs", "test HV ratio", "test IGD+"]
    chosen = {}
    if fair is not None:
        gap = axis_label(f"{fair}:exact", None)
        short = "gap" if "parity" not in gap else "parity diff."
        for b in EPSILON_BOUNDS:
            head += [f"test accuracy (≤ {b:g})", f"test {short} (≤ {b:g})", f"broke (≤ {b:g})"]
            chosen[b] = pd.concat([chosen_table(runs, points, p, b) for p in problems],
                                  ignore_index=True)
    lines = ["| " + " | ".join(head) + " |", "|---|" + "---:|" * (len(head) - 1)]
    for key, group in ok.groupby(["label"] + settings, sort=False, dropna=False):
        key = key if isinstance(key, tuple) else (key,)
        by = group["problem"].to_numpy() if pooled else None
        cells = [str(key[0])] + [_setting(v) for v in key[1:]] + [str(len(group))]
        cells += [_mean_ci(group["test_hv_ratio"], 4, by), _mean_ci(group["test_igd_plus"], 4, by)]
        for b, table in chosen.items():
            mine = table[table["run_id"].isin(group["run_id"])]
            got = mine[mine["point"].notna()]
            where = got["run_id"].map(dict(zip(group["run_id"], group["problem"]))).to_numpy() \
                if pooled else None
            broke = int(got["broke"].astype(bool).sum())
            unmeasured = int((~mine["measured"].astype(bool)).sum()) if len(mine) else 0
            missed = len(mine) - len(got) - unmeasured
            why = [f"{missed} none"] * bool(missed) + [f"{unmeasured} not measured"] * bool(
                unmeasured)
            cells += [_mean_ci(got["test_accuracy"], 4, where), _mean_ci(got["test_gap"], 4, where),
                      f"{broke} of {len(got)}" + (f" ({', '.join(why)})" if why else "")]
        lines.append("| " + " | ".join(cells) + " |")
    return lines + [""]


def problem_specs(manifest: dict | None) -> list:
    """The config's problem tables as the runs see them: a split with ``seeds`` expanded into one
    table per split seed (``<name>-s<seed>``, see heldout.expand_seeds)."""
    from .heldout import expand_seeds

    out = []
    for spec in ((manifest or {}).get("config") or {}).get("problems", []):
        out += expand_seeds(spec) if isinstance(spec, dict) else [spec]
    return out


def _split_spec(manifest, problem):
    return next((p for p in problem_specs(manifest)
                 if isinstance(p, dict) and p.get("name", None) in (problem, None)), {})


def heldout_markdown(runs: pd.DataFrame, points: pd.DataFrame, manifest: dict, problem: str,
                     settings: list[str]) -> list[str]:
    """The "Held-out (test)" table of a problem with a split: per solver setting, the test HV ratio
    and IGD+ and, for a fairness problem, the test values of the model the ε-rule picks on
    validation, and how often it breaks its bound on test."""
    from ..display import axis_label
    from .heldout import EPSILON_BOUNDS, fairness_objective

    _, objectives, pts = _heldout_context(runs, points, [problem])
    fair = fairness_objective(objectives, pts.columns)
    split = _split_spec(manifest, problem).get("split", {})
    rows = ((manifest or {}).get("data") or {}).get(problem, {}).get("split_rows", {})
    sizes = ", ".join(f"{k} {v:,}" for k, v in rows.items())
    pick_on = "validation" if (pts["split"] == "validation").any() else "train"
    lines = ["### Held-out (test)", "",
             f"Split: test = {split.get('test')}, validation = {split.get('validation', 0)}, "
             f"seed = {split.get('seed', 0)} (tradeoff.split, stratified by group × label"
             + (f"; rows: {sizes}" if sizes else "") + "). Every solver trained on the train part "
             "only; its points were then scored on each part (points table, `split` column). "
             "Test HV ratio and IGD+: the run's feasible non-dominated test points against the "
             "union of all runs' non-dominated test points of this problem (its own scale)."]
    if fair is not None:
        gap = axis_label(f"{fair}:exact", None)
        first = axis_label(objectives[0], None).split(" [")[0]
        bounds = " and ".join(f"{b:g}" for b in EPSILON_BOUNDS)
        lines[-1] += (f" Chosen model at bound b ({bounds}): per run, the point with the least "
                      f"{first} on {pick_on} among those whose {gap} on {pick_on} is ≤ b (the "
                      f"ε-rule, `front.select(\"epsilon\", minimise=\"{objectives[0]}\", bounds="
                      f"{{\"{fair}:exact\": b}}, data={pick_on})`); its accuracy (for a "
                      f"randomised point, the expected accuracy) and {gap} on test, and in how "
                      f"many runs that test {gap} is above b (\"broke\"; \"none\": runs in which "
                      f"no point met the bound on {pick_on}; \"not measured\": runs with no "
                      f"{gap} value on {pick_on} to compare with the bound).")
    return lines + [""] + _heldout_table(runs, points, [problem], settings, fair)


def split_seed_groups(manifest: dict, problems) -> list[list[str]]:
    """Groups of ≥ 2 split problems that differ only in their name and split seed."""
    from .config import canonical

    groups: dict[str, list[str]] = {}
    for p in problems:
        spec = _split_spec(manifest, p)
        if not spec.get("split") or spec.get("name") != p:
            continue
        key = {k: v for k, v in spec.items() if k != "name"}
        key["split"] = {k: v for k, v in spec["split"].items() if k != "seed"}
        groups.setdefault(canonical(key), []).append(p)
    return [g for g in groups.values() if len(g) >= 2]


def heldout_pooled_markdown(runs, points, manifest, settings) -> list[str]:
    """One table per group of problems that differ only in the split seed: every run pooled."""
    from .heldout import fairness_objective

    lines = []
    for group in split_seed_groups(manifest, list(runs["problem"].drop_duplicates())):
        _, objectives, pts = _heldout_context(runs, points, group)
        if not (pts["split"] == "test").any():
            continue
        fair = fairness_objective(objectives, pts.columns)
        seeds = [str(_split_spec(manifest, p)["split"].get("seed", 0)) for p in group]
        prefix = os.path.commonprefix(group)
        what = prefix[:-2] if prefix.endswith("-s") else " vs ".join(objectives[:2])
        lines += [f"## Held-out (test) over {len(group)} split seeds: {what}", "",
                  f"Problems {', '.join(group)}: the same problem split with seeds "
                  f"{', '.join(seeds)} (the split seed varies the train, validation and test rows, "
                  "and with them the solver's seed). Each cell is the mean over the split seeds "
                  "of that split's value (its mean when a split has several runs), with a 95 % "
                  "percentile-bootstrap interval across the split seeds in brackets "
                  "(scipy.stats.bootstrap, seeded); \"runs\" and \"broke\" count every run. "
                  "Columns as in each problem's held-out table, whose test scores are against that "
                  "split's own test union.", ""]
        lines += _heldout_table(runs, points, group, settings, fair)
    return lines
