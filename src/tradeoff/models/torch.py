"""Any PyTorch network as a tradeoff model: ``TorchModel(module)``.

Needs PyTorch: ``pip install 'tradeoff[torch]'``.

θ is the module's parameters flattened in ``module.parameters()`` order (as
``torch.nn.utils.parameters_to_vector``). The K candidates are one batched program:
``torch.func.functional_call`` on the module with one θ, mapped over the rows of Θ by
``torch.func.vmap``; pull-backs are reverse-mode autograd of that program from Θ, one per cotangent
of a stack. Where vmap cannot go (an op without a batching rule, data-dependent Python control
flow, ``.item()``), the model falls back to a loop over the K candidates and records why in
``vmap_fallback``.

torch is imported when a ``TorchModel`` is made, never when tradeoff is imported.
"""

from __future__ import annotations

import contextlib
import copy
import math
import warnings

import numpy as np
from scipy.special import expit

from .._validation import check_choice, fail
from .base import PROB_CLIP, Model

OUTPUTS = ("linear", "logistic")
DTYPES = ("float32", "float64")
X_CACHE = 4  # tensors of X kept (a full data set and a few row blocks)


def is_module(obj) -> bool:
    """True if ``obj`` is a ``torch.nn.Module`` (your own subclasses too), without importing torch:
    a module's class has ``torch.nn.Module`` among its bases, and that class lives in torch.nn."""
    return any(c.__name__ == "Module" and c.__module__.startswith("torch.nn")
               for c in type(obj).__mro__)


def _torch():
    """The torch module, or an ImportError naming the extra that installs it."""
    try:
        import torch
    except ImportError as err:
        raise ImportError("tradeoff.models.torch.TorchModel needs PyTorch, which is not installed; "
                          "install it with `pip install 'tradeoff[torch]'`.") from err
    return torch


class TorchModel(Model):
    """A ``torch.nn.Module`` mapping X (n, p) to one score per row ((n,) or (n, 1)), as a model.

    ``output``: ``linear`` (the score is the prediction) or ``logistic`` (a probability, clipped in
    the gradient as ``log_loss`` clips; ``threshold`` makes it a class). ``dtype``: ``float64``
    (default) or ``float32``; ``device``: ``None``/``"cpu"`` or ``"cuda"`` (if available). The
    module is copied (the caller's is never changed) and run in eval mode: dropout is off and
    batch-norm layers use their running statistics, which are not trained. ``seed`` fixes ``init``.
    ``threads`` (default 1): torch's intra-op threads during every call of the model (restored
    after); ``None`` leaves torch's setting. One thread is the engine's choice for numpy's BLAS too:
    a row block's operations are small, and threads spinning for them cost more than they give.
    ``n_inputs``: the number of feature columns the module takes; d does not say it (unlike the
    MLP's), so ``Problem`` records it from its data (``fit_inputs``) for predictors and saved files.
    """

    name = "torch"
    affine = False
    stacks_gradients = True  # pullback takes dP (n, K, t) and returns (K, t, d)

    def __init__(self, module, *, output: str = "linear", dtype="float64", device=None,
                 seed: int = 0, threshold: float = 0.5, threads: int | None = 1,
                 n_inputs: int | None = None):
        torch = _torch()
        if not isinstance(module, torch.nn.Module):
            fail("module", "a torch.nn.Module", type(module).__name__, exc=TypeError)
        check_choice("output", output, OUTPUTS)
        if isinstance(dtype, torch.dtype):
            dtype = str(dtype).removeprefix("torch.")
        check_choice("dtype", dtype, DTYPES)
        device = torch.device("cpu" if device is None else device)
        if device.type == "cuda" and not torch.cuda.is_available():
            fail("device", "a device this machine has", str(device), "CUDA is not available here; "
                 "leave device=None for the CPU.")
        if isinstance(seed, bool) or not isinstance(seed, (int, np.integer)):
            fail("seed", "an integer", seed, exc=TypeError)
        if (isinstance(threshold, bool) or not isinstance(threshold, (int, float, np.number))
                or not 0 < threshold < 1):
            fail("threshold", "in the open interval (0, 1)", threshold)
        if threads is not None and (isinstance(threads, bool) or not isinstance(threads, int)
                                    or threads < 1):
            fail("threads", "a positive integer or None (torch's own setting)", threads)
        integer = isinstance(n_inputs, (int, np.integer)) and not isinstance(n_inputs, bool)
        if n_inputs is not None and not (integer and n_inputs >= 1):
            fail("n_inputs", "a positive integer (the number of feature columns) or None", n_inputs)
        self.threads = threads
        self.n_inputs = None if n_inputs is None else int(n_inputs)
        self.output, self.seed, self.threshold = output, int(seed), float(threshold)
        self.dtype, self.device = getattr(torch, dtype), device
        # a float64 CPU copy re-initialised by ``init`` (so starts do not depend on dtype or
        # device), and the copy that runs, whose parameters are replaced by θ at every call
        self._template = copy.deepcopy(module).to(dtype=torch.float64, device="cpu").eval()
        self.module = copy.deepcopy(module).to(dtype=self.dtype, device=device).eval()
        named = list(self.module.named_parameters())
        if not named:
            fail("module", "a module with parameters", type(module).__name__)
        self._names = [k for k, _ in named]
        self._shapes = [tuple(v.shape) for _, v in named]
        self._sizes = [math.prod(s) for s in self._shapes]
        self._d = sum(self._sizes)
        self._x_cache: list = []  # [(key, X, tensor)]: X is held so its id cannot be reused
        self.vmap_fallback: str | None = None  # why the K candidates are looped, if they are
        self._vmap_ok = False

    # -- layout --------------------------------------------------------------------------------
    def n_params(self, n_features: int) -> int:
        return self._d

    def fit_inputs(self, X: np.ndarray) -> "TorchModel":
        """This model knowing it takes X's columns (a copy sharing the module, if ``n_inputs`` was
        not set: the caller's model is not changed); itself if it already does."""
        p = int(np.shape(X)[1])
        if self.n_inputs == p:
            return self
        if self.n_inputs is not None:
            fail("X", f"{self.n_inputs} feature columns (the model's n_inputs)", f"{p} columns",
                 "Give the data the model was built for, or a TorchModel with n_inputs=None.")
        out = copy.copy(self)
        out.n_inputs = p
        return out

    def param_names(self, feature_names) -> list[str]:
        """``0.weight[3,1]``: the module's parameter name and the entry's index."""
        names = []
        for name, shape in zip(self._names, self._shapes):
            names += [f"{name}[{','.join(map(str, i))}]" if shape else name
                      for i in np.ndindex(shape)]
        return names

    def penalized(self, n_features: int) -> np.ndarray:
        """The weights (parameters of two or more dimensions), not the biases, for l1/l2."""
        return np.concatenate([np.full(s, len(sh) >= 2)
                               for s, sh in zip(self._sizes, self._shapes)])

    def init(self, K: int, n_features: int, rng=None) -> np.ndarray:
        """Θ (K, d): PyTorch's default initialisation (each submodule's ``reset_parameters``),
        re-run per candidate under a seed drawn from ``rng`` (a seed or numpy Generator; default
        the model's ``seed``). Row k does not depend on K. Parameters of a module without
        ``reset_parameters`` keep the values they were given."""
        torch = _torch()
        from torch.nn.utils import parameters_to_vector

        rng = np.random.default_rng(self.seed if rng is None else rng)
        seeds = rng.integers(0, 2 ** 62, size=int(K))
        out = np.empty((int(K), self._d))
        # fork_rng: torch's global generator is left as it was
        with self._threads(), torch.random.fork_rng(devices=[]), torch.no_grad():
            for k, s in enumerate(seeds):
                torch.manual_seed(int(s))
                for sub in self._template.modules():
                    if hasattr(sub, "reset_parameters"):
                        sub.reset_parameters()
                out[k] = parameters_to_vector(self._template.parameters()).numpy()
        return out

    # -- tensors ---------------------------------------------------------------------------------
    def _x(self, X: np.ndarray):
        """X as a tensor, cached on the array's identity (id, shape, data pointer): repeated calls
        on the same array convert it once. The array must not be changed in place meanwhile."""
        key = (id(X), X.shape, X.__array_interface__["data"][0])
        for k, _, t in self._x_cache:
            if k == key:
                return t
        t = self._tensor(X)
        self._x_cache = [(key, X, t)] + self._x_cache[:X_CACHE - 1]
        return t

    def _tensor(self, a: np.ndarray):
        """``a`` as a tensor of the model's dtype on its device: no copy for float64 on the CPU."""
        torch = _torch()
        with warnings.catch_warnings():  # a read-only array (a memory map) is fine: it is only read
            warnings.filterwarnings("ignore", "The given NumPy array is not writable")
            t = torch.from_numpy(np.ascontiguousarray(a, dtype=np.float64))
        return t.to(device=self.device, dtype=self.dtype)

    def _one(self, theta, Xt):
        """Scores (n,) of one parameter vector θ (d,)."""
        torch = _torch()
        params = {k: v.reshape(s) for k, v, s in
                  zip(self._names, torch.split(theta, self._sizes), self._shapes)}
        Z = torch.func.functional_call(self.module, params, (Xt,))
        if Z.shape not in ((len(Xt),), (len(Xt), 1)):
            fail("module", "a network with one output per row ((n,) or (n, 1))",
                 f"output of shape {tuple(Z.shape)} for {len(Xt)} rows",
                 "End it with e.g. nn.Linear(h, 1).")
        return Z.reshape(len(Xt))

    def _scores(self, T, Xt):
        """Z (K, n) for all K candidates: vmapped, or a loop where vmap cannot go."""
        torch = _torch()
        if self.vmap_fallback is not None:
            return self._loop(T, Xt)
        try:
            Z = torch.func.vmap(self._one, in_dims=(0, None))(T, Xt)
        except RuntimeError as err:
            if self._vmap_ok:  # vmap has run this module before: the module refuses these rows
                self._refuse(Xt, err)
            Z = self._loop(T, Xt)  # the module runs one θ at a time but not under vmap
            self.vmap_fallback = f"{type(err).__name__}: {err}".splitlines()[0]
            warnings.warn(f"TorchModel: torch.func.vmap cannot run {type(self.module).__name__} "
                          f"({self.vmap_fallback}); its K candidates are evaluated one by one.",
                          RuntimeWarning, stacklevel=4)
            return Z
        self._vmap_ok = True
        return Z

    def _loop(self, T, Xt):
        torch = _torch()
        try:
            return torch.stack([self._one(T[k], Xt) for k in range(len(T))])
        except RuntimeError as err:
            self._refuse(Xt, err)

    def _refuse(self, Xt, err):
        fail("X", "rows the module can evaluate", f"an array of shape {tuple(Xt.shape)}",
             f"The module raised {type(err).__name__}: {str(err).splitlines()[0]}")

    @contextlib.contextmanager
    def _threads(self):
        """torch's intra-op threads set to ``threads`` for the duration, then restored. Every torch
        operation of the model runs inside it, the tensor conversions too: one of them run on more
        threads wakes torch's OpenMP workers, which then spin on the other cores after it ends."""
        torch = _torch()
        before = torch.get_num_threads()
        if self.threads is not None and self.threads != before:
            torch.set_num_threads(self.threads)
        try:
            yield
        finally:
            if torch.get_num_threads() != before:
                torch.set_num_threads(before)

    # -- forward and backward ------------------------------------------------------------------
    def score(self, Theta: np.ndarray, X: np.ndarray) -> np.ndarray:
        """The module's outputs Z (n, K) before the output link (for decision_function)."""
        torch = _torch()
        Theta = np.atleast_2d(np.asarray(Theta, dtype=float))
        with self._threads(), torch.no_grad():
            Z = self._scores(self._tensor(Theta), self._x(X))
            return Z.to("cpu", torch.float64).numpy().T.copy()

    def forward(self, Theta: np.ndarray, X: np.ndarray):
        """P (n, K) and aux = (the scores Z (K, n) with their autograd graph, the leaf Θ they were
        computed from, the output link's slope or None)."""
        torch = _torch()
        with self._threads():
            Xt = self._x(X)
            T = self._tensor(Theta).requires_grad_()
            with torch.enable_grad():
                Z = self._scores(T, Xt)
            P = Z.detach().to("cpu", torch.float64).numpy().T.copy()  # (n, K)
        S = None
        if self.output == "logistic":
            P = expit(P, out=P)
            Pc = np.clip(P, PROB_CLIP, 1 - PROB_CLIP)  # the same clip as log_loss and the MLP
            S = Pc * (1.0 - Pc)
        return P, (Z, T, S)

    def pullback(self, Theta: np.ndarray, X: np.ndarray, dP: np.ndarray, aux) -> np.ndarray:
        """∂f/∂Θ (K, d) from ∂f/∂P (n, K), or (K, t, d) from a stack dP (n, K, t).

        Plain reverse-mode autograd of the recorded scores, one ``autograd.grad`` per cotangent
        (the graph is kept: ``aux`` may be pulled back again). It is the same product as
        ``torch.func.vjp`` of the vmapped program, and about a quarter cheaper on a small network's
        mini-batch, where torch.func's per-call overhead is a large part of the step."""
        torch = _torch()
        Z, T, S = aux
        stacked = dP.ndim == 3
        G = dP if stacked else dP[:, :, None]
        if S is not None:
            G = G * S[:, :, None]
        with self._threads():
            cot = self._tensor(G.transpose(2, 1, 0))  # (t, K, n)
            out = torch.stack([torch.autograd.grad(Z, T, c, retain_graph=True)[0] for c in cot])
            out = out.to("cpu", torch.float64).numpy().transpose(1, 0, 2)  # (K, t, d)
        return out if stacked else out[:, 0]

    # -- the rest of the protocol ----------------------------------------------------------------
    def classify(self, Theta, X) -> np.ndarray:
        return (self.predict(Theta, X) >= self.threshold).astype(float)

    def describe(self) -> dict:
        """Everything but the network itself, as data: the settings, and the module's class name and
        parameter names and shapes (what ``Front.load`` checks a given module against)."""
        out = {"name": self.name, "module": type(self.module).__name__, "output": self.output,
               "dtype": str(self.dtype).removeprefix("torch."), "device": str(self.device),
               "seed": self.seed, "threads": self.threads, "n_params": self._d,
               "parameters": [{"name": k, "shape": list(s)}
                              for k, s in zip(self._names, self._shapes)]}
        if self.n_inputs is not None:
            out["n_inputs"] = self.n_inputs
        if self.threshold != 0.5:
            out["threshold"] = self.threshold
        return out

    def __repr__(self):
        dtype = self.describe()["dtype"]
        return f"TorchModel({self.module!r}, output={self.output!r}, dtype={dtype!r})"
