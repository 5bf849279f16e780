"""The model protocol: Problem evaluates a user's model with the user's own predictions and gradient
(by every solver family), refuses incomplete models when it is built, and runs docs/models.md's
example as written."""

import re
from pathlib import Path

import numpy as np
import pytest

import tradeoff as to
from tradeoff.datasets import Dataset, blog_data
from tradeoff.models import (AffineModel, CappedLinearModel, LinearModel, LogisticModel, Model,
                             check_model, uses_affine_path)

DOCS = Path(__file__).resolve().parents[2] / "docs" / "models.md"


class SquaredFeatures(LinearModel):
    """ŷ = Σⱼ wⱼ xⱼ² + c: a user's model that changes the score and says how to differentiate it."""

    name = "squared"

    def score(self, Theta, X):
        return (X * X) @ Theta[:, :-1].T + Theta[:, -1]

    def pullback(self, Theta, X, dP, aux):
        GZ = dP * aux
        return np.hstack([GZ.T @ (X * X), GZ.sum(0)[:, None]])


class ScoreOnly(LinearModel):
    """The bug of issue 11: its own score, but the linear model's gradient."""

    def score(self, Theta, X):
        return (X * X) @ Theta[:, :-1].T + Theta[:, -1]


def _blog():
    d = blog_data(n=120, seed=0)
    return Dataset(d.X / 64.0, d.y, name="blog-scaled")  # x near 1, so x² is well scaled


def test_a_model_with_its_own_score_is_evaluated_with_its_score():
    model = SquaredFeatures()
    prob = to.Problem(_blog(), model, ["mse", {"name": "cap_violation", "cap": 120.0}])
    Theta = np.array([[40.0, 30.0], [90.0, -10.0]])
    own = model.predict(Theta, prob.data.X)
    mse = ((own - prob.data.y[:, None]) ** 2).mean(0)
    ev = prob.evaluate(Theta)
    np.testing.assert_allclose(ev.F[:, 0], mse, rtol=1e-12)
    linear = LinearModel().predict(Theta, prob.data.X)
    assert not np.allclose(((linear - prob.data.y[:, None]) ** 2).mean(0), mse)
    h = 1e-5
    for j in range(2):
        E = np.zeros_like(Theta)
        E[:, j] = h
        num = (prob.evaluate(Theta + E, grad=False).F - prob.evaluate(Theta - E, grad=False).F) / (2 * h)
        np.testing.assert_allclose(ev.dF[:, :, j], num, rtol=1e-6, atol=1e-6)


def test_every_solver_family_uses_the_models_own_score():
    model = SquaredFeatures()
    prob = to.Problem(_blog(), model, ["mse", {"name": "cap_violation", "cap": 120.0}])
    X, y = prob.data.X, prob.data.y

    def own_mse(Theta):
        return ((model.predict(Theta, X) - y[:, None]) ** 2).mean(0)

    grad = to.solve(prob, "weighted-sum", n_points=5, max_evaluations=3000)
    np.testing.assert_allclose(grad.F[:, 0], own_mse(grad.X), rtol=1e-10)
    evolved = to.solve(prob, "nsga2", pop_size=20, max_evaluations=400, seed=0)
    np.testing.assert_allclose(evolved.F[:, 0], own_mse(evolved.X), rtol=1e-10)
    exact = to.solve(prob, "exact", n_points=3)  # declines: the model is not affine in θ
    assert len(exact) == 0 and "convex" in exact.message
    assert prob.is_convex() == (False, "the squared model is not affine in θ")


def test_score_without_pullback_is_refused_when_the_problem_is_built():
    with pytest.raises(TypeError, match=r"`model` must be a model whose gradient matches its "
                                        r"predictions \(ScoreOnly overrides `score` but not "
                                        r"`pullback`, so its gradient would be the linear "
                                        r"score's\); got 'ScoreOnly'\. Implement pullback"):
        to.Problem(_blog(), ScoreOnly(), ["mse", "mae"])


def test_incomplete_protocol_and_non_models_are_refused():
    class ForwardOnly(Model):
        def n_params(self, p):
            return p + 1

        def forward(self, Theta, X):
            return X @ Theta[:, :-1].T, None

    with pytest.raises(TypeError, match=r"`model` must be a complete model protocol \(ForwardOnly "
                                        r"does not implement `pullback`\); got 'ForwardOnly'\."):
        to.Problem(_blog(), ForwardOnly(), ["mse", "mae"])
    with pytest.raises(TypeError, match=r"does not implement `n_params`, `forward`, `pullback`"):
        check_model(type("Empty", (Model,), {})())
    with pytest.raises(TypeError, match=r"`model` must be a model name or a tradeoff\.models\.Model; "
                                        r"got 'dict'"):
        check_model({"name": "linear"})


def test_affine_models_keep_their_fast_path():
    for m in (LinearModel(), CappedLinearModel(cap=3.0), LogisticModel()):
        assert uses_affine_path(m)

    class Probit(AffineModel):  # a new link keeps X̃θ: still affine
        def link(self, Z):
            from scipy.stats import norm
            return norm.cdf(Z), norm.pdf(Z)

    assert uses_affine_path(Probit())
    assert not uses_affine_path(SquaredFeatures())
    prob = to.Problem(_blog(), "linear", ["mse", "mae"])
    assert prob.affine and prob.param_names == ["m", "c"]
    np.testing.assert_allclose(prob.start_theta(2), np.repeat(
        prob.standardizer.to_original(prob.phi_start[None]), 2, 0))


def test_affine_jvp_and_stacked_pullback_equal_finite_differences():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(9, 3))
    model = LogisticModel()
    Theta, V = rng.normal(size=(2, 4)), rng.normal(size=(2, 4))
    P, S = model.forward(Theta, X)
    h = 1e-6
    num = (model.forward(Theta + h * V, X)[0] - model.forward(Theta - h * V, X)[0]) / (2 * h)
    np.testing.assert_allclose(model.jvp(Theta, X, V, S), num, rtol=1e-6, atol=1e-9)
    R = rng.normal(size=(9, 2, 3))
    stacked = model.pullback(Theta, X, R, S)
    for t in range(3):
        np.testing.assert_allclose(stacked[:, t], model.pullback(Theta, X, R[:, :, t], S), rtol=1e-12)


def _docs_code() -> str:
    section = DOCS.read_text().split("## Your own model", 1)[1].split("\n## ", 1)[0]
    return "\n".join(re.findall(r"```python\n(.*?)```", section, flags=re.S))


def test_docs_polynomial_model_example_runs():
    scope: dict = {}
    exec(compile(_docs_code(), str(DOCS), "exec"), scope)
    front, evolved, problem = scope["front"], scope["evolved"], scope["problem"]
    model = problem.model
    assert not problem.affine and problem.d == 4
    assert len(front) == 8 and np.isfinite(front.F).all() and len(evolved) >= 1
    # the fronts' values are the polynomial's own predictions
    X, y = problem.data.X, problem.data.y
    for f in (front, evolved):
        P = model.forward(f.X, X)[0]
        np.testing.assert_allclose(f.F[:, 0], ((P - y[:, None]) ** 2).mean(0), rtol=1e-10)
    # a cubic fits sin(2x) on [−1.5, 1.5] far better than a line does
    line = to.solve(to.Problem(problem.data, "linear", ["mse", "l2"]), "weighted-sum", n_points=8,
                    max_evaluations=4000)
    assert front.F[:, 0].min() < 0.5 * line.F[:, 0].min()
    # its gradient is the real one
    theta = front.X[3]
    ev = problem.evaluate(theta)
    h = 1e-6
    num = [(problem.evaluate(theta + h * e, grad=False).F[0] - problem.evaluate(theta - h * e, grad=False).F[0])
           / (2 * h) for e in np.eye(len(theta))]
    np.testing.assert_allclose(ev.dF[0].T, num, rtol=1e-5, atol=1e-8)
