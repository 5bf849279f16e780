"""Moved to ``tradeoff.datasets.benchmarks``; this name is kept for old imports."""

import warnings

from .datasets.benchmarks import *  # noqa: F401,F403
from .datasets.benchmarks import BENCHMARK_DATASETS, COMPAS_ENV, adult, compas, german  # noqa: F401

warnings.warn("tradeoff.benchmark_data is now tradeoff.datasets.benchmarks", DeprecationWarning, stacklevel=2)
