"""A Problem over Dask chunks equals the same Problem in memory: values, gradients, Hessians
(1e-10) and fronts (1e-8, normalised), whatever the chunking."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

da = pytest.importorskip("dask.array", reason="needs the dask extra")

from tradeoff import ChunkedDataset, Dataset, Problem, solve  # noqa: E402
from tradeoff.chunked_problem import ChunkedProblem  # noqa: E402

CASES = {
    "linear cap": ("linear", ["mse", {"name": "cap_violation", "cap": 1.5}], False),
    "linear gap": ("linear", ["mse", "mean_gap_sq"], False),
    "linear loss gap": ("linear", ["mse", "group_loss_gap_sq"], False),
    "logistic parity": ("logistic", ["log_loss", "demographic_parity_sq"], True),
    "logistic odds": ("logistic", ["log_loss", "equalized_odds_sq"], True),
    "logistic tanh": ("logistic", ["log_loss", "equal_opportunity_tanh"], True),
}


def _data(n=240, p=3, seed=0, groups=3, weights=True):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, p)) * [1.0, 5.0, 0.2][:p] + [0.0, 10.0, -3.0][:p]
    g = rng.integers(0, groups, n)
    y = X @ rng.normal(size=p) / 3 + g + rng.normal(size=n)
    w = rng.uniform(0.2, 3.0, n) if weights else None
    return X, y, g, w


def _pair(case, chunks, seed=0, n=240):
    model, objectives, binary = CASES[case]
    X, y, g, w = _data(n=n, seed=seed, groups=2 if "tanh" in case else 3)
    if binary:
        y = (y > np.median(y)).astype(float)
    memory = Problem(Dataset(X, y, groups=g, sample_weight=w), model, objectives)
    rows = tuple(chunks)
    chunked = ChunkedDataset(da.from_array(X, chunks=(rows, X.shape[1])), da.from_array(y, chunks=rows),
                             da.from_array(g, chunks=rows), da.from_array(w, chunks=rows))
    return memory, Problem(chunked, model, objectives)


def _uneven(draw_sizes, n):
    """Row chunk sizes summing to n from a list of positive integers (cycled)."""
    out, i = [], 0
    while sum(out) < n:
        out.append(min(draw_sizes[i % len(draw_sizes)], n - sum(out)))
        i += 1
    return out


def _close(a, b, tol=1e-10):
    scale = max(1.0, float(np.abs(a).max()))
    assert np.abs(a - b).max() <= tol * scale


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(case=st.sampled_from(sorted(CASES)),
       sizes=st.lists(st.integers(1, 120), min_size=1, max_size=5),
       seed=st.integers(0, 3))
def test_values_gradients_hessians_equal_memory(case, sizes, seed):
    n = 90
    memory, chunked = _pair(case, _uneven(sizes, n), seed, n=n)
    assert isinstance(chunked, ChunkedProblem)
    rng = np.random.default_rng(seed)
    Theta = memory.start_theta(3) + rng.normal(scale=0.3, size=(3, memory.d))
    a, b = memory.evaluate(Theta), chunked.evaluate(Theta)
    _close(a.F, b.F)
    _close(a.dF, b.dF)
    if memory.has_second_order():
        C = rng.uniform(size=(3, 2))
        for gauss_newton in (False, True):
            ra = memory.derivatives(Theta, C, gauss_newton=gauss_newton)
            rb = chunked.derivatives(Theta, C, gauss_newton=gauss_newton)
            _close(ra[2], rb[2])
            _close(ra[3], rb[3])


def test_chunks_of_one_row():
    memory, chunked = _pair("logistic odds", [1] * 40, n=40)
    Theta = memory.start_theta(2) + 0.1
    _close(memory.evaluate(Theta).dF, chunked.evaluate(Theta).dF)
    assert chunked.data.n_chunks == 40


def test_group_absent_from_a_chunk():
    X, y, g, w = _data(n=120)
    g = np.sort(g)  # the first chunks hold group 0 only, the last group 2 only
    y = (y > np.median(y)).astype(float)
    memory = Problem(Dataset(X, y, groups=g), "logistic", ["log_loss", "demographic_parity_sq"])
    data = ChunkedDataset(da.from_array(X, chunks=(30, 3)), da.from_array(y, chunks=30),
                          da.from_array(g, chunks=30))
    chunked = Problem(data, "logistic", ["log_loss", "demographic_parity_sq"])
    Theta = memory.start_theta(2) + 0.2
    _close(memory.evaluate(Theta).F, chunked.evaluate(Theta).F)
    C = np.ones((2, 2))
    _close(memory.derivatives(Theta, C)[3], chunked.derivatives(Theta, C)[3])


@pytest.mark.parametrize("case,solver,options", [
    ("linear cap", "exact", {"n_points": 9}),
    ("linear gap", "exact", {"n_points": 9}),
    # iterative solvers stop within their tolerance: tightened, so that the comparison sees the
    # data path rather than where each run stopped
    ("linear cap", "weighted-sum", {"n_points": 7, "tol": 1e-12}),
    ("linear cap", "penalty", {"n_points": 5, "tol": 1e-12}),
    ("logistic parity", "weighted-sum", {"n_points": 5, "tol": 1e-12}),
    ("logistic parity", "epsilon-constraint", {"n_points": 4, "tol": 1e-12}),
])
def test_fronts_equal_memory(case, solver, options):
    memory, chunked = _pair(case, [70, 70, 70, 30])
    a, b = solve(memory, solver, **options), solve(chunked, solver, **options)
    assert a.success and b.success
    span = np.ptp(a.F, axis=0)
    # an ε-constraint point meets its bound to the augmented Lagrangian's feasibility tolerance
    # (a relative 1e-7 of ε), whatever `tol`: its points are pinned to that, not to rounding
    limit = 1e-7 if solver == "epsilon-constraint" else 1e-8
    assert (np.abs(a.F - b.F) / np.where(span > 0, span, 1)).max() <= limit
    assert b.extra["passes"] > 0


def test_quadratic_objectives_take_one_pass():
    memory, chunked = _pair("linear gap", [100, 100, 40])
    before = chunked.data.passes
    front = solve(chunked, "exact", n_points=15)
    assert front.success and chunked.data.passes - before == 1 == front.extra["passes"]


def test_dask_frame_and_parquet(tmp_path):
    pd = pytest.importorskip("pandas")
    dd = pytest.importorskip("dask.dataframe")
    pytest.importorskip("pyarrow")
    X, y, g, _ = _data(n=150)
    frame = pd.DataFrame(X, columns=["a", "b", "c"]).assign(
        y=(y > np.median(y)).astype(float), sex=np.array(["f", "m", "x"])[g])
    for i in range(3):
        frame.iloc[i * 50:(i + 1) * 50].to_parquet(tmp_path / f"part{i}.parquet")
    data = ChunkedDataset.from_parquet(str(tmp_path / "*.parquet"), "y", sensitive="sex")
    assert data.n == 150 and data.group_names == ("f", "m", "x") and data.n_chunks == 3
    from_frame = ChunkedDataset.from_dask_frame(dd.from_pandas(frame, npartitions=4), "y",
                                                sensitive="sex")
    memory = Problem(Dataset(X, frame["y"].to_numpy(), groups=g), "logistic",
                     ["log_loss", "equal_opportunity_sq"])
    Theta = memory.start_theta(2) - 0.1
    for d in (data, from_frame):
        chunked = Problem(d, "logistic", ["log_loss", "equal_opportunity_sq"])
        _close(memory.evaluate(Theta).dF, chunked.evaluate(Theta).dF)


def test_clear_errors(tmp_path):
    pd = pytest.importorskip("pandas")
    dd = pytest.importorskip("dask.dataframe")
    X, y, g, _ = _data(n=60)
    frame = pd.DataFrame(X, columns=["a", "b", "c"]).assign(y=y, city=["x", "y"] * 30)
    with pytest.raises(ValueError, match=r"`features` must be numeric columns.*\['city'\].*get_dummies"):
        ChunkedDataset.from_dask_frame(dd.from_pandas(frame, npartitions=2), "y")
    unknown = da.from_array(X, chunks=(20, 3))
    unknown = unknown[unknown[:, 0] > -10]  # a boolean selection: row counts unknown until computed
    with pytest.raises(ValueError, match=r"`X` must be a dask array with known chunk sizes.*compute_chunk_sizes"):
        ChunkedDataset(unknown, da.from_array(y, chunks=20))
    bad = X.copy()
    bad[7, 1] = np.nan
    with pytest.raises(ValueError, match=r"`X` must be finite.*1 non-finite"):
        ChunkedDataset(da.from_array(bad, chunks=(20, 3)), da.from_array(y, chunks=20))
    with pytest.raises(ValueError, match=r"`path` must be existing Parquet file"):
        ChunkedDataset.from_parquet(str(tmp_path / "none*.parquet"), "y")
    with pytest.raises(TypeError, match=r"`X` must be a dask array"):
        ChunkedDataset(X, da.from_array(y, chunks=20))
    data = ChunkedDataset(da.from_array(X, chunks=(20, 3)), da.from_array(y, chunks=20),
                          da.from_array(g, chunks=20))
    with pytest.raises(ValueError, match=r"`model` must be an affine model.*for chunked data"):
        Problem(data, "mlp", ["mse", "mean_gap_sq"])
    with pytest.raises(ValueError, match=r"`objectives` must be sums over rows.*cap_max"):
        Problem(data, "linear", ["mse", "cap_max"])
    problem = Problem(data, "linear", ["mse", "mean_gap_sq"])
    with pytest.raises(ValueError, match=r"`rows` must be None \(all rows\) for chunked data.*Mini-batch"):
        solve(problem, "weighted-sum", optimizer="adam", n_points=3, epochs=1, batch_size=16)
    with pytest.raises(ValueError, match=r"`groups` must be at least 2 distinct groups"):
        Problem(ChunkedDataset(da.from_array(X, chunks=(20, 3)), da.from_array(y, chunks=20),
                               da.zeros(60, chunks=20, dtype=int)), "linear", ["mse", "mean_gap_sq"])


def test_a_local_cluster_gives_the_same_front_and_persist_keeps_the_statistics():
    """Passes on worker processes (the kernel and chunks pickled) equal the threaded ones."""
    distributed = pytest.importorskip("distributed")
    memory, chunked = _pair("logistic parity", [60, 60, 60, 60])
    threaded = solve(chunked, "weighted-sum", n_points=3)
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                                  dashboard_address=None) as cluster, distributed.Client(cluster):
        data = chunked.data.persist()
        assert (data.n, data.gram.tolist()) == (chunked.data.n, chunked.data.gram.tolist())
        on_cluster = solve(Problem(data, "logistic", ["log_loss", "demographic_parity_sq"]),
                           "weighted-sum", n_points=3)
    assert on_cluster.success and np.array_equal(on_cluster.F, threaded.F)
