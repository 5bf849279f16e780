"""front.select: the ε-rule, pymoo's knee and pseudo-weights, and the ASF compromise."""

import numpy as np
import pytest

from tradeoff.front import Front, nondominated

# a convex front with a sharp knee at (0.1, 0.1), index 3
KNEE_F = np.array([[0.0, 1.0], [0.02, 0.6], [0.05, 0.3], [0.1, 0.1], [0.3, 0.05], [0.6, 0.02],
                   [1.0, 0.0]])


def _front(F, G=None, metrics=None):
    F = np.asarray(F, float)
    extra = {"metrics": metrics} if metrics else {}
    return Front(F, np.zeros((len(F), 2)), ("a", "b"), ("m", "c"), "hand", G=G, extra=extra)


def _normalised(F):
    lo, hi = F.min(0), F.max(0)
    return (F - lo) / (hi - lo)


def test_epsilon_minimises_one_value_within_bounds():
    fr = _front([[1, 5], [2, 3], [3, 2], [4, 1]], metrics={"b:exact": [0.5, 0.4, 0.1, 0.0]})
    assert fr.select("epsilon", minimise="a", bounds={"b": 2.5}) == 2
    assert fr.select("epsilon", minimise="a", bounds={"b": 3}) == 1  # ≤ is inclusive
    assert fr.select("epsilon", bounds={"b:exact": 0.45}) == 1  # minimise defaults to the first
    assert fr.select("epsilon", minimise="b:exact") == 3
    assert fr.select("epsilon", minimise="b", bounds={"a": 2, "b:exact": 0.45}) == 1


def test_epsilon_skips_infeasible_points_and_says_what_is_achievable():
    fr = _front([[1, 5], [2, 3], [3, 2]], G=[[0.0], [1.0], [-1.0]])
    assert fr.select("epsilon", minimise="a", bounds={"b": 4}) == 2  # point 1 breaks a constraint
    with pytest.raises(ValueError, match=r"`bounds` must be met by at least one feasible point.*"
                                         r"Best achievable: b ≥ 2"):
        fr.select("epsilon", bounds={"b": 1.0})


def test_epsilon_measures_on_given_data(clf_front):
    front, train, test = clf_front
    frame = front.evaluate(test)
    bound = float(frame["demographic_parity_sq:exact"].median())
    i = front.select("epsilon", minimise="log_loss",
                     bounds={"demographic_parity_sq:exact": bound}, data=test)
    ok = frame["demographic_parity_sq:exact"] <= bound
    assert i == frame.loc[ok, "log_loss"].idxmin()


def test_knee_is_pymoos_high_tradeoff_point():
    from pymoo.mcdm.high_tradeoff import HighTradeoffPoints

    fr = _front(KNEE_F)
    assert fr.select("knee") == 3
    assert fr.select() == 3  # the default rule
    assert list(HighTradeoffPoints().do(_normalised(KNEE_F))) == [3]


def test_knee_ignores_dominated_and_infeasible_points_and_maps_back():
    F = np.vstack([[[2.0, 2.0]], KNEE_F, [[0.09, 0.09]]])
    G = np.zeros((len(F), 1))
    G[-1] = 1.0  # the infeasible point that would dominate the knee
    assert _front(F, G=G).select("knee") == 4


def test_knee_falls_back_to_the_asf_point_with_a_warning():
    with pytest.warns(UserWarning, match="found no knee among 2"):
        assert _front([[0.0, 1.0], [1.0, 0.0]]).select("knee") == 0
    assert _front([[1.0, 1.0]]).select("knee") == 0


def test_pseudo_weights_is_pymoos():
    from pymoo.mcdm.pseudo_weights import PseudoWeights

    fr = _front(KNEE_F)
    for w in ([1.0, 0.0], [0.0, 1.0], [0.5, 0.5], [0.8, 0.2], [3, 1]):
        w_n = np.asarray(w, float) / np.sum(w)
        assert fr.select("pseudo_weights", weights=w) == PseudoWeights(w_n).do(KNEE_F)
    # weight only on a: the point best in a (pseudo-weight (1, 0)); only on b: best in b
    assert fr.select("pseudo_weights", weights=[1, 0]) == 0
    assert fr.select("pseudo_weights", weights=[0, 1]) == 6


def test_asf_compromise_is_pymoos_decomposition():
    from pymoo.decomposition.asf import ASF

    line = np.column_stack([np.linspace(0, 1, 11), 1 - np.linspace(0, 1, 11)])
    fr = _front(line)
    assert fr.select("asf") == 5  # equal weights on a symmetric front: the middle point
    for w in ([0.9, 0.1], [0.2, 0.8]):
        w = np.asarray(w)
        expected = int(np.argmin(ASF().do(line, 1 / w, utopian_point=np.zeros(2))))
        assert fr.select("asf", weights=w) == expected
    assert fr.select("asf", weights=[0.9, 0.1]) < 5 < fr.select("asf", weights=[0.1, 0.9])


def test_select_errors():
    fr = _front(KNEE_F)
    with pytest.raises(ValueError, match=r"`rule` must be one of asf, epsilon, knee, pseudo_weights;"
                                         r" got 'kne'. Did you mean 'knee'\?"):
        fr.select("kne")
    with pytest.raises(ValueError, match=r"`weights` must be given for rule 'pseudo_weights'"):
        fr.select("pseudo_weights")
    with pytest.raises(ValueError, match=r"`weights` must be 2 non-negative numbers"):
        fr.select("asf", weights=[1, 2, 3])
    with pytest.raises(ValueError, match=r"`weights` must be None for rule 'epsilon'"):
        fr.select("epsilon", weights=[1, 1])
    with pytest.raises(ValueError, match=r"`bounds` must be None for rule 'knee'"):
        fr.select("knee", bounds={"a": 1})
    with pytest.raises(ValueError, match=r"`bounds key 'c'` must be one of a, b"):
        fr.select("epsilon", bounds={"c": 1})
    with pytest.raises(ValueError, match=r"`minimise` must be one of a, b; got 'z'"):
        fr.select("epsilon", minimise="z")
    with pytest.raises(ValueError, match=r"`bounds\['b'\]` must be a finite number"):
        fr.select("epsilon", bounds={"b": float("nan")})
    with pytest.raises(ValueError, match=r"`front` must be a front with at least one feasible"):
        _front(KNEE_F, G=np.ones((len(KNEE_F), 1))).select("asf")


@pytest.fixture(scope="module")
def clf_front():
    import tradeoff as to
    from tradeoff.datasets.tabular import synthetic_shift

    train = synthetic_shift(n=600, task="classification", seed=1)
    test = synthetic_shift(n=400, task="classification", seed=2)
    front = to.solve(to.Problem(train, "logistic", ["log_loss", "demographic_parity_sq"]),
                     "weighted-sum", n_points=9)
    return front, train, test


def test_rules_on_a_solved_front_pick_non_dominated_points(clf_front):
    front, train, test = clf_front
    nd = nondominated(front.F)
    for rule, kw in (("knee", {}), ("asf", {}), ("pseudo_weights", {"weights": [0.5, 0.5]})):
        assert nd[front.select(rule, **kw)]
        assert front.select(rule, data=train, **kw) == front.select(rule, **kw)
