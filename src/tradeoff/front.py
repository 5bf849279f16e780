"""Fronts: immutable solver results (the indicators that score them are in ``tradeoff.indicators``).

A front from ``solve`` also carries what it takes to use its points on new data: the model, the
objectives and constraints, the training data's encoder and feature names, and the seed. With them
``front.evaluate(data)`` scores every point on other data, ``front.select(rule)`` picks one,
``front.predictor(i)`` predicts with it, and ``front.save(path)`` / ``Front.load(path)`` keep it
(format: ``tradeoff.front_io``). Those verbs live in their own modules, above this one: each
registers itself here with ``front_verb`` (this module imports none of them).
"""

from __future__ import annotations

import dataclasses
import json
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any

import numpy as np
import pandas as pd

from ._validation import fail
from .indicators import Scale, compare, hypervolume, igd_plus, nondominated  # noqa: F401 (old paths)
from .verbs import Verbs

def _frozen(a):
    a = np.array(a, dtype=float)
    a.setflags(write=False)
    return a


@dataclass(frozen=True)
class Front:
    """Objective values F (k, m), parameters X (k, d) and how they were found.

    ``G`` (k, c) holds constraint values g − ε (≤ 0 is feasible); ``feasible`` is (k,). ``success``
    and ``message`` say honestly whether the solver met its own stopping rule.

    ``model``, ``objectives`` (Objective objects), ``constraints`` (Constraint objects), ``encoder``
    (the training Dataset's, if any), ``feature_names`` (training column order) and ``seed`` are
    attached by ``solve``; a hand-built front may leave them None, and then cannot be evaluated
    on new data or turned into a predictor. A randomised point (fairlearn's ExponentiatedGradient)
    keeps its mixture in ``extra["mixtures"][i]`` (``weights`` and ``theta`` rows); ``X[i]`` is
    only its heaviest model, and ``evaluate`` and ``predictor`` use the whole mixture.

    Fronts pickle (the read-only mappings are stored as plain dicts and re-wrapped).
    """

    F: np.ndarray
    X: np.ndarray
    objective_names: tuple[str, ...]
    param_names: tuple[str, ...]
    solver: str
    options: MappingProxyType = field(default_factory=lambda: MappingProxyType({}))
    evaluations: int = 0
    seconds: float = 0.0
    success: bool = True
    message: str = ""
    G: np.ndarray | None = None
    extra: MappingProxyType = field(default_factory=lambda: MappingProxyType({}))
    model: Any = None
    objectives: tuple | None = None
    constraints: tuple | None = None
    encoder: Any = None
    feature_names: tuple[str, ...] | None = None
    seed: Any = None

    def __post_init__(self):
        F, X = _frozen(self.F), _frozen(self.X)
        F = F.reshape(-1, len(self.objective_names))
        X = X.reshape(len(F), -1) if F.size or X.size else np.zeros((0, len(self.param_names)))
        object.__setattr__(self, "F", F)
        object.__setattr__(self, "X", _frozen(X))
        if self.G is not None:
            G = np.asarray(self.G, dtype=float)
            # (k, c); an empty front keeps its c columns (or none if it never had any)
            G = G.reshape(len(F), G.shape[-1] if G.ndim == 2 else (G.size // max(len(F), 1)))
            object.__setattr__(self, "G", _frozen(G))
        object.__setattr__(self, "options", MappingProxyType(dict(self.options)))
        object.__setattr__(self, "extra", MappingProxyType(dict(self.extra)))
        object.__setattr__(self, "objective_names", tuple(self.objective_names))
        object.__setattr__(self, "param_names", tuple(self.param_names))
        for name in ("objectives", "constraints", "feature_names"):
            value = getattr(self, name)
            if value is not None:
                object.__setattr__(self, name, tuple(value))
        # success is never claimed for values that are not numbers, whoever made the front
        finite = np.isfinite(F).all(1) & (np.isfinite(self.G).all(1) if self.G is not None
                                          else True)
        if self.success and not finite.all():
            object.__setattr__(self, "success", False)
            object.__setattr__(self, "message", f"{self.message}; {int((~finite).sum())} of "
                               f"{len(F)} points have non-finite values")

    # -- pickling: mappingproxy does not pickle, so the state holds plain dicts ----------------------
    def __getstate__(self):
        state = {f.name: getattr(self, f.name) for f in dataclasses.fields(self)}
        state["options"], state["extra"] = dict(self.options), dict(self.extra)
        return state

    def __setstate__(self, state):
        for f in dataclasses.fields(self):  # a pickle from before a field existed gets its default
            value = state[f.name] if f.name in state else (
                f.default_factory() if f.default_factory is not dataclasses.MISSING else f.default)
            object.__setattr__(self, f.name, value)
        for name in ("F", "X", "G"):
            if getattr(self, name) is not None:
                object.__setattr__(self, name, _frozen(getattr(self, name)))
        object.__setattr__(self, "options", MappingProxyType(dict(self.options)))
        object.__setattr__(self, "extra", MappingProxyType(dict(self.extra)))

    def __len__(self):
        return len(self.F)

    def mixture(self, i: int) -> tuple[np.ndarray, np.ndarray] | None:
        """(weights (J,), Θ (J, d)) of point ``i`` if it is a randomised mixture, else None."""
        mixtures = self.extra.get("mixtures")
        if not mixtures:
            return None
        mix = mixtures[i]
        return (np.asarray(mix["weights"], float),
                np.asarray(mix["theta"], float).reshape(len(mix["weights"]), -1))

    @property
    def feasible(self) -> np.ndarray:
        if self.G is None or self.G.shape[1] == 0:
            return np.ones(len(self.F), bool)
        return (self.G <= 0).all(axis=1)

    def to_frame(self) -> pd.DataFrame:
        """One row per point, in the order of ``F`` (``point`` is the row index of F and X, so a
        sorted or filtered table still maps back): solver, options (a JSON string with sorted
        keys), seed, evaluations (and ``estimator_fits`` for fairlearn's reductions), point, each
        objective by name, feasibility, each exact metric, each parameter."""
        frame = pd.DataFrame(self.F, columns=list(self.objective_names))
        frame.insert(0, "point", np.arange(len(self.F)))
        if "estimator_fits" in self.extra:  # fairlearn's reductions: their cost in its own unit
            frame.insert(0, "estimator_fits", int(self.extra["estimator_fits"]))
        frame.insert(0, "evaluations", int(self.evaluations))
        frame.insert(0, "seed", pd.Series([self.seed] * len(self.F), dtype=object)
                     if self.seed is None or isinstance(self.seed, np.random.Generator)
                     else pd.Series([int(self.seed)] * len(self.F), dtype="Int64"))
        frame.insert(0, "options", json.dumps(dict(self.options), sort_keys=True, default=_jsonable))
        frame.insert(0, "solver", self.solver)
        frame["feasible"] = self.feasible
        for name, values in self.extra.get("metrics", {}).items():
            frame[name] = values  # exact metrics beside their surrogate objectives
        # one concat, not d inserts: a network's tens of thousands of columns stay fast
        params = pd.DataFrame(self.X, columns=list(self.param_names), index=frame.index)
        return pd.concat([frame, params], axis=1)

    def plot(self, ax=None, reference=None, **kwargs):
        """Draw this front (in its solver's look) over an optional ``reference`` (a Front or an
        array (k, m)) and return the matplotlib Axes; see ``tradeoff.plots.fronts``."""
        return _VERBS["plot"](self, ax=ax, reference=reference, **kwargs)

    def nondominated(self) -> "Front":
        """The same front restricted to its feasible, mutually non-dominated points."""
        keep = self.feasible.copy()
        keep[keep] = nondominated(self.F[keep])
        return self.subset(keep)

    def subset(self, mask) -> "Front":
        """The points ``mask`` selects (a boolean mask or indices), with their per-point extras
        (exact metrics, mixtures, weights) and everything else kept."""
        rows = np.arange(len(self.F))[mask]
        extra = dict(self.extra)
        for key in _POINTWISE_TABLES:
            if key in extra:
                extra[key] = {k: np.asarray(v)[rows].tolist() for k, v in extra[key].items()}
        for key in _POINTWISE_LISTS:
            if isinstance(extra.get(key), list) and len(extra[key]) == len(self.F):
                extra[key] = [extra[key][i] for i in rows]
        return dataclasses.replace(self, F=self.F[rows], X=self.X[rows],
                                   G=None if self.G is None else self.G[rows], extra=extra)

    # -- using the points on new data (each in its own module) ------------------------------------
    def evaluate(self, data, *, n_boot: int = 0, seed: int = 0, alpha: float = 0.05) -> pd.DataFrame:
        """Every objective and exact metric of every point on ``data``; see
        ``tradeoff.evaluation.evaluate``."""
        return _VERBS["evaluate"](self, data, n_boot=n_boot, seed=seed, alpha=alpha)

    def select(self, rule: str = "knee", **kwargs) -> int:
        """The index of one point chosen by ``rule``; see ``tradeoff.selection.select``."""
        return _VERBS["select"](self, rule, **kwargs)

    def predictor(self, i: int):
        """A ``tradeoff.predictor.Predictor`` for point ``i``."""
        return _VERBS["predictor"](self, i)

    def save(self, path, *, allow_pickle: bool = False) -> None:
        """Write the front to ``path`` (one zip file of JSON and arrays; format in
        ``tradeoff.front_io``). An encoder other than tradeoff's own needs ``allow_pickle``."""
        _VERBS["save"](self, path, allow_pickle=allow_pickle)

    @classmethod
    def load(cls, path, *, trust: bool = False, model=None) -> "Front":
        """Read a front written by ``save``; a file holding a pickle needs ``trust=True``, and
        a front of a torch model needs its network: ``model=TorchModel(your_module)``."""
        return _VERBS["load"](path, trust=trust, model=model)


# the verbs on fronts, implemented in modules above this one (tradeoff.verbs): each
# registers with ``front_verb`` when ``import tradeoff`` imports it
_VERBS = Verbs("Front")
front_verb = _VERBS.register


def require_context(front, what: str) -> None:
    """Fail clearly when a (hand-built or old) front lacks the model or objectives."""
    for name in ("model", "objectives"):
        if getattr(front, name) is None:
            fail(f"front.{name}", f"set to {what}", None,
                 "Fronts from tradeoff.solve carry it; for a hand-built Front pass model= and "
                 "objectives=.")


# extras that hold one value per point, so ``subset`` must subset them too
_POINTWISE_TABLES = ("metrics", "mixture_metrics")
_POINTWISE_LISTS = ("mixtures", "weights", "lambda", "bounds", "achieved",
                    "achieved_between_groups", "broken", "converged", "point_status")


def _jsonable(value):
    """``json.dumps(default=...)`` for numpy values in options."""
    if isinstance(value, np.ndarray):
        return value.tolist()
    if isinstance(value, np.generic):
        return value.item()
    if isinstance(value, (set, frozenset)):
        return sorted(value, key=str)
    return repr(value)
