"""The results folder of one experiment, written atomically so that a killed sweep can resume.

    results/<experiment>/
      runs/<run_id>.json        one file per finished run (ok or failed), written as it arrives
                                (a cache for resuming; runs/.gitignore keeps it out of git)
      runs.csv, runs.parquet    one row per run (merged from runs/ in the config's order)
      points.csv, points.parquet  one row per front point
      traces.csv, traces.parquet  HV ratio of each run's points so far, against evaluations
      manifest.json             the config, its hash, versions
      timings.csv               the runs table's wall-clock column (``seconds``), by run_id
      execution.json            this machine's sweep: git commit, executor, start and end, counts
      report.md, figures/       written by `tradeoff report` and `tradeoff plot`
      .gitignore                keeps timings.csv, execution.json and the wall-clock figures out of git

Everything but the wall-clock outputs is a function of the config, the code and the library
versions, so a sweep run again (or in a fresh clone) writes the same bytes: committed results stay
unchanged. What depends on the clock or the checkout (timings.csv, execution.json, the
``*_hv_cost`` figures) goes to files of its own that the folder's .gitignore names;
``read_table("runs")`` and ``read_manifest`` merge them back when they are there.

What is on disk can be trusted or is redone:

- Each run file carries a sha256 ``checksum`` of its content and is checked against a schema when
  read (``check_result``). A file that is empty, truncated, not JSON, has no front or a malformed
  one, or whose arrays were changed after writing is not used: the run is redone, with a warning
  naming the file (``StoredRunWarning``).
- The tables are written together, from one in-memory source (``write_tables``): every CSV and
  Parquet file goes to a temporary first, and only when all are written are they renamed into
  place; if a rename fails, the ones already renamed are rolled back, so CSV and Parquet never
  disagree and no table is half-written.
- Temporaries (``.*.tmp``, from a killed or failed write) are removed at the start of every sweep
  and by ``--fresh``.
"""

from __future__ import annotations

import hashlib
import json
import math
import numbers
import os
import warnings
from pathlib import Path

import pandas as pd

from ..io import atomic_write_text

TABLES = ("runs", "points", "traces")
STATUSES = ("ok", "failed")
# columns of the runs table measured by the clock: written to timings.csv, never to runs.csv
WALL_CLOCK = ("seconds",)
# manifest keys that describe one execution (when, where, from which checkout): execution.json
EXECUTION_KEYS = ("git_commit", "executor", "started", "finished", "runs")
# what a results folder keeps out of git: it changes on every run or checkout
GITIGNORE = ("# wall-clock and checkout-dependent outputs: they differ on every run, so not for git\n"
             "timings.csv\nexecution.json\nfigures/*_hv_cost.*\n")


class StoredRunWarning(UserWarning):
    """A stored run file could not be trusted; the run is done again."""


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


def checksum(result: dict) -> str:
    """sha256 of a result's content (all but the checksum itself), as ``dumps`` writes it: the
    same after a JSON round trip, since floats are written by repr."""
    body = {k: v for k, v in result.items() if k != "checksum"}
    return hashlib.sha256(dumps(body).encode()).hexdigest()


# -- the schema of a stored run -------------------------------------------------------------------
def _matrix(value, rows: int | None, cols: int, what: str) -> int:
    """The number of rows of ``value``, a list of ``cols``-long lists of numbers (NaN/inf allowed:
    a solver may return them; they are data, not damage)."""
    if not isinstance(value, list):
        raise ValueError(f"{what} is not a list")
    if rows is not None and len(value) != rows:
        raise ValueError(f"{what} has {len(value)} rows, not {rows}")
    for row in value:
        if not isinstance(row, list) or len(row) != cols:
            raise ValueError(f"{what} has a row that is not {cols} numbers")
        if not all(isinstance(x, numbers.Real) and not isinstance(x, bool) for x in row):
            raise ValueError(f"{what} holds something other than numbers")
    return len(value)


def _names(value, what: str) -> list:
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise ValueError(f"{what} is not a list of names")
    return value


def _check_front(f) -> None:
    if not isinstance(f, dict):
        raise ValueError("the front is missing" if f is None else "the front is not a table")
    missing = [k for k in ("F", "X", "G", "objective_names", "param_names", "options", "success",
                           "message") if k not in f]
    if missing:
        raise ValueError(f"the front has no {', '.join(missing)}")
    m = len(_names(f["objective_names"], "front.objective_names"))
    d = len(_names(f["param_names"], "front.param_names"))
    if m == 0:
        raise ValueError("the front has no objectives")
    k = _matrix(f["F"], None, m, "front.F")
    _matrix(f["X"], k, d, "front.X")
    if f["G"] is not None:
        if not isinstance(f["G"], list):
            raise ValueError("front.G is not a list")
        if k:
            _matrix(f["G"], k, len(f["G"][0]) if isinstance(f["G"][0], list) else -1, "front.G")
    if not isinstance(f["success"], bool) or not isinstance(f["message"], str):
        raise ValueError("front.success or front.message has the wrong type")
    if not isinstance(f["options"], dict):
        raise ValueError("front.options is not a table")
    metrics = f.get("metrics", {})
    if not isinstance(metrics, dict):
        raise ValueError("front.metrics is not a table")
    for name, values in metrics.items():
        if not isinstance(values, list) or len(values) != k or not all(
                isinstance(x, numbers.Real) and not isinstance(x, bool) for x in values):
            raise ValueError(f"front.metrics[{name!r}] is not {k} numbers")


def _check_splits(splits, k: int) -> None:
    """Held-out values (sweeps with a split): part → column → k numbers (feasible: booleans)."""
    if splits is None:
        return
    if not isinstance(splits, dict) or "test" not in splits:
        raise ValueError("its held-out `splits` is not a table with a test part")
    for part, cols in splits.items():
        if part not in ("train", "validation", "test") or not isinstance(cols, dict):
            raise ValueError(f"its held-out `splits` has a part {part!r} that is not a table")
        for name, values in cols.items():
            kind = bool if name == "feasible" else numbers.Real
            if not isinstance(values, list) or len(values) != k or not all(
                    isinstance(x, kind) and (kind is bool or not isinstance(x, bool))
                    for x in values):
                raise ValueError(f"its held-out `splits.{part}.{name}` is not {k} values")


def check_result(result, run_id: str) -> None:
    """Raise ValueError saying what is wrong with a stored run's content, or return."""
    if not isinstance(result, dict):
        raise ValueError("it is not a JSON object")
    if result.get("run_id") != run_id:
        raise ValueError(f"its run_id is {result.get('run_id')!r}, not {run_id!r}")
    if result.get("status") not in STATUSES:
        raise ValueError(f"its status is {result.get('status')!r}, not one of {', '.join(STATUSES)}")
    if "checksum" not in result:
        raise ValueError("it has no checksum (written by an older version, or by hand)")
    if result["checksum"] != checksum(result):
        raise ValueError("its checksum does not match its content (changed after it was written)")
    run = result.get("run")
    if not isinstance(run, dict) or not isinstance(run.get("solver"), str):
        raise ValueError("it does not say which run it is (no `run.solver`)")
    for key, kind in (("evaluations", numbers.Integral), ("seconds", numbers.Real)):
        v = result.get(key)
        if not isinstance(v, kind) or isinstance(v, bool):
            raise ValueError(f"its `{key}` is not a number")
    fits = result.get("estimator_fits")
    if fits is not None and (not isinstance(fits, numbers.Integral) or isinstance(fits, bool)):
        raise ValueError("its `estimator_fits` is not a whole number")
    trace = result.get("trace", [])
    if not isinstance(trace, list):
        raise ValueError("its trace is not a list")
    for row in trace:
        if not (isinstance(row, list) and len(row) == 3 and all(
                isinstance(x, numbers.Real) and not isinstance(x, bool) for x in row)):
            raise ValueError("its trace holds a row that is not [evaluations, hv_ratio, igd_plus]")
    if result["status"] == "ok":
        _check_front(result.get("front"))
        _check_splits(result.get("splits"), len(result["front"]["F"]))
        if not math.isfinite(result["seconds"]):
            raise ValueError("its `seconds` is not finite")
    elif not isinstance(result.get("error", ""), str):
        raise ValueError("its error is not text")


class Store:
    """Paths and atomic reads/writes under one experiment's results folder."""

    def __init__(self, root: str | Path):
        self.root = Path(root)
        self.runs_dir = self.root / "runs"

    def check_writable(self) -> None:
        """Make the folders and try a write in each: an unwritable folder is a clear error before
        any run starts (and leaves nothing behind)."""
        for folder in (self.root, self.runs_dir):
            try:
                folder.mkdir(parents=True, exist_ok=True)
                probe = _temporary(folder / "write-check")
                probe.unlink()
            except OSError as err:
                why = err.strerror or type(err).__name__
                raise type(err)(f"`out` must be a folder this process can write; got "
                                f"{str(folder)!r} ({why}). Choose another --out, or fix the "
                                "folder's permissions.") from None

    # -- per-run results -------------------------------------------------------------------------
    def run_path(self, run_id: str) -> Path:
        return self.runs_dir / f"{run_id}.json"

    def write_run(self, result: dict) -> Path:
        path = self.run_path(result["run_id"])
        result = json.loads(dumps(result))  # plain JSON values: what a reader will find
        result["checksum"] = checksum(result)
        atomic_write_text(dumps(result) + "\n", path)
        ignore = self.runs_dir / ".gitignore"
        if not ignore.exists():
            # per-run files are a cache for resuming; the merged tables are what gets committed
            atomic_write_text("# per-run results: a cache for resuming sweeps, not for git\n*\n", ignore)
        return path

    def read_run(self, run_id: str, *, warn: bool = True) -> dict | None:
        """The stored result of a run, or None if it is missing or cannot be trusted (then it is
        run again; with ``warn``, a ``StoredRunWarning`` names the file and what is wrong)."""
        path = self.run_path(run_id)
        if not path.exists():
            return None
        try:
            text = path.read_text()
            if not text.strip():
                raise ValueError("it is empty")
            try:
                result = json.loads(text)
            except ValueError as err:
                raise ValueError(f"it is not valid JSON (truncated?): {err}") from None
            check_result(result, run_id)
        except (OSError, UnicodeDecodeError, ValueError, RecursionError) as err:
            if warn:
                reason = err.strerror if isinstance(err, OSError) and err.strerror else err
                warnings.warn(f"stored run {path} is not usable ({reason}); running it again",
                              StoredRunWarning, stacklevel=2)
            return None
        return result

    def read_runs(self, run_ids, *, warn: bool = True) -> dict[str, dict]:
        found = {}
        for run_id in run_ids:
            result = self.read_run(run_id, warn=warn)
            if result is not None:
                found[run_id] = result
        return found

    def stale_runs(self, run_ids) -> list[Path]:
        """Result files of runs that the current config no longer has (kept, but not merged)."""
        keep = set(run_ids)
        return sorted(p for p in self.runs_dir.glob("*.json") if p.stem not in keep)

    # -- merged tables ---------------------------------------------------------------------------
    def write_table(self, frame: pd.DataFrame, name: str) -> list[Path]:
        return self.write_tables({name: frame})[name]

    def write_tables(self, frames: dict[str, pd.DataFrame]) -> dict[str, list[Path]]:
        """Write each frame as CSV (and Parquet, where pyarrow is installed), all or nothing.

        Every file is written to a temporary beside it first; only when all are written are they
        renamed into place, and a failed rename puts back the files already replaced. So the CSV
        and Parquet of a table always hold the same frame, and the tables one sweep."""
        self.root.mkdir(parents=True, exist_ok=True)
        formats = ("csv", "parquet") if _has_parquet() else ("csv",)
        staged: list[tuple[Path, Path]] = []
        paths: dict[str, list[Path]] = {}
        frames = dict(frames)
        clock = [c for c in WALL_CLOCK if "runs" in frames and c in frames["runs"].columns]
        try:
            if clock:  # the clock's columns to a file of their own, out of git
                final = self.timings_path
                tmp = _temporary(final)
                staged.append((tmp, final))
                frames["runs"][["run_id", *clock]].to_csv(tmp, index=False)
                _public_mode(tmp)
                frames["runs"] = frames["runs"].drop(columns=clock)
                self._write_gitignore()
            for name, frame in frames.items():
                paths[name] = []
                for ext in formats:
                    final = self.root / f"{name}.{ext}"
                    tmp = _temporary(final)
                    staged.append((tmp, final))
                    if ext == "csv":  # floats by repr: the same run gives identical bytes
                        frame.to_csv(tmp, index=False)
                    else:
                        frame.to_parquet(tmp, index=False)
                    _public_mode(tmp)
                    paths[name].append(final)
            _commit(staged)
        finally:
            for tmp, _ in staged:
                if tmp.exists():
                    tmp.unlink()
        return paths

    @property
    def timings_path(self) -> Path:
        return self.root / "timings.csv"

    @property
    def execution_path(self) -> Path:
        return self.root / "execution.json"

    def _write_gitignore(self) -> None:
        path = self.root / ".gitignore"
        if not path.is_file() or path.read_text() != GITIGNORE:
            atomic_write_text(GITIGNORE, path)

    def read_table(self, name: str) -> pd.DataFrame:
        """A merged table: Parquet (exact dtypes) where readable, else CSV. The runs table gets
        its wall-clock columns back from timings.csv when that file is here (a folder from before
        the split has them in runs.csv itself)."""
        frame = self._read_table(name)
        if name == "runs" and self.timings_path.is_file():
            missing = [c for c in WALL_CLOCK if c not in frame.columns]
            if missing:
                timings = pd.read_csv(self.timings_path)
                cols = [c for c in missing if c in timings.columns]
                frame = frame.merge(timings[["run_id", *cols]], on="run_id", how="left")
        return frame

    def _read_table(self, name: str) -> pd.DataFrame:
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
        """manifest.json without the execution's keys (``EXECUTION_KEYS``), which go to
        execution.json: the first is the same on every run of the same config and code."""
        execution = {k: manifest[k] for k in EXECUTION_KEYS if k in manifest}
        stable = {k: v for k, v in manifest.items() if k not in EXECUTION_KEYS}
        if execution:
            self._write_gitignore()
            atomic_write_text(dumps(execution, indent=2) + "\n", self.execution_path)
        atomic_write_text(dumps(stable, indent=2) + "\n", self.manifest_path)

    def read_manifest(self, *, execution: bool = True) -> dict:
        """manifest.json, with execution.json's keys merged in (unless ``execution=False``)."""
        out = {}
        for path in (self.manifest_path, self.execution_path) if execution else (self.manifest_path,):
            try:
                out.update(json.loads(path.read_text()))
            except (OSError, ValueError):
                pass
        return out

    # -- starting over ---------------------------------------------------------------------------
    def temporaries(self) -> list[Path]:
        """Temporary files a killed or failed write left here (``.<name>.<random>.tmp``)."""
        found = []
        for folder in (self.root, self.runs_dir, self.root / "figures"):
            if folder.is_dir():
                found += [p for p in folder.glob(".*.tmp") if p.is_file()]
        return sorted(found)

    def clean_temporaries(self) -> int:
        """Remove the temporaries of earlier writes (run at the start of a sweep)."""
        removed = 0
        for path in self.temporaries():
            try:
                path.unlink()
                removed += 1
            except FileNotFoundError:
                pass
        return removed

    def clear(self) -> int:
        """Delete what a sweep wrote here (and nothing else); returns the number of files removed."""
        removed = self.clean_temporaries()
        targets = list(self.runs_dir.glob("*.json")) if self.runs_dir.is_dir() else []
        targets += [self.runs_dir / ".gitignore"]
        targets += [self.root / f"{t}.{ext}" for t in TABLES for ext in ("csv", "parquet")]
        targets += [self.manifest_path, self.root / "report.md", self.timings_path,
                    self.execution_path]
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


# -- all-or-nothing writes of several files ---------------------------------------------------------
def _temporary(final: Path) -> Path:
    import tempfile

    fd, tmp = tempfile.mkstemp(prefix=f".{final.name}.", suffix=".tmp", dir=final.parent)
    os.close(fd)
    return Path(tmp)


def _public_mode(path: Path) -> None:
    """mkstemp makes a file private (0600); give it the mode a plain open() would."""
    umask = os.umask(0)
    os.umask(umask)
    os.chmod(path, 0o666 & ~umask)


def _commit(staged: list[tuple[Path, Path]]) -> None:
    """Rename each temporary over its final path; if one rename fails, restore the finals already
    replaced (from backups taken as hard links), then raise."""
    backups: list[tuple[Path, Path | None]] = []
    try:
        for tmp, final in staged:
            backup = None
            if final.is_file():
                backup = _temporary(final)
                backup.unlink()
                try:
                    os.link(final, backup)
                except OSError:  # a file system without hard links
                    import shutil

                    shutil.copy2(final, backup)
            backups.append((final, backup))
            os.replace(tmp, final)
    except OSError:
        for final, backup in reversed(backups):
            try:
                if backup is not None:
                    os.replace(backup, final)
                elif final.is_file():
                    final.unlink()
            except OSError:  # pragma: no cover - the error below is the one to report
                pass
        raise
    finally:
        for _, backup in backups:
            if backup is not None and backup.exists():
                backup.unlink()
