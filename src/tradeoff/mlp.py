"""Moved to ``tradeoff.models.mlp``; this name is kept for old imports."""

import warnings

from .models.mlp import *  # noqa: F401,F403
from .models.mlp import MLP  # noqa: F401

warnings.warn("tradeoff.mlp is now tradeoff.models.mlp", DeprecationWarning, stacklevel=2)
