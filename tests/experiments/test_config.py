"""Configs: expansion, seeds that ignore run order, and errors that name the path in the file."""

from __future__ import annotations

import copy
import datetime
import json
import re
import tomllib

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tradeoff.experiments.config import derive_seed, load_config, parse_config

from .tiny import TINY, write

RAW = tomllib.loads(TINY)


def parse(raw):
    return parse_config(copy.deepcopy(raw))


def test_expansion_order_and_counts():
    runs = parse(RAW).runs()
    # one exact front, then solvers × budgets × seeds in the file's order
    assert [(r.label, r.options.get("max_evaluations"), r.seed) for r in runs] == [
        ("exact", None, None),
        ("penalty", 60, 0), ("penalty", 60, 1), ("penalty", 200, 0), ("penalty", 200, 1),
        ("nsga2", 60, 0), ("nsga2", 60, 1), ("nsga2", 200, 0), ("nsga2", 200, 1)]
    assert len({r.run_id for r in runs}) == len(runs)
    assert runs[1].settings == {"max_evaluations": 60}
    assert runs[1].options == {"n_points": 6, "max_evaluations": 60}
    assert runs[0].options == {"n_points": 30}


def test_round_trip_file_dict_and_manifest(tmp_path):
    """The TOML file, its dict and the config stored in a manifest (JSON) give the same runs."""
    from_file = load_config(write(tmp_path))
    from_dict = parse(RAW)
    from_manifest = parse_config(json.loads(json.dumps(from_file.raw)))
    ids = [r.run_id for r in from_file.runs()]
    assert ids == [r.run_id for r in from_dict.runs()] == [r.run_id for r in from_manifest.runs()]
    assert from_file.hash == from_dict.hash == from_manifest.hash
    assert from_file.raw == RAW


def test_run_seeds_do_not_depend_on_order_or_neighbours():
    raw = copy.deepcopy(RAW)
    raw["solvers"].reverse()
    raw["experiment"]["seeds"] = [1, 0, 7]
    raw["grid"]["max_evaluations"] = [200, 60, 1000]
    before = {(r.label, r.options.get("max_evaluations"), r.seed): (r.run_id, r.run_seed)
              for r in parse(RAW).runs()}
    after = {(r.label, r.options.get("max_evaluations"), r.seed): (r.run_id, r.run_seed)
             for r in parse(raw).runs()}
    assert all(after[k] == v for k, v in before.items())
    # one seed shares its random stream across budgets (common random numbers)
    seeds = {(r.label, r.seed): r.run_seed for r in parse(RAW).runs()}
    assert len(set(seeds.values())) == len(seeds)
    assert derive_seed("a", 1) == derive_seed("a", 1) != derive_seed("a", 2)
    assert 0 <= derive_seed("x") < 2**32


def test_seed_blog_kind():
    cfg = parse_config({"experiment": {"name": "blog", "kind": "seed_blog"},
                        "seed_blog": {"epochs": 3}})
    assert cfg.kind == "seed_blog" and cfg.seed_blog == {"n": 200, "seed": 0, "epochs": 3}


def test_solver_problems_restrict_the_sweep():
    raw = copy.deepcopy(RAW)
    raw["problems"].append({**raw["problems"][0], "name": "cap2"})
    raw["solvers"][1]["problems"] = ["cap2"]
    runs = parse(raw).runs()
    assert {r.problem for r in runs if r.label == "nsga2"} == {"cap2"}
    raw["solvers"][1]["problems"] = ["cpa2"]
    with pytest.raises(ValueError, match=r"`solvers\[1\]\.problems\[0\]`.*Did you mean 'cap2'"):
        parse(raw)


def test_a_problem_grid_replaces_the_solvers_values_there_only():
    """[[problems]] grid: that problem's values of a swept option (here larger budgets); the other
    problem keeps the solvers' values, and runs at values both share keep their identity."""
    raw = copy.deepcopy(RAW)
    raw["problems"].append({**raw["problems"][0], "name": "big"})
    plain = {(r.problem, r.label, r.options["max_evaluations"], r.seed): r.run_id
             for r in parse(raw).runs() if r.solver != "exact"}
    raw["problems"][1]["grid"] = {"max_evaluations": [200, 500]}
    runs = [r for r in parse(raw).runs() if r.solver != "exact"]
    budgets = {p: sorted({r.options["max_evaluations"] for r in runs if r.problem == p})
               for p in ("cap", "big")}
    assert budgets == {"cap": [60, 200], "big": [200, 500]}
    for r in runs:
        key = (r.problem, r.label, r.options["max_evaluations"], r.seed)
        if key in plain:
            assert plain[key] == r.run_id
    assert sum(key not in plain for key in
               ((r.problem, r.label, r.options["max_evaluations"], r.seed) for r in runs)) == 4
    raw["problems"][1]["grid"] = {"pop_size": [10, 20]}
    with pytest.raises(ValueError, match=re.escape(
            "`problems[1].grid.pop_size` must be an option that a solver running on problem "
            "'big' sweeps in its grid; got 'pop_size'. Sweep it in [grid] or a solver's `grid`, "
            "or set it in the solvers' `options`.")):
        parse(raw)
    raw["problems"][1]["grid"] = {"max_evaluations": [100, -1]}
    with pytest.raises(ValueError, match=re.escape(
            "`problems[1].grid.max_evaluations[1]` must be an integer ≥ 1; got -1.")):
        parse(raw)
    raw["problems"][1]["grid"] = {"max_evaluations": 500}
    with pytest.raises(ValueError, match=re.escape(
            "`problems[1].grid.max_evaluations` must be a non-empty list of values")):
        parse(raw)


def _set(raw, path, value):
    """Set raw[path] where path is like 'solvers[0].options.tol'; value=... deletes."""
    keys = [int(k) if k.isdigit() else k for k in re.findall(r"[^.\[\]]+", path)]
    node = raw
    for k in keys[:-1]:
        node = node[k]
    if value is ...:
        del node[keys[-1]]
    else:
        node[keys[-1]] = value
    return raw


@pytest.mark.parametrize("path, value, message", [
    ("solvers[0].options.tol", -0.1, r"`solvers\[0\]\.options\.tol` must be a number > 0; got -0\.1\."),
    ("solvers[1].options.pop_size", 0, r"`solvers\[1\]\.options\.pop_size` must be an integer in \[2, 100000\]; got 0\."),
    ("solvers[1].options.pop_size", 2.5, r"`solvers\[1\]\.options\.pop_size` must be an integer"),
    ("solvers[0].options.lamdas", [1.0], r"`solvers\[0\]\.options\.lamdas`.*Did you mean 'lambdas'"),
    ("solvers[0].options.seed", 3, r"`solvers\[0\]\.options\.seed` must be left out"),
    ("solvers[0].name", "penalti", r"`solvers\[0\]\.name`.*Did you mean 'penalty'"),
    ("solvers[0].name", "exact", r"`solvers\[0\]\.name` must be a solver other than 'exact'"),
    ("solvers[1].label", "penalty", r"`solvers\[1\]\.label` must be unique"),
    ("solvers[0].colour", "red", r"`solvers\[0\]\.colour`.*got 'colour'"),
    ("experiment.sedes", [1], r"`experiment\.sedes`.*Did you mean 'seeds'"),
    ("experiment.seeds", [], r"`experiment\.seeds` must be a non-empty list"),
    ("experiment.seeds", [0, 0], r"`experiment\.seeds` must be distinct"),
    ("experiment.name", "a/b", r"`experiment\.name` must be a name"),
    ("experiment.kind", "swep", r"`experiment\.kind`.*Did you mean 'sweep'"),
    ("experiment", ..., r"`experiment` must be given"),
    ("grid.max_evaluations", [], r"`grid\.max_evaluations` must be a non-empty list"),
    ("grid.max_evaluations", 100, r"`grid\.max_evaluations` must be a non-empty list"),
    ("grid.max_evaluations", [100, -5], r"`grid\.max_evaluations\[1\]` must be an integer ≥ 1; got -5"),
    ("grid.pop_size", [4, 8], r"`grid\.pop_size` must be an option of every solver.*solvers\[1\]\.grid"),
    ("exact.n_ponts", 5, r"`exact\.n_ponts`.*Did you mean 'n_points'"),
    ("problems[0].objectives[1].name", "cap_violaton", r"`problems\[0\]\.objectives\[1\]\.name`.*"
                                                       r"Did you mean 'cap_violation'"),
    ("problems[0].objectives", ["mse"], r"`problems\[0\]\.objectives` must be a list of at least 2"),
    ("problems[0].data.name", "blgo", r"`problems\[0\]\.data\.name`.*Did you mean 'blog'"),
    ("problems[0].data.n", -5, r"problems\[0\].*`n` must be > 0; got -5"),
    ("problems[0].modle", "linear", r"`problems\[0\]\.modle`.*Did you mean 'model'"),
    ("problems", [], r"`problems` must be a non-empty list"),
    ("solvers", ..., r"`solvers` must be given"),
    ("grid", {"max_evaluations": [1, datetime.date(2024, 1, 1)]},
     r"`grid\.max_evaluations\[1\]` must be a string, number"),
])
def test_errors_name_the_path_and_the_fix(path, value, message):
    with pytest.raises((ValueError, TypeError), match=message):
        parse(_set(copy.deepcopy(RAW), path, value))


def test_file_errors(tmp_path):
    with pytest.raises(ValueError, match=r"`config` must be an existing TOML file"):
        load_config(tmp_path / "missing.toml")
    bad = write(tmp_path, "[experiment\nname = 1", "bad.toml")
    with pytest.raises(ValueError, match=r"`config` must be valid TOML; got '.*bad\.toml'\. The "
                                         r"parser says"):
        load_config(bad)


# -- hypothesis: broken configs get a clear error that names the path, never a traceback -------
TYPED_LEAVES = {  # path -> the types that are accepted there
    "experiment.name": (str,), "experiment.seeds": (list,), "experiment.description": (str,),
    "problems[0].objectives": (list,), "problems[0].data": (str, dict),
    "solvers[0].options": (dict,), "solvers[0].options.n_points": (int,),
    "solvers[1].options.pop_size": (int,), "grid.max_evaluations": (list,),
    "exact.n_points": (int,), "solvers[0].name": (str,), "grid": (dict,),
}
TABLES = ("experiment", "problems[0]", "problems[0].data", "solvers[0]", "solvers[1].options",
          "grid", "exact", "")
NUMERIC = ("solvers[0].options.n_points", "solvers[1].options.pop_size", "exact.n_points",
           "grid.max_evaluations[0]", "grid.max_evaluations[1]")

junk = st.one_of(st.text(max_size=5), st.integers(-5, 5), st.floats(allow_nan=True),
                 st.booleans(), st.lists(st.integers(), max_size=2),
                 st.dictionaries(st.text(min_size=1, max_size=3), st.integers(), max_size=2),
                 st.dates())


def _clear(err: Exception, path: str) -> bool:
    return isinstance(err, (ValueError, TypeError)) and f"`{path}" in str(err).replace("In `", "`")


def _kind_ok(value, types) -> bool:
    if bool in types or not isinstance(value, bool):
        return isinstance(value, types)
    return False


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.sampled_from(sorted(TYPED_LEAVES)), junk)
def test_wrong_types(path, value):
    if _kind_ok(value, TYPED_LEAVES[path]):
        return
    try:
        parse(_set(copy.deepcopy(RAW), path, value))
    except Exception as err:  # noqa: BLE001 - the property is about which exceptions
        assert _clear(err, path), f"{type(err).__name__}: {err}"
    else:
        raise AssertionError(f"{path} = {value!r} was accepted")


@settings(max_examples=40, deadline=None)
@given(st.sampled_from(TABLES), st.from_regex(r"[a-z_]{1,12}", fullmatch=True), junk)
def test_unknown_keys(table, key, value):
    raw = copy.deepcopy(RAW)
    node = raw
    for k in re.findall(r"[^.\[\]]+", table):
        node = node[int(k) if k.isdigit() else k]
    valid = {"experiment": {"name", "description", "seeds", "kind"},
             "problems[0]": {"name", "data", "model", "objectives", "constraints", "bounds"},
             "problems[0].data": {"name", "n", "seed"},
             "solvers[0]": {"name", "label", "options", "grid", "problems"},
             "solvers[1].options": {"pop_size", "max_evaluations", "seed"},
             "grid": {"n_points", "max_evaluations", "seed", "pop_size", "max_epochs", "tol",
                      "standardize"},
             "exact": {"n_points", "adaptive", "tol", "max_iter"},
             "": {"experiment", "problems", "solvers", "grid", "exact"}}[table]
    if key in valid:
        return
    node[key] = value
    where = f"{table}.{key}" if table else key
    with pytest.raises((ValueError, TypeError)) as info:
        parse(raw)
    # the data table's parameters are checked by the dataset itself, which names them
    assert _clear(info.value, where) or (table == "problems[0].data" and "problems[0]" in
                                         str(info.value)), str(info.value)


@settings(max_examples=40, deadline=None)
@given(st.sampled_from(NUMERIC), st.one_of(st.integers(-10**6, 0),
                                            st.sampled_from([float("nan"), float("-inf")])))
def test_bad_ranges(path, value):
    with pytest.raises((ValueError, TypeError)) as info:
        parse(_set(copy.deepcopy(RAW), path, value))
    assert _clear(info.value, path), str(info.value)


@settings(max_examples=20, deadline=None)
@given(st.sampled_from(["max_evaluations", "pop_size"]), st.sampled_from(["grid", "solvers[1].grid"]))
def test_empty_grids(key, where):
    raw = copy.deepcopy(RAW)
    if where == "grid":
        raw["grid"] = {key: []}
    else:
        raw["solvers"][1]["grid"] = {key: []}
    with pytest.raises(ValueError, match=re.escape(f"`{where}.{key}` must be a non-empty list")):
        parse(raw)


def _paths(node, prefix=""):
    """Every path in a nested config, e.g. 'solvers[0].options.n_points'."""
    items = node.items() if isinstance(node, dict) else enumerate(node) if isinstance(node, list) else ()
    for k, v in items:
        path = f"{prefix}[{k}]" if isinstance(k, int) else (f"{prefix}.{k}" if prefix else k)
        yield path
        yield from _paths(v, path)


@settings(max_examples=80, deadline=None)
@given(st.sampled_from(list(_paths(RAW))), st.one_of(st.just(...), junk))
def test_any_mutation_is_accepted_or_named(path, value):
    """Replace or delete anything: the result is a config or a ValueError/TypeError naming a path."""
    try:
        parse(_set(copy.deepcopy(RAW), path, value))
    except (ValueError, TypeError) as err:
        assert re.search(r"`[^`]+` must be", str(err)) or str(err).startswith("In `"), str(err)


@pytest.fixture
def unregister():
    from tradeoff import objectives

    yield
    objectives.REGISTRY.pop("mean_prediction_sq", None)  # leave the registry as other tests expect


def test_imports_register_what_a_config_names(tmp_path, unregister):
    from tradeoff.experiments import run_sweep

    raw = copy.deepcopy(RAW)
    raw["problems"][0]["objectives"][1] = "mean_prediction_sq"
    raw["experiment"]["imports"] = ["tests.experiments.custom_objective"]
    raw["experiment"]["seeds"] = [0]
    sweep = run_sweep(parse(raw), tmp_path / "out", jobs=2)
    # 4 solver runs and no exact one: the custom objective declares itself not convex
    assert sweep.failed == 0 and sweep.executed == 4
    raw["experiment"]["imports"] = ["tests.experiments.no_such_module"]
    with pytest.raises(ValueError, match=r"`experiment\.imports\[0\]` must be an importable module; "
                                         r"got 'tests\.experiments\.no_such_module'\. Importing it "
                                         r"raised ModuleNotFoundError"):
        parse(raw)


def test_run_seeds_do_not_depend_on_how_the_problem_is_spelled():
    # issue 13: dropping a default `model = "linear"` line changed NSGA-II's seeds and its numbers
    from tradeoff.experiments.config import normalise_problem, run_seed

    long = {"name": "cap", "data": {"name": "blog", "n": 200, "seed": 0}, "model": "linear",
            "objectives": ["mse", {"name": "cap_violation", "cap": 120}]}
    short = {"name": "renamed", "data": "blog",
             "objectives": [{"name": "mse"}, {"name": "cap_violation", "cap": 120.0}]}
    assert normalise_problem(long) == normalise_problem(short)
    assert run_seed(long, "nsga2", 3) == run_seed(short, "nsga2", 3)
    # what does change the problem changes the seed
    other = {**short, "objectives": ["mse", {"name": "cap_violation", "cap": 100}]}
    assert run_seed(other, "nsga2", 3) != run_seed(short, "nsga2", 3)
    assert run_seed(short, "nsga2", 4) != run_seed(short, "nsga2", 3)
    assert run_seed(short, "sms-emoa", 3) != run_seed(short, "nsga2", 3)
