"""The numbers in docs/studies.md's sentences that no value region can give (percentages against
an interpolated front, a union reference's end, gaps between solvers), checked against the
committed points and runs to the precision the doc prints them at."""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from tradeoff import nondominated
from tradeoff.experiments.docs_tables import VALUE
from tradeoff.experiments.tables import UNION_TOL

ROOT = Path(__file__).resolve().parents[2]
RESULTS = ROOT / "results"


def _prose() -> str:
    """docs/studies.md with value regions replaced by their text and lines joined."""
    text = (ROOT / "docs" / "studies.md").read_text(encoding="utf-8")
    return " ".join(VALUE.sub(lambda m: m.group("body"), text).split())


def _points(study: str) -> pd.DataFrame:
    return pd.read_csv(RESULTS / study / "points.csv", low_memory=False)


def _above_front(study: str, labels, budget=None) -> pd.Series:
    """Each point's MSE above the exact front's at its `mean_gap_sq`, in %."""
    points = _points(study)
    runs = pd.read_csv(RESULTS / study / "runs.csv", low_memory=False)
    front = points[points["label"] == "exact"].sort_values("mean_gap_sq")
    keep = runs["label"].isin(labels)
    if budget is not None:
        keep &= runs["opt_max_evaluations"] == budget
    mine = points[points["run_id"].isin(runs.loc[keep, "run_id"])]
    at = np.interp(mine["mean_gap_sq"], front["mean_gap_sq"], front["mse"])
    return (mine["mse"] / at - 1) * 100


def _union_end(study: str, problem: str, objectives) -> float:
    """The largest log-loss of the union reference: every run's best points, non-dominated by
    more than ``UNION_TOL`` of a range (tradeoff.experiments.tables.reference)."""
    points = _points(study)
    best = points[(points["problem"] == problem) & (points["label"] != "exact")
                  & points["feasible"] & points["nondominated"]]
    F = best[list(objectives)].to_numpy(float)
    return float(F[nondominated(F, tol=UNION_TOL)][:, 0].max())


def _lowest_log_loss(problem: str, gap: str, bound: float) -> pd.Series:
    points = _points("fairness_synthetic")
    points = points[(points["problem"] == problem) & (points[gap] <= bound)]
    return points.groupby("label")["log_loss"].min()


GRADIENT = ["weighted-sum", "penalty", "epsilon-constraint", "epsilon-constraint-exact"]
EXACT_GAP = "demographic_parity_sq:exact"
ODDS_LABELS = ["nsga2", "epsilon-constraint", "weighted-sum", "fairlearn-eg-odds",
               "epsilon-constraint-exact"]

def _cost(study):
    mse = _points(study).query("label == 'exact'")["mse"]
    return [((mse.max() / mse.min() - 1) * 100, "=")]


def _median_and_max(study, labels, budget=None):
    above = _above_front(study, labels, budget)
    return [(above.median(), "="), (above.max(), "=")]


def _fairlearn_gaps():
    gaps = _points("fairness_diabetes").query("label in ['fairlearn-grid', 'fairlearn-eg']")
    return [(gaps["mean_gap_sq:exact"].min(), "="), (gaps["mean_gap_sq:exact"].max(), "=")]


def _arrests_ends():
    points = _points("fairness_arrests")
    fair = (points["label"] == "weighted-sum") & (points[EXACT_GAP] == 0)
    return [(points.loc[points["log_loss"].idxmin(), EXACT_GAP], "="),
            (points.loc[fair, "log_loss"].min(), "=")]


def _synthetic_gap():
    points = _points("fairness_synthetic").query("problem == 'parity'")
    return [(points.loc[points["log_loss"].idxmin(), EXACT_GAP], "=")]


def _odds_spread():
    lowest = _lowest_log_loss("odds", "equalized_odds_sq:exact", 0.05)[ODDS_LABELS]
    return [(lowest.max() - lowest.min(), "≥")]


def _chosen(problems, labels, seconds=None) -> pd.Series:
    """Test accuracy at parity ≤ 0.05 of the models chosen on validation, from the dimension
    study's report (its per-problem held-out tables, made from the committed runs and points)."""
    rows, problem, table = [], None, False
    for line in (RESULTS / "scaling_d" / "report.md").read_text(encoding="utf-8").splitlines():
        if line.startswith("## "):
            problem = line[3:].strip()
        table = (table or line.startswith("| solver | max_seconds | runs | test HV ratio")) \
            and line.startswith("|")
        cells = [c.strip() for c in line.strip("|").split("|")]
        if table and cells[0] != "solver" and not cells[0].startswith("---"):
            rows.append((problem, cells[0], float(cells[1]), cells[8]))
    found = pd.DataFrame(rows, columns=["problem", "label", "seconds", "accuracy"])
    keep = found["problem"].isin(problems) & found["label"].isin(labels)
    if seconds is not None:
        keep &= found["seconds"] == seconds
    return pd.to_numeric(found.loc[keep, "accuracy"], errors="coerce").dropna()


def _columns_led_by_the_minibatch_loop():
    runs = pd.read_csv(RESULTS / "scaling_d" / "runs.csv", low_memory=False)
    runs = runs[runs["problem"] != "logistic"].dropna(subset=["test_hv_ratio"])
    best = runs.loc[runs.groupby(["problem", "opt_max_seconds"])["test_hv_ratio"].idxmax(), "label"]
    return [(best.isin(["hv-grad-adam", "epo-adam"]).sum(), "="), (len(best), "=")]


MLPS = ["mlp16", "mlp64x64", "mlp256x256"]
PARITY = ("log_loss", "demographic_parity_sq")
# name: (the sentence, one group per number; what each number is, with "=": to the printed
# precision, or "≥": the quoted number bounds the results)
CHECKS = {
    "diabetes: closing the gap": (
        r"Closing the gap from [\d.]+ to 0 costs (\d+) % MSE", lambda: _cost("fairness_diabetes")),
    "diabetes: gradient solvers on the front": (
        r"every point within ([\d.]+) % of its MSE at the same gap",
        lambda: [(_above_front("fairness_diabetes", GRADIENT).abs().max(), "≥")]),
    "diabetes: NSGA-II above the front": (
        r"NSGA-II reaches [^%]*?, its points a median ([\d.]+) % and up to (\d+) % above the front",
        lambda: _median_and_max("fairness_diabetes", ["nsga2"], 10000)),
    "diabetes: fairlearn's gaps": (
        r"every point's gap is ([\d.]+)–([\d.]+), at or above the unconstrained model's",
        _fairlearn_gaps),
    "cps1985: closing the gap": (r"wage costs ([\d.]+) % MSE", lambda: _cost("fairness_cps1985")),
    "cps1985: GridSearch above the front": (
        r"its points are a median ([\d.]+) % and up to (\d+) % above the front's MSE at equal gap",
        lambda: _median_and_max("fairness_cps1985", ["fairlearn-grid"])),
    "arrests: the most accurate model's gap": (
        r"the most accurate model \(log-loss [\d.]+\) gives decisions with a demographic parity "
        r"difference of ([\d.]+), and at log-loss ([\d.]+) the weighted sum's decisions already "
        r"have a difference of 0", _arrests_ends),
    "arrests: the union's end": (
        r"The union of the best points ends at log-loss ([\d.]+);",
        lambda: [(_union_end("fairness_arrests", "arrests", PARITY), "=")]),
    "synthetic: the most accurate model's gap": (
        r"the most accurate logistic model \(log-loss [\d.]+\) gives the two groups positive "
        r"rates ([\d.]+) apart", _synthetic_gap),
    "synthetic: equalized odds ≤ 0.05": (r"are within ([\d.]+) of each other", _odds_spread),
    "scaling_d: evolution's chosen models": (
        r"Their chosen models' test accuracy at parity ≤ 0.05 is ([\d.]+)–([\d.]+) on the MLPs",
        lambda: [(a.min(), "="), (a.max(), "=")] if len(
            a := _chosen(MLPS, ["nsga2", "sms-emoa"])) else []),
    "scaling_d: full-batch chosen models": (
        r"its chosen model on MLP \[64, 64\]: test accuracy ([\d.]+),.*? and on MLP \[16\] its "
        r"chosen model has test accuracy ([\d.]+)\.",
        lambda: [(_chosen(["mlp64x64"], ["epo"], 10).iloc[0], "="),
                 (_chosen(["mlp16"], ["hv-grad"], 10).iloc[0], "=")]),
    "scaling_d: mini-batch chosen models": (
        r"Their chosen models reach test accuracy ([\d.]+) \(EPO, MLP \[64, 64\], 10 s\) and "
        r"([\d.]+) \(hv-grad, MLP \[16\], 10 s\), and they lead (\w+) of the (\w+) network columns",
        lambda: [(_chosen(["mlp64x64"], ["epo-adam"], 10).iloc[0], "="),
                 (_chosen(["mlp16"], ["hv-grad-adam"], 10).iloc[0], "="),
                 *_columns_led_by_the_minibatch_loop()]),
    "the union references' ends": (
        r"it ends at log-loss ([\d.]+) \(Arrests\), ([\d.]+) \(parity\) and ([\d.]+) "
        r"\(equalized odds\)",
        lambda: [(_union_end("fairness_arrests", "arrests", PARITY), "="),
                 (_union_end("fairness_synthetic", "parity", PARITY), "="),
                 (_union_end("fairness_synthetic", "odds", ("log_loss", "equalized_odds_sq")),
                  "=")]),
}


WORDS = {"two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8}


def agrees(quoted: str, actual: float, how: str = "=") -> bool:
    """Whether ``quoted`` is ``actual`` to its printed precision (or bounds it, ``"≥"``)."""
    quoted = str(WORDS.get(quoted, quoted))
    half = 0.5 * 10.0 ** -(len(quoted.split(".")[1]) if "." in quoted else 0)
    if how == "≥":
        return actual <= float(quoted) + half
    return abs(float(quoted) - actual) <= half * (1 + 1e-9)


@pytest.mark.parametrize("name", CHECKS)
def test_a_derived_number_in_studies_md_is_the_results(name):
    pattern, compute = CHECKS[name]
    m = re.search(pattern, _prose())
    assert m is not None, f"docs/studies.md no longer has the sentence of {name!r}: {pattern}"
    expected = compute()
    assert len(expected) == len(m.groups())
    for quoted, (actual, how) in zip(m.groups(), expected):
        assert agrees(quoted, float(actual), how), f"{name}: the doc says {quoted}, not {actual}"


@pytest.mark.parametrize("quoted, actual, how, ok", [
    ("23", 23.26, "=", True), ("24", 23.26, "=", False),
    ("0.034", 0.03407, "=", True), ("0.035", 0.03407, "=", False),
    ("0.03", 0.0228, "≥", True), ("0.02", 0.0228, "≥", True), ("0.01", 0.0228, "≥", False),
    ("four", 4, "=", True), ("three", 4, "=", False),
])
def test_agrees_is_to_the_printed_precision(quoted, actual, how, ok):
    assert agrees(quoted, actual, how) is ok
