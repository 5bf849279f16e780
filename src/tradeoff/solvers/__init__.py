"""The solver registry and the one entry point, ``solve(problem, solver, **options) -> Front``."""

from __future__ import annotations

import dataclasses
from functools import partial
from typing import Callable

import numpy as np

from .._validation import check_choice, closest, fail
from ..front import Front
from ..problem import Problem
from . import epo as _epo, evolutionary, exact as _exact, gradient, hv_gradient, options as _options
from . import pareto_set as _pareto_set, pmgda as _pmgda
from .context import with_context, with_exact_metrics

SOLVERS: dict[str, Callable[..., Front]] = {
    "weighted-sum": gradient.weighted_sum,
    "penalty": gradient.penalty,
    "chebyshev": gradient.chebyshev,
    "pbi": gradient.pbi,
    "aasf": gradient.aasf,
    "epsilon-constraint": gradient.epsilon_constraint,
    "mgda": gradient.mgda,
    "hv-grad": hv_gradient.hv_grad,
    "epo": _epo.epo,
    "pmgda": _pmgda.pmgda,
    "exact": _exact.exact,
    "pareto-set": _pareto_set.pareto_set,
    **{name: partial(evolutionary.pymoo_solve, algorithm=name) for name in evolutionary.ALGORITHMS},
}
try:  # fairlearn's reductions, behind the optional extra `fairlearn`; importing needs neither
    from .fairlearn_baselines import BASELINES
except ImportError:  # pragma: no cover
    BASELINES = {}
SOLVERS.update({name: fn for name, (fn, _) in BASELINES.items()})
GRADIENT_SOLVERS = ("weighted-sum", "penalty", "chebyshev", "pbi", "aasf", "epsilon-constraint",
                    "mgda", "hv-grad", "epo", "pmgda", "exact")

# the options each solver accepts, with their types and ranges (solvers/options.py): names for
# clear errors on typos, specs for clear errors on values, both checked here and by the config loader
SPECS: dict[str, dict] = _options.declared()
for _name in BASELINES:  # fairlearn's names come from the module that runs them
    SPECS.setdefault(_name, {k: _options.Anything() for k in BASELINES[_name][1]})
OPTIONS = {name: set(spec) for name, spec in SPECS.items()}


def register_solver(name: str, options: set[str] | dict | None = None):
    """Decorator: add ``fn(problem, **options) -> Front`` under ``name``.

    ``options`` names the options it takes (a set), or maps each to a spec of its values (a dict
    of ``tradeoff.solvers.options`` specs, e.g. ``{"n_points": Integer(2, 1000)}``)."""
    def deco(fn):
        SOLVERS[name] = fn
        specs = (dict(options) if isinstance(options, dict)
                 else {k: _options.Anything() for k in options or ()})
        SPECS[name] = specs
        OPTIONS[name] = set(specs)
        return fn
    return deco


def check_options(solver: str, options: dict, path: str = "options", *,
                  value_path: str | None = None, values: bool = True) -> None:
    """Reject options the solver does not take (naming the closest valid one) and values outside
    their declared type and range (solvers/options.py); values are named under ``value_path``
    (default ``path``: "options.tol" in a config, plain "tol" in a library call)."""
    valid = OPTIONS.get(solver)
    if valid is None:
        return
    for key in options:
        if key not in valid:
            fail(f"{path}.{key}", f"an option of solver {solver!r} ({', '.join(sorted(valid))})", key,
                 closest(key, valid).strip())
    if values:
        _options.check_option_values(SPECS.get(solver, {}), options,
                                     path if value_path is None else value_path)


def solve(problem: Problem, solver="weighted-sum", **options) -> Front:
    """Solve ``problem`` with a registered solver (by name) or any pymoo algorithm object."""
    if not isinstance(problem, Problem):
        fail("problem", "a tradeoff.Problem", type(problem).__name__, exc=TypeError)
    if not isinstance(solver, str):  # a pymoo algorithm object: its budget and seed are ours
        from pymoo.core.algorithm import Algorithm

        if not isinstance(solver, Algorithm):
            fail("solver", "a solver name or a pymoo algorithm object", type(solver).__name__,
                 exc=TypeError)
        valid = tuple(_options.ALGORITHM_OBJECT)
        for key in options:
            if key not in valid:
                hint = closest(key, valid).strip() or (
                    f"Set it on the object, e.g. {type(solver).__name__}({key}=...)."
                    if key == "pop_size" else "Set the algorithm's own settings on the object.")
                fail(f"options.{key}", f"an option for a pymoo algorithm object "
                     f"({', '.join(valid)}; set the rest on the object)", key, hint)
        _options.check_option_values(_options.ALGORITHM_OBJECT, options, "")
        front = evolutionary.pymoo_solve(problem, solver, **options)
        return with_context(problem, with_exact_metrics(problem, front))
    check_choice("solver", solver, SOLVERS)
    for key in _options.OBJECT_ONLY:
        if key in options and key not in OPTIONS.get(solver, ()):
            fail(key, f"an option of solver {solver!r} ({', '.join(sorted(OPTIONS[solver]))})",
                 key, f"`{key}` goes beside a pymoo algorithm object, e.g. "
                 "solve(problem, NSGA2(pop_size=20), termination=('n_gen', 50)); "
                 "give a named solver its budget with max_evaluations.")
    check_options(solver, options, value_path="")
    _options.check_against_problem(solver, options, problem.m, path="")
    if solver in GRADIENT_SOLVERS and solver != "exact":
        for obj in problem.objectives + tuple(c.objective for c in problem.constraints):
            if not obj.differentiable:
                fail("solver", "a solver that needs no gradient for objective "
                     f"{obj.name!r}, which has none", solver,
                     "Use 'nsga2' (or another pymoo solver), or a differentiable objective.")
    from ..blocks import single_blas_thread

    # one BLAS thread for the whole solve: the same front to the last bit whatever the machine's
    # thread count (a threaded product may sum in another order), as sweeps already run
    passes = getattr(problem.data, "passes", None)  # chunked data counts its passes over rows
    with single_blas_thread():  # the exact metrics too: a threaded pass over small blocks is slow
        front = with_exact_metrics(problem, SOLVERS[solver](problem, **options))
    if passes is not None:
        front = dataclasses.replace(front, extra={**front.extra,
                                                  "passes": problem.data.passes - passes})
    return with_context(problem, front)
