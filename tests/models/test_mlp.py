"""The batched MLP: gradients equal finite differences, K batched networks equal K separate ones,
seeded initialisation, views not copies, weight decay on weights only, and errors."""

import numpy as np
import pytest
from hypothesis import given, settings, strategies as st

import tradeoff as to
from tradeoff.models import mlp as mlp_module
from tradeoff.datasets import Dataset
from tradeoff.models import MLP, get_model, predictions

ACTIVATIONS = ["relu", "tanh", "gelu"]
OUTPUTS = ["linear", "logistic"]


@st.composite
def networks(draw):
    hidden = draw(st.lists(st.integers(1, 5), min_size=1, max_size=3))
    model = MLP(hidden=hidden, activation=draw(st.sampled_from(ACTIVATIONS)),
                output=draw(st.sampled_from(OUTPUTS)))
    n, p, K = draw(st.integers(1, 9)), draw(st.integers(1, 4)), draw(st.integers(1, 4))
    seed = draw(st.integers(0, 2**16))
    return model, n, p, K, seed


def _setup(model, n, p, K, seed):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, p))
    Theta = model.init(K, p, rng) + 0.3 * rng.normal(size=(K, model.n_params(p)))
    return X, Theta, rng


@given(networks())
@settings(max_examples=40, deadline=None)
def test_pullback_equals_central_differences(case):
    model, n, p, K, seed = case
    X, Theta, rng = _setup(model, n, p, K, seed)
    R = rng.normal(size=(n, K, 2))  # two linear functionals of P: f_kt = Σᵢ Rᵢₖₜ Pᵢₖ

    def f(T):
        return np.einsum("nk,nkt->kt", model.forward(T, X)[0], R)

    P, aux = model.forward(Theta, X)
    g = model.pullback(Theta, X, R, aux)  # (K, 2, d)
    h = 1e-6
    num = np.empty_like(g)
    for j in range(Theta.shape[1]):
        E = np.zeros_like(Theta)
        E[:, j] = h
        num[:, :, j] = (f(Theta + E) - f(Theta - E)) / (2 * h)
    # relu's kink: a central difference straddling it is off; skip those rare draws
    if model.activation == "relu":
        Z = np.abs(X @ Theta[:, : p * model.hidden[0]].reshape(K, p, -1)
                   + Theta[:, p * model.hidden[0]: (p + 1) * model.hidden[0]][:, None])
        if Z.min() < 1e-4:
            return
    np.testing.assert_allclose(g, num, rtol=1e-5, atol=1e-6 * (1 + np.abs(num).max()))
    # one functional at a time gives the same as the stack
    np.testing.assert_allclose(model.pullback(Theta, X, R[:, :, 1], aux), g[:, 1], rtol=1e-12,
                               atol=1e-14)


@given(networks())
@settings(max_examples=30, deadline=None)
def test_batch_equals_stack_of_separate_networks(case):
    model, n, p, K, seed = case
    X, Theta, rng = _setup(model, n, p, K, seed)
    P, aux = model.forward(Theta, X)
    dP = rng.normal(size=(n, K))
    G = model.pullback(Theta, X, dP, aux)
    for k in range(K):
        Pk, auxk = model.forward(Theta[k:k + 1], X)
        np.testing.assert_allclose(P[:, k], Pk[:, 0], rtol=1e-12, atol=1e-12)
        np.testing.assert_allclose(G[k], model.pullback(Theta[k:k + 1], X, dP[:, k:k + 1], auxk)[0],
                                   rtol=1e-12, atol=1e-12)


def test_weights_are_views_of_theta():
    model = MLP(hidden=[4, 3])
    Theta = model.init(5, 2, 0)
    for W in model._unpack(Theta, 2):
        assert np.shares_memory(W, Theta)
    assert MLP(hidden=[64, 64]).n_params(80) == 9409  # (80+1)·64 + (64+1)·64 + 65


def test_initialisation_is_seeded_he_and_glorot():
    model = MLP(hidden=[200, 100], activation="relu", seed=3, init_scheme="he")
    T1, T2 = model.init(4, 50), model.init(4, 50)
    np.testing.assert_array_equal(T1, T2)
    np.testing.assert_array_equal(model.init(2, 50), T1[:2])  # row k does not depend on K
    assert not np.array_equal(MLP(hidden=[200, 100], seed=4, init_scheme="he").init(4, 50), T1)
    np.testing.assert_array_equal(model.init(3, 50, 7), model.init(3, 50, np.random.default_rng(7)))
    W1, W2, w = model._unpack(T1, 50)
    assert np.all(W1[:, -1] == 0) and np.all(W2[:, -1] == 0) and np.all(w[:, -1] == 0)  # biases
    assert abs(W1[:, :-1].std() - np.sqrt(2 / 50)) < 0.02 * np.sqrt(2 / 50) * 5
    assert abs(W2[:, :-1].std() - np.sqrt(2 / 200)) < 0.1 * np.sqrt(2 / 200)
    assert abs(w[:, :-1].std() - np.sqrt(2 / 101)) < 0.2 * np.sqrt(2 / 101)
    tanh = MLP(hidden=[200], activation="tanh", init_scheme="he").init(4, 50)
    assert abs(tanh[:, :50 * 200].std() - np.sqrt(2 / 250)) < 0.05 * np.sqrt(2 / 250)


@pytest.mark.parametrize("scheme", ["he", "glorot", "torch"])
def test_each_init_scheme_is_seeded(scheme):
    model = get_model("mlp", hidden=[200, 100], init_scheme=scheme, seed=3)
    T = model.init(4, 50)
    np.testing.assert_array_equal(model.init(4, 50), T)
    np.testing.assert_array_equal(model.init(2, 50), T[:2])  # row k does not depend on K
    np.testing.assert_array_equal(model.init(3, 50, 7), model.init(3, 50, np.random.default_rng(7)))
    assert not np.array_equal(get_model("mlp", hidden=[200, 100], init_scheme=scheme,
                                        seed=4).init(4, 50), T)
    assert model.describe()["init_scheme"] == scheme
    assert MLP(**{k: v for k, v in model.describe().items() if k != "name"}) == model


def test_init_scheme_distributions():
    glorot = MLP(hidden=[200, 100], init_scheme="glorot", seed=0)
    W1, W2, w = glorot._unpack(glorot.init(4, 50), 50)
    assert np.all(W1[:, -1] == 0) and np.all(W2[:, -1] == 0) and np.all(w[:, -1] == 0)
    for W, fan_in, fan_out in ((W1, 50, 200), (W2, 200, 100), (w, 100, 1)):
        var = 2 / (fan_in + fan_out)  # Glorot in every layer, relu or not
        assert abs(W[:, :-1].var() - var) < 4 * np.sqrt(2 / W[:, :-1].size) * var  # 4 std errors
    he = MLP(hidden=[200, 100], seed=0, init_scheme="he")
    assert MLP().init_scheme == "torch"  # the default: the best held-out HV measured
    assert abs(he._unpack(he.init(4, 50), 50)[0][:, :-1].var() - 2 / 50) < 0.1 * 2 / 50
    pt = MLP(hidden=[200, 100], init_scheme="torch", seed=0)
    T = pt.init(4, 50)
    for W, fan_in in zip(pt._unpack(T, 50), (50, 200, 100)):  # weights and biases alike
        bound = 1 / np.sqrt(fan_in)
        for part in (W[:, :-1], W[:, -1]):
            assert np.abs(part).max() <= bound and np.all(part != 0)
            if part.size >= 100:  # the bound is reached, not a smaller one
                assert np.abs(part).max() > 0.95 * bound
        var = bound ** 2 / 3  # a uniform's; its estimate's relative std error is √(0.8/N)
        assert abs(W[:, :-1].var() - var) < 4 * np.sqrt(0.8 / W[:, :-1].size) * var
    assert abs(T.mean()) < 0.01
    with pytest.raises(ValueError, match=r"`init_scheme` must be one of glorot, he, torch; got "
                                         r"'xavier'\."):
        get_model("mlp", init_scheme="xavier")


def _classification(n=60, p=3, seed=0):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, p))
    groups = (rng.random(n) < 0.5).astype(int)
    y = (X[:, 0] + 0.5 * groups + 0.3 * rng.normal(size=n) > 0).astype(float)
    return Dataset(X, y, groups=groups)


@pytest.mark.parametrize("small_blocks", [False, True])
def test_problem_gradients_through_the_mlp(monkeypatch, small_blocks):
    """log-loss (a sum over rows) and the parity gap (needs all rows): Problem.evaluate's gradient
    equals finite differences, in one block and in many."""
    if small_blocks:
        monkeypatch.setattr(mlp_module, "BLOCK_NUMBERS", 16 * 3 * 4)  # 16-row blocks
    model = MLP(hidden=[4], activation="tanh", output="logistic")
    prob = to.Problem(_classification(), model, ["log_loss", "demographic_parity_sq", "l2"])
    Theta = prob.start_theta(3, 1)
    ev = prob.evaluate(Theta)
    _assert_central_differences(prob, Theta, ev.dF, every=3, atol=1e-8)


def test_row_blocks_do_not_change_results(monkeypatch):
    model = MLP(hidden=[5, 3], activation="gelu", output="logistic")
    prob = to.Problem(_classification(n=101), model, ["log_loss", "equalized_odds_sq"])
    Theta = prob.start_theta(4, 2)
    one = prob.evaluate(Theta)
    monkeypatch.setattr(mlp_module, "BLOCK_NUMBERS", 16 * 4 * 5)
    many = prob.evaluate(Theta)
    np.testing.assert_allclose(many.F, one.F, rtol=1e-12)
    np.testing.assert_allclose(many.dF, one.dF, rtol=1e-10, atol=1e-14)
    np.testing.assert_allclose(predictions(model, Theta, prob.data.X),
                               model.forward(Theta, prob.data.X)[0], rtol=1e-13)


def test_l2_penalises_weights_not_biases():
    model = MLP(hidden=[3], output="logistic")
    prob = to.Problem(_classification(p=2), model, ["log_loss", "l2"])
    Theta = prob.start_theta(2, 0) + 1.0
    mask = model.penalized(2)
    assert mask.sum() == 2 * 3 + 3 and (~mask).sum() == 3 + 1  # weights; the biases are not
    ev = prob.evaluate(Theta)
    np.testing.assert_allclose(ev.F[:, 1], (Theta[:, mask] ** 2).sum(1))
    np.testing.assert_allclose(ev.dF[:, 1], 2 * Theta * mask)
    # the linear model keeps its rule: everything but the intercept
    lin = to.Problem(_classification(p=2), "logistic", ["log_loss", "l2"])
    np.testing.assert_allclose(lin.evaluate(np.ones((1, 3))).F[0, 1], 2.0)


def test_problem_description_with_an_mlp():
    model = get_model("mlp", hidden=[3], output="logistic")
    prob = to.Problem(_classification(p=2), model, ["log_loss", "demographic_parity_sq"])
    assert prob.is_convex() == (False, "the mlp model is not affine in θ")
    names = prob.param_names
    assert len(names) == prob.d == len(set(names))
    assert names[:4] == ["l1.w[x0,0]", "l1.w[x0,1]", "l1.w[x0,2]", "l1.w[x1,0]"]
    assert names[-4:] == ["out.w[h1_0]", "out.w[h1_1]", "out.w[h1_2]", "out.b"]
    np.testing.assert_array_equal(prob.start_theta(3, 5), model.init(3, 2, 5))
    lo, hi = prob.phi_box()
    assert lo.shape == (prob.d,) and (lo < hi).all()
    with pytest.raises(ValueError, match=r"`model` must be an affine model for second derivatives; "
                                         r"got 'mlp'\. Use a first-order solver"):
        prob.second_order(prob.start_theta(1), np.ones((1, 2)))


def test_mlp_from_a_config_table_and_solvers():
    prob = to.Problem.from_dict({
        "data": {"name": "synthetic_shift", "task": "classification", "n": 200, "seed": 1},
        "model": {"name": "mlp", "hidden": [3], "activation": "tanh", "output": "logistic",
                  "seed": 0},
        "objectives": ["log_loss", "demographic_parity_sq"]})
    X = prob.data.X
    assert prob.model == MLP(hidden=(3,), activation="tanh", output="logistic", seed=0,
                             input_mean=tuple(X.mean(0)), input_scale=tuple(X.std(0)))
    assert prob.model.describe() == {"name": "mlp", "hidden": [3], "activation": "tanh",
                                     "output": "logistic", "seed": 0, "init_scheme": "torch",
                                     "input_mean": X.mean(0).tolist(),
                                     "input_scale": X.std(0).tolist()}
    front = to.solve(prob, "weighted-sum", n_points=4, max_evaluations=600)
    assert front.X.shape[1] == prob.d and np.isfinite(front.F).all()
    # the front's values are the network's own: recompute them from its parameters
    np.testing.assert_allclose(prob.evaluate(front.X, grad=False).F, front.F, rtol=1e-10)
    # better than where it started on log-loss
    start = prob.evaluate(prob.start_theta(1), grad=False).F[0, 0]
    assert front.F[:, 0].min() < start
    evolved = to.solve(prob, "nsga2", pop_size=12, max_evaluations=120, seed=0)
    assert evolved.X.shape[1] == prob.d and len(evolved) >= 1
    assert "demographic_parity_sq:exact" in evolved.extra["metrics"]
    exact = to.solve(prob, "exact", n_points=3)
    assert len(exact) == 0 and not exact.success


def test_bad_mlp_parameters():
    with pytest.raises(ValueError, match=r"`hidden` must be a non-empty list of positive layer "
                                         r"widths, e\.g\. \[64, 64\]; got \[\]\."):
        MLP(hidden=[])
    with pytest.raises(ValueError, match=r"`hidden` must be .*; got \[64, 0\]"):
        get_model("mlp", hidden=[64, 0])
    with pytest.raises(ValueError, match=r"`activation` must be one of gelu, relu, tanh; got "
                                         r"'sigmoid'\."):
        get_model("mlp", activation="sigmoid")
    with pytest.raises(ValueError, match=r"`output` must be one of linear, logistic; got 'probit'"):
        get_model("mlp", output="probit")
    with pytest.raises(TypeError, match=r"`seed` must be an integer"):
        get_model("mlp", seed="a")
    with pytest.raises(TypeError, match=r"`seed` must be an integer; got None\."):
        MLP(seed=None)
    with pytest.raises(ValueError, match=r"`parameters of model 'mlp'` must be among hidden, "
                                         r"activation, output, seed, threshold, standardize, "
                                         r"input_mean, input_scale, init_scheme; got \['width'\]"):
        get_model("mlp", width=3)
    assert MLP(hidden=8).hidden == (8,)
    with pytest.raises(ValueError, match=r"`model` must be a model that predicts probabilities for "
                                         r"loss 'log_loss'; got \"mlp with output='linear'\"\. "
                                         r"Give it output='logistic'"):
        to.Problem(_classification(), MLP(hidden=[3]), ["log_loss", "demographic_parity_sq"])


def test_mlp_in_an_experiment_config():
    import tomllib

    from tradeoff.experiments.config import parse_config

    raw = tomllib.loads("""
[experiment]
name = "mlp"
seeds = [0]

[[problems]]
name = "shift"
data = { name = "synthetic_shift", task = "classification", n = 100, seed = 1 }
model = { name = "mlp", hidden = [4, 3], activation = "gelu", output = "logistic", seed = 2 }
objectives = ["log_loss", "demographic_parity_sq", "l2"]

[[solvers]]
name = "weighted-sum"
options = { n_points = 3, max_evaluations = 60 }
""")
    assert "weighted-sum" in [r.label for r in parse_config(raw).runs()]
    prob = to.Problem.from_dict(raw["problems"][0])
    assert prob.model == MLP(hidden=(4, 3), activation="gelu", output="logistic", seed=2).fit_inputs(
        prob.data.X)
    p = prob.data.X.shape[1]
    assert prob.d == (p + 1) * 4 + (4 + 1) * 3 + 4


def test_fit_trains_an_mlp_from_its_seeded_start():
    from tradeoff.train import fit

    d = _classification(n=80, p=2)
    model = MLP(hidden=[5], output="logistic", seed=1)
    res = fit(d.X, d.y, loss="log_loss", model=model, lr=0.5, epochs=30)
    assert res.history.loss[-1].max() < res.history.loss[0].max()
    np.testing.assert_array_equal(res.history.theta[0], model.init(1, 2))
    with pytest.raises(ValueError, match=r"`standardize` must be False for the mlp model"):
        fit(d.X, d.y, loss="log_loss", model=model, lr=0.5, standardize=True)


def test_second_order_paths_decline_the_mlp_clearly():
    prob = to.Problem(_classification(), MLP(hidden=[3], output="logistic"),
                      ["log_loss", "demographic_parity_sq"])
    assert not prob.has_second_order()
    Theta = prob.start_theta(2, 0)
    F, G, dV, H = prob.derivatives(Theta)
    ev = prob.evaluate(Theta)
    np.testing.assert_allclose(F, ev.F)
    np.testing.assert_allclose(dV, ev.dF)
    assert H is None
    with pytest.raises(ValueError, match=r"`model` must be an affine model for second derivatives; "
                                         r"got 'mlp'"):
        prob.derivatives(Theta, np.ones((2, 2)))
    with pytest.raises(ValueError, match=r"`method` must be 'lbfgs' or 'gd' for this problem"):
        to.solve(prob, "weighted-sum", n_points=2, method="newton")


def test_inputs_are_standardized_with_the_training_rows_and_kept():
    # raw columns far from unit scale (Adult's capital gain reaches 99,999) must not saturate the
    # units: the network sees (X − μ)/s with μ, s of the training rows, and keeps them for new rows
    data = _classification()
    big = Dataset(data.X * [1e4, 1.0, 1.0] + [5e4, 0.0, 0.0], data.y, groups=data.groups)
    prob = to.Problem(big, MLP(hidden=[5], output="logistic", seed=1), ["log_loss", "l2"])
    mu, s = big.X.mean(0), big.X.std(0)
    assert np.allclose(prob.model.input_mean, mu) and np.allclose(prob.model.input_scale, s)
    Theta = prob.start_theta(3)
    raw = MLP(hidden=[5], output="logistic", seed=1, standardize=False)
    np.testing.assert_allclose(prob.model.predict(Theta, big.X),
                               raw.predict(Theta, (big.X - mu) / s), rtol=1e-12)
    # a problem on other rows (a test split) with the trained model keeps the training scaling
    other = to.Problem(big.subset(np.arange(10)), prob.model, ["log_loss", "l2"])
    assert other.model.input_mean == prob.model.input_mean
    # the scaling survives describe() → get_model (what saved fronts store)
    desc = prob.model.describe()
    assert get_model(desc.pop("name"), **desc) == prob.model
    assert to.Problem(big, raw, ["log_loss", "l2"]).model.input_mean is None
    with pytest.raises(ValueError, match=r"`input_scale` must be positive and finite, as long as "
                                         r"input_mean; got '2 values for 3 means'"):
        MLP(input_mean=(0.0, 0.0, 0.0), input_scale=(1.0, 1.0))
    with pytest.raises(ValueError, match=r"`X` must be 3 feature columns \(as the model was "
                                         r"fitted on\); got '2 columns'"):
        prob.model.predict(prob.model.init(2, 2), np.ones((4, 2)))


def _without_sums(objective):
    """The same objective with no sums form: Problem falls back to all rows' predictions first and
    a second forward pass per block for the gradient."""
    cls = type(objective)
    return type(f"NoSums{cls.__name__}", (cls,), {"sums": lambda self, *a, **k: None})()


@pytest.mark.parametrize("names", [["log_loss", "demographic_parity_sq"],
                                   ["log_loss", "equalized_odds_sq", "demographic_parity_sq"]])
@pytest.mark.parametrize("n_groups", [2, 3])
def test_gaps_of_group_means_take_one_forward_pass_per_block(monkeypatch, names, n_groups):
    """A gap of group means is a function of a few group sums: many row blocks cost one forward
    pass each (not two), with the values and gradients of the two-pass schedule."""
    from tradeoff.objectives import get_objective

    monkeypatch.setattr(mlp_module, "BLOCK_NUMBERS", 16 * 4 * 5)  # 16-row blocks: 7 of them
    data = _classification(n=101, seed=3)
    groups = np.random.default_rng(4).integers(0, n_groups, data.n) if n_groups > 2 else data.groups
    data = Dataset(data.X, data.y, groups=groups)
    model = MLP(hidden=[5, 3], activation="relu", output="logistic")
    objs = [get_objective(n) for n in names]
    one = to.Problem(data, model, objs)
    two = to.Problem(data, model, objs[:1] + [_without_sums(o) for o in objs[1:]])
    Theta = one.start_theta(4, 2)
    calls = []
    forward = MLP.forward
    monkeypatch.setattr(MLP, "forward", lambda self, T, X: calls.append(len(X)) or forward(self, T, X))
    a = one.evaluate(Theta)
    assert calls == [16] * 6 + [5]
    calls.clear()
    b = two.evaluate(Theta)
    assert len(calls) == 14
    np.testing.assert_allclose(a.F, b.F, rtol=1e-12)
    np.testing.assert_allclose(a.dF, b.dF, rtol=1e-10, atol=1e-12 * np.abs(b.dF).max())
    np.testing.assert_allclose(one.evaluate(Theta, grad=False).F, a.F, rtol=1e-15)


def test_gap_with_one_group_among_its_rows_beside_a_three_group_gap(monkeypatch):
    """Columns per objective: none for equal opportunity when only one group has y = 1, two for
    demographic parity over three groups; the gradient still equals central differences."""
    monkeypatch.setattr(mlp_module, "BLOCK_NUMBERS", 16 * 3 * 4)  # 16-row blocks
    rng = np.random.default_rng(0)
    X = rng.normal(size=(90, 3))
    groups = np.repeat([0, 1, 2], 30)
    y = np.where(groups == 0, (rng.random(90) < 0.5), 0.0).astype(float)
    prob = to.Problem(Dataset(X, y, groups=groups), MLP(hidden=[4], output="logistic"),
                      ["log_loss", "equal_opportunity_sq", "demographic_parity_sq"])
    Theta = prob.start_theta(3, 0)
    ev = prob.evaluate(Theta)
    assert np.all(ev.F[:, 1] == 0) and np.all(ev.F[:, 2] > 0)
    _assert_central_differences(prob, Theta, ev.dF, every=4, atol=1e-9)


def _assert_central_differences(prob, Theta, dF, every, atol, h=1e-6):
    """dF (K, m, d) against central differences of the values, every ``every``-th coordinate."""
    for j in range(0, prob.d, every):
        E = np.zeros_like(Theta)
        E[:, j] = h
        num = (prob.evaluate(Theta + E, grad=False).F - prob.evaluate(Theta - E, grad=False).F) / (2 * h)
        np.testing.assert_allclose(dF[:, :, j], num, rtol=1e-5, atol=atol)
