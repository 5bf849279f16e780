"""One epoch at scale: n = 1,000,000 rows, p = 20 features, K = 100 weights.

    .venv/bin/python benchmarks/epoch.py [--n 1000000] [--threads 1 2] [--quick]

An epoch is what a gradient solver does per step: the objectives and the gradient of a weighted
sum for all K candidates (``Problem.combine``). Its floor is two matrix products, X Θᵀ (n × K) and
GZᵀ X (K × p), timed here in the same run with the same BLAS threads. Objectives: MSE (quadratic:
served from Gram statistics, no pass over the rows) and cap_violation (a pass over the rows in
cache-sized blocks). Peak memory is measured with tracemalloc, against the size of X.
"""

from __future__ import annotations

import argparse
import sys
import tracemalloc

import numpy as np

from _common import alternating, check, machine, table


TARGET_TIME, TARGET_MEMORY = 1.3, 1.5


def setup(n: int, p: int, K: int):
    import tradeoff as to
    from tradeoff.datasets import Dataset

    rng = np.random.default_rng(0)
    X = rng.normal(size=(n, p))
    y = X @ rng.normal(size=p) + rng.gamma(2.0, 1.0, n)
    cap = float(np.quantile(y, 0.9))
    prob = to.Problem(Dataset(X, y), "linear", ["mse", {"name": "cap_violation", "cap": cap}])
    Theta = np.column_stack([rng.normal(1, 0.3, (K, p)), rng.normal(0, 1, K)])
    C = np.ones((K, 2))
    prob.combine(Theta[:1], lambda F, G: C[:1])  # builds the Gram statistics once
    return X, prob, Theta, C


def measure(X, prob, Theta, C, repeat: int) -> tuple[float, float, float]:
    """(two products, one epoch) seconds, taken in turn, and the epoch's peak memory / X."""
    def products():
        Z = X @ Theta[:, :-1].T
        return Z.T @ X

    t = alternating({"mm": products, "epoch": lambda: prob.combine(Theta, lambda F, G: C)}, repeat)
    tracemalloc.start()
    prob.combine(Theta, lambda F, G: C)
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    return t["mm"], t["epoch"], peak / X.nbytes


def quick() -> bool:
    """n = 200,000 (a fifth of the full run), BLAS one thread for both."""
    from threadpoolctl import threadpool_limits

    print("one epoch, n = 200,000, p = 20, K = 100, BLAS one thread")
    with threadpool_limits(1):
        t_mm, t_ep, mem = measure(*setup(200_000, 20, 100), repeat=9)
    return all([check("epoch / its two products", t_ep / t_mm, TARGET_TIME, at_least=False),
                check("peak extra memory / X", mem, TARGET_MEMORY, at_least=False)])


def main(argv=None):
    import tradeoff as to

    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--n", type=int, default=1_000_000)
    ap.add_argument("--p", type=int, default=20)
    ap.add_argument("--K", type=int, default=100)
    ap.add_argument("--threads", type=int, nargs="+", default=[1, 0],
                    help="BLAS threads for both the products and the epoch (0: the library default)")
    ap.add_argument("--repeat", type=int, default=5)
    ap.add_argument("--quick", action="store_true", help="n = 200,000, checked against the targets")
    args = ap.parse_args(argv)
    if args.quick:
        return 0 if quick() else 1
    print(machine())
    n, p, K = args.n, args.p, args.K
    X, prob, Theta, C = setup(n, p, K)
    rows = []
    try:
        from threadpoolctl import threadpool_limits
    except ImportError:  # pragma: no cover
        threadpool_limits = None
    for threads in args.threads:
        ctx = threadpool_limits(threads) if threadpool_limits and threads else None
        t_mm, t_ep, mem = measure(X, prob, Theta, C, args.repeat)
        t_q = float("nan")
        if threads == args.threads[0] and (mse_only := _mse_only(prob)):
            t_q = alternating({"q": lambda: to.Problem.combine(mse_only, Theta,
                                                                lambda F, G: C[:, :2])},
                              args.repeat)["q"]
        if ctx:
            ctx.restore_original_limits()
        rows.append({"BLAS threads": threads or "default", "two products (s)": t_mm, "epoch (s)": t_ep,
                     "epoch / products": f"{t_ep / t_mm:.2f}×",
                     "peak extra memory / X": f"{mem:.3f}",
                     "MSE-only epoch (s)": t_q})
    print(f"n = {n:,}, p = {p}, K = {K}; X is {X.nbytes / 1e6:.0f} MB")
    print(table(rows, list(rows[0])))
    checks = []
    for r in rows:
        ratio = r["epoch (s)"] / r["two products (s)"]
        checks.append({"benchmark": f"one epoch, n = {n:,}, BLAS threads {r['BLAS threads']}",
                       "target": f"within {TARGET_TIME}× of its two matrix products",
                       "measured": f"{ratio:.2f}×", "met": "yes" if ratio <= TARGET_TIME else "no"})
    mem = max(float(r["peak extra memory / X"]) for r in rows)
    checks.append({"benchmark": f"one epoch, n = {n:,}", "target": f"peak memory below "
                   f"{TARGET_MEMORY}× X", "measured": f"{mem:.2f} × X",
                   "met": "yes" if mem < TARGET_MEMORY else "no"})
    print(table(checks, ["benchmark", "target", "measured", "met"]))
    return 0


def _mse_only(prob):
    import tradeoff as to

    return to.Problem(prob.data, "linear", ["mse", "l2"])


if __name__ == "__main__":
    sys.exit(main())
