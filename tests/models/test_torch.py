"""TorchModel: a torch MLP equals the numpy MLP with the same weights (values and gradients through
Problem.evaluate), K vmapped networks equal K separate ones, solvers run on it through the public
API, a small CNN trains on the 8×8 digits, seeded PyTorch initialisation, errors, and
docs/models.md's example. Torch tests skip without torch; the import checks run without it."""

import re
import subprocess
import sys
import warnings
from pathlib import Path

import numpy as np
import pytest

import tradeoff as to
from tradeoff.datasets import Dataset
from tradeoff.models import get_model

DOCS = Path(__file__).resolve().parents[2] / "docs" / "models.md"
OBJS = ["log_loss", "demographic_parity_sq", "l2"]


@pytest.fixture
def torch():
    return pytest.importorskip("torch", reason="TorchModel needs PyTorch (tradeoff[torch])")


def _data(n=240, p=5, seed=0):
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((n, p))
    y = (X[:, 0] - X[:, 1] + 0.5 * rng.standard_normal(n) > 0).astype(float)
    return Dataset(X, y, groups=(X[:, 2] > 0).astype(int), name="toy")


def _net(torch, p=5, h=7):
    return torch.nn.Sequential(torch.nn.Linear(p, h), torch.nn.ReLU(), torch.nn.Linear(h, 1))


def _to_mlp_layout(Theta, p, h):
    """torch's θ (W₁ (h, p), b₁, w₂ (1, h), b₂) → the numpy MLP's (W₁ (p, h), b₁, w, c)."""
    K = len(Theta)
    W1 = Theta[:, :h * p].reshape(K, h, p).transpose(0, 2, 1).reshape(K, -1)
    return np.hstack([W1, Theta[:, h * p:]])


@pytest.mark.parametrize("output", ["logistic", "linear"])
def test_a_torch_mlp_equals_the_numpy_mlp_with_the_same_weights(torch, output):
    from tradeoff.models.torch import TorchModel

    p, h, K = 5, 7, 4
    data = _data(p=p)
    objs = OBJS if output == "logistic" else ["mse", "demographic_parity_sq", "l2"]
    tm = TorchModel(_net(torch, p, h), output=output)
    mm = get_model("mlp", hidden=[h], standardize=False, output=output)
    pt, pm = to.Problem(data, tm, objs), to.Problem(data, mm, objs)
    Tt = tm.init(K, p, 3) + 0.2 * np.random.default_rng(1).standard_normal((K, tm.n_params(p)))
    Tm = _to_mlp_layout(Tt, p, h)
    et, em = pt.evaluate(Tt), pm.evaluate(Tm)
    assert np.ptp(et.F[:, 0]) > 1e-3  # the candidates differ, so a mix-up would show
    np.testing.assert_allclose(et.F, em.F, rtol=0, atol=1e-10)
    # the numpy MLP's gradient in torch's layout
    dW1 = em.dF[:, :, :h * p].reshape(K, 3, p, h).transpose(0, 1, 3, 2).reshape(K, 3, -1)
    np.testing.assert_allclose(et.dF, np.concatenate([dW1, em.dF[:, :, h * p:]], axis=2),
                               rtol=0, atol=1e-10)
    np.testing.assert_allclose(tm.predict(Tt, data.X), mm.predict(Tm, data.X), atol=1e-12)
    np.testing.assert_array_equal(tm.penalized(p),
                                  [True] * h * p + [False] * h + [True] * h + [False])
    assert tm.vmap_fallback is None


def test_k_vmapped_networks_equal_k_separate_ones(torch):
    from tradeoff.models.torch import TorchModel

    X = _data().X
    model = TorchModel(_net(torch), output="logistic")
    Theta = model.init(5, 5, 0)
    P, aux = model.forward(Theta, X)
    dP = np.random.default_rng(2).standard_normal((len(X), 5, 2))
    G = model.pullback(Theta, X, dP, aux)
    assert P.shape == (len(X), 5) and G.shape == (5, 2, model.n_params(5))
    for k in range(5):
        Pk, auxk = model.forward(Theta[k:k + 1], X)
        np.testing.assert_allclose(P[:, k:k + 1], Pk, rtol=0, atol=1e-14)
        for j in range(2):
            np.testing.assert_allclose(G[k, j], model.pullback(Theta[k:k + 1], X, dP[:, k:k + 1, j],
                                                               auxk)[0], rtol=0, atol=1e-13)


def test_a_module_vmap_cannot_run_is_looped_with_a_warning_and_the_same_values(torch):
    from tradeoff.models.torch import TorchModel

    class Branchy(torch.nn.Module):  # Python control flow on a tensor: vmap refuses it
        def __init__(self):
            super().__init__()
            self.lin = torch.nn.Linear(5, 1)

        def forward(self, x):
            z = self.lin(x)
            return z if bool(z.abs().sum() >= 0) else -z

    X = _data().X
    looped, plain = TorchModel(Branchy()), TorchModel(torch.nn.Linear(5, 1))
    Theta = plain.init(3, 5, 0)
    dP = np.random.default_rng(0).standard_normal((len(X), 3, 2))
    with pytest.warns(RuntimeWarning, match=r"vmap cannot run Branchy .*one by one"):
        P, aux = looped.forward(Theta, X)
    assert "data-dependent control flow" in looped.vmap_fallback
    Q, auxq = plain.forward(Theta, X)
    np.testing.assert_allclose(P, Q, rtol=0, atol=1e-14)
    np.testing.assert_allclose(looped.pullback(Theta, X, dP, aux),
                               plain.pullback(Theta, X, dP, auxq), rtol=0, atol=1e-13)
    assert plain.vmap_fallback is None


def test_the_data_tensor_is_cached_and_shares_memory_in_float64(torch):
    from tradeoff.models.torch import TorchModel

    X = _data().X
    model = TorchModel(_net(torch))
    t = model._x(X)
    assert model._x(X) is t  # the same array: converted once
    assert t.data_ptr() == X.__array_interface__["data"][0]  # float64 on the CPU: no copy
    assert model._x(X[:100]) is not t
    m32 = TorchModel(_net(torch), dtype="float32")
    assert m32._x(X).dtype == torch.float32 and m32._x(X) is m32._x(X)


def test_threads_are_set_for_a_call_and_restored(torch):
    from tradeoff.models.torch import TorchModel

    X = _data().X
    before = torch.get_num_threads()
    seen = []

    class Spy(torch.nn.Module):
        def __init__(self):
            super().__init__()
            self.lin = torch.nn.Linear(5, 1)

        def forward(self, x):
            seen.append(torch.get_num_threads())
            return self.lin(x)

    for threads, expect in ((1, 1), (2, 2), (None, before)):
        seen.clear()
        model = TorchModel(Spy(), threads=threads)
        T = model.init(2, 5)
        P, aux = model.forward(T, X)
        model.pullback(T, X, np.ones_like(P), aux)
        assert seen == [expect] and torch.get_num_threads() == before
    with pytest.raises(ValueError, match=r"`threads` must be a positive integer or None \(torch's "
                                         r"own setting\); got 0\."):
        TorchModel(Spy(), threads=0)


def test_every_torch_operation_of_the_model_runs_on_its_threads(torch):
    """Conversions included: one op on torch's global threads wakes its OpenMP workers, which then
    spin beside the next one-thread op (1.8× a mini-batch run's CPU seconds)."""
    from torch.overrides import TorchFunctionMode

    from tradeoff.models.torch import TorchModel

    class Threads(TorchFunctionMode):
        def __init__(self):
            super().__init__()
            self.seen = []

        def __torch_function__(self, func, types, args=(), kwargs=None):
            self.seen.append((getattr(func, "__name__", str(func)), torch.get_num_threads()))
            return func(*args, **(kwargs or {}))

    X = _data().X
    before = torch.get_num_threads()
    torch.set_num_threads(2)
    try:
        model = TorchModel(_net(torch), output="logistic", dtype="float32", threads=1)
        spy = Threads()
        with spy:
            T = model.init(3, 5)
            P, aux = model.forward(T, X)
            model.pullback(T, X, np.ones((len(X), 3, 2)), aux)
            model.score(T, X)
        names = {name for name, _ in spy.seen}
        assert {"to", "linear"} <= names  # the spy sees the conversions and the network
        assert [s for s in spy.seen if s[1] != 1] == []
        assert torch.get_num_threads() == 2
    finally:
        torch.set_num_threads(before)


def test_float32_is_close_to_float64(torch):
    from tradeoff.models.torch import TorchModel

    data = _data()
    m64 = TorchModel(_net(torch), output="logistic")
    m32 = TorchModel(_net(torch), output="logistic", dtype=torch.float32)
    Theta = m64.init(3, 5, 0)
    np.testing.assert_array_equal(m32.init(3, 5, 0), Theta)  # starts do not depend on dtype
    e64 = to.Problem(data, m64, OBJS).evaluate(Theta)
    e32 = to.Problem(data, m32, OBJS).evaluate(Theta)
    np.testing.assert_allclose(e32.F, e64.F, rtol=1e-5, atol=1e-7)
    np.testing.assert_allclose(e32.dF, e64.dF, rtol=1e-4, atol=1e-6)
    assert not np.array_equal(e32.F, e64.F)  # float32 really ran in float32
    assert m32.describe()["dtype"] == "float32"


def test_init_is_pytorchs_default_seeded_and_leaves_torch_alone(torch):
    from tradeoff.models.torch import TorchModel

    net = _net(torch, p=50, h=40)
    before = [v.detach().clone() for v in net.parameters()]
    model = TorchModel(net, seed=4)
    state = torch.random.get_rng_state()
    T = model.init(6, 50)
    assert torch.equal(torch.random.get_rng_state(), state)  # the global generator is untouched
    np.testing.assert_array_equal(model.init(6, 50), T)
    np.testing.assert_array_equal(model.init(2, 50), T[:2])  # row k does not depend on K
    np.testing.assert_array_equal(model.init(3, 50, 7), model.init(3, 50, np.random.default_rng(7)))
    assert not np.array_equal(TorchModel(net, seed=5).init(6, 50), T)
    assert len({tuple(r) for r in T}) == 6
    # nn.Linear's default: weights and biases uniform on ±1/√fan-in
    W1, b1 = T[:, :2000], T[:, 2000:2040]
    bound = 1 / np.sqrt(50)
    assert np.abs(W1).max() <= bound and np.abs(W1).max() > 0.95 * bound
    np.testing.assert_allclose(W1.var(), bound ** 2 / 3, rtol=0.05)
    assert np.abs(b1).max() <= bound and np.abs(b1).max() > 0.9 * bound and np.all(b1 != 0)
    assert np.abs(T[:, 2040:]).max() <= 1 / np.sqrt(40)
    for a, b in zip(before, net.parameters()):  # the caller's module is never changed
        assert torch.equal(a, b)
    assert model.param_names(None)[:2] == ["0.weight[0,0]", "0.weight[0,1]"]
    names = model.param_names(None)
    assert names[2000] == "0.bias[0]" and names[-1] == "2.bias[0]"


def test_solvers_run_on_a_torch_model_through_the_public_api(torch):
    from tradeoff.models.torch import TorchModel

    data = _data()
    model = TorchModel(_net(torch), output="logistic", seed=0)
    problem = to.Problem(data, model, ["log_loss", "demographic_parity_sq"])
    start = problem.evaluate(problem.start_theta(4, 0), grad=False).F
    front = to.solve(problem, "weighted-sum", n_points=4, optimizer="adam", epochs=20,
                     batch_size=64, lr=0.01, seed=0)
    assert len(front) >= 2 and front.X.shape[1] == model.n_params(5)
    assert front.F[:, 0].min() < start[:, 0].min() - 0.05  # trained: the loss fell
    np.testing.assert_allclose(problem.evaluate(front.X, grad=False).F, front.F, rtol=1e-9)
    again = to.solve(problem, "weighted-sum", n_points=4, optimizer="adam", epochs=20,
                     batch_size=64, lr=0.01, seed=0)
    np.testing.assert_array_equal(again.X, front.X)  # seeded
    evolved = to.solve(problem, "nsga2", pop_size=20, max_evaluations=400, seed=0)
    assert len(evolved) >= 1 and evolved.X.shape[1] == model.n_params(5)
    np.testing.assert_allclose(problem.evaluate(evolved.X, grad=False).F, evolved.F, rtol=1e-9)
    assert not problem.is_convex()[0]


def test_a_small_cnn_trains_a_fair_front_on_the_digits(torch):
    pytest.importorskip("sklearn")
    from sklearn.datasets import load_digits

    from tradeoff.models.torch import TorchModel

    digits = load_digits()
    X = digits.data / 16.0
    y = (digits.target < 5).astype(float)
    brightness = X.mean(axis=1)
    data = Dataset(X, y, groups=(brightness > np.median(brightness)).astype(int), name="digits")
    nn = torch.nn
    net = nn.Sequential(nn.Unflatten(1, (1, 8, 8)), nn.Conv2d(1, 4, 3), nn.ReLU(), nn.MaxPool2d(2),
                        nn.Flatten(), nn.Linear(36, 1))
    model = TorchModel(net, output="logistic", seed=0)
    problem = to.Problem(data, model, ["log_loss", "demographic_parity_sq"])
    start = problem.evaluate(problem.start_theta(3, 0), grad=False).F
    front = to.solve(problem, "weighted-sum", n_points=3, optimizer="adam", epochs=4,
                     batch_size=256, lr=0.03, seed=0)
    assert problem.model.vmap_fallback is None  # the convolution ran vmapped
    frame = front.to_frame()
    best = int(np.argmin(frame["log_loss"]))
    assert frame["log_loss"].iloc[best] < start[:, 0].min() - 0.1
    assert (model.classify(front.X[best], X) == y).mean() > 0.7
    fairest = int(np.argmin(frame["demographic_parity_sq"]))
    assert frame["demographic_parity_sq"].iloc[fairest] < frame["demographic_parity_sq"].iloc[best]


def _torch_front(torch, output="logistic", seed=0):
    from tradeoff.models.torch import TorchModel

    objs = (["log_loss", "demographic_parity_sq"] if output == "logistic"
            else ["mse", "demographic_parity_sq"])
    problem = to.Problem(_data(), TorchModel(_net(torch), output=output, seed=seed), objs)
    return to.solve(problem, "weighted-sum", n_points=3, optimizer="adam", epochs=3,
                    batch_size=64, lr=0.01, seed=0)


def test_a_torch_front_saves_as_data_and_loads_with_its_module(torch, tmp_path):
    import zipfile

    from tradeoff.models.torch import TorchModel

    front = _torch_front(torch)
    assert front.model.n_inputs == 5  # recorded by Problem from its data
    path = tmp_path / "front.zip"
    front.save(path)
    with zipfile.ZipFile(path) as z:
        assert all(n.endswith((".json", ".npy")) for n in z.namelist())  # data only, no pickle
    X = _data(seed=1).X
    for given in (_net(torch), TorchModel(_net(torch), output="logistic")):
        back = to.Front.load(path, model=given)
        np.testing.assert_array_equal(back.X, front.X)
        assert back.model.describe() == front.model.describe()
        for i in range(len(front)):
            before, after = front.predictor(i), back.predictor(i)
            np.testing.assert_array_equal(after.predict_proba(X), before.predict_proba(X))
            np.testing.assert_array_equal(after.predict(X), before.predict(X))
        np.testing.assert_array_equal(back.evaluate(_data(seed=1)).to_numpy(),
                                      front.evaluate(_data(seed=1)).to_numpy())
    assert given.n_inputs is None  # the caller's model is not changed


def test_loading_a_torch_front_checks_the_module_against_the_file(torch, tmp_path):
    from tradeoff.models.torch import TorchModel

    path = tmp_path / "front.zip"
    _torch_front(torch).save(path)
    with pytest.raises(ValueError, match=r"`model` must be given to load this front file; got "
                                         r"None\. '.*front\.zip' was saved with a torch model "
                                         r"\(Sequential\), .*; pass model=TorchModel\(your_module\) "
                                         r"to load it\."):
        to.Front.load(path)
    with pytest.raises(ValueError, match=r"`model` must be the network the front was trained with "
                                         r"\(Sequential: 0\.weight \(7, 5\), 0\.bias \(7,\), "
                                         r"2\.weight \(1, 7\), 2\.bias \(1,\); 50 parameters\); "
                                         r"got 'Sequential: 0\.weight \(8, 5\), .*; 57 parameters'\. "
                                         r"Build the module"):
        to.Front.load(path, model=_net(torch, h=8))
    for key, value, saved in (("output", "linear", "'logistic'"),
                              ("dtype", "float32", "'float64'"), ("threshold", 0.3, "0.5"),
                              ("n_inputs", 4, "5")):
        wrong = TorchModel(_net(torch), **{"output": "logistic", key: value})
        with pytest.raises(ValueError, match=rf"`model` must be a TorchModel with {key}={saved}, "
                                             rf"as the front was trained; got [\"']{key}="):
            to.Front.load(path, model=wrong)
    with pytest.raises(TypeError, match=r"`model` must be a TorchModel or a torch\.nn\.Module "
                                        r"\(for a front saved with a torch model\); got 'str'\."):
        to.Front.load(path, model="mlp")
    plain = tmp_path / "plain.zip"
    to.solve(to.Problem(_data(), "logistic", ["log_loss", "l2"]), "weighted-sum",
             n_points=3).save(plain)
    with pytest.raises(ValueError, match=r"`model` must be left out for a front file whose model "
                                         r"is not a torch model; got 'Sequential'\. "
                                         r"'.*plain\.zip' rebuilds its model 'logistic' itself\."):
        to.Front.load(plain, model=_net(torch))


def test_predictors_of_torch_fronts(torch):
    from scipy.special import expit

    from tradeoff.predictor import Predictor

    front = _torch_front(torch)
    X = _data(seed=2).X
    pred = front.predictor(1)
    assert pred.is_classifier and pred.feature_names == tuple(f"x{j}" for j in range(5))
    p1 = front.model.predict(front.X[1], X)
    np.testing.assert_allclose(pred.predict_proba(X)[:, 1], p1, rtol=0, atol=1e-15)
    np.testing.assert_allclose(expit(pred.decision_function(X)), p1, rtol=0, atol=1e-12)
    np.testing.assert_array_equal(pred.predict(X), (p1 >= 0.5).astype(int))
    with pytest.raises(ValueError, match=r"`X` must be 5 columns .*; got '4 columns'"):
        pred.predict(X[:, :4])
    reg = _torch_front(torch, output="linear").predictor(0)
    assert not reg.is_classifier  # a linear output is a regressor, though the model has a threshold
    np.testing.assert_array_equal(reg.predict(X), reg.decision_function(X))
    assert np.ptp(reg.predict(X)) > 0
    from tradeoff.models.torch import TorchModel

    direct = Predictor(front.X[1], TorchModel(_net(torch), output="logistic", n_inputs=5))
    np.testing.assert_array_equal(direct.predict_proba(X), pred.predict_proba(X))
    with pytest.raises(ValueError, match=r"`n_inputs` must be a positive integer \(the number of "
                                         r"feature columns\) or None; got 0\."):
        TorchModel(_net(torch), n_inputs=0)
    with pytest.raises(ValueError, match=r"`X` must be 5 feature columns \(the model's n_inputs\); "
                                         r"got '4 columns'\."):
        to.Problem(Dataset(X[:, :4], np.zeros(len(X))), front.model, ["mse", "l2"])


def test_sklearn_estimators_take_a_torch_module_on_the_digits(torch):
    pytest.importorskip("sklearn")
    from sklearn.base import clone
    from sklearn.datasets import load_digits

    from tradeoff.models.torch import TorchModel
    from tradeoff.sklearn import ParetoClassifier, ParetoRegressor

    digits = load_digits()
    X, y = digits.data / 16.0, (digits.target < 5).astype(int)
    brightness = X.mean(axis=1)
    group = (brightness > np.median(brightness)).astype(int)
    nn = torch.nn
    net = nn.Sequential(nn.Unflatten(1, (1, 8, 8)), nn.Conv2d(1, 4, 3), nn.ReLU(), nn.MaxPool2d(2),
                        nn.Flatten(), nn.Linear(36, 1))
    options = {"n_points": 3, "optimizer": "adam", "epochs": 4, "batch_size": 256, "lr": 0.03}
    clf = ParetoClassifier(model=net, select="asf", solver_options=options)
    clf.fit(X, y, sensitive_features=group)
    assert clf.front_.model.name == "torch" and clf.front_.model.output == "logistic"
    assert clf.score(X, y) > 0.7 and clf.n_features_in_ == 64
    proba = clf.predict_proba(X)
    np.testing.assert_allclose(proba[:, 1], clf.front_.model.predict(
        clf.front_.X[clf.selected_], X), rtol=0, atol=1e-15)
    np.testing.assert_array_equal(clf.predict(X), (clf.decision_function(X) >= 0).astype(int))
    wrapped = clone(clf).set_params(model=TorchModel(net, output="logistic"))
    np.testing.assert_array_equal(wrapped.fit(X, y, sensitive_features=group).predict_proba(X),
                                  proba)  # the same network and seed: the same estimator
    assert clf.get_params()["model"] is net  # fit does not change its parameters

    rng = np.random.default_rng(0)
    Xr = rng.standard_normal((300, 3))
    yr = np.sin(Xr[:, 0]) + Xr[:, 1] ** 2 + 0.1 * rng.standard_normal(300)
    mlp = nn.Sequential(nn.Linear(3, 16), nn.Tanh(), nn.Linear(16, 1))
    reg = ParetoRegressor(model=mlp, objectives=("mse", "l2"), select="asf",
                          solver_options={"n_points": 3, "optimizer": "adam", "epochs": 60,
                                          "batch_size": 32, "lr": 0.02})
    reg.fit(Xr, yr)
    assert reg.front_.model.output == "linear" and reg.score(Xr, yr) > 0.5


def test_docs_examples_run(torch):
    pytest.importorskip("sklearn")
    text = DOCS.read_text(encoding="utf-8")
    section = text[text.index("## PyTorch models"):]
    blocks = re.findall(r"```python\n(.*?)```", section, flags=re.S)
    assert len(blocks) == 2
    scope: dict = {}
    exec(compile(blocks[0], str(DOCS), "exec"), scope)
    assert len(scope["front"]) >= 2 and len(scope["evolved"]) >= 1
    assert set(np.unique(scope["labels"])) <= {0.0, 1.0}
    exec(compile(blocks[1], str(DOCS), "exec"), scope)  # save, load and scikit-learn
    np.testing.assert_array_equal(scope["proba"],
                                  scope["front"].predictor(0).predict_proba(scope["X"]))
    assert scope["accuracy"] > 0.7


def test_bad_torch_models(torch):
    from tradeoff.models.torch import TorchModel

    X = _data().X
    with pytest.raises(TypeError, match=r"`module` must be a torch\.nn\.Module; got 'list'\."):
        TorchModel([1, 2])
    with pytest.raises(ValueError, match=r"`output` must be one of linear, logistic; got 'probit'"):
        TorchModel(_net(torch), output="probit")
    with pytest.raises(ValueError, match=r"`dtype` must be one of float32, float64; got 'float16'"):
        TorchModel(_net(torch), dtype=torch.float16)
    with pytest.raises(TypeError, match=r"`seed` must be an integer; got 'a'\."):
        TorchModel(_net(torch), seed="a")
    with pytest.raises(ValueError, match=r"`threshold` must be in the open interval \(0, 1\); "
                                         r"got 1"):
        TorchModel(_net(torch), threshold=1)
    with pytest.raises(ValueError, match=r"`threshold` must be in the open interval \(0, 1\); got "
                                         r"'0\.5'\."):
        TorchModel(_net(torch), threshold="0.5")
    with pytest.raises(ValueError, match=r"`module` must be a module with parameters; got 'ReLU'"):
        TorchModel(torch.nn.ReLU())
    if not torch.cuda.is_available():
        with pytest.raises(ValueError, match=r"`device` must be a device this machine has; got "
                                             r"'cuda'\. CUDA is not available here"):
            TorchModel(_net(torch), device="cuda")
    wide = TorchModel(torch.nn.Linear(5, 2))
    with pytest.raises(ValueError, match=r"`module` must be a network with one output per row "
                                         r"\(\(n,\) or \(n, 1\)\); got 'output of shape \(240, 2\) "
                                         r"for 240 rows'\. End it with e\.g\. "
                                         r"nn\.Linear\(h, 1\)\."):
        wide.forward(wide.init(2, 5), X)
    model = TorchModel(_net(torch))
    T = model.init(2, 5)
    model.forward(T, X)
    with pytest.raises(ValueError, match=r"`X` must be rows the module can evaluate; got 'an array "
                                         r"of shape \(240, 4\)'\. The module raised RuntimeError"):
        model.forward(T, X[:, :4])
    fresh = TorchModel(_net(torch))  # the first call: vmap and the loop both refuse the rows
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        with pytest.raises(ValueError, match=r"`X` must be rows the module can evaluate"):
            fresh.forward(T, X[:, :4])
    with pytest.raises(TypeError, match=r"`model` must be a model name or a "
                                        r"tradeoff\.models\.Model; got 'Sequential'\. "
                                        r"Wrap a torch module as "
                                        r"tradeoff\.models\.torch\.TorchModel\(module\)\."):
        to.Problem(_data(), _net(torch), OBJS)

    class Net(torch.nn.Module):  # a module class of the user's own (its __module__ is not torch)
        def __init__(self):
            super().__init__()
            self.lin = torch.nn.Linear(5, 1)

    with pytest.raises(TypeError, match=r"got 'Net'\. Wrap a torch module as "
                                        r"tradeoff\.models\.torch\.TorchModel\(module\)\."):
        to.Problem(_data(), Net(), OBJS)


def test_without_torch_the_error_names_the_extra(monkeypatch):
    from tradeoff.models.torch import TorchModel

    monkeypatch.setitem(sys.modules, "torch", None)  # `import torch` now raises ImportError
    with pytest.raises(ImportError, match=r"needs PyTorch, which is not installed; install it with "
                                          r"`pip install 'tradeoff\[torch\]'`"):
        TorchModel(object())


def test_importing_tradeoff_never_imports_torch():
    code = ("import sys, tradeoff, tradeoff.models, tradeoff.models.torch\n"
            "from tradeoff.models import TorchModel\n"
            "assert TorchModel is tradeoff.models.torch.TorchModel\n"
            "assert 'torch' not in sys.modules, 'torch was imported'\n")
    src = str(Path(__file__).resolve().parents[2] / "src")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         env={"PYTHONPATH": src, "PATH": ""})
    assert out.returncode == 0, out.stderr
