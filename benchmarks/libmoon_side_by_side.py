"""LibMOON's Adult protocol run by LibMOON's own code and by tradeoff (numpy MLP and TorchModel)
on identical arrays, side by side (issue 22, item 3).

    python benchmarks/libmoon_side_by_side.py [--dataset adult|compas] [--seeds 0 1 2]
        [--epochs 10] [--quick] [--libmoon-python /tmp/lmvenv/bin/python]
        [--libmoon-src /tmp/libmoon_src] [--methods LS mTche ...]
        [--raw seed0.json]                       # also write this run's per-seed records
        [--torch-start numpy]                    # diagnostic: torch from the numpy MLP's start
    python benchmarks/libmoon_side_by_side.py --merge seed0.json seed1.json seed2.json
    python benchmarks/libmoon_side_by_side.py --merge seeds0-9.json --spread   # mean ± s.e.

``--dataset compas`` (TRADEOFF_COMPAS_CSV must name ProPublica's compas-scores-two-years.csv):
LibMOON's COMPAS objectives, BCE and DEO with sex as the sensitive attribute, on tradeoff's COMPAS
rows (``load_dataset("compas", sensitive="sex", races="all")``: 6,172 rows, 6 columns), the same
70/10/20 split, LibMOON's 'compass' preferences; written to
``results/libmoon_side_by_side_compas.json``.
A seed takes about a fifth of Adult's time.

Each seed takes about 7 minutes of CPU for tradeoff's rows and 4.5 for LibMOON's (beside them,
on the other core);
the recorded table ran one process per seed with ``--raw`` and then ``--merge`` (the merge writes
``results/libmoon_side_by_side.json``; a ``--raw`` run does not).

The arrays are built once: tradeoff's Adult split as ``libmoon_adult.py`` makes it (UCI's training
file, 70/10/20 stratified, seed 0), standardised with the training rows' mean and scale, saved as
.npy in a temporary folder. LibMOON trains on them in its own environment (``libmoon_driver.py``,
a subprocess: LibMOON's ``GradBaseMTLSolver`` and core solvers, its objectives, its [128, 128]
network); tradeoff trains the matching solvers twice, on its numpy MLP (``standardize=False``: the
arrays are standardised already) and on a ``TorchModel`` of the same ``nn.Sequential`` (float32,
as LibMOON), both with PyTorch's default initialisation, seeded. Everything one thread
(``TorchModel``'s default ``threads=1``, which holds for every torch operation of the model; BLAS
via threadpoolctl; OMP/MKL/OpenBLAS variables for the subprocess);
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
from _common import TABLES, machine, pin_blas_threads, save, table
from libmoon_adult import hv, libmoon_prefs, run

HERE = os.path.dirname(os.path.abspath(__file__))
# LibMOON method → tradeoff solver
PAIRS = (("LS", "weighted-sum"), ("mTche", "chebyshev"), ("EPO", "epo"), ("HVGrad", "hv-grad"),
         ("MGDA-UB", "mgda"), ("COSMOS", "pareto-set"), ("PMGDA", "pmgda"))
OBJECTIVES = ["log_loss", "equal_opportunity_tanh"]
ONE_THREAD = {k: "1" for k in ("OMP_NUM_THREADS", "MKL_NUM_THREADS", "OPENBLAS_NUM_THREADS")}


# per dataset: tradeoff's loader and its parameters, LibMOON's problem name and its
# get_mtl_prefs nadir / ideal (libmoon.util.constant), the results file
DATASETS = {
    "adult": {"load": ("adult", {"split": "train"}), "libmoon": "adult", "label": "Adult",
              "nadir": (0.6, 0.12), "ideal": (0.3, 0.01), "results": "libmoon_side_by_side"},
    # LibMOON's Compas loader: sensitive attribute sex, all races kept
    "compas": {"load": ("compas", {"sensitive": "sex", "races": "all"}), "libmoon": "compass",
               "label": "COMPAS", "nadir": (0.52, 0.34), "ideal": (0.04, 0.04),
               "results": "libmoon_side_by_side_compas"},
}


def arrays(folder: str, dataset: str = "adult") -> dict:
    """tradeoff's split of ``dataset``, standardised by the training rows, written to ``folder``
    as .npy (with the group names, for the problems)."""
    import tradeoff as to

    name, params = DATASETS[dataset]["load"]
    data = to.load_dataset(name, **params)
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
    out["group_names"], out["sensitive_name"] = data.group_names, data.sensitive_name
    return out


def start_libmoon(python, src, folder, seed, epochs, methods, problem="adult"):
    """LibMOON's runs of one seed as a subprocess in its own environment (started, not awaited)."""
    env = {**os.environ, **ONE_THREAD, "PYTHONPATH": src}
    return subprocess.Popen([python, os.path.join(HERE, "libmoon_driver.py"), folder, str(seed),
                             str(epochs), *methods, "--problem", problem], env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


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


def numpy_mlp(seed: int):
    """The numpy MLP of the same shape, PyTorch's default initialisation (seeded)."""
    from tradeoff.models import MLP

    return MLP(hidden=(128, 128), output="logistic", seed=seed, standardize=False,
               init_scheme="torch")


def torch_model(p: int, seed: int, start: str = "torch"):
    """The float32 TorchModel of ``torch_mlp(p)``; ``start = "numpy"``: its K starting networks
    are the numpy MLP's (the same draws from the solver's generator, moved to torch's layout), so
    the batches are the numpy run's too and only float32 and the model's code differ."""
    from tradeoff.models.torch import TorchModel

    if start == "torch":
        return TorchModel(torch_mlp(p), output="logistic", dtype="float32", seed=seed)
    mlp = numpy_mlp(seed)

    class NumpyStart(TorchModel):
        def init(self, K, n_features, rng=None):
            Theta = mlp.init(K, n_features, rng)
            parts, o = [], 0
            sizes = (n_features, *mlp.hidden, 1)
            for i, u in zip(sizes[:-1], sizes[1:]):  # the MLP's W (i, u), b → torch's (u, i), b
                parts += [Theta[:, o:o + i * u].reshape(K, i, u).transpose(0, 2, 1).reshape(K, -1),
                          Theta[:, o + i * u:o + i * u + u]]
                o += i * u + u
            return np.concatenate(parts, axis=1)

    return NumpyStart(torch_mlp(p), output="logistic", dtype="float32", seed=seed)


def problems(A: dict, kind: str, seed: int, dataset: str = "adult", torch_start: str = "torch"):
    """(train problem, test problem) of the arrays with the numpy MLP or the TorchModel."""
    import tradeoff as to

    p = A["X_train"].shape[1]
    if kind == "numpy":
        model = numpy_mlp(seed)
    else:
        model = torch_model(p, seed, torch_start)
    out = []
    for part in ("train", "test"):
        d = to.Dataset(X=A[f"X_{part}"], y=A[f"y_{part}"].astype(float), groups=A[f"s_{part}"],
                       group_names=tuple(A["group_names"]), sensitive_name=A["sensitive_name"],
                       name=f"{dataset}-{part}")
        out.append(to.Problem(d, model, OBJECTIVES))
    return out


def measure(args, pairs) -> list[dict]:
    """Every run of ``args.seeds``: one record per (code, method, seed) with HV train / test, CPU
    seconds and (LibMOON's) the HV of its logged last-epoch batch means."""
    records = []
    spec = DATASETS[args.dataset]
    weights = libmoon_prefs(nadir=spec["nadir"], ideal=spec["ideal"])
    with tempfile.TemporaryDirectory() as folder:
        A = arrays(folder, args.dataset)
        print(f"# arrays: train {A['X_train'].shape}, test {A['X_test'].shape}; seeds {args.seeds}, "
              f"{args.epochs} epochs", flush=True)
        for seed in args.seeds:
            proc = start_libmoon(args.libmoon_python, args.libmoon_src, folder, seed, args.epochs,
                                 [m for m, _ in pairs], spec["libmoon"])
            for kind in ("numpy", "torch"):
                train, test = problems(A, kind, seed, args.dataset, args.torch_start)
                for m, solver in pairs:
                    front, _, cpu, msg = run(solver, train, seed, args.epochs, weights)
                    if front is None:
                        print(f"  seed {seed} {kind} {solver} failed: {msg}", flush=True)
                        continue
                    r = {"code": kind, "method": m, "seed": seed, "cpu": cpu,
                         "train": hv(front.F), "test": hv(test.evaluate(front.X, grad=False).F)}
                    records.append(r)
                    print(f"  seed {seed} {kind} {solver}: HV {r['train']:.4f} / {r['test']:.4f}, "
                          f"{cpu:.1f} s CPU — {msg}", flush=True)
            for m, lr in finish_libmoon(proc).items():
                r = {"code": "libmoon", "method": m, "seed": seed, "cpu": lr["cpu"],
                     "train": hv(lr["train"]), "test": hv(lr["test"]),
                     "logged": hv(lr["batch_mean"])}
                records.append(r)
                print(f"  seed {seed} LibMOON {m}: HV {r['train']:.4f} / {r['test']:.4f} (logged "
                      f"batch mean {r['logged']:.4f}), {r['cpu']:.1f} s CPU", flush=True)
    return records


def report(records: list[dict], pairs, epochs: int, dataset: str = "adult"):
    """The side-by-side table (means over the seeds) and the per-seed table, recorded."""
    seeds = sorted({r["seed"] for r in records})

    def of(code, m, key):
        return [r[key] for r in records if r["code"] == code and r["method"] == m]

    def mean(v, fmt="{:.4f}"):
        return fmt.format(np.mean(v)) if v else "—"

    def verdict(code, m):
        if not (of(code, m, "test") and of("libmoon", m, "test")):
            return "—"
        hv_ok = all(np.mean(of(code, m, k)) >= np.mean(of("libmoon", m, k)) for k in ("train", "test"))
        cpu_ok = np.mean(of(code, m, "cpu")) <= np.mean(of("libmoon", m, "cpu"))
        return f"HV {'≥' if hv_ok else '<'}, CPU {'≤' if cpu_ok else '>'}"

    rows = []
    for m, solver in pairs:
        row = {"LibMOON method": m, "tradeoff solver": solver}
        for code, label in (("libmoon", "LibMOON"), ("numpy", "numpy"), ("torch", "torch")):
            row[f"{label} HV train / test"] = (f"{mean(of(code, m, 'train'))} / "
                                               f"{mean(of(code, m, 'test'))}")
        row["CPU s LibMOON / numpy / torch"] = " / ".join(
            mean(of(code, m, "cpu"), "{:.1f}") for code in ("libmoon", "numpy", "torch"))
        row["numpy vs LibMOON"], row["torch vs LibMOON"] = verdict("numpy", m), verdict("torch", m)
        row["seeds"] = " / ".join(str(len(of(code, m, "test"))) for code in ("libmoon", "numpy", "torch"))
        rows.append(row)
    print()
    print(f"## LibMOON's {DATASETS[dataset]['label']} protocol, LibMOON's code and tradeoff's on the same arrays: HV "
          f"(pymoo, reference (1, 1), raw BCE and DEO), mean over seeds {seeds}, {epochs} epochs, "
          f"one thread each")
    print()
    print(table(rows, list(rows[0])))
    print()
    order = {c: i for i, c in enumerate(("libmoon", "numpy", "torch"))}
    rank = {m: i for i, (m, _) in enumerate(pairs)}
    seed_rows = [{"LibMOON method": r["method"], "code": r["code"], "seed": r["seed"],
                  "HV train": f"{r['train']:.4f}", "HV test": f"{r['test']:.4f}",
                  "CPU s": f"{r['cpu']:.1f}",
                  "HV logged batch mean": f"{r['logged']:.4f}" if "logged" in r else "—"}
                 for r in sorted(records, key=lambda r: (rank[r["method"]], order[r["code"]], r["seed"]))]
    print("Per seed:")
    print(table(seed_rows, ["LibMOON method", "code", "seed", "HV train", "HV test", "CPU s",
                            "HV logged batch mean"]))


def spread(records: list[dict], pairs, epochs: int, dataset: str = "adult"):
    """Each row over every seed of ``records``: the mean train / test HV of each code ± its standard
    error (sd / √n), and each tradeoff code's difference from LibMOON ± the difference's standard
    error (√(se₁² + se₂²), Welch's; the seeds' draws are independent across codes). A difference
    within two standard errors is one these seeds cannot tell from noise."""
    seeds = sorted({r["seed"] for r in records})

    def of(code, m, key):
        return np.array([r[key] for r in records if r["code"] == code and r["method"] == m])

    def se(v):
        return np.std(v, ddof=1) / np.sqrt(len(v))

    def verdict(d, e):
        return "above" if d > 2 * e else "below" if d < -2 * e else "within noise"

    rows = []
    for m, solver in pairs:
        if not len(of("libmoon", m, "train")):
            continue
        row = {"LibMOON method": m, "tradeoff solver": solver,
               "seeds": " / ".join(str(len(of(c, m, "train"))) for c in ("libmoon", "numpy", "torch"))}
        for code, label in (("libmoon", "LibMOON"), ("numpy", "numpy"), ("torch", "torch")):
            row[f"{label} HV train / test"] = " / ".join(
                f"{of(code, m, k).mean():.4f} ± {se(of(code, m, k)):.4f}" for k in ("train", "test"))
        for code in ("numpy", "torch"):
            parts = []
            for k in ("train", "test"):
                a, b = of(code, m, k), of("libmoon", m, k)
                d, e = round(a.mean() - b.mean(), 4) + 0.0, np.hypot(se(a), se(b))  # no "-0.0000"
                parts.append(f"{d:+.4f} ± {e:.4f} ({verdict(d, e)})")
            row[f"{code} − LibMOON train / test"] = " / ".join(parts)
        rows.append(row)
    print()
    print(f"## LibMOON's {DATASETS[dataset]['label']} protocol over seeds {seeds[0]}–{seeds[-1]}: "
          f"mean HV ± standard error, {epochs} epochs")
    print()
    print(table(rows, list(rows[0])))


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--dataset", choices=sorted(DATASETS), default="adult",
                    help="adult, or compas (reads TRADEOFF_COMPAS_CSV)")
    ap.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2])
    ap.add_argument("--epochs", type=int, default=10)
    ap.add_argument("--methods", nargs="+", default=[m for m, _ in PAIRS],
                    choices=[m for m, _ in PAIRS], help="LibMOON methods (and their matches) to run")
    ap.add_argument("--libmoon-python", default=os.environ.get("LIBMOON_PYTHON",
                                                               "/tmp/lmvenv/bin/python"))
    ap.add_argument("--libmoon-src", default=os.environ.get("LIBMOON_SRC", "/tmp/libmoon_src"))
    ap.add_argument("--torch-start", choices=["torch", "numpy"], default="torch",
                    help="numpy: the TorchModel starts from the numpy MLP's networks and draws (a "
                         "diagnostic: only float32 and the model's code differ; no JSON)")
    ap.add_argument("--quick", action="store_true", help="seed 0, one epoch, no JSON")
    ap.add_argument("--raw", help="also write this run's per-seed records to this JSON file")
    ap.add_argument("--merge", nargs="+", metavar="RAW",
                    help="no training: the tables of earlier --raw files (e.g. one per seed, run "
                         "side by side)")
    ap.add_argument("--spread", action="store_true",
                    help="with --merge: each row's mean ± standard error over all the runs' seeds "
                         "and its difference from LibMOON's, written to <results>_seeds.json")
    args = ap.parse_args()
    pairs = [(m, s) for m, s in PAIRS if m in args.methods]
    if args.spread and not args.merge:
        raise SystemExit("`--spread` must come with --merge; got it alone. Run the seeds with --raw "
                         "FILE first, then --merge FILE ... --spread.")
    if args.merge:
        docs = []
        for path in args.merge:
            with open(path) as f:
                docs.append(json.load(f))
        epochs = {d["epochs"] for d in docs}
        if len(epochs) != 1:
            raise SystemExit(f"`--merge` must name runs of one epoch count; got {sorted(epochs)}. "
                             f"Merge runs of the same --epochs.")
        datasets = {d.get("dataset", "adult") for d in docs}  # Adult's runs predate the field
        if len(datasets) != 1:
            raise SystemExit(f"`--merge` must name runs of one dataset; got {sorted(datasets)}. "
                             f"Merge the runs of each --dataset separately.")
        dataset = datasets.pop()
        print(f"Machine: {machine()}; merged {len(docs)} runs", flush=True)
        records = [r for d in docs for r in d["records"]]
        if args.spread:
            spread(records, pairs, epochs.pop(), dataset)
            save(DATASETS[dataset]["results"] + "_seeds")
            return
        report(records, pairs, epochs.pop(), dataset)
        save(DATASETS[dataset]["results"])
        return
    if args.quick:
        args.seeds, args.epochs = [0], 1
    from tradeoff.datasets.benchmarks import COMPAS_ENV, COMPAS_URL

    if args.dataset == "compas" and not os.environ.get(COMPAS_ENV):
        raise SystemExit(f"`{COMPAS_ENV}` must be set for --dataset compas; got it unset. Set it "
                         f"to the path of ProPublica's compas-scores-two-years.csv ({COMPAS_URL}).")
    for path, what in ((args.libmoon_python, "--libmoon-python"), (args.libmoon_src, "--libmoon-src")):
        if not os.path.exists(path):
            raise SystemExit(f"`{what}` must be an existing path; got {path!r}. Make LibMOON's "
                             f"environment as benchmarks/README.md section 11 says, or pass it.")
    pin_blas_threads(1)
    print(f"Machine: {machine()}", flush=True)
    t_all = time.perf_counter()
    records = measure(args, pairs)
    if args.raw:
        with open(args.raw, "w") as f:
            json.dump({"epochs": args.epochs, "seeds": args.seeds, "dataset": args.dataset,
                       "records": records}, f, indent=1)
    report(records, pairs, args.epochs, args.dataset)
    if args.raw or args.torch_start != "torch":  # a partial run (e.g. one seed) is recorded by
        TABLES.clear()                              # --merge, a diagnostic not at all
    else:
        save(DATASETS[args.dataset]["results"])
    print(f"Total {time.perf_counter() - t_all:.0f} s.")


if __name__ == "__main__":
    main()
