"""pymoo's Pareto-front solvers on a tradeoff Problem, through a thin vectorised adapter.

The search runs in standardised parameters Φ inside the problem's box (``Problem.phi_box``); pymoo
sees the same objectives F (K, m) and constraints G (K, c) as every other solver.
"""

from __future__ import annotations

import time

import numpy as np
from pymoo.core.problem import Problem as PymooProblem

from .._validation import check_positive, fail
from ..front import Front
from ..problem import Problem
from .descent import ScaledProblem

ALGORITHMS = ("nsga2", "nsga3", "moead", "sms-emoa", "age-moea2")


class PymooAdapter(PymooProblem):
    """``_evaluate(Φ, out)`` fills out["F"] (K, m) and out["G"] (K, c) in one batched call."""

    def __init__(self, problem: Problem):
        self.sp = ScaledProblem(problem, True)
        lo, hi = problem.phi_box()
        super().__init__(n_var=problem.d, n_obj=problem.m, n_ieq_constr=problem.n_constraints,
                         xl=lo, xu=hi, vtype=float)

    def _evaluate(self, X, out, *args, **kwargs):
        F, G = self.sp.values(np.atleast_2d(X))
        out["F"] = F
        if self.n_ieq_constr:
            out["G"] = G


def make_algorithm(name: str, m: int, pop_size: int, seed: int):
    """A pymoo algorithm by name, with ``pop_size`` (reference directions sized to match)."""
    from pymoo.util.ref_dirs import get_reference_directions

    if name == "nsga2":
        from pymoo.algorithms.moo.nsga2 import NSGA2
        return NSGA2(pop_size=pop_size)
    if name == "sms-emoa":
        from pymoo.algorithms.moo.sms import SMSEMOA
        return SMSEMOA(pop_size=pop_size)
    ref_dirs = get_reference_directions("energy", m, pop_size, seed=seed)
    if name == "nsga3":
        from pymoo.algorithms.moo.nsga3 import NSGA3
        return NSGA3(ref_dirs=ref_dirs, pop_size=pop_size)
    if name == "moead":
        from pymoo.algorithms.moo.moead import MOEAD
        return MOEAD(ref_dirs=ref_dirs, n_neighbors=min(20, pop_size))
    if name == "age-moea2":
        try:
            from pymoo.algorithms.moo.age2 import AGEMOEA2
        except Exception:
            fail("solver", "installed with its dependency numba", "age-moea2",
                 "pymoo's AGE-MOEA2 needs numba: pip install numba.", exc=ImportError)
        return AGEMOEA2(pop_size=pop_size)
    fail("solver", f"one of {', '.join(ALGORITHMS)}", name)


def pymoo_solve(problem: Problem, algorithm="nsga2", *, pop_size: int = 100,
                max_evaluations: int = 10_000, seed: int = 0, **_opts) -> Front:
    """Run a pymoo algorithm (a name from ``ALGORITHMS`` or any pymoo algorithm object) until it has
    used ``max_evaluations`` evaluations; return its final non-dominated set as a Front."""
    from pymoo.optimize import minimize

    check_positive("pop_size", pop_size, integer=True)
    check_positive("max_evaluations", max_evaluations, integer=True)
    if not isinstance(seed, (int, np.integer)) or isinstance(seed, bool):
        fail("seed", "an integer", seed, exc=TypeError)
    t0 = time.perf_counter()
    name = algorithm if isinstance(algorithm, str) else type(algorithm).__name__.lower()
    algo = make_algorithm(algorithm, problem.m, pop_size, seed) if isinstance(algorithm, str) else algorithm
    adapter = PymooAdapter(problem)
    res = minimize(adapter, algo, ("n_eval", max_evaluations), seed=int(seed), verbose=False,
                   copy_algorithm=True)
    opt = res.opt
    if opt is None or len(opt) == 0:
        Phi = np.zeros((0, problem.d))
        msg = "no feasible point found"
    else:
        Phi = np.atleast_2d(opt.get("X"))
        msg = f"stopped after {adapter.sp.evaluations} evaluations ({res.algorithm.n_gen} generations)"
    Theta = adapter.sp.theta(Phi)
    F, G = (adapter.sp.values(Phi) if len(Phi) else
            (np.zeros((0, problem.m)), np.zeros((0, problem.n_constraints))))
    adapter.sp.evaluations -= len(Phi)  # the re-evaluation for the Front is bookkeeping, not search
    options = dict(pop_size=pop_size, max_evaluations=max_evaluations, seed=int(seed))
    return Front(F, Theta, problem.objective_names, problem.param_names, name, options,
                 adapter.sp.evaluations, time.perf_counter() - t0, len(Phi) > 0, msg,
                 G if problem.n_constraints else None)
