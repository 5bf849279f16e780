"""Stale results: a run's identity includes the content of its data file, so a changed CSV runs
again; relative CSV paths are read from the config file's folder, wherever the sweep starts."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

from tradeoff.experiments import load_config, run_sweep
from tradeoff.experiments.config import file_sha256

CONFIG = """
[experiment]
name = "csv_sweep"
seeds = [0]

[[problems]]
name = "toy"
data = {{ csv = "{csv}", target = "y", sensitive = "g"{extra} }}
objectives = ["mse", {{ name = "cap_violation", cap = 3.0 }}]

[[solvers]]
name = "penalty"
options = {{ n_points = 4, max_evaluations = 300 }}

[[solvers]]
name = "nsga2"
options = {{ pop_size = 8, max_evaluations = 40 }}

[exact]
n_points = 10
"""


def _csv(path, seed=0, n=40, missing=0):
    rng = np.random.default_rng(seed)
    x = rng.uniform(0, 2, n)
    frame = pd.DataFrame({"x": x, "g": rng.choice(["a", "b"], n), "y": 1.5 * x + rng.normal(0, .3, n)})
    if missing:
        frame.loc[: missing - 1, "x"] = np.nan
    path.parent.mkdir(parents=True, exist_ok=True)
    frame.to_csv(path, index=False)
    return path


@pytest.fixture
def layout(tmp_path, monkeypatch):
    """data/toy.csv and configs/sweep.toml naming it as ../data/toy.csv; the sweep starts elsewhere."""
    csv = _csv(tmp_path / "data" / "toy.csv")
    config = tmp_path / "configs" / "sweep.toml"
    config.parent.mkdir()
    config.write_text(CONFIG.format(csv="../data/toy.csv", extra=""))
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    monkeypatch.chdir(elsewhere)
    return tmp_path, csv, config


def test_a_changed_csv_runs_again(layout):
    root, csv, config = layout
    out = root / "out"
    first = run_sweep(load_config(config), out)
    assert (first.executed, first.reused, first.failed) == (3, 0, 0)
    before = pd.read_csv(out / "points.csv")
    again = run_sweep(load_config(config), out)
    assert (again.executed, again.reused) == (0, 3)  # unchanged data: everything reused

    _csv(csv, seed=1)  # new data behind the same config
    changed = run_sweep(load_config(config), out)
    assert (changed.executed, changed.reused) == (3, 0)
    after = pd.read_csv(out / "points.csv")
    assert not np.allclose(before["mse"].to_numpy()[:5], after["mse"].to_numpy()[:5])
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["data"]["toy"]["sha256"] == file_sha256(csv)
    assert manifest["data"]["toy"]["csv"] == str(csv.resolve())

    _csv(csv, seed=0)  # the old data again: its stored runs are still good
    back = run_sweep(load_config(config), out)
    assert (back.executed, back.reused) == (0, 3)
    pd.testing.assert_frame_equal(pd.read_csv(out / "points.csv"), before)


def test_a_one_byte_change_changes_every_run_id(layout):
    _, csv, config = layout
    ids = [r.run_id for r in load_config(config).runs()]
    csv.write_bytes(csv.read_bytes() + b"\n")
    assert all(a != b for a, b in zip(ids, (r.run_id for r in load_config(config).runs())))


def test_built_in_data_keeps_its_run_ids(tmp_path):
    """Built-in datasets are named by their spec: ids do not depend on any file."""
    from .tiny import write

    runs = load_config(write(tmp_path)).runs()
    assert [r.data_hash for r in runs] == [""] * len(runs)
    (tmp_path / "other").mkdir()
    assert [r.run_id for r in load_config(write(tmp_path / "other")).runs()] == \
        [r.run_id for r in runs]


def test_relative_paths_are_read_from_the_config_folder(layout):
    root, csv, config = layout
    cfg = load_config(config)
    run = cfg.runs()[0]
    assert run.problem_spec["data"]["csv"] == str(csv.resolve())
    assert cfg.problems[0]["data"]["csv"] == "../data/toy.csv"  # the file's own words
    (root / "configs" / "bad.toml").write_text(CONFIG.format(csv="data/toy.csv", extra=""))
    with pytest.raises(ValueError, match=r"`problems\[0\]\.data\.csv` must be an existing CSV file "
                                         r"\(read from the config file's folder, '.*configs'\); "
                                         r"got 'data/toy.csv'"):
        load_config(root / "configs" / "bad.toml")


def test_a_csv_changed_during_the_sweep_fails_its_runs_clearly(layout):
    from tradeoff.experiments.runner import execute

    _, csv, config = layout
    run = load_config(config).runs()[1]
    _csv(csv, seed=3)
    result = execute(run)
    assert result["status"] == "failed"
    assert "changed after the sweep started; run the sweep again" in result["error"]


def test_rows_dropped_reach_the_runs_table_and_the_manifest(tmp_path, monkeypatch):
    csv = _csv(tmp_path / "toy.csv", missing=5)
    config = tmp_path / "sweep.toml"
    config.write_text(CONFIG.format(csv="toy.csv", extra=", drop_missing = true"))
    monkeypatch.chdir(tmp_path.parent)
    out = tmp_path / "out"
    run_sweep(load_config(config), out)
    runs = pd.read_csv(out / "runs.csv")
    assert runs["rows_dropped"].tolist() == [5, 5, 5] and runs["rows"].tolist() == [35] * 3
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["data"]["toy"]["rows_dropped"] == 5 and manifest["data"]["toy"]["rows"] == 35
    assert csv.exists()
