"""Moved to ``tradeoff.objectives.fairness``; this name is kept for old imports."""

import warnings

from .objectives.fairness import *  # noqa: F401,F403

warnings.warn("tradeoff.fairness_objectives is now tradeoff.objectives.fairness", DeprecationWarning,
              stacklevel=2)
