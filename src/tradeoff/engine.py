"""Moved to ``tradeoff.blocks``; this name is kept for old imports."""

import warnings

from .blocks import *  # noqa: F401,F403

warnings.warn("tradeoff.engine is now tradeoff.blocks", DeprecationWarning, stacklevel=2)
