"""The solver registry and the one entry point, ``solve(problem, solver, **options) -> Front``."""

from __future__ import annotations

import dataclasses
from functools import partial
from typing import Callable

import numpy as np

from .._validation import check_choice, check_seed, closest, fail
from ..front import Front
from ..problem import Problem
from . import evolutionary, exact as _exact, gradient

SOLVERS: dict[str, Callable[..., Front]] = {
    "weighted-sum": gradient.weighted_sum,
    "penalty": gradient.penalty,
    "chebyshev": gradient.chebyshev,
    "epsilon-constraint": gradient.epsilon_constraint,
    "mgda": gradient.mgda,
    "exact": _exact.exact,
    **{name: partial(evolutionary.pymoo_solve, algorithm=name) for name in evolutionary.ALGORITHMS},
}
try:  # fairlearn's reductions, behind the optional extra `fairlearn`; importing needs neither
    from .fairlearn_baselines import BASELINES
except ImportError:  # pragma: no cover
    BASELINES = {}
SOLVERS.update({name: fn for name, (fn, _) in BASELINES.items()})
GRADIENT_SOLVERS = ("weighted-sum", "penalty", "chebyshev", "epsilon-constraint", "mgda", "exact")

# the options each solver accepts, for clear errors on typos
_COMMON = {"n_points", "max_evaluations", "max_epochs", "tol", "standardize", "seed"}
OPTIONS = {
    "weighted-sum": _COMMON | {"weights", "adaptive"},
    "penalty": _COMMON | {"lambdas"},
    "chebyshev": _COMMON | {"weights", "mu"},
    "epsilon-constraint": _COMMON | {"epsilon", "bound"},
    "mgda": _COMMON,
    "exact": {"n_points", "adaptive", "weights", "tol", "max_iter", "seed"},
    **{name: {"pop_size", "max_evaluations", "seed"} for name in evolutionary.ALGORITHMS},
    **{name: set(opts) for name, (_, opts) in BASELINES.items()},
}


def register_solver(name: str, options: set[str] | None = None):
    """Decorator: add ``fn(problem, **options) -> Front`` under ``name``."""
    def deco(fn):
        SOLVERS[name] = fn
        OPTIONS[name] = set(options or ())
        return fn
    return deco


def check_options(solver: str, options: dict, path: str = "options") -> None:
    """Reject options the solver does not take, naming the closest valid one."""
    valid = OPTIONS.get(solver)
    if valid is None:
        return
    for key in options:
        if key not in valid:
            fail(f"{path}.{key}", f"an option of solver {solver!r} ({', '.join(sorted(valid))})", key,
                 closest(key, valid).strip())


def solve(problem: Problem, solver="weighted-sum", **options) -> Front:
    """Solve ``problem`` with a registered solver (by name) or any pymoo algorithm object."""
    if not isinstance(problem, Problem):
        fail("problem", "a tradeoff.Problem", type(problem).__name__, exc=TypeError)
    if not isinstance(solver, str):
        return with_exact_metrics(problem, evolutionary.pymoo_solve(problem, solver, **options))
    check_choice("solver", solver, SOLVERS)
    check_options(solver, options)
    if "seed" in options:
        check_seed("seed", options["seed"])
    if solver in GRADIENT_SOLVERS and solver != "exact":
        for obj in problem.objectives + tuple(c.objective for c in problem.constraints):
            if not obj.differentiable:
                fail("solver", "a solver that needs no gradient for objective "
                     f"{obj.name!r}, which has none", solver,
                     "Use 'nsga2' (or another pymoo solver), or a differentiable objective.")
    return with_exact_metrics(problem, SOLVERS[solver](problem, **options))


def with_exact_metrics(problem: Problem, front: Front) -> Front:
    """Attach the exact metric of every surrogate objective to the front's points."""
    if "mixture_metrics" in front.extra:
        # a randomized classifier's metrics are its own, not its top-weight model's
        metrics = {k: np.asarray(v) for k, v in front.extra["mixture_metrics"].items()}
    else:
        metrics = problem.exact_metrics(front.X)
    if not metrics:
        return front
    extra = {**front.extra, "metrics": {k: v.tolist() for k, v in metrics.items()}}
    return dataclasses.replace(front, extra=extra)
