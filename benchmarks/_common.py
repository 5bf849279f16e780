"""Shared set-up for the benchmark scripts: the post's problem, its reference front, HV ratios."""

from __future__ import annotations

import os
import platform
import re
import resource
import signal
import sys

import numpy as np


def pin_blas_threads(n: int = 1):
    """Single-threaded BLAS where asked: numpy's and scipy's pools fight over two cores otherwise."""
    try:
        from threadpoolctl import threadpool_limits
        return threadpool_limits(n)
    except ImportError:  # pragma: no cover
        return None


def cap_problem(n: int, seed: int = 0):
    """x ~ U(0, 100), y = 1.4·x + Gamma(2, 10) − 20; objectives MSE and mean(max(0, ŷ − 120)²)."""
    import tradeoff as to
    from tradeoff.datasets import cap_benchmark_data

    return to.Problem(cap_benchmark_data(n=n, seed=seed), "linear",
                      ["mse", {"name": "cap_violation", "cap": 120.0}])


class Reference:
    """The exact front at 200 evenly spaced weights; HV with reference point 1.1 × its nadir."""

    def __init__(self, problem, n_points: int = 200):
        import tradeoff as to

        self.front = to.solve(problem, "exact", n_points=n_points, adaptive=False)
        self.ref_point = 1.1 * self.front.F.max(axis=0)
        self.hv = to.hypervolume(self.front.F, self.ref_point)

    def ratio(self, F) -> float:
        import tradeoff as to

        F = np.asarray(F, float)
        return to.hypervolume(F, self.ref_point) / self.hv if len(F) else 0.0


def machine() -> str:
    import numpy
    import pymoo
    import scipy

    return (f"{platform.processor() or platform.machine()}, {os.cpu_count()} cores; Python "
            f"{sys.version.split()[0]}, numpy {numpy.__version__}, scipy {scipy.__version__}, "
            f"pymoo {pymoo.__version__}")


def machine_info() -> dict:
    """What a recorded table was measured on: processor, cores, load, Python, the libraries and
    the BLAS (threadpoolctl's view), for the JSON beside each table."""
    import importlib.metadata as md

    info = {"processor": platform.processor() or platform.machine(), "cores": os.cpu_count(),
            "python": sys.version.split()[0], "platform": platform.platform()}
    try:
        info["load_average"] = [round(x, 2) for x in os.getloadavg()]
    except OSError:  # pragma: no cover
        pass
    for pkg in ("numpy", "scipy", "pymoo", "moocore", "scikit-learn", "fairlearn", "dask"):
        try:
            info[pkg] = md.version(pkg)
        except md.PackageNotFoundError:
            pass
    try:
        from threadpoolctl import threadpool_info
        info["blas"] = [{k: b.get(k) for k in ("internal_api", "version", "num_threads",
                                                "architecture")}
                        for b in threadpool_info() if b.get("user_api") == "blas"]
    except ImportError:  # pragma: no cover
        pass
    return info


# every table a script prints, in order; written to results/<script>.json when it exits (unless
# RECORD is off: quick.py's checks print tables of reduced runs)
TABLES: list[dict] = []
RECORD = True
RESULTS = os.path.join(os.path.dirname(os.path.abspath(__file__)), "results")


def markdown(rows: list[dict], columns: list[str]) -> str:
    """A Markdown table (also what benchmarks/tables.py renders from the JSON)."""
    out = ["| " + " | ".join(columns) + " |", "|" + "---|" * len(columns)]
    for r in rows:
        out.append("| " + " | ".join(_fmt(r.get(c, "")) for c in columns) + " |")
    return "\n".join(out)


def table(rows: list[dict], columns: list[str]) -> str:
    """A Markdown table, recorded: the script's tables are written as data when it exits
    (``benchmarks/results/<script>.json``; a --quick run writes none, so the committed full run is
    what the docs quote)."""
    if not TABLES:
        import atexit

        atexit.register(save)
    TABLES.append({"columns": list(columns),
                   "rows": [{c: _plain(r.get(c, "")) for c in columns} for r in rows]})
    return markdown(rows, columns)


def _plain(v):
    """A JSON value that renders as the printed table did."""
    if isinstance(v, (np.floating, float)):
        return float(v)
    if isinstance(v, (np.integer, int)) and not isinstance(v, bool):
        return int(v)
    return v if isinstance(v, (str, bool)) or v is None else str(v)


def save(name: str | None = None) -> str | None:
    """Write the tables printed so far to results/<name>.json (name: the script's), with the date
    and the machine; nothing on --quick or --small (a reduced run) or when no table was printed."""
    import datetime
    import json

    if not TABLES or not RECORD or {"--quick", "--small"} & set(sys.argv):
        return None
    name = name or os.path.splitext(os.path.basename(sys.argv[0]))[0]
    os.makedirs(RESULTS, exist_ok=True)
    path = os.path.join(RESULTS, f"{name}.json")
    script = os.path.splitext(os.path.basename(sys.argv[0]))[0]
    doc = {"benchmark": name, "argv": sys.argv[1:],
           "date": datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
           "machine": machine_info(), "tables": TABLES}
    if script != name:  # one script, several results files: the docs name the script that ran
        doc["script"] = script
    with open(path, "w") as f:
        json.dump(doc, f, indent=1, ensure_ascii=False)
        f.write("\n")
    TABLES.clear()  # written once
    return path


# -- quick mode: each target a ratio measured in one run ------------------------------------------

def check(label: str, measured: float, target: float, at_least: bool = True) -> bool:
    """Print one quick-mode check (a ratio against its target) and whether it is met."""
    ok = bool(np.isfinite(measured) and (measured >= target if at_least else measured <= target))
    print(f"  {'ok  ' if ok else 'MISS'} {label}: {measured:.2f}× (target "
          f"{'≥' if at_least else '≤'} {target:g}×)", flush=True)
    return ok


def alternating(fns: dict, repeat: int, number: int = 1) -> dict:
    """The best of ``repeat`` timings of each function, taken in turn (a, b, a, b, …) so that a
    burst of load on the shared machine hits every entry alike: {name: seconds per call}."""
    import time

    best = {k: float("inf") for k in fns}
    for _ in range(repeat):
        for k, fn in fns.items():
            t0 = time.perf_counter()
            for _ in range(number):
                fn()
            best[k] = min(best[k], (time.perf_counter() - t0) / number)
    return best


def _fmt(v):
    if isinstance(v, float):
        return f"{v:.4g}"
    return str(v)


# -- what the solvers report, today and after the second-order engine (issue 9) ------------------

def accepts(solver: str, option: str) -> bool:
    """Whether ``tradeoff.solve(problem, solver, option=...)`` is accepted: the solver registry's
    option list decides (``solve`` rejects anything else); a solver without one is asked for a named
    parameter of that name."""
    import inspect

    from tradeoff.solvers import OPTIONS, SOLVERS

    if solver in OPTIONS:
        return option in OPTIONS[solver]
    try:
        return option in inspect.signature(SOLVERS[solver]).parameters
    except (KeyError, TypeError, ValueError):
        return False


def converged(front) -> tuple[int, int]:
    """(points converged, points) from ``front.extra`` where the solver reports it, else from its
    message ("all 20 points converged" / "7 of 20 points converged")."""
    import re

    n = len(front)
    for key in ("converged", "n_converged"):
        v = front.extra.get(key)
        if isinstance(v, (bool, np.bool_)):
            return (n if v else 0), n
        if isinstance(v, (int, np.integer)):
            return int(v), n
        if isinstance(v, (list, tuple, np.ndarray)) and len(v) == n:
            return int(np.sum(np.asarray(v, bool))), n
    msg = front.message or ""
    m = re.search(r"all (\d+) (?:points|weighted sums)", msg)
    if m and front.success:
        return int(m.group(1)), int(m.group(1))
    m = re.search(r"(\d+) of (\d+) (?:points|weighted sums)? ?(?:converged|did not converge)", msg)
    if m:
        k, tot = int(m.group(1)), int(m.group(2))
        return (tot - k if "did not" in m.group(0) else k), tot
    return (n if front.success else 0), n


def counts(front) -> str:
    """function / gradient / Hessian evaluations where the front reports them (issue 9's
    ``extra["counts"]``), else "—"."""
    c = front.extra.get("counts")
    if not c:
        return "—"
    return "/".join(str(c.get(k, "—")) for k in ("function", "gradient", "hessian"))


def with_method(solver: str, options: dict, method: str | None) -> dict:
    """``options`` plus ``method`` where the solver takes it (the second-order engine), else as is."""
    if method and accepts(solver, "method"):
        return {**options, "method": method}
    return dict(options)


def ratio(a: float, b: float, lower_bound: bool = False) -> str:
    if not (np.isfinite(a) and np.isfinite(b)) or b <= 0:
        return "—"
    return f"{'≥ ' if lower_bound else ''}{a / b:.2f}×"


# -- limits on one run, in-process -------------------------------------------------------------

def _vm_bytes() -> int:
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith("VmSize:"):
                return int(line.split()[1]) * 1024
    return 0


class _Timeout(BaseException):  # not an Exception: no `except Exception` inside may swallow it
    pass


def guarded(fn, seconds: float, memory_gb: float):
    """fn() under a time limit (SIGALRM) and an address-space limit (``memory_gb`` above what the
    process holds; the soft limit, restored after): ("ok", result), ("timeout", seconds) or
    ("error", text). In-process, so that small problems pay no fork or first-touch costs."""
    def alarm(signum, frame):
        raise _Timeout

    old = signal.signal(signal.SIGALRM, alarm)
    soft, hard = resource.getrlimit(resource.RLIMIT_AS)
    limit = _vm_bytes() + int(memory_gb * 2**30)
    if hard != resource.RLIM_INFINITY:
        limit = min(limit, hard)
    resource.setrlimit(resource.RLIMIT_AS, (limit, hard))
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        return "ok", fn()
    except _Timeout:
        return "timeout", seconds
    except Exception as err:  # MemoryError above all: say what happened
        m = re.search(r"allocate ([\d.]+ \w+) for an array with shape (\(.*?\))", str(err))
        return "error", (f"{type(err).__name__}: one {m.group(1)} array {m.group(2)}" if m else
                         f"{type(err).__name__}: {str(err)[:80]}")
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        resource.setrlimit(resource.RLIMIT_AS, (soft, hard))
        signal.signal(signal.SIGALRM, old)
