"""A user's objective in a module of its own, for the `imports` key of a config."""

from __future__ import annotations

from tradeoff import PredictionObjective, register_objective


@register_objective("mean_prediction_sq")
class MeanPredictionSq(PredictionObjective):
    """(mean prediction)²: smooth and convex for a linear model."""

    name = "mean_prediction_sq"

    def evaluate(self, batch, P, grad=True):
        mean = batch.omega @ P
        return mean ** 2, (2 * mean * batch.omega[:, None] if grad else None)

    def is_convex(self, model):
        return False  # no curvature given: the exact solver must say so, not guess
