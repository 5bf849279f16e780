"""Fronts shared by the front, predictor and select tests (built once per session: fairlearn's
ExponentiatedGradient is the slow one)."""

from dataclasses import dataclass
from functools import cache

import numpy as np

import tradeoff as to
from tradeoff.datasets.tabular import synthetic_shift


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


@dataclass(frozen=True)
class PlainEncoder:
    """An encoder made of plain data (like tradeoff.datasets.Encoder): saved as its fields."""

    columns: tuple
    levels: dict
    feature_names: tuple

    def transform(self, df):
        return df[list(self.columns)].to_numpy(float)


class OpaqueEncoder:
    """An encoder that is not a dataclass: saved pickled."""

    feature_names = ("x0", "x1", "x2")

    def __init__(self):
        self.offsets = np.zeros(3)

    def transform(self, df):
        return df[list(self.feature_names)].to_numpy(float) + self.offsets
