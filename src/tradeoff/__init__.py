"""tradeoff: multi-objective training of machine-learning models.

Accuracy, constraints and fairness are kept as separate objectives; ``solve`` finds the Pareto front
between them with gradient scalarisations, pymoo's evolutionary solvers, or exactly where convex.
"""

from .datasets import Dataset, load_dataset, split
from .datasets.chunked import ChunkedDataset
from .front import Front, front_verb
from .indicators import Scale, compare, hypervolume, igd_plus, nondominated
from .objectives import Objective, PredictionObjective, ParameterObjective, register_objective
from .problem import Problem
from .results import Results, read_results
from .solvers import SOLVERS, register_solver, solve
# the verbs on fronts and problems register themselves on import (``front_verb``, ``problem_verb``)
from . import chunked_problem, evaluation, front_io, predictor, selection, spec  # noqa: E402,F401


@front_verb("plot")
def _plot_front(front, **kwargs):
    from .plots import fronts  # matplotlib only when a figure is drawn

    return fronts([front], **kwargs)


__version__ = "0.1.0"

__all__ = ["ChunkedDataset", "Dataset", "Front", "Objective", "ParameterObjective", "PredictionObjective", "Problem",
           "Results", "SOLVERS", "Scale", "compare", "hypervolume", "igd_plus", "load_dataset",
           "nondominated", "read_results", "register_objective", "register_solver", "solve",
           "split"]
