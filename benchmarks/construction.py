"""Building a Problem: a linear model, MSE and a cap, against one Gram product XᵀX.

    .venv/bin/python benchmarks/construction.py [--quick] [--sizes 100000x20 100000x200]

``Problem(...)`` checks the data, fits the standardisation and solves the least-squares start
(from the Gram matrix); the first solve then builds MSE's Gram statistics (a second column). Both
are timed against one ``X.T @ X`` with the same BLAS threads (one, and the library's default),
each the best of a few, taken in turn. Target: construction within 3× one Gram product (one or two
passes over the rows). ``--quick`` runs n = 100,000, d = 200 on one BLAS thread only and exits
non-zero on a miss.
"""

from __future__ import annotations

import argparse
import sys

import numpy as np

from _common import alternating, check, machine, table

TARGET = 3.0


def measure(n: int, p: int, repeat: int = 3, statistics: bool = True, threads: int = 1) -> dict:
    """One row: the times with ``threads`` BLAS threads for everything (0: the library default)."""
    from threadpoolctl import threadpool_limits

    with threadpool_limits(threads or None):
        return _measure(n, p, repeat, statistics, threads)


def _measure(n, p, repeat, statistics, threads):
    import tradeoff as to
    from tradeoff.datasets import Dataset

    rng = np.random.default_rng(0)
    X = rng.standard_normal((n, p))
    y = X @ rng.standard_normal(p) + rng.gamma(2.0, 1.0, n)
    data = Dataset(X=X, y=y, name=f"normal {n}x{p}")
    objectives = ["mse", {"name": "cap_violation", "cap": float(np.quantile(y, 0.9))}]

    def build():
        return to.Problem(data, "linear", objectives)

    def with_statistics():  # what the first solve adds: MSE's Gram statistics
        build()._quadratics()

    fns = {"gram": lambda: X.T @ X, "problem": build}
    t = alternating({**fns, "with_statistics": with_statistics} if statistics else fns, repeat)
    if not statistics:
        return {"XᵀX (s)": t["gram"], "Problem() (s)": t["problem"]}
    return {"n": n, "d": p + 1, "BLAS threads": threads or "default",
            "XᵀX (s)": t["gram"], "Problem() (s)": t["problem"],
            "Problem() / XᵀX": f"{t['problem'] / t['gram']:.2f}×",
            "with MSE's statistics (s)": t["with_statistics"],
            "with statistics / XᵀX": f"{t['with_statistics'] / t['gram']:.2f}×"}


def quick() -> bool:
    """n = 100,000, d = 200, BLAS one thread for both (as the other quick checks): numpy's own
    passes (the mean, the standard deviation) use one core whatever BLAS does."""
    print("Problem construction, n = 100,000, d = 200, BLAS one thread")
    r = measure(100_000, 200, repeat=4, statistics=False)
    return check("Problem() / one XᵀX", r["Problem() (s)"] / r["XᵀX (s)"], TARGET, at_least=False)


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--sizes", nargs="+", default=["100000x20", "100000x200"],
                    help="n x p: rows and features")
    ap.add_argument("--repeat", type=int, default=5)
    ap.add_argument("--threads", type=int, nargs="+", default=[1, 0],
                    help="BLAS threads for both XᵀX and Problem() (0: the library default)")
    ap.add_argument("--quick", action="store_true", help="n 100,000 × d 200, checked against the target")
    args = ap.parse_args(argv)
    if args.quick:
        return 0 if quick() else 1
    print(machine())
    rows = []
    for size in args.sizes:
        n, p = (int(v) for v in size.lower().split("x"))
        for threads in args.threads:
            rows.append(measure(n, p, args.repeat, threads=threads))
    print(table(rows, list(rows[0])))
    # the target is the size, d ≈ 200; at small d fixed costs dwarf a millisecond product
    checks = [{"benchmark": f"Problem(), n = {r['n']:,}, d = {r['d']}, BLAS threads "
               f"{r['BLAS threads']}",
               "target": f"≤ {TARGET:g}× one XᵀX", "measured": r["Problem() / XᵀX"],
               "met": "yes" if r["Problem() (s)"] <= TARGET * r["XᵀX (s)"] else "no"}
              for r in rows if r["d"] >= 200]
    print(table(checks, ["benchmark", "target", "measured", "met"]))
    return 0


if __name__ == "__main__":
    sys.exit(main())
