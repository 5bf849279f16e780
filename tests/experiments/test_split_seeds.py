"""`split = { ..., seeds = [...] }`: one problem per split seed, pooled across split seeds."""

from __future__ import annotations

import re

import numpy as np
import pandas as pd
import pytest

from tradeoff.experiments.config import load_config
from tradeoff.experiments.runner import run_sweep

from .test_split_sweeps import SPLIT
from .tiny import write

ONE = "split = { test = 0.3, validation = 0.2, seed = 0 }"
SEEDS = SPLIT.replace(ONE, "split = { test = 0.3, validation = 0.2, seeds = [0, 2] }")


def test_seeds_expand_into_one_problem_per_split_seed(tmp_path):
    config = load_config(write(tmp_path, SEEDS))
    assert [p["name"] for p in config.problems] == ["parity-s0", "parity-s2"]
    assert [p["split"] for p in config.problems] == [
        {"test": 0.3, "validation": 0.2, "seed": 0}, {"test": 0.3, "validation": 0.2, "seed": 2}]
    assert set(config.data) == {"parity-s0", "parity-s2"}
    assert config.data["parity-s0"]["split_rows"] == {"train": 150, "validation": 60, "test": 90}
    # the same runs (identities and solver seeds) as the two problems written out by hand
    problem = SPLIT.split("[[problems]]")[1].split("[[solvers]]")[0]
    by_hand = SPLIT.replace("[[problems]]" + problem, "".join(
        "[[problems]]" + problem.replace('name = "parity"', f'name = "parity-s{s}"')
        .replace("validation = 0.2, seed = 0", f"validation = 0.2, seed = {s}") for s in (0, 2)))
    hand = load_config(write(tmp_path, by_hand, name="hand.toml"))
    got = [(r.run_id, r.run_seed, r.problem) for r in config.runs()]
    assert got == [(r.run_id, r.run_seed, r.problem) for r in hand.runs()]
    # each split seed is its own set of runs, with its own solver seeds
    s0 = {r.run_seed for r in config.runs() if r.problem == "parity-s0" and r.solver != "exact"}
    s2 = {r.run_seed for r in config.runs() if r.problem == "parity-s2" and r.solver != "exact"}
    assert s0.isdisjoint(s2)


def test_seeds_without_a_problem_name_use_the_data_name(tmp_path):
    text = SEEDS.replace('name = "parity"\n', "")
    config = load_config(write(tmp_path, text))
    assert [p["name"] for p in config.problems] == ["synthetic_shift-s0", "synthetic_shift-s2"]


@pytest.mark.parametrize("split, where, message", [
    ("{ test = 0.3, seed = 1, seeds = [0, 1] }", "problems[0].split.seed",
     "left out when `seeds` is given"),
    ("{ test = 0.3, seeds = [] }", "problems[0].split.seeds", "a non-empty list of split seeds"),
    ("{ test = 0.3, seeds = 3 }", "problems[0].split.seeds", "a non-empty list of split seeds"),
    ("{ test = 0.3, seeds = [0, -1] }", "problems[0].split.seeds[1]", "a non-negative integer"),
    ("{ test = 0.3, seeds = [0, 1.5] }", "problems[0].split.seeds[1]", "a non-negative integer"),
    ("{ test = 0.3, seeds = [1, 1] }", "problems[0].split.seeds", "distinct integers"),
])
def test_bad_seeds_are_config_errors(tmp_path, split, where, message):
    text = SPLIT.replace("{ test = 0.3, validation = 0.2, seed = 0 }", split)
    with pytest.raises((ValueError, TypeError)) as err:
        load_config(write(tmp_path, text))
    assert f"`{where}` must be {message}" in str(err.value)


def test_an_expanded_name_that_clashes_is_named(tmp_path):
    problem = SEEDS.split("[[problems]]")[1].split("[[solvers]]")[0]
    clash = problem.replace('name = "parity"', 'name = "parity-s2"').replace(
        "seeds = [0, 2]", "seed = 5")
    text = SEEDS.replace("[[solvers]]", "[[problems]]" + clash + "[[solvers]]", 1)
    with pytest.raises(ValueError, match=r"`problems\[1\]\.name` must be unique among the "
                                         r"problems; got 'parity-s2'.*-s<seed>"):
        load_config(write(tmp_path, text))


def test_report_pools_across_split_seeds(tmp_path):
    from tradeoff.experiments.report import markdown
    from tradeoff.experiments.stats import bootstrap_ci
    from tradeoff.experiments.store import Store

    text = SEEDS.replace("seeds = [0, 2]", "seeds = [0, 1, 2]")
    sweep = run_sweep(load_config(write(tmp_path, text)), tmp_path / "out")
    assert sweep.failed == 0
    store = Store(tmp_path / "out")
    runs = store.read_table("runs")
    report = markdown(runs, store.read_manifest(), points=store.read_table("points"))
    assert report.count("### Held-out (test)") == 3  # one per split seed
    assert "## Held-out (test) over 3 split seeds: parity" in report
    pooled = report.split("over 3 split seeds: parity")[1]
    assert "test accuracy (≤ 0.01)" in pooled and "test accuracy (≤ 0.05)" in pooled
    # 2 config seeds × 3 split seeds = 6 runs per solver; the cell is over the 3 split means
    row = next(line for line in pooled.splitlines() if line.startswith("| weighted-sum |"))
    cells = [c.strip() for c in row.strip("|").split("|")]
    assert cells[1] == "6"
    ws = runs[runs["label"] == "weighted-sum"]
    means = ws.groupby("problem")["test_hv_ratio"].mean().to_numpy()
    lo, hi = bootstrap_ci(means)
    assert cells[2] == f"{means.mean():.4f} [{lo:.4f}, {hi:.4f}]"
    for cell in (cells[6], cells[9]):  # broke at 0.01 and at 0.05
        assert re.fullmatch(r"\d+ of \d+( \(\d+ none\))?", cell), cell


def test_pooled_interval_is_across_split_seeds_not_runs():
    from tradeoff.experiments.report import _mean_ci
    from tradeoff.experiments.stats import bootstrap_ci

    values = pd.Series([0.1, 0.3, 0.5, 0.7, 0.2, 0.2])
    by = np.array(["a", "a", "b", "b", "c", "c"])
    lo, hi = bootstrap_ci([0.2, 0.6, 0.2])
    assert _mean_ci(values, 3, by) == f"{1 / 3:.3f} [{lo:.3f}, {hi:.3f}]"
    lo, hi = bootstrap_ci(values)
    assert _mean_ci(values, 3) == f"{values.mean():.3f} [{lo:.3f}, {hi:.3f}]"
