"""Quality indicators of fronts: the non-dominated filter, a shared normalisation (``Scale``),
hypervolume and IGD+, the spread measures spacing, sparsity and span, and ``compare`` (all in one
normalisation).

Indicators come from moocore when it is installed and from pymoo otherwise; both are exact, so the
numbers agree. Fronts that are compared must share one normalisation: see ``Scale``. Anything with
an ``F`` array (k, m), a ``Front`` among them, is a front here.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from ._validation import fail

try:  # moocore is the faster backend; pymoo's is a dependency anyway
    import moocore as _moocore
except ImportError:  # pragma: no cover - exercised where moocore is absent
    _moocore = None


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
    # one minimum finds a NaN (it propagates; a sum warns on inf − inf, a BLAS dot wakes threads):
    # the row mask, dearer than moocore's own work at 200 points, only names the rows
    if F.size and math.isnan(np.minimum.reduce(F, None)) and \
            (nan := np.isnan(F).any(axis=1)).any():
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
    if ref.shape != (F.shape[1],):
        fail("ref_point", f"of length {F.shape[-1]} (one per objective)", f"shape {ref.shape}")
    if math.isnan(sum(ref.tolist())) and np.isnan(ref).any():  # the sum is a cheap first look
        fail("ref_point", "free of NaN", ref.tolist())
    if len(F) == 0:
        return 0.0
    if _moocore is not None:  # moocore itself ignores points that do not dominate ref
        return _moocore_hypervolume(F, ref)
    from pymoo.indicators.hv import HV

    F = F[(F < ref).all(axis=1)]
    if len(F) == 0:
        return 0.0

    return float(HV(ref_point=ref)(F))


_HV_BY_REF: dict = {}  # moocore.Hypervolume by reference point


def _moocore_hypervolume(F, ref) -> float:
    """moocore's hypervolume through a ``moocore.Hypervolume`` kept per reference point: its
    set-up (the reference point's checks) is a quarter of a 200-point call, and a reference point
    is usually reused across many fronts."""
    key = ref.tobytes()
    hv = _HV_BY_REF.get(key)
    if hv is None:
        if len(_HV_BY_REF) >= 64:  # bounded: reference points that change every call
            _HV_BY_REF.clear()
        hv = _HV_BY_REF[key] = _moocore.Hypervolume(ref=ref)
    return float(hv(F))


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


def spacing(F) -> float:
    """Schott's spacing (1995) of the points F (k, m): the standard deviation of each point's
    city-block (L1) distance to its nearest other point; 0 when they are evenly spaced. As pymoo's
    ``SpacingIndicator``, the deviation divides by k (Schott's paper divides by k − 1). The nearest
    neighbours come from a k-d tree, O(k log k), where pymoo builds all k² distances. Fewer than
    two points: 0 (no gap to compare)."""
    F = _check_points("F", F)
    if len(F) < 2:
        return 0.0
    from scipy.spatial import cKDTree

    d = cKDTree(F).query(F, k=2, p=1)[0][:, 1]  # [0] is the point itself (distance 0)
    return float(np.sqrt(np.mean((d - d.mean()) ** 2)))


def sparsity(F) -> float:
    """Sparsity of a front as LibMOON and Pareto set learning (Lin et al., NeurIPS 2022) define it:
    over F's non-dominated points, sorted along each objective in turn, the sum over objectives of
    the squared gaps between neighbours, divided by (k − 1), k the number of those points; lower
    is denser. 0 for fewer than two points."""
    F = _check_points("F", F)
    F = F[nondominated(F)]
    if len(F) < 2:
        return 0.0
    gaps = np.diff(np.sort(F, axis=0), axis=0)
    return float((gaps ** 2).sum() / (len(F) - 1))


def span(F) -> np.ndarray:
    """The extent of F (k, m) in each objective, maxᵢ − minᵢ (m,); zeros for an empty F."""
    F = _check_points("F", F)
    return np.ptp(F, axis=0) if len(F) else np.zeros(F.shape[1])


def compare(front, reference, scale: Scale | None = None) -> dict:
    """HV ratio (front's HV over the reference's) and IGD+ in one shared normalisation, and in it
the front's ``spacing`` and ``sparsity`` (lower: more even, denser; see those functions).

    ``front`` and ``reference`` are Fronts or arrays (k, m). A Front is scored by its feasible
    non-dominated points (NaN rows never are); an array is scored as given. The reference must have at least one point and no NaN (a clear error otherwise: an
    exact front is empty for a non-convex problem). An empty front scores HV 0 and IGD+ inf.
    """
    R = reference.F if hasattr(reference, "F") else reference
    R = _check_points("reference", R, allow_empty=False)
    scale = scale or Scale.from_points(R)
    F = front.nondominated().F if hasattr(front, "nondominated") else front
    F = _check_points("front", F, m=R.shape[1])
    ref = scale.ref
    hv_ref = hypervolume(scale(R), ref)
    hv = hypervolume(scale(F), ref) if len(F) else 0.0
    return {"hv": hv, "hv_ratio": hv / hv_ref if hv_ref > 0 else float("nan"),
            "igd_plus": igd_plus(scale(F), scale(R)) if len(F) else float("inf"),
            "spacing": spacing(scale(F)), "sparsity": sparsity(scale(F))}
