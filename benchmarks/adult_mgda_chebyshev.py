"""Adult, 20 points: MGDA and Chebyshev against the weighted sum in one run (issue "Speed at the sizes
users reach", item 2).

    ../.venv/bin/python adult_mgda_chebyshev.py [--rounds 2] [--limit 45]

Data: UCI Adult, the training split (``tradeoff.load_dataset("adult")``); logistic model,
``log_loss`` against ``demographic_parity_sq``; every solver at its defaults (``method="auto"``, the
Newton engine here) with 20 points, one BLAS thread. Each round runs the three solvers in turn,
each cut off after ``--limit`` seconds; per row: wall-clock seconds, points converged (the solver's
own per-point status), evaluations, and the ratio of its seconds to the weighted sum's in the same
round. Targets: every point converged, MGDA within 2× the weighted sum's time.
"""

from __future__ import annotations

import argparse
import time

import numpy as np

from _common import converged, guarded, machine, pin_blas_threads, table

SOLVERS = ("weighted-sum", "chebyshev", "mgda")


def run(problem, solver, limit):
    import tradeoff as to

    t0 = time.perf_counter()
    st, front = guarded(lambda: to.solve(problem, solver, n_points=20), limit, 4.0)
    dt = time.perf_counter() - t0
    if st != "ok":
        return {"seconds": float("nan"), "converged": (f"cut off at {limit:g} s" if st == "timeout"
                                                       else f"failed: {front}"), "evaluations": ""}
    k, n = converged(front)
    return {"seconds": dt, "converged": f"{k} of {n}", "evaluations": front.evaluations,
            "status": ", ".join(f"{s} {c}" for s, c in zip(*np.unique(
                front.extra.get("point_status", []), return_counts=True)))}


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--rounds", type=int, default=1)
    ap.add_argument("--limit", type=float, default=45.0, help="seconds before a solver is cut off")
    args = ap.parse_args()
    pin_blas_threads(1)
    import tradeoff as to

    problem = to.Problem(to.load_dataset("adult"), "logistic",
                         ["log_loss", "demographic_parity_sq"])
    print(f"Adult: n = {problem.data.n}, d = {problem.d}; {machine()}; one BLAS thread")
    rows = []
    for rnd in range(1, args.rounds + 1):
        out = {s: run(problem, s, args.limit) for s in SOLVERS}
        base = out["weighted-sum"]["seconds"]
        for s in SOLVERS:
            sec = out[s]["seconds"]
            rows.append({"round": rnd, "solver": s, "seconds": round(sec, 1),
                         "converged": out[s]["converged"], "evaluations": out[s]["evaluations"],
                         "× weighted sum": round(sec / base, 2) if np.isfinite(sec) else "",
                         "point status": out[s].get("status", "")})
    print(table(rows, ["round", "solver", "seconds", "converged", "evaluations", "× weighted sum",
                       "point status"]))


if __name__ == "__main__":
    main()
