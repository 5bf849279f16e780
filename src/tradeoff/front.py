"""Fronts (immutable solver results), the non-dominated filter, and quality indicators.

Indicators come from moocore when it is installed and from pymoo otherwise; both are exact, so the
numbers agree. Fronts that are compared must share one normalisation: see ``Scale``.

A front from ``solve`` also carries what it takes to use its points on new data: the model, the
objectives and constraints, the training data's encoder and feature names, and the seed. With them
``front.evaluate(data)`` scores every point on other data, ``front.select(rule)`` picks one,
``front.predictor(i)`` predicts with it, and ``front.save(path)`` / ``Front.load(path)`` keep it
(format: ``tradeoff.front_io``).
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

try:  # moocore is the faster backend; pymoo's is a dependency anyway
    import moocore as _moocore
except ImportError:  # pragma: no cover - exercised where moocore is absent
    _moocore = None


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
        from .plots import fronts

        return fronts([self], ax=ax, reference=reference, **kwargs)

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
        from .evaluation import evaluate

        return evaluate(self, data, n_boot=n_boot, seed=seed, alpha=alpha)

    def select(self, rule: str = "knee", **kwargs) -> int:
        """The index of one point chosen by ``rule``; see ``tradeoff.selection.select``."""
        from .selection import select

        return select(self, rule, **kwargs)

    def predictor(self, i: int):
        """A ``tradeoff.predictor.Predictor`` for point ``i``."""
        from .predictor import Predictor

        return Predictor.from_front(self, i)

    def save(self, path, *, allow_pickle: bool = False) -> None:
        """Write the front to ``path`` (one zip file of JSON and arrays; format in
        ``tradeoff.front_io``). An encoder other than tradeoff's own needs ``allow_pickle``."""
        from .front_io import save

        save(self, path, allow_pickle=allow_pickle)

    @classmethod
    def load(cls, path, *, trust: bool = False) -> "Front":
        """Read a front written by ``save``; a file holding a pickle needs ``trust=True``."""
        from .front_io import load

        return load(path, trust=trust)


# extras that hold one value per point, so ``subset`` must subset them too
_POINTWISE_TABLES = ("metrics", "mixture_metrics")
_POINTWISE_LISTS = ("mixtures", "weights", "lambda", "bounds", "achieved",
                    "achieved_between_groups", "broken", "converged")


def _jsonable(value):
    """``json.dumps(default=...)`` for numpy values in options."""
    if isinstance(value, np.ndarray):
        return value.tolist()
    if isinstance(value, np.generic):
        return value.item()
    if isinstance(value, (set, frozenset)):
        return sorted(value, key=str)
    return repr(value)


def nondominated(F, tol: float = 0.0) -> np.ndarray:
    """Boolean mask of the rows of F (k, m) that no other row dominates (minimisation).

    Duplicates are all kept. With ``tol`` > 0, values are first rounded to a grid of ``tol`` × each
    objective's range, so a point that wins only by rounding error (a gap of 1e-15 against 0) does
    not count as better. Two objectives take a sort, O(k log k); more take O(k² m) comparisons.

    A row with a NaN is never non-dominated (its mask entry is False) and dominates nothing: a NaN
    is no value, so such a point cannot be on a front, and the other rows are filtered as if it
    were absent. (``hypervolume`` and ``igd_plus`` raise on NaN instead: they have no mask to say
    it in.)
    """
    F = np.asarray(F, dtype=float)
    if F.ndim != 2:
        fail("F", "a 2-D array (points × objectives)", f"shape {F.shape}")
    nan = np.isnan(F).any(axis=1)
    if nan.any():
        mask = np.zeros(len(F), bool)
        mask[~nan] = nondominated(F[~nan], tol)
        return mask
    if tol > 0 and len(F):
        span = np.ptp(F, axis=0)
        F = np.round((F - F.min(axis=0)) / (tol * np.where(span > 0, span, 1.0)))
    k, m = F.shape
    if k == 0:
        return np.zeros(0, bool)
    if m == 2:
        order = np.lexsort((F[:, 1], F[:, 0]))
        f1, f2 = F[order, 0], F[order, 1]
        # in (f1, f2) order a point is dominated iff an earlier point has a smaller f2, or the same
        # f2 reached first at a smaller f1 (duplicates are not dominated)
        prev_best = np.concatenate([[np.inf], np.minimum.accumulate(f2)[:-1]])
        is_new = f2 < prev_best
        last_new = np.maximum.accumulate(np.where(is_new, np.arange(k), 0))
        first_f1 = f1[np.concatenate([[0], last_new[:-1]])]
        dominated = (prev_best < f2) | ((prev_best == f2) & (first_f1 < f1))
        mask = np.empty(k, bool)
        mask[order] = ~dominated
        return mask
    leq = (F[:, None, :] <= F[None, :, :]).all(axis=2)
    lt = (F[:, None, :] < F[None, :, :]).any(axis=2)
    return ~(leq & lt).any(axis=0)


@dataclass(frozen=True)
class Scale:
    """One normalisation shared by every compared front: F̃ = (F − ideal) / (nadir − ideal).

    The rule: ideal and nadir are the exact front's minima and maxima when an exact front exists,
    else those of the union of all fronts' non-dominated points. The hypervolume reference point is
    nadirᵢ + 0.1·max(|nadirᵢ|, nadirᵢ − idealᵢ) in each objective: 1.1 × the nadir for the usual
    non-negative objectives, and still beyond the nadir when an objective can be negative.
    ``ref`` holds it in normalised units.
    """

    ideal: np.ndarray
    nadir: np.ndarray
    ref: np.ndarray

    @classmethod
    def from_points(cls, F) -> "Scale":
        F = _check_points("reference", F, allow_empty=False)
        F = F[nondominated(F)]
        ideal, nadir = F.min(axis=0), F.max(axis=0)
        span = np.where(nadir > ideal, nadir - ideal, np.maximum(np.abs(nadir), 1.0))
        ref_raw = nadir + 0.1 * np.maximum(np.abs(nadir), span)
        return cls(ideal, ideal + span, (ref_raw - ideal) / span)

    @classmethod
    def bounded(cls, F, point) -> "Scale":
        """A scale whose reference point is ``point`` (m,), in the objectives' units: the ideal of
        F's points that beat it in every objective, the nadir the point itself (``ref`` = 1), so
        a point beyond it adds no hypervolume, however far out it lies (a constant predictor's
        parity of 0 at any loss, say, no longer stretches the union's nadir)."""
        F = _check_points("reference", F)
        point = np.asarray(point, dtype=float)
        inside = F[(F < point).all(axis=1)] if len(F) else F
        ideal = inside.min(axis=0) if len(inside) else point - np.maximum(np.abs(point), 1.0)
        return cls(ideal, point, np.ones_like(point))

    def __call__(self, F) -> np.ndarray:
        return (np.asarray(F, dtype=float) - self.ideal) / (self.nadir - self.ideal)


def _check_points(name: str, F, *, allow_empty: bool = True, m: int | None = None) -> np.ndarray:
    """F as a (k, m) float array with no NaN; an empty reference is an error where it must have
    points (nothing to normalise by or to be near)."""
    try:
        F = np.asarray(F, dtype=float)
    except (TypeError, ValueError):
        fail(name, "a numeric array (points × objectives)", type(F).__name__, exc=TypeError)
    if F.ndim == 1 and F.size == 0:
        F = F.reshape(0, m or 0)
    if F.ndim != 2:
        fail(name, "a 2-D array (points × objectives)", f"shape {F.shape}")
    if m is not None and F.shape[1] != m and len(F):
        fail(name, f"{m} columns, one per objective", f"shape {F.shape}")
    if not len(F) and not allow_empty:
        fail(name, "a front with at least one point", "an empty front",
             "An exact front is empty when the problem is not convex (see its message): "
             "compare against the union of the fronts found instead.")
    nan = np.isnan(F).any(axis=1)
    if nan.any():
        fail(name, "free of NaN", f"{int(nan.sum())} of {len(F)} points with NaN (rows "
             f"{np.flatnonzero(nan)[:5].tolist()})",
             "Drop those rows first; Front.nondominated() leaves them out.")
    return F


def hypervolume(F, ref_point) -> float:
    """Hypervolume dominated by F (k, m) and bounded by ``ref_point`` (m,); points beyond it count 0.

    NaN in F or in ``ref_point`` is an error (a NaN point is no point; dropping it silently would
    change the volume); an empty F has volume 0."""
    F = _check_points("F", F)
    ref = np.asarray(ref_point, dtype=float)
    if F.ndim != 2 or ref.shape != (F.shape[1],):
        fail("ref_point", f"of length {F.shape[-1]} (one per objective)", f"shape {ref.shape}")
    if np.isnan(ref).any():
        fail("ref_point", "free of NaN", ref.tolist())
    if len(F) == 0:
        return 0.0
    if _moocore is not None:  # moocore itself ignores points that do not dominate ref
        return float(_moocore.hypervolume(F, ref=ref))
    from pymoo.indicators.hv import HV

    F = F[(F < ref).all(axis=1)]
    if len(F) == 0:
        return 0.0

    return float(HV(ref_point=ref)(F))


def igd_plus(F, reference_F) -> float:
    """IGD+ of F against a reference front (Ishibuchi et al. 2015); 0 when F covers it.

    An empty F is infinitely far (inf); an empty reference, or NaN in either, is an error: there is
    nothing to measure against."""
    R = _check_points("reference_F", reference_F, allow_empty=False)
    F = _check_points("F", F, m=R.shape[1])
    if len(F) == 0:
        return float("inf")
    if F.shape[1] != R.shape[1]:
        fail("F", f"{R.shape[1]} columns, as many as the reference", f"shape {F.shape}")
    if _moocore is not None:
        return float(_moocore.igd_plus(F, ref=R))
    from pymoo.indicators.igd_plus import IGDPlus

    return float(IGDPlus(R)(F))


def compare(front: Front | np.ndarray, reference: Front | np.ndarray,
            scale: Scale | None = None) -> dict:
    """HV ratio (front's HV over the reference's) and IGD+ in one shared normalisation.

    A Front is scored by its feasible non-dominated points (NaN rows never are); an array is scored
    as given. The reference must have at least one point and no NaN (a clear error otherwise: an
    exact front is empty for a non-convex problem). An empty front scores HV 0 and IGD+ inf.
    """
    R = reference.F if isinstance(reference, Front) else reference
    R = _check_points("reference", R, allow_empty=False)
    scale = scale or Scale.from_points(R)
    F = front.nondominated().F if isinstance(front, Front) else front
    F = _check_points("front", F, m=R.shape[1])
    ref = scale.ref
    hv_ref = hypervolume(scale(R), ref)
    hv = hypervolume(scale(F), ref) if len(F) else 0.0
    return {"hv": hv, "hv_ratio": hv / hv_ref if hv_ref > 0 else float("nan"),
            "igd_plus": igd_plus(scale(F), scale(R)) if len(F) else float("inf")}
