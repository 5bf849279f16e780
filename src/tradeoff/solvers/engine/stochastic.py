"""The mini-batch loop behind every gradient solver given ``optimizer = "adam" | "sgd"``.

All K candidates of a front are one array Φ (K, d) (standardised parameters, as in the engine).
Each epoch shuffles the rows with the solver's seeded generator and, per mini-batch b of
``batch_size`` rows, takes one step for every candidate at once:

    F_b, G_b = objectives and constraints on b            (K, m), (K, c)
    C = ∂s/∂v (F_b, G_b)                                  (K, m + c), the scalarisation's coefficients
    g = Σᵢ Cᵢ ∇vᵢ on b                                     (K, d), one pass of the problem over b
    Φ ← Φ − step(g)                                       adam, or sgd with momentum; lr schedule

so the coefficients (a Chebyshev softmax, an augmented-Lagrangian multiplier term) follow the
mini-batch's own values. The set-based solvers step along a combination g = Σᵢ αᵢ ∇f̃ᵢ of the
normalised mini-batch gradients whose α comes from the mini-batch's values too: MGDA's min-norm α,
EPO's LP for each point's ray, and the unit hypervolume gain of the K points' mini-batch values, as
LibMOON computes them per batch: each a rule its solver registers in ``directions.py``.

Normalisation f̃ = (f − ideal) / span takes one of three sources (``normalize``):

- ``anchors``: the Setup's lexicographic anchors, solved by the full-batch engine before the loop
  (exact, but m full-batch solves: cheap for linear models, costly for a large network);
- ``online``: m extra rows in Φ, each minimising one objective (plus 10⁻³ of the others), trained by
  the same loop; ideal and span are their mean mini-batch values over the last epoch (no extra pass
  over the data). A warm-up of a tenth of the epochs (one to three; at most a tenth of
  ``max_seconds``) trains those m rows alone, so the span is known before the K candidates move.
  ``auto`` takes ``anchors`` for models affine in θ and ``online`` otherwise;
- ``none``: ideal 0 and span 1, the raw objectives (weights act on the values as they are, as in
  LibMOON's ``Σ pᵢ fᵢ``; MGDA takes the raw gradients).

Constraints (ε bounds, the problem's g ≤ 0) enter as the augmented Lagrangian of the engine with a
fixed ρ; the multipliers are updated once per epoch from the epoch's mean violations.

Budgets: ``epochs``, ``max_evaluations`` (one evaluation = one candidate's pass over n rows, so a
mini-batch of b rows costs b / n) and ``max_seconds`` (checked before every mini-batch). With a
``validation`` Dataset and ``early_stopping``, each candidate keeps its iterate of best validation
scalarised value and stops after ``patience`` epochs without improvement.
"""

from __future__ import annotations

import dataclasses
import time

import numpy as np

from ..._validation import check_choice, check_positive, fail
from ...optim import SCHEDULES, get_optimizer, get_schedule
from ...datasets import Dataset
from ...problem import Problem
from ..weights import weight_rows
from .directions import DIRECTIONS
from .newton import Scalarisation
from .setup import (DECOMPOSITIONS, AugmentedLagrangian, Setup, check_decomposition,
                    decomposition, linear_scalarisation, weighted_scalarisation)

MINI_BATCH_RULES = ("adam", "sgd")  # the step rules (optim.OPTIMIZERS) the mini-batch loop takes
NORMALIZE = ("auto", "anchors", "online", "none")
DEFAULT_LR = {"adam": 1e-3, "sgd": 1e-2}
RHO = 10.0  # the augmented Lagrangian's fixed penalty: stochastic steps dislike a growing one
WARMUP_SHARE = 0.1  # online anchors train alone for a tenth of the epochs (and of max_seconds) ...
WARMUP_MAX = 3  # ... but at least one and at most three epochs (m rows: a small cost)
LEX_SHARE = 1e-3  # an online anchor minimises fᵢ + 10⁻³ Σⱼ fⱼ (as the engine's first share)
#: the options of the loop (given without ``optimizer`` they are an error)
OPTIONS = ("lr", "momentum", "schedule", "batch_size", "epochs", "normalize", "early_stopping",
           "patience", "validation")
DEFAULTS = dict(lr=None, momentum=0.0, schedule="constant", batch_size=256, epochs=20,
                normalize="auto", early_stopping=False, patience=5, validation=None)


def loop_keys(opts: dict, skip: tuple = ()) -> list[str]:
    """The options of the mini-batch loop given (not None) in ``opts``, but those in ``skip``."""
    return [k for k in OPTIONS if k not in skip and opts.get(k) is not None]


def engine_only(opts: dict, path: str = "") -> None:
    """Reject options of the mini-batch loop given to the full-batch engine (no ``optimizer``);
    ``path`` prefixes the name in the message (``solvers[0].options`` in a config)."""
    if opts.get("optimizer") is not None:
        return
    given = loop_keys(opts)
    if given:
        key = given[0]
        fail(f"{path}.{key}" if path else key, "given only with optimizer = 'adam' or 'sgd' (an "
             "option of the mini-batch loop)", opts[key], f"Set optimizer = 'adam', or drop `{key}` "
             "to use the full-batch engine.")


def _check(optimizer, lr, momentum, schedule, batch_size, epochs, normalize, early_stopping,
           patience, validation, problem):
    check_choice("optimizer", optimizer, MINI_BATCH_RULES)
    if lr is not None:
        check_positive("lr", lr)
    if not (isinstance(momentum, (int, float)) and not isinstance(momentum, bool)
            and 0 <= momentum < 1):
        fail("momentum", "a number in [0, 1)", momentum, "Use e.g. momentum = 0.9.")
    if momentum and optimizer != "sgd":
        fail("momentum", "0 with optimizer 'adam' (Adam has its own moments)", momentum,
             "Set optimizer = 'sgd' to use momentum.")
    check_choice("schedule", schedule, SCHEDULES)
    check_positive("batch_size", batch_size, integer=True)
    check_positive("epochs", epochs, integer=True)
    check_positive("patience", patience, integer=True)
    check_choice("normalize", normalize, NORMALIZE)
    if early_stopping and validation is None:
        fail("validation", "a Dataset or Problem of held-out rows when early_stopping = true", None,
             "In a sweep, give the problem a split with a validation part, e.g. split = { test = "
             "0.3, validation = 0.2 }; in a library call pass validation=<Dataset>.")
    if validation is None or not early_stopping:
        return None
    if isinstance(validation, Problem):
        if validation.m != problem.m or validation.d != problem.d:
            fail("validation", f"a problem with the training problem's {problem.m} objectives and "
                 f"{problem.d} parameters", repr(validation), "Build it from the held-out rows with "
                 "the training problem's model and objectives, or pass those rows as a Dataset.")
        return validation
    if not isinstance(validation, Dataset):
        fail("validation", "a tradeoff Dataset or Problem", type(validation).__name__,
             "Split the data with tradeoff.split(data, test=..., validation=...) and pass the "
             "validation part.", exc=TypeError)
    if validation.X.shape[1] != problem.data.X.shape[1]:
        fail("validation", f"a Dataset with the training data's {problem.data.X.shape[1]} "
             "feature columns", f"{validation.X.shape[1]} columns", "Pass held-out rows of the "
             "same table (tradeoff.split), encoded like the training rows.")
    return Problem(validation, problem.model, problem.objectives, problem.constraints,
                   name=f"{problem.name}:validation")


SCALARISED = ("weighted", *DECOMPOSITIONS, "epsilon")  # the other kinds: set rules (directions.py)


def run(problem, name: str, kind: str, *, n_points, weights=None, preferences="grid", mu=0.01,
        theta=5.0, rho=0.01, epsilon=None, reference=None, max_evaluations=None, max_epochs=2000,
        max_seconds=None, standardize=True, seed=0, method="auto", optimizer="adam",
        rule_params=None, **opts):
    """Solve ``problem`` by the mini-batch loop: ``kind`` is "weighted" (weighted-sum and penalty,
    by their weight rows), "chebyshev", "pbi", "aasf" (by their preference rows: ``weights``, or
    ``preferences``), "epsilon", or a set rule registered in ``directions.py``
    ("mgda", "epo" with rays ``weights``, "hv" with ``reference`` in normalised units, "pmgda");
    ``rule_params`` go to a set rule's ``start``; the options as in the module's docstring.
    Returns a Front with ``extra["epochs_run"]`` and ``extra["stopped_by"]``."""
    t0 = time.perf_counter()
    unknown = set(opts) - set(DEFAULTS)
    if unknown:
        fail("options", f"options of solver {name!r}", sorted(unknown),
             "See docs/solvers.md for the options of the mini-batch loop.")
    o = {**DEFAULTS, **{k: v for k, v in opts.items() if v is not None}}
    params = {"mu": mu, "theta": theta, "rho": rho}
    if kind in DECOMPOSITIONS:
        params = {k: params[k] for k in DECOMPOSITIONS[kind]}
        check_decomposition(kind, params)
    val = _check(optimizer, o["lr"], o["momentum"], o["schedule"], o["batch_size"], o["epochs"],
                 o["normalize"], o["early_stopping"], o["patience"], o["validation"], problem)
    normalize = o["normalize"]
    if normalize == "auto":
        normalize = "online" if not problem.affine else "anchors"
    if normalize == "none" and kind == "epsilon" and epsilon is None:
        fail("epsilon", "given (bounds in the objectives' units) when normalize = 'none'", None,
             "The default bounds lie between the anchors, which normalize = 'none' does not "
             "solve: pass epsilon, or use normalize = 'anchors' or 'online'.")
    s = Setup(problem, n_points=n_points, max_evaluations=max_evaluations, max_epochs=max_epochs,
              tol=None, standardize=standardize, seed=seed, method=method,
              max_seconds=max_seconds, anchors=normalize == "anchors")
    s.step_label = f"{optimizer}, mini-batches of {o['batch_size']}"
    m, c, sp, rng = s.m, s.c, s.sp, s.rng
    set_rule = None if kind in SCALARISED else DIRECTIONS.get(kind)
    if kind not in SCALARISED and set_rule is None:
        fail("kind", f"one of {', '.join(SCALARISED + tuple(DIRECTIONS))}", kind)
    if set_rule is not None and c:
        fail("solver", "a solver that handles constraints", name,
             f"{name} has no constraint handling here; use 'epsilon-constraint' or 'nsga2'.")

    # -- the candidates' scalarisations ---------------------------------------------------------
    W, mix, value, coef, T, E, ctx = _candidates(kind, s, set_rule, n_points, weights,
                                                 preferences, seed, params, epsilon, reference,
                                                 rule_params or {})
    K = len(W)
    cols, h, al, L_value, L_coef = _lagrangian(s, kind, value, coef, T, E, K)

    # -- rows: K candidates, then (online) m anchors -------------------------------------------
    online = normalize == "online"
    nA = m if online else 0
    Phi = _start_rows(problem, s, normalize, mix, K, nA, set_rule is not None)
    if online:
        F0, _ = sp.values(Phi[K:])
        CA = np.full((m, m), LEX_SHARE)
        np.fill_diagonal(CA, 1.0)
        CA = CA / np.maximum(np.abs(F0), 1e-12)
        anchor_scal = linear_scalarisation(CA, c)
    n = problem.data.n
    B = min(o["batch_size"], n)
    nb = -(-n // B)
    lr = DEFAULT_LR[optimizer] if o["lr"] is None else o["lr"]
    extra_opt = {"momentum": o["momentum"]} if optimizer == "sgd" else {}
    budget = s.budget - s.reserve
    used = 0.0  # evaluations of the loop (fractions of a full pass per candidate)
    status = np.full(K + nA, "budget", dtype=object)
    moving = np.ones(K + nA, bool)
    acc = {"FA": np.zeros((nA, m)), "wA": np.zeros((nA, 1)), "h": np.zeros((K, len(cols)))}
    stop = ""

    def step_batch(rows, b, opt, state):
        """One optimiser step of the rows ``rows`` on the data rows ``b`` (None = all)."""
        nonlocal used
        share = (n if b is None else len(b)) / n
        every = len(rows) == len(Phi)  # rows are distinct: all of Φ moves, so no gather / scatter
        P = Phi if every else Phi[rows]
        cand, anc = rows[rows < K], rows[rows >= K]
        ic, ia = np.flatnonzero(rows < K), np.flatnonzero(rows >= K)
        g = np.zeros_like(P)
        with np.errstate(over="ignore", invalid="ignore"):
            if set_rule is not None:
                ev = problem.evaluate(sp.theta(P), grad=True, rows=b)
                F, G = ev.F, ev.G
                dF = sp.to_phi_gradient(ev.dF)
                if len(ic):
                    Gn = dF[ic] / s.span[None, :, None]
                    g[ic] = np.einsum("ki,kid->kd", set_rule.alpha(s, F[ic], Gn, cand, ctx), Gn)
                if len(ia):
                    g[ia] = np.einsum("ki,kid->kd", CA[anc - K], dF[ia])
            else:
                def C_of(F, G):
                    C = np.zeros((len(rows), m + c))
                    if len(ic):
                        C[ic] = L_coef(F[ic], G[ic], cand)
                    if len(ia):
                        C[ia] = anchor_scal.coef(F[ia], G[ia], anc - K)
                    return C

                F, G, gt = problem.combine(sp.theta(P), C_of, rows=b)
                g = sp.to_phi_gradient(gt)
        used += len(rows) * share
        if len(ia):
            acc["FA"][anc - K] += share * F[ia]
            acc["wA"][anc - K] += share
        if len(cols) and len(ic):
            acc["h"][cand] += share * h(F[ic], G[ic], cand)
        # the optimiser's state spans every row; rows that do not move see a zero gradient and
        # keep their place (they never move again: stopped early, diverged, or warm-up anchors)
        if every:
            g_all = g
        else:
            g_all = np.zeros_like(Phi)
            g_all[rows] = g
        step, state = opt.update(g_all, state)
        # the step is the optimiser's fresh array: the new point is written over it
        new = np.subtract(P, step if every else step[rows], out=step if every else None)
        bad = ~np.isfinite(new).all(1) | ~np.isfinite(g).all(1)
        new[bad] = P[bad]  # a diverged row keeps its last finite point and stops
        Phi[rows if not every else slice(None)] = new
        if bad.any():
            status[rows[bad]], moving[rows[bad]] = "diverged", False
        return state

    def run_epoch(rows_of, opt, state):
        """One pass over the shuffled rows; returns the state and whether a budget stopped it."""
        nonlocal stop
        order = rng.permutation(n) if nb > 1 else None
        for j in range(nb):
            rows = rows_of()
            if len(rows) == 0:
                return state, False
            if sp.out_of_time():
                stop = "max_seconds"
                return state, True
            b = None if order is None else order[j * B:(j + 1) * B]
            if sp.evaluations + used + len(rows) * (B / n) > budget:
                stop = "max_evaluations"
                return state, True
            state = step_batch(rows, b, opt, state)
        return state, False

    if online:  # warm-up: the m anchor rows alone, so the span is known before the candidates move
        opt = get_optimizer(optimizer, lr, **extra_opt)
        state = opt.init(Phi)
        deadline = sp.deadline
        if max_seconds is not None:  # the warm-up takes at most a tenth of the wall-clock budget
            sp.deadline = min(deadline, time.perf_counter() + WARMUP_SHARE * max_seconds)
        for _ in range(int(np.clip(o["epochs"] * WARMUP_SHARE, 1, WARMUP_MAX))):
            state, cut = run_epoch(lambda: np.arange(K, K + nA)[moving[K:]], opt, state)
            if cut:
                break
        if stop == "max_seconds" and not (deadline is not None and time.perf_counter() >= deadline):
            stop = ""  # only the warm-up's share ran out: the candidates still have their time
        sp.deadline = deadline
        _refresh_span(s, acc)
    opt = get_optimizer(optimizer, get_schedule(o["schedule"], lr, o["epochs"] * nb), **extra_opt)
    state = opt.init(Phi)
    best_v = np.full(K, np.inf)
    best_phi = Phi[:K].copy()
    best_epoch = np.zeros(K, int)
    since = np.zeros(K, int)
    epochs_done = 0
    batches_done = 0
    if online and stop:
        epochs_total = 0
    else:
        epochs_total = o["epochs"]
    for epoch in range(1, epochs_total + 1):
        acc["h"][:] = 0.0
        before = state[0] if isinstance(state, tuple) else state
        state, cut = run_epoch(lambda: np.flatnonzero(moving), opt, state)
        after = state[0] if isinstance(state, tuple) else state
        batches_done += after - before
        if cut:
            break
        epochs_done = epoch
        if online:
            _refresh_span(s, acc)
        if len(cols):  # multipliers from the epoch's mean violation
            al.update(acc["h"])
        if val is not None:
            r = np.flatnonzero(moving[:K])
            ev = val.evaluate(sp.theta(Phi[r]), grad=False)
            Fv, Gv = ev.F, ev.G
            used += len(r) * val.data.n / n
            v = L_value(Fv, Gv, r)
            better = v < best_v[r]
            best_v[r[better]], best_phi[r[better]] = v[better], Phi[r[better]]
            best_epoch[r[better]] = epoch
            since[r] = np.where(better, 0, since[r] + 1)
            done = r[since[r] >= o["patience"]]
            status[done], moving[done] = "early-stopped", False
            if not moving[:K].any():
                stop = "early_stopping"
                break
        if not moving[:K].any():
            break
    if val is not None:  # every candidate ends at its best validation iterate
        seen = np.isfinite(best_v)
        Phi[:K][seen] = best_phi[seen]
    status = status[:K]
    sp.evaluations += int(np.ceil(used))
    sp.counts["function"] += int(np.ceil(used))
    sp.counts["gradient"] += int(np.ceil(used))
    epochs_run = batches_done / nb
    options = _options(K, optimizer, lr, o, normalize, standardize, seed, s.budget, kind,
                       params, preferences, reference)
    extra = {"weights": W.tolist(), "engine": "stochastic", "epochs_run": float(epochs_run),
             "stopped_by": stop or "epochs"}
    if set_rule is not None:
        extra.update(set_rule.report(ctx))
    if T is not None or E is not None:
        extra["epsilon"] = (s.ideal[1:] + T * s.span[1:] if E is None else E).tolist()
    if val is not None:
        extra["best_epoch"] = best_epoch.tolist()
    front = s.finish(name, options, Phi[:K], status, epochs_done, t0, extra)
    status = np.where(np.asarray(front.extra.get("point_status", status)) == "diverged",
                      "diverged", status)
    ok = (stop in ("", "early_stopping") and not (status == "diverged").any()
          and bool(front.feasible.all()) and bool(np.isfinite(front.F).all()))
    return dataclasses.replace(front, options={**front.options, "method": "stochastic"},
                               success=ok, message=_message(front, K, o, stop, epochs_run, status,
                                                            max_seconds))


def _lagrangian(s, kind, value, coef, T, E, K):
    """The constraints h ≤ 0 of the candidates (ε bounds, then the problem's g), their columns of
    v, the augmented Lagrangian over them (None without constraints) and its value and
    coefficients."""
    m, c = s.m, s.c
    n_eps = 0 if kind != "epsilon" else m - 1
    cols = np.concatenate([np.arange(1, 1 + n_eps), m + np.arange(c)]).astype(int)

    def h(F, G, r):  # constraints h ≤ 0 of the candidates ``r``: ε bounds, then the problem's g
        parts = []
        if T is not None:
            parts.append(s.norm(F)[:, 1:] - T[r])
        elif E is not None:
            parts.append((F[:, 1:] - E[r]) / s.span[1:])
        if c:
            parts.append(G)
        return np.hstack(parts) if parts else np.zeros((len(r), 0))

    al = None
    if len(cols):  # ∂h/∂v = 1/spanᵢ on the bounded objectives, read late: the span may move
        al = AugmentedLagrangian(Scalarisation(value, coef), h, cols,
                                 lambda: np.concatenate([1.0 / s.span[1:m][:n_eps], np.ones(c)]),
                                 K, m + c, RHO)
        L_value, L_coef = al.value, al.coef
    else:
        L_coef = coef

        def L_value(F, G, r):
            return s.norm(F).mean(1) if value is None else value(F, G, r)
    return cols, h, al, L_value, L_coef


def _start_rows(problem, s, normalize, mix, K, nA, set_based: bool):
    """Φ (K + nA, d): the candidates, then the online anchors."""
    rng = s.rng
    if not problem.affine:  # a network: K (and m) independently seeded initialisations
        Phi = s.sp.phi(problem.start_theta(K + nA, rng))
    elif normalize == "anchors":  # a convex model: the engine's warm start, the anchors' mix
        Phi = np.vstack([mix @ s.anchor_phi])
    else:
        Phi = np.repeat(s.start[None], K + nA, 0)
        if set_based:  # identical starts would give identical paths
            Phi[:K] += rng.standard_normal((K, problem.d))
    return Phi


def _refresh_span(s, acc):
    """ideal and span from the online anchors' mean batch values since the last refresh."""
    if not (acc["wA"] > 0).all():  # an anchor saw no batch (a budget ran out): keep the span
        return
    FA = acc["FA"] / acc["wA"]  # the mean over the batches seen, a whole epoch or not
    s.ideal = FA.min(axis=0)
    nadir = FA.max(axis=0)
    s.span = np.where(nadir - s.ideal > 1e-12 * np.maximum(1, np.abs(nadir)),
                      nadir - s.ideal, np.maximum(np.abs(nadir), 1.0))
    acc["FA"][:] = 0.0
    acc["wA"][:] = 0.0


def _options(K, optimizer, lr, o, normalize, standardize, seed, budget, kind, params,
             preferences, reference):
    """The front's ``options``: what the loop ran with."""
    options = dict(n_points=K, optimizer=optimizer, lr=lr, schedule=o["schedule"],
                   batch_size=o["batch_size"], epochs=o["epochs"], normalize=normalize,
                   early_stopping=bool(o["early_stopping"]), standardize=standardize, seed=seed,
                   max_evaluations=budget)
    if optimizer == "sgd":
        options["momentum"] = o["momentum"]
    if o["early_stopping"]:
        options["patience"] = o["patience"]
    if kind in DECOMPOSITIONS:
        options.update(params)
    if preferences != "grid":
        options["preferences"] = preferences
    if kind == "hv":
        options["reference"] = np.asarray(reference, float).tolist()
    return options


def _candidates(kind, s, set_rule, n_points, weights, preferences, seed, params, epsilon,
                reference, rule_params):
    """The K candidates of ``kind``: weight rows W (K, m), the anchors' mix each starts from, the
    scalarisation's value and coefficients (None for a set rule), the ε bounds (T normalised, the
    default between the anchors, or E in the objectives' units) and a set rule's context."""
    m, rng = s.m, s.rng
    T = E = None
    ctx = {}
    if kind == "weighted":
        W = weight_rows(weights, preferences, n_points, m, seed)
        mix = W
        sc = weighted_scalarisation(s, W)
        value, coef = sc.value, sc.coef
    elif kind in DECOMPOSITIONS:
        R = weight_rows(weights, preferences, n_points, m, seed)
        W, (value, coef, _) = decomposition(s, kind, R, params)
        # Chebyshev's ray (1, 0) ends at f₂'s anchor: the anchors are mixed by W, not R
        mix = W
    elif kind == "epsilon":
        if epsilon is None:
            T = np.repeat(np.linspace(0, 1, n_points)[:, None], m - 1, 1)
            K = len(T)
        else:
            E = (np.asarray(epsilon, float).reshape(-1, m - 1) if np.ndim(epsilon)
                 else np.full((1, m - 1), float(epsilon)))
            if not np.isfinite(E).all():
                fail("epsilon", "finite", E.tolist())
            K = len(E)
        W = np.zeros((K, m))
        W[:, 0] = 1.0
        share = np.clip((T if T is not None else np.full((K, 1), 0.5)).mean(1), 0, 1)[:, None]
        mix = np.column_stack([share, 1 - share] + [np.zeros(K)] * (m - 2))
        sc = weighted_scalarisation(s, W)
        value, coef = sc.value, sc.coef
    else:  # a set rule: its own weight rows and starting mixes
        W, mix, ctx = set_rule.start(s, n_points, weights, rng, reference=reference, **rule_params)
        value = coef = None
    return W, mix, value, coef, T, E, ctx


def _message(front, K, o, stop, epochs_run, status, max_seconds):
    msg = (f"{K} points by mini-batch {front.options['optimizer']} (batches of {o['batch_size']}), "
           f"{epochs_run:.3g} of {o['epochs']} epochs")
    if stop == "max_seconds":
        msg += f"; the wall-clock budget of {max_seconds:g} s ran out first"
    elif stop == "max_evaluations":
        msg += f"; the budget of {front.options['max_evaluations']} evaluations ran out first"
    elif stop == "early_stopping":
        msg += "; every point stopped early on the validation rows"
    stopped = int((status == "early-stopped").sum())
    if stopped and stop != "early_stopping":
        msg += f"; {stopped} of {K} points stopped early on the validation rows"
    diverged = int((status == "diverged").sum())
    if diverged:
        msg += f"; {diverged} of {K} points diverged (lower `lr`)"
    if front.G is not None and not front.feasible.all():
        msg += f"; {int((~front.feasible).sum())} of {K} points break a constraint"
    return msg
