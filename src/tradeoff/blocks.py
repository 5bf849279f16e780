"""How a problem evaluates a batch Θ (K, d) fast, without n × K temporaries.

- Objectives that are quadratic in θ for a linear model (MSE, a squared gap of group means) are
  evaluated from statistics gathered once: f(θ) = f₀ + g₀ᵀδ + δᵀQδ with δ = θ − θ₀, expanded around
  the least-squares fit θ₀ so that no large terms cancel. An epoch never touches the n rows for them.
- Objectives that are sums over rows run over cache-sized blocks of rows: per block one product
  X̃_b Θᵀ, the elementwise work on a (B, K) tile that stays in cache, and one product back. Blocks
  are summed in block order.
- The rest (a maximum over rows, gaps of group means of a nonlinear score) see all rows at once.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass

import numpy as np

BLOCK_ELEMENTS = 1 << 16  # a (B, K) float64 tile of 512 KiB stays in cache


_controller = None
_malloc_tuned = False


def reuse_freed_memory() -> None:
    """Let glibc keep freed memory for reuse (process-wide; sweeps call it in every worker).

    Dask starts its workers with MALLOC_TRIM_THRESHOLD_=65536, which hands every freed temporary
    above 64 KiB back to the kernel, so the next one page-faults in afresh: numpy's elementwise work
    on a (B, K) tile ran 20× slower there, and 15% slower even with glibc's defaults. Where there is
    no glibc, nothing changes."""
    global _malloc_tuned
    if _malloc_tuned:
        return
    _malloc_tuned = True
    try:
        import ctypes

        libc = ctypes.CDLL("libc.so.6")
        libc.mallopt(-3, 64 << 20)  # M_MMAP_THRESHOLD: temporaries below 64 MiB come from the heap
        libc.mallopt(-1, 256 << 20)  # M_TRIM_THRESHOLD: and freed ones stay there for reuse
    except (OSError, AttributeError):
        pass


def map_blocks(fn, starts):
    """[fn(s) for s in starts], with BLAS held to one thread.

    The blocks' matrix products are small; a threaded BLAS spends more on waking its threads than
    on the work (an epoch ran 25× slower with OpenBLAS's default two threads than with one)."""
    global _controller
    if _controller is None:
        from threadpoolctl import ThreadpoolController

        _controller = ThreadpoolController()
    with _controller.limit(limits=1, user_api="blas"):
        return [fn(s) for s in starts]


class single_blas_thread:
    """Context manager: BLAS held to one thread (see ``map_blocks``). Nested inside another (a
    solve holds one thread throughout, its every mini-batch pass asks again) it does nothing: the
    limit is process-wide, set by the outermost and restored when the outermost leaves."""

    _lock = threading.Lock()
    _depth = 0
    _limit = None

    def __enter__(self):
        global _controller
        cls = single_blas_thread
        with cls._lock:
            if cls._depth == 0:
                if _controller is None:
                    from threadpoolctl import ThreadpoolController

                    _controller = ThreadpoolController()
                limit = _controller.limit(limits=1, user_api="blas")
                limit.__enter__()
                cls._limit = limit
            cls._depth += 1
        return self

    def __exit__(self, *exc):
        cls = single_blas_thread
        with cls._lock:
            cls._depth -= 1
            if cls._depth == 0:
                limit, cls._limit = cls._limit, None
                limit.__exit__(*exc)


def gram_block(X1: np.ndarray, D: np.ndarray) -> np.ndarray:
    """Σ_b D_bk x̃_b x̃_bᵀ for one block of rows: X1 (B, d), D (B, K) -> (K, d, d).

    One matrix product (K·d × B)(B × d) for all K candidates: the (B, K·d) operand is the only
    temporary, so blocks are sized by ``hessian_block_size``."""
    B, d = X1.shape
    K = D.shape[1]
    T = (D[:, :, None] * X1[:, None, :]).reshape(B, K * d)
    return (T.T @ X1).reshape(K, d, d)


class PairGram:
    """Σᵢ Dᵢₖ x̃ᵢ x̃ᵢᵀ for data whose rows are mostly zeros (one-hot columns): the products x̃ᵢₐ x̃ᵢb of
    each row's nonzero pairs a ≤ b are held once, as a sparse P (n × d²), so all K Hessians of a
    block of rows are one sparse product P_bᵀ D_b. On Adult (80 columns, 10.4 nonzeros a row)
    that is 1.8 million products a candidate instead of n·d² = 198 million."""

    MAX_DENSITY = 0.25
    MAX_PAIRS = 20_000_000

    def __init__(self, P, d):
        self.P, self.d = P, d

    @classmethod
    def build(cls, X: np.ndarray) -> "PairGram | None":
        """The pair structure of X̃ = (X, 1), or None where dense products are as cheap."""
        from scipy import sparse

        n, p = X.shape
        d = p + 1
        nonzero = X != 0
        per_row = nonzero.sum(axis=1) + 1
        if per_row.mean() > cls.MAX_DENSITY * d or \
                int((per_row * (per_row + 1) // 2).sum()) > cls.MAX_PAIRS:
            return None
        rows, cols = np.nonzero(np.column_stack([nonzero, np.ones(n, bool)]))
        vals = np.column_stack([X, np.ones(n)])[rows, cols]
        end = np.cumsum(per_row)[rows]  # one past each entry's row, in entry order
        count = end - np.arange(len(rows))  # the entries of the same row from this one on
        a = np.repeat(np.arange(len(rows)), count)
        b = a + (np.arange(int(count.sum())) - np.repeat(np.cumsum(count) - count, count))
        P = sparse.csr_matrix((vals[a] * vals[b], (rows[a], cols[a] * d + cols[b])),
                              shape=(n, d * d))
        return cls(P, d)

    def __call__(self, start: int, stop: int, D: np.ndarray) -> np.ndarray:
        """(K, d, d) for rows start…stop with weights D (stop − start, K)."""
        K, d = D.shape[1], self.d
        # slicing a sparse matrix copies it: the whole range takes P itself
        P = self.P if (start, stop) == (0, self.P.shape[0]) else self.P[start:stop]
        U = np.asarray(P.T @ D).T.reshape(K, d, d)  # the upper triangle
        H = U + U.transpose(0, 2, 1)
        idx = np.arange(d)
        H[:, idx, idx] = U[:, idx, idx]
        return H


def hessian_block_size(n: int, K: int, d: int) -> int:
    """Rows per block for ``gram_block``: its (B, K·d) temporary stays near 8 MiB."""
    return int(max(64, min(n, (1 << 20) // max(K * d, 1))))


def block_size(n: int, K: int) -> int:
    return int(max(64, min(n, BLOCK_ELEMENTS // max(K, 1))))


def affine(X: np.ndarray, Theta: np.ndarray) -> np.ndarray:
    """Z = X Wᵀ + c for Θ = (W, c): (n, K)."""
    Z = X @ Theta[:, :-1].T
    Z += Theta[:, -1]  # in place: one pass fewer over the tile
    return Z


def with_ones(X: np.ndarray) -> np.ndarray:
    """X̃ = (X, 1), (n, p + 1): used on one block of rows at a time, never on all of X."""
    X1 = np.empty((X.shape[0], X.shape[1] + 1))
    X1[:, :-1] = X
    X1[:, -1] = 1.0
    return X1


def gram(X: np.ndarray, sums: np.ndarray | None = None) -> np.ndarray:
    """X̃ᵀX̃ (d, d) with x̃ = (x, 1), without a copy of X: XᵀX is one BLAS product (exactly
    symmetric: numpy computes a product of an array with its own transpose as a rank-k update).
    ``sums``: X's column sums where the caller has them (a pass over X fewer)."""
    n, p = X.shape
    G = np.empty((p + 1, p + 1))
    G[:p, :p] = X.T @ X
    G[:p, p] = G[p, :p] = X.sum(axis=0) if sums is None else sums
    G[p, p] = n
    return G


def weighted_gram(X: np.ndarray, weights, K: int) -> np.ndarray:
    """H (K, d, d) = Σᵢ wᵢₖ x̃ᵢ x̃ᵢᵀ with x̃ = (x, 1), for weights(start, stop) -> (B, K), by blocks.

    When d < K each block forms its rows' outer products once (B, d²) and contracts them with all
    K weight columns in one matrix product; otherwise (few weights, many columns: a least-squares
    start has K = 1) each block is one ``gram_block`` product, (K·d × B)(B × d), at BLAS speed
    instead of a (B, d²) operand per 64 rows. Either way the result is made exactly symmetric.
    """
    n, p = X.shape
    d = p + 1
    if K == 1:
        w = np.asarray(weights(0, n), float).reshape(-1)
        if len(w) and (w == w[0]).all():  # the same weight on every row: one product on X itself
            return w[0] * gram(X)[None]
    if d >= K:
        G = np.zeros((K, d, d))
        B = hessian_block_size(n, K, d)
        for s in range(0, n, B):
            X1 = with_ones(X[s:s + B])
            G += gram_block(X1, weights(s, s + len(X1)))
        return 0.5 * (G + G.transpose(0, 2, 1))
    H = np.zeros((K, d * d))
    B = block_size(n, max(K, d * d))
    for s in range(0, n, B):
        Xb = np.column_stack([X[s:s + B], np.ones(min(B, n - s))])
        outer = (Xb[:, :, None] * Xb[:, None, :]).reshape(len(Xb), d * d)
        H += weights(s, s + len(Xb)).T @ outer
    return H.reshape(K, d, d)


@dataclass(frozen=True)
class Quadratic:
    """f(θ) = f₀ + g₀ᵀδ + δᵀQδ, δ = θ − θ₀: exact for a quadratic objective, O(K d²) per batch."""

    theta0: np.ndarray
    f0: float
    g0: np.ndarray
    Q: np.ndarray

    def __call__(self, Theta: np.ndarray, grad: bool = True):
        D = Theta - self.theta0
        QD = D @ self.Q
        f = self.f0 + D @ self.g0 + (D * QD).sum(axis=1)
        return f, (self.g0 + 2.0 * QD if grad else None)


@dataclass(frozen=True)
class LinearSums:
    """f(θ) = F(Sθ) for an objective that sees the rows through sums linear in θ (a gap of group
    means of a linear model's predictions: s_g = Σᵢ ωᵢ[gᵢ = g] x̃ᵢᵀθ): S (c, d) and the constant
    sums are gathered once, and F is the objective's own ``from_sums``. Exact where f is near 0
    (a gap that closes), where the expanded f₀ + g₀ᵀδ + δᵀQδ loses every digit to cancellation;
    Q (d, d) = ½∇²f, constant, serves the Hessians."""

    S: np.ndarray
    const: np.ndarray
    finish: object
    Q: np.ndarray

    @classmethod
    def build(cls, S, const, finish):
        d2F = finish(S[:, :1] * 0.0, const)[2]  # ∂²F/∂s², the same at every s for a squared gap
        return cls(S, const, finish, 0.5 * S.T @ d2F[:, :, 0] @ S)

    def __call__(self, Theta: np.ndarray, grad: bool = True):
        f, dF, _ = self.finish(self.S @ Theta.T, self.const)
        return f, (dF.T @ self.S if grad else None)


def linear_sums(batch, objs, present) -> list:
    """Each objective's ``sums`` at P = X̃ over a batch's rows, block by block: [(S (c, d), the
    constant sums)], what ``LinearSums`` is built from (adding up over chunks of rows)."""
    X, y = batch.X, batch.y
    out = []
    size = block_size(len(y), X.shape[1] + 1)
    for obj in objs:
        S = const = None
        for s in range(0, max(len(y), 1), size):
            bb = batch.rows(s, s + size)
            Sb, _, _, cb = obj.sums(bb, with_ones(bb.X), present)
            S, const = (Sb, cb) if S is None else (S + Sb, const + cb)
        out.append((S, const))
    return out


# -- models that are not link(X̃θ): through the model protocol (forward / pullback) ---------------
def model_rows(model, Theta, batch, objs, grad: bool):
    """Values (K, t), gradients (K, t, d) and which objectives had no gradient, for the prediction
    objectives ``objs`` of a non-affine model, through ``model.forward`` and ``model.pullback``.

    Rows are visited in blocks of ``models.row_block`` rows, so memory holds one block's
    activations. When every objective is a sum over rows or a function of a few sums over rows
    (``PredictionObjective.sums``, e.g. a gap of group means), each block is one forward pass and
    one pull-back of all the objectives' ∂f/∂P, or ∂s/∂P of their sums, at once; a function of
    sums is then f(s) with ∇f = Σ_c ∂f/∂s_c ∇s_c. Otherwise the predictions P (n, K) come first,
    block by block; the objectives see all rows at once; and, with ``grad``, each block's forward
    pass is run again for its pull-back (keeping every block's activations instead would cost
    n × K × width memory). Blocks are summed in block order."""
    from .models import predictions, row_block

    reuse_freed_memory()  # every block allocates activations: take them from the heap, not mmap
    Theta = np.ascontiguousarray(Theta, dtype=float)
    n, K, t = len(batch.y), len(Theta), len(objs)
    d = Theta.shape[1]
    B = row_block(model, n, K)
    V = np.zeros((K, t))
    D = np.zeros((K, t, d)) if grad else None
    missing: set[int] = set()
    stacks = getattr(model, "stacks_gradients", False)

    def evaluate(bb, P):
        dPs = []
        for j, obj in enumerate(objs):
            v, dP = obj.evaluate(bb, P, grad)
            V[:, j] += v
            if grad and dP is None:
                missing.add(j)
            dPs.append(dP if grad else None)
        return dPs

    def pull(Xb, dPs, aux, D):
        idx = [j for j, g in enumerate(dPs) if g is not None]
        if not idx:
            return
        if stacks:
            g = model.pullback(Theta, Xb, np.stack([dPs[j] for j in idx], axis=2), aux)
            if len(idx) == len(D[0]):
                np.add(D, g, out=D)  # in place: no gather and scatter of a (K, t, d) copy
            else:
                D[:, idx] += g
        else:
            for j in idx:
                D[:, j] += model.pullback(Theta, Xb, dPs[j], aux)

    with single_blas_thread():  # the blocks' products are small: threads cost more than they give
        if n <= B or all(getattr(o, "additive", False) for o in objs):
            for s in range(0, n, B):
                bb = batch.rows(s, min(s + B, n))
                P, aux = model.forward(Theta, bb.X)
                dPs = evaluate(bb, P)
                if grad:
                    pull(bb.X, dPs, aux, D)
            return V, D, missing
        forms = _sums_forms(objs, batch)
        if forms is not None:
            _by_sums(model, Theta, batch, objs, grad, B, forms, V, D, missing, pull)
            return V, D, missing
        dPs = evaluate(batch, predictions(model, Theta, batch.X))
        if grad:
            for s in range(0, n, B):
                Xb = batch.X[s:s + B]
                pull(Xb, [None if g is None else g[s:s + B] for g in dPs],
                     model.forward(Theta, Xb)[1], D)
    return V, D, missing


def _sums_forms(objs, batch):
    """Per objective: None if it is a sum over rows, else (the groups present, its constant sums,
    its directions R (c, r) or None, its number of sums c); None for all when one has no sums
    form."""
    present = np.zeros(1, int) if batch.groups is None else np.unique(batch.groups)
    forms = []
    for obj in objs:
        if getattr(obj, "additive", False):
            forms.append(None)
            continue
        # the constant sums do not depend on P: any predictions give them
        got = obj.sums(batch, np.zeros((len(batch.y), 1)), present)
        if got is None:
            return None
        # (c, 1) sums: their count, which the constants need not show (a tanh gap has none)
        forms.append((present, got[3], obj.sum_directions(got[3]), got[0].shape[0]))
    return forms


def _by_sums(model, Theta, batch, objs, grad, B, forms, V, D, missing, pull):
    """``model_rows`` in one forward pass per block: the sums-form objectives' sums and the
    pull-backs of their ∂s/∂P·R (r columns, not c) are gathered block by block; then f and
    ∂f/∂s = R·C come from the whole data's sums, and ∇f = Σ_r C_r ∇(s·R)_r."""
    n, K = len(batch.y), len(Theta)
    cols, width = [], 0  # each objective's columns in the pulled-back stack
    for form in forms:
        r = 1 if form is None else (form[3] if form[2] is None else form[2].shape[1])
        cols.append(slice(width, width + r))
        width += r
    # one column per objective, in order: gathered in D itself and scaled in place at the end
    one_each = all(c.stop - c.start == 1 for c in cols)
    G = (D if one_each else np.zeros((K, width, D.shape[2]))) if grad else None
    sums = [None] * len(objs)
    for start in range(0, n, B):
        bb = batch.rows(start, min(start + B, n))
        P, aux = model.forward(Theta, bb.X)
        dPs = [None] * width
        for j, (obj, form) in enumerate(zip(objs, forms)):
            if form is None:
                v, dP = obj.evaluate(bb, P, grad)
                V[:, j] += v
                if grad and dP is None:
                    missing.add(j)
                dPs[cols[j].start] = dP
                continue
            sb, ds, _, _ = obj.sums(bb, P, form[0])
            sums[j] = sb if sums[j] is None else sums[j] + sb
            if grad:
                U = ds if form[2] is None else np.einsum("nck,cr->nrk", ds, form[2])
                dPs[cols[j]] = [U[:, r] for r in range(U.shape[1])]
        if grad:
            pull(bb.X, dPs, aux, G)
    for j, (obj, form) in enumerate(zip(objs, forms)):
        if form is None:
            if grad and G is not D:
                D[:, j] = G[:, cols[j].start]
            continue
        f, dF, _ = obj.from_sums(sums[j], form[1])
        V[:, j] = f
        if not grad:
            continue
        if dF is None:
            missing.add(j)
            D[:, j] = 0.0
            continue
        C = dF if form[2] is None else np.linalg.pinv(form[2]) @ dF  # ∂f/∂s = R·C, C (r, K)
        if G is D:  # its one column, scaled in place
            D[:, j] *= C[0][:, None]
        else:
            D[:, j] = np.einsum("rk,krd->kd", C, G[:, cols[j]])


def model_combined(model, Theta, batch, objs, coef):
    """Values (K, t) and the gradient (K, d) of Σⱼ Cₖⱼ vⱼ(θₖ) for the prediction objectives
    ``objs`` of a non-affine model, with C = coef(values) (K, t) read between the forward pass and
    the pull-back: one pull-back of Σⱼ Cⱼ ∂vⱼ/∂P instead of t (a weighted sum's step costs one
    backward pass, as in a training loop that calls ``backward`` on the scalarised loss). Only for
    rows that fit one block (a mini-batch); None otherwise, and the caller takes ``model_rows``.
    Returns (values, gradient, the objectives without a gradient whose C is not zero)."""
    from .models import row_block

    Theta = np.ascontiguousarray(Theta, dtype=float)
    n, K, t = len(batch.y), len(Theta), len(objs)
    if n > row_block(model, n, K):
        return None
    reuse_freed_memory()
    V = np.empty((K, t))
    with single_blas_thread():
        P, aux = model.forward(Theta, batch.X)
        dPs = []
        for j, obj in enumerate(objs):
            V[:, j], dP = obj.evaluate(batch, P, True)
            dPs.append(dP)
        C = coef(V)
        dP_sum, missing = None, set()
        for j, dP in enumerate(dPs):
            if dP is None:
                if np.any(C[:, j] != 0):
                    missing.add(j)
                continue
            term = dP * C[:, j]  # (n, K): each candidate's coefficient on its column
            dP_sum = term if dP_sum is None else np.add(dP_sum, term, out=dP_sum)
        if dP_sum is None:
            return V, np.zeros((K, Theta.shape[1])), missing
        return V, model.pullback(Theta, batch.X, dP_sum, aux), missing
