"""Datasets: features X (n, p), target y (n,), optional sensitive groups, all validated once here."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from ._validation import (check_choice, check_finite_array, check_groups, check_params,
                          check_positive, check_sample_weight, check_seed, check_xy, fail)


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
    """Built-in datasets by name: the post's and the benchmark's here, tabular ones from tabular.py."""
    from .tabular import TABULAR_DATASETS

    return {**DATASETS, **TABULAR_DATASETS}


def load_dataset(name: str, **params) -> Dataset:
    """A built-in dataset by name, with its parameters (n, seed, …)."""
    registry = all_datasets()
    check_choice("dataset", name, registry)
    check_params(registry[name], params, f"dataset {name!r}")
    return registry[name](**params)
