"""``hv-grad``: K points moved together along the gradient of their set's hypervolume.

The points' normalised objective vectors f̃ (K, m) span a hypervolume HV(f̃₁ … f̃_K; z) up to the
reference point z (normalised units: the anchors' ideal is 0, their nadir 1). Its gradient with
respect to point k's objectives is the gain −∂HV/∂f̃ₖ (K, m), taken from moocore's hypervolume
contributions: HV = HV(set without k) + HVC(k), and only HVC(k) depends on f̃ₖ, so

    −∂HV/∂f̃ₖⱼ = (HVC(f̃ₖ − δeⱼ) − HVC(f̃ₖ)) / δ

(a one-sided difference in the improving direction; the contribution is piecewise multilinear in
f̃ₖ, so it is exact away from ties). Where the moved point would weakly dominate another (a tie, a
duplicate), the difference of the layer's hypervolumes, equal to that of the contributions, is
taken instead. Dominated points have no contribution: as in HIGA-MO (Wang et
al. 2017) and Deist et al. (2021), the points are sorted into non-dominated layers and each layer
climbs its own hypervolume, so a dominated point moves toward the front instead of standing still.
Points beyond z widen it for that step (z ← max(z, max f̃ + z − 1)) so they too gain; a point whose
gain is still zero takes equal weights. Each point's gain is scaled to unit length (what makes one
step size fit the front's ends and middle) and chained to Φ by the objectives' gradients,

    Dₖ = Σⱼ wₖⱼ ∇f̃ₖⱼ = Σⱼ (wₖⱼ / spanⱼ) ∇fₖⱼ        (one (K, m) × (K, m, d) contraction),

a descent direction for the weighted sum with weights wₖ: the points are Pareto-stationary exactly
where the set's hypervolume is stationary.
"""

from __future__ import annotations

import dataclasses
import time

import numpy as np

from .._validation import fail
from ..indicators import hypervolume
from .engine import stochastic
from .engine.directions import Direction, even_mixes, register_direction
from .engine.first_order import SET_LOOP_RULES, mini_batch, note_time, run
from .engine.setup import Setup
from .weights import simplex_grid

DELTA = 1e-7  # the finite difference in normalised units (objectives of order 1)


def hv_gain(Fn, ref, delta: float = DELTA) -> np.ndarray:
    """−∂HV/∂F (K, m) of each point of Fn (K, m), layer by layer (each non-dominated layer of the
    set against its own hypervolume), with reference point ``ref`` (m,); ≥ 0 everywhere."""
    import moocore

    Fn = np.asarray(Fn, float)
    K, m = Fn.shape
    ref = np.asarray(ref, float)
    gain = np.zeros((K, m))
    rank = moocore.pareto_rank(Fn)
    for layer in np.unique(rank):  # layers: one for a set on its front, a few while it gets there
        idx = np.flatnonzero(rank == layer)
        P = Fn[idx]
        n = len(idx)
        # every (point, objective) moved by −δ in turn: n·m sets of n points, built in one go
        moved = np.broadcast_to(P, (n, m, n, m)).copy()
        i, j = np.meshgrid(np.arange(n), np.arange(m), indexing="ij")
        moved[i, j, i, j] -= delta
        # a moved point that weakly dominates another (a tie, a duplicate) would make moocore's
        # contributions drop that one (and with ignore_dominated=False they lose a move of 1e-7
        # in 3-D): there the gain is the layer's hypervolume difference, HV' − HV = HVC' − HVC
        covers = (moved[i, j, i][:, :, None, :] <= P[None, None]).all(-1)  # (n, m, n)
        covers[i, j, i] = False
        tied = (covers.any(-1) | _weakly_dominated(P)).ravel()
        base = moocore.hv_contributions(P, ref=ref)
        hv = moocore.hypervolume(P, ref=ref) if tied.any() else 0.0
        # one moocore call per (point, objective), measured at 6 µs (2-D, n ≤ 50) to 10 µs (3-D,
        # n = 50): 0.6 ms a step at K = 50, m = 2, against tens of ms for the gradient pass
        change = np.array([moocore.hypervolume(S, ref=ref) - hv if t else
                           moocore.hv_contributions(S, ref=ref)[k] - base[k]
                           for k, S, t in zip(i.ravel(), moved.reshape(n * m, n, m), tied)])
        gain[idx] = np.maximum(change.reshape(n, m), 0.0) / delta
    return gain


def _weakly_dominated(P) -> bool:
    """Whether some point of P (n, m) is weakly dominated by another (duplicates included)."""
    n = len(P)
    leq = (P[:, None, :] <= P[None, :, :]).all(-1)
    return bool(leq[~np.eye(n, dtype=bool)].any())


def hv_weights(Fn, ref) -> np.ndarray:
    """Unit-length gains (K, m): the per-point weights of the hypervolume step."""
    Fn = np.asarray(Fn, float)
    ref_eff = np.maximum(ref, Fn.max(axis=0) + (ref - 1.0))  # points beyond z gain too
    g = hv_gain(Fn, ref_eff)
    norm = np.sqrt((g * g).sum(1, keepdims=True))
    m = Fn.shape[1]
    return np.where(norm > 0, g / np.where(norm > 0, norm, 1.0), 1.0 / np.sqrt(m))


def check_reference(reference, m: int) -> np.ndarray:
    ref = np.asarray(reference, float)
    ref = np.full(m, float(ref)) if ref.ndim == 0 else ref
    if ref.shape != (m,):
        fail("reference", f"a number or a list of {m} numbers, one per objective",
             np.asarray(reference).tolist())
    if not (np.isfinite(ref).all() and (ref > 1).all()):
        fail("reference", "> 1 in every objective (normalised units: the anchors' nadir is 1)",
             ref.tolist(), "Use e.g. reference = 1.1.")
    return ref


def hv_grad(problem, *, n_points=50, reference=1.1, lr=None, optimizer=None,
            max_evaluations=None, max_epochs=2000, tol=1e-4, max_seconds=None,
            standardize=True, seed=0, method="auto", **_opts):
    """Hypervolume-gradient ascent: K points start from mixes of the anchors (even for two
    objectives, seeded Dirichlet draws for more) and move together along the gradient of their
    normalised set's hypervolume (reference ``reference``, normalised units), first-order steps
    (``optimizer`` "adam" or "gd", step ``lr`` × the anchors' spread in Φ, decaying
    geometrically to 1/1,000 of it). Anchors come from the engine's ``method``.

    With an option of the mini-batch loop, ``optimizer = "sgd"``, or a network and no
    ``optimizer``, the mini-batch loop climbs the hypervolume of each mini-batch's values instead
    (``first_order.mini_batch``)."""
    if problem.n_constraints:
        fail("solver", "a solver that handles constraints", "hv-grad",
             "hv-grad has no constraint handling; use 'epsilon-constraint' or 'nsga2'.")
    ref = check_reference(reference, problem.m)
    if mini_batch(problem, optimizer, _opts):
        front = stochastic.run(problem, "hv-grad", "hv", n_points=n_points, reference=ref,
                               max_evaluations=max_evaluations, max_epochs=max_epochs,
                               max_seconds=max_seconds, standardize=standardize, seed=seed,
                               method=method, optimizer=optimizer or "adam", lr=lr, **_opts)
        span, ideal = np.asarray(front.extra["span"]), np.asarray(front.extra["ideal"])
        extra = {**front.extra, "hypervolume": hypervolume((front.F - ideal) / span, ref)}
        return dataclasses.replace(front, extra=extra)
    t0 = time.perf_counter()
    optimizer = "adam" if optimizer is None else optimizer
    lr = 0.05 if lr is None else lr
    if optimizer not in SET_LOOP_RULES:
        fail("optimizer", " or ".join(repr(o) for o in SET_LOOP_RULES), optimizer)
    s = Setup(problem, n_points=n_points, max_evaluations=max_evaluations, max_epochs=max_epochs,
              tol=tol, standardize=standardize, seed=seed, method=method,
              max_seconds=max_seconds)  # the anchors count toward the budget
    s.step_label = f"hypervolume-gradient steps ({optimizer})"
    if s.m == 2:
        mix = simplex_grid(n_points, 2)
    else:
        mix = s.rng.dirichlet(np.ones(s.m), size=n_points)
        mix[: s.m] = np.eye(s.m)[: min(s.m, n_points)]
    Phi0 = mix @ s.anchor_phi

    def direction(F, dF, rows):
        W = hv_weights(s.norm(F), ref)
        return np.einsum("km,kmd->kd", W / s.span, dF), np.ones(len(F), bool)

    Phi, steps, status, timed_out = run(s, Phi0, direction, optimizer=optimizer, lr=lr,
                                        max_seconds=max_seconds, tol=s.tol, t0=t0, together=True)
    options = dict(n_points=n_points, reference=ref.tolist(), lr=lr, optimizer=optimizer,
                   max_evaluations=s.budget, max_epochs=max_epochs, tol=s.tol,
                   max_seconds=max_seconds, standardize=standardize, seed=seed)
    front = s.finish("hv-grad", options, Phi, status, steps, t0)
    extra = {**front.extra, "hypervolume": hypervolume(s.norm(front.F), ref)}
    return note_time(dataclasses.replace(front, extra=extra), max_seconds, timed_out)


register_direction("hv", Direction(
    even_mixes, lambda setup, F, Gn, cand, ctx: hv_weights(setup.norm(F), ctx["reference"])))
