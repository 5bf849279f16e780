"""fairlearn's reductions against the exact front, on the same Problem and the same objectives.

    .venv/bin/python benchmarks/fairlearn_vs_exact.py [--seeds 10] [--rows 2000]

Regression (CPS1985 wages by gender, diabetes by sex; linear model; objectives MSE and the squared
gap between the groups' mean predictions): the exact front (101 weighted sums), fairlearn's
GridSearch with BoundedGroupLoss (default 21-point grid, and three runs over different bounds),
and ExponentiatedGradient with BoundedGroupLoss at five bounds. For every point, the % by which its
MSE exceeds the exact front's at the same gap (the exact front interpolated linearly in the gap,
which can only understate the excess, the front being convex). EG's points are its randomized
predictors' expected objective values.

Classification (Arrests, released by colour; logistic model; demographic parity): over random
row subsamples, how often ExponentiatedGradient's returned mixture has a between-group selection
rate gap above its ε, and how often it breaks fairlearn's own bound (each group against the
overall rate).

Timings: exact is the median of 5 runs, GridSearch of 3, ExponentiatedGradient a single run.
"""

from __future__ import annotations

import argparse
import time

import numpy as np

from _common import machine, pin_blas_threads, table

import tradeoff as to
from tradeoff.datasets import tabular
from tradeoff.solvers.fairlearn_baselines import fairlearn_eg, fairlearn_grid


def timed(fn, repeats):
    times, out = [], None
    for _ in range(repeats):
        t = time.perf_counter()
        out = fn()
        times.append(time.perf_counter() - t)
    return out, float(np.median(times))


def excess(front, exact):
    """% MSE above the exact front at each point's gap."""
    order = np.argsort(exact.F[:, 1])
    gap, mse = exact.F[order, 1], exact.F[order, 0]
    at = np.interp(front.F[:, 1], gap, mse)
    e = 100.0 * (front.F[:, 0] - at) / at
    return np.where(np.abs(e) < 1e-9, 0.0, e)  # rounding at the front's ends shows as 0


def regression_rows(name, ds):
    problem = to.Problem(ds, "linear", ["mse", "mean_gap_sq"])
    exact, t_exact = timed(lambda: to.solve(problem, "exact", n_points=101), 5)
    grid, t_grid = timed(lambda: fairlearn_grid(problem), 3)
    bounds = [0.9 * exact.F[:, 0].min(), 1.1 * exact.F[:, 0].min(), 2.0 * exact.F[:, 0].min()]
    grid3, t_grid3 = timed(lambda: fairlearn_grid(problem, bounds=bounds), 1)
    eg, t_eg = timed(lambda: fairlearn_eg(problem), 1)
    rows = []
    for label, front, t in [("exact (101 weights)", exact, t_exact), ("fairlearn-grid", grid, t_grid),
                            ("fairlearn-grid, 3 bounds", grid3, t_grid3),
                            ("fairlearn-eg, 5 bounds", eg, t_eg)]:
        e = excess(front, exact)
        low = int(np.argmin(front.F[:, 1]))
        rows.append({
            "data": name, "solver": label, "seconds": t, "points": len(front),
            # fairlearn's reductions count their cost in estimator fits (evaluations are 0 there)
            "fits": (front.extra.get("estimator_fits", front.evaluations)
                     if front.solver != "exact" else ""),
            "median % MSE above": float(np.median(e)), "max %": float(np.max(e)),
            "% at lowest gap": float(e[low]),
            "bounds broken": (f"{sum(front.extra['broken'])} of {len(front)}"
                              if front.solver == "fairlearn-eg" else ""),
        })
    return rows, grid3, eg


def arrests_rows(seeds, n_rows, eps_list):
    full = tabular.arrests()
    counts = {e: {"between": 0, "own": 0, "ratio": [], "seconds": 0.0} for e in eps_list}
    for seed in range(seeds):
        rows = np.random.default_rng(seed).choice(full.n, size=min(n_rows, full.n), replace=False)
        ds = to.Dataset(full.X[rows], full.y[rows], name="arrests", feature_names=full.feature_names,
                        groups=full.groups[rows], group_names=full.group_names)
        problem = to.Problem(ds, "logistic", ["log_loss", "demographic_parity_sq"])
        for e in eps_list:
            front, t = timed(lambda: fairlearn_eg(problem, eps=[e], seed=seed), 1)
            c = counts[e]
            c["seconds"] += t
            c["between"] += front.extra["achieved_between_groups"][0] > e * (1 + 1e-9)
            c["own"] += front.extra["broken"][0]
            c["ratio"].append(front.extra["achieved_between_groups"][0] / e)
    return [{"ε": e, "draws": seeds, "between-group gap > ε": c["between"],
             "own bound broken": c["own"], "median gap / ε": float(np.median(c["ratio"])),
             "max gap / ε": float(np.max(c["ratio"])), "seconds per run": c["seconds"] / seeds}
            for e, c in counts.items()]


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--seeds", type=int, default=10)
    ap.add_argument("--rows", type=int, default=2000)
    args = ap.parse_args()
    pin_blas_threads(1)
    import fairlearn
    import sklearn

    print(f"# fairlearn {fairlearn.__version__} and scikit-learn {sklearn.__version__} vs exact")
    print(machine(), "\n")
    rows, notes = [], []
    for name, load in [("cps1985", tabular.cps1985), ("diabetes", tabular.diabetes)]:
        r, grid3, eg = regression_rows(name, load())
        rows += r
        notes.append(f"- {name} grid, 3 bounds: {grid3.message}")
        notes.append(f"- {name} eg: {eg.message}; bounds "
                     + ", ".join(f"{b:.4g}" for b in eg.extra["bounds"]) + "; achieved "
                     + ", ".join(f"{a:.4g}" for a in eg.extra["achieved"]))
    print("## Regression: MSE vs squared gap of the groups' mean predictions\n")
    print(table(rows, ["data", "solver", "seconds", "points", "fits", "median % MSE above",
                       "max %", "% at lowest gap", "bounds broken"]))
    print()
    print("\n".join(notes))
    print(f"\n## Arrests (logistic, demographic parity): ExponentiatedGradient over {args.seeds} "
          f"subsamples of {args.rows} rows\n")
    print(table(arrests_rows(args.seeds, args.rows, [0.005, 0.01, 0.02]),
                ["ε", "draws", "between-group gap > ε", "own bound broken", "median gap / ε",
                 "max gap / ε", "seconds per run"]))


if __name__ == "__main__":
    main()
