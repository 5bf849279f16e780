"""Moved to ``tradeoff.datasets.splits``; this name is kept for old imports."""

import warnings

from .datasets.splits import *  # noqa: F401,F403

warnings.warn("tradeoff.splits is now tradeoff.datasets.splits", DeprecationWarning, stacklevel=2)
