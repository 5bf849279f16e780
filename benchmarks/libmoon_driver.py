"""LibMOON's own Adult (or COMPAS) training loop on arrays given as .npy files; run in LibMOON's
environment (not tradeoff's) by ``libmoon_side_by_side.py``:

    PYTHONPATH=LIBMOON_SRC LIBMOON_PYTHON benchmarks/libmoon_driver.py DIR SEED EPOCHS METHOD ...
        [--problem adult|compass]

DIR holds X_train.npy, y_train.npy, s_train.npy, X_test.npy, y_test.npy, s_test.npy (already
standardised). Each METHOD (LS, mTche, COSMOS, EPO, PMGDA, HVGrad, MGDA-UB) is trained by LibMOON's
``GradBaseMTLSolver`` with its core solver, lr 1e-4, batches of 128, ten networks along
``get_mtl_prefs(problem, 10)`` (LibMOON spells COMPAS 'compass'); prints one JSON line per method:
CPU seconds of ``solve()``, the last epoch's mean batch losses (LibMOON's logged values) and the
final networks' (BCE, DEO) on all training and all test rows, computed with LibMOON's objective
functions. Imports no tradeoff.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
import types

import numpy as np


def _import_libmoon():
    """LibMOON's modules, with the two import-time gaps of its GitHub HEAD bridged: ``cv2`` is
    imported by ``libmoon.util.general`` for a GIF helper only (opencv is not needed to train), and
    ``libmoon.util.network.numel`` moved to ``libmoon.util.mtl`` while ``libmoon.model.hypernet``
    still imports the old place."""
    sys.modules.setdefault("cv2", types.ModuleType("cv2"))
    import libmoon.util.mtl as mtl

    network = types.ModuleType("libmoon.util.network")
    network.numel = mtl.numel
    sys.modules.setdefault("libmoon.util.network", network)
    import libmoon.solver.gradient.methods.core.core_mtl as core_mtl
    from libmoon.model.fair_model import FullyConnected
    from libmoon.problem.mtl.objectives import from_name
    from libmoon.solver.gradient.methods.base_solver import AggCore
    from libmoon.solver.gradient.methods.core.core_solver import MGDAUBCore
    from libmoon.solver.gradient.methods.epo_solver import EPOCore
    from libmoon.solver.gradient.methods.gradhv_solver import GradHVCore
    from libmoon.solver.gradient.methods.pmgda_solver import PMGDACore

    return types.SimpleNamespace(core_mtl=core_mtl, mtl=mtl, FullyConnected=FullyConnected,
                                 from_name=from_name, AggCore=AggCore, MGDAUBCore=MGDAUBCore,
                                 EPOCore=EPOCore, GradHVCore=GradHVCore, PMGDACore=PMGDACore)


def pmgda_core(PMGDACore, n_var, prefs):
    """LibMOON's ``PMGDACore`` without its config file: its ``__init__`` reads h_eps and σ from
    ``libmoon/config/pmgda.json``, which LibMOON's GitHub HEAD does not ship (FileNotFoundError), so
    they are set here to ``PMGDASolver``'s defaults, h_tol 1e-3 and σ 0.1; the rest as its
    ``__init__`` sets it."""
    core = PMGDACore.__new__(PMGDACore)
    core.core_name, core.prefs, core.n_var = "PMGDACore", prefs, n_var
    core.n_prob, core.n_obj = prefs.shape
    core.h_eps, core.sigma = 1e-3, 0.1
    return core


def main(argv):
    import torch

    torch.set_num_threads(1)
    ap = argparse.ArgumentParser()
    ap.add_argument("folder")
    ap.add_argument("seed", type=int)
    ap.add_argument("epochs", type=int)
    ap.add_argument("methods", nargs="+")
    ap.add_argument("--problem", default="adult", choices=["adult", "compass"])
    a = ap.parse_args(argv)
    folder, seed, epochs, methods, problem = a.folder, a.seed, a.epochs, a.methods, a.problem
    lm = _import_libmoon()
    arrays = {f"{k}_{part}": np.load(os.path.join(folder, f"{k}_{part}.npy"))
              for k in ("X", "y", "s") for part in ("train", "test")}

    class Arrays(torch.utils.data.Dataset):
        """LibMOON's Adult loader's items (data, labels, sensible_attribute) from our arrays."""

        def __init__(self, part):
            # float32 features and int64 labels / attribute, as LibMOON's loader makes them
            self.x = torch.from_numpy(arrays[f"X_{part}"]).float()
            self.y = torch.from_numpy(arrays[f"y_{part}"]).long()
            self.s1 = torch.from_numpy(arrays[f"s_{part}"]).long()

        def __len__(self):
            return len(self.x)

        def __getitem__(self, i):
            return dict(data=self.x[i], labels=self.y[i], sensible_attribute=self.s1[i])

        def task_names(self):
            return None

    p = arrays["X_train"].shape[1]
    # the solver reads its data and builds its networks through these two names
    lm.core_mtl.get_dataset = lambda name, type="train": Arrays("test" if type == "test" else "train")
    lm.core_mtl.model_from_dataset = lambda name, architecture="M1", **kw: lm.FullyConnected((p,), "M1")
    prefs = lm.mtl.get_mtl_prefs(problem_name=problem, n_prob=10)
    for method in methods:
        # theirs seeds numpy only; torch too here, so that a run repeats (initialisation, batches)
        np.random.seed(seed)
        torch.manual_seed(seed)
        n_var = lm.mtl.numel(lm.FullyConnected((p,), "M1"))
        if method in ("LS", "mTche", "COSMOS"):
            core = lm.AggCore(prefs=prefs, agg_name=method)
        elif method == "EPO":
            core = lm.EPOCore(n_var=n_var, prefs=prefs)
        elif method == "PMGDA":
            core = pmgda_core(lm.PMGDACore, n_var, prefs)
        elif method == "HVGrad":
            # GradHVCore reads only its reference point from the name; HEAD's get_hv_ref has no
            # 'compass' entry (KeyError), so COMPAS takes Adult's, (2, 2)
            core = lm.GradHVCore(n_obj=2, n_var=n_var, problem_name="adult")
        elif method == "MGDA-UB":
            core = lm.MGDAUBCore()
        else:
            raise SystemExit(f"`method` must be one of LS, mTche, COSMOS, EPO, PMGDA, HVGrad, "
                             f"MGDA-UB; got {method!r}. Fix the argument.")
        solver = lm.core_mtl.GradBaseMTLSolver(problem_name=problem, step_size=1e-4, epoch=epochs,
                                               core_solver=core, batch_size=128, prefs=prefs)
        c0 = time.process_time()
        res = solver.solve()
        cpu = time.process_time() - c0
        objs = solver.obj_arr
        out = {"method": method, "seed": seed, "epochs": epochs, "cpu": cpu, "d": n_var,
               "batch_mean": np.asarray(res["loss"], float).tolist()}
        with torch.no_grad():
            for part in ("train", "test"):
                ds = Arrays(part)
                F = []
                for net in solver.model_arr:
                    z = net(ds.x)["logits"]
                    F.append([float(o(z, labels=ds.y, sensible_attribute=ds.s1)) for o in objs])
                out[part] = F
        print("RESULT " + json.dumps(out), flush=True)


if __name__ == "__main__":
    main(sys.argv[1:])
