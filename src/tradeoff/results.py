"""Reading a sweep's results folder back into pandas: ``tradeoff.read_results(path)``.

A folder written by ``tradeoff run`` (``results/<study>/``) holds three tables and a manifest::

    runs.{parquet,csv}     one row per run: problem, solver, label, seed, options (opt_*), status,
                           hv, hv_ratio, igd_plus, spacing, sparsity, evaluations, versions; seconds (wall
                           clock) merged in from timings.csv when the folder has it
    points.{parquet,csv}   one row per front point: run_id, solver, label, seed, objectives,
                           feasible, nondominated, exact metrics, parameters
    traces.{parquet,csv}   HV ratio and IGD+ of each run against evaluations
    manifest.json          the config, its hash, versions, the files tradeoff wrote;
                           execution.json's commits (tradeoff's source and the config's),
                           executor, start and end merged in when the folder has it

Parquet is read where it is present and pyarrow is installed (exact dtypes), else CSV. The tables
are checked before they are returned: a file cut mid-row, a Parquet file that disagrees with the CSV
beside it, or a points table without ``n_points`` rows for a run is a ``ValueError`` naming the
file, never a silently shorter table.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import NamedTuple

import pandas as pd


class Results(NamedTuple):
    """The tables of one sweep (``tradeoff.read_results``)."""

    runs: pd.DataFrame
    points: pd.DataFrame
    traces: pd.DataFrame
    manifest: dict
    path: Path


def read_results(path) -> Results:
    """The runs, points and traces tables of a sweep's results folder (e.g.
    ``results/cap_tradeoff``) as pandas DataFrames, with its manifest as a dict.

    Raises ``FileNotFoundError`` if ``path`` is not a folder, ``ValueError`` naming the folder
    (and what is missing) if it holds no sweep's tables, and ``ValueError`` naming the file if a
    table is empty, cut, unreadable, disagrees with the other format beside it, or disagrees with
    the runs table (rows of runs it does not list; other than ``n_points`` points per run)."""
    from .experiments.store import TABLES, Store

    root = Path(path)
    if not root.is_dir():
        raise FileNotFoundError(f"`path` must be a results folder written by `tradeoff run` (e.g. "
                                f"results/cap_tradeoff); got {str(path)!r}, which is not a folder.")
    missing = [t for t in TABLES
               if not ((root / f"{t}.csv").is_file() or (root / f"{t}.parquet").is_file())]
    if missing:
        raise ValueError(f"`path` must be a results folder written by `tradeoff run`; got "
                         f"{str(path)!r}, which has no {', '.join(t + '.csv' for t in missing)}. "
                         "Run the sweep first (tradeoff run CONFIG --out FOLDER), or give the "
                         "folder it wrote.")
    store = Store(root)
    manifest = {}
    # manifest.json, then this machine's execution.json (commit, executor, start and end) over it
    for path in (store.manifest_path, store.execution_path):
        if path.is_file():
            try:
                manifest.update(json.loads(path.read_text()))
            except ValueError as err:
                raise ValueError(f"{str(path)!r} is not valid JSON ({err}).") from None
    tables = store.read_tables(TABLES)  # checked, then timings.csv's seconds merged in
    return Results(tables["runs"], tables["points"], tables["traces"], manifest, root)
