"""LibMOON's Adult protocol run by LibMOON's own code and by tradeoff (numpy MLP and TorchModel)
on identical arrays, side by side (issue 22, item 3).

    python benchmarks/libmoon_side_by_side.py [--seeds 0 1 2] [--epochs 10] [--quick]
        [--libmoon-python /tmp/lmvenv/bin/python] [--libmoon-src /tmp/libmoon_src]

The arrays are built once: tradeoff's Adult split as ``libmoon_adult.py`` makes it (UCI's training
file, 70/10/20 stratified, seed 0), standardised with the training rows' mean and scale, saved as
.npy in a temporary folder. LibMOON trains on them in its own environment (``libmoon_driver.py``,
a subprocess: LibMOON's ``GradBaseMTLSolver`` and core solvers, its objectives, its [128, 128]
network); tradeoff trains the matching solvers twice, on its numpy MLP (``standardize=False``: the
arrays are standardised already) and on a ``TorchModel`` of the same ``nn.Sequential`` (float32,
as LibMOON), both with PyTorch's default initialisation, seeded. Everything one thread (torch
``set_num_threads(1)``, BLAS via threadpoolctl, OMP/MKL/OpenBLAS variables for the subprocess);
CPU seconds are ``time.process_time`` around the training call only. The LibMOON subprocess of a
seed runs beside tradeoff's runs of that seed (one core each); CPU seconds do not count the other.

HV: pymoo's ``HV``, reference (1, 1), the raw (BCE, DEO) of the ten points on all training rows
and on the test rows (LibMOON's objective functions for its networks, tradeoff's ``log_loss`` and
``equal_opportunity_tanh`` for ours: the same formulas), mean over the seeds. ``--quick``: seed 0,
one epoch, no JSON written. LibMOON's environment: see benchmarks/README.md section 11.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import tempfile
import time

import numpy as np
from _common import machine, pin_blas_threads, table
from libmoon_adult import hv, run

HERE = os.path.dirname(os.path.abspath(__file__))
# LibMOON method → tradeoff solver
PAIRS = (("LS", "weighted-sum"), ("mTche", "chebyshev"), ("EPO", "epo"), ("HVGrad", "hv-grad"),
         ("MGDA-UB", "mgda"), ("COSMOS", "pareto-set"))
OBJECTIVES = ["log_loss", "equal_opportunity_tanh"]
ONE_THREAD = {k: "1" for k in ("OMP_NUM_THREADS", "MKL_NUM_THREADS", "OPENBLAS_NUM_THREADS")}


def arrays(folder: str) -> dict:
    """tradeoff's Adult split, standardised by the training rows, written to ``folder`` as .npy."""
    import tradeoff as to

    data = to.load_dataset("adult", split="train")
    train, _, test = to.split(data, test=0.2, validation=0.1, seed=0)
    mu, sd = train.X.mean(0), train.X.std(0)
    sd[sd == 0] = 1.0  # a constant column stays 0 rather than dividing by zero
    out = {}
    for part, d in (("train", train), ("test", test)):
        out[f"X_{part}"] = (d.X - mu) / sd
        out[f"y_{part}"] = d.y.astype(np.int64)
        out[f"s_{part}"] = np.asarray(d.groups, np.int64)
    for k, v in out.items():
        np.save(os.path.join(folder, f"{k}.npy"), v)
    return out


def start_libmoon(python, src, folder, seed, epochs, methods):
    """LibMOON's runs of one seed as a subprocess in its own environment (started, not awaited)."""
    env = {**os.environ, **ONE_THREAD, "PYTHONPATH": src}
    return subprocess.Popen([python, os.path.join(HERE, "libmoon_driver.py"), folder, str(seed),
                             str(epochs), *methods], env=env, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)


def finish_libmoon(proc) -> dict:
    """{method: result} from the subprocess's RESULT lines; its stderr tail if it failed."""
    out, err = proc.communicate()
    res = {}
    for line in out.splitlines():
        if line.startswith("RESULT "):
            r = json.loads(line[7:])
            res[r["method"]] = r
    if proc.returncode != 0:
        print(f"  LibMOON exited {proc.returncode}: {err.strip().splitlines()[-1:]}", flush=True)
    return res


def torch_mlp(p: int):
    """LibMOON's ``FullyConnected(…, 'M1')``: Linear(p, 128), relu, Linear(128, 128), relu,
    Linear(128, 1)."""
    import torch

    return torch.nn.Sequential(torch.nn.Linear(p, 128), torch.nn.ReLU(), torch.nn.Linear(128, 128),
                               torch.nn.ReLU(), torch.nn.Linear(128, 1))


def problems(A: dict, kind: str, seed: int):
    """(train problem, test problem) of the arrays with the numpy MLP or the TorchModel."""
    import tradeoff as to
    from tradeoff.models import MLP

    p = A["X_train"].shape[1]
    if kind == "numpy":
        model = MLP(hidden=(128, 128), output="logistic", seed=seed, standardize=False,
                    init_scheme="torch")
    else:
        from tradeoff.models.torch import TorchModel

        model = TorchModel(torch_mlp(p), output="logistic", dtype="float32", seed=seed)
    out = []
    for part in ("train", "test"):
        d = to.Dataset(X=A[f"X_{part}"], y=A[f"y_{part}"].astype(float), groups=A[f"s_{part}"],
                       group_names=("Female", "Male"), sensitive_name="sex", name=f"adult-{part}")
        out.append(to.Problem(d, model, OBJECTIVES))
    return out


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2])
    ap.add_argument("--epochs", type=int, default=10)
    ap.add_argument("--methods", nargs="+", default=[m for m, _ in PAIRS],
                    choices=[m for m, _ in PAIRS], help="LibMOON methods (and their matches) to run")
    ap.add_argument("--libmoon-python", default=os.environ.get("LIBMOON_PYTHON",
                                                               "/tmp/lmvenv/bin/python"))
    ap.add_argument("--libmoon-src", default=os.environ.get("LIBMOON_SRC", "/tmp/libmoon_src"))
    ap.add_argument("--quick", action="store_true", help="seed 0, one epoch, no JSON")
    args = ap.parse_args()
    if args.quick:
        args.seeds, args.epochs = [0], 1
    for path, what in ((args.libmoon_python, "--libmoon-python"), (args.libmoon_src, "--libmoon-src")):
        if not os.path.exists(path):
            raise SystemExit(f"`{what}` must be an existing path; got {path!r}. Make LibMOON's "
                             f"environment as benchmarks/README.md section 11 says, or pass it.")
    pin_blas_threads(1)
    print(f"Machine: {machine()}", flush=True)
    pairs = [(m, s) for m, s in PAIRS if m in args.methods]
    keys = ("train", "test", "cpu", "logged")
    res = {(who, m): {k: [] for k in keys} for m, _ in pairs for who in ("libmoon", "numpy", "torch")}
    t_all = time.perf_counter()
    with tempfile.TemporaryDirectory() as folder:
        A = arrays(folder)
        print(f"# arrays: train {A['X_train'].shape}, test {A['X_test'].shape}; seeds {args.seeds}, "
              f"{args.epochs} epochs", flush=True)
        for seed in args.seeds:
            proc = start_libmoon(args.libmoon_python, args.libmoon_src, folder, seed, args.epochs,
                                 [m for m, _ in pairs])
            for kind in ("numpy", "torch"):
                train, test = problems(A, kind, seed)
                for m, solver in pairs:
                    front, _, cpu, msg = run(solver, train, seed, args.epochs)
                    r = res[(kind, m)]
                    if front is None:
                        print(f"  seed {seed} {kind} {solver} failed: {msg}", flush=True)
                        continue
                    r["cpu"].append(cpu)
                    r["train"].append(hv(front.F))
                    r["test"].append(hv(test.evaluate(front.X, grad=False).F))
                    print(f"  seed {seed} {kind} {solver}: HV {r['train'][-1]:.4f} / "
                          f"{r['test'][-1]:.4f}, {cpu:.1f} s CPU — {msg}", flush=True)
            for m, lr in finish_libmoon(proc).items():
                r = res[("libmoon", m)]
                r["cpu"].append(lr["cpu"])
                r["train"].append(hv(lr["train"]))
                r["test"].append(hv(lr["test"]))
                r["logged"].append(hv(lr["batch_mean"]))
                print(f"  seed {seed} LibMOON {m}: HV {r['train'][-1]:.4f} / {r['test'][-1]:.4f} "
                      f"(logged batch mean {r['logged'][-1]:.4f}), {lr['cpu']:.1f} s CPU",
                      flush=True)

    def mean(v, fmt="{:.3f}"):
        return fmt.format(np.mean(v)) if v else "—"

    rows = []
    for m, solver in pairs:
        L, N, T = (res[(w, m)] for w in ("libmoon", "numpy", "torch"))

        def verdict(r):
            if not (r["test"] and L["test"]):
                return "—"
            hv_ok = np.mean(r["train"]) >= np.mean(L["train"]) and np.mean(r["test"]) >= np.mean(L["test"])
            cpu_ok = np.mean(r["cpu"]) <= np.mean(L["cpu"])
            return f"HV {'≥' if hv_ok else '<'}, CPU {'≤' if cpu_ok else '>'}"

        rows.append({"LibMOON method": m, "tradeoff solver": solver,
                     "LibMOON HV train / test": f"{mean(L['train'])} / {mean(L['test'])}",
                     "numpy HV train / test": f"{mean(N['train'])} / {mean(N['test'])}",
                     "torch HV train / test": f"{mean(T['train'])} / {mean(T['test'])}",
                     "CPU s LibMOON / numpy / torch": f"{mean(L['cpu'], '{:.1f}')} / "
                                                      f"{mean(N['cpu'], '{:.1f}')} / "
                                                      f"{mean(T['cpu'], '{:.1f}')}",
                     "numpy vs LibMOON": verdict(N), "torch vs LibMOON": verdict(T),
                     "seeds": f"{len(L['test'])} / {len(N['test'])} / {len(T['test'])}"})
    print()
    print(f"## LibMOON's Adult protocol, LibMOON's code and tradeoff's on the same arrays: HV "
          f"(pymoo, reference (1, 1), raw BCE and DEO), mean over seeds {args.seeds}, "
          f"{args.epochs} epochs, one thread each")
    print()
    print(table(rows, list(rows[0])))
    print()
    seed_rows = [{"LibMOON method": m, "code": who, "seed": seed,
                  "HV train": f"{r['train'][i]:.4f}", "HV test": f"{r['test'][i]:.4f}",
                  "CPU s": f"{r['cpu'][i]:.1f}",
                  "HV logged batch mean": f"{r['logged'][i]:.4f}" if r["logged"] else "—"}
                 for m, _ in pairs for who in ("libmoon", "numpy", "torch")
                 for r in [res[(who, m)]] for i, seed in enumerate(args.seeds[:len(r["test"])])]
    print("Per seed:")
    print(table(seed_rows, ["LibMOON method", "code", "seed", "HV train", "HV test", "CPU s",
                            "HV logged batch mean"]))
    print(f"Total {time.perf_counter() - t_all:.0f} s.")


if __name__ == "__main__":
    main()
