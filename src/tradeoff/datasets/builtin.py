"""The built-in synthetic datasets: the blog post's data and the cap benchmark's variant."""

from __future__ import annotations

import numpy as np

from .._validation import check_rows, check_seed
from .base import Dataset


def blog_data(n: int = 200, seed: int = 0) -> Dataset:
    """The post's data: gamma-distributed x and a line of slope 1.4 with right-skewed gamma noise.

    x ~ Gamma(8, 8) (mean 64), y = 1.4·x + Gamma(2, 32) − 64: the noise has mean 0 and sd 45, with
    a long right tail of outliers, so a fit has slope near 1.4 and MSE near 1,800–2,000, and about a
    tenth of the fitted line lies above the post's cap of 120.
    """
    check_rows("n", n, 2)
    rng = np.random.default_rng(check_seed("seed", seed))
    x = rng.gamma(8.0, 8.0, size=n)
    y = 1.4 * x + rng.gamma(2.0, 32.0, size=n) - 64.0
    return Dataset(x[:, None], y, name="blog", feature_names=("x",))


def cap_benchmark_data(n: int = 1000, seed: int = 0) -> Dataset:
    """The benchmark's variant of the post's problem: x ~ U(0, 100), y = 1.4·x + Gamma(2, 10) − 20."""
    check_rows("n", n, 2)
    rng = np.random.default_rng(check_seed("seed", seed))
    x = rng.uniform(0.0, 100.0, size=n)
    y = 1.4 * x + rng.gamma(2.0, 10.0, size=n) - 20.0
    return Dataset(x[:, None], y, name="cap_benchmark", feature_names=("x",))


DATASETS = {"blog": blog_data, "cap_benchmark": cap_benchmark_data}
