"""Indicators: tradeoff's hypervolume and IGD+ against calling moocore directly.

    .venv/bin/python benchmarks/indicators.py

Points on a convex 2-objective front (200 and 10,000 of them), best of several timed repeats.
Target: tradeoff within 1.5× of moocore.
"""

from __future__ import annotations

import timeit

import numpy as np

from _common import machine, table


def main():
    import moocore

    import tradeoff as to

    print(machine() + f", moocore {moocore.__version__}")
    rng = np.random.default_rng(0)
    rows = []
    for k in (200, 10_000):
        t = np.sort(rng.random(k))
        F = np.column_stack([t, (1 - np.sqrt(t)) ** 2]) + rng.normal(0, 1e-3, (k, 2))
        R = np.column_stack([np.linspace(0, 1, 500), (1 - np.sqrt(np.linspace(0, 1, 500))) ** 2])
        ref = np.array([1.1, 1.1])
        assert np.isclose(to.hypervolume(F, ref), moocore.hypervolume(F, ref=ref), rtol=1e-12)
        cases = {
            "hypervolume": (lambda: to.hypervolume(F, ref), lambda: moocore.hypervolume(F, ref=ref)),
            "IGD+": (lambda: to.igd_plus(F, R), lambda: moocore.igd_plus(F, ref=R)),
        }
        for name, (ours, theirs) in cases.items():
            n = max(1, int(2000 / k * 10))
            a = min(timeit.repeat(ours, number=n, repeat=7)) / n
            b = min(timeit.repeat(theirs, number=n, repeat=7)) / n
            rows.append({"indicator": name, "points": k, "tradeoff (µs)": a * 1e6,
                         "moocore (µs)": b * 1e6, "ratio": f"{a / b:.2f}×"})
    print(table(rows, list(rows[0])))
    print("Target: within 1.5× of moocore.")


if __name__ == "__main__":
    main()
