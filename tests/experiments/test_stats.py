"""Statistics across seeds: bootstrap intervals, Holm, Wilcoxon on paired seeds, determinism."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from tradeoff.experiments import report
from tradeoff.experiments.stats import (bootstrap_ci, deterministic, holm, pairwise, smallest_p,
                                        wilcoxon)


def test_holm_by_hand():
    # Holm (1979): sorted p times (m, m-1, ...), made monotone, capped at 1
    np.testing.assert_allclose(holm([0.01, 0.04, 0.03, 0.005]), [0.03, 0.06, 0.06, 0.02])
    out = holm([np.nan, 0.2])
    assert np.isnan(out[0]) and out[1] == pytest.approx(0.2)


def test_bootstrap_interval_is_seeded_and_brackets_the_mean():
    x = [0.90, 0.92, 0.95, 0.91, 0.97]
    lo, hi = bootstrap_ci(x)
    assert (lo, hi) == bootstrap_ci(x)
    assert lo < np.mean(x) < hi and min(x) <= lo and hi <= max(x)
    assert bootstrap_ci([0.5, 0.5, 0.5]) == (0.5, 0.5)
    assert all(np.isnan(bootstrap_ci([0.5])))


def test_wilcoxon_and_its_floor():
    assert wilcoxon([1, 2, 3], [1, 2, 3]) == (0.0, 1.0)
    _, p = wilcoxon([1, 2, 3, 4, 5], [0, 0, 0, 0, 0])
    assert p == pytest.approx(smallest_p(5)) == pytest.approx(0.0625)
    assert np.isnan(wilcoxon([1], [0])[1])


def _runs(values: dict[str, list[float]]) -> pd.DataFrame:
    rows = []
    for label, vals in values.items():
        for seed, v in enumerate(vals):
            rows.append({"run_id": f"{label}{seed}", "experiment": "e", "problem": "p",
                         "solver": label, "label": label, "seed": seed, "status": "ok",
                         "hv_ratio": v, "igd_plus": 1 - v, "evaluations": 100, "seconds": 0.1,
                         "n_points": 10, "n_feasible": 10, "objectives": "mse, mae",
                         "reference": "union", "message": "", "error": ""})
    return pd.DataFrame(rows)


def test_pairwise_tests_mark_significant_differences():
    rng = np.random.default_rng(0)
    runs = _runs({"good": list(0.9 + 0.01 * rng.random(10)), "bad": list(0.5 + 0.01 * rng.random(10)),
                  "same": [0.7] * 10, "also-same": [0.6] * 10})
    table = pairwise(runs, [])
    row = table[(table["a"] == "good") & (table["b"] == "bad")].iloc[0]
    assert row["n"] == 10 and row["mean_diff"] > 0.35 and row["significant"]
    assert row["p_holm"] == pytest.approx(min(1.0, 6 * row["p"]))  # the smallest of 6 pairs
    both = table[(table["a"] == "same") & (table["b"] == "also-same")].iloc[0]
    assert both["exact"] and both["mean_diff"] == pytest.approx(0.1)
    text = report.markdown(runs)
    assert "### Differences in HV ratio between solvers" in text
    assert "**+0.4" in text and "same for every seed" in text


def test_few_seeds_say_no_test_can_be_significant():
    text = report.markdown(_runs({"a": [0.9, 0.95, 0.93], "b": [0.5, 0.6, 0.55]}))
    assert "smallest Holm-corrected p-value these tests can give is 0.25" in text
    rows = [line for line in text.split("### Differences")[1].splitlines() if line.startswith("| a")]
    assert rows and not any("**" in r for r in rows)


def test_deterministic_settings_are_reported_once():
    runs = _runs({"det": [0.8, 0.8, 0.8], "rand": [0.7, 0.75, 0.72]})
    assert deterministic(runs[runs["label"] == "det"])
    assert not deterministic(runs[runs["label"] == "rand"])
    table = report.summary(runs)
    assert table.set_index("label").loc["det", "deterministic"]
    text = report.markdown(runs, tests=False)
    det = [line for line in text.splitlines() if line.startswith("| det |")][0]
    assert "3, same result" in det and "0.8000 |" in det and "±" not in det and "[" not in det
    rand = [line for line in text.splitlines() if line.startswith("| rand |")][0]
    assert "0.7233 [" in rand
