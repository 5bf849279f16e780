"""Sweeps: resumable after a kill, failures recorded, identical bits on every executor."""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from tradeoff import Problem, solve
from tradeoff.experiments import load_config, run_sweep
from tradeoff.experiments.runner import _Recorder, execute
from tradeoff.experiments.store import Store, StoredRunWarning

from .tiny import FAILING, TINY, write

SLOW = TINY.replace("seeds = [0, 1]", "seeds = [0, 1, 2, 3, 4, 5]").replace(
    "max_evaluations = [60, 200]", "max_evaluations = [60, 1500]")


def same_tables(a: Path, b: Path):
    """Every table byte for byte, and the manifest but for the config's path: the wall-clock
    seconds and the execution's record are in timings.csv and execution.json, which differ."""
    for name in ("runs", "points", "traces"):
        assert (a / f"{name}.csv").read_bytes() == (b / f"{name}.csv").read_bytes(), name
        assert (a / f"{name}.parquet").read_bytes() == (b / f"{name}.parquet").read_bytes(), name
    ma, mb = (json.loads((p / "manifest.json").read_text()) for p in (a, b))
    assert ma.pop("config_file") != "" and mb.pop("config_file") != ""  # the tests' tmp paths
    assert ma == mb
    assert len(pd.read_csv(a / "timings.csv")) == len(pd.read_csv(b / "timings.csv"))


@pytest.fixture(scope="module")
def reference(tmp_path_factory):
    """The tiny sweep, uninterrupted, in this process."""
    root = tmp_path_factory.mktemp("reference")
    sweep = run_sweep(load_config(write(root)), root / "out")
    assert sweep.executed == 9 and sweep.failed == 0 and sweep.complete
    return root / "out"


def test_tables(reference):
    runs = pd.read_parquet(reference / "runs.parquet")
    assert list(runs["status"].unique()) == ["ok"]
    assert runs["reference"].eq("exact").all()
    assert runs.loc[runs["solver"] == "exact", "hv_ratio"].item() == 1.0
    assert runs["hv_ratio"].between(0, 1.01).all() and (runs["igd_plus"] >= 0).all()
    assert str(runs["seed"].dtype) == "Int64" and runs["seed"].isna().sum() == 1
    assert {"version_numpy", "version_pymoo", "opt_max_evaluations", "evaluations"} <= set(runs)
    points = pd.read_parquet(reference / "points.parquet")
    assert {"run_id", "solver", "seed", "mse", "cap_violation", "feasible", "m", "c"} <= set(points)
    assert set(points["run_id"]) == set(runs["run_id"])
    # CSV and Parquet hold the same table
    pd.testing.assert_frame_equal(pd.read_csv(reference / "points.csv"), points,
                                  check_dtype=False)
    traces = pd.read_parquet(reference / "traces.parquet")
    for _, tr in traces.groupby("run_id"):  # points evaluated so far only accumulate
        assert np.all(np.diff(tr["hv_ratio"].to_numpy()) >= -1e-12)
    manifest = (reference / "manifest.json").read_text()
    assert '"config_hash"' in manifest and '"finished"' not in manifest
    execution = (reference / "execution.json").read_text()  # what differs on every run: not in git
    assert '"finished"' in execution and '"git_commit"' in execution
    ignored = [line for line in (reference / ".gitignore").read_text().splitlines()
               if not line.startswith("#")]
    assert ignored == ["timings.csv", "execution.json", "figures/*_hv_cost.*",
                       ".tradeoff-files.json"]
    # and every file the sweep wrote, those too, is recorded: --fresh deletes them
    files = json.loads(manifest)["files"]
    assert {".gitignore", "timings.csv", "execution.json", "runs.csv"} <= set(files)
    assert "seconds" not in runs.columns
    assert Store(reference).read_table("runs")["seconds"].gt(0).all()  # merged back when read


def test_a_fixed_hv_reference_scores_every_run_against_it(reference, tmp_path):
    """[[problems]] hv_reference: the same runs (reused, their identity unchanged) scored with that
    reference point: the reference front is cut to the points below it, the scale runs from their
    ideal to it, and a run's HV ratio is what `compare` gives with `Scale.bounded`."""
    import json
    import shutil

    from tradeoff.front import Scale, compare

    copy = tmp_path / "out"
    shutil.copytree(reference, copy)
    point = [2500.0, 40.0]
    cfg = TINY.replace('objectives = ["mse", { name = "cap_violation", cap = 120 }]',
                       'objectives = ["mse", { name = "cap_violation", cap = 120 }]\n'
                       f"hv_reference = {json.dumps(point)}")
    sweep = run_sweep(load_config(write(tmp_path, cfg)), copy)
    assert (sweep.executed, sweep.reused) == (0, 9)
    before = pd.read_parquet(reference / "runs.parquet").set_index("run_id")
    runs = pd.read_parquet(copy / "runs.parquet").set_index("run_id")
    points = pd.read_parquet(copy / "points.parquet")
    exact = points[points["solver"] == "exact"][["mse", "cap_violation"]].to_numpy()
    inside = exact[(exact < point).all(1)]
    assert 0 < len(inside) < len(exact)  # the cut bites
    scale = Scale.bounded(exact, point)
    for run_id, row in runs[runs["solver"] != "exact"].iterrows():
        F = points[(points["run_id"] == run_id) & points["nondominated"]][
            ["mse", "cap_violation"]].to_numpy()
        assert row["hv_ratio"] == pytest.approx(compare(F, inside, scale)["hv_ratio"], rel=1e-12)
    assert not np.allclose(runs["hv_ratio"], before.loc[runs.index, "hv_ratio"])
    with pytest.raises(ValueError, match=re.escape(
            "`problems[0].hv_reference` must be a list of 2 finite numbers, one per objective (in "
            "its units); got [1.0]. For example hv_reference = [0.56, 0.08]: a point beyond it "
            "adds no hypervolume.")):
        load_config(write(tmp_path, cfg.replace(json.dumps(point), "[1.0]")))


def test_second_run_reuses_everything(reference, tmp_path):
    import shutil

    copy = tmp_path / "out"
    shutil.copytree(reference, copy)
    sweep = run_sweep(load_config(write(tmp_path)), copy)
    assert (sweep.executed, sweep.reused) == (0, 9)
    assert (copy / "runs.csv").read_bytes() == (reference / "runs.csv").read_bytes()


def test_recording_does_not_change_results():
    spec = {"data": {"name": "blog", "n": 40}, "objectives": ["mse", "cap_violation"]}
    plain = solve(Problem.from_dict(spec), "nsga2", pop_size=8, max_evaluations=80, seed=3)
    problem = Problem.from_dict(spec)
    rec = _Recorder(problem)
    recorded = solve(problem, "nsga2", pop_size=8, max_evaluations=80, seed=3)
    np.testing.assert_array_equal(plain.F, recorded.F)
    assert sum(len(f) for f in rec.F) >= recorded.evaluations


def test_failed_runs_are_recorded_and_the_rest_go_on(tmp_path):
    config = load_config(write(tmp_path, FAILING, "failing.toml"))
    sweep = run_sweep(config, tmp_path / "out")
    runs = pd.read_csv(tmp_path / "out" / "runs.csv")
    status = dict(zip(runs["label"], runs["status"]))
    assert status == {"exact": "ok", "mgda": "failed", "nsga2": "ok"}
    assert sweep.failed == 1
    error = runs.loc[runs["label"] == "mgda", "error"].item()
    assert error.startswith("ValueError: `solver` must be a solver that handles constraints")
    # no exact front with a constraint: the runs are scored against the union of the others
    assert runs.loc[runs["label"] == "nsga2", "reference"].item() == "union"
    again = run_sweep(config, tmp_path / "out")
    assert again.executed == 0  # failures are results too
    retried = run_sweep(config, tmp_path / "out", retry_failed=True)
    assert retried.executed == 1 and retried.failed == 1


def test_fresh_starts_over(reference, tmp_path):
    import shutil

    copy = tmp_path / "out"
    shutil.copytree(reference, copy)
    (copy / "notes.txt").write_text("mine")
    sweep = run_sweep(load_config(write(tmp_path)), copy, fresh=True)
    assert sweep.executed == 9
    assert (copy / "notes.txt").read_text() == "mine"  # --fresh deletes only what sweeps write
    same_tables(reference, copy)


def test_a_corrupt_result_file_is_run_again(reference, tmp_path):
    import shutil

    copy = tmp_path / "out"
    shutil.copytree(reference, copy)
    victim = sorted((copy / "runs").glob("*.json"))[3]
    victim.write_text('{"run_id": "trunc')
    with pytest.warns(StoredRunWarning, match=f"{victim.name} is not usable .*not valid JSON"):
        sweep = run_sweep(load_config(write(tmp_path)), copy)
    assert sweep.executed == 1
    same_tables(reference, copy)


def test_killed_sweep_resumes_to_the_same_tables(tmp_path):
    """Start a sweep in a subprocess, kill it mid-way, run it again: same tables as uninterrupted."""
    config = write(tmp_path, SLOW, "slow.toml")
    out = tmp_path / "killed"
    env = {**os.environ, "PYTHONHASHSEED": "0"}
    cmd = [sys.executable, "-m", "tradeoff.cli", "run", str(config), "--out", str(out), "--no-report"]
    proc = subprocess.Popen(cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.time() + 60
    while time.time() < deadline and proc.poll() is None:
        if len(list((out / "runs").glob("*.json"))) >= 6:
            break
        time.sleep(0.01)
    assert proc.poll() is None, "the sweep finished before it could be killed"
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    n_before = len(list((out / "runs").glob("*.json")))
    total = len(load_config(config).runs())
    assert 6 <= n_before < total
    assert not (out / "runs.csv").exists()
    resumed = subprocess.run(cmd, env=env, capture_output=True, text=True)
    assert resumed.returncode == 0, resumed.stderr
    assert f"resuming: {n_before} of {total} runs already have results" in resumed.stderr
    whole = run_sweep(load_config(config), tmp_path / "whole")
    assert whole.executed == total
    same_tables(out, tmp_path / "whole")


def test_processes_give_the_same_bits(reference, tmp_path):
    sweep = run_sweep(load_config(write(tmp_path)), tmp_path / "procs", jobs=2)
    assert sweep.executor == "processes x2" and sweep.executed == 9
    same_tables(reference, tmp_path / "procs")


def test_dask_local_cluster_gives_the_same_bits(reference, tmp_path):
    distributed = pytest.importorskip("distributed")
    with distributed.LocalCluster(n_workers=2, processes=True, threads_per_worker=1,
                                  dashboard_address=None) as cluster:
        sweep = run_sweep(load_config(write(tmp_path)), tmp_path / "dask",
                          scheduler=cluster.scheduler_address)
    assert sweep.executor.startswith("dask tcp://") and sweep.executed == 9
    same_tables(reference, tmp_path / "dask")


def test_execute_is_a_pure_function_of_the_spec():
    run = load_config_from_text(TINY).runs()[-1]
    a, b = execute(run), execute(run)
    assert a["front"] == b["front"] and a["trace"] == b["trace"]


def load_config_from_text(text):
    import tomllib

    from tradeoff.experiments import parse_config

    return parse_config(tomllib.loads(text))


def test_bad_executor_arguments(tmp_path):
    config = load_config(write(tmp_path))
    with pytest.raises(ValueError, match=r"`jobs` must be a positive integer; got 0"):
        run_sweep(config, tmp_path / "x", jobs=0)
    with pytest.raises(ValueError, match=r"`scheduler` must be a Dask scheduler address"):
        run_sweep(config, tmp_path / "x", scheduler="nowhere")


def test_a_grown_sweep_runs_only_the_new_runs(reference, tmp_path):
    """Adding a seed keeps every stored run; dropping one leaves its file unmerged."""
    import shutil

    copy = tmp_path / "out"
    shutil.copytree(reference, copy)
    grown = run_sweep(load_config(write(tmp_path, TINY.replace("[0, 1]", "[0, 1, 2]"))), copy)
    assert (grown.executed, grown.reused, grown.stale) == (4, 9, 0)
    shrunk = run_sweep(load_config(write(tmp_path, TINY.replace("[0, 1]", "[1]"))), copy)
    assert (shrunk.executed, shrunk.reused, shrunk.stale) == (0, 5, 8)
    assert len(pd.read_csv(copy / "runs.csv")) == 5


def test_git_commit_counts_edits_but_not_what_sweeps_write(tmp_path):
    import subprocess

    from tradeoff.experiments.runner import git_commit

    def git(*args):
        subprocess.run(["git", "-c", "user.email=t@t", "-c", "user.name=t", *args], cwd=tmp_path,
                       check=True, capture_output=True)

    (tmp_path / "results" / "a").mkdir(parents=True)
    (tmp_path / "src.py").write_text("x\n")
    (tmp_path / "results" / "a" / "report.md").write_text("old\n")
    git("init", "-q")
    git("add", "-A")
    git("commit", "-qm", "start")
    (tmp_path / "results" / "a" / "report.md").write_text("new\n")
    assert not git_commit(tmp_path, tmp_path / "results").endswith("+dirty")
    assert git_commit(tmp_path).endswith("+dirty")
    (tmp_path / "src.py").write_text("y\n")
    assert git_commit(tmp_path, tmp_path / "results").endswith("+dirty")


def test_runs_table_and_report_carry_spacing_and_sparsity(reference):
    from tradeoff.experiments.report import markdown
    from tradeoff.indicators import sparsity, spacing

    runs = Store(reference).read_table("runs")  # with the wall-clock seconds of timings.csv
    assert (runs["spacing"] >= 0).all() and (runs["sparsity"] >= 0).all()
    text = markdown(runs, tests=False)
    assert "| seconds | spacing | sparsity |" in text and "Spacing (Schott's" in text
    # a runs table written before the columns existed reports as it did
    old = markdown(runs.drop(columns=["spacing", "sparsity"]), tests=False)
    assert "spacing" not in old.lower() and "| seconds |" in old
    # the exact run's cell is its own front's spread in the problem's shared normalisation
    exact = runs[runs["solver"] == "exact"].iloc[0]
    points = pd.read_parquet(reference / "points.parquet")
    F = points.loc[points["run_id"] == exact["run_id"], ["mse", "cap_violation"]].to_numpy()
    lo, hi = F.min(0), F.max(0)
    assert exact["spacing"] == pytest.approx(spacing((F - lo) / (hi - lo)), rel=1e-9)
    assert exact["sparsity"] == pytest.approx(sparsity((F - lo) / (hi - lo)), rel=1e-9)
