"""The results folder of one experiment, written atomically so that a killed sweep can resume.

    results/<experiment>/
      runs/<run_id>.json        one file per finished run (ok or failed), written as it arrives
                                (a cache for resuming; runs/.gitignore keeps it out of git)
      runs.csv, runs.parquet    one row per run (merged from runs/ in the config's order)
      points.csv, points.parquet  one row per front point
      traces.csv, traces.parquet  HV ratio of each run's points so far, against evaluations
      manifest.json             the config, its hash, versions (tradeoff's among them), and
                                ``files``: every file tradeoff wrote here (what --fresh deletes)
      timings.csv               the runs table's wall-clock column (``seconds``), by run_id
      execution.json            this machine's sweep: tradeoff's git commit and the config's,
                                executor, start and end, counts
      report.md, figures/       written by `tradeoff report` and `tradeoff plot`
      .gitignore                keeps timings.csv, execution.json, the ledger and the wall-clock
                                figures out of git
      .tradeoff-files.json      the experiment's name and every file tradeoff wrote here
      .tradeoff.lock            while a sweep runs: its pid, so a second one into the folder stops

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

What is deleted is only what tradeoff wrote: each file is recorded as it is written in the ledger
``.tradeoff-files.json`` (copied into the manifest's ``files`` when the sweep finishes, so that
the manifest still exists only for a finished sweep), and ``clear`` (``--fresh``) deletes exactly
those (a manifest from before ``files`` existed: the run files whose checksum shows tradeoff wrote
them, and the tables). Nothing is
written or deleted through a symlink: a ``runs`` or ``figures`` that is one is refused.
"""

from __future__ import annotations

import hashlib
import json
import math
import numbers
import os
import socket
import time
import warnings
from contextlib import contextmanager
from datetime import datetime, timezone
from pathlib import Path

import pandas as pd

from .._validation import fail
from ..io import atomic_write_text

TABLES = ("runs", "points", "traces")
STATUSES = ("ok", "failed")
# the columns every reader relies on: a file without them is not the table (garbage, say)
TABLE_COLUMNS = {"runs": ("run_id", "problem", "solver", "status", "n_points"),
                 "points": ("run_id", "problem", "point"),
                 "traces": ("run_id", "evaluations")}
REBUILD = ("Rebuild the tables from the stored runs with the command that wrote them (tradeoff run "
           "CONFIG --out FOLDER reuses every stored run), or restore the folder.")
LOCK = ".tradeoff.lock"
LEDGER = ".tradeoff-files.json"  # the files tradeoff wrote here, recorded as each is written
_LOCK_GRACE = 60  # seconds an unreadable lock (a writer between creating and filling it) is held
# columns of the runs table measured by the clock: written to timings.csv, never to runs.csv
WALL_CLOCK = ("seconds",)
# manifest keys that describe one execution (when, where, from which checkout): execution.json
# (git_commit is tradeoff's own source commit, config_git_commit the config's repository's:
# both change with the checkout, so neither can be in a committed file)
EXECUTION_KEYS = ("git_commit", "config_git_commit", "code_hash", "executor", "started", "finished",
                  "runs")
# runs/.gitignore: per-run results are a cache for resuming sweeps; the merged tables are committed
RUNS_GITIGNORE = "# per-run results: a cache for resuming sweeps, not for git\n*\n"
# what a results folder keeps out of git: it changes on every run or checkout
GITIGNORE = ("# wall-clock and checkout-dependent outputs: they differ on every run, so not for git\n"
             "timings.csv\nexecution.json\nfigures/*_hv_cost.*\n"
             "# this machine's ledger of what tradeoff wrote here (manifest.json lists the same)\n"
             + LEDGER + "\n")


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
        self.figures_dir = self.root / "figures"

    def check_writable(self) -> None:
        """Make the folders and try a write in each: an unwritable folder is a clear error before
        any run starts (and leaves nothing behind). A ``runs`` or ``figures`` that is a symlink is
        refused: tradeoff writes and deletes only inside the folder."""
        for folder in (self.runs_dir, self.figures_dir):
            if folder.is_symlink():
                fail("out", f"a folder whose {folder.name}/ is a real folder, not a symlink",
                     str(self.root), f"tradeoff neither writes nor deletes through a symlink "
                     f"({folder} -> {os.readlink(folder)}): replace it with a folder, or choose "
                     "another --out.")
        for folder in (self.root, self.runs_dir):
            try:
                folder.mkdir(parents=True, exist_ok=True)
                probe = _temporary(folder / "write-check")
                probe.unlink()
            except OSError as err:
                _unwritable(folder, err)

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
            atomic_write_text(RUNS_GITIGNORE, ignore)
        self.record([path, ignore])
        return path

    def record_runs(self, run_ids) -> None:
        """Record the stored runs ``run_ids`` (their checksum shows tradeoff wrote them) and
        runs/.gitignore: a run file whose own record failed (a full disk) is still tradeoff's to
        delete with --fresh, and the manifest's ``files`` is the same as an unbroken sweep's."""
        paths = [self.run_path(r) for r in run_ids]
        ignore = self.runs_dir / ".gitignore"
        try:
            if not ignore.is_symlink() and ignore.read_text() == RUNS_GITIGNORE:
                paths.append(ignore)
        except (OSError, UnicodeDecodeError):  # none, or not tradeoff's
            pass
        self.record(paths)

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
            self.record([*(p for ps in paths.values() for p in ps),
                         *([self.timings_path] if clock else [])])
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
        self.record([path])  # so that --fresh may delete it

    def read_table(self, name: str) -> pd.DataFrame:
        """A merged table: Parquet (exact dtypes) where readable, else CSV; either is checked
        (``ValueError`` naming the file): not empty, not cut mid-row, readable, and a Parquet
        file holds as many rows and the same columns as the CSV beside it (they are written
        together). ``read_tables`` also checks the tables against each other.

        The runs table then gets its wall-clock columns back from timings.csv when that file is
        here (checked the same way; a folder from before the split has them in runs.csv)."""
        frame = self._read_table(name)
        if name == "runs" and "run_id" in frame.columns and self.timings_path.is_file():
            missing = [c for c in WALL_CLOCK if c not in frame.columns]
            if missing:
                timings = _read_csv(self.timings_path, "timings")
                if "run_id" not in timings.columns or timings["run_id"].duplicated().any():
                    fail(str(self.timings_path), "one row per run, by run_id, as `tradeoff run` "
                         "writes it", "a table without run_id or with a run in two rows",
                         REBUILD)
                cols = [c for c in missing if c in timings.columns]
                frame = frame.merge(timings[["run_id", *cols]], on="run_id", how="left")
        return frame

    def _read_table(self, name: str) -> pd.DataFrame:
        """One table as it is on disk (the checks of ``read_table``, no timings)."""
        parquet, csv = self.root / f"{name}.parquet", self.root / f"{name}.csv"
        if not parquet.is_file() and not csv.is_file():
            raise ValueError(f"`results` must be a folder written by `tradeoff run`; got "
                             f"{str(self.root)!r} (no {name}.csv in it). Run the sweep first: "
                             "tradeoff run CONFIG.")
        frame = from_csv = _read_csv(csv, name) if csv.is_file() else None
        if parquet.is_file() and _has_parquet():
            try:
                frame = pd.read_parquet(parquet)
            except (OSError, ValueError) as err:  # pyarrow's ArrowInvalid is a ValueError
                fail(str(parquet), f"the {name} table written by `tradeoff run`",
                     f"a file pyarrow cannot read ({type(err).__name__})", REBUILD)
            if from_csv is not None and (len(frame) != len(from_csv)
                                         or list(frame.columns) != list(from_csv.columns)):
                fail(str(parquet), f"the same table as {csv.name} beside it (the two are written "
                     "together)", f"{len(frame):,} rows and {frame.shape[1]} columns against "
                     f"{len(from_csv):,} and {from_csv.shape[1]} in the CSV",
                     "One of them was changed or cut after the sweep wrote it. " + REBUILD)
        if frame is None:
            fail(str(parquet), "readable: it is Parquet and pyarrow is not installed", "no pyarrow",
                 "pip install pyarrow, or keep the CSV tables beside it.", exc=ImportError)
        return frame

    def table_path(self, name: str) -> Path:
        """The file ``read_table`` reads for table ``name``."""
        parquet = self.root / f"{name}.parquet"
        return parquet if parquet.is_file() and _has_parquet() else self.root / f"{name}.csv"

    def read_tables(self, names=TABLES) -> dict[str, pd.DataFrame]:
        """The tables ``names`` (``read_table``), each with its columns (``TABLE_COLUMNS``),
        checked against the runs table, which lists every
        run and its ``n_points``: no row of a run it does not list, and per run (and per split,
        for held-out sweeps) exactly ``n_points`` points. A mismatch is a ``ValueError`` naming
        the file, never a silently shorter table."""
        tables = {n: self.read_table(n) for n in dict.fromkeys(("runs", *names))}
        for n, frame in tables.items():
            _check_columns(frame, n, self.table_path(n))
        _cross_check(tables, self.table_path)
        return {n: tables[n] for n in names}

    # -- manifest --------------------------------------------------------------------------------
    @property
    def manifest_path(self) -> Path:
        return self.root / "manifest.json"

    def write_manifest(self, manifest: dict) -> None:
        """Write ``manifest``: its execution's keys (``EXECUTION_KEYS``) to execution.json, the
        rest, with ``files`` (every file recorded as written here, execution.json among them), to
        manifest.json, which is then the same on every run of the same config and code."""
        execution = {k: manifest[k] for k in EXECUTION_KEYS if k in manifest}
        stable = {k: v for k, v in manifest.items() if k not in EXECUTION_KEYS}
        if execution:
            self._write_gitignore()
            atomic_write_text(dumps(execution, indent=2) + "\n", self.execution_path)
            self.record([self.execution_path])
        files = set(self.written()) | set(stable.get("files") or [])
        atomic_write_text(dumps({**stable, "files": sorted(files)}, indent=2) + "\n",
                          self.manifest_path)

    def sync_files(self) -> None:
        """Bring manifest.json's ``files`` up to the ledger's (what ``tradeoff run`` wrote after
        the sweep's manifest: report.md, figures), so that the next run writes the same list."""
        manifest = self.read_manifest(execution=False)
        if not manifest:
            return
        files = sorted(set(self.written()) | set(manifest.get("files") or []))
        if manifest.get("files") != files:
            atomic_write_text(dumps({**manifest, "files": files}, indent=2) + "\n",
                              self.manifest_path)

    def read_manifest(self, *, execution: bool = True) -> dict:
        """manifest.json, with execution.json's keys merged in (unless ``execution=False``); {}
        where neither is a readable JSON object."""
        out = {}
        for path in (self.manifest_path, self.execution_path) if execution else (self.manifest_path,):
            try:
                part = json.loads(path.read_text())
            except (OSError, ValueError):
                continue
            if isinstance(part, dict):
                out.update(part)
        return out

    @property
    def ledger_path(self) -> Path:
        return self.root / LEDGER

    def _ledger(self) -> dict:
        try:
            ledger = json.loads(self.ledger_path.read_text())
        except (OSError, ValueError):
            return {}
        return ledger if isinstance(ledger, dict) else {}

    def written(self) -> list[str]:
        """The files (relative paths) tradeoff recorded writing here: the ledger's and the
        manifest's ``files``; for a manifest from before ``files``, what it must have written."""
        manifest, ledger = self.read_manifest(), self._ledger()
        found = set()
        for source in (manifest, ledger):
            if isinstance(source.get("files"), list):
                found |= {f for f in source["files"] if isinstance(f, str)}
        if "files" not in manifest and "files" not in ledger and self.manifest_path.is_file():
            found |= {f for f in self._legacy_files() if (self.root / f).is_file()}
        return sorted(found)

    def record(self, paths) -> None:
        """Add files tradeoff wrote here to the ledger (``.tradeoff-files.json``, copied into
        the manifest's ``files`` when a sweep finishes): what ``clear`` may delete."""
        root = self.root.resolve()
        new = set()
        for p in paths:
            try:
                new.add(Path(p).resolve().relative_to(root).as_posix())
            except ValueError:  # written elsewhere (e.g. `tradeoff plot --out`): not ours to list
                continue
        ledger = self._ledger()
        files = set(self.written())
        if new <= files and isinstance(ledger.get("files"), list):
            return
        ledger["files"] = sorted(files | new)
        atomic_write_text(dumps(ledger, indent=1) + "\n", self.ledger_path)

    def claim(self, experiment: str) -> None:
        """Mark the folder as this experiment's before its first run file is written."""
        ledger = self._ledger()
        if ledger.get("experiment") != experiment:
            ledger.update(experiment=experiment, files=self.written())
            atomic_write_text(dumps(ledger, indent=1) + "\n", self.ledger_path)

    def owner(self) -> str | None:
        """The experiment whose results the folder holds (manifest, else ledger), if any."""
        return self.read_manifest().get("experiment") or self._ledger().get("experiment")

    def is_foreign(self) -> bool:
        """Whether the folder holds files but neither manifest nor ledger: tradeoff did not make
        it."""
        if not self.root.is_dir() or self.manifest_path.exists() or self.ledger_path.exists():
            return False
        return any(not _ours(p) for p in self.root.iterdir())

    # -- one sweep at a time ---------------------------------------------------------------------
    @contextmanager
    def lock(self, experiment: str):
        """Hold ``.tradeoff.lock`` (created atomically) while a sweep writes here; a second sweep
        fails with a clear error. A lock whose process is gone (same host) is taken over."""
        path = self.root / LOCK
        for attempt in range(2):
            try:
                self.root.mkdir(parents=True, exist_ok=True)
                fd = os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o644)
                break
            except FileExistsError:
                holder = _lock_holder(path)
                if attempt == 0 and holder is None:  # stale: its process is gone
                    path.unlink(missing_ok=True)
                    continue
                holder = holder or {}
                fail("out", "a folder no other `tradeoff run` is writing", str(self.root),
                     f"It is locked by process {holder.get('pid', '?')} on "
                     f"{holder.get('host', '?')} (experiment {holder.get('experiment', '?')!r}, "
                     f"since {holder.get('since', '?')}): wait for it to finish, or delete {path} "
                     "if that process is gone.")
            except OSError as err:
                _unwritable(self.root, err)
        me = {"pid": os.getpid(), "host": socket.gethostname(), "experiment": experiment,
              "since": datetime.now(timezone.utc).isoformat(timespec="seconds")}
        with os.fdopen(fd, "w") as f:
            f.write(json.dumps(me) + "\n")
        try:
            yield
        finally:
            if _lock_holder(path, raw=True) == me:  # never remove another sweep's lock
                path.unlink(missing_ok=True)

    # -- starting over ---------------------------------------------------------------------------
    def _inside(self, rel) -> Path | None:
        """``root/rel`` if it is a plain path inside the folder reached through no symlink."""
        if (not isinstance(rel, str) or not rel or Path(rel).is_absolute()
                or ".." in Path(rel).parts):
            return None
        path = self.root
        for part in Path(rel).parts:
            path = path / part
            if path.is_symlink():
                return None
        return path

    def temporaries(self) -> list[Path]:
        """Temporary files a killed or failed write left here (``.<name>.<random>.tmp``)."""
        found = []
        for folder in (self.root, self.runs_dir, self.figures_dir):
            if folder.is_dir() and (folder == self.root or not folder.is_symlink()):
                found += [p for p in folder.glob(".*.tmp") if p.is_file() and not p.is_symlink()]
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

    def _legacy_files(self) -> list[str]:
        """What a manifest without ``files`` (an older tradeoff) wrote: the run files whose
        checksum shows tradeoff wrote them, the tables, timings.csv, execution.json, report.md
        and the folder's .gitignore when it is tradeoff's word for word."""
        found = [f"{t}.{ext}" for t in TABLES for ext in ("csv", "parquet")]
        found += ["report.md", "runs/.gitignore", "timings.csv", "execution.json"]
        ignore = self.root / ".gitignore"
        if ignore.is_file() and ignore.read_text() == GITIGNORE:  # tradeoff's, word for word
            found.append(".gitignore")
        if self.runs_dir.is_dir() and not self.runs_dir.is_symlink():
            found += [f"runs/{p.name}" for p in self.runs_dir.glob("*.json")
                      if self.read_run(p.stem, warn=False) is not None]
        return found

    def clear(self) -> int:
        """Delete exactly the files the manifest lists as written by tradeoff, and the manifest;
        nothing through a symlink. Returns the number of files removed."""
        removed = self.clean_temporaries()
        for rel in [*self.written(), "manifest.json", LEDGER]:
            path = self._inside(rel)
            if path is not None and path.is_file():
                path.unlink()
                removed += 1
        for folder in (self.runs_dir, self.figures_dir):
            if folder.is_dir() and not folder.is_symlink() and not any(folder.iterdir()):
                folder.rmdir()
        return removed


def _ours(path: Path) -> bool:
    """The lock, a temporary of a killed write, or an empty runs/ or figures/: not the user's."""
    if path.name == LOCK or (path.name.startswith(".") and path.name.endswith(".tmp")):
        return True
    return path.name in ("runs", "figures") and path.is_dir() and not path.is_symlink() and not any(
        path.iterdir())


def _unwritable(folder: Path, err: OSError):
    why = err.strerror or type(err).__name__
    raise type(err)(f"`out` must be a folder this process can write; got {str(folder)!r} ({why}). "
                    "Choose another --out, or fix the folder's permissions.") from None


def _lock_holder(path: Path, raw: bool = False) -> dict | None:
    """Who holds the lock at ``path``; None if it is stale (its process is gone on this host).
    With ``raw``, the lock's content as written (None if unreadable)."""
    try:
        text = path.read_text()
        holder = json.loads(text)
        if not isinstance(holder, dict):
            raise ValueError("not a table")
    except FileNotFoundError:
        return None
    except (OSError, ValueError):
        if raw:
            return None
        try:  # a writer between creating and filling it, or junk: held until it is old
            fresh = time.time() - path.stat().st_mtime < _LOCK_GRACE
        except OSError:
            return None
        return {} if fresh else None
    if raw:
        return holder
    pid = holder.get("pid")
    if holder.get("host") == socket.gethostname() and isinstance(pid, int) and not isinstance(
            pid, bool) and not _alive(pid):
        return None
    return holder


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # someone else's process: alive
        return True
    except (OSError, OverflowError):
        return False
    return True


# -- all-or-nothing writes of several files ---------------------------------------------------------
def _read_csv(path: Path, name: str) -> pd.DataFrame:
    """A table's CSV, or one sentence naming the file if it is empty, cut mid-row or not a CSV
    table (pandas' own errors say neither which file nor what to do)."""
    if path.stat().st_size == 0:
        fail(str(path), f"the {name} table written by `tradeoff run`", "an empty file", REBUILD)
    with open(path, "rb") as fh:
        fh.seek(-1, os.SEEK_END)
        if fh.read(1) != b"\n":  # pandas ends every row, the last too, with a newline
            fail(str(path), f"the whole {name} table (every row ends with a newline)",
                 "a file whose last row is cut off", REBUILD)
    try:
        # run ids are hex text: one of only digits (or "1e5…") must not become a number
        frame = pd.read_csv(path, keep_default_na=True, dtype={"run_id": str})
    except (pd.errors.ParserError, pd.errors.EmptyDataError, UnicodeDecodeError) as err:
        fail(str(path), f"the {name} table written by `tradeoff run`",
             f"a file pandas cannot read as a CSV table ({type(err).__name__})", REBUILD)
    return frame


def _check_columns(frame: pd.DataFrame, name: str, path: Path) -> None:
    missing = [c for c in TABLE_COLUMNS.get(name, ()) if c not in frame.columns]
    if missing:
        shown = ", ".join(map(str, list(frame.columns)[:4])) or "none"
        fail(str(path), f"the {name} table written by `tradeoff run` (columns "
             f"{', '.join(TABLE_COLUMNS[name])}, …)", f"a table without {', '.join(missing)} "
             f"(its columns: {shown})", REBUILD)


def _cross_check(tables: dict[str, pd.DataFrame], path_of) -> None:
    """Every table's rows belong to runs the runs table lists; points number n_points per run."""
    runs = tables["runs"]
    dup = runs["run_id"][runs["run_id"].duplicated()]
    if len(dup):
        fail(str(path_of("runs")), "one row per run", f"{len(dup)} repeated run(s), e.g. "
             f"run {dup.iloc[0]}", REBUILD)
    known = set(runs["run_id"])
    for name, frame in tables.items():
        stray = frame["run_id"][~frame["run_id"].isin(known)] if name != "runs" else ()
        if len(stray):
            fail(str(path_of(name)), f"rows of the runs that {path_of('runs').name} lists",
                 f"{len(stray):,} row(s) of {stray.nunique()} run(s) it does not list, e.g. "
                 f"run {stray.iloc[0]}", f"Is {path_of('runs').name} cut? " + REBUILD)
    points = tables.get("points")
    if points is None:
        return
    want = pd.to_numeric(runs["n_points"], errors="coerce").fillna(0).astype(int)
    want = dict(zip(runs["run_id"], want))
    keys = ["run_id", "split"] if "split" in points.columns else ["run_id"]
    have = points.groupby(keys, sort=False, dropna=False).size()
    for key, n in have.items():
        run_id = key[0] if isinstance(key, tuple) else key
        if n != want[run_id]:
            part = f" (split {key[1]!r})" if isinstance(key, tuple) else ""
            fail(str(path_of("points")), f"{want[run_id]} rows for run {run_id!r}{part}, its "
                 f"n_points in {path_of('runs').name}", f"{n} rows", REBUILD)
    present = set(points["run_id"])
    lost = [r for r, n in want.items() if n and r not in present]
    if lost:
        fail(str(path_of("points")), f"the points of every run {path_of('runs').name} lists",
             f"no rows for {len(lost)} run(s) with points, e.g. run {lost[0]} "
             f"({want[lost[0]]} points)", REBUILD)


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
