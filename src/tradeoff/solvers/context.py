"""What a solver's front carries besides its points: the problem's context (model, objectives,
encoder, feature names, seed) for using the points on new data, and the exact metrics of the
surrogate objectives."""

from __future__ import annotations

import dataclasses

import numpy as np

from ..front import Front
from ..problem import Problem


def with_context(problem: Problem, front: Front) -> Front:
    """Attach what it takes to use the front's points on new data: the model, objectives and
    constraints, the training data's encoder (if it has one) and feature names, and the seed."""
    seed = front.options.get("seed")
    return dataclasses.replace(
        front, model=problem.model, objectives=tuple(problem.objectives),
        constraints=tuple(problem.constraints), encoder=getattr(problem.data, "encoder", None),
        feature_names=tuple(problem.data.feature_names),
        seed=int(seed) if isinstance(seed, (int, np.integer)) else seed)


def with_exact_metrics(problem: Problem, front: Front) -> Front:
    """Attach the exact metric of every surrogate objective to the front's points."""
    if "mixture_metrics" in front.extra:
        # a randomized classifier's metrics are its own, not its top-weight model's
        metrics = {k: np.asarray(v) for k, v in front.extra["mixture_metrics"].items()}
    else:  # a diverged point (parameters not finite) has no metric: NaN, and no success
        good = np.isfinite(front.X).all(1)
        metrics = problem.exact_metrics(front.X[good])
        for k, v in metrics.items():
            full = np.full(len(front.X), np.nan)
            full[good] = v
            metrics[k] = full
    if not metrics:
        return front
    extra = {**front.extra, "metrics": {k: v.tolist() for k, v in metrics.items()}}
    return dataclasses.replace(front, extra=extra)
