"""Front quality per second: time and evaluations each solver needs to reach an HV ratio of 0.99
and 0.999 against the exact front (200 evenly spaced weights, reference 1.1 × nadir).

    .venv/bin/python benchmarks/front_quality.py [--sizes 1000 100000] [--seeds 5] [--quick]

Gradient solvers (and the exact one) are rerun at a doubling ladder of budgets; the first run that
reaches a target gives its time and evaluations. pymoo's solvers run once, 200 generations of 100,
and a callback notes when each target is first reached (the callback's own time is not counted).
Each solver's front has 100 points. At n = 100,000 MOEA/D (which loops in Python) runs one seed
for 30 generations, to keep the whole script under five minutes.
"""

from __future__ import annotations

import argparse
import sys
import time

import numpy as np

from _common import Reference, cap_problem, check, machine, pin_blas_threads, table

TARGETS = (0.99, 0.999)
# (label, solver, options): the weighted sum with adaptive weights (its default) and evenly spaced
GRADIENT = (("weighted-sum", "weighted-sum", {}),
            ("weighted-sum, even weights", "weighted-sum", {"adaptive": False}),
            ("penalty", "penalty", {}), ("chebyshev", "chebyshev", {}),
            ("epsilon-constraint", "epsilon-constraint", {}), ("mgda", "mgda", {}))
GRADIENT_LABELS = tuple(g[0] for g in GRADIENT)
PYMOO = ("nsga2", "sms-emoa", "moead")


def ladder(problem, ref, solver, seed, budgets, options):
    import tradeoff as to

    found = {}
    for b in budgets:
        t0 = time.perf_counter()
        fr = to.solve(problem, solver, n_points=100, max_evaluations=int(b), seed=seed, **options)
        dt = time.perf_counter() - t0
        r = ref.ratio(fr.F)
        for t in TARGETS:
            if t not in found and r >= t:
                found[t] = (dt, fr.evaluations)
        if len(found) == len(TARGETS) or fr.success:
            return found, r
    return found, r


def evolutionary(problem, ref, solver, seed, generations=200):
    from pymoo.core.callback import Callback
    from pymoo.optimize import minimize

    from tradeoff.solvers.evolutionary import PymooAdapter, make_algorithm

    class Watch(Callback):
        def __init__(self):
            super().__init__()
            self.spent = 0.0
            self.found = {}
            self.last = 0.0

        def notify(self, algorithm):
            t0 = time.perf_counter()
            F = algorithm.opt.get("F")
            r = ref.ratio(F)
            self.last = r
            for t in TARGETS:
                if t not in self.found and r >= t:
                    self.found[t] = (t0 - self.start - self.spent, algorithm.evaluator.n_eval)
            self.spent += time.perf_counter() - t0

    watch = Watch()
    adapter = PymooAdapter(problem)
    algo = make_algorithm(solver, problem.m, 100, seed)
    watch.start = time.perf_counter()
    minimize(adapter, algo, ("n_gen", generations), seed=seed, callback=watch, verbose=False)
    return watch.found, watch.last


TARGET = 10.0  # the best gradient solver to HV ratio 0.999 against SMS-EMOA


def quick() -> bool:
    """n = 1,000, seed 0: the weighted sum's ladder against one SMS-EMOA run (a few seconds)."""
    limit = pin_blas_threads(1)
    print("front quality, n = 1,000: the weighted sum against SMS-EMOA to HV ratio 0.999")
    problem = cap_problem(1000, 0)
    ref = Reference(problem)
    found, _ = ladder(problem, ref, "weighted-sum", 0, np.geomspace(200, 60_000, 14), {})
    t0 = time.perf_counter()
    sms, _ = evolutionary(problem, ref, "sms-emoa", 0)
    spent = time.perf_counter() - t0
    if limit is not None:
        limit.restore_original_limits()
    ws = found.get(0.999, (np.nan,))[0]
    # SMS-EMOA short of 0.999 in its 200 generations: its whole run is a lower bound
    t_sms = sms.get(0.999, (spent,))[0]
    label = "weighted sum vs SMS-EMOA to HV 0.999" + ("" if 0.999 in sms else
                                                       " (SMS-EMOA never: a lower bound)")
    return check(label, t_sms / ws, TARGET)


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--quick", action="store_true", help="n = 1,000, one seed, checked against the target")
    ap.add_argument("--sizes", type=int, nargs="+", default=[1000, 100_000])
    ap.add_argument("--seeds", type=int, default=5)
    ap.add_argument("--generations", type=int, default=200)
    args = ap.parse_args(argv)
    if args.quick:
        return 0 if quick() else 1
    pin_blas_threads(1)
    print(machine())
    checks = []
    for n in args.sizes:
        rows = []
        for seed in range(args.seeds):
            problem = cap_problem(n, seed)
            t0 = time.perf_counter()
            ref = Reference(problem)
            t_exact = time.perf_counter() - t0
            rows.append({"solver": "exact (200 weights)", "seed": seed, "t0.99": t_exact,
                         "t0.999": t_exact, "final": 1.0, "evals0.99": ref.front.evaluations,
                         "evals0.999": ref.front.evaluations})
            budgets = np.geomspace(200, 60_000, 14) if n <= 10_000 else np.geomspace(300, 20_000, 7)
            for label, solver, options in GRADIENT:
                t1 = time.perf_counter()
                found, last = ladder(problem, ref, solver, seed, budgets, options)
                rows.append(_row(label, seed, found, last))
                print(f"  n={n} seed={seed} {label}: {time.perf_counter() - t1:.1f} s", file=sys.stderr)
            for solver in PYMOO:
                if solver == "moead" and n > 10_000 and seed > 0:
                    continue  # pymoo's MOEA/D loops in Python: one seed at this size keeps us in 5 min
                t1 = time.perf_counter()
                gens = args.generations if n <= 10_000 or solver != "moead" else 30
                found, last = evolutionary(problem, ref, solver, seed, gens)
                rows.append(_row(solver, seed, found, last))
                print(f"  n={n} seed={seed} {solver}: {time.perf_counter() - t1:.1f} s", file=sys.stderr)
        print(f"\n## n = {n:,}: seconds (and evaluations) to reach each HV ratio; median over "
              f"{args.seeds} seeds, '—' where not reached in every seed")
        text, ratio = summarise(rows)
        print(text)
        checks.append({"benchmark": f"front quality, n = {n:,} ({args.seeds} seeds)",
                       "target": f"best gradient solver to HV ratio 0.999 ≥ {TARGET:g}× "
                       "faster than SMS-EMOA", "measured": ratio[0],
                       "met": "yes" if ratio[1] else "no"})
    print(table(checks, ["benchmark", "target", "measured", "met"]))
    return 0


def _row(solver, seed, found, last):
    row = {"solver": solver, "seed": seed, "final": last}
    for t in TARGETS:
        row[f"t{t}"], row[f"evals{t}"] = found.get(t, (np.nan, np.nan))
    return row


def summarise(rows):
    import pandas as pd

    df = pd.DataFrame(rows)
    out = []
    for solver, g in df.groupby("solver", sort=False):
        rec = {"solver": solver, "final HV ratio": float(g["final"].median())}
        for t in TARGETS:
            ts, es = g[f"t{t}"], g.get(f"evals{t}")
            rec[f"s to {t}"] = "—" if ts.isna().any() else f"{ts.median():.4f}"
            rec[f"evals to {t}"] = "—" if es is None or es.isna().any() else f"{es.median():.0f}"
        out.append(rec)
    best = {t: min((float(r[f"s to {t}"]) for r in out if r["solver"] in GRADIENT_LABELS
                    and r[f"s to {t}"] != "—"), default=np.nan) for t in TARGETS}
    sms = next((r for r in out if r["solver"] == "sms-emoa"), None)
    text = table(out, ["solver", "s to 0.99", "evals to 0.99", "s to 0.999", "evals to 0.999",
                       "final HV ratio"])
    ratio = ("—", False)
    if sms:
        for t in TARGETS:
            s = sms[f"s to {t}"]
            text += (f"\nbest gradient solver vs SMS-EMOA to {t}: "
                     + (f"{float(s) / best[t]:.1f}× faster" if s != "—" and best[t] == best[t]
                        else f"SMS-EMOA {'did not reach it' if s == '—' else s + ' s'}, best gradient "
                             f"{best[t]:.4f} s"))
        s = sms["s to 0.999"]
        if best[0.999] == best[0.999]:  # a gradient solver got there
            if s == "—":
                ratio = (f"SMS-EMOA never (best gradient {best[0.999]:.4f} s)", True)
            else:
                r = float(s) / best[0.999]
                ratio = (f"{r:.1f}× ({best[0.999]:.4f} s vs {float(s):.3g} s)", r >= TARGET)
    return text, ratio


if __name__ == "__main__":
    sys.exit(main())
