"""Datasets: features X (n, p), target y (n,), optional sensitive groups, all validated once here."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING

import numpy as np

from ._validation import (check_choice, check_finite_array, check_groups, check_params,
                          check_positive, check_sample_weight, check_seed, check_xy, fail)

if TYPE_CHECKING:
    from .tabular import Encoder


@dataclass(frozen=True)
class Dataset:
    """X (n, p) float, y (n,) float, groups (n,) integer codes or None, with names for each."""

    X: np.ndarray
    y: np.ndarray
    name: str = "data"
    feature_names: tuple[str, ...] = ()
    target_name: str = "y"
    groups: np.ndarray | None = None
    group_names: tuple[str, ...] = ()
    sensitive_name: str = ""
    sample_weight: np.ndarray | None = None
    meta: dict = field(default_factory=dict)
    encoder: Encoder | None = None  # how `tabular.from_frame` encoded a frame into X

    def __post_init__(self):
        # the boundary: everything a Dataset holds is checked here, once, so that solvers and
        # objectives can trust it (finite and moderate X and y, weights ≥ 0, group codes ≥ 0)
        X = check_finite_array("X", self.X, columns=self.feature_names)
        X = X[:, None] if X.ndim == 1 else X
        if not self.feature_names:
            names = ("x",) if X.shape[1] == 1 else tuple(f"x{j}" for j in range(X.shape[1]))
            object.__setattr__(self, "feature_names", names)
        if len(self.feature_names) != X.shape[1]:
            fail("feature_names", f"{X.shape[1]} names, one per column of X", self.feature_names,
                 "Give one name per column, or leave feature_names out.")
        X, y = check_xy(X, self.y, feature_names=self.feature_names, target_name=self.target_name)
        object.__setattr__(self, "X", X)
        object.__setattr__(self, "y", y)
        if self.sample_weight is not None:
            object.__setattr__(self, "sample_weight", check_sample_weight(self.sample_weight, len(y)))
        if "rows_dropped" not in self.meta:  # how many rows a loader dropped (from_frame sets it)
            object.__setattr__(self, "meta", {**self.meta, "rows_dropped": 0})
        if self.groups is not None:
            codes, names = check_groups(self.groups, len(y), self.group_names)
            object.__setattr__(self, "groups", codes)
            object.__setattr__(self, "group_names", names)

    @property
    def n(self) -> int:
        return self.X.shape[0]

    def subset(self, rows) -> Dataset:
        """The rows ``rows`` (integer indices or a boolean mask of length n), in that order.

        Names, groups (with all group names kept), sample weights, encoder and a copy of meta
        carry over.
        """
        idx = np.asarray(rows)
        if idx.dtype == bool:
            if idx.shape != (self.n,):
                fail("rows", f"a boolean mask of length {self.n} or integer indices",
                     f"a mask of shape {idx.shape}")
        elif idx.ndim != 1 or (idx.size and not np.issubdtype(idx.dtype, np.integer)):
            fail("rows", "a 1-D array of integer indices or a boolean mask", rows, exc=TypeError)
        elif idx.size and (idx.min() < -self.n or idx.max() >= self.n):
            fail("rows", f"indices in [0, {self.n})", f"indices from {idx.min()} to {idx.max()}")
        if (idx.sum() if idx.dtype == bool else idx.size) == 0:
            fail("rows", "a selection of at least one row", "an empty selection")

        def take(a):
            return None if a is None else np.asarray(a)[idx]

        return replace(self, X=self.X[idx], y=self.y[idx], groups=take(self.groups),
                       sample_weight=take(self.sample_weight), meta=dict(self.meta))

    @property
    def param_names(self) -> list[str]:
        """Names of θ's entries: one weight per feature, then the intercept."""
        if self.feature_names == ("x",):
            return ["m", "c"]
        return [f"w_{f}" for f in self.feature_names] + ["intercept"]


def blog_data(n: int = 200, seed: int = 0) -> Dataset:
    """The post's data: gamma-distributed x and a line of slope 1.4 with right-skewed gamma noise.

    x ~ Gamma(8, 8) (mean 64), y = 1.4·x + Gamma(2, 32) − 64: the noise has mean 0 and sd 45, with
    a long right tail of outliers, so a fit has slope near 1.4 and MSE near 1,800–2,000, and about a
    tenth of the fitted line lies above the post's cap of 120.
    """
    check_positive("n", n, integer=True)
    rng = np.random.default_rng(check_seed("seed", seed))
    x = rng.gamma(8.0, 8.0, size=n)
    y = 1.4 * x + rng.gamma(2.0, 32.0, size=n) - 64.0
    return Dataset(x[:, None], y, name="blog", feature_names=("x",))


def cap_benchmark_data(n: int = 1000, seed: int = 0) -> Dataset:
    """The benchmark's variant of the post's problem: x ~ U(0, 100), y = 1.4·x + Gamma(2, 10) − 20."""
    check_positive("n", n, integer=True)
    rng = np.random.default_rng(check_seed("seed", seed))
    x = rng.uniform(0.0, 100.0, size=n)
    y = 1.4 * x + rng.gamma(2.0, 10.0, size=n) - 20.0
    return Dataset(x[:, None], y, name="cap_benchmark", feature_names=("x",))


DATASETS = {"blog": blog_data, "cap_benchmark": cap_benchmark_data}


def all_datasets() -> dict:
    """Built-in datasets by name: the post's and the benchmark's here, tabular ones from tabular.py,
    the fairness benchmarks (adult, german, compas) from benchmark_data.py."""
    from .benchmark_data import BENCHMARK_DATASETS
    from .tabular import TABULAR_DATASETS

    return {**DATASETS, **TABULAR_DATASETS, **BENCHMARK_DATASETS}


def load_dataset(name: str, **params) -> Dataset:
    """A built-in dataset by name, with its parameters (n, seed, …)."""
    registry = all_datasets()
    check_choice("dataset", name, registry)
    check_params(registry[name], params, f"dataset {name!r}")
    return registry[name](**params)
