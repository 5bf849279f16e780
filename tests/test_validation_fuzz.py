"""Issue 12: fuzz `Problem.from_dict` (the schema configs use) with hypothesis.

Whatever the spec, only ValueError or TypeError escape, and their message names a field in
backticks and shows no library internals. Specs mix plausible pieces (real dataset, model and
objective names and parameters, a real CSV) with arbitrary plain values, so both the checks deep
inside and the shallow ones are reached. The example count is bounded.
"""

from __future__ import annotations

import os
import re

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, event, given, settings, strategies as st

from tradeoff.problem import Problem

from .strategies import INTERNALS, plain

DATASETS = ["blog", "cap_benchmark", "synthetic_shift", "diabetes", "blgo", ""]
MODELS = ["linear", "logistic", "capped_linear", "mlp", "lin"]
OBJECTIVES = ["mse", "mae", "huber", "pinball", "log_cosh", "log_loss", "cap_violation",
              "cap_excess_rate", "cap_max", "l1", "l2", "mean_gap_sq", "group_loss_gap_sq",
              "demographic_parity_sq", "equal_opportunity_sq", "equalized_odds_sq", "mse2"]
small_int = st.integers(-2, 120)
number = st.one_of(small_int, st.floats(-1e3, 1e3), st.sampled_from([0.0, 0.5, 1.0, np.inf, np.nan,
                                                                        1e300, -1e300]))
anything = st.one_of(number, plain)


def maybe(strategy):
    """Mostly ``strategy``, one time in six anything at all."""
    return st.integers(0, 5).flatmap(lambda i: anything if i == 0 else strategy)


def _table(keys: dict, *, required=()):
    """Tables of ``required`` and some of the other ``keys`` (name → value strategy), one in ten
    with an unknown key besides."""
    items = st.fixed_dictionaries({k: keys[k] for k in required},
                                  optional={k: v for k, v in keys.items() if k not in required})
    junk = st.dictionaries(st.text(max_size=6), anything, min_size=1, max_size=1)
    junk = st.integers(0, 9).flatmap(lambda i: junk if i == 0 else st.just({}))
    return st.tuples(items, junk).map(lambda t: {**t[1], **t[0]})


def _specs(csv: str):
    dataset = maybe(st.one_of(
        st.sampled_from(DATASETS),
        _table({"name": st.sampled_from(DATASETS), "n": small_int, "seed": small_int,
                "task": st.sampled_from(["regression", "classification", "x"]),
                "shift": number, "p": st.integers(-1, 6)}, required=("name",)),
        _table({"csv": maybe(st.sampled_from([csv] * 4 + [csv + ".missing", ""])),
                "target": maybe(st.sampled_from(["y", "yb", "a", "s", "zz"])),
                "sensitive": maybe(st.sampled_from(["s", "t", ["s", "t"], "y"])),
                "features": maybe(st.sampled_from([["a"], ["a", "c"], [], ["s"], [["a"]]])),
                "drop_missing": maybe(st.booleans()), "name": anything},
               required=("csv", "target", "sensitive"))))
    model = maybe(st.one_of(st.sampled_from(MODELS),
                            _table({"name": maybe(st.sampled_from(MODELS)),
                                    "threshold": number, "cap": number})))
    objective = maybe(st.one_of(
        st.sampled_from(OBJECTIVES),
        _table({"name": maybe(st.sampled_from(OBJECTIVES)), "delta": number,
                "quantile": number, "cap": number,
                "loss": maybe(st.sampled_from(["mse", "log_loss", "huber", "x"]))},
               required=("name",))))
    constraint = maybe(_table({"name": st.sampled_from(OBJECTIVES), "bound": number,
                               "cap": number}, required=("name", "bound")))
    bounds = maybe(_table({"lower": number | st.lists(number, max_size=4),
                           "upper": number | st.lists(number, max_size=4)},
                          required=("lower", "upper")))
    return _table({"name": maybe(st.text(max_size=6)), "data": dataset, "model": model,
                   "objectives": maybe(st.lists(objective, min_size=2, max_size=3)),
                   "constraints": maybe(st.lists(constraint, max_size=2)),
                   "bounds": bounds}, required=("data", "objectives"))


def _near_valid_specs(csv: str):
    """Specs that mostly build: data with groups, the linear model, regression objectives whose
    parameters are drawn from numbers that include NaN, inf and 1e300."""
    dataset = st.one_of(
        st.fixed_dictionaries({"name": st.just("synthetic_shift"), "n": st.integers(10, 60),
                               "seed": st.integers(0, 5)}),
        st.fixed_dictionaries({"csv": st.just(csv), "target": st.just("y"),
                               "sensitive": st.sampled_from(["s", "t"]),
                               "drop_missing": st.just(True)},
                              optional={"features": st.sampled_from([["a"], ["a", "c"]])}))
    objective = st.one_of(
        st.sampled_from(["mse", "mae", "huber", "log_cosh", "cap_max", "l1", "l2",
                         "mean_gap_sq", "group_loss_gap_sq"]),
        st.fixed_dictionaries({"name": st.just("huber"), "delta": number}),
        st.fixed_dictionaries({"name": st.just("pinball"), "quantile": number}),
        st.fixed_dictionaries({"name": st.just("cap_violation"), "cap": number}),
        st.fixed_dictionaries({"name": st.just("group_loss_gap_sq"),
                               "loss": st.sampled_from(["mse", "huber", "log_loss"])}))
    constraint = st.fixed_dictionaries({"name": st.sampled_from(["cap_max", "mse", "l2"]),
                                        "bound": number})
    return st.fixed_dictionaries(
        {"data": dataset, "objectives": st.lists(objective, min_size=2, max_size=3)},
        optional={"model": st.sampled_from(["linear", "capped_linear", "logistic"]),
                  "constraints": st.lists(constraint, max_size=1),
                  "bounds": st.fixed_dictionaries({"lower": number, "upper": number})})


@pytest.fixture(scope="module")
def csv(tmp_path_factory) -> str:
    rng = np.random.default_rng(0)
    n = 30
    frame = pd.DataFrame({"a": rng.normal(size=n), "c": rng.choice(["u", "v", "w"], n),
                          "s": rng.choice(["f", "m"], n), "t": rng.integers(0, 2, n),
                          "y": rng.normal(size=n), "yb": rng.integers(0, 2, n)})
    frame.loc[3, "a"] = np.nan
    path = tmp_path_factory.mktemp("fuzz") / "data.csv"
    frame.to_csv(path, index=False)
    return str(path)


@given(data=st.data())
@settings(max_examples=int(os.environ.get("TRADEOFF_FUZZ_EXAMPLES", 200)), deadline=None, suppress_health_check=[HealthCheck.too_slow,
                                                                  HealthCheck.data_too_large])
def test_from_dict_raises_only_clear_value_or_type_errors(csv, data):
    spec = data.draw(st.one_of(_specs(csv), _near_valid_specs(csv)))
    try:
        problem = Problem.from_dict(spec, path="problems[0]")
    except (ValueError, TypeError) as err:
        msg = str(err)
        field = re.search(r"`[^`]+`", msg)
        assert field, f"no field named: {msg!r} for {spec!r}"
        event(f"{type(err).__name__} {re.sub(r'[0-9]+', 'N', field.group(0))}")
        for text in INTERNALS:
            assert text not in msg, f"{msg!r} for {spec!r}"
        return
    # what builds, evaluates to finite values at the start point
    event("built")
    ev = problem.evaluate(problem.standardizer.to_original(problem.phi_start[None]), grad=False)
    assert ev.F.shape == (1, problem.m) and np.isfinite(ev.F).all(), spec


def _column(n: int):
    """One column of n entries: numbers (with NaN, inf, 1e300), labels, None, or a wrong length."""
    entries = st.one_of(number, st.sampled_from(["a", "b", None, True, -1, 2]))
    return st.one_of(st.lists(number, min_size=n, max_size=n),
                     st.lists(st.integers(-2, 3), min_size=n, max_size=n),
                     st.lists(st.sampled_from(["u", "v", "w"]), min_size=n, max_size=n),
                     st.lists(entries, min_size=n, max_size=n),
                     st.lists(entries, max_size=n + 2), anything)


@given(data=st.data())
@settings(max_examples=int(os.environ.get("TRADEOFF_FUZZ_EXAMPLES", 200)), deadline=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
def test_dataset_raises_only_clear_value_or_type_errors(data):
    from tradeoff.datasets import Dataset

    n = data.draw(st.integers(1, 6))
    p = data.draw(st.integers(1, 3))
    good = st.floats(-10, 10)
    X = data.draw(st.one_of(st.lists(st.lists(good, min_size=p, max_size=p), min_size=n,
                                     max_size=n),
                            st.lists(st.lists(number, min_size=p, max_size=p), min_size=n,
                                     max_size=n), _column(n)))
    kwargs = {k: data.draw(_column(n)) for k in ("groups", "sample_weight")
              if data.draw(st.booleans())}
    if data.draw(st.booleans()):
        kwargs["group_names"] = data.draw(st.lists(st.text(max_size=3), max_size=4))
    try:
        y = data.draw(st.one_of(st.lists(good, min_size=n, max_size=n), _column(n)))
        ds = Dataset(X, y, **kwargs)
    except (ValueError, TypeError) as err:
        msg = str(err)
        field = re.search(r"`[^`]+`", msg)
        assert field, f"no field named: {msg!r}"
        event(f"{type(err).__name__} {field.group(0)}")
        for text in INTERNALS:
            assert text not in msg, msg
        return
    event("built")
    assert np.isfinite(ds.X).all() and np.isfinite(ds.y).all()
    if ds.groups is not None:
        assert ds.groups.dtype == np.int64 and (ds.groups >= 0).all()
    if ds.sample_weight is not None:
        assert (ds.sample_weight >= 0).all() and ds.sample_weight.sum() > 0


@given(data=st.data())
@settings(max_examples=int(os.environ.get("TRADEOFF_FUZZ_EXAMPLES", 100)), deadline=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
def test_config_problems_raise_only_clear_value_or_type_errors(csv, data):
    """The same specs through the config loader, whose checks run before the problem is built."""
    from tradeoff.experiments.config import parse_config

    spec = data.draw(st.one_of(_specs(csv), _near_valid_specs(csv)))
    if data.draw(st.booleans()):
        spec = {**spec, "name": "p"}
    raw = {"experiment": {"name": "fuzz"}, "problems": [spec], "solvers": [{"name": "nsga2"}]}
    try:
        parse_config(raw)
    except (ValueError, TypeError) as err:
        msg = str(err)
        field = re.search(r"`[^`]+`", msg)
        assert field, f"no field named: {msg!r} for {spec!r}"
        event(f"{type(err).__name__} {re.sub(r'[0-9]+', 'N', field.group(0))}")
        for text in INTERNALS:
            assert text not in msg, f"{msg!r} for {spec!r}"
        return
    event("parsed")
