import numpy as np
import pytest
from hypothesis import given, settings, strategies as st

from tradeoff import losses
from tradeoff.losses import LOSSES, get_loss

from .strategies import pairs

REGRESSION = [n for n in LOSSES if n != "log_loss"]


def _pointwise(name, y, p):
    loss = get_loss(name)
    return loss.value(np.asarray(y, float), np.asarray(p, float))


@pytest.mark.parametrize("name", REGRESSION)
@given(data=pairs(), d1=st.floats(0, 50), d2=st.floats(0, 50))
@settings(max_examples=40, deadline=None)
def test_regression_loss_nonnegative_zero_and_monotone(name, data, d1, d2):
    y, _ = data
    assert (_pointwise(name, y, y) == 0).all()
    lo, hi = sorted([d1, d2])
    for sign in (1.0, -1.0):  # pinball is monotone on each side of zero separately
        near = _pointwise(name, y, y + sign * lo)
        far = _pointwise(name, y, y + sign * hi)
        assert (near >= 0).all()
        assert (far >= near - 1e-9 * (1 + np.abs(near))).all()


@given(data=pairs(binary=True), t=st.floats(0, 1))
@settings(max_examples=40, deadline=None)
def test_log_loss_nonnegative_zero_and_monotone(data, t):
    y, p = data
    assert np.allclose(_pointwise("log_loss", y, y), 0, atol=1e-12)
    closer = y + t * (p - y)  # moves the prediction toward the label
    assert (_pointwise("log_loss", y, closer) <= _pointwise("log_loss", y, p) + 1e-12).all()


@pytest.mark.parametrize("name", LOSSES)
@given(data=pairs(binary=False))
@settings(max_examples=40, deadline=None)
def test_derivative_equals_central_difference(name, data):
    y, p = data
    if name == "log_loss":
        y = (y > 0).astype(float)
        p = 0.05 + 0.9 / (1 + np.exp(-p / 100))
    loss = get_loss(name)
    h = 1e-6 * np.maximum(1, np.abs(p))
    # skip points within h of a kink (|r| = 0 for mae/pinball, |r| = δ for huber)
    r = np.abs(p - y)
    ok = (r > 2 * h) & (np.abs(r - 1.0) > 2 * h)
    numeric = (loss.value(y, p + h) - loss.value(y, p - h)) / (2 * h)
    np.testing.assert_allclose(loss.deriv(y, p)[ok], numeric[ok], rtol=1e-5, atol=1e-5)


@pytest.mark.parametrize("name", LOSSES)
def test_batch_equals_stack_of_singles(name):
    rng = np.random.default_rng(0)
    y = (rng.random(40) > 0.5).astype(float) if name == "log_loss" else rng.normal(size=40)
    P = rng.random((40, 6)) if name == "log_loss" else rng.normal(size=(40, 6))
    loss = get_loss(name)
    batch = loss(y, P)
    assert batch.shape == (6,)
    np.testing.assert_array_equal(batch, [loss(y, P[:, k]) for k in range(6)])


def test_golden_values():
    # Hand-computed: residuals ŷ − y = (0, 0, 2) for y = (1, 2, 3), ŷ = (1, 2, 5).
    y, p = np.array([1.0, 2, 3]), np.array([1.0, 2, 5])
    assert losses.mse(y, p) == pytest.approx(4 / 3, rel=1e-15)  # (0 + 0 + 4) / 3
    assert losses.mae(y, p) == pytest.approx(2 / 3, rel=1e-15)  # (0 + 0 + 2) / 3
    assert losses.huber_loss(y, p, delta=1.0) == pytest.approx(0.5, rel=1e-15)  # 1·(2 − ½) / 3
    assert losses.log_cosh(y, p) == pytest.approx(np.log(np.cosh(2.0)) / 3, rel=1e-14)
    # pinball at τ = 0.9 with y − ŷ = (1, 0, −2) for ŷ = (0, 2, 5): (0.9·1 + 0 + 0.1·2) / 3
    assert losses.pinball_loss(y, np.array([0.0, 2, 5]), quantile=0.9) == pytest.approx(1.1 / 3)
    # log-loss of p = (0.8, 0.3) for labels (1, 0): (−ln 0.8 − ln 0.7) / 2
    assert losses.log_loss([1.0, 0.0], [0.8, 0.3]) == pytest.approx(
        (-np.log(0.8) - np.log(0.7)) / 2, rel=1e-14)


def test_agrees_with_scikit_learn():
    sk = pytest.importorskip("sklearn.metrics")
    rng = np.random.default_rng(1)
    y, p = rng.normal(size=50), rng.normal(size=50)
    w = rng.random(50)
    assert losses.mse(y, p, w) == pytest.approx(sk.mean_squared_error(y, p, sample_weight=w), 1e-13)
    assert losses.mae(y, p) == pytest.approx(sk.mean_absolute_error(y, p), rel=1e-13)
    assert losses.pinball_loss(y, p, quantile=0.3) == pytest.approx(
        sk.mean_pinball_loss(y, p, alpha=0.3), rel=1e-13)
    lab, prob = (rng.random(50) > 0.5).astype(float), rng.random(50)
    assert losses.log_loss(lab, prob) == pytest.approx(sk.log_loss(lab, prob), rel=1e-13)


def test_unknown_loss_lists_valid_names():
    with pytest.raises(ValueError, match=r"`loss` must be one of huber, log_cosh, log_loss, mae, "
                                         r"mse, pinball; got 'msee'\. Did you mean 'mse'\?"):
        get_loss("msee")


def test_bad_inputs():
    with pytest.raises(ValueError, match=r"`y_pred` must be of length 3"):
        losses.mse([1, 2, 3], [1, 2])
    with pytest.raises(ValueError, match=r"`y_true` must be finite \(no NaN or inf\)"):
        losses.mse([1, np.nan], [1, 2])
    with pytest.raises(ValueError, match=r"`y_true` must be non-empty"):
        losses.mse([], [])
    with pytest.raises(ValueError, match=r"`quantile` must be in the open interval \(0, 1\); got 1.5"):
        losses.pinball_loss([1.0], [1.0], quantile=1.5)
    with pytest.raises(ValueError, match=r"`delta` must be > 0; got -1"):
        losses.huber_loss([1.0], [1.0], delta=-1)
