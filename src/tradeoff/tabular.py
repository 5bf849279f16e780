"""Moved to ``tradeoff.datasets.tabular``; this name is kept for old imports."""

import warnings

from .datasets.tabular import *  # noqa: F401,F403
from .datasets.tabular import TABULAR_DATASETS, Encoder, from_csv, from_frame  # noqa: F401

warnings.warn("tradeoff.tabular is now tradeoff.datasets.tabular", DeprecationWarning, stacklevel=2)
