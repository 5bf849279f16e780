"""The results folder of one experiment, written atomically so that a killed sweep can resume.

    results/<experiment>/
      runs/<run_id>.json        one file per finished run (ok or failed), written as it arrives
                                (a cache for resuming; runs/.gitignore keeps it out of git)
      runs.csv, runs.parquet    one row per run (merged from runs/ in the config's order)
      points.csv, points.parquet  one row per front point
      traces.csv, traces.parquet  HV ratio of each run's points so far, against evaluations
      manifest.json             the config, its hash, versions, git commit, start and end
      report.md, figures/       written by `tradeoff report` and `tradeoff plot`
"""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd

from ..io import atomic_path, atomic_write_csv, atomic_write_text

TABLES = ("runs", "points", "traces")


def _has_parquet() -> bool:
    try:
        import pyarrow  # noqa: F401
    except ImportError:
        return False
    return True


def _json_default(value):
    # numpy scalars and arrays, should a solver put them in its options or metrics
    if hasattr(value, "tolist"):
        return value.tolist()
    return str(value)


def dumps(obj, indent: int | None = None) -> str:
    """Stable JSON: sorted keys, floats by repr (exact round trip), NaN and inf allowed."""
    return json.dumps(obj, sort_keys=True, indent=indent, default=_json_default, allow_nan=True)


class Store:
    """Paths and atomic reads/writes under one experiment's results folder."""

    def __init__(self, root: str | Path):
        self.root = Path(root)
        self.runs_dir = self.root / "runs"

    # -- per-run results -------------------------------------------------------------------------
    def run_path(self, run_id: str) -> Path:
        return self.runs_dir / f"{run_id}.json"

    def write_run(self, result: dict) -> Path:
        path = self.run_path(result["run_id"])
        atomic_write_text(dumps(result) + "\n", path)
        ignore = self.runs_dir / ".gitignore"
        if not ignore.exists():
            # per-run files are a cache for resuming; the merged tables are what gets committed
            atomic_write_text("# per-run results: a cache for resuming sweeps, not for git\n*\n", ignore)
        return path

    def read_run(self, run_id: str) -> dict | None:
        """The stored result of a run, or None if it is missing or unreadable (then it reruns)."""
        path = self.run_path(run_id)
        try:
            result = json.loads(path.read_text())
        except (OSError, ValueError):
            return None
        if not isinstance(result, dict) or result.get("run_id") != run_id or "status" not in result:
            return None
        return result

    def read_runs(self, run_ids) -> dict[str, dict]:
        found = {}
        for run_id in run_ids:
            result = self.read_run(run_id)
            if result is not None:
                found[run_id] = result
        return found

    def stale_runs(self, run_ids) -> list[Path]:
        """Result files of runs that the current config no longer has (kept, but not merged)."""
        keep = set(run_ids)
        return sorted(p for p in self.runs_dir.glob("*.json") if p.stem not in keep)

    # -- merged tables ---------------------------------------------------------------------------
    def write_table(self, frame: pd.DataFrame, name: str) -> list[Path]:
        paths = [self.root / f"{name}.csv"]
        atomic_write_csv(frame, paths[0])
        if _has_parquet():
            paths.append(self.root / f"{name}.parquet")
            with atomic_path(paths[1]) as tmp:
                frame.to_parquet(tmp, index=False)
        return paths

    def read_table(self, name: str) -> pd.DataFrame:
        """A merged table: Parquet (exact dtypes) where readable, else CSV."""
        parquet, csv = self.root / f"{name}.parquet", self.root / f"{name}.csv"
        if parquet.is_file() and _has_parquet():
            return pd.read_parquet(parquet)
        if csv.is_file():
            return pd.read_csv(csv, keep_default_na=True)
        raise ValueError(f"`results` must be a folder written by `tradeoff run`; got {str(self.root)!r}"
                         f" (no {name}.csv in it). Run the sweep first: tradeoff run CONFIG.")

    # -- manifest --------------------------------------------------------------------------------
    @property
    def manifest_path(self) -> Path:
        return self.root / "manifest.json"

    def write_manifest(self, manifest: dict) -> None:
        atomic_write_text(dumps(manifest, indent=2) + "\n", self.manifest_path)

    def read_manifest(self) -> dict:
        try:
            return json.loads(self.manifest_path.read_text())
        except (OSError, ValueError):
            return {}

    # -- starting over ---------------------------------------------------------------------------
    def clear(self) -> int:
        """Delete what a sweep wrote here (and nothing else); returns the number of files removed."""
        removed = 0
        targets = list(self.runs_dir.glob("*.json")) if self.runs_dir.is_dir() else []
        targets += [self.runs_dir / ".gitignore"]
        targets += [self.root / f"{t}.{ext}" for t in TABLES for ext in ("csv", "parquet")]
        targets += [self.manifest_path, self.root / "report.md"]
        fig_dir = self.root / "figures"
        if fig_dir.is_dir():
            targets += [p for p in fig_dir.iterdir() if p.suffix in (".png", ".svg")]
        for path in targets:
            if path.is_file():
                path.unlink()
                removed += 1
        for folder in (self.runs_dir, fig_dir):
            if folder.is_dir() and not any(folder.iterdir()):
                folder.rmdir()
        return removed
