"""Pareto set learning: one preference-conditioned model for the whole front.

A small hypernetwork maps a preference vector p (on the simplex, m entries) to a whole parameter
vector of the problem's model,

    Θ(p) = Θ₀ + tanh(W p) A          W (r, m), A (r, d), Θ₀ (d,), rank r

so K preferences P (K, m) give Θ (K, d) in one product, and the problem evaluates all K models at
once. Each step samples K preferences (the m simplex corners, which keep the normalisation up to
date, and K − m from a seeded uniform Dirichlet), scalarises each model's objectives with its
preference and takes one Adam step on (Θ₀, A, W) through the chain rule:

    G = ∂s/∂Θ (K, d)   →   ∂Θ₀ = Σₖ Gₖ,   ∂A = tanh(WP)ᵀ G,   ∂W = ((G Aᵀ) ⊙ (1 − tanh²))ᵀ P.

This is the Pareto HyperNetwork of Navon et al. (ICLR 2021), with COSMOS (Ruchte & Grabocka, ICDM
2021) the same idea with p as extra inputs; both report a whole front for about the cost of one
model. The default scalarisation is the smooth Chebyshev one the ``chebyshev`` solver uses,

    s_p(F) = μ·log Σᵢ exp(pᵢ (f̃ᵢ − z̃) / μ),   f̃ᵢ = (fᵢ − idealᵢ) / spanᵢ,  z̃ = −0.01,

whose minimiser lies on the ray from z̃ along (1/pᵢ): evenly spread preferences give points evenly
spread in angle, on convex and non-convex parts of a front alike (what COSMOS's cosine term is
for); ``scalarization = "weighted-sum"`` takes Σ pᵢ f̃ᵢ instead (PHN-LS). Both are strictly
increasing in every objective, so their minimisers are Pareto optimal. Preferences are kept 10⁻³
away from the corners; the corners' rows minimise the anchor rule f̃ᵢ + 10⁻³·Σⱼ f̃ⱼ.

The ideal and span come from the corners' values, an exponential moving average over steps
(``Normaliser``; no separate anchor solves: with a network they would cost two trainings). The
net learns in units of each parameter's default box half-width (``Problem.phi_box``), so one
learning rate suits an intercept of 100 and a network weight of 0.1. After training, any number
of points cost one forward pass each: ``parameters(front, P)`` gives Θ (k, d) and
``points(front, problem, P)`` a Front; the hypernetwork is kept in ``front.extra["hypernetwork"]``
(plain arrays in the problem's own parameters, so it survives ``front.save`` / ``Front.load``
and pickling).
"""

from __future__ import annotations

import dataclasses
import time

import numpy as np

from .._validation import check_choice, check_positive, fail
from ..front import Front
from ..optim import adam
from ..problem import Problem
from .context import with_exact_metrics
from .engine.descent import ScaledProblem
from .engine.setup import DIVERGED, diverged as far_from_start
from .weights import check_weights, simplex_grid

ANCHOR_SHARE = 1e-3  # the other objectives' share in a corner's anchor rule (as gradient.py's)
CORNER_SHARE = 1e-3  # preferences are kept this far from the simplex's corners (see module doc)
UTOPIA = -0.01  # z̃: the Chebyshev utopia point, in normalised units below the ideal
EMA = 0.9  # how much of the corners' running values each step keeps
FLOOR_FADE = 0.5  # the spans' floor (the start's values) fades to nothing by this share of the run
FINAL_LR = 0.01  # the cosine schedule ends at this fraction of ``lr``
SCALARIZATIONS = ("chebyshev", "weighted-sum")


def hypernetwork_theta(net: dict, P) -> np.ndarray:
    """Θ (k, d) = Θ₀ + tanh(W pᵀ)ᵀ A for preferences P (k, m); ``net`` holds theta0, A, W."""
    H = np.tanh(np.asarray(P, float) @ net["W"].T)
    return net["theta0"] + H @ net["A"]


def _soft(P, share: float = CORNER_SHARE):
    """Preferences kept ``share`` away from the corners, still on the simplex."""
    return (P + share) / (1.0 + P.shape[1] * share)


def _coefficients(P, Fn, span, scalarization, mu):
    """s (K,) and ∂s/∂fᵢ (K, m) of the scalarisation for normalised values F̃ (K, m)."""
    if scalarization == "weighted-sum":
        return (P * Fn).sum(1), P / span
    a = P * (Fn - UTOPIA) / mu
    amax = a.max(1, keepdims=True)
    e = np.exp(a - amax)
    z = e.sum(1, keepdims=True)
    return mu * (amax[:, 0] + np.log(z[:, 0])), (e / z) * P / span


class Normaliser:
    """The ideal and span the scalarisation normalises by, from the corners' models' values.

    ``update(Fc)`` takes the m corners' values (m, m) of one step: their exponential moving average
    (``EMA``) gives the nadir (its column maxima) and the ideal (column minima, the lowest seen so
    far: a corner that the shared network drags away from its optimum must not lower the bar, or
    the front found would shrink with it). While the corners are still on their way (every corner
    starts at Θ₀, and a span of ~0 would weigh an objective without limit), each span is at least
    the objective's value at the start, a floor that fades linearly to nothing by ``FLOOR_FADE``
    of the run (``progress`` in [0, 1]): too wide a span only compresses the front for a while,
    too narrow a one drags every preference to that objective's end."""

    def __init__(self, m: int):
        self.vert = None
        self.ideal, self.span, self.floor = np.zeros(m), np.ones(m), np.zeros(m)

    def update(self, Fc, progress: float = 1.0):
        if self.vert is None:
            self.vert = Fc.copy()
            self.ideal = Fc.min(0)
            self.floor = np.abs(Fc[0])
        self.vert = EMA * self.vert + (1 - EMA) * Fc
        self.ideal = np.minimum(self.ideal, self.vert.min(0))
        fade = max(0.0, 1.0 - progress / FLOOR_FADE)
        self.span = np.maximum(self.vert.max(0) - self.ideal,
                               np.maximum(fade * self.floor, 1e-12 * np.maximum(np.abs(self.ideal), 1)))
        return self.ideal, self.span


def pareto_set(problem: Problem, *, n_points=50, rank=8, steps=2000, batch_size=None,
               n_preferences=8, lr=1e-2, scalarization="chebyshev", mu=0.01,
               max_evaluations=None, max_seconds=None, standardize=True, seed=0) -> Front:
    """Train one hypernetwork Θ(p) for the whole front (module doc), then return the points of
    ``n_points`` evenly spread preferences, evaluated on all rows.

    Each of ``steps`` Adam steps evaluates ``n_preferences`` models on ``batch_size`` rows (all
    rows if None, a seeded shuffle otherwise). The learning rate follows a cosine from ``lr`` down
    to 1 % of it, along whichever budget is nearest its end: steps, ``max_evaluations`` (one
    evaluation is one model on all rows, so a step costs K·B/n) or ``max_seconds`` (wall clock:
    the one budget that makes a run depend on the machine)."""
    t0 = time.perf_counter()
    check_positive("n_points", n_points, integer=True)
    check_positive("rank", rank, integer=True)
    check_positive("steps", steps, integer=True)
    check_positive("lr", lr)
    check_positive("mu", mu)
    check_choice("scalarization", scalarization, SCALARIZATIONS)
    m, n = problem.m, problem.data.n
    if problem.n_constraints:
        fail("solver", "a solver that handles constraints", "pareto-set",
             "Pareto set learning takes objectives only; use 'epsilon-constraint' or 'nsga2'.")
    check_positive("n_preferences", n_preferences, integer=True)
    if n_preferences < m + 1:
        fail("n_preferences", f"at least m + 1 = {m + 1} (the {m} corners of the simplex, which "
             "keep the normalisation current, and at least one sampled preference)",
             n_preferences, f"Use n_preferences = {max(8, m + 1)}.")
    if batch_size is not None:
        check_positive("batch_size", batch_size, integer=True)
    full = batch_size is None or batch_size >= n
    B = n if full else int(batch_size)
    K = int(n_preferences)
    if max_evaluations is not None:
        check_positive("max_evaluations", max_evaluations, integer=True)
        if max_evaluations < n_points + K * B / n:
            fail("max_evaluations", f"at least {int(np.ceil(n_points + K * B / n))} (one training "
                 f"step of {K} models on {B} of {n} rows, then the {n_points} points on all rows)",
                 max_evaluations, "Raise it, or lower n_points, n_preferences or batch_size.")
    if max_seconds is not None:
        check_positive("max_seconds", max_seconds)

    rng = np.random.default_rng(seed)
    sp = ScaledProblem(problem, standardize)
    lo, hi = problem.phi_box()
    phi0 = problem.phi_start if problem.bounds is None else 0.5 * (lo + hi)
    # the net works in units of the box's half-widths, so that Adam's steps (about lr per
    # coordinate) suit an intercept of 100 and a network weight of 0.1 alike
    unit = 0.5 * (hi - lo)
    if not standardize and not sp.identity:
        phi0 = problem.standardizer.to_original(phi0[None])[0]
        unit = np.abs(problem.standardizer.to_original(unit[None])[0])
    d, r = problem.d, int(rank)
    # A = 0: every preference starts at Θ₀; W's random features tell the preferences apart
    theta0, A, W = np.zeros(d), np.zeros((r, d)), 2.0 * rng.standard_normal((r, m))
    flat = np.concatenate([theta0, A.ravel(), W.ravel()])
    opt = adam(lr)
    state = opt.init(flat)
    corners = np.eye(m)
    norm = Normaliser(m)
    anchor_W = np.full((m, m), ANCHOR_SHARE) + (1 - ANCHOR_SHARE) * np.eye(m)
    evaluations = 0.0
    order, at = np.arange(n), n
    losses = []
    stop = "steps"
    step = 0
    for step in range(1, steps + 1):
        progress = (step - 1) / steps
        if max_evaluations is not None:
            if evaluations + K * B / n + n_points > max_evaluations:
                stop, step = "max_evaluations", step - 1
                break
            progress = max(progress, evaluations / (max_evaluations - n_points))
        if max_seconds is not None:
            elapsed = time.perf_counter() - t0
            if elapsed >= max_seconds:
                stop, step = "max_seconds", step - 1
                break
            progress = max(progress, elapsed / max_seconds)
        P = np.vstack([corners, rng.dirichlet(np.ones(m), size=K - m)])
        Ps = _soft(P)
        if full:
            rows = None
        else:  # a seeded shuffle of the rows, one pass after another
            if at + B > n:
                order, at = rng.permutation(n), 0
            rows, at = np.sort(order[at:at + B]), at + B
        th0, Am, Wm = (flat[:d], flat[d:d + r * d].reshape(r, d), flat[d + r * d:].reshape(r, m))
        H = np.tanh(Ps @ Wm.T)  # (K, r)
        Phi = phi0 + unit * (th0 + H @ Am)  # (K, d)
        out = {}

        def coef(F, G, Ps=Ps, progress=progress, out=out):
            ideal, span = norm.update(F[:m], progress)  # the corners come first
            Fn = (F - ideal) / span
            s, C = _coefficients(Ps, Fn, span, scalarization, mu)
            # the corners minimise the anchor rule f̃ᵢ + 10⁻³·Σⱼ f̃ⱼ instead (lexicographic where a
            # scalarisation's 10⁻³ share can be lost in its smoothing), in the same units as the
            # other rows, so that no row's gradient drowns the others' in the shared parameters
            s[:m] = (Fn[:m] * anchor_W).sum(1)
            C[:m] = anchor_W / span
            out["s"] = s
            return np.hstack([C, np.zeros((K, problem.n_constraints))]) / K

        _, _, Gth = problem.combine(sp.theta(Phi), coef, rows=rows)
        Gphi = sp.to_phi_gradient(Gth) * unit  # (K, d): ∂(mean s)/∂Φₖ, in the net's units
        evaluations += K * B / n
        if not np.isfinite(Gphi).all():
            stop = "non-finite"
            break
        losses.append(float(out["s"].mean()))
        dZ = (Gphi @ Am.T) * (1.0 - H * H)  # (K, r)
        grad = np.concatenate([Gphi.sum(0), (H.T @ Gphi).ravel(), (dZ.T @ Ps).ravel()])
        delta, state = opt.update(grad, state)
        # cosine schedule from lr to FINAL_LR·lr; Adam's step is linear in its rate
        rate = FINAL_LR + (1 - FINAL_LR) * 0.5 * (1 + np.cos(np.pi * min(progress, 1.0)))
        flat = flat - rate * delta
    train_seconds = time.perf_counter() - t0
    th0, Am, Wm = (flat[:d], flat[d:d + r * d].reshape(r, d), flat[d + r * d:].reshape(r, m))
    # the net in the problem's own parameters: Θ = Φ·S is linear, so Θ₀S and AS carry over exactly
    net = {"theta0": sp.theta((phi0 + unit * th0)[None])[0], "A": sp.theta(unit * Am),
           "W": Wm.copy()}
    prefs = simplex_grid(n_points, m)
    Theta = hypernetwork_theta(net, _soft(prefs))
    ev = problem.evaluate(Theta, grad=False)
    evaluations += n_points
    # diverged: values not finite, or beyond DIVERGED times the scale of the start's values
    F0 = problem.evaluate(sp.theta(phi0[None]), grad=False).F[0]
    diverged = far_from_start(ev.F, F0, np.maximum(np.abs(F0), np.abs(F0).max() * 1e-12))
    ok = not diverged.any() and stop != "non-finite"
    tail = losses[-max(1, len(losses) // 10):]
    msg = (f"trained {step} of {steps} steps ({K} preferences × {B} of {n} rows each; "
           f"{scalarization}, rank {r})")
    if stop in ("max_evaluations", "max_seconds"):
        msg += f"; stopped by {stop}"
    elif stop == "non-finite":
        msg += "; stopped: a gradient was not finite (lower lr)"
    if diverged.any():
        msg += (f"; {int(diverged.sum())} of {n_points} points diverged (values not finite or "
                f"beyond {DIVERGED:g} times the start's: lower lr)")
    if tail:
        msg += f"; mean scalarised loss over the last {len(tail)} steps {np.mean(tail):.4g}"
    options = dict(n_points=n_points, rank=r, steps=steps, batch_size=batch_size,
                   n_preferences=K, lr=lr, scalarization=scalarization, mu=mu,
                   max_evaluations=max_evaluations, max_seconds=max_seconds,
                   standardize=standardize, seed=seed)
    extra = {"weights": prefs.tolist(), "ideal": norm.ideal.tolist(), "span": norm.span.tolist(),
             "steps": step, "stopped_by": stop, "train_seconds": train_seconds,
             "diverged": int(diverged.sum()),
             "hypernetwork": {**net, "corner_share": CORNER_SHARE}}
    return Front(ev.F, Theta, problem.objective_names, problem.param_names, "pareto-set", options,
                 round(evaluations), time.perf_counter() - t0, ok, msg, None, extra)


def _net(front: Front) -> dict:
    net = front.extra.get("hypernetwork") if isinstance(front, Front) else None
    if not isinstance(net, dict) or not {"theta0", "A", "W"} <= set(net):
        fail("front", "a front from solver 'pareto-set' (with extra['hypernetwork'])",
             getattr(front, "solver", type(front).__name__), exc=TypeError)
    out = {k: np.asarray(net[k], float) for k in ("theta0", "A", "W")}
    out["corner_share"] = float(net.get("corner_share", CORNER_SHARE))
    return out


def parameters(front: Front, preferences) -> np.ndarray:
    """Θ (k, d) of the models for preferences (k, m) (rows on the simplex), one forward pass of
    the trained hypernetwork; a row of ``front.X`` is ``parameters(front, front.extra["weights"])``."""
    net = _net(front)
    P = check_weights(preferences, net["W"].shape[1])
    return hypernetwork_theta(net, _soft(P, net["corner_share"]))


def points(front: Front, problem: Problem, preferences) -> Front:
    """A Front of the points for ``preferences`` (k, m), evaluated on ``problem`` (the training
    problem, or another with the same model, objectives and features, e.g. a test split)."""
    if not isinstance(problem, Problem):
        fail("problem", "a tradeoff.Problem", type(problem).__name__, exc=TypeError)
    Theta = parameters(front, preferences)
    if Theta.shape[1] != problem.d:
        fail("problem", f"a problem with {Theta.shape[1]} parameters, as the front's model has",
             problem.d)
    ev = problem.evaluate(Theta, grad=False)
    P = check_weights(preferences, problem.m)
    extra = {k: v for k, v in front.extra.items() if k not in ("metrics", "weights")}
    extra["weights"] = P.tolist()
    out = dataclasses.replace(front, F=ev.F, X=Theta, G=None, evaluations=len(Theta),
                              extra=extra)
    return with_exact_metrics(problem, out)
