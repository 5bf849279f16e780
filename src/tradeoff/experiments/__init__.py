"""Sweeps: TOML configs, their expansion into runs, execution (local, processes, Dask) and results.

``load_config(path)`` validates a config and expands it; ``run_sweep(config, out)`` runs what is
missing and merges the tables; ``report.markdown`` and ``figures.draw`` read the tables back.
"""

from .config import Config, RunSpec, load_config, parse_config
from .runner import run_study, run_sweep

__all__ = ["Config", "RunSpec", "load_config", "parse_config", "run_study", "run_sweep"]
