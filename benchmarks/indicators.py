"""Indicators: tradeoff's hypervolume and IGD+ against calling moocore directly.

    .venv/bin/python benchmarks/indicators.py [--quick]

Points on a convex 2-objective front (200 and 10,000 of them); each entry is the best of several
timed repeats, ours and moocore's taken in turn. Targets: tradeoff within 1.5× of moocore; its
checks (NaN, shapes) cost at most 1.1× at 200 points. ``--quick`` times the 200 points only and
exits non-zero on a miss.
"""

from __future__ import annotations

import argparse
import sys

import numpy as np

from _common import alternating, check, machine, table

TARGET = 1.5
TARGET_200 = 1.1  # 200 points: moocore's own work is ~20 µs, so the checks must stay ~2 µs


def front(k: int, rng):
    t = np.sort(rng.random(k))
    return np.column_stack([t, (1 - np.sqrt(t)) ** 2]) + rng.normal(0, 1e-3, (k, 2))


def measure(k: int, repeat: int | None = None) -> dict:
    """{indicator: (ours, moocore)} seconds per call at k points."""
    import moocore

    import tradeoff as to

    rng = np.random.default_rng(0)
    F = front(k, rng)
    R = np.column_stack([np.linspace(0, 1, 500), (1 - np.sqrt(np.linspace(0, 1, 500))) ** 2])
    ref = np.array([1.1, 1.1])
    if not np.isclose(to.hypervolume(F, ref), moocore.hypervolume(F, ref=ref), rtol=1e-12):
        raise SystemExit("tradeoff's hypervolume differs from moocore's")
    # many short repeats, the best kept: a call takes microseconds and the machine is shared
    number = max(1, 10_000 // k)
    repeat = repeat or (150 if k <= 1000 else 20)
    t = alternating({"hv": lambda: to.hypervolume(F, ref),
                     "hv_m": lambda: moocore.hypervolume(F, ref=ref)}, repeat, number)
    t.update(alternating({"igd": lambda: to.igd_plus(F, R),
                          "igd_m": lambda: moocore.igd_plus(F, ref=R)}, repeat, number))
    return {"hypervolume": (t["hv"], t["hv_m"]), "IGD+": (t["igd"], t["igd_m"])}


def quick() -> bool:
    print("indicators, 200 points")
    t = measure(200)
    return all([check("hypervolume / moocore, 200 points", t["hypervolume"][0] / t["hypervolume"][1],
                      TARGET_200, at_least=False),
                check("IGD+ / moocore, 200 points", t["IGD+"][0] / t["IGD+"][1], TARGET,
                      at_least=False)])


def main(argv=None):
    import moocore

    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--quick", action="store_true", help="200 points, checked against the targets")
    args = ap.parse_args(argv)
    if args.quick:
        return 0 if quick() else 1
    print(machine() + f", moocore {moocore.__version__}")
    rows = []
    for k in (200, 10_000):
        for name, (a, b) in measure(k).items():
            rows.append({"indicator": name, "points": k, "tradeoff (µs)": a * 1e6,
                         "moocore (µs)": b * 1e6, "ratio": f"{a / b:.2f}×"})
    print(table(rows, list(rows[0])))
    r = [float(row["ratio"].rstrip("×")) for row in rows]
    hv200 = r[0]
    print(table([{"benchmark": "indicators", "target": f"hypervolume within {TARGET_200}× of "
                  "moocore at 200 points", "measured": f"{hv200:.2f}×",
                  "met": "yes" if hv200 <= TARGET_200 else "no"},
                 {"benchmark": "indicators", "target": f"hypervolume and IGD+ within {TARGET}× of "
                  "moocore (200 and 10,000 points)", "measured": f"{min(r):.2f}–{max(r):.2f}×",
                  "met": "yes" if max(r) <= TARGET else "no"}],
                ["benchmark", "target", "measured", "met"]))
    return 0


if __name__ == "__main__":
    sys.exit(main())
