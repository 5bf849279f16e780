"""Batched multi-layer perceptrons: K networks evaluated together as one array program.

A row θ of Θ (K, d) holds one network's parameters, layer by layer: W₁ (p, h₁) row-major, b₁ (h₁),
W₂ (h₁, h₂), b₂, …, the output weights w (h_L) and bias c. The K networks' weights are views of Θ
(K, in, out) — never copies — so a forward pass over a block of B rows is

    first layer   X (B, p) · W₁ (K, p, h₁) → (K, B, h₁)        one product for all K
    later layers  A (K, B, hᵢ) · Wᵢ₊₁ (K, hᵢ, hᵢ₊₁)           batched products
    output        A (K, B, h_L) · w (K, h_L)  → P (B, K)       then the output link

and the backward pass mirrors it. ``Problem`` visits rows in blocks (``block_rows``), so memory holds
one block's activations, not all n rows'.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from functools import lru_cache

import numpy as np
from scipy.special import expit, ndtr

from .._validation import check_choice, fail
from .base import PROB_CLIP, Model

ACTIVATIONS = ("relu", "tanh", "gelu")
INITS = ("he", "glorot", "torch")
OUTPUTS = ("linear", "logistic")
_SQRT_2PI = np.sqrt(2.0 * np.pi)
BLOCK_NUMBERS = 1 << 19  # one hidden layer's activations for all K networks in one row block
# Size limits, checked before anything is allocated. A row block has at least 16 rows, so a layer of
# width h holds 16·K·h activations (and the backward pass as many per objective): at 65,536 units that
# is 8 MB per network; a layer of 10⁶ units would need 128 MB per network per array, gigabytes for a
# population. 20 million parameters are 160 MB per network, of which solvers keep several copies.
MAX_WIDTH = 1 << 16
MAX_PARAMS = 20_000_000
MAX_BLOCK_BYTES = 1 << 31  # one activation array of the smallest row block, all K networks


@lru_cache(maxsize=64)
def _layout(hidden: tuple, p: int):
    """Per layer (fan_in, fan_out, offset of W, offset of b), and d."""
    sizes = (p, *hidden, 1)
    out, o = [], 0
    for i, u in zip(sizes[:-1], sizes[1:]):
        out.append((i, u, o, o + i * u))
        o += i * u + u
    return tuple(out), o


@dataclass(frozen=True)
class MLP(Model):
    """A fully connected network: ``hidden`` layer widths, ``activation`` relu | tanh | gelu, and
    ``output`` linear (regression) or logistic (a probability; ``threshold`` makes it a class).

    ``seed`` fixes ``init``; ``init_scheme`` picks its scheme: ``torch`` (default: PyTorch's
    ``nn.Linear`` default, weights and biases uniform on ±1/√fan-in; the best held-out HV measured),
    ``he`` (He-normal weights for relu and gelu, Glorot-normal for tanh and for the output layer,
    zero biases) or ``glorot`` (Glorot-normal weights everywhere, zero biases). ``penalized`` marks the weights, not the biases.

    ``standardize`` (default true): the network sees (X − μ)/s, with μ and s (``input_mean``,
    ``input_scale``) learned from the training rows when a ``Problem`` is built (``fit_inputs``) and
    kept with the model, so fronts, predictors and saved files apply the same scaling to new rows.
    Without it, raw columns such as Adult's capital gain (up to 99,999) saturate every unit at
    initialisation.
    """

    hidden: tuple = (64, 64)
    activation: str = "relu"
    output: str = "linear"
    seed: int = 0
    threshold: float = 0.5
    standardize: bool = True
    input_mean: tuple | None = None
    input_scale: tuple | None = None
    init_scheme: str = "torch"  # not ``init``: that name is the protocol's method
    name = "mlp"
    affine = False
    stacks_gradients = True  # pullback takes dP (n, K, t) and returns (K, t, d)

    def __post_init__(self):
        hidden = self.hidden
        if isinstance(hidden, (int, np.integer)) and not isinstance(hidden, bool):
            hidden = (hidden,)
        if (not isinstance(hidden, (list, tuple)) or len(hidden) == 0
                or not all(isinstance(h, (int, np.integer)) and not isinstance(h, bool) and h > 0
                           for h in hidden)):
            fail("hidden", "a non-empty list of positive layer widths, e.g. [64, 64]", self.hidden)
        object.__setattr__(self, "hidden", tuple(int(h) for h in hidden))
        if max(self.hidden) > MAX_WIDTH:
            fail("hidden", f"layers of at most {MAX_WIDTH:,} units (one block of a wider layer's "
                 "activations takes hundreds of MB per network)", list(self.hidden),
                 "Use fewer, smaller layers, e.g. [64, 64].")
        self._check_size(1)  # the weights between hidden layers alone, before any data is seen
        check_choice("activation", self.activation, ACTIVATIONS)
        check_choice("output", self.output, OUTPUTS)
        check_choice("init_scheme", self.init_scheme, INITS)
        if isinstance(self.seed, bool) or not isinstance(self.seed, (int, np.integer)):
            fail("seed", "an integer", self.seed, exc=TypeError)
        if not 0 < self.threshold < 1:
            fail("threshold", "in the open interval (0, 1)", self.threshold)
        if not isinstance(self.standardize, (bool, np.bool_)):
            fail("standardize", "true or false", self.standardize, exc=TypeError)
        if (self.input_mean is None) != (self.input_scale is None):
            fail("input_scale" if self.input_scale is None else "input_mean",
                 "given together with the other (the inputs' mean and scale)", None)
        if self.input_mean is not None:
            mean = np.asarray(self.input_mean, float).ravel()
            scale = np.asarray(self.input_scale, float).ravel()
            if mean.shape != scale.shape or not (np.isfinite(mean).all() and (scale > 0).all()):
                fail("input_scale", "positive and finite, as long as input_mean",
                     f"{scale.size} values for {mean.size} means")
            object.__setattr__(self, "input_mean", tuple(float(v) for v in mean))
            object.__setattr__(self, "input_scale", tuple(float(v) for v in scale))

    def fit_inputs(self, X: np.ndarray) -> "MLP":
        """This model with μ and s of X's columns (s = 1 for a constant column), if it standardizes
        and has none yet; else itself (a trained model keeps its training rows' scaling)."""
        if not self.standardize or self.input_mean is not None:
            return self
        s = X.std(axis=0)
        return replace(self, input_mean=tuple(X.mean(axis=0).tolist()),
                       input_scale=tuple(np.where(s > 0, s, 1.0).tolist()))

    # -- layout --------------------------------------------------------------------------------
    def n_params(self, n_features: int) -> int:
        return self._check_size(n_features)

    def _check_size(self, n_features: int) -> int:
        """d for ``n_features`` inputs, refused beyond ``MAX_PARAMS`` (counted without allocating)."""
        sizes = (int(n_features), *self.hidden, 1)
        d = sum(i * u + u for i, u in zip(sizes[:-1], sizes[1:]))
        if d > MAX_PARAMS:
            fail("hidden", f"layers with at most {MAX_PARAMS:,} parameters in all (8 bytes each, "
                 "per network, several copies per solver)",
                 f"{list(self.hidden)}: {d:,} parameters with {n_features} input(s), "
                 f"{d * 8 / 1e9:.3g} GB per network", "Use fewer, smaller layers.")
        return _layout(self.hidden, int(n_features))[1]

    def _unpack(self, Theta: np.ndarray, p: int):
        """Views W̃ (K, in + 1, out) of every layer: the weights with the bias as last row (θ stores
        each layer's W row-major and then b, so the two are one matrix). Θ must be C-contiguous."""
        K = len(Theta)
        layers, _ = _layout(self.hidden, p)
        return [Theta[:, ow:ob + u].reshape(K, i + 1, u) for i, u, ow, ob in layers]

    def param_names(self, feature_names) -> list[str]:
        feats = list(feature_names)
        names = []
        L = len(self.hidden)
        for li, (i, u, _, _) in enumerate(_layout(self.hidden, len(feats))[0]):
            inputs = feats if li == 0 else [f"h{li}_{a}" for a in range(i)]
            if li == L:
                names += [f"out.w[{a}]" for a in inputs] + ["out.b"]
            else:
                names += [f"l{li + 1}.w[{a},{b}]" for a in inputs for b in range(u)]
                names += [f"l{li + 1}.b[{b}]" for b in range(u)]
        return names

    def penalized(self, n_features: int) -> np.ndarray:
        mask = np.zeros(self.n_params(n_features), bool)
        for i, u, ow, ob in _layout(self.hidden, int(n_features))[0]:
            mask[ow:ob] = True
        return mask

    def init(self, K: int, n_features: int, rng=None) -> np.ndarray:
        """Θ (K, d) by ``init_scheme``: ``he`` — He-normal weights (relu, gelu) or Glorot-normal
        (tanh, output layer), zero biases; ``glorot`` — Glorot-normal weights, zero biases;
        ``torch`` — weights and biases uniform on ±1/√fan-in (PyTorch's ``nn.Linear``).

        ``rng`` is a seed or a numpy Generator (default: the model's ``seed``); row k does not
        depend on K, so a larger batch extends a smaller one."""
        rng = np.random.default_rng(self.seed if rng is None else rng)
        layers, d = _layout(self.hidden, int(n_features))
        scale = np.zeros(d)
        for li, (i, u, ow, ob) in enumerate(layers):
            if self.init_scheme == "torch":
                scale[ow:ob + u] = 1.0 / np.sqrt(i)  # the bound of a uniform, weights and biases
                continue
            glorot = (self.init_scheme == "glorot" or li == len(layers) - 1
                      or self.activation == "tanh")
            scale[ow:ob] = np.sqrt(2.0 / (i + u) if glorot else 2.0 / i)
        if self.init_scheme == "torch":
            return rng.uniform(-1.0, 1.0, (int(K), d)) * scale
        return rng.standard_normal((int(K), d)) * scale

    def block_rows(self, K: int) -> int:
        """Rows per block: about 2¹⁹ numbers of one hidden layer's activations for all K; refused
        when even the smallest block (16 rows) of the widest layer for K networks passes
        ``MAX_BLOCK_BYTES``, before a pass allocates it."""
        need = 16 * max(K, 1) * max(self.hidden) * 8
        if need > MAX_BLOCK_BYTES:
            fail("hidden", f"narrow enough that 16 rows of its widest layer for {K} networks fit in "
                 f"{MAX_BLOCK_BYTES / 2**30:g} GiB", f"{list(self.hidden)}: {need / 2**30:.3g} GiB",
                 "Use smaller layers, or fewer networks at once (n_points, pop_size).")
        return max(16, BLOCK_NUMBERS // (max(K, 1) * max(self.hidden)))

    # -- forward and backward ------------------------------------------------------------------
    def _act(self, Z):
        """act(Z) in place, and what its derivative needs (A itself for relu and tanh, Z for gelu)."""
        if self.activation == "relu":
            return np.maximum(Z, 0.0, out=Z)
        if self.activation == "tanh":
            return np.tanh(Z, out=Z)
        keep = Z.copy()
        np.multiply(keep, ndtr(keep), out=Z)
        return keep

    def _act_grad(self, keep):
        """act'(Z) (K, B, h) from what ``_act`` kept."""
        if self.activation == "relu":
            return keep > 0
        if self.activation == "tanh":
            return 1.0 - keep * keep
        return ndtr(keep) + keep * np.exp(-0.5 * keep * keep) / _SQRT_2PI

    def forward(self, Theta: np.ndarray, X: np.ndarray):
        """P (n, K) and aux = (X̃, the activations with a column of ones, what act' needs, the
        output link's slope)."""
        Theta = np.ascontiguousarray(Theta, dtype=float)
        K, (n, p) = len(Theta), X.shape
        Ws = self._unpack(Theta, p)
        X1 = np.empty((n, p + 1))  # X̃ = (X, 1): the bias rides in the product
        X1[:, :p] = X
        if self.input_mean is not None:
            if len(self.input_mean) != p:
                fail("X", f"{len(self.input_mean)} feature columns (as the model was fitted on)",
                     f"{p} columns")
            X1[:, :p] -= self.input_mean
            X1[:, :p] /= self.input_scale
        X1[:, p] = 1.0
        prev, acts, keeps = X1, [], []
        for W in Ws[:-1]:
            u = W.shape[2]
            A = np.empty((K, n, u + 1))
            A[:, :, u] = 1.0
            # (B, p + 1)·(K, p + 1, h) for the first layer, (K, B, h + 1)·(K, h + 1, h') after
            keeps.append(self._act(np.matmul(prev, W, out=A[:, :, :u])))
            acts.append(A)
            prev = A
        Zout = np.matmul(prev, Ws[-1])[:, :, 0]  # (K, B)
        P = np.ascontiguousarray(Zout.T)
        S = None
        if self.output == "logistic":
            P = expit(P, out=P)
            Pc = np.clip(P, PROB_CLIP, 1 - PROB_CLIP)  # the same clip as log_loss and LogisticModel
            S = Pc * (1.0 - Pc)
        return P, (X1, acts, keeps, S)

    def pullback(self, Theta: np.ndarray, X: np.ndarray, dP: np.ndarray, aux) -> np.ndarray:
        """∂f/∂Θ (K, d) from ∂f/∂P (n, K), or (K, t, d) from a stack dP (n, K, t)."""
        Theta = np.ascontiguousarray(Theta, dtype=float)
        X1, acts, keeps, S = aux
        stacked = dP.ndim == 3
        G = dP if stacked else dP[:, :, None]
        if S is not None:
            G = G * S[:, :, None]
        (n, K, t), p = G.shape, X.shape[1]
        layers, d = _layout(self.hidden, p)
        Ws = self._unpack(Theta, p)
        out = np.empty((K, t, d))
        Gk = G.transpose(1, 2, 0)  # (K, t, B)
        i, u, ow, ob = layers[-1]
        np.matmul(Gk, acts[-1], out=out[:, :, ow:ob + 1])  # output weights and bias: (K, t, h + 1)
        # The output is one number per row, so objective j's δ at any layer is its row weights G_j
        # times one δ of the output itself, E (K, B, h): E is pulled back once for all t objectives,
        # and only each layer's weight gradient, prevᵀ(G_j ⊙ E), is per objective.
        E = self._act_grad(keeps[-1]) * Ws[-1][:, None, :i, 0]  # (K, B, h)
        buf = np.empty(K * t * n * max(self.hidden))  # each layer's G_j ⊙ E, in turn
        for li in range(len(layers) - 2, -1, -1):
            i, u, ow, ob = layers[li]
            if li < len(layers) - 2:
                E *= self._act_grad(keeps[li])
            Wg = out[:, :, ow:ob + u].reshape(K, t, i + 1, u)  # W̃'s gradient, in its place in θ
            if li > 0:
                F = buf[:K * t * n * u].reshape(K, t, n, u)
                np.multiply(Gk[:, :, :, None], E[:, None], out=F)
                np.matmul(acts[li - 1].swapaxes(-1, -2)[:, None], F, out=Wg)  # (K, t, i + 1, u)
                E = np.matmul(E, Ws[li][:, :i].swapaxes(1, 2))  # (K, B, i)
            else:
                # X̃ is the same for all K networks: one wide product X̃ᵀ (p + 1, B) · F (B, K·t·u)
                # gives all K·t gradients, faster than K·t narrow ones
                F = buf[:n * K * t * u].reshape(n, K, t, u)
                np.multiply(G[:, :, :, None], E.transpose(1, 0, 2)[:, :, None, :], out=F)
                R = np.matmul(X1.T, F.reshape(n, K * t * u))
                Wg[...] = R.reshape(i + 1, K, t, u).transpose(1, 2, 0, 3)
        return out if stacked else out[:, 0]

    # -- the rest of the protocol ----------------------------------------------------------------
    def classify(self, Theta, X) -> np.ndarray:
        return (self.predict(Theta, X) >= self.threshold).astype(float)

    def describe(self) -> dict:
        out = {"name": self.name, "hidden": list(self.hidden), "activation": self.activation,
               "output": self.output, "seed": int(self.seed)}
        if self.threshold != 0.5:
            out["threshold"] = self.threshold
        if not self.standardize:
            out["standardize"] = False
        out["init_scheme"] = self.init_scheme
        if self.input_mean is not None:
            out["input_mean"] = list(self.input_mean)
            out["input_scale"] = list(self.input_scale)
        return out
