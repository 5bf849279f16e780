"""Pareto set learning against separately trained networks on Adult (issue 11, item 4).

    .venv/bin/python benchmarks/pareto_set.py [--hidden 64 64] [--steps 1000] [--batch 512] [--quick]

Problem: Adult's training split (30,162 rows, 80 columns, numeric columns standardised with the
training split's mean and deviation: an MLP takes its inputs as given), an MLP with a logistic
output, log-loss against the squared demographic-parity gap.

- **20 separate MLPs**: 20 networks with their own parameters, one per preference of an even grid
  (the corners included), trained together as one (20, d) array but independently: the same
  smooth-Chebyshev scalarisation, corners' anchor rule, normalisation (the corners' running
  values), Adam, cosine schedule, mini-batches and steps as ``pareto-set``.
- **one MLP**: the same loop for one network (preference (0.5, 0.5), the 20's final
  normalisation): the time the target is measured against.
- **pareto-set**: ``tradeoff.solve(problem, "pareto-set", ...)`` with the same steps, batch and
  learning rate, 3 preferences per step (the two corners and one drawn); its front is its 20
  evenly spread preferences, and 200 more come from the trained hypernetwork afterwards
  (``pareto_set.parameters``). Then once more with ``max_seconds`` = 3 × the first timing of one
  MLP: the target's budget, given to the solver (its schedule follows it).

Target: HV ≥ 0.99 × the 20 MLPs' HV at ≤ 3× the time of training one. HV is taken in one
normalisation for all (ideal and nadir of the union of every front's non-dominated points,
reference point 1.1 × the nadir), on the training rows and on Adult's test split. Times are
training only (each front's final evaluation on all rows is the same work for both, and not
training). ``--quick`` checks the time target only, at 200 steps (about 5 s): the HV target needs
the 20 networks' 1,000 steps (at 150 steps pareto-set has a third of their HV).
"""

from __future__ import annotations

import argparse
import dataclasses
import sys
import time

import numpy as np

from _common import alternating, check, machine, table

TARGET_TIME, TARGET_HV = 3.0, 0.99  # issue 11: pareto-set ≤ 3× one MLP's time, ≥ 0.99 of the HV


def adult(split: str, mean=None, std=None):
    import tradeoff as to

    data = to.load_dataset("adult", split=split)
    X = data.X.copy()
    numeric = ~np.isin(X, (0.0, 1.0)).all(axis=0) if mean is None else mean[1]
    if mean is None:
        mean = (X[:, numeric].mean(0), numeric)
        std = X[:, numeric].std(0)
    X[:, numeric] = (X[:, numeric] - mean[0]) / std
    return dataclasses.replace(data, X=X), mean, std


def separate(problem, prefs, steps, batch, lr, seed=0, fixed=None):
    """Θ (k, d) of k independent networks, one per preference row, and the final (ideal, span)."""
    from tradeoff.blocks import single_blas_thread
    from tradeoff.optim import adam
    from tradeoff.solvers import pareto_set as ps

    rng = np.random.default_rng(seed)
    k, m = prefs.shape
    n = problem.data.n
    Theta = np.repeat(problem.start_theta(1), k, axis=0)
    Ps = ps._soft(prefs)
    opt = adam(lr)
    state = opt.init(Theta)
    corners = [int(np.flatnonzero(prefs[:, i] == 1)[0]) for i in range(m)] if fixed is None else None
    norm = ps.Normaliser(m)
    order, at = np.arange(n), n

    anchor_W = np.full((m, m), ps.ANCHOR_SHARE) + (1 - ps.ANCHOR_SHARE) * np.eye(m)

    def coef(F, G):
        ideal, span = fixed if fixed is not None else norm.update(F[corners], t / steps)
        C = ps._coefficients(Ps, (F - ideal) / span, span, "chebyshev", 0.01)[1]
        if fixed is None:  # the corners' anchor rule, as pareto-set's
            C[corners] = anchor_W / span
        return C

    with single_blas_thread():  # as tradeoff.solve runs every solver
        for t in range(steps):
            if at + batch > n:
                order, at = rng.permutation(n), 0
            rows, at = np.sort(order[at:at + batch]), at + batch
            _, _, g = problem.combine(Theta, coef, rows=rows)
            delta, state = opt.update(g, state)
            Theta = Theta - delta * (ps.FINAL_LR + (1 - ps.FINAL_LR) * 0.5
                                     * (1 + np.cos(np.pi * t / steps)))
    return Theta, (norm.ideal, norm.span)


def quick(steps: int = 200, batch: int = 512, lr: float = 1e-3) -> bool:
    """pareto-set (3 preferences per step) against one MLP, the same steps, timed in turn."""
    import tradeoff as to

    train, _, _ = adult("train")
    model = to.models.MLP(hidden=(64, 64), output="logistic", seed=0)
    problem = to.Problem(train, model, ["log_loss", "demographic_parity_sq"])
    print(f"Pareto set learning, Adult, MLP [64, 64], {steps} steps of {batch} rows: time against "
          "one MLP")
    trained = []  # the solver's own training seconds per run (its final evaluation is not training)
    t = alternating({
        "one": lambda: separate(problem, np.array([[0.5, 0.5]]), steps, batch, lr, 0,
                                (np.zeros(2), np.ones(2))),
        "ps": lambda: trained.append(to.solve(
            problem, "pareto-set", n_points=20, steps=steps, batch_size=batch, n_preferences=3,
            lr=lr, seed=0).extra["train_seconds"])}, 2)
    return check("pareto-set / one MLP, training seconds (best of 2 each)",
                 min(trained) / t["one"], TARGET_TIME, at_least=False)


def main():
    import tradeoff as to
    from tradeoff.indicators import nondominated
    from tradeoff.solvers import pareto_set as ps
    from tradeoff.solvers.weights import simplex_grid

    ap = argparse.ArgumentParser()
    ap.add_argument("--hidden", type=int, nargs="+", default=[64, 64])
    ap.add_argument("--steps", type=int, default=1000)
    ap.add_argument("--batch", type=int, default=512)
    ap.add_argument("--lr", type=float, default=1e-3)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--preferences", type=int, nargs="+", default=[3],
                    help="n_preferences of the pareto-set runs (each also for 200 points after)")
    ap.add_argument("--quick", action="store_true", help="the time target at 200 steps, checked")
    args = ap.parse_args()
    if args.quick:
        return 0 if quick() else 1

    train, mean, std = adult("train")
    test, _, _ = adult("test", mean, std)
    model = to.models.MLP(hidden=tuple(args.hidden), output="logistic", seed=args.seed)
    objectives = ["log_loss", "demographic_parity_sq"]
    problem = to.Problem(train, model, objectives)
    test_problem = to.Problem(test, model, objectives)
    print(f"# Pareto set learning on Adult: MLP {list(args.hidden)} (d = {problem.d}), "
          f"n = {train.n} (test {test.n}), {args.steps} steps of {args.batch} rows, lr {args.lr}")
    print(f"# {machine()}\n")

    P20 = simplex_grid(20, 2)
    t = time.perf_counter()
    Th20, norm = separate(problem, P20, args.steps, args.batch, args.lr, args.seed)
    t20 = time.perf_counter() - t

    def one():
        t = time.perf_counter()
        separate(problem, np.array([[0.5, 0.5]]), args.steps, args.batch, args.lr, args.seed, norm)
        return time.perf_counter() - t

    # the machine is shared: one MLP is timed before, between and after the pareto-set runs, and
    # the median is the unit (the range is printed)
    t_one = [one()]
    fronts = {"20 separate MLPs": (Th20, t20, t20)}
    runs = [(K, None) for K in args.preferences] + [(args.preferences[0], 3.0)]
    for K, times in runs:
        budget = {} if times is None else {"max_seconds": times * t_one[0]}
        front = to.solve(problem, "pareto-set", n_points=20, steps=args.steps,
                         batch_size=args.batch, n_preferences=K, lr=args.lr, seed=args.seed,
                         **budget)
        name = f"pareto-set, {K} preferences/step" + (
            "" if times is None else f", max_seconds = {times:g} × one MLP "
                                     f"({front.extra['steps']} steps)")
        fronts[name] = (front.X, front.extra["train_seconds"], front.seconds)
        more = ps.parameters(front, simplex_grid(200, 2))
        fronts[name + ", 200 points after"] = (more, front.extra["train_seconds"], front.seconds)
        t_one.append(one())
    t1 = float(np.median(t_one))

    rows = []
    F = {split: {k: p.evaluate(v[0], grad=False).F for k, v in fronts.items()}
         for split, p in (("train", problem), ("test", test_problem))}
    hv = {}
    for split, Fs in F.items():
        union = np.vstack(list(Fs.values()))
        scale = to.Scale.from_points(union)
        hv[split] = {k: to.hypervolume(scale(v[nondominated(v)]), scale.ref) for k, v in Fs.items()}
    base = "20 separate MLPs"
    for k, (Th, tt, _) in fronts.items():
        rows.append({"method": k, "points": len(Th), "train s": tt, "× one MLP": tt / t1,
                     "HV train": hv["train"][k], "ratio train": hv["train"][k] / hv["train"][base],
                     "HV test": hv["test"][k], "ratio test": hv["test"][k] / hv["test"][base],
                     "log-loss range": f"{F['train'][k][:, 0].min():.3f}–{F['train'][k][:, 0].max():.3f}"})
    print(f"one MLP: {t1:.2f} s ({args.steps} steps; median of {len(t_one)} timings, "
          f"{min(t_one):.2f}–{max(t_one):.2f} s)\n")
    print(table(rows, ["method", "points", "train s", "× one MLP", "HV train", "ratio train",
                       "HV test", "ratio test", "log-loss range"]))
    for best in (rows[1], rows[-2]):
        print(f"\ntarget: HV ratio ≥ 0.99 at ≤ 3× one MLP; {best['method']}, its 20 points: "
              f"{best['ratio train']:.4f} (test {best['ratio test']:.4f}) at "
              f"{best['× one MLP']:.2f}×")
    print()
    print(table([{"benchmark": f"{best['method']}, its 20 points",
                  "target": f"HV ≥ {TARGET_HV:g} × the 20 MLPs' at ≤ {TARGET_TIME:g}× one MLP",
                  "measured": f"HV ratio {best['ratio train']:.4f} train / "
                              f"{best['ratio test']:.4f} test at {best['× one MLP']:.2f}×",
                  "met": "yes" if (min(best["ratio train"], best["ratio test"]) >= TARGET_HV
                                   and best["× one MLP"] <= TARGET_TIME) else "no"}
                 for best in (rows[1], rows[-2])], ["benchmark", "target", "measured", "met"]))


if __name__ == "__main__":
    sys.exit(main())
