"""Sweep scaling: 200 short runs at --jobs 1, --jobs 2 and on a 2-worker Dask LocalCluster.

    .venv/bin/python benchmarks/sweep_scaling.py [--runs 200] [--quick]

The sweep: the benchmark cap problem (n = 5,000), weighted-sum and NSGA-II runs of 1,000 evaluations
over enough seeds to make 200 runs, each under a tenth of a second. Every executor runs through
`tradeoff.experiments.runner.run_sweep` into its own folder (no figures, no report), the wall time
is compared with the sum of the runs' own solver seconds, and the tables are checked to be
identical. Workers hold BLAS to one thread (the runner sets it), so two workers use two cores.

``--quick`` checks the overhead per run (40 runs at --jobs 1, a few seconds) and the speed-up at
--jobs 2 on the full 200 runs (each worker's second of start-up would dominate a shorter sweep);
Dask is not checked there.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import textwrap
import time
from pathlib import Path

import pandas as pd

from _common import check, machine, table

TARGET_JOBS2, TARGET_DASK, TARGET_OVERHEAD_MS = 1.7, 1.6, 20.0

CONFIG = """
[experiment]
name = "scaling"
seeds = {seeds}

[[problems]]
name = "cap"
data = {{ name = "cap_benchmark", n = 5000, seed = 0 }}
objectives = ["mse", {{ name = "cap_violation", cap = 120 }}]

[[solvers]]
name = "weighted-sum"
options = {{ n_points = 20, max_evaluations = 1000 }}

[[solvers]]
name = "nsga2"
options = {{ pop_size = 20, max_evaluations = 1000 }}

[exact]
n_points = 50
"""


def sweep(config, out, **kw):
    """(wall seconds, Σ the runs' solver seconds, runs executed, points table) of one sweep."""
    from tradeoff.experiments.runner import run_sweep

    t0 = time.perf_counter()
    done = run_sweep(config, out, **kw)
    wall = time.perf_counter() - t0
    # the runs' own seconds live in timings.csv (runs.csv stays byte-stable across executors)
    timings = pd.read_csv(out / "timings.csv")
    return wall, float(timings["seconds"].sum()), done.executed, pd.read_csv(out / "points.csv")


def config_for(tmp: Path, runs: int):
    from tradeoff.experiments.config import load_config

    cfg_path = tmp / f"scaling{runs}.toml"
    cfg_path.write_text(textwrap.dedent(CONFIG.format(seeds=list(range(runs // 2)))))
    return load_config(cfg_path)


def quick(runs: int = 200, overhead_runs: int = 40) -> bool:
    """Overhead per run at --jobs 1 (``overhead_runs`` runs), and --jobs 2 against --jobs 1 on
    ``runs`` runs, one after the other."""
    print(f"sweep scaling: overhead per run ({overhead_runs} runs), --jobs 2 against --jobs 1 "
          f"({runs} runs)")
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        wall, solver, done, _ = sweep(config_for(tmp, overhead_runs), tmp / "o", jobs=1)
        over = 1e3 * (wall - solver) / max(done, 1)
        cfg = config_for(tmp, runs)
        w1, _, _, p1 = sweep(cfg, tmp / "j1", jobs=1)
        w2, _, _, p2 = sweep(cfg, tmp / "j2", jobs=2)
    return all([check(f"overhead per run / {TARGET_OVERHEAD_MS:g} ms ({over:.1f} ms)",
                      over / TARGET_OVERHEAD_MS, 1.0, at_least=False),
                check(f"--jobs 2 against --jobs 1 ({w1:.1f} s vs {w2:.1f} s)", w1 / w2,
                      TARGET_JOBS2),
                check("points tables identical at --jobs 1 and 2 (1: yes)", float(p1.equals(p2)),
                      1.0)])


def main(argv=None):
    from distributed import LocalCluster

    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--runs", type=int, default=200)
    ap.add_argument("--quick", action="store_true", help="overhead and --jobs 2, checked")
    args = ap.parse_args(argv)
    if args.quick:
        return 0 if quick() else 1
    print(machine())
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        config = config_for(tmp, args.runs)
        rows, tables = [], {}
        for i, label in enumerate(("--jobs 1", "--jobs 2", "Dask LocalCluster, 2 workers")):
            cluster = None
            if label.startswith("Dask"):
                # started only now: an idle cluster's heartbeats would slow the other executors
                cluster = LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                                       dashboard_address=None)
                kw = {"scheduler": cluster.scheduler_address}
            else:
                kw = {"jobs": int(label.split()[-1])}
            try:
                wall, solver, done, tables[label] = sweep(config, tmp / f"out{i}", **kw)
            finally:
                if cluster is not None:
                    cluster.close()
            rows.append({"executor": label, "runs": done, "wall (s)": wall,
                         "Σ solver seconds": solver})
    base = rows[0]["wall (s)"]
    for r in rows:
        r["speed-up"] = f"{base / r['wall (s)']:.2f}×"
    # overhead per run at --jobs 1: wall time not spent inside the solvers (exact front included)
    rows[0]["overhead per run (ms)"] = 1e3 * (rows[0]["wall (s)"] - rows[0]["Σ solver seconds"]) / args.runs
    same = all(t.equals(tables["--jobs 1"]) for t in tables.values())
    print(table(rows, ["executor", "runs", "wall (s)", "Σ solver seconds", "speed-up",
                       "overhead per run (ms)"]))
    print(f"points tables identical across executors: {same}")
    print("Targets: ≥ 1.7× at --jobs 2, ≥ 1.6× on Dask, under 20 ms of overhead per run.")
    over = rows[0]["overhead per run (ms)"]
    checks = [{"benchmark": f"sweep, {args.runs} runs",
               "target": f"≥ {TARGET_JOBS2:g}× at --jobs 2", "measured": rows[1]["speed-up"],
               "met": "yes" if base / rows[1]["wall (s)"] >= TARGET_JOBS2 else "no"},
              {"benchmark": f"sweep, {args.runs} runs", "target": f"≥ {TARGET_DASK:g}× on Dask",
               "measured": rows[2]["speed-up"],
               "met": "yes" if base / rows[2]["wall (s)"] >= TARGET_DASK else "no"},
              {"benchmark": f"sweep, {args.runs} runs",
               "target": f"< {TARGET_OVERHEAD_MS:g} ms of overhead per run",
               "measured": f"{over:.1f} ms", "met": "yes" if over < TARGET_OVERHEAD_MS else "no"},
              {"benchmark": f"sweep, {args.runs} runs", "target": "points tables identical",
               "measured": str(same), "met": "yes" if same else "no"}]
    print(table(checks, ["benchmark", "target", "measured", "met"]))
    return 0


if __name__ == "__main__":
    sys.exit(main())
