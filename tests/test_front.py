import numpy as np
import pytest
from hypothesis import given, settings, strategies as st
from hypothesis.extra import numpy as hnp

from tradeoff.front import Front, Scale, compare, hypervolume, igd_plus, nondominated

points = st.integers(1, 40).flatmap(lambda k: st.integers(2, 3).flatmap(
    lambda m: hnp.arrays(float, (k, m), elements=st.integers(0, 6).map(float))))


def _dominates(a, b):
    return (a <= b).all() and (a < b).any()


@given(F=points)
@settings(max_examples=150, deadline=None)
def test_nondominated_is_mutually_nondominated_idempotent_and_complete(F):
    keep = nondominated(F)
    kept = F[keep]
    for a in kept:
        assert not any(_dominates(b, a) for b in kept)
    assert nondominated(kept).all()
    for r in F[~keep]:
        assert any(_dominates(a, r) for a in kept)


@given(F=points, extra=hnp.arrays(float, 3, elements=st.integers(0, 6).map(float)))
@settings(max_examples=80, deadline=None)
def test_hypervolume_monotone_and_blind_to_dominated_points(F, extra):
    ref = np.full(F.shape[1], 7.0)
    hv = hypervolume(F, ref)
    p = extra[: F.shape[1]]
    assert hypervolume(np.vstack([F, p]), ref) >= hv - 1e-12
    dominated = F[0] + 0.5  # strictly worse than an existing point in every objective
    assert hypervolume(np.vstack([F, dominated]), ref) == pytest.approx(hv, abs=1e-12)


def test_hypervolume_and_igd_plus_golden():
    # two points (1, 2), (2, 1) against ref (3, 3): 2·1 + 1·2 − 1·1 = 3 (union of two 2×1 boxes)
    F = np.array([[1.0, 2.0], [2.0, 1.0]])
    assert hypervolume(F, [3.0, 3.0]) == pytest.approx(3.0)
    # IGD+ of F against itself is 0; against a better reference point (0, 0): mean of d+ = √5
    assert igd_plus(F, F) == 0.0
    assert igd_plus(F, np.array([[0.0, 0.0]])) == pytest.approx(np.sqrt(5.0))


def test_pymoo_and_moocore_agree():
    from pymoo.indicators.hv import HV
    from pymoo.indicators.igd_plus import IGDPlus

    rng = np.random.default_rng(0)
    F, R = rng.random((50, 2)), rng.random((30, 2))
    assert hypervolume(F, [1.1, 1.1]) == pytest.approx(HV(ref_point=np.array([1.1, 1.1]))(F), rel=1e-12)
    assert igd_plus(F, R) == pytest.approx(IGDPlus(R)(F), rel=1e-12)


def test_front_is_immutable_and_tidy():
    fr = Front([[1.0, 2.0], [2.0, 1.0], [3.0, 3.0]], [[0.1, 0.2], [0.3, 0.4], [0.5, 0.6]],
               ("mse", "cap_violation"), ("m", "c"), "test", {"lr": 0.1}, 10, 0.5, True, "ok")
    with pytest.raises(ValueError):
        fr.F[0, 0] = 5.0
    with pytest.raises(TypeError):
        fr.options["lr"] = 1.0
    frame = fr.to_frame()
    assert list(frame.columns) == ["solver", "options", "seed", "evaluations", "point", "mse",
                                   "cap_violation", "feasible", "m", "c"]
    assert frame["options"][0] == '{"lr": 0.1}' and frame["evaluations"].tolist() == [10] * 3
    assert frame["point"].tolist() == [0, 1, 2]
    assert len(fr.nondominated()) == 2


def test_compare_uses_one_scale():
    R = np.array([[0.0, 1.0], [0.5, 0.5], [1.0, 0.0]])
    scale = Scale.from_points(R)
    same = compare(R, R, scale)
    assert same["hv_ratio"] == pytest.approx(1.0) and same["igd_plus"] == 0.0
    worse = compare(R + 0.1, R, scale)
    assert worse["hv_ratio"] < 1.0 and worse["igd_plus"] > 0.0


def test_indicator_errors():
    with pytest.raises(ValueError, match=r"`ref_point` must be of length 2 \(one per objective\)"):
        hypervolume(np.ones((3, 2)), [1.0, 1.0, 1.0])
    with pytest.raises(ValueError, match=r"`F` must be a 2-D array"):
        nondominated(np.ones(3))


def test_an_empty_front_with_constraints_keeps_its_shape():
    empty = Front(np.zeros((0, 2)), np.zeros((0, 2)), ("a", "b"), ("m", "c"), "x",
                  G=np.zeros((0, 1)))
    assert empty.G.shape == (0, 1) and len(empty.nondominated()) == 0
    one_per_point = Front(np.ones((2, 2)), np.ones((2, 2)), ("a", "b"), ("m", "c"), "x",
                          G=np.array([1.0, -1.0]))
    assert one_per_point.feasible.tolist() == [False, True]


# -- fronts carry their context; pickle; save/load; evaluate on any data --------------------------
import json  # noqa: E402
import pickle  # noqa: E402
import zipfile  # noqa: E402

import tradeoff as to  # noqa: E402
from tradeoff.datasets import blog_data  # noqa: E402
from tradeoff.objectives import Constraint, get_objective  # noqa: E402
from tradeoff.datasets.tabular import synthetic_shift  # noqa: E402

from . import front_fixtures  # noqa: E402


@pytest.fixture(scope="module")
def clf_data():
    return front_fixtures.clf_data()


@pytest.fixture(scope="module")
def clf_front(clf_data):
    problem = to.Problem(clf_data[0], "logistic", ["log_loss", "demographic_parity_sq"])
    return to.solve(problem, "weighted-sum", n_points=7)


@pytest.fixture(scope="module")
def eg_front(clf_data):
    pytest.importorskip("fairlearn")
    return front_fixtures.eg_front()


@pytest.fixture(scope="module")
def capped_front():
    problem = to.Problem(blog_data(n=150), "linear", ["mse", "cap_violation"],
                         [Constraint(get_objective({"name": "cap_max", "cap": 150}), 0.0)])
    return to.solve(problem, "weighted-sum", n_points=6)


def _same(a: Front, b: Front):
    """Bit-exact equality of every field."""
    for name in ("F", "X", "G"):
        x, y = getattr(a, name), getattr(b, name)
        assert (x is None) == (y is None)
        if x is not None:
            assert x.dtype == y.dtype and x.shape == y.shape and x.tobytes() == y.tobytes()
    for name in ("objective_names", "param_names", "solver", "evaluations", "seconds", "success",
                 "message", "feature_names", "seed", "model"):
        assert getattr(a, name) == getattr(b, name), name
    assert dict(a.options) == dict(b.options)
    assert dict(a.extra) == dict(b.extra)
    for name in ("objectives", "constraints"):
        x, y = getattr(a, name), getattr(b, name)
        assert (x is None) == (y is None)
        if x is not None:
            assert [repr(o) for o in x] == [repr(o) for o in y]


def test_solve_attaches_what_the_front_needs(clf_front, clf_data):
    assert clf_front.model.name == "logistic"
    assert [o.name for o in clf_front.objectives] == ["log_loss", "demographic_parity_sq"]
    assert clf_front.constraints == ()
    assert clf_front.feature_names == clf_data[0].feature_names
    assert clf_front.seed == 0 and clf_front.encoder is None


def test_fronts_pickle_bit_exactly(clf_front, capped_front):
    for front in (clf_front, capped_front):
        back = pickle.loads(pickle.dumps(front))
        _same(front, back)
        assert not back.F.flags.writeable
        with pytest.raises(TypeError):
            back.options["seed"] = 1


def test_save_load_round_trips_bit_exactly(tmp_path, clf_front, capped_front):
    odd = Front([[0.1 + 0.2, 1e-300], [np.nan, np.inf]], [[1.0, 2.0], [3.0, 4.0]], ("a", "b"),
                ("m", "c"), "hand", {"weights": np.array([[0.3, 0.7]]), "pair": (1, 2.5)}, 3,
                extra={"labels": {1: "one"}, "nan": float("nan"), "n": np.int64(4)})
    for i, front in enumerate((clf_front, capped_front, odd)):
        path = tmp_path / f"f{i}.front.zip"
        front.save(path)
        back = Front.load(path)
        if front is odd:
            assert back.options["pair"] == (1, 2.5) and back.extra["labels"] == {1: "one"}
            assert np.isnan(back.extra["nan"]) and back.extra["n"] == 4
            assert back.options["weights"].tobytes() == odd.options["weights"].tobytes()
            continue
        _same(front, back)
    assert capped_front.G is not None  # the constrained front kept its G


def test_save_load_keeps_mixtures(tmp_path, eg_front, clf_data):
    eg_front.save(tmp_path / "eg.zip")
    back = Front.load(tmp_path / "eg.zip")
    _same(eg_front, back)
    X = clf_data[1].X
    assert (back.predictor(1).predict_proba(X) == eg_front.predictor(1).predict_proba(X)).all()


def test_load_refuses_future_versions_and_other_files(tmp_path, clf_front):
    path = tmp_path / "f.zip"
    clf_front.save(path)
    with zipfile.ZipFile(path) as z:
        members = {n: z.read(n) for n in z.namelist()}
    meta = json.loads(members["front.json"])
    meta["version"] = 99
    members["front.json"] = json.dumps(meta).encode()
    future = tmp_path / "future.zip"
    with zipfile.ZipFile(future, "w") as z:
        for n, b in members.items():
            z.writestr(n, b)
    with pytest.raises(ValueError, match=r"`version` must be at most 2.*upgrade tradeoff"):
        Front.load(future)
    (tmp_path / "x.txt").write_text("hello")
    with pytest.raises(ValueError, match=r"`path` must be a front file written by Front.save"):
        Front.load(tmp_path / "x.txt")
    with pytest.raises(FileNotFoundError, match=r"`path` must be an existing front file"):
        Front.load(tmp_path / "missing.zip")


def test_save_refuses_objects_it_cannot_describe(tmp_path):
    front = Front([[1.0, 2.0]], [[0.0, 1.0]], ("a", "b"), ("m", "c"), "hand", {"f": object()})
    with pytest.raises(TypeError, match=r"`front.options\['f'\]` must be plain data"):
        front.save(tmp_path / "f.zip")


def test_subset_keeps_per_point_extras_aligned(eg_front):
    sub = eg_front.subset(np.array([2, 0]))
    assert sub.extra["mixtures"] == [eg_front.extra["mixtures"][2], eg_front.extra["mixtures"][0]]
    assert sub.model is eg_front.model and sub.feature_names == eg_front.feature_names


def test_evaluate_on_the_training_data_gives_the_solvers_own_values(clf_front, capped_front,
                                                                     clf_data):
    frame = clf_front.evaluate(clf_data[0])
    assert frame["point"].tolist() == list(range(len(clf_front)))
    np.testing.assert_allclose(frame[list(clf_front.objective_names)], clf_front.F, rtol=1e-12,
                               atol=1e-14)
    for name, values in clf_front.extra["metrics"].items():
        np.testing.assert_allclose(frame[name], values, rtol=0, atol=1e-15)
    frame = capped_front.evaluate(blog_data(n=150))
    np.testing.assert_allclose(frame[["mse", "cap_violation"]], capped_front.F, rtol=1e-10)
    assert (frame["feasible"] == capped_front.feasible).all() and "cap_max" in frame


def test_evaluate_scores_mixtures_as_the_solver_does(eg_front, clf_data):
    frame = eg_front.evaluate(clf_data[0])
    np.testing.assert_allclose(frame[list(eg_front.objective_names)], eg_front.F, rtol=1e-10)
    np.testing.assert_allclose(frame["demographic_parity_sq:exact"],
                               eg_front.extra["metrics"]["demographic_parity_sq:exact"], atol=1e-12)


def test_exact_metrics_on_test_match_fairlearn_on_the_predictions(clf_front, clf_data):
    fm = pytest.importorskip("fairlearn.metrics")
    test = clf_data[1]
    frame = clf_front.evaluate(test)
    for i in range(len(clf_front)):
        pred = clf_front.predictor(i).predict(test.X)
        expected = fm.demographic_parity_difference(test.y, pred, sensitive_features=test.groups)
        assert frame["demographic_parity_sq:exact"][i] == pytest.approx(expected, abs=1e-12)


def test_bootstrap_intervals_are_seeded_percentiles_of_row_resamples(clf_front, clf_data):
    test = clf_data[1]
    a = clf_front.evaluate(test, n_boot=30, seed=5)
    assert a.equals(clf_front.evaluate(test, n_boot=30, seed=5))
    assert not a.equals(clf_front.evaluate(test, n_boot=30, seed=6))
    for name in ("log_loss", "demographic_parity_sq", "demographic_parity_sq:exact"):
        assert (a[f"{name}:lo"] <= a[f"{name}:hi"]).all()
        assert list(a.columns).index(f"{name}:lo") == list(a.columns).index(name) + 1
    # a replicate is the front evaluated on the resampled rows: rebuild the draws and check
    rng = np.random.default_rng(5)
    names = ["log_loss", "demographic_parity_sq", "demographic_parity_sq:exact"]
    reps = []
    for _ in range(30):
        idx = np.repeat(np.arange(test.n), np.bincount(rng.integers(0, test.n, test.n),
                                                       minlength=test.n))
        sub = to.Dataset(test.X[idx], test.y[idx], feature_names=test.feature_names,
                         groups=test.groups[idx])
        reps.append(clf_front.evaluate(sub)[names].to_numpy())
    lo, hi = np.quantile(reps, [0.025, 0.975], axis=0)
    est = a[names].to_numpy()  # percentile intervals, widened to their estimate where it is out
    np.testing.assert_allclose(a[[f"{n}:lo" for n in names]], np.minimum(lo, est), rtol=1e-12,
                               atol=1e-14)
    np.testing.assert_allclose(a[[f"{n}:hi" for n in names]], np.maximum(hi, est), rtol=1e-12,
                               atol=1e-14)
    assert a.attrs["interval_method"].startswith("percentile bootstrap, widened")


@pytest.fixture(scope="module")
def balanced():
    """A logistic front and data on which the point θ = (m 1, c 0), class = [x ≥ 0], has a parity
    gap of exactly 0: each group has as many x ≥ 0 as x < 0 (resamples do not, so their gaps are
    above 0)."""
    import dataclasses

    rng = np.random.default_rng(3)
    n = 240
    x = np.abs(rng.normal(size=n)) * np.tile([1.0, -1.0], n // 2)
    groups = np.repeat([0, 1], n // 2)
    data = to.Dataset(x[:, None], (rng.random(n) < 0.5).astype(float), groups=groups)
    front = to.solve(to.Problem(data, "logistic", ["log_loss", "demographic_parity_sq"]),
                     "weighted-sum", n_points=3)
    X = np.vstack([front.X, [1.0, 0.0]])
    return dataclasses.replace(front, F=np.vstack([front.F, front.F[:1]]), X=X, extra={}), data


def test_a_gap_at_its_bound_lies_in_its_own_interval(balanced):
    front, data = balanced
    frame = front.evaluate(data, n_boot=50, seed=0)
    k, gap = len(front) - 1, "demographic_parity_sq:exact"
    assert frame.loc[k, gap] == 0.0
    # every replicate's gap is above 0, so the plain percentile interval excluded the 0
    assert k in frame.attrs["widened"][gap]
    assert frame.loc[k, f"{gap}:lo"] == 0.0 < frame.loc[k, f"{gap}:hi"]
    assert "widened to include the estimate" in frame.attrs["interval_method"]
    assert "widened" not in front.evaluate(data).attrs  # no intervals, nothing to say


@settings(max_examples=15, deadline=None)
@given(seed=st.integers(0, 2**31 - 1), n_boot=st.integers(2, 12), alpha=st.floats(0.01, 0.5))
def test_every_estimate_lies_in_its_interval(balanced, clf_front, clf_data, seed, n_boot, alpha):
    for front, data in (balanced, (clf_front, clf_data[1])):
        frame = front.evaluate(data, n_boot=n_boot, seed=seed, alpha=alpha)
        names = [c for c in frame.columns if f"{c}:lo" in frame.columns]
        assert len(names) >= 3
        for name in names:
            v, lo, hi = (frame[c].to_numpy(float) for c in (name, f"{name}:lo", f"{name}:hi"))
            ok = np.isfinite(lo) & np.isfinite(hi)
            assert ((lo[ok] <= v[ok]) & (v[ok] <= hi[ok])).all(), name


def test_evaluate_errors(clf_front, clf_data):
    hand = Front([[1.0, 2.0]], [[0.0, 1.0]], ("a", "b"), ("m", "c"), "hand")
    with pytest.raises(ValueError, match=r"`front.model` must be set to evaluate"):
        hand.evaluate(clf_data[1])
    with pytest.raises(TypeError, match=r"`data` must be a tradeoff Dataset"):
        clf_front.evaluate(clf_data[1].X)
    narrow = synthetic_shift(n=100, task="classification", p=2)
    with pytest.raises(ValueError, match=r"`data` must be a dataset with the front's 3 feature"):
        clf_front.evaluate(narrow)
    d = clf_data[1]
    swapped = to.Dataset(d.X[:, ::-1], d.y, feature_names=d.feature_names[::-1], groups=d.groups)
    with pytest.raises(ValueError, match=r"`data.feature_names` must be in the front's training"):
        clf_front.evaluate(swapped)
    with pytest.raises(ValueError, match=r"`alpha` must be a number in \(0, 1\)"):
        clf_front.evaluate(d, n_boot=5, alpha=1.5)
    with pytest.raises(TypeError, match=r"`n_boot` must be an integer"):
        clf_front.evaluate(d, n_boot=2.5)


def test_save_pickles_another_encoder_only_when_told_and_loads_it_only_trusted(
        tmp_path, clf_front, clf_data):
    import dataclasses

    import pandas as pd

    df = pd.DataFrame(clf_data[1].X, columns=clf_data[1].feature_names)
    plain = front_fixtures.PlainEncoder(("x0", "x1", "x2"), {"job": ("a", "b"), 3: (True, 1.5)},
                                        ("x0", "x1", "x2"))
    for encoder in (plain, front_fixtures.OpaqueEncoder()):
        front = dataclasses.replace(clf_front, encoder=encoder)
        with pytest.raises(TypeError, match=r"`front.encoder` must be a tradeoff.datasets.Encoder"
                                            r".*allow_pickle=True"):
            front.save(tmp_path / "f.zip")
        front.save(tmp_path / "f.zip", allow_pickle=True)
        with zipfile.ZipFile(tmp_path / "f.zip") as z:
            assert json.loads(z.read("front.json"))["encoder"] == "encoder.pkl"
        with pytest.raises(ValueError, match=r"`trust` must be True to load a front file holding "
                                             r"a pickled encoder.*Front.load\(path, trust=True\)"):
            Front.load(tmp_path / "f.zip")
        back = Front.load(tmp_path / "f.zip", trust=True)
        assert type(back.encoder) is type(encoder)
        if encoder is plain:
            assert back.encoder == plain
        assert (back.predictor(2).predict_proba(df) == front.predictor(2).predict_proba(df)).all()


def test_equalized_odds_on_test_matches_fairlearn(clf_data):
    fm = pytest.importorskip("fairlearn.metrics")
    train, test = clf_data
    front = to.solve(to.Problem(train, "logistic", ["log_loss", "equalized_odds_sq"]),
                     "weighted-sum", n_points=4)
    frame = front.evaluate(test)
    for i in range(len(front)):
        pred = front.predictor(i).predict(test.X)
        expected = fm.equalized_odds_difference(test.y, pred, sensitive_features=test.groups)
        assert frame["equalized_odds_sq:exact"][i] == pytest.approx(expected, abs=1e-12)


def test_a_bounded_scale_ignores_points_beyond_its_reference_point():
    """Scale.bounded: the reference point is the nadir (ref = 1 in normalised units); a far
    point with one objective at its best (a constant predictor's parity of 0) adds nothing and
    no longer moves the scale, as it does for Scale.from_points."""
    front = np.array([[0.3, 0.05], [0.4, 0.02], [0.5, 1e-6]])
    far = np.vstack([front, [8.0, 0.0]])
    point = [0.6, 0.08]
    a, b = Scale.bounded(front, point), Scale.bounded(far, point)
    np.testing.assert_array_equal(a.ideal, b.ideal)
    np.testing.assert_array_equal(a.nadir, point)
    np.testing.assert_array_equal(a.ref, [1.0, 1.0])
    assert compare(front, far, b)["hv_ratio"] == pytest.approx(1.0)
    assert compare(front[:2], front, a)["hv_ratio"] < 1
    assert Scale.from_points(far).nadir[0] == 8.0  # what the bounded scale avoids
    assert compare(np.array([[0.7, 0.01]]), front, a)["hv_ratio"] == 0.0
