"""One epoch at scale: n = 1,000,000 rows, p = 20 features, K = 100 weights.

    .venv/bin/python benchmarks/epoch.py [--n 1000000] [--threads 1 2]

An epoch is what a gradient solver does per step: the objectives and the gradient of a weighted
sum for all K candidates (``Problem.combine``). Its floor is two matrix products, X Θᵀ (n × K) and
GZᵀ X (K × p), timed here in the same run with the same BLAS threads. Objectives: MSE (quadratic:
served from Gram statistics, no pass over the rows) and cap_violation (a pass over the rows in
cache-sized blocks). Peak memory is measured with tracemalloc, against the size of X.
"""

from __future__ import annotations

import argparse
import time
import tracemalloc

import numpy as np

from _common import machine, table


def best(fn, repeat):
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return min(times)


def main(argv=None):
    import tradeoff as to
    from tradeoff.datasets import Dataset

    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--n", type=int, default=1_000_000)
    ap.add_argument("--p", type=int, default=20)
    ap.add_argument("--K", type=int, default=100)
    ap.add_argument("--threads", type=int, nargs="+", default=[1, 0],
                    help="BLAS threads for both the products and the epoch (0: the library default)")
    ap.add_argument("--repeat", type=int, default=5)
    args = ap.parse_args(argv)
    print(machine())
    rng = np.random.default_rng(0)
    n, p, K = args.n, args.p, args.K
    X = rng.normal(size=(n, p))
    y = X @ rng.normal(size=p) + rng.gamma(2.0, 1.0, n)
    cap = float(np.quantile(y, 0.9))
    prob = to.Problem(Dataset(X, y), "linear", ["mse", {"name": "cap_violation", "cap": cap}])
    Theta = np.column_stack([rng.normal(1, 0.3, (K, p)), rng.normal(0, 1, K)])
    C = np.ones((K, 2))
    prob.combine(Theta[:1], lambda F, G: C[:1])  # builds the Gram statistics once
    rows = []
    try:
        from threadpoolctl import threadpool_limits
    except ImportError:  # pragma: no cover
        threadpool_limits = None
    for threads in args.threads:
        ctx = threadpool_limits(threads) if threadpool_limits and threads else None

        def products():
            Z = X @ Theta[:, :-1].T
            return Z.T @ X

        t_mm = best(products, args.repeat)
        t_ep = best(lambda: prob.combine(Theta, lambda F, G: C), args.repeat)
        t_q = best(lambda: to.Problem.combine(mse_only, Theta, lambda F, G: C[:, :2]), args.repeat) \
            if threads == args.threads[0] and (mse_only := _mse_only(prob)) else float("nan")
        tracemalloc.start()
        prob.combine(Theta, lambda F, G: C)
        peak = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
        if ctx:
            ctx.restore_original_limits()
        rows.append({"BLAS threads": threads or "default", "two products (s)": t_mm, "epoch (s)": t_ep,
                     "epoch / products": f"{t_ep / t_mm:.2f}×",
                     "peak extra memory / X": f"{peak / X.nbytes:.3f}",
                     "MSE-only epoch (s)": t_q})
    print(f"n = {n:,}, p = {p}, K = {K}; X is {X.nbytes / 1e6:.0f} MB")
    print(table(rows, list(rows[0])))
    print("Targets: an epoch within 1.3× of its two matrix products; peak memory below 1.5× X.")


def _mse_only(prob):
    import tradeoff as to

    return to.Problem(prob.data, "linear", ["mse", "l2"])


if __name__ == "__main__":
    main()
