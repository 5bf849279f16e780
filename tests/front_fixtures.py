"""Fronts shared by the front, predictor and select tests (built once per session: fairlearn's
ExponentiatedGradient is the slow one)."""

from functools import cache

import tradeoff as to
from tradeoff.tabular import synthetic_shift


@cache
def clf_data():
    """Train and test: two draws of one distribution."""
    return (synthetic_shift(n=600, task="classification", seed=1),
            synthetic_shift(n=400, task="classification", seed=2))


@cache
def eg_front():
    """fairlearn's ExponentiatedGradient on a small train set: three randomised points."""
    problem = to.Problem(clf_data()[0], "logistic", ["log_loss", "demographic_parity_sq"])
    return to.solve(problem, "fairlearn-eg", eps=[0.02, 0.05, 0.1], max_iter=3)
