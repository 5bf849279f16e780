"""Run a sweep: only the runs that have no result yet, in this process, on local processes or on a
Dask cluster; each result is saved the moment it arrives, then the tables are merged.

A run is a pure function of its ``RunSpec`` (``execute``): its seed comes from the spec, BLAS uses
one thread, and nothing depends on which worker runs it or when, so every executor gives the same
bits. A run that raises becomes a ``failed`` result with its message; the sweep goes on.
"""

from __future__ import annotations

import os
import platform
import subprocess
import time
from concurrent.futures import ProcessPoolExecutor, as_completed
from contextlib import contextmanager, nullcontext
from dataclasses import dataclass
from datetime import datetime, timezone
from functools import lru_cache
from pathlib import Path
from typing import Callable

import numpy as np

from .._validation import fail
from ..blocks import reuse_freed_memory
from .config import Config, RunSpec, canonical, data_digest, data_file, import_modules
from .store import Store

_BLAS_VARS = ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS", "VECLIB_MAXIMUM_THREADS",
              "NUMEXPR_NUM_THREADS")
TRACE_POINTS = 30  # checkpoints per training curve, spaced evenly in log(evaluations)


def versions() -> dict:
    """Versions of what can change a run's numbers."""
    from importlib.metadata import PackageNotFoundError, version

    out = {"python": platform.python_version()}
    for pkg in ("tradeoff", "numpy", "pymoo", "moocore"):
        try:
            out[pkg] = version(pkg)
        except PackageNotFoundError:
            out[pkg] = ""
    return out


# tradeoff's modules that only present stored results (tables, reports, figures, the command line):
# editing them changes no run's numbers, so they are left out of ``code_hash``
PRESENTATION = ("cli.py", "display.py", "plots.py", "experiments/figures.py",
                "experiments/report.py", "experiments/tables.py", "experiments/stats.py",
                "experiments/store.py", "experiments/results.py")


@lru_cache(maxsize=None)
def code_hash(package_dir: str | None = None) -> str:
    """sha256 of the source of tradeoff's modules that compute a run (every ``.py`` file of the
    package except ``PRESENTATION``), by relative path and content: a stored run made by other code
    has another hash and runs again."""
    import hashlib

    if package_dir is None:
        from .. import __file__ as init_file

        package_dir = str(Path(init_file).resolve().parent)
    root = Path(package_dir)
    h = hashlib.sha256()
    for path in sorted(root.rglob("*.py")):
        rel = path.relative_to(root).as_posix()
        if rel in PRESENTATION:
            continue
        h.update(rel.encode() + b"\0" + path.read_bytes() + b"\0")
    return h.hexdigest()


def pending(runs, stored: dict, retry_failed: bool = False, code: str | None = None) -> list:
    """The runs to execute: those without a stored result, those a different version of tradeoff's
    code made (their ``code_hash`` differs from ``code``, default ``code_hash()``; results stored
    before the hash was recorded have none and are reused) and, with ``retry_failed``, failed ones."""
    code = code_hash() if code is None else code
    out = []
    for r in runs:
        res = stored.get(r.run_id)
        if (res is None or res.get("code_hash", code) != code
                or (retry_failed and res["status"] == "failed")):
            out.append(r)
    return out


@contextmanager
def _one_blas_thread():
    """One BLAS thread per run: faster with many workers, and the same sums on every executor."""
    try:
        from threadpoolctl import threadpool_limits
    except ImportError:  # then the environment variables set for workers are all we have
        with nullcontext():
            yield
        return
    with threadpool_limits(limits=1):
        yield


# -- one run --------------------------------------------------------------------------------------
class _Recorder:
    """Keeps F and feasibility of every full-data evaluation, in order, for the training curve.

    It wraps the problem's ``evaluate``, ``combine`` and ``derivatives`` (a Newton step's pass,
    often the only one at its point) on this instance only; values pass through untouched, so a
    recorded run gives the same front as an unrecorded one."""

    def __init__(self, problem):
        self.F, self.ok = [], []
        evaluate, combine, derivatives = problem.evaluate, problem.combine, problem.derivatives

        def recorded_evaluate(Theta, *, grad=True, rows=None):
            out = evaluate(Theta, grad=grad, rows=rows)
            if rows is None:
                self._keep(out.F, out.G)
            return out

        def recorded_combine(Theta, coef, *, rows=None):
            out = combine(Theta, coef, rows=rows)
            if rows is None:
                self._keep(out[0], out[1])
            return out

        def recorded_derivatives(Theta, C=None, **kw):
            out = derivatives(Theta, C, **kw)
            self._keep(out[0], out[1])
            return out

        problem.evaluate, problem.combine = recorded_evaluate, recorded_combine
        problem.derivatives = recorded_derivatives

    def _keep(self, F, G):
        self.F.append(np.array(F, dtype=float))
        self.ok.append(np.ones(len(F), bool) if G is None or G.shape[1] == 0 else (G <= 0).all(1))


@lru_cache(maxsize=16)
def _exact_reference(spec_json: str, exact_json: str, data_hash: str = ""):
    """The exact front of a problem (F), or None when it has none; once per worker process (and
    per content of its data file: ``data_hash`` is part of the cache key)."""
    import json

    from ..solvers import solve

    from .heldout import build
    from .tables import best_points

    front = solve(build(json.loads(spec_json))[0], "exact", **json.loads(exact_json))
    ref = best_points(front)  # the same reference points the merged tables score against
    return ref if len(ref) else None


def _trace(rec: _Recorder, evaluations: int, reference) -> list[list[float]]:
    """HV ratio and IGD+ of the feasible non-dominated points evaluated so far, at checkpoints."""
    from ..indicators import Scale, compare, nondominated

    if reference is None or not rec.F:
        return []
    F, ok = np.vstack(rec.F), np.concatenate(rec.ok)
    # pymoo re-evaluates its final population for the Front: bookkeeping, not search
    E = min(int(evaluations), len(F))
    if E < 1:
        return []
    scale = Scale.from_points(reference)
    checkpoints = np.unique(np.round(np.geomspace(1, E, TRACE_POINTS)).astype(int))
    archive, last, out = np.zeros((0, F.shape[1])), 0, []
    for c in checkpoints:
        new = F[last:c][ok[last:c]]
        last = c
        if len(new):
            both = np.vstack([archive, new])
            archive = both[nondominated(both)]
        if len(archive):
            score = compare(archive, reference, scale)
            out.append([int(c), score["hv_ratio"], score["igd_plus"]])
        else:
            out.append([int(c), 0.0, float("inf")])
    return out


def _front_dict(front) -> dict:
    return {"F": front.F.tolist(), "X": front.X.tolist(),
            "G": None if front.G is None else front.G.tolist(),
            "objective_names": list(front.objective_names), "param_names": list(front.param_names),
            "options": dict(front.options), "success": bool(front.success), "message": front.message,
            "metrics": dict(front.extra.get("metrics", {}))}


def _seed_option(run: RunSpec) -> dict:
    """The run's seed, for every solver that takes one (a user's registered solver may not)."""
    from ..solvers import OPTIONS

    valid = OPTIONS.get(run.solver)
    return {"seed": run.run_seed} if valid is None or "seed" in valid else {}


def _check_data(run: RunSpec) -> None:
    """The data file must still be the one the run's identity was computed from."""
    csv = data_file(run.problem_spec)
    if not run.data_hash or csv is None:
        return
    try:
        now = data_digest(run.problem_spec)
    except OSError as err:
        raise OSError(f"the data file {csv!r} of problem {run.problem!r} cannot be read: "
                      f"{err.strerror}") from None
    if now != run.data_hash:
        raise ValueError(f"the data file {csv!r} of problem {run.problem!r} changed after the sweep "
                         "started; run the sweep again to use the new data")


def _data_summary(problem) -> dict:
    meta = getattr(problem.data, "meta", None) or {}
    dropped = meta.get("rows_dropped", meta.get("n_dropped_missing"))
    return {"rows": int(problem.data.n), "rows_dropped": None if dropped is None else int(dropped)}


def execute(run: RunSpec) -> dict:
    """Run one spec and return its result as plain data (what ``Store.write_run`` saves)."""
    from ..solvers import solve

    from .heldout import build, evaluate_parts

    reuse_freed_memory()  # Dask workers would otherwise page-fault every temporary in afresh
    t0 = time.perf_counter()
    result = {"run_id": run.run_id, "run": run.to_dict(), "versions": versions(),
              "code_hash": code_hash(), "trace": []}
    with _one_blas_thread():
        try:
            # a fresh worker must register what the run names
            import_modules(run.imports, run.import_folder)
            _check_data(run)
            # with a split: the problem on the train part, and the parts to score the front on
            problem, parts = build(run.problem_spec, path=f"problem {run.problem!r}")
            result["data"] = _data_summary(problem)
            rec = _Recorder(problem)
            options = dict(run.options)
            if options.get("early_stopping") and parts is not None and "validation" in parts:
                options["validation"] = parts["validation"]  # held-out rows for early stopping
            front = solve(problem, run.solver, **options, **_seed_option(run))
            if front.extra.get("diverged") or not np.isfinite(front.F).all():
                # a diverged run is a failed run: its points are not a front to score
                raise FloatingPointError(front.message)
            if run.solver != "exact":
                ref = _exact_reference(canonical(run.problem_spec), canonical(run.exact_options),
                                       run.data_hash)
                result["trace"] = _trace(rec, front.evaluations, ref)
            if parts is not None:
                result["splits"] = evaluate_parts(front, parts)
            result.update(status="ok", error="", front=_front_dict(front),
                          evaluations=int(front.evaluations), seconds=float(front.seconds))
            if "estimator_fits" in front.extra:  # fairlearn: a cost of its own, not evaluations
                result["estimator_fits"] = int(front.extra["estimator_fits"])
            if "passes" in front.extra:  # chunked data: how many times the rows were read
                result["passes"] = int(front.extra["passes"])
        except Exception as err:  # noqa: BLE001 - a failing run is a result; the sweep goes on
            result.update(status="failed", error=f"{type(err).__name__}: {err}"[:2000], front=None,
                          evaluations=0, seconds=time.perf_counter() - t0)
    return result


# -- executors ------------------------------------------------------------------------------------
@contextmanager
def _blas_env():
    """Workers start with one BLAS thread each (they inherit the environment at spawn)."""
    saved = {k: os.environ.get(k) for k in _BLAS_VARS}
    os.environ.update({k: "1" for k in _BLAS_VARS})
    try:
        yield
    finally:
        for k, v in saved.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v


def _exit_with_parent(parent: int):
    """In a worker: exit when the sweep's process dies (say, killed), instead of idling forever."""
    import threading

    def watch():
        while os.getppid() == parent:
            time.sleep(0.5)
        os._exit(1)

    threading.Thread(target=watch, daemon=True).start()


def _local(runs, on_result, lost):
    for run in runs:
        on_result(run, execute(run))


def _processes(jobs: int):
    def go(runs, on_result, lost):
        import multiprocessing

        # spawn: a clean interpreter per worker on every platform (no forked locks or threads)
        ctx = multiprocessing.get_context("spawn")
        # workers are spawned on demand while runs are submitted: keep the variables set until then
        with _blas_env():
            pool = ProcessPoolExecutor(max_workers=jobs, mp_context=ctx,
                                       initializer=_exit_with_parent, initargs=(os.getpid(),))
            futures = {pool.submit(execute, run): run for run in runs}
        try:
            for fut in as_completed(futures):
                run = futures[fut]
                try:
                    result = fut.result()
                except Exception as err:  # noqa: BLE001 - a worker died: not the run's fault
                    lost.append((run, f"{type(err).__name__}: {err}"))
                    continue
                on_result(run, result)
        finally:
            pool.shutdown(wait=True, cancel_futures=True)
    return go


def _reach(address: str) -> None:
    """Connect to the Dask scheduler once, so that an unreachable one fails before anything is
    deleted (--fresh) or written."""
    try:
        from distributed import Client
    except ImportError:
        fail("scheduler", "usable with dask.distributed installed", address,
             "pip install 'tradeoff[dask]', or use --jobs N for local processes.", exc=ImportError)
    try:
        with Client(address, timeout="20s"):
            pass
    except (OSError, TimeoutError) as err:
        raise OSError(f"`scheduler` must be a reachable Dask scheduler; got {address!r} ({err}). "
                      "Start it (dask scheduler), check the address, or use --jobs N.") from None


def _dask(address: str):
    def go(runs, on_result, lost):
        try:
            from distributed import Client, as_completed as dask_completed
        except ImportError:
            fail("scheduler", "usable with dask.distributed installed", address,
                 "pip install 'tradeoff[dask]', or use --jobs N for local processes.",
                 exc=ImportError)
        with Client(address, timeout="20s") as client:
            futures = [client.submit(execute, run, pure=False) for run in runs]
            by_key = {f.key: run for f, run in zip(futures, runs)}
            try:
                for fut in dask_completed(futures):
                    run = by_key[fut.key]
                    try:
                        result = fut.result()
                    except Exception as err:  # noqa: BLE001 - e.g. KilledWorker
                        lost.append((run, f"{type(err).__name__}: {err}"))
                        continue
                    on_result(run, result)
            finally:
                client.cancel(futures)
    return go


def executor_for(jobs: int = 1, scheduler: str | None = None) -> tuple[str, Callable]:
    """A description and the function that runs a list of specs."""
    if scheduler:
        if not isinstance(scheduler, str) or "://" not in scheduler and ":" not in scheduler:
            fail("scheduler", "a Dask scheduler address like tcp://host:8786", scheduler)
        return f"dask {scheduler}", _dask(scheduler)
    if isinstance(jobs, bool) or not isinstance(jobs, int) or jobs < 1:
        fail("jobs", "a positive integer", jobs)
    if jobs == 1:
        return "local", _local
    return f"processes x{jobs}", _processes(jobs)


# -- the sweep ------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Sweep:
    """What ``run_sweep`` did: counts, and where the results are."""

    out: Path
    total: int
    reused: int
    executed: int
    failed: int
    lost: tuple  # (run_id, why) of runs an executor lost (a worker died): rerun to finish them
    seconds: float
    executor: str
    stale: int = 0  # stored results of runs the config no longer has (kept, not merged)

    @property
    def complete(self) -> bool:
        return not self.lost


def _now() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="seconds")


def git_commit(where: Path, results: Path | None = None) -> str:
    """The commit of the repository holding the config, with '+dirty' for local edits, or ''.

    Files under ``results`` (the folder that holds the sweeps' output folders) are not edits: they
    are what sweeps write, so regenerating several studies from one clean commit records it as
    clean in every manifest."""
    try:
        cwd = where if where.is_dir() else where.parent
        commit = subprocess.run(["git", "rev-parse", "HEAD"], cwd=cwd, capture_output=True,
                                text=True, timeout=10)
        if commit.returncode != 0:
            return ""
        # --no-optional-locks: a read-only look, which never rewrites the index
        cmd = ["git", "--no-optional-locks", "status", "--porcelain", "--untracked-files=no"]
        if results is not None:
            cmd += ["--", ".", f":(exclude){Path(results).resolve()}"]
        dirty = subprocess.run(cmd, cwd=cwd, capture_output=True, text=True, timeout=10)
        return commit.stdout.strip() + ("+dirty" if dirty.stdout.strip() else "")
    except (OSError, subprocess.SubprocessError):
        return ""


def source_commit(package_dir: str | Path | None = None) -> str | None:
    """The git commit of tradeoff's own source (the repository holding ``tradeoff/__init__.py``,
    when that file is tracked in it), or None for an installed copy."""
    if package_dir is None:
        from .. import __file__ as init_file

        package_dir = Path(init_file).resolve().parent
    try:
        tracked = subprocess.run(["git", "-C", str(package_dir), "ls-files", "--error-unmatch",
                                  "__init__.py"], capture_output=True, text=True, timeout=10)
        if tracked.returncode != 0:  # not a repository, or one that does not hold tradeoff
            return None
        commit = subprocess.run(["git", "-C", str(package_dir), "rev-parse", "HEAD"],
                                capture_output=True, text=True, timeout=10)
    except (OSError, subprocess.SubprocessError):
        return None
    return commit.stdout.strip() or None if commit.returncode == 0 else None


def run_study(config: Config, out: str | Path | None = None, *, echo=print) -> dict:
    """Run a config that is not a sweep (kind "seed_blog": the post reproduced) into ``out``
    (default results/<name>) and write its ``manifest.json`` as a sweep does: the config and its
    hash, versions, tradeoff's commit and ``code_hash``, times, and the files the study wrote."""
    from .. import __version__

    if config.kind != "seed_blog":
        fail("config", "a study (experiment.kind = 'seed_blog')", config.kind,
             "Run a sweep with run_sweep.")
    from ..studies import seed_blog

    out = Path(out) if out is not None else Path("results") / config.name

    def stamps():
        return ({p.relative_to(out).as_posix(): p.stat().st_mtime_ns for p in out.rglob("*")
                 if p.is_file() and p.name != "manifest.json"} if out.is_dir() else {})

    before, started = stamps(), _now()
    seed_blog.run(out, **config.seed_blog, echo=echo)
    written = sorted(k for k, t in stamps().items() if before.get(k) != t)
    from importlib.metadata import PackageNotFoundError, version

    extra = {}
    for pkg in ("pandas", "matplotlib"):  # what draws the study's table and figures
        try:
            extra[pkg] = version(pkg)
        except PackageNotFoundError:
            extra[pkg] = ""
    manifest = {"experiment": config.name, "kind": config.kind,
                "description": config.description, "config_file": config.source,
                "config": config.raw, "config_hash": config.hash,
                "versions": {**versions(), **extra}, "tradeoff_version": __version__,
                "git_commit": source_commit(), "code_hash": code_hash(),
                "config_git_commit": git_commit(Path(config.source or "."), out.parent),
                "started": started, "finished": _now(), "files": written}
    # as a sweep's: what the clock or the checkout decides goes to execution.json (git-ignored),
    # so that running the study again rewrites manifest.json with the same bytes
    store = Store(out)
    store.record([out / f for f in written])
    store.write_manifest(manifest)
    return manifest


def run_sweep(config: Config, out: str | Path | None = None, *, jobs: int = 1,
              scheduler: str | None = None, fresh: bool = False, retry_failed: bool = False,
              force: bool = False, progress: Callable | None = None) -> Sweep:
    """Run every run of ``config`` that has no stored result, then merge the tables under ``out``.

    ``progress(done, total, run, result)`` is called after each finished run (and once with
    ``run=None`` at the start). Killing the sweep loses at most the runs in flight.

    Before any run: the executor's arguments are checked, the folder must be writable, and the
    temporaries of earlier killed writes are removed. Stored runs that fail their schema or
    checksum are run again (a ``StoredRunWarning`` names each file). The tables and then the
    manifest are written only when every run has a result, so a sweep that fails (an unreachable
    scheduler, a full disk) or is killed leaves the previous tables and manifest as they were.

    The folder is locked while the sweep runs (a second sweep into it fails clearly). A folder
    holding files but no manifest (not made by tradeoff) or another experiment's results is
    refused unless ``force`` (or, for another experiment, ``fresh``); ``fresh`` deletes only the
    files the manifest lists as written by tradeoff.
    """
    if config.kind != "sweep":
        fail("config", "a sweep (experiment.kind = 'sweep')", config.kind,
             "Run it with `tradeoff run`, which knows the other kinds.")
    t0 = time.perf_counter()
    label, go = executor_for(jobs, scheduler)  # bad arguments fail before anything is deleted
    if scheduler:
        _reach(scheduler)
    store = Store(out if out is not None else Path("results") / config.name)
    with store.lock(config.name):
        return _sweep(config, store, label, go, t0, fresh=fresh, retry_failed=retry_failed,
                      force=force, progress=progress)


def _sweep(config, store, label, go, t0, *, fresh, retry_failed, force, progress) -> Sweep:
    from .. import __version__
    from .tables import build_tables

    if store.is_foreign() and not force:
        fail("out", "an empty folder or one written by `tradeoff run`", str(store.root),
             "It holds files but no manifest.json, so tradeoff did not make it: choose another "
             "--out, or pass --force to write into it (--fresh then deletes only tradeoff's "
             "files).")
    other = store.owner()
    if other is not None and other != config.name and not (fresh or force):
        fail("out", f"a folder for experiment {config.name!r}", str(store.root),
             f"It holds the results of experiment {other!r} (manifest.json): choose another "
             "--out, or pass --fresh to replace them.")
    store.check_writable()  # an unwritable folder fails now, not after hours of runs
    if fresh:
        store.clear()
    store.clean_temporaries()  # what a killed write left behind
    runs = config.runs()
    stored = store.read_runs(r.run_id for r in runs)  # untrustworthy files warn and run again
    todo = pending(runs, stored, retry_failed)  # missing, made by other code, or failed (retry)
    # the full manifest is written once, with the tables, when the sweep completes: a sweep that
    # fails or is killed leaves the previous one and the tables as they were (a matching pair)
    manifest = {"experiment": config.name, "description": config.description,
                "config_file": config.source, "config": config.raw, "config_hash": config.hash,
                "data": config.data, "exact_skipped": config.exact_skipped,
                "versions": versions(), "tradeoff_version": __version__,
                "code_hash": code_hash(),
                "git_commit": source_commit(),  # tradeoff's own source: what made the numbers
                "config_git_commit": git_commit(Path(config.source or "."),
                                                Path(store.root).parent),
                "executor": label, "started": _now(), "finished": None,
                "runs": {"total": len(runs), "reused": len(runs) - len(todo)}}
    store.claim(config.name)  # from the first write on, the folder is this experiment's
    done = len(runs) - len(todo)
    if progress:
        progress(done, len(runs), None, None)
    state = {"done": done}
    lost: list = []

    def on_result(run, result):
        store.write_run(result)  # before anything else: this is what a resumed sweep finds
        state["done"] += 1
        if progress:
            progress(state["done"], len(runs), run, result)

    if todo:
        go(todo, on_result, lost)
    results = store.read_runs((r.run_id for r in runs), warn=False)
    store.record_runs(results)  # also those whose record a failed write (a full disk) lost
    tables = build_tables(runs, results)
    store.write_tables(tables)  # all tables, CSV and Parquet, or none
    failed = sum(1 for r in results.values() if r["status"] == "failed")
    manifest.update(finished=_now(), runs={"total": len(runs), "reused": len(runs) - len(todo),
                                           "executed": len(todo) - len(lost), "failed": failed,
                                           "lost": len(lost)})
    store.write_manifest(manifest)
    return Sweep(store.root, len(runs), len(runs) - len(todo), len(todo) - len(lost), failed,
                 tuple((r.run_id, why) for r, why in lost), time.perf_counter() - t0, label,
                 len(store.stale_runs(r.run_id for r in runs)))
