"""Every solver's options, declared once with their types and ranges.

scikit-learn's ``_parameter_constraints`` is the model: each solver maps its option names to a small
spec (``Integer``, ``Real``, ``Choice``, ``Boolean``, ``Numbers``, ``Weights``), and one function,
``check_option_values``, checks given values against them. ``tradeoff.solve`` and the experiment
config loader both call it, so a config mistake is caught before any run starts, with the same
message a library call gets::

    `solvers[0].options.tol` must be a number > 0; got -1.        (a config)
    `tol` must be a number > 0; got -1.                           (tradeoff.solve)

Decisions recorded here:

- ``n_points`` is an integer in [2, MAX_POINTS]: a front has two ends, and a solver asked for K points
  returns exactly K (for one point, give ``weights`` / ``lambdas`` / ``epsilon`` with one row). The upper limit stops a typo (``n_points = 10000000000``) before it
  turns into an out-of-memory error mid-sweep.
- ``weights`` and ``lambdas`` are lists (``weights = [[1, 0], [0.5, 0.5]]``, ``lambdas = [0.1, 1]``);
  a bare number is rejected with an example, since it names no point of a front. ``epsilon``, the
  fairlearn ``bounds`` and ``eps`` take a bare number as one bound.
- ``method`` ("auto", "newton", "lbfgs", "gd") is the step rule of every gradient solver;
  ``optimizer`` ("adam", "sgd") switches it to the mini-batch loop (``stochastic.py``), whose
  options (``lr``, ``momentum``, ``schedule``, ``batch_size``, ``epochs``, ``normalize``,
  ``early_stopping``, ``patience``) are an error without it. ``validation`` (a Dataset) is for
  library calls; a sweep passes its problem's validation part when ``early_stopping = true``.
- ``max_seconds`` (a wall-clock budget, > 0) is taken by every gradient and pymoo solver.
- Seeds are integers in [0, 2³² − 1] (what pymoo accepts); a config names none (the runner derives
  one per run).
- What depends on the problem is checked where it is known (``check_against_problem``; in a config,
  for every problem the solver runs on): weight rows of m entries, ε rows of m − 1,
  ``bound = "exact"`` with two objectives and a flat ε.
- ``None`` is allowed where it is the default (``max_evaluations``, ``weights``, ``epsilon``, ...);
  TOML has no null, so it only ever comes from library calls.

A pymoo algorithm object (``solve(problem, NSGA2(pop_size=20), ...)``) takes ``ALGORITHM_OBJECT``:
``max_evaluations`` and ``seed``, plus pymoo's own ``termination``, ``callback`` and ``verbose``
(only there: they are Python objects, and a named solver or a config sets its budget with
``max_evaluations``); its population and operators are set on the object.

A solver registered with ``register_solver(name, options={"a", "b"})`` declares names only (their
values are its own business); ``options={"a": Integer(1)}`` declares specs as well.
"""

from __future__ import annotations

import math
import numbers
from dataclasses import dataclass

import numpy as np

from .._validation import fail
from . import weights as _weights

MAX_POINTS = 100_000  # points of one front, population of one pymoo run, grid size of GridSearch
METHODS = ("auto", "newton", "lbfgs", "gd")


def _plain(value):
    """numpy arrays and scalars as the plain Python values a TOML file gives."""
    if isinstance(value, np.ndarray):
        return value.tolist()
    if isinstance(value, np.generic):
        return value.item()
    return value


def _is_int(value) -> bool:
    return isinstance(value, numbers.Integral) and not isinstance(value, bool)


def _is_real(value) -> bool:
    return isinstance(value, numbers.Real) and not isinstance(value, bool)


class Spec:
    """What one option's value must be; ``check(value, name)`` raises the project's message."""

    none_ok: bool = False

    def describe(self) -> str:  # pragma: no cover - every spec overrides it
        raise NotImplementedError

    def check(self, value, name: str):
        if value is None and self.none_ok:
            return
        self._check(_plain(value), name)

    def _check(self, value, name: str):  # pragma: no cover
        raise NotImplementedError


@dataclass(frozen=True)
class Integer(Spec):
    """An integer in [low, high] (``high=None``: no upper end)."""

    low: int = 1
    high: int | None = None
    none_ok: bool = False
    low_fix: str = ""  # the likely fix for a value below ``low``
    fix: str = ""  # the likely fix for any other bad value

    def describe(self):
        if self.high is None:
            return f"an integer ≥ {self.low}"
        return f"an integer in [{self.low}, {self.high}]"

    def _check(self, value, name):
        if not _is_int(value):
            fail(name, self.describe(), value, self.fix, exc=TypeError)
        if value < self.low or (self.high is not None and value > self.high):
            fix = (self.low_fix or self.fix) if value < self.low else self.fix
            if self.high is not None and value > self.high and not fix:
                fix = "Such a size would not fit in memory; split the sweep or use fewer points."
            fail(name, self.describe(), value, fix)


@dataclass(frozen=True)
class Real(Spec):
    """A finite number in an interval; ``closed`` is "neither", "left", "right" or "both"."""

    low: float = -math.inf
    high: float = math.inf
    closed: str = "neither"
    none_ok: bool = False

    def describe(self):
        left = "[" if self.closed in ("left", "both") else "("
        right = "]" if self.closed in ("right", "both") else ")"
        if self.high == math.inf and self.low == -math.inf:
            return "a finite number"
        if self.high == math.inf:
            return f"a number {'≥' if left == '[' else '>'} {self.low:g}"
        if self.low == -math.inf:
            return f"a number {'≤' if right == ']' else '<'} {self.high:g}"
        return f"a number in {left}{self.low:g}, {self.high:g}{right}"

    def contains(self, v) -> bool:
        if not math.isfinite(v):
            return False
        lo_ok = v >= self.low if self.closed in ("left", "both") else v > self.low
        hi_ok = v <= self.high if self.closed in ("right", "both") else v < self.high
        return lo_ok and hi_ok

    def _check(self, value, name):
        if not _is_real(value):
            fail(name, self.describe(), value, exc=TypeError)
        if not self.contains(value):
            fail(name, self.describe(), value)


@dataclass(frozen=True)
class Choice(Spec):
    values: tuple = ()
    none_ok: bool = False

    def describe(self):
        return "one of " + ", ".join(repr(v) for v in self.values)

    def _check(self, value, name):
        if not isinstance(value, str) or value not in self.values:
            import difflib

            close = difflib.get_close_matches(str(value), list(self.values), n=1)
            fail(name, self.describe(), value, f"Did you mean {close[0]!r}?" if close else "",
                 exc=ValueError if isinstance(value, str) else TypeError)


@dataclass(frozen=True)
class Boolean(Spec):
    none_ok: bool = False

    def describe(self):
        return "true or false"

    def _check(self, value, name):
        if not isinstance(value, (bool, np.bool_)):
            fail(name, self.describe(), value, "Write true or false without quotes."
                 if isinstance(value, str) else "", exc=TypeError)


@dataclass(frozen=True)
class Numbers(Spec):
    """A non-empty list of finite numbers in ``each`` (a ``Real``), or a bare number where
    ``scalar``, or a list of equally long rows where ``rows`` (``epsilon`` for m > 2)."""

    each: Real = Real()
    scalar: bool = True
    rows: bool = False
    example: str = "[0.1, 1, 10]"
    none_ok: bool = False

    def describe(self):
        what = "a non-empty list of numbers" + ("" if not self.rows else " (or of rows of numbers)")
        if self.scalar:
            what = "a number or " + what
        rng = self.each.describe()
        return what + ("" if rng == "a finite number" else f", each {rng.removeprefix('a number ')}")

    def _check(self, value, name):
        if not isinstance(value, (list, tuple)):
            if self.scalar and _is_real(value):
                return self._one(value, name)
            fail(name, self.describe(), value, f"For example `{name.split('.')[-1]} = "
                 f"{self.example}`.", exc=TypeError)
        if len(value) == 0:
            fail(name, self.describe(), value)
        width = None
        for i, v in enumerate(value):
            where = f"{name}[{i}]"
            if self.rows and isinstance(v, (list, tuple)):
                if not v or (width is not None and len(v) != width):
                    fail(where, f"a row of {width or 'one or more'} numbers", v)
                width = len(v)
                for j, x in enumerate(v):
                    self._one(x, f"{where}[{j}]")
            else:
                if width is not None:
                    fail(where, f"a row of {width} numbers, like the rows before it", v,
                         exc=TypeError)
                self._one(v, where)

    def _one(self, v, where):
        if not _is_real(v):
            fail(where, "a number", v, exc=TypeError)
        if not self.each.contains(v):
            fail(where, self.each.describe(), v)


@dataclass(frozen=True)
class Weights(Spec):
    """Weight rows on the simplex: a list of rows (or one row), each with ≥ 2 entries ≥ 0 summing
    to 1; every row as long as the number of objectives (checked where the problem is known)."""

    none_ok: bool = False

    def describe(self):
        return ("a list of weight rows, one weight per objective, each row ≥ 0 and summing to 1 "
                "(e.g. [[1, 0], [0.5, 0.5]])")

    def _check(self, value, name):
        if not isinstance(value, (list, tuple)) or not value:
            fail(name, self.describe(), value, exc=TypeError if not isinstance(value, (list, tuple))
                 else ValueError)
        rows = value if isinstance(value[0], (list, tuple)) else [value]
        width = len(rows[0])
        for i, row in enumerate(rows):
            where = f"{name}[{i}]" if rows is value else name
            if not isinstance(row, (list, tuple)) or len(row) != width or width < 2:
                fail(where, f"a row of {max(width, 2)} or more weights, like every other row", row,
                     exc=TypeError if not isinstance(row, (list, tuple)) else ValueError)
            for j, x in enumerate(row):
                if not _is_real(x):
                    fail(f"{where}[{j}]", "a number", x, exc=TypeError)
                if not (math.isfinite(x) and x >= 0):
                    fail(f"{where}[{j}]", "a finite number ≥ 0", x)
            if abs(sum(row) - 1.0) > 1e-9:
                fail(where, "a row of weights summing to 1", list(row),
                     "Divide each row by its sum.")

    @staticmethod
    def n_columns(value) -> int | None:
        value = _plain(value)
        if not isinstance(value, (list, tuple)) or not value:
            return None
        first = value[0]
        return len(first) if isinstance(first, (list, tuple)) else len(value)


class Anything(Spec):
    """An option declared by name only (a user's solver checks its own values)."""

    def describe(self):
        return "anything"

    def check(self, value, name):
        return


# -- the declarations -----------------------------------------------------------------------------
# what every random generator here (and pymoo's) accepts
SEED = Integer(0, 2**32 - 1, fix="Seeds are integers from 0 to 2³² − 1; use e.g. seed=0.")
POSITIVE = Real(0, math.inf, "neither")
N_POINTS = Integer(2, MAX_POINTS, low_fix="A front has two ends; for a single point give "
                   "`weights` (or `lambdas`, `epsilon`) with one row instead.")

# the preference rows of the weight-based solvers when no ``weights`` are given (solvers/weights.py)
PREFERENCES = Choice(_weights.PREFERENCES)

GRADIENT = {
    "n_points": N_POINTS,
    "max_evaluations": Integer(1, none_ok=True),
    "max_epochs": Integer(1),
    "tol": POSITIVE,
    "standardize": Boolean(),
    "seed": SEED,
    "method": Choice(METHODS),
    "max_seconds": Real(0, math.inf, "neither", none_ok=True),
    # the mini-batch loop (solvers/stochastic.py)
    "optimizer": Choice(("adam", "sgd"), none_ok=True),
    "lr": Real(0, math.inf, "neither", none_ok=True),
    "momentum": Real(0, 1, "left", none_ok=True),
    "schedule": Choice(("constant", "cosine"), none_ok=True),
    "batch_size": Integer(1, none_ok=True, low_fix="A mini-batch holds at least one row; "
                          "use e.g. batch_size = 256."),
    "epochs": Integer(1, none_ok=True),
    "normalize": Choice(("auto", "anchors", "online", "none"), none_ok=True),
    "early_stopping": Boolean(none_ok=True),
    "patience": Integer(1, none_ok=True),
}

PYMOO = {"pop_size": Integer(2, MAX_POINTS), "max_evaluations": Integer(1), "seed": SEED,
         "max_seconds": Real(0, math.inf, "neither", none_ok=True)}


class ValidationData(Spec):
    """Held-out rows for early stopping: a ``tradeoff.Dataset`` or ``Problem`` (library calls; a
    sweep passes its problem's validation part itself)."""

    none_ok = True

    def describe(self):
        return "a tradeoff Dataset or Problem of held-out rows"

    def check(self, value, name):
        from ..datasets import Dataset
        from ..problem import Problem

        if value is None or isinstance(value, (Dataset, Problem)):
            return
        fail(name, self.describe(), value, "In a config, give the problem a split with a "
             "validation part (split = { test = 0.3, validation = 0.2 }) and set "
             "early_stopping = true; the sweep passes those rows to the solver.", exc=TypeError)


GRADIENT["validation"] = ValidationData()


# hv-grad, epo and pmgda: full-batch first-order steps of a set (solvers/first_order.py, optimizer "gd"
# or "adam"), or the mini-batch loop (solvers/stochastic.py, optimizer "adam" or "sgd") when a loop
# option is given or the model is a network; their own stopping tolerance (1e-4 and 1e-3)
FIRST_ORDER = {**GRADIENT, "optimizer": Choice(("adam", "gd", "sgd"), none_ok=True)}


# Pareto set learning (solvers/pareto_set.py): one hypernetwork for the whole front
PARETO_SET = {
    "n_points": N_POINTS,
    "rank": Integer(1, 1024),
    "steps": Integer(1),
    "batch_size": Integer(1, none_ok=True),
    "n_preferences": Integer(2, MAX_POINTS),
    "lr": POSITIVE,
    "scalarization": Choice(("chebyshev", "weighted-sum")),
    "mu": POSITIVE,
    "max_evaluations": Integer(1, none_ok=True),
    "max_seconds": Real(0, math.inf, "neither", none_ok=True),
    "standardize": Boolean(),
    "seed": SEED,
}


class PymooTermination(Spec):
    """A pymoo termination: an object (``pymoo.core.termination.Termination``) or a tuple such as
    ``("n_eval", 400)`` / ``("n_gen", 50)``."""

    def describe(self):
        return "a pymoo termination (an object, or a tuple such as ('n_eval', 400))"

    def check(self, value, name):
        from pymoo.core.termination import Termination

        if isinstance(value, Termination) or (
                isinstance(value, tuple) and len(value) >= 2 and isinstance(value[0], str)):
            return
        fail(name, self.describe(), value, exc=TypeError)


class PymooCallback(Spec):
    """A pymoo callback: a ``pymoo.core.callback.Callback`` or a function of the algorithm."""

    def describe(self):
        return "a pymoo Callback or a function of the algorithm"

    def check(self, value, name):
        if value is None or callable(value):
            return
        fail(name, self.describe(), value, exc=TypeError)


# A pymoo algorithm object passed to ``solve`` carries its own settings (pop_size, operators); beside
# it go our budget and seed and what ``pymoo.optimize.minimize`` takes (termination overrides
# max_evaluations). These are Python objects, so they are for library calls with an algorithm
# object only: a config's named pymoo solvers take ``PYMOO``, and ``termination`` there is an error.
ALGORITHM_OBJECT = {"max_evaluations": Integer(1), "seed": SEED,
                    "max_seconds": Real(0, math.inf, "neither", none_ok=True),
                    "termination": PymooTermination(), "callback": PymooCallback(),
                    "verbose": Boolean()}
OBJECT_ONLY = tuple(k for k in ALGORITHM_OBJECT if k not in PYMOO)


def _fairlearn_constraints() -> tuple:
    from .fairlearn_baselines import CONSTRAINTS

    return tuple(CONSTRAINTS)


FAIRLEARN_BOUNDS = Numbers(Real(0, math.inf, "neither"), scalar=True, example="[0.01, 0.05]",
                           none_ok=True)


def declared() -> dict[str, dict[str, Spec]]:
    """The built-in solvers' option specs, by solver name."""
    from .evolutionary import ALGORITHMS

    constraint = Choice(_fairlearn_constraints(), none_ok=True)
    return {
        "weighted-sum": {**GRADIENT, "weights": Weights(none_ok=True), "preferences": PREFERENCES,
                         "adaptive": Boolean()},
        "penalty": {**GRADIENT, "lambdas": Numbers(Real(0, math.inf, "left"), scalar=False,
                                                   none_ok=True)},
        "chebyshev": {**GRADIENT, "weights": Weights(none_ok=True), "preferences": PREFERENCES,
                      "mu": POSITIVE},
        "pbi": {**GRADIENT, "weights": Weights(none_ok=True), "preferences": PREFERENCES,
                "theta": POSITIVE, "mu": POSITIVE},
        "aasf": {**GRADIENT, "weights": Weights(none_ok=True), "preferences": PREFERENCES,
                 "rho": Real(0, math.inf, "left"), "mu": POSITIVE},
        "epsilon-constraint": {**GRADIENT, "bound": Choice(("surrogate", "exact")),
                               "epsilon": Numbers(scalar=True, rows=True, example="[0.1, 0.2]",
                                                  none_ok=True)},
        "mgda": dict(GRADIENT),
        "hv-grad": {**FIRST_ORDER, "reference": Numbers(Real(1, math.inf, "neither"),
                                                        example="[1.1, 1.1]")},
        "epo": {**FIRST_ORDER, "weights": Weights(none_ok=True), "preferences": PREFERENCES},
        "pmgda": {**FIRST_ORDER, "weights": Weights(none_ok=True), "preferences": PREFERENCES,
                  "h_tol": POSITIVE, "sigma": Real(0, 1, "right")},
        "pareto-set": dict(PARETO_SET),
        "exact": {"n_points": N_POINTS, "adaptive": Boolean(), "weights": Weights(none_ok=True),
                  "tol": POSITIVE, "max_iter": Integer(1), "seed": SEED},
        **{name: dict(PYMOO) for name in ALGORITHMS},
        "fairlearn-grid": {"constraint": constraint, "grid_size": Integer(1, MAX_POINTS),
                           "grid_limit": POSITIVE, "bounds": FAIRLEARN_BOUNDS, "seed": SEED},
        "fairlearn-eg": {"constraint": constraint, "eps": FAIRLEARN_BOUNDS, "eg_eps": POSITIVE,
                         "max_iter": Integer(1), "seed": SEED},
    }


def check_option_values(specs: dict[str, Spec], options: dict, path: str = "options") -> None:
    """Check each given option against its declared spec (undeclared ones pass)."""
    for key, value in options.items():
        spec = specs.get(key)
        if spec is not None:
            spec.check(value, f"{path}.{key}" if path else key)


def check_against_problem(solver: str, options: dict, m: int, path: str = "options",
                          problem: str = "", index: int | None = None) -> None:
    """What needs the number of objectives m: weight rows of m entries, ε rows of m − 1, and
    ``bound = "exact"`` (two objectives only)."""
    where = f" (problem {problem!r} has {m} objectives)" if problem else f" ({m} objectives)"
    def at(key):
        name = f"{path}.{key}" if path else key
        return name if index is None else f"{name}[{index}]"

    w = options.get("weights")
    if w is not None and solver in ("weighted-sum", "chebyshev", "pbi", "aasf", "exact",
                                          "epo", "pmgda"):
        cols = Weights.n_columns(w)
        if cols is not None and cols != m:
            fail(at("weights"), f"rows of {m} weights, one per objective{where}",
                 _plain(w))
    if (options.get("preferences") == "das-dennis" and options.get("weights") is None
            and _is_int(options.get("n_points", 50))):
        _weights.das_dennis_partitions(options.get("n_points", 50), m, at("n_points"))
    ref = _plain(options.get("reference"))
    if solver == "hv-grad" and isinstance(ref, list) and len(ref) != m:
        fail(at("reference"), f"a number or a list of {m} numbers, one per objective{where}", ref)
    eps = _plain(options.get("epsilon"))
    if eps is not None and solver == "epsilon-constraint" and isinstance(eps, list) and eps \
            and isinstance(eps[0], list) and len(eps[0]) != m - 1:
        fail(at("epsilon"), f"rows of {m - 1} bounds, one per objective after the first{where}",
             eps)
    if solver == "epsilon-constraint" and options.get("bound") == "exact":
        if m != 2:
            fail(at("bound"), f"'surrogate' for more than two objectives{where}", "exact")
        if isinstance(eps, list) and any(isinstance(e, list) for e in eps):
            fail(at("epsilon"), "a number or a list of numbers with bound = 'exact' (one bound on "
                 "the second objective's exact metric)", eps)
