"""The step loop of the set-based first-order solvers (``hv-grad``, ``epo``, ``pmgda``).

Each iteration the active rows of Φ (K, d) get their values and gradients in one pass, a solver's
``direction(F, dF, rows)`` turns them into descent directions D (K', d) (and a mask (K',) of rows
that meet the solver's own further condition to stop, e.g. EPO's "on its ray"), and every row steps

    Φ ← Φ − ηₜ · D / ‖D₀‖       (optimizer = "gd": gradient descent along the solver's exact
                                 direction, the rate set by the row's first direction D₀, or by
                                 the common-start gradient scale where that is larger), or
    Φ ← Φ − ηₜ · Adam(D) / √d   (optimizer = "adam": per-coordinate scaling, ‖step‖ ≈ ηₜ),

with ηₜ = lr · spread · FINAL_SHARE^(t / T) decaying geometrically over the T planned steps, where
spread is the largest distance between two anchors in Φ: ``lr`` is a fraction of the front's extent
in parameter space, whatever the problem's units, and the last steps are 1,000 times shorter than
the first, so the points settle instead of circling their optimum.

A row has converged when ‖D‖ ≤ tol · ‖D at its first step‖ (or the solver's common-start gradient
scale, whichever is larger), as MGDA judges stationarity, and its further condition holds. The loop
stops at ``max_epochs`` steps, at the evaluation budget, or once ``max_seconds`` of wall-clock time
have passed since the solver started (checked between steps; the one budget that makes results
depend on the machine).
"""

from __future__ import annotations

import dataclasses
import time

import numpy as np

from ..._validation import fail
from ...optim import adam

FINAL_SHARE = 1e-3
SET_LOOP_RULES = ("gd", "adam")  # the step rules (optim.OPTIMIZERS) the full-batch set loop takes


def mini_batch(problem, optimizer, opts: dict) -> bool:
    """Whether ``hv-grad`` / ``epo`` / ``pmgda`` run the mini-batch loop (solvers/stochastic.py)
    rather than the full-batch set loop: when an option of that loop is given, ``optimizer =
    "sgd"``, or the model is a network and no ``optimizer`` is given (a mix of two networks'
    weights, the full-batch start, is no network between them; each of the loop's points starts
    from its own seeded initialisation). ``optimizer = "gd"`` asks for the full-batch loop: with loop options it
    is an error."""
    given = loop_options(optimizer, opts)
    return bool(given) or optimizer == "sgd" or (optimizer is None and not problem.affine)


def loop_options(optimizer, opts: dict, path: str = "") -> list[str]:
    """The options of the mini-batch loop given in ``opts`` (``lr`` aside: both loops take it);
    an error with ``optimizer = "gd"``. ``path`` prefixes the name (``solvers[0].options``)."""
    from .stochastic import loop_keys

    given = loop_keys(opts, skip=("lr",))
    if optimizer == "gd" and given:
        key = given[0]
        fail(f"{path}.{key}" if path else key, "given only with optimizer = 'adam' or 'sgd' (an "
             "option of the mini-batch loop; 'gd' is the full-batch loop)", opts[key],
             f"Set optimizer = 'adam', or drop `{key}`.")
    return given


def anchor_spread(s) -> float:
    """Largest distance between two anchors in Φ (1 if they coincide)."""
    P = s.anchor_phi
    gaps = np.sqrt(((P[:, None, :] - P[None, :, :]) ** 2).sum(-1)).max()
    return float(gaps) if gaps > 0 else 1.0


def run(s, Phi, direction, *, optimizer: str, lr: float, max_seconds, tol: float, t0: float,
        together: bool):
    """Step Φ (K, d) along ``direction`` until converged or out of budget.

    ``together``: the rows' directions depend on each other (the hypervolume of the set), so all
    rows step while any has not converged, and the set stops only when all have; otherwise each row
    stops on its own. Returns Φ, the steps taken, a status per row ("converged" or "budget") and
    whether the wall-clock budget ended the run."""
    Phi = np.array(Phi, float)
    K, d = Phi.shape
    budget = s.budget - s.reserve
    planned = max(1, min(s.max_epochs, (budget - s.sp.evaluations) // max(K, 1)))
    eta0 = lr * anchor_spread(s)
    opt = adam(1.0)
    _, m1, m2 = opt.init(Phi)
    t_adam = 0
    status = np.full(K, "budget", dtype=object)
    active = np.ones(K, bool)
    gref = np.full(K, np.nan)
    timed_out = False
    steps = 0
    for it in range(s.max_epochs):
        rows = np.flatnonzero(active)
        if len(rows) == 0 or s.sp.evaluations + len(rows) > budget:
            break
        if max_seconds is not None and time.perf_counter() - t0 >= max_seconds:
            timed_out = True
            break
        F, _, dF = s.sp.gradients(Phi[rows])
        D, settled = direction(F, dF, rows)
        norm = np.sqrt((D * D).sum(1))
        first = np.isnan(gref[rows])
        gref[rows[first]] = np.maximum(norm[first], s.gscale)
        done = (norm <= tol * gref[rows]) & settled
        if together:
            if done.all():
                status[rows] = "converged"
                break
        else:
            status[rows[done]], active[rows[done]] = "converged", False
            rows, D, norm = rows[~done], D[~done], norm[~done]
            if len(rows) == 0:
                break
        eta = eta0 * FINAL_SHARE ** (min(it, planned) / planned)
        if optimizer == "adam":
            # Adam's step is about 1 per coordinate: √d of them make a step of length ≈ ηₜ
            t_adam += 1
            step, (_, m1[rows], m2[rows]) = opt.update(D, (t_adam - 1, m1[rows], m2[rows]))
            step = step * (eta / np.sqrt(d))
        else:  # the rate is set by the row's first direction: steps shrink as D does
            step = eta * D / gref[rows, None]
        Phi[rows] -= step
        steps = it + 1
    return Phi, steps, status, timed_out


def note_time(front, max_seconds, timed_out):
    """The front's message and ``extra["out_of_time"]`` (as the engine's solvers record it), where
    a wall-clock budget was given."""
    if max_seconds is None:
        return front
    out = bool(timed_out or front.extra.get("out_of_time"))
    said = "wall-clock budget" in front.message
    msg = front.message + (f"; the wall-clock budget of {max_seconds:g} s ran out first"
                           if out and not said else "")
    return dataclasses.replace(front, message=msg, extra={**front.extra, "out_of_time": out})
