"""Solver options are declared once (solvers/options.py) and checked alike by `solve` and the config
loader: every bad value below is caught by both, before anything runs, with the same sentence."""

from __future__ import annotations

import copy
import re
import tomllib

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import tradeoff as to
from tradeoff.datasets import blog_data
from tradeoff.experiments.config import parse_config
from tradeoff.solvers import OPTIONS, SPECS, check_options, register_solver
from tradeoff.solvers.options import MAX_POINTS, METHODS, Integer

from ..experiments.tiny import TINY

CAP = {"name": "cap_violation", "cap": 120}

# (solver, options, the message's tail after the option's name) — each one a distinct bad input
BAD = [
    ("exact", {"tol": -1}, r"must be a number > 0; got -1\."),
    ("exact", {"max_iter": -3}, r"must be an integer ≥ 1; got -3\."),
    ("exact", {"tol": "small"}, r"must be a number > 0; got 'small'\."),
    ("exact", {"n_points": 1}, r"must be an integer in \[2, 100000\]; got 1\. A front has two ends"),
    ("weighted-sum", {"n_points": 1}, r"must be an integer in \[2, 100000\]; got 1\."),
    ("weighted-sum", {"n_points": 10**10}, r"must be an integer in \[2, 100000\]; got 10000000000\. "
                                           r"Such a size would not fit"),
    ("penalty", {"n_points": 2.5}, r"must be an integer in \[2, 100000\]; got 2\.5\."),
    ("mgda", {"max_epochs": 0}, r"must be an integer ≥ 1; got 0\."),
    ("chebyshev", {"mu": 0}, r"must be a number > 0; got 0\."),
    ("chebyshev", {"tol": float("nan")}, r"must be a number > 0; got nan\."),
    ("epsilon-constraint", {"bound": "exat"}, r"must be one of 'surrogate', 'exact'; got 'exat'\. "
                                              r"Did you mean 'exact'\?"),
    ("epsilon-constraint", {"bound": 1}, r"must be one of 'surrogate', 'exact'; got 1\."),
    ("epsilon-constraint", {"epsilon": [0.1, "a"]}, r"\[1\]` must be a number; got 'a'\."),
    ("epsilon-constraint", {"epsilon": [[0.1], [0.2, 0.3]]}, r"\[1\]` must be a row of 1 numbers"),
    ("penalty", {"lambdas": 0.5}, r"must be a non-empty list of numbers, each ≥ 0; got 0\.5\. "
                                  r"For example `lambdas = \[0\.1, 1, 10\]`\."),
    ("penalty", {"lambdas": [1, -1]}, r"\[1\]` must be a number ≥ 0; got -1\."),
    ("penalty", {"lambdas": []}, r"must be a non-empty list of numbers"),
    ("weighted-sum", {"weights": 0.5}, r"must be a list of weight rows, one weight per objective"),
    ("weighted-sum", {"weights": [[0.5, 0.7]]}, r"\[0\]` must be a row of weights summing to 1; "
                                                r"got \[0\.5, 0\.7\]\. Divide each row by its sum\."),
    ("weighted-sum", {"weights": [[1, 0], [0.2, 0.3, 0.5]]}, r"\[1\]` must be a row of 2 or more"),
    ("weighted-sum", {"weights": [[0.2, 0.3, 0.5]]}, r"must be rows of 2 weights, one per objective"),
    ("chebyshev", {"weights": [[1.5, -0.5]]}, r"\[0\]\[1\]` must be a finite number ≥ 0; got -0\.5"),
    ("weighted-sum", {"adaptive": "false"}, r"must be true or false; got 'false'\. Write true or "
                                            r"false without quotes\."),
    ("weighted-sum", {"standardize": 1}, r"must be true or false; got 1\."),
    ("weighted-sum", {"method": "newtn"}, r"must be one of 'auto', 'newton', 'lbfgs', 'gd'; got "
                                          r"'newtn'\. Did you mean 'newton'\?"),
    ("penalty", {"max_evaluations": 0}, r"must be an integer ≥ 1; got 0\."),
    ("nsga2", {"pop_size": 1}, r"must be an integer in \[2, 100000\]; got 1\."),
    ("nsga2", {"pop_size": 10**9}, r"must be an integer in \[2, 100000\]; got 1000000000\."),
    ("nsga2", {"max_evaluations": -5}, r"must be an integer ≥ 1; got -5\."),
    ("fairlearn-grid", {"grid_size": 0}, r"must be an integer in \[1, 100000\]; got 0\."),
    ("fairlearn-grid", {"grid_limit": -1}, r"must be a number > 0; got -1\."),
    ("fairlearn-grid", {"constraint": "parity"}, r"must be one of 'demographic_parity'"),
    ("fairlearn-grid", {"bounds": [0.1, 0]}, r"\[1\]` must be a number > 0; got 0\."),
    ("fairlearn-eg", {"eps": "0.1"}, r"must be a number or a non-empty list of numbers, each > 0"),
    ("fairlearn-eg", {"eg_eps": 0}, r"must be a number > 0; got 0\."),
    ("fairlearn-eg", {"max_iter": 2.5}, r"must be an integer ≥ 1; got 2\.5\."),
]


@pytest.fixture(scope="module")
def problem():
    return to.Problem(blog_data(n=40), "linear", ["mse", CAP])


def _config(solver, options):
    """The tiny config with one solver taking ``options`` (the exact front's go in [exact])."""
    raw = tomllib.loads(TINY)
    raw.pop("grid")
    if solver == "exact":
        raw["exact"] = dict(options)
        raw["solvers"] = [{"name": "nsga2"}]
    else:
        raw["solvers"] = [{"name": solver, "options": options}]
    return raw


def _where(solver, key):
    return f"exact.{key}" if solver == "exact" else f"solvers[0].options.{key}"


@pytest.mark.parametrize("solver, options, tail", BAD)
def test_bad_option_is_caught_by_solve_and_by_the_config(problem, solver, options, tail):
    (key, value), = options.items()
    with pytest.raises((ValueError, TypeError), match=rf"^`{re.escape(key)}{tail}" if
                       tail.startswith("\\[") else rf"^`{re.escape(key)}` {tail}"):
        to.solve(problem, solver, **options)
    where = _where(solver, key)
    with pytest.raises((ValueError, TypeError), match=re.escape(f"`{where}") + ".*" + tail):
        parse_config(_config(solver, options))


@pytest.mark.parametrize("solver, options, tail", BAD)
def test_bad_value_in_a_grid_is_caught_before_any_run(solver, options, tail):
    (key, value), = options.items()
    raw = _config(solver, {})
    if solver == "exact":  # the exact front has no grid: its options are checked as above
        raw["exact"] = {key: value}
        where = f"exact.{key}"
    else:
        ok = {"n_points": 3, "pop_size": 4, "lambdas": [1.0], "weights": [[1, 0]]}.get(key)
        raw["solvers"][0]["grid"] = {key: [value] if ok is None else [ok, value]}
        where = f"solvers[0].grid.{key}[{0 if ok is None else 1}]"
    with pytest.raises((ValueError, TypeError), match=re.escape(f"`{where}")):
        parse_config(raw)


@pytest.mark.parametrize("solver, seed", [("nsga2", -1), ("weighted-sum", 1.5), ("penalty", "0"),
                                          ("fairlearn-grid", 2**40), ("exact", True)])
def test_a_bad_seed_says_which_seeds_work(problem, solver, seed):
    """(A config never names a seed: the runner derives one per run.)"""
    with pytest.raises((ValueError, TypeError), match=r"^`seed` must be an integer in "
                                                      r"\[0, 4294967295\]; got .*; use e\.g\. seed=0\."):
        to.solve(problem, solver, seed=seed)


def test_the_top_level_grid_is_checked_value_by_value():
    raw = tomllib.loads(TINY)
    raw["grid"] = {"max_evaluations": [60, 10**3, -1]}
    with pytest.raises(ValueError, match=r"`grid\.max_evaluations\[2\]` must be an integer ≥ 1"):
        parse_config(raw)


def test_every_declared_option_is_taken_and_has_a_spec():
    """The declaration covers every built-in solver, and the gradient solvers take `method`."""
    for name in to.SOLVERS:
        assert name in SPECS and set(SPECS[name]) == OPTIONS[name]
    for name in ("weighted-sum", "penalty", "chebyshev", "epsilon-constraint", "mgda"):
        assert SPECS[name]["method"].values == METHODS


@pytest.mark.parametrize("solver", ["weighted-sum", "penalty", "chebyshev", "mgda",
                                    "epsilon-constraint", "exact"])
def test_n_points_gives_exactly_that_many_points(problem, solver):
    for k in (2, 3):
        front = to.solve(problem, solver, n_points=k,
                         **({} if solver == "exact" else {"max_evaluations": 400}))
        assert len(front) == k


@pytest.mark.parametrize("method", METHODS)
def test_method_is_accepted_by_the_gradient_solvers(problem, method):
    front = to.solve(problem, "weighted-sum", n_points=2, max_evaluations=200, method=method)
    assert len(front) == 2


def test_good_values_pass(problem):
    check_options("weighted-sum", {"weights": np.array([[1.0, 0.0], [0.5, 0.5]]),
                                   "n_points": np.int64(5), "tol": np.float64(1e-3),
                                   "max_evaluations": None})
    check_options("epsilon-constraint", {"epsilon": 0.5, "bound": "exact"})
    check_options("fairlearn-eg", {"eps": 0.05, "constraint": None})
    parse_config(_config("penalty", {"lambdas": [0, 1.5], "method": "lbfgs"}))


def test_bound_exact_needs_two_objectives():
    prob = to.Problem(blog_data(n=40), "linear", ["mse", "mae", CAP])
    with pytest.raises(ValueError, match=r"`bound` must be 'surrogate' for more than two objectives "
                                         r"\(3 objectives\); got 'exact'\."):
        to.solve(prob, "epsilon-constraint", bound="exact")
    raw = _config("epsilon-constraint", {"bound": "exact"})
    raw["problems"][0]["objectives"].append("mae")
    with pytest.raises(ValueError, match=r"`solvers\[0\]\.options\.bound` must be 'surrogate' .*"
                                         r"problem 'cap' has 3 objectives"):
        parse_config(raw)


def test_exact_bounds_take_a_flat_epsilon(problem):
    with pytest.raises(ValueError, match=r"`epsilon` must be a number or a list of numbers with "
                                         r"bound = 'exact'"):
        to.solve(problem, "epsilon-constraint", bound="exact", epsilon=[[0.1], [0.2]])
    with pytest.raises(ValueError, match=r"`solvers\[0\]\.options\.epsilon` must be a number or"):
        parse_config(_config("epsilon-constraint", {"bound": "exact", "epsilon": [[0.1], [0.2]]}))


def test_on_diverge_is_a_choice():
    from tradeoff.train import fit

    with pytest.raises(ValueError, match=r"`on_diverge` must be one of raise, stop; got 'sotp'\. "
                                         r"Did you mean 'stop'\?"):
        fit([[1.0], [2.0]], [1.0, 2.0], on_diverge="sotp")


def test_registered_solvers_declare_names_or_specs(problem, monkeypatch):
    from tradeoff import solvers

    monkeypatch.setattr(solvers, "SOLVERS", dict(solvers.SOLVERS))
    monkeypatch.setattr(solvers, "OPTIONS", dict(solvers.OPTIONS))
    monkeypatch.setattr(solvers, "SPECS", dict(solvers.SPECS))

    @register_solver("mine", options={"k"})
    def mine(problem, *, k=1, **_):
        return to.solve(problem, "penalty", n_points=2, max_evaluations=100)

    @register_solver("checked", options={"k": Integer(1, 5)})
    def checked(problem, *, k=1, **_):
        return mine(problem)

    assert len(solvers.solve(problem, "mine", k="anything")) == 2
    with pytest.raises(ValueError, match=r"`options\.j` must be an option of solver 'mine'"):
        solvers.solve(problem, "mine", j=1)
    with pytest.raises(ValueError, match=r"`k` must be an integer in \[1, 5\]; got 9\."):
        solvers.solve(problem, "checked", k=9)


@settings(max_examples=60, deadline=None)
@given(st.sampled_from(sorted(n for n in SPECS if n != "exact")),
       st.one_of(st.integers(-10**12, 10**12), st.floats(allow_nan=True), st.text(max_size=4),
                 st.booleans(), st.lists(st.floats(allow_nan=True), max_size=3),
                 st.lists(st.lists(st.integers(-2, 2), max_size=3), max_size=2)))
def test_fuzzed_values_give_a_named_error_or_pass(solver, value):
    """Any value for any declared option: a ValueError/TypeError naming it, or accepted."""
    raw0 = _config(solver, {})
    for key in sorted(SPECS[solver]):
        if key == "seed":
            continue
        raw = copy.deepcopy(raw0)
        raw["solvers"][0]["options"] = {key: value}
        try:
            parse_config(raw)
        except (ValueError, TypeError) as err:
            assert f"`solvers[0].options.{key}" in str(err), str(err)


def test_max_points_is_documented():
    from tradeoff.solvers import options

    assert str(MAX_POINTS) in Integer(2, MAX_POINTS).describe()
    assert "n_points" in options.__doc__


def test_a_pymoo_algorithm_object_takes_a_budget_and_a_seed_only(problem):
    from pymoo.algorithms.moo.nsga2 import NSGA2

    with pytest.raises(ValueError, match=r"`options\.max_evals` must be an option for a pymoo "
                                         r"algorithm object .*Did you mean 'max_evaluations'\?"):
        to.solve(problem, NSGA2(pop_size=8), max_evals=40)
    with pytest.raises(ValueError, match=r"`seed` must be an integer in \[0, 4294967295\]; got -1\. "
                                         r"Seeds are integers .*; use e\.g\. seed=0\."):
        to.solve(problem, NSGA2(pop_size=8), max_evaluations=40, seed=-1)
