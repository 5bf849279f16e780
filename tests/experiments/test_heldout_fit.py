"""Data flows one way: in a split problem nothing fitted sees a validation or test row.

An MLP's input scaling, an encoder's categories, the linear model's standardisation and its default
start and box must equal what the train rows alone give, through a sweep (config → runner) and
through the Python API the held-out evaluation uses (``tradeoff.split`` → ``Problem`` → ``solve``
→ ``Front.evaluate``; ``experiments.heldout.build``).
"""

from __future__ import annotations

import dataclasses
import numpy as np
import pandas as pd
import pytest

import tradeoff
import tradeoff.solvers as solvers
from tradeoff.datasets import blog_data
from tradeoff.experiments.config import load_config
from tradeoff.experiments.heldout import build
from tradeoff.experiments.runner import execute
from tradeoff.models import MLP
from tradeoff.datasets import from_frame

from .tiny import write

SPLITS = {"test": 0.3, "validation": 0.2}
SEEDS = [0, 1, 2, 3]


def _frame(n: int = 120) -> pd.DataFrame:
    """A table with a category that only 1–2 rows have (so most splits leave it out of train)."""
    rng = np.random.default_rng(5)
    c = rng.choice(np.array(["a", "b", "c"], dtype=object), n)
    c[7], c[50], c[51] = "rare", "odd", "odd"
    return pd.DataFrame({"x": rng.permutation(n) * 1.5 + 100.0,  # distinct: a row's identity
                         "z": rng.gamma(2.0, 10.0, n), "c": c,
                         "s": rng.choice(["f", "m"], n), "y": (rng.random(n) < 0.4).astype(int)})


def _rows(df: pd.DataFrame, part) -> pd.DataFrame:
    """The rows of ``df`` that ``part`` (a Dataset encoded from it) holds, found by their x."""
    x = part.X[:, list(part.feature_names).index("x")]
    return df[df["x"].isin(x)]


def _train_encoding(df, train):
    """(X, encoder) of the train rows encoded on their own."""
    alone = from_frame(_rows(df, train), target="y", sensitive="s")
    return alone.X, alone.encoder


def _check_mlp(model, X):
    s = X.std(axis=0)
    assert np.allclose(model.input_mean, X.mean(axis=0), rtol=0, atol=1e-12)
    assert np.allclose(model.input_scale, np.where(s > 0, s, 1.0), rtol=0, atol=1e-12)


def _check_linear(problem, train):
    """Standardisation, least-squares start and default box from the train rows alone."""
    X, y = train.X, train.y
    assert np.allclose(problem.standardizer.mean, X.mean(axis=0), rtol=0, atol=1e-12)
    theta = np.linalg.lstsq(np.column_stack([X, np.ones(len(X))]), y, rcond=None)[0]
    assert np.allclose(problem.start_theta(1)[0], theta, rtol=1e-9, atol=1e-9)
    phi = problem.standardizer.to_standard(theta[None])[0]
    spread = 4.0 if problem.model.name == "logistic" else float(np.std(y))
    half = 2.0 * np.abs(phi) + spread
    lo, hi = problem.phi_box()
    assert np.allclose(lo, phi - half, atol=1e-8) and np.allclose(hi, phi + half, atol=1e-8)


SWEEP = """
[experiment]
name = "one_road"
seeds = [0]

[[problems]]
name = "table"
data = {{ csv = "table.csv", target = "y", sensitive = "s" }}
model = {{ name = "mlp", hidden = [3], output = "logistic", seed = 0 }}
objectives = ["log_loss", "demographic_parity_sq"]
split = {{ test = 0.3, validation = 0.2, seeds = {seeds} }}

[[problems]]
name = "blog-mlp"
data = {{ name = "blog", n = 400, seed = 0 }}
model = {{ name = "mlp", hidden = [3], seed = 0 }}
objectives = ["mse", {{ name = "cap_violation", cap = 120 }}]
split = {{ test = 0.5, seed = 0 }}

[[problems]]
name = "blog-linear"
data = {{ name = "blog", n = 400, seed = 0 }}
objectives = ["mse", {{ name = "cap_violation", cap = 120 }}]
split = {{ test = 0.5, seed = 0 }}

[[problems]]
name = "table-logistic"
data = {{ csv = "table.csv", target = "y", sensitive = "s" }}
model = "logistic"
objectives = ["log_loss", "demographic_parity_sq"]
split = {{ test = 0.3, validation = 0.2, seed = 1 }}

[[solvers]]
name = "weighted-sum"
options = {{ n_points = 2, max_evaluations = 20 }}
"""


@pytest.fixture(scope="module")
def solved(tmp_path_factory):
    """Each sweep run's (run, the problem its solver got, its result), through runner.execute."""
    tmp = tmp_path_factory.mktemp("one_road")
    df = _frame()
    df.to_csv(tmp / "table.csv", index=False)
    config = load_config(write(tmp, SWEEP.format(seeds=SEEDS)))
    seen, real = [], solvers.solve

    def spy(problem, solver, **options):
        if solver != "exact":
            seen.append(problem)
        return real(problem, solver, **options)

    out = []
    mp = pytest.MonkeyPatch()
    mp.setattr(solvers, "solve", spy)
    try:
        for run in config.runs():
            if run.solver == "exact":
                continue
            before = len(seen)
            result = execute(run)
            assert result["status"] == "ok", result["error"]
            assert len(seen) == before + 1
            out.append((run, seen[-1], result))
    finally:
        mp.undo()
    return df, out


def test_sweep_mlp_scaling_is_the_train_rows(solved):
    df, runs = solved
    blog = [(r, p) for r, p, _ in runs if r.problem == "blog-mlp"]
    assert len(blog) == 1
    run, problem = blog[0]
    train, _ = tradeoff.split(blog_data(400, 0), test=0.5, seed=0)
    assert problem.data.n == train.n == 200
    _check_mlp(problem.model, train.X)
    # the issue's numbers: the train rows' mean, not every row's (62.43)
    assert problem.model.input_mean[0] == pytest.approx(61.88, abs=0.005)


def test_sweep_encoder_and_mlp_scaling_are_the_train_rows(solved):
    df, runs = solved
    tables = [(r, p, res) for r, p, res in runs if r.problem.startswith("table-s")]
    assert len(tables) == len(SEEDS)
    left_out = 0
    for run, problem, result in tables:
        X, encoder = _train_encoding(df, problem.data)
        assert problem.data.encoder.levels == encoder.levels
        assert problem.data.feature_names == encoder.feature_names
        assert np.array_equal(problem.data.X, X)
        _check_mlp(problem.model, X)
        left_out += encoder.levels["c"] != ("a", "b", "c", "odd", "rare")
        # the parts the front was scored on share the train encoding
        assert set(result["splits"]) == {"train", "validation", "test"}
    assert left_out  # some split seed leaves a category out of train (else this tests nothing)


def test_sweep_linear_start_and_box_are_the_train_rows(solved):
    df, runs = solved
    for name in ("blog-linear", "table-logistic"):
        (run, problem), = [(r, p) for r, p, _ in runs if r.problem == name]
        spec = {k: v for k, v in run.problem_spec.items() if k != "split"}
        data = tradeoff.Problem.from_dict(spec).data
        train = tradeoff.split(data, **SPLITS if name != "blog-linear" else {"test": 0.5},
                               seed=run.problem_spec["split"]["seed"])[0]
        assert problem.data.n == train.n
        assert np.array_equal(problem.data.X, train.X) and np.array_equal(problem.data.y, train.y)
        _check_linear(problem, train)


def test_heldout_build_fits_on_the_train_part(tmp_path):
    df = _frame()
    df.to_csv(tmp_path / "t.csv", index=False)
    spec = {"name": "t", "data": {"csv": str(tmp_path / "t.csv"), "target": "y", "sensitive": "s"},
            "model": {"name": "mlp", "hidden": [2], "output": "logistic"},
            "objectives": ["log_loss", "demographic_parity_sq"]}
    for seed in SEEDS:
        problem, parts = build({**spec, "split": {**SPLITS, "seed": seed}})
        assert problem.data is parts["train"]
        X, encoder = _train_encoding(df, parts["train"])
        assert problem.data.encoder == encoder and np.array_equal(problem.data.X, X)
        _check_mlp(problem.model, X)
        for part in ("validation", "test"):
            assert parts[part].encoder == encoder
    # without a split: every row, as before
    problem, parts = build(spec)
    assert parts is None and problem.data.n == len(df)
    _check_mlp(problem.model, problem.data.X)


def test_split_encodes_every_part_with_the_train_categories():
    df = _frame()
    data = from_frame(df, target="y", sensitive="s")
    assert data.encoder.levels["c"] == ("a", "b", "c", "odd", "rare")
    unseen_somewhere = False
    for seed in SEEDS:
        train, val, test = tradeoff.split(data, test=0.3, validation=0.2, seed=seed)
        X, encoder = _train_encoding(df, train)
        assert train.encoder == encoder and np.array_equal(train.X, X)
        assert train.meta["categorical_levels"]["c"] == list(encoder.levels["c"])
        for part in (val, test):
            rows = _rows(df, part)
            known = rows["c"].isin(encoder.levels["c"])
            # rows with a train level: as from_frame codes them with the train encoder
            like = from_frame(rows[known], target="y", sensitive="s", encoder=encoder)
            assert part.encoder == encoder and np.array_equal(part.X[known.to_numpy()], like.X)
            # a level no train row has: the reference level (no indicator set), and said so
            other = part.X[~known.to_numpy()][:, [f.startswith("c=") for f in part.feature_names]]
            assert not other.any()
            unseen = sorted(set(rows.loc[~known, "c"]))
            assert part.meta.get("unseen_levels", {}).get("c", []) == unseen
            unseen_somewhere |= bool(unseen)
    assert unseen_somewhere


def test_split_with_every_level_in_train_keeps_the_encoder():
    df = _frame()
    df.loc[[7, 50, 51], "c"] = "a"
    data = from_frame(df, target="y", sensitive="s")
    train, test = tradeoff.split(data, test=0.3, seed=0)
    assert train.encoder is data.encoder and test.encoder is data.encoder
    assert np.array_equal(np.vstack([train.X, test.X])[np.argsort(
        np.concatenate([_rows(df, train).index, _rows(df, test).index]))], data.X)


def test_library_split_solve_evaluate_keeps_the_train_scaling():
    data = blog_data(400, 0)
    train, test = tradeoff.split(data, test=0.5, seed=0)
    problem = tradeoff.Problem(train, MLP(hidden=(3,)), ["mse", {"name": "cap_violation",
                                                                 "cap": 120}])
    _check_mlp(problem.model, train.X)
    front = tradeoff.solve(problem, "weighted-sum", n_points=2, max_evaluations=20, seed=0)
    assert front.model == problem.model
    frame = front.evaluate(test)  # scored with the train scaling, not one learned on test
    P = front.model.predict(front.X, test.X)
    assert np.allclose(frame["mse"], ((P - test.y[:, None]) ** 2).mean(axis=0))


def test_evaluating_a_front_whose_mlp_has_no_scaling_fails():
    data = blog_data(60, 0)
    problem = tradeoff.Problem(data, MLP(hidden=(2,)), ["mse", "l2"])
    front = tradeoff.solve(problem, "weighted-sum", n_points=2, max_evaluations=10, seed=0)
    hand = dataclasses.replace(front, model=MLP(hidden=(2,)))  # a hand-built front's model
    with pytest.raises(ValueError, match=r"`front.model` must be a model with its training rows' "
                                         r"input scaling .*; got \{'name': 'mlp'.*Score a front "
                                         r"from tradeoff.solve"):
        hand.evaluate(data)
