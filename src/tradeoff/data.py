"""Moved to ``tradeoff.datasets``; this name is kept for old imports."""

import warnings

from .datasets import *  # noqa: F401,F403
from .datasets import DATASETS, Dataset, all_datasets, load_dataset  # noqa: F401
from .datasets.builtin import blog_data, cap_benchmark_data  # noqa: F401

warnings.warn("tradeoff.data is now tradeoff.datasets", DeprecationWarning, stacklevel=2)
