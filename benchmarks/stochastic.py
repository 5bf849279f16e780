"""Mini-batch (Adam) against the full-batch engine at equal wall-clock seconds, on Adult.

    .venv/bin/python benchmarks/stochastic.py [--seconds 20] [--K 16] [--batch 512]

Adult's training split (30,162 rows, 80 columns after encoding), log-loss against the squared
demographic-parity gap, K = 16 points of a weighted-sum front, for a logistic model (d = 81) and an
MLP [64, 64] (d = 9,409) on z-scored columns. Each model gets the same wall-clock budget
(``max_seconds``) for:

- ``full-batch``: the engine (Newton for the logistic model, L-BFGS for the MLP), anchors included;
- ``mini-batch``: ``optimizer = "adam"``, batches of 512 rows (``normalize`` auto: the engine's
  anchors for the logistic model, the loop's online anchors for the MLP), epochs enough to outlast
  the budget.

Time per epoch is seconds / (full-data passes per candidate): a full-batch pass per candidate and
iteration (``evaluations / K``), against the loop's epochs run. Hypervolume uses one reference point
per model, 1.1 × the worst value of each objective over both fronts (after dropping points with a
log-loss above ln 2 · 1.5, worse than a constant predictor). Wall-clock budgets make these numbers
machine-dependent: the table says what one machine did in one run.
"""

from __future__ import annotations

import argparse
import dataclasses
import time

import numpy as np
from _common import machine, pin_blas_threads, table


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--seconds", type=float, default=20.0)
    ap.add_argument("--K", type=int, default=16)
    ap.add_argument("--batch", type=int, default=512)
    args = ap.parse_args()
    pin_blas_threads(1)
    import tradeoff as to

    data = to.load_dataset("adult", split="train")
    # a network takes its inputs as given: z-scored columns, or Adult's raw capital gains (up to
    # 99,999) saturate every unit at initialisation (the logistic model standardises itself)
    X = np.asarray(data.X, float)
    scaled = dataclasses.replace(data, X=(X - X.mean(0)) / np.where(X.std(0) > 0, X.std(0), 1.0))
    from tradeoff.models import get_model

    models = {"logistic": (get_model("logistic"), 1e-2, data),
              "mlp [64, 64]": (get_model("mlp", hidden=[64, 64], output="logistic"), 1e-3,
                               scaled)}
    rows = []
    for label, (model, lr, rows_of) in models.items():
        problem = to.Problem(rows_of, model, ["log_loss", "demographic_parity_sq"])
        runs = {
            "full-batch": dict(),
            "mini-batch": dict(optimizer="adam", lr=lr, batch_size=args.batch, epochs=10_000),
        }
        fronts = {}
        for name, opts in runs.items():
            t0 = time.perf_counter()
            front = to.solve(problem, "weighted-sum", n_points=args.K, weights=_weights(args.K),
                             max_seconds=args.seconds, seed=0, **opts)
            wall = time.perf_counter() - t0
            passes = (front.extra["epochs_run"] if "epochs_run" in front.extra
                      else front.evaluations / args.K)
            fronts[name] = front
            rows.append({"model": label, "d": problem.d, "solver": name,
                         "method": front.options["method"], "seconds": round(wall, 1),
                         "epochs (full passes)": round(passes, 1),
                         "s / epoch": wall / max(passes, 1e-9),
                         "best log-loss": float(front.F[:, 0].min()),
                         "F": front.F})
        sane = {k: f.F[f.F[:, 0] < 1.5 * np.log(2)] for k, f in fronts.items()}
        if not any(len(v) for v in sane.values()):  # nothing better than a constant: keep all
            sane = {k: f.F for k, f in fronts.items()}
        ref = 1.1 * np.vstack(list(sane.values())).max(axis=0)
        union = np.vstack(list(sane.values()))
        hv_union = to.hypervolume(union, ref)
        for r in rows[-2:]:
            hv = to.hypervolume(sane[r["solver"]], ref) if len(sane[r["solver"]]) else 0.0
            r["HV"] = hv
            r["HV / union"] = hv / hv_union if hv_union > 0 else float("nan")
    print(f"# weighted sum, K = {args.K}, {args.seconds:g} s each, batch {args.batch}; "
          f"{machine()}\n")
    print(table(rows, ["model", "d", "solver", "method", "seconds", "epochs (full passes)",
                       "s / epoch", "best log-loss", "HV", "HV / union"]))


def _weights(K):
    w = np.linspace(0, 1, K)
    return np.column_stack([1 - w, w]).tolist()


if __name__ == "__main__":
    main()
