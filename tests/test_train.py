import numpy as np
import pytest
from hypothesis import given, settings

from tradeoff.losses import mse
from tradeoff.train import TrainingDiverged, fit

from .strategies import regression_data


@given(data=regression_data(min_n=3))
@settings(max_examples=40, deadline=None)
def test_auto_step_never_increases_mse(data):
    X, y = data
    res = fit(X, y, loss="mse", lr="auto", epochs=30)
    losses = res.history.loss[:, 0]
    assert (np.diff(losses) <= 1e-12 * (1 + losses[:-1])).all()


def test_one_gradient_step_golden():
    # Hand-computed: x = (1, 2), y = (3, 5), θ₀ = (m, c) = (0, 0), L = 0.1.
    # ∂MSE/∂m = −2/n Σ x (y − ŷ) = −(1·3 + 2·5) = −13; ∂MSE/∂c = −(3 + 5) = −8.
    # θ₁ = (0 + 1.3, 0 + 0.8); MSE(θ₀) = (9 + 25)/2 = 17; ŷ₁ = (2.1, 3.4) → MSE = (0.81 + 2.56)/2.
    res = fit([[1.0], [2.0]], [3.0, 5.0], lr=0.1, epochs=1)
    np.testing.assert_allclose(res.history.theta[:, 0], [[0, 0], [1.3, 0.8]], rtol=1e-15)
    np.testing.assert_allclose(res.history.loss[:, 0], [17.0, 3.37 / 2], rtol=1e-14)


def test_sign_descent_moves_each_coordinate_by_exactly_lr():
    rng = np.random.default_rng(0)
    x = rng.uniform(10, 20, 30)
    res = fit(x, 3 * x + 50, loss="mae", optimizer="sign", lr=0.1, epochs=5)
    np.testing.assert_allclose(np.diff(res.history.theta[:, 0], axis=0), 0.1, rtol=1e-12)


def test_standardised_training_reports_original_units():
    rng = np.random.default_rng(1)
    X = rng.normal(50, 10, size=(200, 2))
    y = X @ [2.0, -1.0] + 7 + rng.normal(size=200)
    res = fit(X, y, lr="auto", epochs=500, standardize=True)
    ols = np.linalg.lstsq(np.column_stack([X, np.ones(200)]), y, rcond=None)[0]
    np.testing.assert_allclose(res.theta[0], ols, rtol=1e-6)
    assert mse(y, np.column_stack([X, np.ones(200)]) @ res.theta[0]) == pytest.approx(
        res.history.loss[-1, 0], rel=1e-10)


def test_candidates_train_together_as_one_batch():
    rng = np.random.default_rng(2)
    X, y = rng.normal(size=(40, 2)), rng.normal(size=40)
    theta0 = rng.normal(size=(3, 3))
    batch = fit(X, y, lr=0.05, epochs=10, theta0=theta0)
    for k in range(3):
        single = fit(X, y, lr=0.05, epochs=10, theta0=theta0[k])
        np.testing.assert_allclose(batch.history.theta[:, k], single.history.theta[:, 0], rtol=1e-12)


def test_adam_and_sgd_reduce_the_loss():
    rng = np.random.default_rng(3)
    X = rng.normal(size=(100, 2))
    y = X @ [1.0, 2.0] + 0.5
    for kwargs in ({"optimizer": "adam", "lr": 0.1}, {"optimizer": "sgd", "lr": 0.05, "batch_size": 10}):
        res = fit(X, y, epochs=50, seed=0, **kwargs)
        assert res.history.loss[-1, 0] < 0.05 * res.history.loss[0, 0]
    a = fit(X, y, optimizer="sgd", lr=0.05, batch_size=10, epochs=5, seed=7)
    b = fit(X, y, optimizer="sgd", lr=0.05, batch_size=10, epochs=5, seed=7)
    np.testing.assert_array_equal(a.history.theta, b.history.theta)


def test_divergence_names_the_learning_rate():
    x = np.linspace(0, 100, 50)
    with pytest.raises(TrainingDiverged, match=r"diverged at epoch \d+: the loss became inf with lr=1\b"):
        fit(x, 2 * x, lr=1.0, epochs=2000)
    res = fit(x, 2 * x, lr=1.0, epochs=2000, on_diverge="stop")
    assert res.history.status[0] == "diverged"
    assert np.isfinite(res.history.loss).all() and np.isfinite(res.history.theta).all()


@pytest.mark.parametrize("kwargs, message", [
    ({"X": [[1.0], [np.nan]], "y": [1.0, 2.0]}, r"`X` must be finite \(no NaN or inf\); got '1 non-finite values in rows \[1\]'"),
    ({"X": [[1.0], [2.0]], "y": [1.0, np.inf]}, r"`y` must be finite"),
    ({"X": [[1.0], [2.0], [3.0]], "y": [1.0, 2.0]}, r"`X and y` must be of the same length; got '3 rows in X and 2 in y'"),
    ({"X": np.empty((0, 1)), "y": []}, r"`X` must be non-empty"),
    ({"X": [[1.0]], "y": [1.0], "lr": -0.1}, r"`lr` must be > 0; got -0.1"),
    ({"X": [[1.0]], "y": [1.0], "lr": 0}, r"`lr` must be > 0; got 0"),
    ({"X": [[1.0]], "y": [1.0], "epochs": 0}, r"`epochs` must be > 0; got 0"),
    ({"X": [[1.0]], "y": [1.0], "loss": "rmse"}, r"`loss` must be one of huber, log_cosh, log_loss, mae, mse, pinball; got 'rmse'"),
    ({"X": [[1.0]], "y": [1.0], "loss": "mae", "lr": "auto"}, r"The automatic step needs a smooth loss"),
    ({"X": [[1.0]], "y": [1.0], "optimizer": "lbfgs"}, r"`optimizer` must be one of adam, gd, sgd, sign"),
])
def test_bad_input_messages(kwargs, message):
    kwargs = {"lr": 0.1, **kwargs}
    X, y = kwargs.pop("X"), kwargs.pop("y")
    with pytest.raises(ValueError, match=message):
        fit(X, y, **kwargs)


def test_epochs_must_be_an_integer():
    with pytest.raises(TypeError, match=r"`epochs` must be an integer; got 1.5"):
        fit([[1.0]], [1.0], lr=0.1, epochs=1.5)
