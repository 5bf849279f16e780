"""Sweeps with a held-out split: solved on train, scored on train, validation and test."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from tradeoff.experiments.config import load_config
from tradeoff.experiments.runner import run_sweep

from .tiny import write

SPLIT = """
[experiment]
name = "split"
seeds = [0, 1]

[[problems]]
name = "parity"
data = { name = "synthetic_shift", task = "classification", n = 300, shift = 2.0, seed = 0 }
model = "logistic"
objectives = ["log_loss", "demographic_parity_sq"]
split = { test = 0.3, validation = 0.2, seed = 0 }

[[solvers]]
name = "weighted-sum"
options = { n_points = 5, max_evaluations = 300 }

[[solvers]]
name = "nsga2"
options = { pop_size = 8, max_evaluations = 80 }
"""


@pytest.fixture(scope="module")
def swept(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("split")
    config = load_config(write(tmp, SPLIT))
    out = tmp / "out"
    sweep = run_sweep(config, out)
    tables = {t: pd.read_csv(out / f"{t}.csv") for t in ("runs", "points", "traces")}
    return config, out, sweep, tables


def test_points_have_one_row_per_point_and_split(swept):
    _, _, sweep, tables = swept
    assert sweep.failed == 0
    pts = tables["points"]
    assert set(pts["split"]) == {"train", "validation", "test"}
    counts = pts.groupby(["run_id", "split"]).size().unstack()
    assert (counts["train"] == counts["test"]).all() and (counts["train"] == counts["validation"]).all()
    for col in ("log_loss", "demographic_parity_sq", "demographic_parity_sq:exact", "accuracy"):
        assert pts[col].notna().all(), col
    # the same parameters on every part, different data: different values
    train = pts[pts["split"] == "train"].set_index(["run_id", "point"])
    test = pts[pts["split"] == "test"].set_index(["run_id", "point"])
    assert np.array_equal(train["w_x0"], test["w_x0"])
    assert not np.allclose(train["log_loss"], test["log_loss"])
    assert ((pts["accuracy"] >= 0) & (pts["accuracy"] <= 1)).all()


def test_test_scores_in_runs_table(swept):
    _, _, _, tables = swept
    runs = tables["runs"]
    solved = runs[runs["solver"] != "exact"]
    for col in ("test_hv", "test_hv_ratio", "test_igd_plus"):
        assert col in runs.columns
        assert solved[col].notna().all()
    assert ((solved["test_hv_ratio"] > 0) & (solved["test_hv_ratio"] <= 1 + 1e-9)).all()
    assert solved["test_hv_ratio"].max() > 0.5
    assert (runs["rows"].dropna() == 150).all()  # the train part: 50 % of 300 rows


def test_split_is_part_of_run_identity(tmp_path):
    a = load_config(write(tmp_path, SPLIT)).runs()
    b = load_config(write(tmp_path, SPLIT.replace("seed = 0 }\n\n[[solvers]]",
                                                  "seed = 1 }\n\n[[solvers]]", 1),
                          name="b.toml")).runs()
    assert {r.run_id for r in a}.isdisjoint(r.run_id for r in b)
    without = SPLIT.replace("split = { test = 0.3, validation = 0.2, seed = 0 }\n", "")
    c = load_config(write(tmp_path, without, name="c.toml")).runs()
    assert all("split" not in r.problem_spec for r in c)


def test_resume_gives_identical_tables(swept):
    config, out, _, tables = swept
    before = {t: (out / f"{t}.csv").read_bytes() for t in tables}
    again = run_sweep(config, out)
    assert again.executed == 0 and again.reused == again.total
    assert {t: (out / f"{t}.csv").read_bytes() for t in tables} == before


def test_report_has_heldout_table(swept):
    from tradeoff.experiments.report import markdown

    _, out, _, tables = swept
    text = markdown(tables["runs"], {"config": {"problems": [{"name": "parity", "split": {
        "test": 0.3, "validation": 0.2, "seed": 0}}]}}, points=tables["points"])
    assert "### Held-out (test)" in text
    assert "test accuracy" in text and "broke" in text
    assert "### Held-out" not in markdown(tables["runs"], {})  # no points, no held-out table


def test_a_gap_never_measured_is_not_measured_not_missed(swept):
    from tradeoff.experiments.heldout import chosen_table
    from tradeoff.experiments.report import markdown

    _, _, _, tables = swept
    runs, points = tables["runs"], tables["points"].copy()
    run = runs.loc[runs["solver"] == "weighted-sum", "run_id"].iloc[0]
    points.loc[points["run_id"] == run, "demographic_parity_sq:exact"] = np.nan
    chosen = chosen_table(runs, points, "parity", 1.0)  # a bound every measured point meets
    assert chosen.set_index("run_id")["measured"].to_dict() == {
        r: r != run for r in chosen["run_id"]}
    assert chosen.loc[chosen["run_id"] != run, "point"].notna().all()
    manifest = {"config": {"problems": [{"name": "parity", "split": {
        "test": 0.3, "validation": 0.2, "seed": 0}}]}}
    text = markdown(runs, manifest, points=points)
    rows = [line for line in text.splitlines() if line.startswith("| weighted-sum")]
    assert rows and all("1 not measured" in line for line in rows[-1:])
    assert "\"not measured\": runs with no" in text


def test_epsilon_choice_matches_front_select():
    """The report's ε-rule on the validation rows is front.select("epsilon", data=validation)."""
    import tradeoff
    from tradeoff.experiments.heldout import epsilon_choice, evaluate_parts, parts_of, split_points
    from tradeoff.problem import Problem

    spec = {"data": {"name": "synthetic_shift", "task": "classification", "n": 300, "shift": 2.0,
                     "seed": 0}, "model": "logistic",
            "objectives": ["log_loss", "demographic_parity_sq"]}
    full = Problem.from_dict(spec)
    parts = parts_of(full.data, {"test": 0.3, "validation": 0.2, "seed": 0})
    front = tradeoff.solve(Problem(parts["train"], full.model, full.objectives), "weighted-sum",
                           n_points=8)
    frame = front.to_frame()
    frame["nondominated"] = True
    rows = split_points(frame, evaluate_parts(front, parts), list(front.objective_names))
    val = rows[rows["split"] == "validation"]
    bound = float(np.median(val["demographic_parity_sq:exact"]))
    got = epsilon_choice(val, "log_loss", "demographic_parity_sq:exact", bound)
    want = front.select("epsilon", minimise="log_loss",
                        bounds={"demographic_parity_sq:exact": bound}, data=parts["validation"])
    assert got == want


@pytest.mark.parametrize("split, where", [
    ("{ test = 1.5 }", "problems[0].split.test"),
    ("{ test = 0.6, validation = 0.5 }", "problems[0].split.test + problems[0].split.validation"),
    ("{ test = 0.3, seed = -1 }", "problems[0].split.seed"),
    ("{ test = 0.3, valdation = 0.2 }", "problems[0].split.valdation"),
    ("{ validation = 0.2 }", "problems[0].split.test"),
])
def test_bad_split_is_a_config_error(tmp_path, split, where):
    text = SPLIT.replace("{ test = 0.3, validation = 0.2, seed = 0 }", split)
    with pytest.raises((ValueError, TypeError)) as err:
        load_config(write(tmp_path, text))
    assert where in str(err.value)
    assert not (tmp_path / "out").exists()


def test_split_too_small_for_the_data_fails_before_any_run(tmp_path):
    text = SPLIT.replace("n = 300", "n = 20").replace("test = 0.3", "test = 0.01")
    with pytest.raises(ValueError, match=r"problems\[0\]\.split"):
        load_config(write(tmp_path, text))


def test_split_seeds_as_problems_are_pooled_in_the_report(tmp_path):
    from tradeoff.experiments.report import markdown
    from tradeoff.experiments.store import Store

    problem = SPLIT.split("[[problems]]")[1].split("[[solvers]]")[0]
    second = problem.replace('name = "parity"', 'name = "parity-s1"').replace(
        "validation = 0.2, seed = 0", "validation = 0.2, seed = 1")
    text = SPLIT.replace("[[solvers]]", "[[problems]]" + second + "[[solvers]]", 1)
    text = text.replace("seeds = [0, 1]", "seeds = [0]")
    sweep = run_sweep(load_config(write(tmp_path, text)), tmp_path / "out")
    assert sweep.failed == 0
    store = Store(tmp_path / "out")
    report = markdown(store.read_table("runs"), store.read_manifest(),
                      points=store.read_table("points"))
    assert report.count("### Held-out (test)") == 2
    assert "## Held-out (test) over 2 split seeds" in report
    pooled = report.split("over 2 split seeds")[1]
    assert "| weighted-sum | 2 |" in pooled


def test_heldout_figure_is_drawn(swept, tmp_path):
    from tradeoff.experiments.figures import draw

    _, out, _, _ = swept
    written = draw(out, tmp_path / "figures")
    names = {p.name for p in written}
    assert "parity_heldout.png" in names and "parity_fronts.png" in names


def test_heldout_figure_shows_every_point_and_every_solver(swept, tmp_path, monkeypatch):
    from tradeoff import plots
    from tradeoff.experiments.figures import draw

    _, out, _, tables = swept
    figs = {}
    real_save = plots.save

    def keep(fig, stem, *a, **kw):  # look at the figure before save closes it
        if str(stem).endswith("_heldout"):
            main = fig.axes[0]
            figs["heldout"] = (main.get_xlim(), main.get_ylim(),
                               [t.get_text() for t in fig.legends[0].get_texts()])
        return real_save(fig, stem, *a, **kw)

    monkeypatch.setattr(plots, "save", keep)
    draw(out, tmp_path / "figures")
    (x0, x1), (y0, y1), legend = figs["heldout"]
    pts = tables["points"]
    shown = pts[pts["split"].isin(["train", "test"]) & pts["feasible"].astype(bool)]
    x, y = shown["demographic_parity_sq:exact"], shown["accuracy"]
    assert ((x >= x0) & (x <= x1) & (y >= y0) & (y <= y1)).all()
    for label in ("weighted-sum", "nsga2"):
        assert any(t.startswith(label) for t in legend), label


def test_malformed_heldout_values_are_redone(swept):
    import json

    from tradeoff.experiments.store import Store, StoredRunWarning, checksum

    _, out, _, tables = swept
    store = Store(out)
    run_id = tables["runs"].loc[tables["runs"]["solver"] == "nsga2", "run_id"].iloc[0]
    result = json.loads(store.run_path(run_id).read_text())
    result["splits"]["test"]["log_loss"] = result["splits"]["test"]["log_loss"][:-1]
    result["checksum"] = checksum(result)
    store.run_path(run_id).write_text(json.dumps(result))
    with pytest.warns(StoredRunWarning, match="splits.test.log_loss"):
        assert store.read_run(run_id) is None
