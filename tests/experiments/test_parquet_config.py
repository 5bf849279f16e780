"""A config can name Parquet files (``data = {parquet = "GLOB", …}``): the sweep runs on Dask
chunks, finds the same fronts as the same rows from a CSV, records passes over the rows, and
reruns when the files change."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

pytest.importorskip("dask.dataframe", reason="needs the dask extra")
pytest.importorskip("pyarrow", reason="needs the parquet extra")

from tradeoff.experiments import load_config, run_sweep  # noqa: E402

CONFIG = """
[experiment]
name = "files"
seeds = [0]

[[problems]]
name = "toy"
data = {{ {data}, target = "y", sensitive = "g" }}
objectives = ["mse", "mean_gap_sq"]

[[solvers]]
name = "weighted-sum"
options = {{ n_points = 5 }}

[exact]
n_points = 10
"""


def _frames(seed=0, parts=3, n=60):
    rng = np.random.default_rng(seed)
    out = []
    for _ in range(parts):
        x = rng.uniform(0, 2, n)
        g = rng.choice(["a", "b"], n)
        out.append(pd.DataFrame({"x": x, "z": rng.normal(size=n), "g": g,
                                 "y": 1.5 * x + (g == "b") + rng.normal(0, .3, n)}))
    return out


def _write(root, frames):
    (root / "data").mkdir(parents=True, exist_ok=True)
    for i, f in enumerate(frames):
        f.to_parquet(root / "data" / f"part{i}.parquet")
    pd.concat(frames).to_csv(root / "all.csv", index=False)


def test_parquet_sweep_equals_csv_and_reruns_on_change(tmp_path):
    _write(tmp_path, _frames())
    pq, csv = tmp_path / "pq.toml", tmp_path / "csv.toml"
    pq.write_text(CONFIG.format(data='parquet = "data/*.parquet"'))
    csv.write_text(CONFIG.format(data='csv = "all.csv"'))
    a = run_sweep(load_config(pq), tmp_path / "out_pq")
    b = run_sweep(load_config(csv), tmp_path / "out_csv")
    assert (a.executed, a.failed, b.failed) == (2, 0, 0)
    runs = pd.read_csv(tmp_path / "out_pq" / "runs.csv")
    assert runs["passes"].tolist() == [1, 1]  # two quadratic objectives: Gram statistics, once
    assert runs["rows"].tolist() == [180, 180]
    pa = pd.read_csv(tmp_path / "out_pq" / "points.csv")
    pb = pd.read_csv(tmp_path / "out_csv" / "points.csv")
    for col in ("mse", "mean_gap_sq"):
        span = np.ptp(pb[col])
        assert np.abs(pa[col] - pb[col]).max() <= 1e-8 * span
    assert run_sweep(load_config(pq), tmp_path / "out_pq").reused == 2
    _write(tmp_path, _frames(seed=1))
    assert run_sweep(load_config(pq), tmp_path / "out_pq").executed == 2


def test_missing_parquet_files_name_the_field(tmp_path):
    cfg = tmp_path / "pq.toml"
    cfg.write_text(CONFIG.format(data='parquet = "nowhere/*.parquet"'))
    with pytest.raises(ValueError, match=r"`problems\[0\]\.data\.parquet` must be existing Parquet"):
        load_config(cfg)
