"""Indicators and NaN: a NaN point is never non-dominated, and the indicators raise a clear error for
NaN or an empty reference instead of dropping points or returning 0, inf or numpy's own text."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

import tradeoff as to
from tradeoff.datasets import blog_data
from tradeoff.front import Front, Scale, compare, hypervolume, igd_plus, nondominated

NAN = float("nan")
NUMPY_WORDS = ("zero-size", "reduction operation", "identity", "broadcast", "LinAlgError", "axis")


def _clean(err) -> bool:
    return not any(w in str(err) for w in NUMPY_WORDS)


@pytest.mark.parametrize("F, expected", [
    ([[NAN, 1], [1, 2], [2, 1]], [False, True, True]),                 # NaN would "dominate" nothing
    ([[NAN, NAN], [1, 1]], [False, True]),
    ([[0, 0], [NAN, -5]], [True, False]),                                # a NaN beside a better value
    ([[NAN, 1, 1], [1, 2, 1], [2, 1, 1], [3, 3, 3]], [False, True, True, False]),  # m = 3
    ([[NAN, 0]], [False]),
])
def test_nan_rows_are_never_nondominated(F, expected):
    assert nondominated(F).tolist() == expected
    assert nondominated(F, tol=1e-6).tolist() == expected


finite_or_nan = st.one_of(st.floats(-10, 10), st.just(NAN))


@settings(max_examples=60, deadline=None)
@given(arrays(float, st.tuples(st.integers(0, 12), st.integers(2, 3)), elements=finite_or_nan))
def test_nan_rows_do_not_change_the_other_rows_verdict(F):
    nan = np.isnan(F).any(axis=1)
    mask = nondominated(F)
    assert not mask[nan].any()
    assert (mask[~nan] == nondominated(F[~nan])).all()
    # idempotent on what it keeps
    kept = F[mask]
    assert nondominated(kept).all()


@pytest.mark.parametrize("F, ref, match", [
    ([[NAN, 0.1], [0.5, 0.5]], [1, 1], r"`F` must be free of NaN; got '1 of 2 points with NaN "
                                      r"\(rows \[0\]\)'\. Drop those rows first"),
    ([[NAN, NAN]], [1, 1], r"`F` must be free of NaN"),
    ([[0.5, 0.5], [0.2, NAN], [NAN, 0.1]], [1, 1], r"2 of 3 points with NaN \(rows \[1, 2\]\)"),
    ([[0.5, 0.5]], [1, NAN], r"`ref_point` must be free of NaN"),
    ([[0.5, 0.5]], [1, 1, 1], r"`ref_point` must be of length 2"),
])
def test_hypervolume_rejects_nan(F, ref, match):
    with pytest.raises(ValueError, match=match) as info:
        hypervolume(np.array(F), ref)
    assert _clean(info.value)


def test_hypervolume_of_good_and_empty_input():
    assert hypervolume(np.array([[0.5, 0.5]]), [1, 1]) == pytest.approx(0.25)
    assert hypervolume(np.zeros((0, 2)), [1, 1]) == 0.0


@pytest.mark.parametrize("F, R, match", [
    ([[0.1, 0.2]], np.zeros((0, 2)), r"`reference_F` must be a front with at least one point"),
    ([[0.1, 0.2]], [], r"`reference_F` must be a front with at least one point"),
    ([[0.1, 0.2]], [[NAN, 0.1]], r"`reference_F` must be free of NaN"),
    ([[NAN, 0.2]], [[0.1, 0.1]], r"`F` must be free of NaN"),
    ([[0.1, 0.2, 0.3]], [[0.1, 0.1]], r"`F` must be 2 columns, one per objective"),
])
def test_igd_plus_rejects_an_empty_reference_and_nan(F, R, match):
    with pytest.raises(ValueError, match=match) as info:
        igd_plus(F, R)
    assert _clean(info.value)


def test_igd_plus_of_an_empty_front_is_inf():
    assert igd_plus(np.zeros((0, 2)), [[0.1, 0.1]]) == float("inf")
    assert igd_plus([[0.1, 0.1]], [[0.1, 0.1]]) == 0.0


def _front(F):
    F = np.asarray(F, float)
    return Front(F, np.zeros((len(F), 1)), ("a", "b"), ("t",), "test")


@pytest.mark.parametrize("reference, match", [
    (np.array([[NAN, 0.1], [0.5, 0.5]]), r"`reference` must be free of NaN"),
    (np.array([[NAN, NAN]]), r"`reference` must be free of NaN"),
    (np.zeros((0, 2)), r"`reference` must be a front with at least one point.*not convex"),
    (_front(np.zeros((0, 2))), r"`reference` must be a front with at least one point"),
    (_front([[0.0, 1.0], [NAN, 0.0]]), r"`reference` must be free of NaN"),
])
def test_compare_rejects_a_bad_reference(reference, match):
    with pytest.raises(ValueError, match=match) as info:
        compare(_front([[0.2, 0.8], [0.8, 0.2]]), reference)
    assert _clean(info.value)


def test_compare_scores_a_front_without_its_nan_points():
    R = np.array([[0.0, 1.0], [1.0, 0.0]])
    with_nan = _front([[0.0, 1.0], [NAN, 0.0], [1.0, 0.0]])
    assert compare(with_nan, R) == compare(_front(R), R)
    with pytest.raises(ValueError, match=r"`front` must be free of NaN"):
        compare(np.array([[NAN, 0.0]]), R)  # an array is scored as given
    empty = compare(_front(np.zeros((0, 2))), R)
    assert empty["hv"] == 0.0 and empty["igd_plus"] == float("inf")


def test_scale_from_an_empty_reference_is_a_clear_error():
    with pytest.raises(ValueError, match=r"`reference` must be a front with at least one point"):
        Scale.from_points(np.zeros((0, 2)))


def test_a_non_convex_exact_front_gives_a_clear_error_in_compare():
    prob = to.Problem(blog_data(n=40), "linear", ["mse", "mae"])  # mae: no second derivative
    exact = to.solve(prob, "exact")
    assert len(exact) == 0 and not exact.success
    with pytest.raises(ValueError, match=r"`reference` must be a front with at least one point"):
        compare(to.solve(prob, "nsga2", pop_size=8, max_evaluations=40), exact)


@pytest.mark.parametrize("Theta, match", [
    ([[NAN, 1.0]], r"`Theta` must be finite \(no NaN or inf\); got '1 non-finite values in rows "
                   r"\[0\]'"),
    ([[1.0, 2.0], [np.inf, 0.0], [0.0, -np.inf]], r"2 non-finite values in rows \[1, 2\]"),
    ([NAN, NAN], r"`Theta` must be finite"),
    ([["a", 1.0]], r"`Theta` must be numeric"),
])
def test_evaluate_rejects_nonfinite_parameters(Theta, match):
    prob = to.Problem(blog_data(n=20), "linear", ["mse", "mae"])
    for call in (lambda: prob.evaluate(Theta), lambda: prob.evaluate(Theta, grad=False),
                 lambda: prob.exact_metrics(Theta)):
        with pytest.raises((ValueError, TypeError), match=match):
            call()


def test_infinities_are_not_nan_and_each_reference_point_counts():
    # inf and -inf sum to NaN: the quick look must not mistake them for a NaN point
    F = np.array([[np.inf, 0.0], [-np.inf, 2.0], [0.5, 0.5]])
    assert hypervolume(F, [1.0, 1.0]) == pytest.approx(0.25)
    # the per-reference-point cache of moocore's set-up: another point, another volume
    G = np.array([[0.5, 0.5]])
    assert hypervolume(G, [1.0, 1.0]) == pytest.approx(0.25)
    assert hypervolume(G, [2.0, 1.0]) == pytest.approx(0.75)
    assert hypervolume(G, [1.0, 1.0]) == pytest.approx(0.25)
