"""pymoo's Pareto-front solvers on a tradeoff Problem, through a thin vectorised adapter.

``solve`` searches in standardised parameters Φ inside the problem's box (``Problem.phi_box``);
``Problem.to_pymoo()`` gives the same adapter in the original parameters θ (``space="theta"``,
box ``bounds=`` or ``Problem.theta_box``, derived from the data's fit), so that a user's
``pymoo.optimize.minimize`` returns ``res.X`` that ``problem.evaluate`` takes as it is. Either way pymoo sees the same objectives F (K, m) and
constraints G (K, c) as every other solver.
"""

from __future__ import annotations

import time

import numpy as np
from pymoo.core.problem import Problem as PymooProblem

from .._validation import check_positive, fail
from ..front import Front
from ..problem import Problem, problem_verb
from .context import with_context, with_exact_metrics
from .engine.descent import ScaledProblem

ALGORITHMS = ("nsga2", "nsga3", "moead", "sms-emoa", "age-moea2")


class PymooAdapter(PymooProblem):
    """``_evaluate(X, out)`` fills out["F"] (K, m) and out["G"] (K, c, ≤ 0 feasible) in one batched
    call; X is Φ (``space="phi"``, what ``solve`` uses) or θ (``space="theta"``, what
    ``Problem.to_pymoo`` gives). ``front(res)`` turns a pymoo result into a ``tradeoff.Front``."""

    def __init__(self, problem: Problem, space: str = "phi", bounds=None):
        if space not in ("phi", "theta"):
            fail("space", "'phi' or 'theta'", space)
        self.space = space
        self.problem = problem
        self.sp = ScaledProblem(problem, space == "phi")
        if bounds is not None:
            lo, hi = _box(bounds, problem.d)
        else:
            lo, hi = problem.phi_box() if space == "phi" else problem.theta_box()
        super().__init__(n_var=problem.d, n_obj=problem.m, n_ieq_constr=problem.n_constraints,
                         xl=lo, xu=hi, vtype=float)

    def _evaluate(self, X, out, *args, **kwargs):
        F, G = self.sp.values(np.atleast_2d(X))
        out["F"] = F
        if self.n_ieq_constr:
            out["G"] = G

    def front(self, res, solver: str | None = None, options: dict | None = None) -> Front:
        """The final non-dominated set of a pymoo result ``res`` (from ``minimize`` on this
        adapter) as a Front with θ, F and G (re-evaluated; not counted as search)."""
        algo = getattr(res, "algorithm", None)
        solver = solver or (type(algo).__name__.lower() if algo is not None else "pymoo")
        options = algorithm_options(algo) if options is None and algo is not None else options
        # this run's evaluations (the adapter's count spans every run made with it)
        evaluator = getattr(algo, "evaluator", None)
        evals = getattr(evaluator, "n_eval", None)
        front = _front(self, res, solver, dict(options or {}), getattr(res, "exec_time", 0.0) or 0.0,
                       evals)
        return with_context(self.problem, with_exact_metrics(self.problem, front))


def _box(bounds, d: int):
    """``bounds`` = (lower, upper), each a number or d numbers, finite, lower < upper."""
    if not isinstance(bounds, (tuple, list)) or len(bounds) != 2:
        fail("bounds", "a pair (lower, upper) of numbers or arrays of length d", bounds,
             exc=TypeError)
    try:
        lo, hi = (np.broadcast_to(np.asarray(b, float), (d,)).copy() for b in bounds)
    except (TypeError, ValueError):
        fail("bounds", f"a pair (lower, upper), each a number or {d} numbers (d)", bounds)
    if not (np.isfinite(lo).all() and np.isfinite(hi).all() and (lo < hi).all()):
        fail("bounds", f"finite with lower < upper in each of the {d} coordinates",
             (lo.tolist(), hi.tolist()))
    return lo, hi


@problem_verb("to_pymoo")
def to_pymoo(problem: Problem, bounds=None) -> PymooAdapter:
    """``problem`` as a ``pymoo.core.problem.Problem`` over θ (``Problem.to_pymoo``): n_var = d,
    xl/xu from ``bounds`` = (lower, upper) or ``Problem.theta_box``, a vectorised ``_evaluate``
    giving out["F"] (K, m) and, with constraints, out["G"] (K, c)."""
    return PymooAdapter(problem, space="theta", bounds=bounds)


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


def algorithm_options(algo) -> dict:
    """What a pymoo algorithm object really runs with: its class and population size as the object
    has them (MOEA/D's population is its reference directions)."""
    opts = {"algorithm": type(algo).__name__}
    pop = getattr(algo, "pop_size", None)
    if pop is None and getattr(algo, "ref_dirs", None) is not None:
        pop = len(algo.ref_dirs)
    if pop is not None:
        opts["pop_size"] = int(pop)
    return opts


def _describe(termination) -> str | list:
    """A termination as plain data for ``Front.options``: a tuple as a list, an object by class."""
    if isinstance(termination, tuple):
        return list(termination)
    return type(termination).__name__


def pymoo_solve(problem: Problem, algorithm="nsga2", *, pop_size: int | None = None,
                max_evaluations: int = 10_000, seed: int = 0, termination=None, callback=None,
                verbose: bool = False, max_seconds: float | None = None) -> Front:
    """Run a pymoo algorithm (a name from ``ALGORITHMS`` or any pymoo algorithm object) until it has
    used ``max_evaluations`` evaluations or ``max_seconds`` of wall-clock time (pymoo's
    ``TimeBasedTermination``, checked between generations), whichever comes first, or until
    ``termination`` (any pymoo termination: an object or a tuple like ``("n_gen", 50)``; it
    overrides both); return its final non-dominated set as a Front. ``callback`` and ``verbose``
    go to ``pymoo.optimize.minimize``. ``pop_size`` (default 100) is for a named algorithm; an
    object keeps its own."""
    from pymoo.optimize import minimize

    by_name = isinstance(algorithm, str)
    if by_name:
        pop_size = 100 if pop_size is None else pop_size
        check_positive("pop_size", pop_size, integer=True)
    elif pop_size is not None:
        fail("pop_size", "set on the pymoo algorithm object, not passed beside it", pop_size,
             f"Use e.g. {type(algorithm).__name__}(pop_size={pop_size}).", exc=TypeError)
    check_positive("max_evaluations", max_evaluations, integer=True)
    if max_seconds is not None:
        check_positive("max_seconds", max_seconds)
    if not isinstance(seed, (int, np.integer)) or isinstance(seed, bool):
        fail("seed", "an integer", seed, exc=TypeError)
    t0 = time.perf_counter()
    name = algorithm if by_name else type(algorithm).__name__.lower()
    algo = make_algorithm(algorithm, problem.m, pop_size, seed) if by_name else algorithm
    adapter = PymooAdapter(problem)
    stop = ("n_eval", max_evaluations) if termination is None else termination
    if termination is None and max_seconds is not None:
        from pymoo.termination.collection import TerminationCollection
        from pymoo.termination.max_eval import MaximumFunctionCallTermination
        from pymoo.termination.max_time import TimeBasedTermination

        stop = TerminationCollection(MaximumFunctionCallTermination(max_evaluations),
                                     TimeBasedTermination(float(max_seconds)))
    extra = {} if callback is None else {"callback": callback}  # None would replace pymoo's own
    res = minimize(adapter, algo, stop, seed=int(seed), verbose=bool(verbose), copy_algorithm=True,
                   **extra)
    if by_name:
        options = dict(pop_size=pop_size, max_evaluations=max_evaluations, seed=int(seed))
        if max_seconds is not None:
            options["max_seconds"] = float(max_seconds)
    else:  # the object's real settings (the copy pymoo ran), not our defaults
        options = {**algorithm_options(res.algorithm), "seed": int(seed)}
        if termination is None:
            options["max_evaluations"] = max_evaluations
            if max_seconds is not None:
                options["max_seconds"] = float(max_seconds)
        else:
            options["termination"] = _describe(termination)
    return _front(adapter, res, name, options, time.perf_counter() - t0)


def _front(adapter: PymooAdapter, res, name: str, options: dict, seconds: float,
           evaluations: int | None = None) -> Front:
    problem = adapter.problem
    n = adapter.sp.evaluations if evaluations is None else int(evaluations)
    opt = res.opt
    if opt is None or len(opt) == 0:
        Phi = np.zeros((0, problem.d))
        msg = "no feasible point found"
    else:
        Phi = np.atleast_2d(opt.get("X"))
        msg = f"stopped after {n} evaluations ({res.algorithm.n_gen} generations)"
    Theta = adapter.sp.theta(Phi)
    F, G = (adapter.sp.values(Phi) if len(Phi) else
            (np.zeros((0, problem.m)), np.zeros((0, problem.n_constraints))))
    adapter.sp.evaluations -= len(Phi)  # the re-evaluation for the Front is bookkeeping, not search
    return Front(F, Theta, problem.objective_names, problem.param_names, name, options,
                 n, seconds, len(Phi) > 0, msg, G if problem.n_constraints else None)
