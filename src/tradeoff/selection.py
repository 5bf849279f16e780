"""Choosing one point of a front: ``select(front, rule, ...)`` → the index of the chosen point.

Rules (values are the front's own, or measured on ``data=`` — typically a validation split — with
``front.evaluate(data)``):

- ``"epsilon"``: minimise one objective or exact metric (``minimise=``, default the first
  objective) among the points whose values meet every bound in ``bounds={name: value}`` (value ≤
  bound; names are objectives or ``<objective>:exact`` metrics) and the front's own constraints.
  Ties go to the lowest index. No point meets the bounds → a ValueError naming the best
  achievable value of each bound.
- ``"knee"``: pymoo's ``HighTradeoffPoints`` (``pymoo.mcdm.high_tradeoff``, Rachmawati & Srinivasan
  2009): the point whose neighbours trade the least improvement per unit of deterioration, among
  the feasible non-dominated points normalised to [0, 1] by their ideal and nadir. When pymoo finds
  several, the one with the smallest ASF value (equal weights) among them is returned; when it finds
  none (fewer than 3 points, or a front with no outstanding trade-off such as a straight line), the
  ASF point with equal weights is returned and a warning says so.
- ``"pseudo_weights"``: pymoo's ``PseudoWeights`` (``pymoo.mcdm.pseudo_weights``, Deb 2001): the
  point whose pseudo-weights (nadir − f) / (nadir − ideal), normalised to sum 1, are closest (L1) to
  ``weights=`` (one per objective, normalised to sum 1).
- ``"asf"``: compromise programming with pymoo's achievement scalarising function
  (``pymoo.decomposition.asf.ASF``): minimise maxᵢ f̃ᵢ / wᵢ over the normalised values f̃, with
  ``weights=`` the importance of each objective (default equal; as in pymoo's MCDM guide the ASF
  gets 1 / weights, so a larger weight pulls the choice towards that objective's best value).
  pymoo's own ``CompromiseProgramming`` (0.6.x) is a stub that returns None, hence the ASF.

Only feasible points count (the front's constraints, on ``data`` when it is given); the knee,
pseudo-weight and ASF rules also only consider non-dominated points, with the values normalised by
the ideal and nadir of those points (an objective that does not vary gets a span of 1).
"""

from __future__ import annotations

import numbers
import warnings

import numpy as np

from ._validation import check_choice, fail
from .front import front_verb

RULES = ("epsilon", "knee", "pseudo_weights", "asf")


def _table(front, data):
    """name → (k,) values, the objective names, and feasibility (k,)."""
    names = list(front.objective_names)
    if data is None:
        values = {n: front.F[:, j] for j, n in enumerate(names)}
        for key, v in front.extra.get("metrics", {}).items():
            values[key] = np.asarray(v, float)
        return values, names, front.feasible
    frame = front.evaluate(data)
    values = {c: frame[c].to_numpy(float) for c in frame.columns if c not in ("point", "feasible")}
    feasible = frame["feasible"].to_numpy(bool) if "feasible" in frame else np.ones(len(frame), bool)
    return values, names, feasible


def _weights(rule, weights, m, *, default=None):
    if weights is None:
        if default is None:
            fail("weights", f"given for rule {rule!r} (one non-negative number per objective)",
                 None, f"E.g. weights=[{', '.join(['0.5'] * m)}].")
        return default
    w = np.asarray(weights, dtype=float) if not isinstance(weights, (str, dict)) else np.array([])
    if w.shape != (m,) or not np.isfinite(w).all() or (w < 0).any() or w.sum() <= 0:
        fail("weights", f"{m} non-negative numbers (one per objective), not all zero", weights)
    return w / w.sum()


def _candidates(F, feasible):
    """Indices of the feasible, finite, non-dominated rows of F (first of any duplicates)."""
    from .indicators import nondominated

    ok = np.flatnonzero(feasible & np.isfinite(F).all(axis=1))
    if len(ok) == 0:
        fail("front", "a front with at least one feasible point with finite values",
             f"{len(F)} points, none feasible and finite")
    keep = ok[nondominated(F[ok])]
    _, first = np.unique(F[keep], axis=0, return_index=True)
    return keep[np.sort(first)]


def _normalise(F):
    ideal, nadir = F.min(axis=0), F.max(axis=0)
    span = np.where(nadir > ideal, nadir - ideal, 1.0)
    return (F - ideal) / span, ideal, ideal + span


def _asf(Fn, w):
    from pymoo.decomposition.asf import ASF

    with np.errstate(divide="ignore"):
        inv = 1.0 / w
    return np.asarray(ASF().do(Fn, inv, utopian_point=np.zeros(Fn.shape[1])), float)


def _knee(F):
    from pymoo.mcdm.high_tradeoff import HighTradeoffPoints

    Fn, _, _ = _normalise(F)
    equal = np.full(F.shape[1], 1.0 / F.shape[1])
    found = None
    if len(F) >= 3:
        with warnings.catch_warnings():  # pymoo's knee calls warnings.filterwarnings("ignore")
            found = HighTradeoffPoints().do(Fn)
    if found is None or len(found) == 0:
        warnings.warn(f"select('knee'): pymoo's HighTradeoffPoints found no knee among {len(F)} "
                      "non-dominated point(s); returning the ASF point with equal weights instead.",
                      UserWarning, stacklevel=4)
        return int(np.argmin(_asf(Fn, equal)))
    found = np.asarray(found, int)
    return int(found[np.argmin(_asf(Fn[found], equal))])


def _epsilon(values, names, feasible, minimise, bounds):
    valid = sorted(values)
    minimise = names[0] if minimise is None else minimise
    check_choice("minimise", minimise, valid)
    if bounds is None:
        bounds = {}
    if not isinstance(bounds, dict):
        fail("bounds", "a dict {objective or metric name: upper bound}", bounds, exc=TypeError)
    ok = feasible & np.isfinite(values[minimise])
    for name, bound in bounds.items():
        check_choice(f"bounds key {name!r}", name, valid)
        if isinstance(bound, bool) or not isinstance(bound, numbers.Real) or not np.isfinite(bound):
            fail(f"bounds[{name!r}]", "a finite number", bound)
        ok &= values[name] <= bound
    if not ok.any():
        best = ", ".join(f"{n} ≥ {np.nanmin(values[n][feasible]) if feasible.any() else np.nan:.4g}"
                         for n in bounds)
        fail("bounds", "met by at least one feasible point of the front", bounds,
             f"Best achievable: {best or 'no feasible point'}. Loosen the bounds or solve for "
             "more points.")
    rows = np.flatnonzero(ok)
    return int(rows[np.argmin(values[minimise][rows])])


def select(front, rule: str = "knee", *, minimise: str | None = None, bounds: dict | None = None,
           weights=None, data=None) -> int:
    """The index (into ``front.F`` / ``front.X``) of the point ``rule`` chooses; see the module doc."""
    check_choice("rule", rule, RULES)
    if len(front) == 0:
        fail("front", "a front with at least one point", "an empty front")
    if rule != "epsilon":
        for name, value in (("minimise", minimise), ("bounds", bounds)):
            if value is not None:
                fail(name, f"None for rule {rule!r} (it is an option of rule 'epsilon')", value)
    if rule in ("epsilon", "knee") and weights is not None:
        fail("weights", f"None for rule {rule!r} (it is an option of 'pseudo_weights' and 'asf')",
             weights)
    values, names, feasible = _table(front, data)
    if rule == "epsilon":
        return _epsilon(values, names, feasible, minimise, bounds)
    F = np.column_stack([values[n] for n in names])
    cand = _candidates(F, feasible)
    Fc = F[cand]
    m = F.shape[1]
    if len(cand) == 1:
        if rule == "pseudo_weights":
            _weights(rule, weights, m)
        return int(cand[0])
    if rule == "knee":
        return int(cand[_knee(Fc)])
    if rule == "pseudo_weights":
        from pymoo.mcdm.pseudo_weights import PseudoWeights

        w = _weights(rule, weights, m)
        _, ideal, nadir = _normalise(Fc)
        return int(cand[int(PseudoWeights(w, ideal=ideal, nadir=nadir).do(Fc))])
    w = _weights(rule, weights, m, default=np.full(m, 1.0 / m))
    return int(cand[int(np.argmin(_asf(_normalise(Fc)[0], w)))])


front_verb("select")(select)
