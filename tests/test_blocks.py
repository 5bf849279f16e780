"""Gram statistics by blocks: every path (one uniform weight, rows' outer products, gram_block
products) gives X̃ᵀ diag(w) X̃ to rounding and exactly symmetric; Problem.derivatives' Hessians
agree on both dense paths."""

from __future__ import annotations

import numpy as np
import pytest

import tradeoff as to
from tradeoff.blocks import gram, weighted_gram
from tradeoff.datasets import Dataset


def _reference(X, W):
    X1 = np.column_stack([X, np.ones(len(X))])
    return np.einsum("nk,na,nb->kab", W, X1, X1)


@pytest.mark.parametrize("n, p, K, uniform", [
    (700, 4, 1, True), (700, 4, 1, False),     # K = 1: one product on X, or gram_block
    (700, 3, 9, False),                        # d < K: the rows' outer products
    (700, 6, 3, False), (70, 150, 2, False),   # d ≥ K: gram_block products
])
def test_weighted_gram_paths_agree(n, p, K, uniform):
    rng = np.random.default_rng(0)
    X = rng.normal(3.0, 2.0, (n, p))
    W = np.full((n, K), 0.25) if uniform else rng.random((n, K))
    G = weighted_gram(X, lambda s, e: W[s:e], K)
    ref = _reference(X, W)
    assert G.shape == (K, p + 1, p + 1)
    assert np.allclose(G, ref, rtol=1e-12, atol=1e-12 * np.abs(ref).max())
    assert (G == G.transpose(0, 2, 1)).all()


def test_gram_is_the_unweighted_gram():
    X = np.random.default_rng(1).normal(size=(300, 5))
    assert np.allclose(gram(X), _reference(X, np.ones((300, 1)))[0], rtol=1e-13)


@pytest.mark.parametrize("p, K", [(2, 12), (9, 4)])  # d < K (outer products), d ≥ K (gram_block)
def test_derivative_hessians_on_both_dense_paths(p, K):
    rng = np.random.default_rng(2)
    n = 400
    X = rng.normal(size=(n, p))
    y = X @ rng.normal(size=p) + rng.gamma(2.0, 1.0, n)
    cap = float(np.quantile(y, 0.8))
    problem = to.Problem(Dataset(X=X, y=y, name="t"), "linear",
                         ["mse", {"name": "cap_violation", "cap": cap}])
    Theta = rng.normal(size=(K, p + 1))
    C = rng.random((K, 2))
    _, _, _, H = problem.derivatives(Theta, C)
    X1 = np.column_stack([X, np.ones(n)])
    Z = X1 @ Theta.T
    D = C[:, 0] * 2.0 / n + C[:, 1] * (Z > cap) * 2.0 / n  # MSE's and the cap's curvatures
    ref = _reference(X, np.broadcast_to(D, (n, K)))
    assert np.allclose(H, ref, rtol=1e-10, atol=1e-12 * np.abs(ref).max())


@pytest.mark.parametrize("n, p, order", [(100_000, 200, "C"), (50_000, 2, "C"), (50_000, 1, "C"),
                                         (50_000, 7, "F"), (300, 5, "C")])
def test_standardizer_scale_is_numpys_std_bit_for_bit(n, p, order):
    # blocks of rows summed from the running total: numpy's own order, so the same bits
    from tradeoff.models import Standardizer

    X = np.asarray(np.random.default_rng(4).normal(50.0, 3.0, (n, p)), order=order)
    st = Standardizer.fit(X)
    assert np.array_equal(st.scale, X.std(axis=0))
    assert np.array_equal(st.mean, X.mean(axis=0))


class _CountingMLP(to.models.MLP):
    """The numpy MLP, recording the shape of every ∂f/∂P it pulls back (and, with ``block``, rows
    per block, to force several blocks)."""

    block: int | None = None

    def pullback(self, Theta, X, dP, aux):
        self.pulls.append(dP.shape)
        return super().pullback(Theta, X, dP, aux)

    def block_rows(self, K):
        return self.block or super().block_rows(K)


def _network_problem(block=None, objectives=("log_loss", "equal_opportunity_tanh", "l2")):
    rng = np.random.default_rng(0)
    X = rng.normal(size=(300, 4))
    y = (X[:, 0] + rng.normal(size=300) > 0).astype(float)
    data = Dataset(X, y, groups=(X[:, 1] > 0).astype(int), name="toy")
    prob = to.Problem(data, _CountingMLP(hidden=(6, 5), output="logistic", seed=0), list(objectives))
    object.__setattr__(prob.model, "block", block)  # on the fitted model the problem holds
    object.__setattr__(prob.model, "pulls", [])
    return prob


@pytest.mark.parametrize("block, rows, pulls", [
    (None, np.arange(0, 300, 3), [(100, 5)]),   # a mini-batch in one block: one pull-back of Σ Cᵢ ∂vᵢ/∂P
    (None, None, [(300, 5, 2)]),                 # all rows (a full-batch solve): per objective
    (40, np.arange(0, 300, 3), [(40, 5, 2), (40, 5, 2), (20, 5, 2)]),  # several blocks: per objective
])
def test_a_networks_combination_is_the_combination_of_its_gradients(block, rows, pulls):
    prob = _network_problem(block)
    Theta = prob.start_theta(5, 1)
    C = np.random.default_rng(2).random((5, 3))
    F, G, g = prob.combine(Theta, lambda F, G: C, rows=rows)
    assert prob.model.pulls == pulls
    ev = prob.evaluate(Theta, rows=rows)
    ref = np.einsum("ki,kid->kd", C, ev.dF)
    np.testing.assert_allclose(g, ref, rtol=0, atol=1e-13 * np.abs(ref).max())
    np.testing.assert_array_equal(F, ev.F)
    assert G.shape == (5, 0)


def test_a_network_objective_without_gradient_is_refused_only_where_it_is_weighted():
    prob = _network_problem(objectives=("log_loss", {"name": "cap_excess_rate", "cap": 0.5}))
    Theta = prob.start_theta(3, 1)
    rows = np.arange(50)
    _, _, g = prob.combine(Theta, lambda F, G: np.array([[1.0, 0.0]] * 3), rows=rows)
    # no error where its coefficient is 0: the gradient is log_loss's alone
    loss_only = _network_problem(objectives=("log_loss", "l2"))
    ref = loss_only.evaluate(Theta, rows=rows).dF[:, 0]
    np.testing.assert_allclose(g, ref, rtol=0, atol=1e-13 * np.abs(ref).max())
    with pytest.raises(ValueError, match="`objective` must be differentiable for a gradient "
                                         "solver; got 'cap_excess_rate'"):
        prob.combine(Theta, lambda F, G: np.array([[1.0, 0.5]] * 3), rows=rows)


def test_single_blas_thread_nests_and_the_outermost_restores():
    from threadpoolctl import threadpool_info

    from tradeoff.blocks import single_blas_thread

    def blas():
        return [i["num_threads"] for i in threadpool_info() if i["user_api"] == "blas"]

    before = blas()
    with single_blas_thread():
        with single_blas_thread():
            assert all(t == 1 for t in blas())
        assert all(t == 1 for t in blas())  # the inner one left the outer's limit in place
    assert blas() == before
