"""Datasets and their registry: the names a config or ``load_dataset`` can use.

Members: ``base`` (Dataset), ``builtin`` (the post's data, the cap benchmark), ``tabular`` (any
DataFrame or CSV through an ``Encoder``; diabetes, cps1985, arrests, a synthetic shift),
``benchmarks`` (adult, german, compas) and ``splits`` (stratified train/validation/test parts). The
registry sits here, above its members; no member imports it.
"""

from __future__ import annotations

from .._validation import check_choice, check_params
from .base import Dataset
from .benchmarks import BENCHMARK_DATASETS, adult, compas, german
from .builtin import blog_data, cap_benchmark_data
from .splits import split, strata
from .tabular import (TABULAR_DATASETS, Encoder, arrests, cps1985, diabetes, from_csv, from_frame,
                      synthetic_shift)

DATASETS = {"blog": blog_data, "cap_benchmark": cap_benchmark_data}


def all_datasets() -> dict:
    """Built-in datasets by name: the post's and the benchmark's, the tabular ones and the fairness
    benchmarks (adult, german, compas)."""
    return {**DATASETS, **TABULAR_DATASETS, **BENCHMARK_DATASETS}


def load_dataset(name: str, **params) -> Dataset:
    """A built-in dataset by name, with its parameters (n, seed, …)."""
    registry = all_datasets()
    check_choice("dataset", name, registry)
    check_params(registry[name], params, f"dataset {name!r}")
    return registry[name](**params)


__all__ = ["BENCHMARK_DATASETS", "DATASETS", "TABULAR_DATASETS", "Dataset", "Encoder", "adult",
           "all_datasets", "arrests", "blog_data", "cap_benchmark_data", "compas", "cps1985",
           "diabetes", "from_csv", "from_frame", "german", "load_dataset", "split", "strata",
           "synthetic_shift"]
