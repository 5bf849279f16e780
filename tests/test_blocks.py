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
