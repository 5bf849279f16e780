import numpy as np
import pytest
from hypothesis import given, settings, strategies as st

from tradeoff.losses import get_loss
from tradeoff.models import CappedLinearModel, LinearModel, LogisticModel, Standardizer, get_model

from ..strategies import central_difference, regression_data, theta_batch

MODELS = [LinearModel(), CappedLinearModel(cap=1.5), LogisticModel()]


def _objective(model, loss, X, y):
    """f(θ) = mean ℓ(y, model(θ)) and its gradient through the model's pullback."""
    def value(theta):
        P = model.forward(theta[None, :], X)[0]
        return loss.value(y[:, None], P).mean()

    def grad(Theta):
        P, aux = model.forward(Theta, X)
        return model.pullback(Theta, X, loss.deriv(y[:, None], P) / len(y), aux)

    return value, grad


@pytest.mark.parametrize("model", MODELS, ids=lambda m: m.name)
@given(data=regression_data(), seed=st.integers(0, 2**16))
@settings(max_examples=30, deadline=None)
def test_gradient_equals_central_difference(model, data, seed):
    X, y = data
    loss = get_loss("log_loss" if model.name == "logistic" else "mse")
    if model.name == "logistic":
        y = (y > 0).astype(float)
        X = X / 10  # keep σ away from saturation, where log-loss's probability clip flattens it
    theta = np.random.default_rng(seed).normal(size=X.shape[1] + 1)
    Z = model.score(theta[None], X)[:, 0]
    if model.name == "capped_linear" and np.min(np.abs(Z - model.cap)) < 1e-4:
        return  # finite differences straddle the kink
    value, grad = _objective(model, loss, X, y)
    np.testing.assert_allclose(grad(theta[None])[0], central_difference(value, theta),
                               rtol=1e-5, atol=1e-5 * (1 + abs(value(theta))))


@pytest.mark.parametrize("model", MODELS, ids=lambda m: m.name)
@given(data=regression_data(), Theta=theta_batch(d=4))
@settings(max_examples=30, deadline=None)
def test_batch_equals_stack_of_singles(model, data, Theta):
    X, y = data
    Theta = Theta[:, : X.shape[1] + 1]
    P = model.predict(Theta, X)
    for k in range(len(Theta)):
        np.testing.assert_allclose(P[:, k], model.predict(Theta[k], X), rtol=1e-14, atol=1e-14)


@given(data=regression_data(), Theta=theta_batch(d=4), cap=st.floats(-100, 100))
@settings(max_examples=50, deadline=None)
def test_capped_model_never_predicts_above_cap(data, Theta, cap):
    X, _ = data
    Theta = Theta[:, : X.shape[1] + 1] * 1e3
    assert (CappedLinearModel(cap=cap).predict(Theta, X) <= cap).all()


def test_post_model_is_m_x_plus_c():
    X = np.array([[0.0], [1.0], [2.0]])
    np.testing.assert_array_equal(LinearModel().predict([2.0, 1.0], X), [1.0, 3.0, 5.0])
    np.testing.assert_array_equal(CappedLinearModel(cap=4.0).predict([2.0, 1.0], X), [1.0, 3.0, 4.0])


def test_standardizer_round_trip():
    rng = np.random.default_rng(0)
    X = rng.normal(5, 3, size=(50, 3))
    sc = Standardizer.fit(X)
    Phi = rng.normal(size=(4, 4))
    Theta = sc.to_original(Phi)
    # the same predictions in both parametrisations
    np.testing.assert_allclose(LinearModel().predict(Theta, X), LinearModel().predict(Phi, sc.transform(X)),
                               rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(sc.to_standard(Theta), Phi, rtol=1e-12, atol=1e-12)


def test_bad_model_inputs():
    with pytest.raises(ValueError, match=r"`model` must be one of capped_linear, linear, logistic, mlp; "
                                         r"got 'lineer'\. Did you mean 'linear'\?"):
        get_model("lineer")
    with pytest.raises(ValueError, match=r"`Theta` must be of shape \(K, 2\) or \(2,\); got 'shape \(3,\)'"):
        LinearModel().predict([1.0, 2.0, 3.0], np.ones((4, 1)))
    with pytest.raises(ValueError, match=r"`cap` must be a finite number; got nan"):
        CappedLinearModel(cap=float("nan"))
    with pytest.raises(ValueError, match=r"parameters of model 'linear'"):
        get_model("linear", cap=3)
