"""Shared set-up for the benchmark scripts: the post's problem, its reference front, HV ratios."""

from __future__ import annotations

import os
import platform
import sys

import numpy as np


def pin_blas_threads(n: int = 1):
    """Single-threaded BLAS where asked: numpy's and scipy's pools fight over two cores otherwise."""
    try:
        from threadpoolctl import threadpool_limits
        return threadpool_limits(n)
    except ImportError:  # pragma: no cover
        return None


def cap_problem(n: int, seed: int = 0):
    """x ~ U(0, 100), y = 1.4·x + Gamma(2, 10) − 20; objectives MSE and mean(max(0, ŷ − 120)²)."""
    import tradeoff as to
    from tradeoff.data import cap_benchmark_data

    return to.Problem(cap_benchmark_data(n=n, seed=seed), "linear",
                      ["mse", {"name": "cap_violation", "cap": 120.0}])


class Reference:
    """The exact front at 200 evenly spaced weights; HV with reference point 1.1 × its nadir."""

    def __init__(self, problem, n_points: int = 200):
        import tradeoff as to

        self.front = to.solve(problem, "exact", n_points=n_points, adaptive=False)
        self.ref_point = 1.1 * self.front.F.max(axis=0)
        self.hv = to.hypervolume(self.front.F, self.ref_point)

    def ratio(self, F) -> float:
        import tradeoff as to

        F = np.asarray(F, float)
        return to.hypervolume(F, self.ref_point) / self.hv if len(F) else 0.0


def machine() -> str:
    import numpy
    import pymoo
    import scipy

    return (f"{platform.processor() or platform.machine()}, {os.cpu_count()} cores; Python "
            f"{sys.version.split()[0]}, numpy {numpy.__version__}, scipy {scipy.__version__}, "
            f"pymoo {pymoo.__version__}")


def table(rows: list[dict], columns: list[str]) -> str:
    """A Markdown table."""
    out = ["| " + " | ".join(columns) + " |", "|" + "---|" * len(columns)]
    for r in rows:
        out.append("| " + " | ".join(_fmt(r.get(c, "")) for c in columns) + " |")
    return "\n".join(out)


def _fmt(v):
    if isinstance(v, float):
        return f"{v:.4g}"
    return str(v)
