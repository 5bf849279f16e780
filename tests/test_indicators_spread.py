"""Spacing, sparsity and span on fronts worked out by hand, against pymoo's spacing, in compare."""

import numpy as np
import pytest
from pymoo.indicators.spacing import SpacingIndicator

from tradeoff import compare
from tradeoff.indicators import Scale, sparsity, spacing, span

# L1 nearest-neighbour gaps 3, 3, 5 (0→1: 1 + 2, 1→0: 3, 2→1: 3 + 2); mean 11/3
FRONT = np.array([[0.0, 4.0], [1.0, 2.0], [4.0, 0.0]])


def test_spacing_by_hand():
    # deviations −2/3, −2/3, 4/3: variance (4 + 4 + 16)/9/3 = 8/9
    assert spacing(FRONT) == pytest.approx(np.sqrt(8 / 9), abs=1e-15)
    assert spacing([[0, 3], [1, 1], [3, 0]]) == 0.0  # every gap is 3
    assert spacing([[1.0, 2.0]]) == 0.0 and spacing(np.zeros((0, 2))) == 0.0


@pytest.mark.parametrize("k, m, seed", [(5, 2, 0), (30, 3, 1), (200, 4, 2)])
def test_spacing_equals_pymoos(k, m, seed):
    F = np.random.default_rng(seed).random((k, m))
    assert spacing(F) == pytest.approx(SpacingIndicator().do(F), rel=1e-12)


def test_sparsity_by_hand():
    # f₁ sorted 0, 1, 4: gaps² 1 + 9; f₂ sorted 0, 2, 4: gaps² 4 + 4; (10 + 8) / (3 − 1)
    assert sparsity(FRONT) == pytest.approx(9.0, abs=1e-15)
    # a dominated point is not on the front and does not count
    assert sparsity(np.vstack([FRONT, [[5.0, 5.0]]])) == pytest.approx(9.0, abs=1e-15)
    assert sparsity([[2.0, 2.0]]) == 0.0
    # evenly spaced points on a line are denser the more of them there are
    line = [np.column_stack([t, 1 - t]) for t in (np.linspace(0, 1, 3), np.linspace(0, 1, 11))]
    assert sparsity(line[0]) == pytest.approx(0.5) and sparsity(line[1]) == pytest.approx(0.02)


def test_span_by_hand():
    np.testing.assert_array_equal(span(FRONT), [4.0, 4.0])
    np.testing.assert_array_equal(span(np.vstack([FRONT, [[5.0, -1.0]]])), [5.0, 5.0])
    np.testing.assert_array_equal(span(np.zeros((0, 3))), np.zeros(3))


def test_nan_is_an_error():
    with pytest.raises(ValueError, match=r"`F` must be free of NaN; got '1 of 2 points with NaN"):
        spacing([[0.0, 1.0], [np.nan, 0.0]])
    with pytest.raises(ValueError, match=r"`F` must be free of NaN"):
        sparsity([[0.0, 1.0], [np.nan, 0.0]])


def test_compare_reports_them_in_the_shared_normalisation():
    scale = Scale.from_points(FRONT)
    out = compare(FRONT, FRONT)
    assert out["spacing"] == pytest.approx(spacing(scale(FRONT)), abs=1e-15)
    assert out["sparsity"] == pytest.approx(sparsity(scale(FRONT)), abs=1e-15)
    # normalised by span 4 in each objective: every distance a quarter, squares a sixteenth
    assert out["spacing"] == pytest.approx(np.sqrt(8 / 9) / 4)
    assert out["sparsity"] == pytest.approx(9.0 / 16)
    assert compare(np.zeros((0, 2)), FRONT)["spacing"] == 0.0
