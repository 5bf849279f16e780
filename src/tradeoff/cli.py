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


class Progress:
    """A bar on a terminal (stderr), plain lines otherwise (logs, CI, pipes)."""

    def __init__(self, stream=None, tty: bool | None = None):
        self.stream = stream or sys.stderr
        self.tty = self.stream.isatty() if tty is None else tty
        self.t0 = time.perf_counter()
        self.start_done = 0

    def __call__(self, done, total, run, result):
        if run is None:
            self.start_done = done
            if done:
                self._line(f"resuming: {done} of {total} runs already have results")
            if done == total:
                self._line("nothing to run")
            return
        status = result["status"]
        if self.tty:
            width = 30
            filled = int(width * done / max(total, 1))
            rate = (time.perf_counter() - self.t0) / max(done - self.start_done, 1)
            eta = rate * (total - done)
            bar = "#" * filled + "-" * (width - filled)
            text = f"[{bar}] {done}/{total} runs  {run.label} seed {run.seed}  eta {eta:5.0f} s"
            cols = min(shutil.get_terminal_size((100, 20)).columns - 1, 110)
            self.stream.write("\r" + text[:cols].ljust(cols))
            if status != "ok":
                self.stream.write(f"\n  failed: {run.problem}/{run.label} seed {run.seed}: "
                                  f"{result['error'][:200]}\n")
            if done == total:
                self.stream.write("\n")
            self.stream.flush()
        else:
            seed = "" if run.seed is None else f" seed {run.seed}"
            extra = f" ({result['error'][:200]})" if status != "ok" else \
                f" {result['evaluations']} evaluations, {result['seconds']:.2f} s"
            self._line(f"run {done}/{total} {status}: {run.problem}/{run.label}{seed}{extra}")

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


def _run(args) -> int:
    from .experiments import load_config, run_sweep

    config = load_config(args.config)
    if config.kind == "seed_blog":
        from .studies import seed_blog

        out = Path(args.out) if args.out else Path("results") / config.name
        seed_blog.run(out, **config.seed_blog)
        return EXIT_OK
    out = Path(args.out) if args.out else Path("results") / config.name
    runs = config.runs()
    print(f"{config.name}: {len(runs)} runs -> {out}", file=sys.stderr)
    with _stored_run_warnings():
        sweep = run_sweep(config, out, jobs=args.jobs, scheduler=args.scheduler,
                          fresh=args.fresh, retry_failed=args.retry_failed, progress=Progress())
    print(f"{sweep.executed} runs executed, {sweep.reused} reused, {sweep.failed} failed; "
          f"{sweep.seconds:.1f} s on {sweep.executor}", file=sys.stderr)
    if sweep.stale:
        print(f"note: {sweep.stale} stored results in {out / 'runs'} belong to runs the config no "
              "longer has; they are kept but not merged (--fresh removes them)", file=sys.stderr)
    if not args.no_report:
        _write_report(out)
        if not args.no_plots:
            _plot_all(out)
    for run_id, why in sweep.lost:
        print(f"tradeoff: lost run {run_id} ({why}); run again to finish it", file=sys.stderr)
    if sweep.lost:
        return EXIT_FAILED_RUNS
    return EXIT_FAILED_RUNS if sweep.failed else EXIT_OK


def _write_report(results: Path) -> Path:
    from .experiments import report
    from .experiments.store import Store
    from .io import atomic_write_text

    store = Store(results)
    text = report.markdown(store.read_table("runs"), store.read_manifest())
    path = store.root / "report.md"
    atomic_write_text(text + "\n", path)
    print(f"wrote {path}", file=sys.stderr)
    return path


def _plot_all(results: Path):
    from .experiments import figures

    paths = figures.draw(results)
    print(f"wrote {len(paths)} figure files under {Path(results) / 'figures'}", file=sys.stderr)
    return paths


def _check_results(path) -> Path:
    path = Path(path)
    if not (path / "runs.csv").is_file():
        raise ValueError(f"`RESULTS_DIR` must be a folder written by `tradeoff run`; got {str(path)!r}"
                         " (it has no runs.csv). Run the sweep first: tradeoff run CONFIG.")
    return path


def _report(args) -> int:
    from .experiments import report
    from .experiments.store import Store

    results = _check_results(args.results)
    store = Store(results)
    text = report.markdown(store.read_table("runs"), store.read_manifest())
    print(text)
    if args.write:
        _write_report(results)
    return EXIT_OK


def _plot(args) -> int:
    from .experiments import figures

    results = _check_results(args.results)
    paths = figures.draw(results, args.out)
    for p in paths:
        print(p)
    return EXIT_OK


def registries() -> dict[str, list[str]]:
    """What a config can name, by kind; optional modules are imported defensively."""
    from .losses import LOSSES
    from .objectives import objective_names
    from .solvers import SOLVERS
    from . import data

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
    return {"losses": sorted(LOSSES), "objectives": objective_names(), "metrics": metrics,
            "solvers": sorted(SOLVERS), "datasets": sorted(datasets)}


def _list(args) -> int:
    for kind, names in registries().items():
        print(f"{kind}: {', '.join(names)}")
    return EXIT_OK


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="tradeoff",
        description="Multi-objective training: accuracy, constraints and fairness as separate "
                    "objectives, and the Pareto front between them.",
        epilog="Exit codes: 0 success, 1 some runs failed, 2 bad input, 130 interrupted.")
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
    p.add_argument("--fresh", action="store_true", help="delete stored results and start over")
    p.add_argument("--retry-failed", action="store_true", help="run failed runs again")
    p.add_argument("--no-plots", action="store_true", help="skip the figures")
    p.add_argument("--no-report", action="store_true", help="skip report.md and the figures")
    p.set_defaults(func=_run)

    p = sub.add_parser("plot", help="draw the figures of a results folder",
                       description="Per problem: fronts over the reference front, median attainment "
                                   "surfaces, HV ratio against evaluations and training curves, as "
                                   "PNG and SVG.")
    p.add_argument("results", metavar="RESULTS_DIR", help="a folder written by `tradeoff run`")
    p.add_argument("--out", metavar="DIR", help="where to write (default: RESULTS_DIR/figures)")
    p.set_defaults(func=_plot)

    p = sub.add_parser("report", help="print Markdown tables of a results folder",
                       description="A table per problem: HV ratio, IGD+, evaluations and seconds per "
                                   "solver setting, mean ± sd over seeds.")
    p.add_argument("results", metavar="RESULTS_DIR", help="a folder written by `tradeoff run`")
    p.add_argument("--write", action="store_true", help="also write RESULTS_DIR/report.md")
    p.set_defaults(func=_report)

    p = sub.add_parser("list", help="list losses, objectives, metrics, solvers and datasets",
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
    except (ValueError, TypeError, ImportError, OSError) as err:
        print(f"tradeoff: error: {err}", file=sys.stderr)
        return EXIT_USAGE
    except KeyboardInterrupt:
        print("\ntradeoff: interrupted; finished runs are saved, run the same command to resume",
              file=sys.stderr)
        return EXIT_INTERRUPTED


if __name__ == "__main__":
    sys.exit(main())
