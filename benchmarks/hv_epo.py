"""Adult, K = 10: hv-grad and epo against the weighted sum and MGDA (issue 11, item 5).

    .venv/bin/python benchmarks/hv_epo.py

Data: UCI Adult, the training split (``tradeoff.load_dataset("adult", split="train")``: 30,162 rows,
80 columns, d = 81), logistic model, ``log_loss`` against ``demographic_parity_sq``. Every solver
at K = 10 points with its defaults (MGDA's default budget of 2,000 × K evaluations included), BLAS
pinned to one thread, measured side by side in one run.

HV ratios use one shared scale (``tradeoff.Scale``: ideal and nadir of the union of every row's
non-dominated points, reference point 1.1 × the nadir in normalised units) and that union as the
reference front; the problem is not convex (the parity surrogate), so there is no exact front.
LibMOON's Adult table (HVGrad 0.678, EPO 0.674, linear scalarisation 0.636, MGDA-UB 0.510) is in
its own HV measure and protocol (a network, their relaxed parity, their reference point): only the
ordering is comparable.

Last, the cost split of one hv-grad step: the hypervolume gain from moocore's contributions (K·m
calls) against the pass over the rows that gives the K points' values and gradients.
"""

from __future__ import annotations

import sys
import time

import numpy as np
from _common import converged, machine, pin_blas_threads, table

K = 10
SOLVERS = ("hv-grad", "epo", "weighted-sum", "mgda")


def main():
    import tradeoff as to
    from tradeoff.solvers.hv_gradient import hv_weights

    pin_blas_threads(1)
    print(f"Machine: {machine()}", flush=True)
    ds = to.load_dataset("adult", split="train")
    problem = to.Problem(ds, "logistic", ["log_loss", "demographic_parity_sq"])
    print(f"Adult: n = {problem.data.n}, d = {problem.d}, K = {K}", flush=True)
    fronts = {}
    for solver in SOLVERS:
        t0 = time.perf_counter()
        fronts[solver] = to.solve(problem, solver, n_points=K)
        print(f"  {solver}: {time.perf_counter() - t0:.1f} s — {fronts[solver].message}",
              file=sys.stderr, flush=True)
    union = np.vstack([f.F for f in fronts.values()])
    scale = to.Scale.from_points(union)
    rows = []
    for solver, f in fronts.items():
        c = to.compare(f, union, scale)
        done, n = converged(f)
        gap = f.extra.get("ray_gap")
        rows.append({"solver": solver, "HV ratio": round(c["hv_ratio"], 4),
                     "IGD+": round(c["igd_plus"], 4), "seconds": round(f.seconds, 1),
                     "evaluations": f.evaluations, "steps": f.extra.get("epochs", "—"),
                     "converged": f"{done} of {n}",
                     "largest ray gap": "—" if gap is None else f"{max(gap):.1e}"})
    print()
    print(table(rows, ["solver", "HV ratio", "IGD+", "seconds", "evaluations", "steps",
                       "converged", "largest ray gap"]))

    # one hv-grad step's parts, K = 10 points of its own front
    hv = fronts["hv-grad"]
    ideal, span = np.array(hv.extra["ideal"]), np.array(hv.extra["span"])
    Fn = (hv.F - ideal) / span
    ref = np.array(hv.options["reference"])
    reps = 200
    t0 = time.perf_counter()
    for _ in range(reps):
        hv_weights(Fn, ref)
    t_gain = (time.perf_counter() - t0) / reps
    reps = 10
    t0 = time.perf_counter()
    for _ in range(reps):
        problem.evaluate(hv.X)
    t_pass = (time.perf_counter() - t0) / reps
    print()
    print(f"One hv-grad step at K = {K}: hypervolume gain {t_gain * 1e3:.2f} ms "
          f"({K * problem.m} moocore calls), values and gradients {t_pass * 1e3:.1f} ms "
          f"({t_gain / t_pass:.1%} of the pass).")


if __name__ == "__main__":
    main()
