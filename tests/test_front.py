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
    assert list(frame.columns) == ["solver", "point", "mse", "cap_violation", "feasible", "m", "c"]
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
